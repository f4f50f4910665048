// An in-process query service on a loopback port-0 listener reading a MemoryStore, spans written
// to the store from one-line descriptions, and JSON helpers, for the query service's tests.
#pragma once

#include <prometheus/registry.h>
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "memory/memory_store.h"
#include "query/query.h"
#include "runtime/http_client.h"
#include "runtime/metrics.h"

namespace ariadne::testing {

// Options with the HTTP and gRPC ports on 127.0.0.1:0, one HTTP thread, no base path.
inline query::QueryOptions QueryLoopbackOptions() {
  query::QueryOptions options;
  options.http_host_port = "127.0.0.1:0";
  options.grpc_host_port = "127.0.0.1:0";
  options.http_threads = 1;
  options.base_path = "";
  return options;
}

// A query service over `reader` (default: its own MemoryStore), with `archive` as its
// --query.archive store when given.
struct RunningQuery {
  explicit RunningQuery(const query::QueryOptions& options = QueryLoopbackOptions(),
                        storage::SpanReader* reader = nullptr,
                        storage::DependencyReader* dependencies = nullptr,
                        const storage::Backend* archive = nullptr)
      : registry(std::make_shared<prometheus::Registry>()) {
    const tracecore::Status started = query::Query::Start(
        options, reader != nullptr ? *reader : store,
        dependencies != nullptr ? *dependencies : store, registry, instance, archive);
    INFO(started.message());
    REQUIRE(started.ok());
  }

  // GET `target` from the query port; fails the test on a transport error.
  runtime::HttpClientResponse Get(const std::string& target) {
    runtime::HttpClientResponse response;
    const tracecore::Status sent =
        client().Request(boost::beast::http::verb::get, target, {}, {}, response);
    INFO(sent.message());
    REQUIRE(sent.ok());
    return response;
  }

  // POSTs `body` to `target`; fails the test on a transport error.
  runtime::HttpClientResponse Post(const std::string& target, const std::string& body,
                                   const std::string& content_type = "application/json") {
    runtime::HttpClientResponse response;
    const tracecore::Status sent = client().Request(
        boost::beast::http::verb::post, target, {{"Content-Type", content_type}}, body, response);
    INFO(sent.message());
    REQUIRE(sent.ok());
    return response;
  }

  // The exposition once every request sent so far is counted: the server counts a request after
  // writing its answer and before reading the next request of the connection, so one more
  // request (to no route, which is not counted) goes first.
  std::string Metrics() {
    Get("/metrics-barrier");
    return runtime::SerializeMetrics(*registry);
  }

  storage::MemoryStore store;
  std::shared_ptr<prometheus::Registry> registry;
  std::unique_ptr<query::Query> instance;

 private:
  runtime::HttpClient& client() {
    if (!client_) {
      client_ = std::make_unique<runtime::HttpClient>("127.0.0.1",
                                                      static_cast<uint16_t>(instance->http_port()));
    }
    return *client_;
  }
  std::unique_ptr<runtime::HttpClient> client_;
};

inline constexpr uint64_t kUs = 1000;         // ns per µs
inline constexpr uint64_t kMs = 1000 * 1000;  // ns per ms
// A fixed time origin for test spans: 2025-11-27T10:40:00Z in ns.
inline constexpr uint64_t kT0 = 1764240000000ULL * kMs;

// One span to store. Each span gets its own resource (service.name, then `process` attributes)
// and one scope.
struct TestSpan {
  uint64_t trace = 1;  // low half of the trace id
  uint64_t id = 1;
  uint64_t parent = 0;
  std::string service = "frontend";
  std::string name = "op";
  tracecore::SpanKind kind = tracecore::SpanKind::kUnspecified;
  uint64_t start = kT0;                                           // ns
  uint64_t duration = 10 * kMs;                                   // ns
  std::vector<std::pair<std::string, std::string>> tags = {};     // string attributes
  std::vector<std::pair<std::string, std::string>> process = {};  // string resource attributes
  std::vector<uint64_t> event_times = {};                         // ns; events named "e"
};

inline void AddTestSpan(tracecore::SpanBatch& batch, const TestSpan& spec) {
  const uint32_t resource = batch.AddResource();
  auto& attributes = batch.resources()[resource].attributes;
  attributes.push_back(
      {batch.Copy("service.name"), tracecore::AnyValue::String(batch.Copy(spec.service))});
  for (const auto& [key, value] : spec.process) {
    attributes.push_back({batch.Copy(key), tracecore::AnyValue::String(batch.Copy(value))});
  }
  const uint32_t scope = batch.AddScope();
  tracecore::Span& span = batch.AddSpan(resource, scope);
  span.trace_id = {0, spec.trace};
  span.span_id = {spec.id};
  span.parent_span_id = {spec.parent};
  span.name = batch.Copy(spec.name);
  span.kind = spec.kind;
  span.start_time_unix_nano = spec.start;
  span.end_time_unix_nano = spec.start + spec.duration;
  for (const auto& [key, value] : spec.tags) {
    span.attributes.push_back({batch.Copy(key), tracecore::AnyValue::String(batch.Copy(value))});
  }
  for (uint64_t time : spec.event_times) {
    tracecore::Event& event = span.events.emplace_back(batch.arena());
    event.time_unix_nano = time;
    event.name = batch.Copy("e");
  }
}

// Writes `spans` to `store` as one batch.
inline void Store(storage::SpanWriter& store, const std::vector<TestSpan>& spans) {
  tracecore::SpanBatch batch;
  for (const TestSpan& spec : spans) AddTestSpan(batch, spec);
  const tracecore::Status written = store.WriteBatch(batch);
  INFO(written.message());
  REQUIRE(written.ok());
}

// The response body parsed as JSON; fails the test when it is not JSON.
inline rapidjson::Document ParseJson(const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  INFO(body);
  REQUIRE_FALSE(document.HasParseError());
  return document;
}

// The value of the one sample named `series` (name and labels exactly as the exposition writes
// them, e.g. jaeger_query_requests_total{operation="get_trace",result="ok"}); fails the test when
// there is none.
inline double Sample(const std::string& exposition, const std::string& series) {
  const std::string line_start = "\n" + series + " ";
  const size_t at = exposition.find(line_start);
  INFO(series);
  REQUIRE(at != std::string::npos);
  const size_t value = at + line_start.size();
  return std::stod(exposition.substr(value, exposition.find('\n', value) - value));
}

// The exact body of an error answer (reference §4.2).
inline std::string ErrorJson(unsigned status, const std::string& message) {
  return "{\"data\":null,\"total\":0,\"limit\":0,\"offset\":0,\"errors\":[{\"code\":" +
         std::to_string(status) + ",\"msg\":\"" + message + "\"}]}\n";
}

}  // namespace ariadne::testing
