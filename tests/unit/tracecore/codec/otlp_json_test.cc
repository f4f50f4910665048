#include "tracecore/codec/otlp_json.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "otlp_fixture_check.h"
#include "test_support.h"
#include "tracecore/span_lookup.h"

#if __has_include("tracecore/codec/otlp_proto.h")
#define ARIADNE_HAVE_OTLP_PROTO 1
#include "tracecore/codec/otlp_proto.h"
#endif
#if defined(ARIADNE_HAVE_OTLP_PROTO) && \
    __has_include("opentelemetry/proto/collector/trace/v1/trace_service.pb.h")
#define ARIADNE_HAVE_LIBPROTOBUF 1
#include <google/protobuf/util/message_differencer.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#endif

namespace ariadne::tracecore {
namespace {

using ariadne::testing::Attr;
using ariadne::testing::CheckOtlpFixtureTrace;
using ariadne::testing::FindSpan;
using ariadne::testing::kFixtureT0Nanos;
using ariadne::testing::kMillis;
using ariadne::testing::ReadWireFixture;

constexpr char kFixture[] = "otlp-http-export-request.json";

Status Decode(std::string_view json, SpanBatch& batch) {
  return otlp::DecodeExportRequestJson(json, batch);
}

std::string Encode(const SpanBatch& batch) {
  std::string out;
  otlp::EncodeExportRequestJson(batch, out);
  return out;
}

// Deep, field-for-field equality of two batches (resources, scopes, spans, in order).
void CheckSameBatch(const SpanBatch& a, const SpanBatch& b) {
  REQUIRE(a.resources().size() == b.resources().size());
  for (size_t i = 0; i < a.resources().size(); ++i) {
    INFO("resource " << i);
    CHECK(a.resources()[i].attributes == b.resources()[i].attributes);
    CHECK(a.resources()[i].dropped_attributes_count == b.resources()[i].dropped_attributes_count);
    CHECK(a.resources()[i].schema_url == b.resources()[i].schema_url);
  }
  REQUIRE(a.scopes().size() == b.scopes().size());
  for (size_t i = 0; i < a.scopes().size(); ++i) {
    INFO("scope " << i);
    CHECK(a.scopes()[i].name == b.scopes()[i].name);
    CHECK(a.scopes()[i].version == b.scopes()[i].version);
    CHECK(a.scopes()[i].attributes == b.scopes()[i].attributes);
    CHECK(a.scopes()[i].dropped_attributes_count == b.scopes()[i].dropped_attributes_count);
    CHECK(a.scopes()[i].schema_url == b.scopes()[i].schema_url);
  }
  REQUIRE(a.spans().size() == b.spans().size());
  for (size_t i = 0; i < a.spans().size(); ++i) {
    INFO("span " << i);
    const Span& x = a.spans()[i];
    const Span& y = b.spans()[i];
    CHECK(x.trace_id == y.trace_id);
    CHECK(x.span_id == y.span_id);
    CHECK(x.parent_span_id == y.parent_span_id);
    CHECK(x.trace_state == y.trace_state);
    CHECK(x.name == y.name);
    CHECK(x.kind == y.kind);
    CHECK(x.flags == y.flags);
    CHECK(x.start_time_unix_nano == y.start_time_unix_nano);
    CHECK(x.end_time_unix_nano == y.end_time_unix_nano);
    CHECK(x.attributes == y.attributes);
    CHECK(x.dropped_attributes_count == y.dropped_attributes_count);
    REQUIRE(x.events.size() == y.events.size());
    for (size_t e = 0; e < x.events.size(); ++e) {
      CHECK(x.events[e].time_unix_nano == y.events[e].time_unix_nano);
      CHECK(x.events[e].name == y.events[e].name);
      CHECK(x.events[e].attributes == y.events[e].attributes);
      CHECK(x.events[e].dropped_attributes_count == y.events[e].dropped_attributes_count);
    }
    CHECK(x.dropped_events_count == y.dropped_events_count);
    REQUIRE(x.links.size() == y.links.size());
    for (size_t l = 0; l < x.links.size(); ++l) {
      CHECK(x.links[l].trace_id == y.links[l].trace_id);
      CHECK(x.links[l].span_id == y.links[l].span_id);
      CHECK(x.links[l].trace_state == y.links[l].trace_state);
      CHECK(x.links[l].attributes == y.links[l].attributes);
      CHECK(x.links[l].dropped_attributes_count == y.links[l].dropped_attributes_count);
      CHECK(x.links[l].flags == y.links[l].flags);
    }
    CHECK(x.dropped_links_count == y.dropped_links_count);
    CHECK(x.status.code == y.status.code);
    CHECK(x.status.message == y.status.message);
    CHECK(x.resource_index == y.resource_index);
    CHECK(x.scope_index == y.scope_index);
  }
}

TEST_CASE("OTLP/JSON fixture from the OpenTelemetry JS exporter decodes field for field") {
  std::string json = ReadWireFixture(kFixture);
  SpanBatch batch;
  Status status = Decode(batch.Retain(json), batch);
  INFO(status.message());
  REQUIRE(status.ok());

  CheckOtlpFixtureTrace(batch);
}

TEST_CASE("OTLP/JSON strings without escapes are views into the input, escaped ones are copies") {
  std::string json = ReadWireFixture(kFixture);
  SpanBatch batch;
  std::string_view retained = batch.Retain(json);
  REQUIRE(Decode(retained, batch).ok());
  auto inside = [&](std::string_view text) {
    return text.data() >= retained.data() &&
           text.data() + text.size() <= retained.data() + retained.size();
  };
  const Span& root = FindSpan(batch, 0xc0ffee0000000001ULL);
  CHECK(inside(root.name));
  CHECK(inside(Attr(root.attributes, "unicode.str").string_value()));
  const Span& sql = FindSpan(batch, 0xc0ffee0000000003ULL);
  CHECK_FALSE(inside(Attr(sql.events[0].attributes, "exception.stacktrace").string_value()));
}

TEST_CASE("OTLP/JSON reads escaped keys, and strings followed by whitespace, exactly") {
  // Keys are compared in place unless they hold an escape; a string's text ends at its closing
  // quote, not at the next structural character.
  std::string json = R"({"resource\u0053pans" : [ { "scopeSpans" : [ { "spans" : [ {
      "n\u0061me" : "checkout"	,
      "attributes" : [ { "key" : "pl\u0061in" , "value" : { "stringValue" : "a\"b"  } },
                       { "k\u0065y" : "city" , "value" : { "string\u0056alue" : "Oslo"
                       } } ] } ] } ] } ] } )";
  SpanBatch batch;
  Status status = Decode(batch.Retain(json), batch);
  INFO(status.message());
  REQUIRE(status.ok());
  REQUIRE(batch.spans().size() == 1);
  const Span& span = batch.spans()[0];
  CHECK(span.name == "checkout");
  REQUIRE(span.attributes.size() == 2);
  CHECK(span.attributes[0].key == "plain");
  CHECK(span.attributes[0].value.string_value() == "a\"b");
  CHECK(span.attributes[1].key == "city");
  CHECK(span.attributes[1].value.string_value() == "Oslo");
}

