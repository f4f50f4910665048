#include "query_metrics.h"

#include <string>

#include "runtime/metrics.h"

namespace ariadne::query {

QueryMetrics::QueryMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      traces_truncated_(prometheus::BuildCounter()
                            .Name("ariadne_query_traces_truncated_total")
                            .Help("Traces returned truncated at --query.max-trace-size spans")
                            .Register(*registry_)
                            .Add({})),
      connections_refused_(prometheus::BuildCounter()
                               .Name("ariadne_query_http_connections_refused_total")
                               .Help("HTTP connections answered 503 because "
                                     "--query.max-connections were open")
                               .Register(*registry_)
                               .Add({})) {
  auto& requests = prometheus::BuildCounter()
                       .Name("jaeger_query_requests_total")
                       .Help("Query API requests answered, by operation and result (ok: 2xx)")
                       .Register(*registry_);
  auto& durations = prometheus::BuildHistogram()
                        .Name("jaeger_query_request_duration_seconds")
                        .Help("Time to answer a query API request, by operation and result")
                        .Register(*registry_);
  for (size_t operation = 0; operation < kOperations.size(); ++operation) {
    for (size_t result = 0; result < 2; ++result) {
      const prometheus::Labels labels = {{"operation", std::string(kOperations[operation])},
                                         {"result", result == 0 ? "ok" : "err"}};
      series_[operation][result] = {&requests.Add(labels),
                                    &durations.Add(labels, runtime::LatencyBuckets())};
    }
  }
}

void QueryMetrics::Request(Operation operation, unsigned status, double seconds) {
  const bool ok = status >= 200 && status < 300;
  const Series& series = series_[static_cast<size_t>(operation)][ok ? 0 : 1];
  series.requests->Increment();
  series.duration->Observe(seconds);
}

}  // namespace ariadne::query
