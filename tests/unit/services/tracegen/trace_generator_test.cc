// TraceGenerator: deterministic, the asked-for shape (spans per trace, attributes, events), and
// traces that hang together (parents in the same trace, children inside their parents, server
// spans under client spans of the calling service).
#include "tracegen/trace_generator.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "tracecore/codec/otlp_proto.h"

namespace ariadne::tracegen {
namespace {

using tracecore::Span;
using tracecore::SpanBatch;
using tracecore::SpanKind;

constexpr uint64_t kNow = 1764240000000000000ULL;

std::string Encoded(const SpanBatch& batch) {
  std::string bytes;
  tracecore::otlp::EncodeExportRequest(batch, bytes);
  return bytes;
}

std::string_view ServiceOf(const SpanBatch& batch, const Span& span) {
  return batch.resource_of(span).ServiceName();
}

TEST_CASE("the same seed gives the same traces, another seed others") {
  const ServiceGraph graph = DefaultServiceGraph();
  GeneratorOptions options;
  options.seed = 42;
  TraceGenerator first(graph, options);
  TraceGenerator second(graph, options);
  SpanBatch a, b;
  first.Generate(20, kNow, a);
  second.Generate(20, kNow, b);
  REQUIRE(Encoded(a) == Encoded(b));

  // The stream goes on: the next call differs from the first, but equally in both generators.
  SpanBatch a2, b2;
  first.Generate(5, kNow, a2);
  second.Generate(5, kNow, b2);
  CHECK(Encoded(a2) == Encoded(b2));
  CHECK(Encoded(a2) != Encoded(a));

  options.seed = 43;
  TraceGenerator other(graph, options);
  SpanBatch c;
  other.Generate(20, kNow, c);
  CHECK(Encoded(c) != Encoded(a));
}

TEST_CASE("span counts per trace average the asked-for mean and every span has its attributes") {
  const ServiceGraph graph = DefaultServiceGraph();
  for (double mean : {1.0, 4.0, 10.0, 25.0}) {
    GeneratorOptions options;
    options.seed = 7;
    options.spans_per_trace = mean;
    options.attributes_per_span = 10;
    TraceGenerator generator(graph, options);
    SpanBatch batch;
    const size_t traces = 400;
    const size_t spans = generator.Generate(traces, kNow, batch);
    REQUIRE(spans == batch.spans().size());
    std::map<tracecore::TraceId, size_t> per_trace;
    for (const Span& span : batch.spans()) {
      ++per_trace[span.trace_id];
      CHECK(span.attributes.size() == 10);
    }
    CHECK(per_trace.size() == traces);
    const double average = static_cast<double>(spans) / traces;
    INFO("mean " << mean << ", average " << average);
    CHECK(average == Approx(mean).epsilon(0.1));
    for (const auto& [trace_id, count] : per_trace) {
      CHECK(count >= static_cast<size_t>(std::ceil(mean / 2)));
      CHECK(count <= static_cast<size_t>(2 * mean));
    }
  }
}

TEST_CASE("the attribute count follows the option, including beyond the built-in keys") {
  const ServiceGraph graph = DefaultServiceGraph();
  for (int64_t count : {0, 3, 10, 40}) {
    GeneratorOptions options;
    options.attributes_per_span = count;
    TraceGenerator generator(graph, options);
    SpanBatch batch;
    generator.Generate(30, kNow, batch);
    for (const Span& span : batch.spans()) {
      REQUIRE(span.attributes.size() == static_cast<size_t>(count));
      std::set<std::string_view> keys;
      for (const auto& attribute : span.attributes) keys.insert(attribute.key);
      CHECK(keys.size() == span.attributes.size());  // no key twice
    }
  }
}

TEST_CASE("traces hang together: one root, parents in the trace, children inside parents") {
  const ServiceGraph graph = DefaultServiceGraph();
  GeneratorOptions options;
  options.seed = 3;
  options.spans_per_trace = 30;
  TraceGenerator generator(graph, options);
  SpanBatch batch;
  generator.Generate(50, kNow, batch);

  std::map<std::pair<tracecore::TraceId, uint64_t>, const Span*> by_id;
  for (const Span& span : batch.spans()) {
    REQUIRE(by_id.emplace(std::make_pair(span.trace_id, span.span_id.value), &span).second);
  }
  std::map<tracecore::TraceId, int> roots;
  for (const Span& span : batch.spans()) {
    CHECK(span.start_time_unix_nano <= span.end_time_unix_nano);
    CHECK(span.end_time_unix_nano < kNow);
    CHECK(span.flags == 1);
    if (span.parent_span_id.empty()) {
      ++roots[span.trace_id];
      CHECK(span.kind == SpanKind::kServer);
      continue;
    }
    auto found = by_id.find({span.trace_id, span.parent_span_id.value});
    REQUIRE(found != by_id.end());
    const Span& parent = *found->second;
    CHECK(span.start_time_unix_nano >= parent.start_time_unix_nano);
    CHECK(span.end_time_unix_nano <= parent.end_time_unix_nano);
    if (span.kind == SpanKind::kServer) {
      // A hop: the client span is in the caller, the server span in the callee.
      CHECK(parent.kind == SpanKind::kClient);
      CHECK(ServiceOf(batch, parent) != ServiceOf(batch, span));
    } else {
      CHECK(ServiceOf(batch, parent) == ServiceOf(batch, span));
      CHECK(parent.kind != SpanKind::kClient);
    }
    for (const auto& event : span.events) {
      CHECK(event.time_unix_nano >= span.start_time_unix_nano);
      CHECK(event.time_unix_nano <= span.end_time_unix_nano);
    }
  }
  CHECK(roots.size() == 50);
  for (const auto& [trace_id, count] : roots) CHECK(count == 1);
}

TEST_CASE("spans carry realistic keys, events, errors with exceptions, and links") {
  const ServiceGraph graph = DefaultServiceGraph();
  GeneratorOptions options;
  options.seed = 11;
  options.error_rate = 0.1;
  options.link_rate = 0.2;
  TraceGenerator generator(graph, options);
  SpanBatch batch;
  generator.Generate(200, kNow, batch);

  std::set<std::string_view> keys;
  std::set<tracecore::ValueType> types;
  size_t errors = 0, links = 0, events = 0;
  for (const Span& span : batch.spans()) {
    for (const auto& attribute : span.attributes) {
      keys.insert(attribute.key);
      types.insert(attribute.value.type());
    }
    events += span.events.size();
    links += span.links.size();
    if (span.status.code == tracecore::SpanStatusCode::kError) {
      ++errors;
      bool has_exception = false;
      for (const auto& event : span.events) {
        if (event.name == "exception") {
          has_exception = tracecore::FindAttribute(event.attributes, "exception.type") != nullptr;
        }
      }
      CHECK(has_exception);
    }
  }
  for (std::string_view key :
       {"http.method", "http.route", "http.status_code", "net.peer.name", "db.system",
        "db.statement", "rpc.system", "code.function", "request.id"}) {
    INFO(key);
    CHECK(keys.count(key) == 1);
  }
  CHECK(types ==
        std::set<tracecore::ValueType>{tracecore::ValueType::kString, tracecore::ValueType::kBool,
                                       tracecore::ValueType::kInt, tracecore::ValueType::kDouble,
                                       tracecore::ValueType::kArray});
  CHECK(errors > 0);
  CHECK(links > 0);
  const double events_per_span = static_cast<double>(events) / batch.spans().size();
  CHECK(events_per_span > 1.5);
  CHECK(events_per_span < 3.0);
}

TEST_CASE("resources describe one process per service and spans are grouped by resource") {
  const ServiceGraph graph = DefaultServiceGraph();
  TraceGenerator generator(graph, GeneratorOptions{});
  SpanBatch batch;
  generator.Generate(100, kNow, batch);
  std::set<std::string_view> services;
  for (const auto& resource : batch.resources()) {
    REQUIRE(services.insert(resource.ServiceName()).second);  // one resource per service
    for (std::string_view key : {"service.version", "host.name", "telemetry.sdk.name",
                                 "telemetry.sdk.language", "telemetry.sdk.version"}) {
      INFO(key);
      CHECK(tracecore::FindAttribute(resource.attributes, key) != nullptr);
    }
  }
  CHECK(services.count("frontend") == 1);
  CHECK(services.count("model-router") == 1);
  // Grouped: the (resource, scope) pair changes only when a group ends.
  std::set<std::pair<uint32_t, uint32_t>> finished;
  std::pair<uint32_t, uint32_t> current{UINT32_MAX, UINT32_MAX};
  for (const Span& span : batch.spans()) {
    std::pair<uint32_t, uint32_t> group{span.resource_index, span.scope_index};
    if (group != current) {
      CHECK(finished.insert(group).second);
      current = group;
    }
  }
}

TEST_CASE("GenerateSpans appends whole traces until it has enough spans") {
  const ServiceGraph graph = DefaultServiceGraph();
  TraceGenerator generator(graph, GeneratorOptions{});
  SpanBatch batch;
  const size_t traces = generator.GenerateSpans(500, kNow, batch);
  CHECK(batch.spans().size() >= 500);
  std::set<tracecore::TraceId> ids;
  for (const Span& span : batch.spans()) ids.insert(span.trace_id);
  CHECK(ids.size() == traces);
}

TEST_CASE("a custom graph from names is walked along its calls") {
  ServiceGraph graph;
  REQUIRE(ServiceGraphFromNames({"edge", "api", "store"}, graph).ok());
  GeneratorOptions options;
  options.spans_per_trace = 12;
  TraceGenerator generator(graph, options);
  SpanBatch batch;
  generator.Generate(50, kNow, batch);
  std::set<std::string_view> services;
  for (const Span& span : batch.spans()) {
    services.insert(ServiceOf(batch, span));
    if (span.parent_span_id.empty()) CHECK(ServiceOf(batch, span) == "edge");
  }
  CHECK(services == std::set<std::string_view>{"edge", "api", "store"});
}

TEST_CASE("generator options out of range are refused with the flag's name") {
  GeneratorOptions options;
  options.spans_per_trace = 0.5;
  CHECK(ValidateGeneratorOptions(options).message().find("--spans-per-trace") != std::string::npos);
  options = {};
  options.error_rate = 2;
  CHECK(ValidateGeneratorOptions(options).message().find("--span.error-rate") != std::string::npos);
  CHECK(ValidateGeneratorOptions(GeneratorOptions{}).ok());
}

}  // namespace
}  // namespace ariadne::tracegen
