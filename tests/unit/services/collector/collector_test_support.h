// An in-process collector on loopback port-0 listeners writing to a MemoryStore, for the
// collector's tests.
#pragma once

#include <prometheus/registry.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "collector/collector.h"
#include "memory/memory_store.h"
#include "runtime/http_client.h"
#include "runtime/metrics.h"

namespace ariadne::testing {

// Options with every receiver on 127.0.0.1:0 (Zipkin on), few workers.
inline collector::CollectorOptions LoopbackOptions() {
  collector::CollectorOptions options;
  options.grpc_host_port = "127.0.0.1:0";
  options.http_host_port = "127.0.0.1:0";
  options.otlp_grpc_host_port = "127.0.0.1:0";
  options.otlp_http_host_port = "127.0.0.1:0";
  options.zipkin_host_port = "127.0.0.1:0";
  options.num_workers = 2;
  options.http_threads = 1;
  return options;
}

struct RunningCollector {
  explicit RunningCollector(collector::CollectorOptions options = LoopbackOptions(),
                            storage::SpanWriter* writer = nullptr)
      : registry(std::make_shared<prometheus::Registry>()) {
    const tracecore::Status started = collector::Collector::Start(
        options, writer != nullptr ? *writer : store, registry, instance);
    INFO(started.message());
    REQUIRE(started.ok());
  }

  // Drains the queue into the store; after this the store holds every accepted span.
  void Drain() { instance->Shutdown(); }

  std::string Metrics() const { return runtime::SerializeMetrics(*registry); }

  storage::MemoryStore store;
  std::shared_ptr<prometheus::Registry> registry;
  std::unique_ptr<collector::Collector> instance;
};

// Sends one HTTP request to 127.0.0.1:`port` and returns the response; fails the test on a
// transport error.
inline runtime::HttpClientResponse Post(
    int port, const std::string& target, const std::string& content_type, const std::string& body,
    std::vector<std::pair<std::string, std::string>> headers = {}) {
  runtime::HttpClient client("127.0.0.1", static_cast<uint16_t>(port));
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  runtime::HttpClientResponse response;
  const tracecore::Status sent =
      client.Request(boost::beast::http::verb::post, target, headers, body, response);
  INFO(sent.message());
  REQUIRE(sent.ok());
  return response;
}

inline runtime::HttpClientResponse Get(int port, const std::string& target) {
  runtime::HttpClient client("127.0.0.1", static_cast<uint16_t>(port));
  runtime::HttpClientResponse response;
  const tracecore::Status sent =
      client.Request(boost::beast::http::verb::get, target, {}, {}, response);
  INFO(sent.message());
  REQUIRE(sent.ok());
  return response;
}

// The value of the sample of `metric` whose label text contains every one of `labels` (e.g.
// {"format=\"otlp\""}), summed over matching samples; 0 when absent.
inline double MetricValue(const std::string& exposition, const std::string& metric,
                          const std::vector<std::string>& labels = {}) {
  double sum = 0;
  size_t at = 0;
  while ((at = exposition.find(metric, at)) != std::string::npos) {
    const bool line_start = at == 0 || exposition[at - 1] == '\n';
    const size_t end = exposition.find('\n', at);
    const std::string line = exposition.substr(at, end - at);
    at = end == std::string::npos ? exposition.size() : end;
    if (!line_start) continue;
    const char next = line.size() > metric.size() ? line[metric.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    bool all = true;
    for (const std::string& label : labels) all = all && line.find(label) != std::string::npos;
    if (all) sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

}  // namespace ariadne::testing