Attribute* FindStackTrace(SpanBatch& batch) {
  for (Span& span : batch.spans()) {
    for (Event& event : span.events) {
      for (Attribute& attribute : event.attributes) {
        if (attribute.key == "exception.stacktrace") return &attribute;
      }
    }
  }
  return nullptr;
}

TEST_CASE("OTLP/JSON decode of the fixture equals the protobuf decode of the same capture") {
#ifdef ARIADNE_HAVE_OTLP_PROTO
  std::string json = ReadWireFixture(kFixture);
  std::string proto = ReadWireFixture("otlp-http-export-request.bin");
  SpanBatch from_json;
  SpanBatch from_proto;
  REQUIRE(Decode(from_json.Retain(json), from_json).ok());
  REQUIRE(otlp::DecodeExportRequest(from_proto.Retain(proto), from_proto).ok());
  // The two captures come from two runs of the capture script, whose line numbers moved by one:
  // the exception's stack trace is the one value that differs. Everything else must be equal.
  Attribute* stack = FindStackTrace(from_proto);
  REQUIRE(stack != nullptr);
  REQUIRE(FindStackTrace(from_json) != nullptr);
  CHECK(stack->value.string_value().rfind("IOError: connection reset\n    at makeSpans (", 0) == 0);
  stack->value = FindStackTrace(from_json)->value;
  CheckSameBatch(from_json, from_proto);
#else
  WARN("otlp_proto.h is not available: cross-check skipped");
#endif
}

#ifdef ARIADNE_HAVE_LIBPROTOBUF
TEST_CASE(
    "OTLP/JSON fixture re-encoded as protobuf parses in libprotobuf equal to the captured "
    "protobuf") {
  namespace pb = opentelemetry::proto::collector::trace::v1;
  std::string json = ReadWireFixture(kFixture);
  SpanBatch batch;
  REQUIRE(Decode(batch.Retain(json), batch).ok());
  std::string ours;
  otlp::EncodeExportRequest(batch, ours);
  pb::ExportTraceServiceRequest from_ours;
  pb::ExportTraceServiceRequest captured;
  REQUIRE(from_ours.ParseFromString(ours));
  REQUIRE(captured.ParseFromString(ReadWireFixture("otlp-http-export-request.bin")));
  // The captures differ in the stack trace's line numbers (two runs of the capture script).
  auto& captured_event =
      *captured.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(1)->mutable_events(
          0);
  REQUIRE(captured_event.attributes(2).key() == "exception.stacktrace");
  captured_event.mutable_attributes(2)->mutable_value()->set_string_value(
      from_ours.resource_spans(0)
          .scope_spans(0)
          .spans(1)
          .events(0)
          .attributes(2)
          .value()
          .string_value());
  std::string differences;
  google::protobuf::util::MessageDifferencer differencer;
  // The JS exporter writes an empty Status message; ours omits a default status, as proto3 allows.
  differencer.set_message_field_comparison(google::protobuf::util::MessageDifferencer::EQUIVALENT);
  differencer.ReportDifferencesToString(&differences);
  CHECK(differencer.Compare(captured, from_ours));
  INFO(differences);
  CHECK(differences.empty());
}
#endif

