// Assertions shared by the Zipkin codec tests.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "test_support.h"
#include "tracecore/model.h"

namespace ariadne::testing::zipkin {

using tracecore::AnyValue;
using tracecore::Attribute;
using tracecore::Attributes;
using tracecore::Span;
using tracecore::SpanBatch;
using tracecore::SpanId;
using tracecore::SpanKind;
using tracecore::SpanStatusCode;
using tracecore::TraceId;
using tracecore::ValueType;

inline constexpr uint64_t kMicros = 1000;  // ns per µs

inline TraceId FixtureTraceId() {
  return *TraceId::FromHex("a1b2c3d4e5f607180000000000000001");
}
inline SpanId Id(std::string_view hex) {
  return *SpanId::FromHex(hex);
}

// The attribute `key` as a string; fails the test when absent or not a string.
inline std::string StringAttribute(const Attributes& attributes, std::string_view key) {
  const Attribute* attribute = tracecore::FindAttribute(attributes, key);
  INFO("attribute " << key);
  REQUIRE(attribute != nullptr);
  REQUIRE(attribute->value.type() == ValueType::kString);
  return std::string(attribute->value.string_value());
}

// Every attribute as (key, value-as-text) in order; strings unquoted, others tagged by type.
inline std::vector<std::pair<std::string, std::string>> Flatten(const Attributes& attributes) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Attribute& attribute : attributes) {
    const AnyValue& value = attribute.value;
    std::string text;
    switch (value.type()) {
      case ValueType::kString: text = std::string(value.string_value()); break;
      case ValueType::kBool: text = value.bool_value() ? "bool:true" : "bool:false"; break;
      case ValueType::kInt: text = "int:" + std::to_string(value.int_value()); break;
      case ValueType::kDouble: text = "double:" + std::to_string(value.double_value()); break;
      case ValueType::kBytes: text = "bytes:" + std::string(value.bytes_value()); break;
      default: text = "other"; break;
    }
    out.emplace_back(std::string(attribute.key), text);
  }
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

// The fixture trace as Zipkin carries it (tests/fixtures/wire/README.md): the OTel JS exporter
// wrote resource attributes into every span's tags, stringified typed attributes, dropped the
// scope, event attributes and links, and put the status into otel.status_code and error.
inline void ExpectFixtureBatch(const SpanBatch& batch) {
  constexpr uint64_t t0 = kFixtureT0Nanos;
  REQUIRE(batch.spans().size() == 4);
  REQUIRE(batch.resources().size() == 1);
  REQUIRE(batch.scopes().size() == 1);
  CHECK(Flatten(batch.resources()[0].attributes) ==
        Pairs{{"service.name", "frontend"}, {"host.name", "node-1"}, {"service.version", "1.2.3"}});
  CHECK(batch.scopes()[0].name.empty());
  CHECK(batch.scopes()[0].version.empty());
  for (const Span& span : batch.spans()) {
    CHECK(span.trace_id == FixtureTraceId());
    CHECK(span.resource_index == 0);
    CHECK(span.scope_index == 0);
    CHECK(span.flags == 1);  // sampled; not debug
    CHECK(span.links.empty());
    CHECK(span.trace_state.empty());
    for (const auto& event : span.events) CHECK(event.attributes.empty());
  }

  // The wire order: the exporter sent the root span last.
  const Span& redis = batch.spans()[0];
  CHECK(redis.span_id == Id("c0ffee0000000002"));
  CHECK(redis.parent_span_id == Id("c0ffee0000000001"));
  CHECK(redis.name == "redis GET");
  CHECK(redis.kind == SpanKind::kClient);
  CHECK(redis.start_time_unix_nano == t0 + 5 * kMillis);
  CHECK(redis.end_time_unix_nano == t0 + 12 * kMillis);
  CHECK(Flatten(redis.attributes) == Pairs{{"db.system", "redis"}, {"peer.service", "redis"}});
  REQUIRE(redis.events.size() == 1);
  CHECK(redis.events[0].name == "cache miss");
  CHECK(redis.events[0].time_unix_nano == t0 + 7 * kMillis);
  CHECK(redis.status.code == SpanStatusCode::kUnset);

  const Span& sql = batch.spans()[1];
  CHECK(sql.span_id == Id("c0ffee0000000003"));
  CHECK(sql.parent_span_id == Id("c0ffee0000000001"));
  CHECK(sql.name == "SQL SELECT");
  CHECK(sql.kind == SpanKind::kClient);
  CHECK(sql.start_time_unix_nano == t0 + 13 * kMillis);
  CHECK(sql.end_time_unix_nano == t0 + 21 * kMillis);
  CHECK(sql.attributes.empty());
  CHECK(sql.status.code == SpanStatusCode::kError);
  CHECK(sql.status.message == "connection reset");
  REQUIRE(sql.events.size() == 1);
  CHECK(sql.events[0].name == "exception");
  CHECK(sql.events[0].time_unix_nano == t0 + 20 * kMillis);

  const Span& publish = batch.spans()[2];
  CHECK(publish.span_id == Id("c0ffee0000000004"));
  CHECK(publish.parent_span_id == Id("c0ffee0000000001"));
  CHECK(publish.name == "async publish");
  CHECK(publish.kind == SpanKind::kProducer);
  CHECK(publish.start_time_unix_nano == t0 + 22 * kMillis);
  CHECK(publish.end_time_unix_nano == t0 + 25 * kMillis);
  CHECK(publish.attributes.empty());
  CHECK(publish.events.empty());
  CHECK(publish.status.code == SpanStatusCode::kUnset);

  const Span& root = batch.spans()[3];
  CHECK(root.span_id == Id("c0ffee0000000001"));
  CHECK(root.parent_span_id.empty());
  CHECK(root.name == "HTTP GET /dispatch");
  CHECK(root.kind == SpanKind::kServer);
  CHECK(root.start_time_unix_nano == t0);
  CHECK(root.end_time_unix_nano == t0 + 30 * kMillis);
  CHECK(Flatten(root.attributes) ==
        Pairs{{"http.method", "GET"},
              {"http.status_code", "200"},
              {"http.url", "http://frontend:8080/dispatch?customer=123"},
              {"sampled.bool", "true"},
              {"ratio.double", "0.25"},
              {"tags.array", "a,b"},
              {"unicode.str", "\xC5\xBC\xC3\xB3\xC5\x82w \xF0\x9F\x90\xA2"},
              {"big.int", "9007199254740991"}});
  CHECK(root.events.empty());
  CHECK(root.status.code == SpanStatusCode::kUnset);
}

