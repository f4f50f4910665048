#include "tracecore/codec/es_span_document.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>

#include "test_support.h"
#include "tracecore/codec/otlp_json.h"
#include "tracecore/span_lookup.h"

namespace ariadne::tracecore {
namespace {

using ariadne::testing::Attr;
using ariadne::testing::kFixtureT0Nanos;
using ariadne::testing::kMillis;
using ariadne::testing::ReadWireFixture;
using simdjson::dom::element;

std::string EncodeDocument(const SpanBatch& batch, const Span& span,
                           const es::EncodeOptions& options) {
  std::string out;
  es::EncodeSpanDocument(batch, span, options, out);
  return out;
}

SpanBatch FixtureBatch(std::string& keep_alive) {
  keep_alive = ReadWireFixture("otlp-http-export-request.json");
  SpanBatch batch;
  REQUIRE(otlp::DecodeExportRequestJson(keep_alive, batch).ok());
  return batch;
}

es::EncodeOptions Options(es::ValueStyle style) {
  es::EncodeOptions options;
  options.value_style = style;
  return options;
}

// The fixture trace after model -> document -> model: everything Jaeger's document carries.
void CheckDecodedFixtureSpan(const SpanBatch& batch, const Span& span, const Span& original) {
  CHECK(span.trace_id == TraceId{0xa1b2c3d4e5f60718ULL, 1});
  CHECK(span.span_id == original.span_id);
  CHECK(span.parent_span_id == original.parent_span_id);
  CHECK(span.name == original.name);
  CHECK(span.kind == original.kind);
  CHECK(span.flags == 1);  // Jaeger keeps the low byte of 257
  CHECK(span.start_time_unix_nano == original.start_time_unix_nano);
  CHECK(span.end_time_unix_nano == original.end_time_unix_nano);
  CHECK(span.status.code == original.status.code);
  CHECK(span.status.message == original.status.message);
  CHECK(batch.scope_of(span).name == "capture");
  CHECK(batch.scope_of(span).version == "1.0.0");
  const Resource& resource = batch.resource_of(span);
  REQUIRE(resource.attributes.size() == 3);
  CHECK(resource.attributes[0] == Attribute{"service.name", AnyValue::String("frontend")});
  CHECK(resource.attributes[1] == Attribute{"host.name", AnyValue::String("node-1")});
  CHECK(resource.attributes[2] == Attribute{"service.version", AnyValue::String("1.2.3")});
  REQUIRE(span.attributes.size() == original.attributes.size());
  for (size_t i = 0; i < span.attributes.size(); ++i) {
    const Attribute& attribute = original.attributes[i];
    if (attribute.value.type() == ValueType::kArray) {
      // Jaeger has no arrays: they travel as JSON text.
      CHECK(span.attributes[i] == Attribute{attribute.key, AnyValue::String(R"(["a","b"])")});
    } else {
      CHECK(span.attributes[i] == attribute);
    }
  }
  REQUIRE(span.events.size() == original.events.size());
  for (size_t i = 0; i < span.events.size(); ++i) {
    CHECK(span.events[i].name == original.events[i].name);
    CHECK(span.events[i].time_unix_nano == original.events[i].time_unix_nano);
    CHECK(span.events[i].attributes == original.events[i].attributes);
  }
  REQUIRE(span.links.size() == original.links.size());
  for (size_t i = 0; i < span.links.size(); ++i) {
    CHECK(span.links[i].trace_id == original.links[i].trace_id);
    CHECK(span.links[i].span_id == original.links[i].span_id);
    // Link attributes other than the reference type are not Jaeger's.
    REQUIRE(span.links[i].attributes.size() == 1);
    CHECK(span.links[i].attributes[0] ==
          Attribute{"opentracing.ref_type", AnyValue::String("follows_from")});
  }
}

TEST_CASE("ES span document round trip of the fixture trace in both value styles") {
  std::string fixture;
  SpanBatch batch = FixtureBatch(fixture);
  for (es::ValueStyle style : {es::ValueStyle::kStrings, es::ValueStyle::kNative}) {
    INFO("style " << static_cast<int>(style));
    es::EncodeOptions options = Options(style);
    for (const Span& original : batch.spans()) {
      std::string document = EncodeDocument(batch, original, options);
      INFO(document);
      SpanBatch decoded;
      Status status = es::DecodeSpanDocument(document, decoded);
      INFO(status.message());
      REQUIRE(status.ok());
      REQUIRE(decoded.spans().size() == 1);
      REQUIRE(decoded.resources().size() == 1);
      CheckDecodedFixtureSpan(decoded, decoded.spans()[0], original);
      CHECK(EncodeDocument(decoded, decoded.spans()[0], options) == document);
    }
  }
}

TEST_CASE("ES span document round trip of the fixture trace with all tags as fields") {
  std::string fixture;
  SpanBatch batch = FixtureBatch(fixture);
  for (es::ValueStyle style : {es::ValueStyle::kStrings, es::ValueStyle::kNative}) {
    es::EncodeOptions options = Options(style);
    options.all_tags_as_fields = true;
    for (const Span& original : batch.spans()) {
      std::string document = EncodeDocument(batch, original, options);
      INFO(document);
      SpanBatch decoded;
      REQUIRE(es::DecodeSpanDocument(document, decoded).ok());
      const Span& span = decoded.spans()[0];
      // The special tags (span.kind, otel.*, error) travel in the tag object and still apply.
      CHECK(span.kind == original.kind);
      CHECK(span.status.code == original.status.code);
      CHECK(span.status.message == original.status.message);
      CHECK(decoded.scope_of(span).name == "capture");
      CHECK(span.parent_span_id == original.parent_span_id);
      CHECK(span.attributes.size() == original.attributes.size());
      CHECK(decoded.resources()[0].attributes.size() == 3);
      CHECK(EncodeDocument(decoded, span, options) == document);
    }
  }
}

TEST_CASE("ES span document of a fixture span has Jaeger v1's shape") {
  std::string fixture;
  SpanBatch batch = FixtureBatch(fixture);
  const Span* publish = nullptr;
  const Span* root = nullptr;
  for (const Span& span : batch.spans()) {
    if (span.span_id.value == 0xc0ffee0000000004ULL) publish = &span;
    if (span.span_id.value == 0xc0ffee0000000001ULL) root = &span;
  }
  REQUIRE(publish != nullptr);
  REQUIRE(root != nullptr);
  std::string document = EncodeDocument(batch, *publish, Options(es::ValueStyle::kStrings));
  INFO(document);
  simdjson::dom::parser parser;
  element doc = parser.parse(document);
  CHECK(std::string_view(doc["traceID"]) == "a1b2c3d4e5f607180000000000000001");
  CHECK(std::string_view(doc["spanID"]) == "c0ffee0000000004");
  CHECK(uint64_t(doc["flags"]) == 1);
  CHECK(std::string_view(doc["operationName"]) == "async publish");
  CHECK(uint64_t(doc["startTime"]) == (kFixtureT0Nanos + 22 * kMillis) / 1000);
  CHECK(uint64_t(doc["startTimeMillis"]) == (kFixtureT0Nanos + 22 * kMillis) / kMillis);
  CHECK(uint64_t(doc["duration"]) == 3000);
  REQUIRE(doc["references"].get_array().size() == 2);
  CHECK(std::string_view(doc["references"].at(0)["refType"]) == "CHILD_OF");
  CHECK(std::string_view(doc["references"].at(0)["spanID"]) == "c0ffee0000000001");
  CHECK(std::string_view(doc["references"].at(1)["refType"]) == "FOLLOWS_FROM");
  CHECK(std::string_view(doc["references"].at(1)["traceID"]) == "ffeeddccbbaa99887766554433221100");
  CHECK(std::string_view(doc["references"].at(1)["spanID"]) == "abcdef0123456789");
  CHECK(doc["tag"].error() == simdjson::NO_SUCH_FIELD);  // omitted when empty
  CHECK(doc["parentSpanID"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(std::string_view(doc["process"]["serviceName"]) == "frontend");
  CHECK(doc["process"]["tag"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(doc["logs"].get_array().size() == 0);

  // Every value of the root span's tags is a string in v1's style.
  std::string root_document = EncodeDocument(batch, *root, Options(es::ValueStyle::kStrings));
  CHECK(root_document.find(R"({"key":"http.status_code","type":"int64","value":"200"})") !=
        std::string::npos);
  CHECK(root_document.find(R"({"key":"sampled.bool","type":"bool","value":"true"})") !=
        std::string::npos);
  CHECK(root_document.find(R"({"key":"ratio.double","type":"float64","value":"0.25"})") !=
        std::string::npos);
  CHECK(root_document.find(R"({"key":"big.int","type":"int64","value":"9007199254740991"})") !=
        std::string::npos);
  CHECK(root_document.find(R"({"key":"tags.array","type":"string","value":"[\"a\",\"b\"]"})") !=
        std::string::npos);
  std::string native = EncodeDocument(batch, *root, Options(es::ValueStyle::kNative));
  CHECK(native.find(R"({"key":"http.status_code","type":"int64","value":200})") !=
        std::string::npos);
  CHECK(native.find(R"({"key":"sampled.bool","type":"bool","value":true})") != std::string::npos);
  CHECK(native.find(R"({"key":"ratio.double","type":"float64","value":0.25})") !=
        std::string::npos);
}

// A span with every Jaeger value type, for exact-format tests.
struct SmallSpan {
  SpanBatch batch;
  Span* span = nullptr;

  SmallSpan() {
    uint32_t resource = batch.AddResource();
    batch.resources()[resource].attributes.push_back({"service.name", AnyValue::String("svc")});
    batch.resources()[resource].attributes.push_back({"host.ip", AnyValue::String("10.0.0.1")});
    batch.resources()[resource].attributes.push_back({"cpu.count", AnyValue::Int(8)});
    span = &batch.AddSpan(resource, batch.AddScope());
    span->trace_id = {0, 0x1f};
    span->span_id = {0x2a};
    span->name = "op";
    span->start_time_unix_nano = 1500000000123456789ULL;
    span->end_time_unix_nano = 1500000000123456789ULL + 2500000;
  }

  void Add(std::string_view key, AnyValue value) const { span->attributes.push_back({key, value}); }
};

TEST_CASE("ES span document in v1's string style is exactly what Jaeger v1 writes") {
  SmallSpan small;
  small.span->flags = 3;
  small.span->parent_span_id = {1};
  small.span->kind = SpanKind::kClient;
  small.Add("s", AnyValue::String("x"));
  small.Add("b", AnyValue::Bool(false));
  small.Add("i", AnyValue::Int(-42));
  small.Add("f", AnyValue::Double(72.5));
  small.Add("bin", AnyValue::Bytes(std::string_view("\x00\x00\x30\x39", 4)));
  Event& event = small.span->events.emplace_back(small.batch.arena());
  event.time_unix_nano = 1500000000123999999ULL;
  event.name = "retry";
  event.attributes.push_back({"n", AnyValue::Int(2)});
  std::string document =
      EncodeDocument(small.batch, *small.span, Options(es::ValueStyle::kStrings));
  CHECK(
      document ==
      R"({"traceID":"000000000000001f","spanID":"000000000000002a","flags":3,"operationName":"op",)"
      R"("references":[{"refType":"CHILD_OF","traceID":"000000000000001f","spanID":"0000000000000001"}],)"
      R"("startTime":1500000000123456,"startTimeMillis":1500000000123,"duration":2500,)"
      R"("tags":[{"key":"s","type":"string","value":"x"},{"key":"b","type":"bool","value":"false"},)"
      R"({"key":"i","type":"int64","value":"-42"},{"key":"f","type":"float64","value":"72.5"},)"
      R"({"key":"bin","type":"binary","value":"00003039"},)"
      R"({"key":"span.kind","type":"string","value":"client"}],)"
      R"("logs":[{"timestamp":1500000000123999,"fields":[{"key":"event","type":"string","value":"retry"},)"
      R"({"key":"n","type":"int64","value":"2"}]}],)"
      R"("process":{"serviceName":"svc","tags":[{"key":"host.ip","type":"string","value":"10.0.0.1"},)"
      R"({"key":"cpu.count","type":"int64","value":"8"}]}})");
}

// The text of the "value" of tag "x" in a document of one span.
std::string ValueText(const AnyValue& value, es::ValueStyle style) {
  SmallSpan small;
  small.Add("x", value);
  std::string document = EncodeDocument(small.batch, *small.span, Options(style));
  std::string_view marker = R"({"key":"x",)";
  size_t start = document.find(marker);
  REQUIRE(start != std::string::npos);
  size_t value_start = document.find("\"value\":", start) + 8;
  return document.substr(value_start, document.find('}', value_start) - value_start);
}

TEST_CASE("ES span document floats: Go's %g with 10 digits in v1's style, exact in native style") {
  using es::ValueStyle;
  CHECK(ValueText(AnyValue::Double(0.1 + 0.2), ValueStyle::kStrings) == "\"0.3\"");
  CHECK(ValueText(AnyValue::Double(0.1 + 0.2), ValueStyle::kNative) == "0.30000000000000004");
  CHECK(ValueText(AnyValue::Double(100), ValueStyle::kStrings) == "\"100\"");
  CHECK(ValueText(AnyValue::Double(100), ValueStyle::kNative) == "100");
  CHECK(ValueText(AnyValue::Double(1234567890123.0), ValueStyle::kStrings) == "\"1.23456789e+12\"");
  CHECK(ValueText(AnyValue::Double(1234567890.0), ValueStyle::kStrings) == "\"1234567890\"");
  CHECK(ValueText(AnyValue::Double(12345678901.0), ValueStyle::kStrings) == "\"1.23456789e+10\"");
  CHECK(ValueText(AnyValue::Double(0.00001), ValueStyle::kStrings) == "\"1e-05\"");
  CHECK(ValueText(AnyValue::Double(0.0001), ValueStyle::kStrings) == "\"0.0001\"");
  CHECK(ValueText(AnyValue::Double(1.0 / 3), ValueStyle::kStrings) == "\"0.3333333333\"");
  CHECK(ValueText(AnyValue::Double(1e-7), ValueStyle::kNative) == "1e-7");
  CHECK(ValueText(AnyValue::Double(std::numeric_limits<double>::quiet_NaN()),
                  ValueStyle::kStrings) == "\"NaN\"");
  CHECK(ValueText(AnyValue::Double(std::numeric_limits<double>::infinity()),
                  ValueStyle::kStrings) == "\"+Inf\"");
  CHECK(ValueText(AnyValue::Double(-std::numeric_limits<double>::infinity()),
                  ValueStyle::kNative) == "\"-Inf\"");
  CHECK(ValueText(AnyValue::Int(std::numeric_limits<int64_t>::min()), ValueStyle::kNative) ==
        "-9223372036854775808");
  CHECK(ValueText(AnyValue::Bytes("\xff"), ValueStyle::kNative) == "\"ff\"");
  CHECK(ValueText(AnyValue::Bool(true), ValueStyle::kNative) == "true");
}

TEST_CASE("ES span document native style round trip keeps values exactly") {
  SmallSpan small;
  small.Add("third", AnyValue::Double(1.0 / 3));
  small.Add("tiny", AnyValue::Double(5e-324));
  small.Add("whole", AnyValue::Double(2));
  small.Add("nan", AnyValue::Double(std::numeric_limits<double>::quiet_NaN()));
  small.Add("inf", AnyValue::Double(-std::numeric_limits<double>::infinity()));
  small.Add("max", AnyValue::Int(std::numeric_limits<int64_t>::max()));
  small.Add("min", AnyValue::Int(std::numeric_limits<int64_t>::min()));
  small.Add("bin", AnyValue::Bytes(std::string_view("\x00\x01\xfe", 3)));
  small.Add("utf8", AnyValue::String("\xc5\xbc\xc3\xb3\xc5\x82w \"quoted\"\n"));
  for (es::ValueStyle style : {es::ValueStyle::kNative, es::ValueStyle::kStrings}) {
    std::string document = EncodeDocument(small.batch, *small.span, Options(style));
    INFO(document);
    SpanBatch decoded;
    Status status = es::DecodeSpanDocument(document, decoded);
    INFO(status.message());
    REQUIRE(status.ok());
    const Attributes& attributes = decoded.spans()[0].attributes;
    REQUIRE(attributes.size() == small.span->attributes.size());
    if (style == es::ValueStyle::kNative) {
      CHECK(Attr(attributes, "third") == AnyValue::Double(1.0 / 3));
      CHECK(Attr(attributes, "tiny") == AnyValue::Double(5e-324));
    } else {
      CHECK(Attr(attributes, "third") == AnyValue::Double(0.3333333333));  // v1's 10 digits
      CHECK(Attr(attributes, "tiny") == AnyValue::Double(4.940656458e-324));
    }
    CHECK(Attr(attributes, "whole") == AnyValue::Double(2));
    CHECK(std::isnan(Attr(attributes, "nan").double_value()));
    CHECK(Attr(attributes, "inf") == AnyValue::Double(-std::numeric_limits<double>::infinity()));
    CHECK(Attr(attributes, "max") == AnyValue::Int(std::numeric_limits<int64_t>::max()));
    CHECK(Attr(attributes, "min") == AnyValue::Int(std::numeric_limits<int64_t>::min()));
    CHECK(Attr(attributes, "bin") == AnyValue::Bytes(std::string_view("\x00\x01\xfe", 3)));
    CHECK(Attr(attributes, "utf8") == small.span->attributes.back().value);
    const Resource& resource = decoded.resources()[0];
    REQUIRE(resource.attributes.size() == 3);
    CHECK(Attr(resource.attributes, "cpu.count") == AnyValue::Int(8));
  }
}

TEST_CASE(
    "ES span document tags-as-fields: all, include list, dot replacement, binary stays nested") {
  SmallSpan small;
  small.Add("http.status_code", AnyValue::Int(503));
  small.Add("peer.service", AnyValue::String("db"));
  small.Add("cache.hit", AnyValue::Bool(true));
  small.Add("load.avg", AnyValue::Double(2));
  small.Add("payload", AnyValue::Bytes("\x01"));
  small.Add("a.dup", AnyValue::String("first"));
  small.Add("a.dup", AnyValue::String("last"));

  SECTION("all tags") {
    es::EncodeOptions options;
    options.all_tags_as_fields = true;
    std::string document = EncodeDocument(small.batch, *small.span, options);
    INFO(document);
    // Sorted keys, native values, floats keep a float form, the last duplicate wins.
    CHECK(document.find(R"("tags":[{"key":"payload","type":"binary","value":"01"}],)"
                        R"("tag":{"a@dup":"last","cache@hit":true,"http@status_code":503,)"
                        R"("load@avg":2.0,"peer@service":"db"},"logs":[])") != std::string::npos);
    CHECK(document.find(R"("process":{"serviceName":"svc","tags":[],)"
                        R"("tag":{"cpu@count":8,"host@ip":"10.0.0.1"}})") != std::string::npos);
    SpanBatch decoded;
    Status status = es::DecodeSpanDocument(document, decoded);
    INFO(status.message());
    REQUIRE(status.ok());
    const Span& span = decoded.spans()[0];
    REQUIRE(span.attributes.size() == 6);
    CHECK(span.attributes[0] == Attribute{"payload", AnyValue::Bytes("\x01")});  // nested first
    CHECK(Attr(span.attributes, "http.status_code") == AnyValue::Int(503));
    CHECK(Attr(span.attributes, "peer.service") == AnyValue::String("db"));
    CHECK(Attr(span.attributes, "cache.hit") == AnyValue::Bool(true));
    CHECK(Attr(span.attributes, "load.avg") == AnyValue::Double(2));
    CHECK(Attr(span.attributes, "a.dup") == AnyValue::String("last"));
    const Resource& resource = decoded.resources()[0];
    REQUIRE(resource.attributes.size() == 3);
    CHECK(resource.attributes[0] == Attribute{"service.name", AnyValue::String("svc")});
    CHECK(Attr(resource.attributes, "cpu.count") == AnyValue::Int(8));
    CHECK(Attr(resource.attributes, "host.ip") == AnyValue::String("10.0.0.1"));
  }

  SECTION("an include list and another replacement") {
    es::EncodeOptions options;
    options.value_style = es::ValueStyle::kNative;
    options.tags_as_fields = {"http.status_code", "host.ip", "payload"};
    options.dot_replacement = "__";
    std::string document = EncodeDocument(small.batch, *small.span, options);
    INFO(document);
    CHECK(document.find(R"("tag":{"http__status_code":503})") != std::string::npos);
    CHECK(document.find(R"({"key":"payload","type":"binary","value":"01"})") != std::string::npos);
    CHECK(document.find(R"({"key":"peer.service","type":"string","value":"db"})") !=
          std::string::npos);
    CHECK(document.find(R"("tag":{"host__ip":"10.0.0.1"})") != std::string::npos);
    es::DecodeOptions decode_options;
    decode_options.dot_replacement = "__";
    SpanBatch decoded;
    REQUIRE(es::DecodeSpanDocument(document, decode_options, decoded).ok());
    const Span& span = decoded.spans()[0];
    REQUIRE(span.attributes.size() == 7);
    CHECK(span.attributes.back() == Attribute{"http.status_code", AnyValue::Int(503)});
    CHECK(Attr(decoded.resources()[0].attributes, "host.ip") == AnyValue::String("10.0.0.1"));
    // With the default replacement the key is kept as written.
    SpanBatch other;
    REQUIRE(es::DecodeSpanDocument(document, other).ok());
    CHECK(other.spans()[0].attributes.back().key == "http__status_code");
  }
}

// A document in the exact shape Jaeger v1's ES writer produces (every value a string, the parent
// as a CHILD_OF reference, tags-as-fields with '@').
constexpr char kV1Document[] = R"({
  "traceID": "a1b2c3d4e5f607180000000000000001",
  "spanID": "c0ffee0000000004",
  "flags": 1,
  "operationName": "async publish",
  "references": [
    {"refType": "CHILD_OF", "traceID": "a1b2c3d4e5f607180000000000000001", "spanID": "c0ffee0000000001"},
    {"refType": "FOLLOWS_FROM", "traceID": "ffeeddccbbaa99887766554433221100", "spanID": "abcdef0123456789"}
  ],
  "startTime": 1764240000022000,
  "startTimeMillis": 1764240000022,
  "duration": 3000,
  "tags": [
    {"key": "otel.scope.name", "type": "string", "value": "capture"},
    {"key": "otel.scope.version", "type": "string", "value": "1.0.0"},
    {"key": "messaging.system", "type": "string", "value": "kafka"},
    {"key": "retries", "type": "int64", "value": "3"},
    {"key": "payload.ratio", "type": "float64", "value": "0.3333333333"},
    {"key": "cached", "type": "bool", "value": "false"},
    {"key": "blob", "type": "binary", "value": "00003039"},
    {"key": "span.kind", "type": "string", "value": "producer"},
    {"key": "otel.status_code", "type": "string", "value": "ERROR"},
    {"key": "error", "type": "bool", "value": "true"},
    {"key": "otel.status_description", "type": "string", "value": "broker unavailable"},
    {"key": "w3c.tracestate", "type": "string", "value": "vendor=1"}
  ],
  "tag": {"http@status_code": 503, "peer@service": "kafka", "sampled": true, "load": 0.75},
  "logs": [
    {"timestamp": 1764240000023000, "fields": [
      {"key": "event", "type": "string", "value": "retry"},
      {"key": "attempt", "type": "int64", "value": "2"}
    ]},
    {"timestamp": 1764240000024000, "fields": [
      {"key": "message", "type": "string", "value": "giving up"}
    ]}
  ],
  "process": {
    "serviceName": "frontend",
    "tags": [
      {"key": "host.name", "type": "string", "value": "node-1"},
      {"key": "jaeger.version", "type": "string", "value": "Go-2.30.0"}
    ],
    "tag": {"service@version": "1.2.3"}
  }
})";

TEST_CASE("ES span document written by Jaeger v1 decodes into the model") {
  SpanBatch batch;
  Status status = es::DecodeSpanDocument(kV1Document, batch);
  INFO(status.message());
  REQUIRE(status.ok());
  REQUIRE(batch.spans().size() == 1);
  const Span& span = batch.spans()[0];
  CHECK(span.trace_id == TraceId{0xa1b2c3d4e5f60718ULL, 1});
  CHECK(span.span_id == SpanId{0xc0ffee0000000004ULL});
  CHECK(span.parent_span_id == SpanId{0xc0ffee0000000001ULL});  // the CHILD_OF reference
  CHECK(span.flags == 1);
  CHECK(span.name == "async publish");
  CHECK(span.kind == SpanKind::kProducer);
  CHECK(span.start_time_unix_nano == kFixtureT0Nanos + 22 * kMillis);
  CHECK(span.end_time_unix_nano == kFixtureT0Nanos + 25 * kMillis);
  CHECK(span.status.code == SpanStatusCode::kError);
  CHECK(span.status.message == "broker unavailable");
  CHECK(span.trace_state == "vendor=1");
  CHECK(batch.scope_of(span).name == "capture");
  CHECK(batch.scope_of(span).version == "1.0.0");
  REQUIRE(span.attributes.size() == 9);
  CHECK(span.attributes[0] == Attribute{"messaging.system", AnyValue::String("kafka")});
  CHECK(span.attributes[1] == Attribute{"retries", AnyValue::Int(3)});
  CHECK(span.attributes[2] == Attribute{"payload.ratio", AnyValue::Double(0.3333333333)});
  CHECK(span.attributes[3] == Attribute{"cached", AnyValue::Bool(false)});
  CHECK(span.attributes[4] ==
        Attribute{"blob", AnyValue::Bytes(std::string_view("\x00\x00\x30\x39", 4))});
  // Tags-as-fields follow, typed by their JSON type, '@' turned back into '.'.
  CHECK(span.attributes[5] == Attribute{"http.status_code", AnyValue::Int(503)});
  CHECK(span.attributes[6] == Attribute{"peer.service", AnyValue::String("kafka")});
  CHECK(span.attributes[7] == Attribute{"sampled", AnyValue::Bool(true)});
  CHECK(span.attributes[8] == Attribute{"load", AnyValue::Double(0.75)});
  REQUIRE(span.events.size() == 2);
  CHECK(span.events[0].name == "retry");
  CHECK(span.events[0].time_unix_nano == kFixtureT0Nanos + 23 * kMillis);
  REQUIRE(span.events[0].attributes.size() == 1);
  CHECK(span.events[0].attributes[0] == Attribute{"attempt", AnyValue::Int(2)});
  CHECK(span.events[1].name.empty());
  CHECK(span.events[1].attributes[0] == Attribute{"message", AnyValue::String("giving up")});
  REQUIRE(span.links.size() == 1);
  CHECK(span.links[0].trace_id == TraceId{0xffeeddccbbaa9988ULL, 0x7766554433221100ULL});
  CHECK(span.links[0].span_id == SpanId{0xabcdef0123456789ULL});
  CHECK(span.links[0].attributes[0] ==
        Attribute{"opentracing.ref_type", AnyValue::String("follows_from")});
  REQUIRE(batch.resources().size() == 1);
  const Attributes& process = batch.resources()[0].attributes;
  REQUIRE(process.size() == 4);
  CHECK(process[0] == Attribute{"service.name", AnyValue::String("frontend")});
  CHECK(process[1] == Attribute{"host.name", AnyValue::String("node-1")});
  CHECK(process[2] == Attribute{"jaeger.version", AnyValue::String("Go-2.30.0")});
  CHECK(process[3] == Attribute{"service.version", AnyValue::String("1.2.3")});
}

TEST_CASE(
    "ES span document written by Jaeger v2 (native values, parentSpanID) decodes into the model") {
  constexpr char kV2Document[] =
      R"({"traceID":"00000000000000000000000000000abc","spanID":"0000000000000002",
    "parentSpanID":"0000000000000001","flags":1,"operationName":"GET /x",
    "references":[{"refType":"CHILD_OF","traceID":"00000000000000000000000000000abc","spanID":"0000000000000001"}],
    "startTime":1000,"startTimeMillis":1,"duration":5,
    "tags":[{"key":"http.status_code","type":"int64","value":200},{"key":"ok","type":"bool","value":true},
      {"key":"ratio","type":"float64","value":0.1},{"key":"whole","type":"float64","value":2},
      {"key":"as.float","type":"int64","value":7.0},
      {"key":"big","type":"int64","value":9223372036854775807},{"key":"b","type":"binary","value":"FF00"},
      {"key":"span.kind","type":"string","value":"server"},{"key":"error","type":"bool","value":true}],
    "logs":null,"process":{"serviceName":"svc","tags":null},"@timestamp":"1000000"})";
  SpanBatch batch;
  Status status = es::DecodeSpanDocument(kV2Document, batch);
  INFO(status.message());
  REQUIRE(status.ok());
  const Span& span = batch.spans()[0];
  CHECK(span.trace_id == TraceId{0, 0xabc});
  CHECK(span.parent_span_id == SpanId{1});
  CHECK(span.links.empty());  // the parent's compatibility reference is not a link
  CHECK(span.kind == SpanKind::kServer);
  CHECK(span.status.code == SpanStatusCode::kError);
  CHECK(span.status.message.empty());
  CHECK(span.start_time_unix_nano == 1000000);
  CHECK(span.end_time_unix_nano == 1005000);
  CHECK(span.events.empty());
  REQUIRE(span.attributes.size() == 7);
  CHECK(span.attributes[0] == Attribute{"http.status_code", AnyValue::Int(200)});
  CHECK(span.attributes[1] == Attribute{"ok", AnyValue::Bool(true)});
  CHECK(span.attributes[2] == Attribute{"ratio", AnyValue::Double(0.1)});
  CHECK(span.attributes[3] == Attribute{"whole", AnyValue::Double(2)});
  CHECK(span.attributes[4] == Attribute{"as.float", AnyValue::Int(7)});
  CHECK(span.attributes[5] == Attribute{"big", AnyValue::Int(std::numeric_limits<int64_t>::max())});
  CHECK(span.attributes[6] == Attribute{"b", AnyValue::Bytes(std::string_view("\xff\x00", 2))});
  REQUIRE(batch.resources()[0].attributes.size() == 1);
  CHECK(batch.resources()[0].ServiceName() == "svc");
}

TEST_CASE(
    "ES span document decoder accepts Jaeger's legacy short ids and Go's bool/float spellings") {
  constexpr char kDocument[] =
      R"({"traceID":"1","spanID":"2","operationName":"x","startTime":0,"duration":0,
    "references":[{"refType":"CHILD_OF","traceID":"1","spanID":"ff"}],
    "tags":[{"key":"a","type":"bool","value":"T"},{"key":"b","type":"bool","value":"0"},
      {"key":"c","type":"float64","value":"+Inf"},{"key":"d","type":"float64","value":"-1e3"},
      {"key":"e","type":"int64","value":"+12"},{"key":"f","type":"float64","value":"NaN"}],
    "process":{"serviceName":""}})";
  SpanBatch batch;
  Status status = es::DecodeSpanDocument(kDocument, batch);
  INFO(status.message());
  REQUIRE(status.ok());
  const Span& span = batch.spans()[0];
  CHECK(span.trace_id == TraceId{0, 1});
  CHECK(span.span_id == SpanId{2});
  CHECK(span.parent_span_id == SpanId{0xff});
  CHECK(Attr(span.attributes, "a") == AnyValue::Bool(true));
  CHECK(Attr(span.attributes, "b") == AnyValue::Bool(false));
  CHECK(Attr(span.attributes, "c") == AnyValue::Double(std::numeric_limits<double>::infinity()));
  CHECK(Attr(span.attributes, "d") == AnyValue::Double(-1000));
  CHECK(Attr(span.attributes, "e") == AnyValue::Int(12));
  CHECK(std::isnan(Attr(span.attributes, "f").double_value()));
  // An empty service name is kept (the sanitizer tells it from a missing one); no other tags.
  REQUIRE(batch.resources()[0].attributes.size() == 1);
  CHECK(batch.resources()[0].attributes[0] == Attribute{"service.name", AnyValue::String("")});
}

