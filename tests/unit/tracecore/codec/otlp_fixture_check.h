// The fixture trace (tests/fixtures/wire/README.md) as OTLP carries it, asserted field for field.
// Shared by the OTLP protobuf and OTLP/JSON decoder tests: both captures hold the same trace.
#pragma once

#include <catch2/catch.hpp>

#include "test_support.h"
#include "tracecore/model.h"
#include "tracecore/span_lookup.h"

namespace ariadne::testing {

// Every field the fixture README lists: resource, scope, ids, names, kinds, ns times, typed
// attributes (array, unicode, 2^53-1), events with attributes, the link, status, flags.
inline void CheckOtlpFixtureTrace(const tracecore::SpanBatch& batch) {
  using namespace tracecore;  // NOLINT(google-build-using-namespace): assertion brevity
  REQUIRE(batch.resources().size() == 1);
  const Resource& resource = batch.resources()[0];
  REQUIRE(resource.attributes.size() == 3);
  CHECK(resource.attributes[0].key == "service.name");
  CHECK(resource.attributes[0].value.string_value() == "frontend");
  CHECK(resource.attributes[1].key == "host.name");
  CHECK(resource.attributes[1].value.string_value() == "node-1");
  CHECK(resource.attributes[2].key == "service.version");
  CHECK(resource.attributes[2].value.string_value() == "1.2.3");
  CHECK(resource.dropped_attributes_count == 0);
  REQUIRE(batch.scopes().size() == 1);
  CHECK(batch.scopes()[0].name == "capture");
  CHECK(batch.scopes()[0].version == "1.0.0");

  REQUIRE(batch.spans().size() == 4);
  const TraceId trace_id{0xa1b2c3d4e5f60718ULL, 0x0000000000000001ULL};
  for (const Span& span : batch.spans()) {
    CHECK(span.trace_id == trace_id);
    CHECK(span.flags == 257);
    CHECK(span.resource_index == 0);
    CHECK(span.scope_index == 0);
    CHECK(span.trace_state.empty());
  }
  // The exporter's order: children first, the root last.
  CHECK(batch.spans()[0].span_id.value == 0xc0ffee0000000002ULL);
  CHECK(batch.spans()[3].span_id.value == 0xc0ffee0000000001ULL);

  const Span& root = FindSpan(batch, 0xc0ffee0000000001ULL);
  CHECK(root.parent_span_id.empty());
  CHECK(root.name == "HTTP GET /dispatch");
  CHECK(root.kind == SpanKind::kServer);
  CHECK(root.start_time_unix_nano == kFixtureT0Nanos);
  CHECK(root.end_time_unix_nano == kFixtureT0Nanos + 30 * kMillis);
  CHECK(root.status.code == SpanStatusCode::kUnset);
  CHECK(root.status.message.empty());
  REQUIRE(root.attributes.size() == 8);
  CHECK(Attr(root.attributes, "http.method") == AnyValue::String("GET"));
  CHECK(Attr(root.attributes, "http.status_code") == AnyValue::Int(200));
  CHECK(Attr(root.attributes, "http.url") ==
        AnyValue::String("http://frontend:8080/dispatch?customer=123"));
  CHECK(Attr(root.attributes, "sampled.bool") == AnyValue::Bool(true));
  CHECK(Attr(root.attributes, "ratio.double") == AnyValue::Double(0.25));
  const AnyValue& array = Attr(root.attributes, "tags.array");
  REQUIRE(array.type() == ValueType::kArray);
  REQUIRE(array.size() == 2);
  CHECK(array.array_begin()[0] == AnyValue::String("a"));
  CHECK(array.array_begin()[1] == AnyValue::String("b"));
  CHECK(Attr(root.attributes, "unicode.str") ==
        AnyValue::String("\xc5\xbc\xc3\xb3\xc5\x82w \xf0\x9f\x90\xa2"));
  CHECK(Attr(root.attributes, "big.int") == AnyValue::Int(9007199254740991LL));
  CHECK(root.events.empty());
  CHECK(root.links.empty());

  const Span& redis = FindSpan(batch, 0xc0ffee0000000002ULL);
  CHECK(redis.parent_span_id.value == 0xc0ffee0000000001ULL);
  CHECK(redis.name == "redis GET");
  CHECK(redis.kind == SpanKind::kClient);
  CHECK(redis.start_time_unix_nano == kFixtureT0Nanos + 5 * kMillis);
  CHECK(redis.end_time_unix_nano == kFixtureT0Nanos + 12 * kMillis);
  REQUIRE(redis.attributes.size() == 2);
  CHECK(Attr(redis.attributes, "db.system") == AnyValue::String("redis"));
  CHECK(Attr(redis.attributes, "peer.service") == AnyValue::String("redis"));
  REQUIRE(redis.events.size() == 1);
  CHECK(redis.events[0].name == "cache miss");
  CHECK(redis.events[0].time_unix_nano == kFixtureT0Nanos + 7 * kMillis);
  REQUIRE(redis.events[0].attributes.size() == 2);
  CHECK(Attr(redis.events[0].attributes, "cache.key") == AnyValue::String("customer:123"));
  CHECK(Attr(redis.events[0].attributes, "retry") == AnyValue::Int(2));
  CHECK(redis.status.code == SpanStatusCode::kUnset);

  const Span& sql = FindSpan(batch, 0xc0ffee0000000003ULL);
  CHECK(sql.parent_span_id.value == 0xc0ffee0000000001ULL);
  CHECK(sql.name == "SQL SELECT");
  CHECK(sql.kind == SpanKind::kClient);
  CHECK(sql.start_time_unix_nano == kFixtureT0Nanos + 13 * kMillis);
  CHECK(sql.end_time_unix_nano == kFixtureT0Nanos + 21 * kMillis);
  CHECK(sql.attributes.empty());
  CHECK(sql.status.code == SpanStatusCode::kError);
  CHECK(sql.status.message == "connection reset");
  REQUIRE(sql.events.size() == 1);
  CHECK(sql.events[0].name == "exception");
  CHECK(sql.events[0].time_unix_nano == kFixtureT0Nanos + 20 * kMillis);
  REQUIRE(sql.events[0].attributes.size() == 3);
  CHECK(Attr(sql.events[0].attributes, "exception.type") == AnyValue::String("IOError"));
  CHECK(Attr(sql.events[0].attributes, "exception.message") ==
        AnyValue::String("connection reset"));
  // Real newlines (JSON decoding unescapes them), and the first line of the trace.
  std::string_view stack = Attr(sql.events[0].attributes, "exception.stacktrace").string_value();
  CHECK(stack.rfind("IOError: connection reset\n    at makeSpans (", 0) == 0);
  CHECK(stack.find('\\') == std::string_view::npos);

  const Span& publish = FindSpan(batch, 0xc0ffee0000000004ULL);
  CHECK(publish.parent_span_id.value == 0xc0ffee0000000001ULL);
  CHECK(publish.name == "async publish");
  CHECK(publish.kind == SpanKind::kProducer);
  CHECK(publish.start_time_unix_nano == kFixtureT0Nanos + 22 * kMillis);
  CHECK(publish.end_time_unix_nano == kFixtureT0Nanos + 25 * kMillis);
  CHECK(publish.events.empty());
  REQUIRE(publish.links.size() == 1);
  CHECK(publish.links[0].trace_id == TraceId{0xffeeddccbbaa9988ULL, 0x7766554433221100ULL});
  CHECK(publish.links[0].span_id.value == 0xabcdef0123456789ULL);
  CHECK(publish.links[0].flags == 257);
  REQUIRE(publish.links[0].attributes.size() == 1);
  CHECK(Attr(publish.links[0].attributes, "link.kind") == AnyValue::String("batch"));
}

}  // namespace ariadne::testing