// Two batches hold the same spans, resources and scopes (compared through the span's view of
// them, so that the numbering of resources and scopes may differ).
inline void ExpectSameSpans(const SpanBatch& expected, const SpanBatch& actual,
                            bool attribute_order_matters = true) {
  REQUIRE(expected.spans().size() == actual.spans().size());
  for (size_t i = 0; i < expected.spans().size(); ++i) {
    INFO("span " << i);
    const Span& e = expected.spans()[i];
    const Span& a = actual.spans()[i];
    CHECK(e.trace_id == a.trace_id);
    CHECK(e.span_id == a.span_id);
    CHECK(e.parent_span_id == a.parent_span_id);
    CHECK(e.name == a.name);
    CHECK(e.kind == a.kind);
    CHECK(e.flags == a.flags);
    CHECK(e.start_time_unix_nano == a.start_time_unix_nano);
    CHECK(e.end_time_unix_nano == a.end_time_unix_nano);
    CHECK(e.trace_state == a.trace_state);
    CHECK(e.status.code == a.status.code);
    CHECK(e.status.message == a.status.message);
    Pairs expected_attributes = Flatten(e.attributes);
    Pairs actual_attributes = Flatten(a.attributes);
    if (!attribute_order_matters) {
      std::sort(expected_attributes.begin(), expected_attributes.end());
      std::sort(actual_attributes.begin(), actual_attributes.end());
    }
    CHECK(expected_attributes == actual_attributes);
    REQUIRE(e.events.size() == a.events.size());
    for (size_t j = 0; j < e.events.size(); ++j) {
      CHECK(e.events[j].name == a.events[j].name);
      CHECK(e.events[j].time_unix_nano == a.events[j].time_unix_nano);
    }
    Pairs expected_resource = Flatten(expected.resource_of(e).attributes);
    Pairs actual_resource = Flatten(actual.resource_of(a).attributes);
    if (!attribute_order_matters) {
      std::sort(expected_resource.begin(), expected_resource.end());
      std::sort(actual_resource.begin(), actual_resource.end());
    }
    CHECK(expected_resource == actual_resource);
    CHECK(expected.scope_of(e).name == actual.scope_of(a).name);
    CHECK(expected.scope_of(e).version == actual.scope_of(a).version);
  }
}

}  // namespace ariadne::testing::zipkin