struct BadDocument {
  std::string json;
  std::string message;  // expected Status message; empty: any
};

std::string WithTags(std::string_view tags) {
  return std::string(R"({"traceID":"1","spanID":"2","tags":)") + std::string(tags) + "}";
}

TEST_CASE(
    "ES span document decoder rejects bad input, names the place, and leaves the batch as it was") {
  const std::vector<BadDocument> cases = {
      {"", "es span document: invalid JSON: Empty: no JSON found"},
      {"{", ""},
      {"[]", "es span document: expected a JSON object"},
      {R"({"traceID":"1","spanID":"2"} x)", ""},
      {R"({"traceID":"1","spanID":"2"} {})",
       "es span document: unexpected content after the object"},
      {R"({"spanID":"2"})", "es span document: traceID: missing"},
      {R"({"traceID":"1"})", "es span document: spanID: missing"},
      {R"({"traceID":"xyz","spanID":"2"})",
       "es span document: traceID: expected 1 to 32 hex chars"},
      {R"({"traceID":"","spanID":"2"})", "es span document: traceID: expected 1 to 32 hex chars"},
      {R"({"traceID":"123456789012345678901234567890123","spanID":"2"})",
       "es span document: traceID: expected 1 to 32 hex chars"},
      {R"({"traceID":"1","spanID":"00000000000000001"})",
       "es span document: spanID: expected 1 to 16 hex chars"},
      {R"({"traceID":"1","spanID":2})", "es span document: spanID: expected a string"},
      {R"({"traceID":"1","spanID":"2","parentSpanID":"q"})",
       "es span document: parentSpanID: expected 1 to 16 hex chars"},
      {R"({"traceID":"1","spanID":"2","flags":-1})",
       "es span document: flags: expected an unsigned integer"},
      {R"({"traceID":"1","spanID":"2","flags":4294967296})",
       "es span document: flags: expected an unsigned 32-bit integer"},
      {R"({"traceID":"1","spanID":"2","startTime":"5"})",
       "es span document: startTime: expected an unsigned integer"},
      {R"({"traceID":"1","spanID":"2","startTime":18446744073709552})",
       "es span document: startTime: microseconds out of range"},
      {R"({"traceID":"1","spanID":"2","startTime":18446744073709550,"duration":1000})",
       "es span document: startTime + duration out of range"},
      {R"({"traceID":"1","spanID":"2","references":[{"refType":"PARENT","traceID":"1","spanID":"3"}]})",
       "es span document: references[0].refType: expected CHILD_OF or FOLLOWS_FROM"},
      {R"({"traceID":"1","spanID":"2","references":[{"refType":"CHILD_OF","spanID":"3"}]})",
       "es span document: references[0].traceID: missing"},
      {R"({"traceID":"1","spanID":"2","references":{}})",
       "es span document: references: expected an array"},
      {WithTags(R"([{"key":"a","type":"int64","value":"12a"}])"),
       "es span document: tags[0].value: expected an int64"},
      {WithTags(R"([{"key":"a","type":"int64","value":1.5}])"),
       "es span document: tags[0].value: expected an int64"},
      {WithTags(R"([{"key":"a","type":"int64","value":true}])"),
       "es span document: tags[0].value: expected an int64"},
      {WithTags(R"([{"key":"a","type":"bool","value":"yes"}])"),
       "es span document: tags[0].value: expected a bool"},
      {WithTags(R"([{"key":"a","type":"float64","value":"1,5"}])"),
       "es span document: tags[0].value: expected a float64"},
      {WithTags(R"([{"key":"a","type":"binary","value":"abc"}])"),
       "es span document: tags[0].value: expected hex"},
      {WithTags(R"([{"key":"a","type":"string","value":5}])"),
       "es span document: tags[0].value: expected a string"},
      {WithTags(R"([{"key":"a","type":"string","value":[]}])"),
       "es span document: tags[0].value: expected a string, number or bool"},
      {WithTags(R"([{"key":"a","type":"map","value":"x"}])"),
       "es span document: tags[0].type: expected string, bool, int64, float64 or binary"},
      {WithTags(R"([{"key":"a","value":"x"}])"), "es span document: tags[0].type: missing"},
      {WithTags(R"([{"key":"a","type":"string","value":null}])"),
       "es span document: tags[0].value: missing"},
      {WithTags(R"([{"key":7,"type":"string","value":"x"}])"),
       "es span document: tags[0].key: expected a string"},
      {WithTags(R"([{"key":"a","type":"string","value":"\ud800"}])"), ""},
      {WithTags("[{\"key\":\"a\",\"type\":\"string\",\"value\":\"\xc3\x28\"}]"), ""},
      {R"({"traceID":"1","spanID":"2","tag":{"a":{}}})",
       "es span document: tag.a: expected a string, number or bool"},
      {R"({"traceID":"1","spanID":"2","logs":[{"timestamp":1,"fields":[{"key":"a","type":"bool","value":"2"}]}]})",
       "es span document: logs[0].fields[0].value: expected a bool"},
      {R"({"traceID":"1","spanID":"2","process":{"tags":[{"key":"a","type":"int64","value":"x"}]}})",
       "es span document: process.tags[0].value: expected an int64"},
      {R"({"traceID":"1","spanID":"2","process":{"serviceName":1}})",
       "es span document: process.serviceName: expected a string"},
      {R"({"traceID":"1","spanID":"2","process":"svc"})",
       "es span document: process: expected an object"},
  };
  std::string fixture;
  SpanBatch batch = FixtureBatch(fixture);
  const size_t resources = batch.resources().size();
  const size_t scopes = batch.scopes().size();
  const size_t spans = batch.spans().size();
  for (const BadDocument& bad : cases) {
    INFO(bad.json);
    Status status = es::DecodeSpanDocument(bad.json, batch);
    REQUIRE_FALSE(status.ok());
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.message().rfind("es span document: ", 0) == 0);
    if (!bad.message.empty()) CHECK(status.message() == bad.message);
    CHECK(batch.resources().size() == resources);
    CHECK(batch.scopes().size() == scopes);
    CHECK(batch.spans().size() == spans);
  }
}

