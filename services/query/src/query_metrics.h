// QueryMetrics: the query service's Prometheus metrics. Jaeger's names (reference §7.4) and the
// histogram the seed's alert rule reads (deploy/prometheus/jaeger-alerting-rules.yml):
//   jaeger_query_requests_total{operation,result}            API requests answered
//   jaeger_query_request_duration_seconds{operation,result}  their latency (histogram)
// where operation is one of get_services, get_operations, find_traces, get_trace,
// get_dependencies (Jaeger's), archive_trace and transform (ours), and result is ok (2xx) or err
// (anything else: bad parameters, not found, storage failures, timeouts). Ariadne adds
// ariadne_query_traces_truncated_total.
//
// Thread-safe; every series exists from the start (at 0), so that rates and alerts see them.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <memory>
#include <string_view>

namespace ariadne::query {

// The `operation` label values, in the order of kOperations.
enum class Operation {
  kGetServices,
  kGetOperations,
  kFindTraces,
  kGetTrace,
  kGetDependencies,
  kArchiveTrace,
  kTransform,
};
inline constexpr std::array<std::string_view, 7> kOperations = {
    "get_services",     "get_operations", "find_traces", "get_trace",
    "get_dependencies", "archive_trace",  "transform"};

class QueryMetrics {
 public:
  explicit QueryMetrics(std::shared_ptr<prometheus::Registry> registry);

  // One request of `operation` answered with HTTP `status` after `seconds`.
  void Request(Operation operation, unsigned status, double seconds);
  // One trace returned truncated at --query.max-trace-size.
  void TraceTruncated() { traces_truncated_.Increment(); }
  // One HTTP connection refused because --query.max-connections were open.
  void ConnectionRefused() { connections_refused_.Increment(); }

 private:
  struct Series {
    prometheus::Counter* requests = nullptr;
    prometheus::Histogram* duration = nullptr;
  };

  std::shared_ptr<prometheus::Registry> registry_;
  // [operation][0: ok, 1: err]
  std::array<std::array<Series, 2>, kOperations.size()> series_{};
  prometheus::Counter& traces_truncated_;
  prometheus::Counter& connections_refused_;
};

}  // namespace ariadne::query