TEST_CASE("OTLP/JSON round trip of the fixture is lossless and the encoding is stable") {
  std::string json = ReadWireFixture(kFixture);
  SpanBatch first;
  REQUIRE(Decode(first.Retain(json), first).ok());
  std::string encoded = Encode(first);
  SpanBatch second;
  Status status = Decode(second.Retain(encoded), second);
  INFO(status.message() << "\n" << encoded);
  REQUIRE(status.ok());
  CheckSameBatch(first, second);
  CHECK(Encode(second) == encoded);
}

// A batch using every field of the model: all value types, nesting, non-finite doubles, dropped
// counts, trace states, schema URLs, several resources and scopes.
SpanBatch BuildRichBatch() {
  SpanBatch batch;
  uint32_t r0 = batch.AddResource();
  batch.resources()[r0].attributes.push_back({"service.name", AnyValue::String("svc-a")});
  batch.resources()[r0].dropped_attributes_count = 3;
  batch.resources()[r0].schema_url = "https://opentelemetry.io/schemas/1.21.0";
  uint32_t r1 = batch.AddResource();
  batch.resources()[r1].attributes.push_back({"service.name", AnyValue::String("svc-b")});
  uint32_t s0 = batch.AddScope();
  batch.scopes()[s0].name = "lib";
  batch.scopes()[s0].version = "2.0";
  batch.scopes()[s0].attributes.push_back({"scope.attr", AnyValue::Bool(false)});
  batch.scopes()[s0].dropped_attributes_count = 1;
  batch.scopes()[s0].schema_url = "https://example.com/scope-schema";
  uint32_t s1 = batch.AddScope();
  uint32_t s2 = batch.AddScope();
  batch.scopes()[s2].name = "other";

  AnyValue* inner = batch.AllocateArray<AnyValue>(3);
  inner[0] = AnyValue::Int(-1);
  inner[1] = AnyValue::Double(-0.0);
  inner[2] = AnyValue();
  Attribute* map = batch.AllocateArray<Attribute>(2);
  map[0] = {"nested", AnyValue::Array(inner, 3)};
  map[1] = {"quote\"and\\slash", AnyValue::String("line\nbreak\ttab\x01")};
  AnyValue* outer = batch.AllocateArray<AnyValue>(2);
  outer[0] = AnyValue::Map(map, 2);
  outer[1] = AnyValue::Array(batch.AllocateArray<AnyValue>(0), 0);

  Span& span = batch.AddSpan(r0, s0);
  span.trace_id = {0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  span.span_id = {0x1111111111111111ULL};
  span.parent_span_id = {0x2222222222222222ULL};
  span.trace_state = "vendor=value,other=1";
  span.name = "GET /things/{id}";
  span.kind = SpanKind::kConsumer;
  span.flags = 0x301;
  span.start_time_unix_nano = 18446744073709551615ULL;  // max uint64: must survive as a string
  span.end_time_unix_nano = 1;
  span.attributes.push_back({"string", AnyValue::String("\xe2\x82\xac uro")});
  span.attributes.push_back({"int.min", AnyValue::Int(std::numeric_limits<int64_t>::min())});
  span.attributes.push_back({"int.max", AnyValue::Int(std::numeric_limits<int64_t>::max())});
  span.attributes.push_back({"double", AnyValue::Double(0.1 + 0.2)});
  span.attributes.push_back({"double.tiny", AnyValue::Double(5e-324)});
  span.attributes.push_back({"double.huge", AnyValue::Double(1.7976931348623157e308)});
  span.attributes.push_back({"nan", AnyValue::Double(std::numeric_limits<double>::quiet_NaN())});
  span.attributes.push_back({"inf", AnyValue::Double(std::numeric_limits<double>::infinity())});
  span.attributes.push_back({"-inf", AnyValue::Double(-std::numeric_limits<double>::infinity())});
  span.attributes.push_back({"bytes", AnyValue::Bytes(std::string_view("\x00\xff\x10 ", 4))});
  span.attributes.push_back({"empty.bytes", AnyValue::Bytes({})});
  span.attributes.push_back({"nested", AnyValue::Array(outer, 2)});
  span.attributes.push_back({"empty", AnyValue()});
  span.attributes.push_back({"", AnyValue::String("")});
  span.dropped_attributes_count = 7;
  Event& event = span.events.emplace_back(batch.arena());
  event.time_unix_nano = 42;
  event.name = "ev";
  event.attributes.push_back({"k", AnyValue::String("v")});
  event.dropped_attributes_count = 2;
  span.events.emplace_back(batch.arena());  // an event with nothing set
  span.dropped_events_count = 4;
  Link& link = span.links.emplace_back(batch.arena());
  link.trace_id = {0, 5};
  link.span_id = {6};
  link.trace_state = "a=b";
  link.attributes.push_back({"opentracing.ref_type", AnyValue::String("child_of")});
  link.dropped_attributes_count = 9;
  link.flags = 0x101;
  span.dropped_links_count = 5;
  span.status = {SpanStatusCode::kOk, ""};

  Span& second = batch.AddSpan(r0, s0);
  second.trace_id = span.trace_id;
  second.span_id = {0x3333333333333333ULL};
  second.status = {SpanStatusCode::kError, "boom"};
  Span& third = batch.AddSpan(r0, s1);
  third.span_id = {0x4444444444444444ULL};
  Span& fourth = batch.AddSpan(r1, s2);
  fourth.span_id = {0x5555555555555555ULL};
  Span& fifth = batch.AddSpan(r0, s0);  // back to the first group: a new ResourceSpans
  fifth.span_id = {0x6666666666666666ULL};
  return batch;
}

TEST_CASE("OTLP/JSON round trip keeps every field of a batch that uses the whole model") {
  SpanBatch original = BuildRichBatch();
  std::string encoded = Encode(original);
  SpanBatch decoded;
  Status status = Decode(encoded, decoded);
  INFO(status.message() << "\n" << encoded);
  REQUIRE(status.ok());

  // Grouping: (r0,s0)x2, (r0,s1), (r1,s2), (r0,s0) -> three ResourceSpans, four ScopeSpans; the
  // decoder makes one resource per ResourceSpans and one scope per ScopeSpans.
  REQUIRE(decoded.resources().size() == 3);
  REQUIRE(decoded.scopes().size() == 4);
  REQUIRE(decoded.spans().size() == 5);
  const uint32_t expected_resource[] = {0, 0, 0, 1, 2};
  const uint32_t expected_scope[] = {0, 0, 1, 2, 3};
  for (size_t i = 0; i < 5; ++i) {
    const Span& x = original.spans()[i];
    const Span& y = decoded.spans()[i];
    INFO("span " << i);
    CHECK(y.resource_index == expected_resource[i]);
    CHECK(y.scope_index == expected_scope[i]);
    CHECK(original.resource_of(x).attributes == decoded.resource_of(y).attributes);
    CHECK(original.resource_of(x).dropped_attributes_count ==
          decoded.resource_of(y).dropped_attributes_count);
    CHECK(original.resource_of(x).schema_url == decoded.resource_of(y).schema_url);
    CHECK(original.scope_of(x).name == decoded.scope_of(y).name);
    CHECK(original.scope_of(x).version == decoded.scope_of(y).version);
    CHECK(original.scope_of(x).attributes == decoded.scope_of(y).attributes);
    CHECK(original.scope_of(x).schema_url == decoded.scope_of(y).schema_url);
  }
  // Span-level fields: compare against a copy whose indices follow the decoded grouping.
  SpanBatch regrouped;
  REQUIRE(Decode(encoded, regrouped).ok());
  CheckSameBatch(decoded, regrouped);
  const Span& span = decoded.spans()[0];
  const Span& source = original.spans()[0];
  CHECK(span.trace_id == source.trace_id);
  CHECK(span.parent_span_id == source.parent_span_id);
  CHECK(span.trace_state == source.trace_state);
  CHECK(span.kind == SpanKind::kConsumer);
  CHECK(span.flags == 0x301);
  CHECK(span.start_time_unix_nano == 18446744073709551615ULL);
  CHECK(span.end_time_unix_nano == 1);
  CHECK(span.attributes == source.attributes);  // NaN compared bit-for-bit: the quiet NaN
  CHECK(span.dropped_attributes_count == 7);
  REQUIRE(span.events.size() == 2);
  CHECK(span.events[0].name == "ev");
  CHECK(span.events[0].time_unix_nano == 42);
  CHECK(span.events[0].attributes == source.events[0].attributes);
  CHECK(span.events[0].dropped_attributes_count == 2);
  CHECK(span.events[1].name.empty());
  CHECK(span.dropped_events_count == 4);
  REQUIRE(span.links.size() == 1);
  CHECK(span.links[0].trace_id == TraceId{0, 5});
  CHECK(span.links[0].span_id == SpanId{6});
  CHECK(span.links[0].trace_state == "a=b");
  CHECK(span.links[0].attributes == source.links[0].attributes);
  CHECK(span.links[0].dropped_attributes_count == 9);
  CHECK(span.links[0].flags == 0x101);
  CHECK(span.dropped_links_count == 5);
  CHECK(span.status.code == SpanStatusCode::kOk);
  CHECK(decoded.spans()[1].status.code == SpanStatusCode::kError);
  CHECK(decoded.spans()[1].status.message == "boom");
  CHECK(decoded.spans()[2].trace_id.empty());
  CHECK(Encode(decoded) == encoded);
}

TEST_CASE("OTLP/JSON encoder writes OTLP's JSON forms") {
  SpanBatch batch = BuildRichBatch();
  std::string encoded = Encode(batch);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE(parser.parse(encoded).get(root) == simdjson::SUCCESS);
  simdjson::dom::array resource_spans = root["resourceSpans"].get_array();
  REQUIRE(resource_spans.size() == 3);
  simdjson::dom::element span = resource_spans.at(0)["scopeSpans"].at(0)["spans"].at(0);
  CHECK(std::string_view(span["traceId"]) == "0123456789abcdeffedcba9876543210");
  CHECK(std::string_view(span["spanId"]) == "1111111111111111");
  CHECK(std::string_view(span["parentSpanId"]) == "2222222222222222");
  CHECK(int64_t(span["kind"]) == 5);  // enums are integers
  CHECK(std::string_view(span["startTimeUnixNano"]) == "18446744073709551615");
  CHECK(std::string_view(span["attributes"].at(1)["value"]["intValue"]) == "-9223372036854775808");
  CHECK(double(span["attributes"].at(3)["value"]["doubleValue"]) == 0.1 + 0.2);
  CHECK(std::string_view(span["attributes"].at(6)["value"]["doubleValue"]) == "NaN");
  CHECK(std::string_view(span["attributes"].at(7)["value"]["doubleValue"]) == "Infinity");
  CHECK(std::string_view(span["attributes"].at(8)["value"]["doubleValue"]) == "-Infinity");
  CHECK(std::string_view(span["attributes"].at(9)["value"]["bytesValue"]) == "AP8QIA==");
  CHECK(int64_t(span["status"]["code"]) == 1);
  // Defaults are omitted.
  simdjson::dom::element third = resource_spans.at(0)["scopeSpans"].at(1)["spans"].at(0);
  CHECK(third["kind"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(third["parentSpanId"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(third["status"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(std::string_view(third["traceId"]) == "");

  SpanBatch empty;
  CHECK(Encode(empty) == R"({"resourceSpans":[]})");
}

TEST_CASE("OTLP/JSON encoder replaces invalid UTF-8 so that the output stays JSON") {
  SpanBatch batch;
  uint32_t resource = batch.AddResource();
  uint32_t scope = batch.AddScope();
  Span& span = batch.AddSpan(resource, scope);
  span.name = "bad\xff\xc3(end";
  std::string out;
  otlp::EncodeExportRequestJson(batch, out);
  CHECK(out.find("\"name\":\"bad\xEF\xBF\xBD\xEF\xBF\xBD(end\"") != std::string::npos);
  SpanBatch decoded;
  REQUIRE(Decode(out, decoded).ok());
}

TEST_CASE("OTLP/JSON decoder accepts what proto3 JSON parsers accept") {
  // snake_case names, enum names, numbers for 64-bit ints, upper-case hex, nulls, unknown fields,
  // special doubles as strings, keys in any order.
  const std::string json = R"({
    "unknown": {"deep": [1, {"x": null}]},
    "resource_spans": [{
      "schema_url": "s",
      "scope_spans": [{
        "spans": [{
          "end_time_unix_nano": 2000,
          "start_time_unix_nano": "1000",
          "trace_id": "A1B2C3D4E5F607180000000000000001",
          "span_id": "C0FFEE0000000001",
          "parent_span_id": "",
          "kind": "SPAN_KIND_CLIENT",
          "name": null,
          "trace_state": "k=v",
          "dropped_attributes_count": "3",
          "attributes": [
            {"value": {"int_value": -5}, "key": "i"},
            {"key": "d", "value": {"double_value": "NaN"}},
            {"key": "d2", "value": {"double_value": "-Infinity"}},
            {"key": "d3", "value": {"double_value": 7}},
            {"key": "d4", "value": {"double_value": "2.5"}},
            {"key": "b", "value": {"bool_value": false}},
            {"key": "y", "value": {"bytes_value": "aGk"}},
            {"key": "n", "value": null},
            {"key": "m", "value": {"kvlist_value": {"values": [{"key": "x", "value": {"string_value": "\u00e9\ud83d\ude00"}}]}}},
            {"key": "a", "value": {"array_value": {}}},
            {"key": "big", "value": {"int_value": 1e3}}
          ],
          "events": [{"time_unix_nano": 5, "name": "e", "dropped_attributes_count": 1}],
          "links": [{"trace_id": "", "span_id": "0000000000000007", "flags": "2"}],
          "status": {"code": "STATUS_CODE_ERROR", "message": "m"},
          "flags": 1
        }],
        "scope": {"name": "n", "version": "v", "dropped_attributes_count": 0},
        "schema_url": "t"
      }],
      "resource": {"attributes": [{"key": "service.name", "value": {"string_value": "svc"}}]}
    }]
  })";
  SpanBatch batch;
  Status status = Decode(json, batch);
  INFO(status.message());
  REQUIRE(status.ok());
  REQUIRE(batch.spans().size() == 1);
  const Span& span = batch.spans()[0];
  CHECK(batch.resources()[0].schema_url == "s");
  CHECK(batch.resources()[0].ServiceName() == "svc");
  CHECK(batch.scopes()[0].name == "n");
  CHECK(batch.scopes()[0].version == "v");
  CHECK(batch.scopes()[0].schema_url == "t");
  CHECK(span.trace_id == TraceId{0xa1b2c3d4e5f60718ULL, 1});
  CHECK(span.span_id == SpanId{0xc0ffee0000000001ULL});
  CHECK(span.parent_span_id.empty());
  CHECK(span.kind == SpanKind::kClient);
  CHECK(span.name.empty());
  CHECK(span.trace_state == "k=v");
  CHECK(span.start_time_unix_nano == 1000);
  CHECK(span.end_time_unix_nano == 2000);
  CHECK(span.dropped_attributes_count == 3);
  CHECK(span.flags == 1);
  REQUIRE(span.attributes.size() == 11);
  CHECK(Attr(span.attributes, "i") == AnyValue::Int(-5));
  CHECK(std::isnan(Attr(span.attributes, "d").double_value()));
  CHECK(Attr(span.attributes, "d2") == AnyValue::Double(-std::numeric_limits<double>::infinity()));
  CHECK(Attr(span.attributes, "d3") == AnyValue::Double(7));
  CHECK(Attr(span.attributes, "d4") == AnyValue::Double(2.5));
  CHECK(Attr(span.attributes, "b") == AnyValue::Bool(false));
  CHECK(Attr(span.attributes, "y") == AnyValue::Bytes("hi"));
  CHECK(Attr(span.attributes, "n").empty());
  const AnyValue& map = Attr(span.attributes, "m");
  REQUIRE(map.type() == ValueType::kMap);
  REQUIRE(map.size() == 1);
  CHECK(map.map_begin()[0].key == "x");
  CHECK(map.map_begin()[0].value == AnyValue::String("\xc3\xa9\xf0\x9f\x98\x80"));
  CHECK(Attr(span.attributes, "a").type() == ValueType::kArray);
  CHECK(Attr(span.attributes, "a").size() == 0);
  CHECK(Attr(span.attributes, "big") == AnyValue::Int(1000));
  REQUIRE(span.events.size() == 1);
  CHECK(span.events[0].time_unix_nano == 5);
  CHECK(span.events[0].dropped_attributes_count == 1);
  REQUIRE(span.links.size() == 1);
  CHECK(span.links[0].trace_id.empty());
  CHECK(span.links[0].span_id == SpanId{7});
  CHECK(span.links[0].flags == 2);
  CHECK(span.status.code == SpanStatusCode::kError);
  CHECK(span.status.message == "m");
}

TEST_CASE(
    "OTLP/JSON decoder maps unknown enum numbers to the zero value, as the protobuf decoder does") {
  SpanBatch batch;
  REQUIRE(
      Decode(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":9,"status":{"code":7}}]}]}]})",
             batch)
          .ok());
  CHECK(batch.spans()[0].kind == SpanKind::kUnspecified);
  CHECK(batch.spans()[0].status.code == SpanStatusCode::kUnset);
}

TEST_CASE("OTLP/JSON decoder appends to a batch that already holds spans") {
  std::string json = ReadWireFixture(kFixture);
  SpanBatch batch;
  REQUIRE(Decode(json, batch).ok());
  REQUIRE(Decode(json, batch).ok());
  CHECK(batch.resources().size() == 2);
  CHECK(batch.scopes().size() == 2);
  REQUIRE(batch.spans().size() == 8);
  CHECK(batch.spans()[4].resource_index == 1);
  CHECK(batch.spans()[4].scope_index == 1);
  CHECK(batch.spans()[4].name == batch.spans()[0].name);
}

// Wraps one span's JSON into a request.
std::string RequestWithSpan(std::string_view span_json) {
  return std::string(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{},)") + std::string(span_json) +
         "]}]}]}";
}

std::string RequestWithAttribute(std::string_view value_json) {
  return RequestWithSpan(std::string(R"({"attributes":[{"key":"k","value":)") +
                         std::string(value_json) + "}]}");
}

struct BadCase {
  std::string json;
  std::string message;  // the expected Status message
};

TEST_CASE("OTLP/JSON decoder rejects bad input with a message that names the place") {
  const std::string span = "otlp json: resourceSpans[0].scopeSpans[0].spans[1]";
  const std::string value = span + ".attributes[0].value";
  const std::vector<BadCase> cases = {
      {"", "otlp json: invalid JSON: Empty: no JSON found"},
      {"   ", "otlp json: invalid JSON: Empty: no JSON found"},
      {"not json", ""},
      {"{", ""},
      {"[]", "otlp json: expected a JSON object"},
      {"{} {}", "otlp json: unexpected content after the object"},
      {R"({"resourceSpans":{}})", "otlp json: resourceSpans: expected an array"},
      {R"({"resourceSpans":[1]})", "otlp json: resourceSpans[0]: expected an object"},
      {R"({"resourceSpans":[{"resource":[]}]})",
       "otlp json: resourceSpans[0].resource: expected an object"},
      {R"({"resourceSpans":[{"scopeSpans":[{"scope":{"name":5}}]}]})",
       "otlp json: resourceSpans[0].scopeSpans[0].scope.name: expected a string"},
      {RequestWithSpan(R"({"traceId":"a1b2"})"), span + ".traceId: expected 32 hex chars"},
      {RequestWithSpan(R"({"traceId":"a1b2c3d4e5f607180000000000000001ff"})"),
       span + ".traceId: expected 32 hex chars"},
      {RequestWithSpan(R"({"traceId":"g1b2c3d4e5f607180000000000000001"})"),
       span + ".traceId: expected 32 hex chars"},
      {RequestWithSpan(R"({"traceId":"obKz1OX2BxgAAAAAAAAAAQ=="})"),
       span + ".traceId: expected 32 hex chars"},  // base64 (canonical proto3 JSON) is not OTLP's
      {RequestWithSpan(R"({"traceId":12})"), span + ".traceId: expected a string"},
      {RequestWithSpan(R"({"spanId":"c0ffee00000001"})"), span + ".spanId: expected 16 hex chars"},
      {RequestWithSpan(R"({"parentSpanId":"c0ffee000000000x"})"),
       span + ".parentSpanId: expected 16 hex chars"},
      {RequestWithSpan(R"({"links":[{"spanId":"zz"}]})"),
       span + ".links[0].spanId: expected 16 hex chars"},
      {RequestWithSpan(R"({"kind":"SERVER"})"), span + ".kind: unknown enum value name"},
      {RequestWithSpan(R"({"kind":1.5})"), span + ".kind: expected an enum number or name"},
      {RequestWithSpan(R"({"kind":4294967296})"), span + ".kind: enum number out of range"},
      {RequestWithSpan(R"({"startTimeUnixNano":-1})"),
       span + ".startTimeUnixNano: expected an unsigned 64-bit integer"},
      {RequestWithSpan(R"({"startTimeUnixNano":"12a"})"),
       span + ".startTimeUnixNano: expected an unsigned 64-bit integer"},
      {RequestWithSpan(R"({"startTimeUnixNano":"18446744073709551616"})"),
       span + ".startTimeUnixNano: expected an unsigned 64-bit integer"},
      {RequestWithSpan(R"({"endTimeUnixNano":true})"),
       span + ".endTimeUnixNano: expected an unsigned 64-bit integer"},
      {RequestWithSpan(R"({"flags":4294967296})"),
       span + ".flags: expected an unsigned 32-bit integer"},
      {RequestWithSpan(R"({"events":{}})"), span + ".events: expected an array"},
      {RequestWithSpan(R"({"events":[{"attributes":[{"key":1}]}]})"),
       span + ".events[0].attributes[0].key: expected a string"},
      {RequestWithSpan(R"({"status":{"code":"ERROR"}})"),
       span + ".status.code: unknown enum value name"},
      {RequestWithAttribute(R"({"intValue":"12x"})"),
       value + ".intValue: expected a 64-bit integer"},
      {RequestWithAttribute(R"({"intValue":1.5})"), value + ".intValue: expected a 64-bit integer"},
      {RequestWithAttribute(R"({"intValue":"9223372036854775808"})"),
       value + ".intValue: expected a 64-bit integer"},
      {RequestWithAttribute(R"({"intValue":true})"),
       value + ".intValue: expected a 64-bit integer"},
      {RequestWithAttribute(R"({"doubleValue":"fast"})"),
       value + ".doubleValue: expected a number"},
      {RequestWithAttribute(R"({"boolValue":"true"})"),
       value + ".boolValue: expected true or false"},
      {RequestWithAttribute(R"({"stringValue":7})"), value + ".stringValue: expected a string"},
      {RequestWithAttribute(R"({"bytesValue":"!!!"})"), value + ".bytesValue: expected base64"},
      {RequestWithAttribute(R"({"arrayValue":[]})"), value + ".arrayValue: expected an object"},
      {RequestWithAttribute(R"({"arrayValue":{"values":[{"intValue":"x"}]}})"),
       value + ".arrayValue.values[0].intValue: expected a 64-bit integer"},
      {RequestWithAttribute(R"({"kvlistValue":{"values":[{"key":"a","value":{"boolValue":1}}]}})"),
       value + ".kvlistValue.values[0].value.boolValue: expected true or false"},
      {RequestWithAttribute(R"({"stringValue":"a","intValue":"1"})"),
       value + ".intValue: AnyValue holds more than one value"},
      {RequestWithAttribute(R"({"stringValue":"x\ud800y"})"), ""},   // unpaired high surrogate
      {RequestWithAttribute(R"({"stringValue":"x\udc00y"})"), ""},   // unpaired low surrogate
      {RequestWithAttribute(R"({"stringValue":"x\u12"})"), ""},      // short \u escape
      {RequestWithAttribute(R"({"stringValue":"x\q"})"), ""},        // unknown escape
      {RequestWithAttribute("{\"stringValue\":\"\xc3\x28\"}"), ""},  // invalid UTF-8
      {RequestWithAttribute("{\"stringValue\":\"a\x01\"}"), ""},     // raw control character
      {RequestWithSpan(R"({"name":"x",})"), ""},                     // trailing comma
  };
  for (const BadCase& bad : cases) {
    INFO(bad.json);
    SpanBatch batch;
    Status status = Decode(bad.json, batch);
    REQUIRE_FALSE(status.ok());
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.message().rfind("otlp json: ", 0) == 0);
    if (!bad.message.empty()) CHECK(status.message() == bad.message);
  }
}

// `depth` levels of `open` ... `close` around a string AnyValue.
std::string Nested(int depth, std::string_view open, std::string_view close) {
  std::string value;
  for (int i = 0; i < depth; ++i) value += open;
  value += R"({"stringValue":"leaf"})";
  for (int i = 0; i < depth; ++i) value += close;
  return value;
}

std::string NestedArrays(int depth) {
  return Nested(depth, R"({"arrayValue":{"values":[)", "]}}");
}

TEST_CASE("OTLP/JSON decoder limits AnyValue nesting") {
  SpanBatch batch;
  // The attribute's own value is level 1; each arrayValue adds a level.
  CHECK(Decode(RequestWithAttribute(NestedArrays(otlp::kMaxJsonAnyValueDepth - 1)), batch).ok());
  Status status = Decode(RequestWithAttribute(NestedArrays(otlp::kMaxJsonAnyValueDepth)), batch);
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == StatusCode::kResourceExhausted);
  CHECK(status.message().find("AnyValue nested deeper than 16") != std::string::npos);
  // Very deep nesting in an unknown field is skipped without recursion.
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  CHECK(Decode(R"({"x":)" + deep + "}", batch).ok());
  std::string kvlists = Nested(1000, R"({"kvlistValue":{"values":[{"key":"k","value":)", "}]}}");
  Status deep_map = Decode(RequestWithAttribute(kvlists), batch);
  CHECK(deep_map.code() == StatusCode::kResourceExhausted);
}

TEST_CASE("OTLP/JSON decoder fails on every truncation of the fixture") {
  std::string json = ReadWireFixture(kFixture);
  size_t content = json.find_last_not_of(" \n\r\t") + 1;
  for (size_t length = 0; length < content; ++length) {
    SpanBatch batch;
    Status status = Decode(std::string_view(json).substr(0, length), batch);
    INFO("length " << length);
    CHECK_FALSE(status.ok());
  }
}

TEST_CASE("OTLP/JSON decoder survives random bytes and random mutations of the fixture") {
  std::mt19937 random(12345);
  std::string json = ReadWireFixture(kFixture);
  for (int round = 0; round < 2000; ++round) {
    std::string input = json;
    int edits = 1 + static_cast<int>(random() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t at = random() % input.size();
      switch (random() % 3) {
        case 0: input[at] = static_cast<char>(random()); break;
        case 1: input.erase(at, 1 + random() % 16); break;
        default: input.insert(at, 1, "{}[],:\"\\0e-"[random() % 12]); break;
      }
      if (input.empty()) input = "{";
    }
    SpanBatch batch;
    Status status = Decode(input, batch);
    if (status.ok()) {
      std::string encoded = Encode(batch);
      SpanBatch again;
      CHECK(Decode(encoded, again).ok());
    }
  }
  for (int round = 0; round < 500; ++round) {
    std::string input(random() % 256, '\0');
    for (char& c : input) c = static_cast<char>(random());
    SpanBatch batch;
    (void)Decode(input, batch);
  }
  SUCCEED();
}

}  // namespace
}  // namespace ariadne::tracecore