TEST_CASE("ES span document decoder fails on every truncation and survives mutations") {
  std::string document(kV1Document);
  size_t content = document.find_last_not_of(" \n") + 1;
  for (size_t length = 0; length < content; ++length) {
    SpanBatch batch;
    INFO("length " << length);
    CHECK_FALSE(es::DecodeSpanDocument(std::string_view(document).substr(0, length), batch).ok());
  }
  std::mt19937 random(777);
  es::EncodeOptions options;
  options.all_tags_as_fields = true;
  for (int round = 0; round < 2000; ++round) {
    std::string input = document;
    int edits = 1 + static_cast<int>(random() % 6);
    for (int e = 0; e < edits; ++e) {
      size_t at = random() % input.size();
      switch (random() % 3) {
        case 0: input[at] = static_cast<char>(random()); break;
        case 1: input.erase(at, 1 + random() % 12); break;
        default: input.insert(at, 1, "{}[],:\"\\0e-@."[random() % 14]); break;
      }
      if (input.empty()) input = "{";
    }
    SpanBatch batch;
    if (es::DecodeSpanDocument(input, batch).ok()) {
      for (es::ValueStyle style : {es::ValueStyle::kStrings, es::ValueStyle::kNative}) {
        options.value_style = style;
        std::string encoded = EncodeDocument(batch, batch.spans()[0], options);
        SpanBatch again;
        CHECK(es::DecodeSpanDocument(encoded, again).ok());
      }
    }
  }
}

}  // namespace
}  // namespace ariadne::tracecore
