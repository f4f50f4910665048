#include "tracecore/codec/jaeger_ui_json.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <functional>
#include <limits>
#include <thread>
#include <vector>

#include "test_support.h"
#include "tracecore/codec/otlp_json.h"

namespace ariadne::tracecore {
namespace {

using ariadne::testing::kFixtureT0Nanos;
using ariadne::testing::ReadWireFixture;
using simdjson::dom::element;

constexpr uint64_t kT0Micros = kFixtureT0Nanos / 1000;
constexpr uint64_t kMs = 1000;  // µs per ms

std::vector<const Span*> AllSpans(const SpanBatch& batch) {
  std::vector<const Span*> spans;
  for (const Span& span : batch.spans()) spans.push_back(&span);
  return spans;
}

std::string TraceJson(const SpanBatch& batch) {
  std::string out;
  jaeger_ui::AppendTrace(batch, AllSpans(batch), out);
  return out;
}

element FindSpan(element trace, std::string_view span_id) {
  for (element span : trace["spans"].get_array()) {
    if (std::string_view(span["spanID"]) == span_id) return span;
  }
  FAIL("span " << span_id << " not found");
  throw std::logic_error("unreachable");
}

element FindTag(element tags, std::string_view key) {
  for (element tag : tags.get_array()) {
    if (std::string_view(tag["key"]) == key) return tag;
  }
  FAIL("tag " << key << " not found");
  throw std::logic_error("unreachable");
}

bool HasTag(element tags, std::string_view key) {
  for (element tag : tags.get_array()) {
    if (std::string_view(tag["key"]) == key) return true;
  }
  return false;
}

std::string_view TagType(element tags, std::string_view key) {
  return FindTag(tags, key)["type"];
}

void CheckStringTag(element tags, std::string_view key, std::string_view value) {
  INFO("tag " << key);
  element tag = FindTag(tags, key);
  CHECK(std::string_view(tag["type"]) == "string");
  CHECK(std::string_view(tag["value"]) == value);
}

void CheckReference(element reference, std::string_view type, std::string_view trace_id,
                    std::string_view span_id) {
  CHECK(std::string_view(reference["refType"]) == type);
  CHECK(std::string_view(reference["traceID"]) == trace_id);
  CHECK(std::string_view(reference["spanID"]) == span_id);
}

TEST_CASE("Jaeger UI JSON of the OTLP fixture trace carries every field the UI reads") {
  std::string fixture = ReadWireFixture("otlp-http-export-request.json");
  SpanBatch batch;
  REQUIRE(otlp::DecodeExportRequestJson(batch.Retain(fixture), batch).ok());
  std::string json = TraceJson(batch);
  INFO(json);
  simdjson::dom::parser parser;
  element trace;
  REQUIRE(parser.parse(json).get(trace) == simdjson::SUCCESS);

  const std::string_view trace_id = "a1b2c3d4e5f607180000000000000001";
  CHECK(std::string_view(trace["traceID"]) == trace_id);
  CHECK(trace["warnings"].is_null());
  REQUIRE(trace["spans"].get_array().size() == 4);
  for (element span : trace["spans"].get_array()) {
    CHECK(std::string_view(span["traceID"]) == trace_id);
    CHECK(uint64_t(span["flags"]) ==
          1);  // the W3C byte of 257; the remote-parent bit is not Jaeger's
    CHECK(std::string_view(span["processID"]) == "p1");
    CHECK(span["warnings"].is_null());
    CHECK(span["references"].is_array());
    CHECK(span["logs"].is_array());
    CHECK(span["parentSpanID"].error() == simdjson::NO_SUCH_FIELD);
    CHECK(span["process"].error() == simdjson::NO_SUCH_FIELD);
    CheckStringTag(span["tags"], "otel.scope.name", "capture");
    CheckStringTag(span["tags"], "otel.scope.version", "1.0.0");
  }
  // Spans keep the order given; field order follows Jaeger's structs.
  CHECK(std::string_view(trace["spans"].at(0)["spanID"]) == "c0ffee0000000002");
  CHECK(json.rfind(R"({"traceID":"a1b2c3d4e5f607180000000000000001","spans":[{"traceID":)", 0) ==
        0);
  CHECK(
      json.find(
          R"("spanID":"c0ffee0000000002","flags":1,"operationName":"redis GET","references":[)") !=
      std::string::npos);

  element root = FindSpan(trace, "c0ffee0000000001");
  CHECK(std::string_view(root["operationName"]) == "HTTP GET /dispatch");
  CHECK(root["references"].get_array().size() == 0);
  CHECK(uint64_t(root["startTime"]) == kT0Micros);
  CHECK(uint64_t(root["duration"]) == 30 * kMs);
  element tags = root["tags"];
  CheckStringTag(tags, "http.method", "GET");
  CHECK(TagType(tags, "http.status_code") == "int64");
  CHECK(int64_t(FindTag(tags, "http.status_code")["value"]) == 200);
  CheckStringTag(tags, "http.url", "http://frontend:8080/dispatch?customer=123");
  CHECK(TagType(tags, "sampled.bool") == "bool");
  CHECK(bool(FindTag(tags, "sampled.bool")["value"]) == true);
  CHECK(TagType(tags, "ratio.double") == "float64");
  CHECK(double(FindTag(tags, "ratio.double")["value"]) == 0.25);
  CheckStringTag(tags, "tags.array", R"(["a","b"])");
  CheckStringTag(tags, "unicode.str", "\xc5\xbc\xc3\xb3\xc5\x82w \xf0\x9f\x90\xa2");
  CHECK(TagType(tags, "big.int") == "int64");
  CHECK(FindTag(tags, "big.int")["value"].is_int64());  // 2^53-1 is still a safe integer
  CHECK(int64_t(FindTag(tags, "big.int")["value"]) == 9007199254740991LL);
  CheckStringTag(tags, "span.kind", "server");
  CHECK_FALSE(HasTag(tags, "otel.status_code"));
  CHECK_FALSE(HasTag(tags, "error"));
  CHECK(root["logs"].get_array().size() == 0);

  element redis = FindSpan(trace, "c0ffee0000000002");
  CHECK(std::string_view(redis["operationName"]) == "redis GET");
  REQUIRE(redis["references"].get_array().size() == 1);
  CheckReference(redis["references"].at(0), "CHILD_OF", trace_id, "c0ffee0000000001");
  CHECK(uint64_t(redis["startTime"]) == kT0Micros + 5 * kMs);
  CHECK(uint64_t(redis["duration"]) == 7 * kMs);
  CheckStringTag(redis["tags"], "db.system", "redis");
  CheckStringTag(redis["tags"], "peer.service", "redis");
  CheckStringTag(redis["tags"], "span.kind", "client");
  REQUIRE(redis["logs"].get_array().size() == 1);
  element log = redis["logs"].at(0);
  CHECK(uint64_t(log["timestamp"]) == kT0Micros + 7 * kMs);
  REQUIRE(log["fields"].get_array().size() == 3);
  CHECK(std::string_view(log["fields"].at(0)["key"]) == "event");  // the event name comes first
  CHECK(std::string_view(log["fields"].at(0)["type"]) == "string");
  CHECK(std::string_view(log["fields"].at(0)["value"]) == "cache miss");
  CheckStringTag(log["fields"], "cache.key", "customer:123");
  CHECK(TagType(log["fields"], "retry") == "int64");
  CHECK(int64_t(FindTag(log["fields"], "retry")["value"]) == 2);

  element sql = FindSpan(trace, "c0ffee0000000003");
  CHECK(std::string_view(sql["operationName"]) == "SQL SELECT");
  CheckReference(sql["references"].at(0), "CHILD_OF", trace_id, "c0ffee0000000001");
  CHECK(uint64_t(sql["startTime"]) == kT0Micros + 13 * kMs);
  CHECK(uint64_t(sql["duration"]) == 8 * kMs);
  CheckStringTag(sql["tags"], "span.kind", "client");
  CheckStringTag(sql["tags"], "otel.status_code", "ERROR");
  CHECK(TagType(sql["tags"], "error") == "bool");
  CHECK(bool(FindTag(sql["tags"], "error")["value"]) == true);
  CheckStringTag(sql["tags"], "otel.status_description", "connection reset");
  REQUIRE(sql["logs"].get_array().size() == 1);
  element exception = sql["logs"].at(0);
  CHECK(uint64_t(exception["timestamp"]) == kT0Micros + 20 * kMs);
  CHECK(std::string_view(exception["fields"].at(0)["value"]) == "exception");
  CheckStringTag(exception["fields"], "exception.type", "IOError");
  CheckStringTag(exception["fields"], "exception.message", "connection reset");
  CHECK(std::string_view(FindTag(exception["fields"], "exception.stacktrace")["value"])
            .rfind("IOError: connection reset\n", 0) == 0);

  element publish = FindSpan(trace, "c0ffee0000000004");
  CHECK(std::string_view(publish["operationName"]) == "async publish");
  CHECK(uint64_t(publish["startTime"]) == kT0Micros + 22 * kMs);
  CHECK(uint64_t(publish["duration"]) == 3 * kMs);
  CheckStringTag(publish["tags"], "span.kind", "producer");
  REQUIRE(publish["references"].get_array().size() == 2);
  CheckReference(publish["references"].at(0), "CHILD_OF", trace_id, "c0ffee0000000001");
  CheckReference(publish["references"].at(1), "FOLLOWS_FROM", "ffeeddccbbaa99887766554433221100",
                 "abcdef0123456789");

  simdjson::dom::object processes = trace["processes"];
  REQUIRE(processes.size() == 1);
  element process = processes["p1"];
  CHECK(std::string_view(process["serviceName"]) == "frontend");
  REQUIRE(process["tags"].get_array().size() == 2);
  CheckStringTag(process["tags"], "host.name", "node-1");
  CheckStringTag(process["tags"], "service.version", "1.2.3");
}

// One resource with service.name `service` and the given extra string attributes.
uint32_t AddResource(SpanBatch& batch, std::string_view service,
                     const std::vector<std::pair<std::string_view, std::string_view>>& tags = {}) {
  uint32_t index = batch.AddResource();
  if (!service.empty()) {
    batch.resources()[index].attributes.push_back({"service.name", AnyValue::String(service)});
  }
  for (auto [key, value] : tags) {
    batch.resources()[index].attributes.push_back({key, AnyValue::String(value)});
  }
  return index;
}

TEST_CASE("Jaeger UI JSON of a small span is exactly what Jaeger writes") {
  SpanBatch batch;
  uint32_t resource = AddResource(batch, "svc", {{"ip", "10.0.0.1"}});
  uint32_t scope = batch.AddScope();
  Span& span = batch.AddSpan(resource, scope);
  span.trace_id = {0, 0x1f};  // high == 0: 16 chars
  span.span_id = {0x2a};
  span.parent_span_id = {0x1};
  span.name = "op \"quoted\"";
  span.kind = SpanKind::kServer;
  span.flags = 3;
  span.start_time_unix_nano = 1500000000123456789ULL;
  span.end_time_unix_nano = 1500000000123456789ULL + 2500000;
  span.attributes.push_back({"k", AnyValue::String("v")});
  span.attributes.push_back({"b", AnyValue::Bytes(std::string_view("\x00\x00\x30\x39", 4))});
  Event& event = span.events.emplace_back(batch.arena());
  event.time_unix_nano = 1500000000123999999ULL;
  event.name = "retry";
  event.attributes.push_back({"n", AnyValue::Double(1.5)});

  std::string out;
  const Span* spans[] = {&span};
  jaeger_ui::AppendTrace(batch, spans, out);
  CHECK(
      out ==
      R"({"traceID":"000000000000001f","spans":[{"traceID":"000000000000001f",)"
      R"("spanID":"000000000000002a","flags":3,"operationName":"op \"quoted\"",)"
      R"("references":[{"refType":"CHILD_OF","traceID":"000000000000001f","spanID":"0000000000000001"}],)"
      R"("startTime":1500000000123456,"duration":2500,)"
      R"("tags":[{"key":"k","type":"string","value":"v"},{"key":"b","type":"binary","value":"AAAwOQ=="},)"
      R"({"key":"span.kind","type":"string","value":"server"}],)"
      R"("logs":[{"timestamp":1500000000123999,"fields":[{"key":"event","type":"string","value":"retry"},)"
      R"({"key":"n","type":"float64","value":1.5}]}],"processID":"p1","warnings":null}],)"
      R"("processes":{"p1":{"serviceName":"svc","tags":[{"key":"ip","type":"string","value":"10.0.0.1"}]}},)"
      R"("warnings":null})");
}

// The JSON text of a single tag `value` as the UI JSON writes it.
std::string RenderedValue(const AnyValue& value) {
  SpanBatch batch;
  uint32_t resource = AddResource(batch, "svc");
  Span& span = batch.AddSpan(resource, batch.AddScope());
  span.attributes.push_back({"x", value});
  std::string json = TraceJson(batch);
  std::string_view marker = R"({"key":"x",)";
  size_t start = json.find(marker);
  REQUIRE(start != std::string::npos);
  size_t end = json.find('}', start);
  std::string type_and_value = json.substr(start + marker.size(), end - start - marker.size());
  return type_and_value;
}

TEST_CASE("Jaeger UI JSON writes int64 beyond JavaScript's safe range as strings") {
  constexpr int64_t kSafe = 9007199254740991LL;
  CHECK(RenderedValue(AnyValue::Int(kSafe)) == R"("type":"int64","value":9007199254740991)");
  CHECK(RenderedValue(AnyValue::Int(-kSafe)) == R"("type":"int64","value":-9007199254740991)");
  CHECK(RenderedValue(AnyValue::Int(kSafe + 1)) == R"("type":"int64","value":"9007199254740992")");
  CHECK(RenderedValue(AnyValue::Int(-kSafe - 1)) ==
        R"("type":"int64","value":"-9007199254740992")");
  CHECK(RenderedValue(AnyValue::Int(std::numeric_limits<int64_t>::max())) ==
        R"("type":"int64","value":"9223372036854775807")");
  CHECK(RenderedValue(AnyValue::Int(std::numeric_limits<int64_t>::min())) ==
        R"("type":"int64","value":"-9223372036854775808")");
  CHECK(RenderedValue(AnyValue::Int(0)) == R"("type":"int64","value":0)");
}

TEST_CASE("Jaeger UI JSON writes float64 as Go does, so that values read back exactly") {
  CHECK(RenderedValue(AnyValue::Double(0.1 + 0.2)) ==
        R"("type":"float64","value":0.30000000000000004)");
  CHECK(RenderedValue(AnyValue::Double(100)) == R"("type":"float64","value":100)");
  CHECK(RenderedValue(AnyValue::Double(-2.5)) == R"("type":"float64","value":-2.5)");
  CHECK(RenderedValue(AnyValue::Double(1e21)) == R"("type":"float64","value":1e+21)");
  CHECK(RenderedValue(AnyValue::Double(1e20)) ==
        R"("type":"float64","value":100000000000000000000)");
  CHECK(RenderedValue(AnyValue::Double(1e-7)) == R"("type":"float64","value":1e-7)");
  CHECK(RenderedValue(AnyValue::Double(0.000001)) == R"("type":"float64","value":0.000001)");
  CHECK(RenderedValue(AnyValue::Double(5e-324)) == R"("type":"float64","value":5e-324)");
  CHECK(RenderedValue(AnyValue::Double(0)) == R"("type":"float64","value":0)");
  // JSON has no NaN or infinities (Go's encoder fails): they are written as strings.
  CHECK(RenderedValue(AnyValue::Double(std::numeric_limits<double>::quiet_NaN())) ==
        R"("type":"float64","value":"NaN")");
  CHECK(RenderedValue(AnyValue::Double(std::numeric_limits<double>::infinity())) ==
        R"("type":"float64","value":"Infinity")");
  CHECK(RenderedValue(AnyValue::Double(-std::numeric_limits<double>::infinity())) ==
        R"("type":"float64","value":"-Infinity")");
  CHECK(RenderedValue(AnyValue::Bool(false)) == R"("type":"bool","value":false)");
  CHECK(RenderedValue(AnyValue::Bytes({})) == R"("type":"binary","value":"")");
  CHECK(RenderedValue(AnyValue::String("a\xff")) ==
        "\"type\":\"string\",\"value\":\"a\xEF\xBF\xBD\"");
  CHECK(RenderedValue(AnyValue()) == R"("type":"string","value":"")");
}

TEST_CASE("Jaeger UI JSON de-duplicates identical processes in order of first appearance") {
  SpanBatch batch;
  uint32_t a = AddResource(batch, "a", {{"host", "1"}});
  uint32_t b = AddResource(batch, "b", {{"host", "1"}});
  uint32_t a_again = AddResource(batch, "a", {{"host", "1"}});  // identical to a
  uint32_t a_other_host = AddResource(batch, "a", {{"host", "2"}});
  uint32_t scope = batch.AddScope();
  uint32_t order[] = {b, a, a_again, a_other_host, b};
  for (size_t i = 0; i < std::size(order); ++i) {
    Span& span = batch.AddSpan(order[i], scope);
    span.trace_id = {0, 1};
    span.span_id = {i + 1};
  }
  std::string json = TraceJson(batch);
  INFO(json);
  simdjson::dom::parser parser;
  element trace = parser.parse(json);
  const char* expected[] = {"p1", "p2", "p2", "p3", "p1"};
  for (size_t i = 0; i < std::size(expected); ++i) {
    CHECK(std::string_view(trace["spans"].at(i)["processID"]) == expected[i]);
  }
  simdjson::dom::object processes = trace["processes"];
  REQUIRE(processes.size() == 3);
  CHECK(std::string_view(processes["p1"]["serviceName"]) == "b");
  CHECK(std::string_view(processes["p2"]["serviceName"]) == "a");
  CHECK(std::string_view(processes["p2"]["tags"].at(0)["value"]) == "1");
  CHECK(std::string_view(processes["p3"]["serviceName"]) == "a");
  CHECK(std::string_view(processes["p3"]["tags"].at(0)["value"]) == "2");
}

TEST_CASE("Jaeger UI JSON writes process ids sorted as Go sorts map keys") {
  SpanBatch batch;
  uint32_t scope = batch.AddScope();
  for (int i = 0; i < 11; ++i) {
    std::string_view service = batch.Copy("svc" + std::to_string(i));
    Span& span = batch.AddSpan(AddResource(batch, service), scope);
    span.span_id = {static_cast<uint64_t>(i + 1)};
  }
  std::string json = TraceJson(batch);
  size_t p1 = json.find("\"p1\":{");
  size_t p10 = json.find("\"p10\":{");
  size_t p11 = json.find("\"p11\":{");
  size_t p2 = json.find("\"p2\":{");
  REQUIRE(p1 != std::string::npos);
  REQUIRE(p2 != std::string::npos);
  CHECK(p1 < p10);
  CHECK(p10 < p11);
  CHECK(p11 < p2);
  simdjson::dom::parser parser;
  element trace = parser.parse(json);
  CHECK(std::string_view(trace["processes"]["p10"]["serviceName"]) == "svc9");
  CHECK(std::string_view(trace["spans"].at(9)["processID"]) == "p10");
}

TEST_CASE("Jaeger UI JSON envelope groups spans by trace and lists errors") {
  SpanBatch batch;
  uint32_t resource = AddResource(batch, "svc");
  uint32_t scope = batch.AddScope();
  const TraceId first{0, 0xa};
  const TraceId second{0x1, 0xb};
  const TraceId trace_ids[] = {first, second, first};
  for (size_t i = 0; i < std::size(trace_ids); ++i) {
    Span& span = batch.AddSpan(resource, scope);
    span.trace_id = trace_ids[i];
    span.span_id = {i + 1};
  }
  const jaeger_ui::Error errors[] = {{0, "trace not found", "00000000000000ff"},
                                     {500, "storage down", ""}};
  std::string out;
  jaeger_ui::AppendTracesResponse(batch, errors, out);
  INFO(out);
  simdjson::dom::parser parser;
  element envelope = parser.parse(out);
  REQUIRE(envelope["data"].get_array().size() == 2);
  element trace_a = envelope["data"].at(0);
  CHECK(std::string_view(trace_a["traceID"]) == "000000000000000a");
  REQUIRE(trace_a["spans"].get_array().size() == 2);
  CHECK(std::string_view(trace_a["spans"].at(0)["spanID"]) == "0000000000000001");
  CHECK(std::string_view(trace_a["spans"].at(1)["spanID"]) == "0000000000000003");
  element trace_b = envelope["data"].at(1);
  CHECK(std::string_view(trace_b["traceID"]) == "0000000000000001000000000000000b");
  CHECK(int64_t(envelope["total"]) == 2);
  CHECK(int64_t(envelope["limit"]) == 0);
  CHECK(int64_t(envelope["offset"]) == 0);
  CHECK(out.find(R"("errors":[{"msg":"trace not found","traceID":"00000000000000ff"},)"
                 R"({"code":500,"msg":"storage down"}]})") != std::string::npos);

  std::string empty;
  jaeger_ui::AppendTracesResponse(SpanBatch(), {}, empty);
  CHECK(empty == R"({"data":[],"total":0,"limit":0,"offset":0,"errors":null})");

  std::string not_found;
  const jaeger_ui::Error not_found_error[] = {{404, "trace not found", ""}};
  jaeger_ui::AppendEnvelope("null", 0, not_found_error, not_found);
  CHECK(
      not_found ==
      R"({"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]})");
  std::string services;
  jaeger_ui::AppendEnvelope(R"(["a","b"])", 2, {}, services);
  CHECK(services == R"({"data":["a","b"],"total":2,"limit":0,"offset":0,"errors":null})");
}

TEST_CASE("Jaeger UI JSON writes the warnings a TraceStyle gives, null where there are none") {
  SpanBatch batch;
  uint32_t resource = AddResource(batch, "svc");
  uint32_t scope = batch.AddScope();
  for (uint64_t id : {0x1, 0x2}) {
    Span& span = batch.AddSpan(resource, scope);
    span.trace_id = {0, 0x1f};
    span.span_id = {id};
  }
  const std::vector<std::string> first_warnings = {"clock skew adjusted", "say \"why\""};
  const std::vector<std::string> trace_warnings = {"truncated"};
  const jaeger_ui::TraceStyle style{
      .tag_order = jaeger_ui::TagOrder::kAsTranslated,
      .span_warnings = [&](const Span& span) -> std::span<const std::string> {
        if (span.span_id.value == 0x1) return first_warnings;
        return {};
      },
      .trace_warnings = trace_warnings,
      .run_both = {},
  };
  std::string out;
  jaeger_ui::TracesEnvelope envelope(out);
  envelope.AddTrace(batch, AllSpans(batch), style);
  envelope.AddTrace(batch, AllSpans(batch));
  envelope.Finish({});

  simdjson::dom::parser parser;
  element document = parser.parse(out);
  CHECK(int64_t(document["total"]) == 2);
  element styled = document["data"].at(0);
  CHECK(std::string_view(styled["spans"].at(0)["warnings"].at(1)) == R"(say "why")");
  CHECK(styled["spans"].at(0)["warnings"].get_array().size() == 2);
  CHECK(styled["spans"].at(1)["warnings"].is_null());
  CHECK(std::string_view(styled["warnings"].at(0)) == "truncated");
  element plain = document["data"].at(1);
  CHECK(plain["spans"].at(0)["warnings"].is_null());
  CHECK(plain["warnings"].is_null());
  CHECK(out.ends_with(R"(],"total":2,"limit":0,"offset":0,"errors":null})"));
}

TEST_CASE("Jaeger UI JSON writes tag text that needs escaping or repair like any other string") {
  // Long enough for the 16-byte plain-text scan to meet the byte in its vector loop and its tail.
  const std::string prefix(21, 'a');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {prefix + "plain", R"(")" + prefix + R"(plain")"},
      {prefix + "\"q\"", R"(")" + prefix + R"(\"q\"")"},
      {prefix + "back\\slash", R"(")" + prefix + R"(back\\slash")"},
      {prefix + "tab\t", R"(")" + prefix + R"(tab\t")"},
      {prefix + "\x7f", "\"" + prefix + "\x7f\""},  // DEL is printable for JSON
      {prefix + "caf\xC3\xA9", "\"" + prefix + "caf\xC3\xA9\""},
      {prefix + "bad\xFF", "\"" + prefix + "bad\xEF\xBF\xBD\""},
      {"\x01", R"("\u0001")"},
  };
  for (const auto& [text, expected] : cases) {
    CAPTURE(text);
    CHECK(RenderedValue(AnyValue::String(text)) == R"("type":"string","value":)" + expected);
  }
  // A key that needs escaping goes through the general path with the same shape.
  SpanBatch batch;
  Span& span = batch.AddSpan(AddResource(batch, "svc"), batch.AddScope());
  span.attributes.push_back({"k\"ey", AnyValue::String("v")});
  CHECK(TraceJson(batch).find(R"({"key":"k\"ey","type":"string","value":"v"})") !=
        std::string::npos);
}

TEST_CASE("Jaeger UI JSON of a large trace is the same when its pieces are written two at once") {
  // Enough spans for two pairs of pieces (2 x 2048, then 2 x 452) and one span left over; the
  // processes first appear in different pieces, and two resources render identically.
  SpanBatch batch;
  const uint32_t resources[] = {
      AddResource(batch, "front", {{"host", "1"}}), AddResource(batch, "back", {{"host", "1"}}),
      AddResource(batch, "front", {{"host", "1"}}), AddResource(batch, "db", {{"host", "2"}})};
  const uint32_t scope = batch.AddScope();
  constexpr size_t kSpans = 5001;
  for (size_t i = 0; i < kSpans; ++i) {
    const uint32_t resource = i < 3000 ? resources[i % 2] : resources[2 + i % 2];
    Span& span = batch.AddSpan(resource, scope);
    span.trace_id = {0, 0xabc};
    span.span_id = {i + 1};
    span.name = "op";
    span.attributes.push_back({"zeta", AnyValue::Int(static_cast<int64_t>(i))});
    span.attributes.push_back({"alpha", AnyValue::String("a \"quoted\" value")});
  }
  const std::vector<std::string> warnings = {"skewed"};
  jaeger_ui::TraceStyle style{
      .tag_order = jaeger_ui::TagOrder::kSortedByKey,
      .span_warnings = [&](const Span& span) -> std::span<const std::string> {
        if (span.span_id.value % 7 == 0) return warnings;
        return {};
      },
      .trace_warnings = warnings,
      .run_both = {},
  };
  const std::vector<const Span*> spans = AllSpans(batch);
  std::string in_turn;
  jaeger_ui::AppendTrace(batch, spans, in_turn, style);

  int splits = 0;
  style.run_both = [&](const std::function<void()>& first, const std::function<void()>& second) {
    ++splits;
    std::thread helper(second);
    first();
    helper.join();
  };
  std::string at_once;
  jaeger_ui::AppendTrace(batch, spans, at_once, style);
  CHECK(splits == 2);
  CHECK(at_once == in_turn);

  style.run_both = [&](const std::function<void()>& first, const std::function<void()>& second) {
    second();
    first();
  };
  std::string second_first;
  jaeger_ui::AppendTrace(batch, spans, second_first, style);
  CHECK(second_first == in_turn);

  simdjson::dom::parser parser;
  element trace = parser.parse(in_turn);
  REQUIRE(trace["spans"].get_array().size() == kSpans);
  CHECK(trace["processes"].get_object().size() == 3);
  CHECK(std::string_view(trace["spans"].at(0)["processID"]) == "p1");
  CHECK(std::string_view(trace["spans"].at(3000)["processID"]) == "p1");
  CHECK(std::string_view(trace["spans"].at(3001)["processID"]) == "p3");
  CHECK(std::string_view(trace["spans"].at(kSpans - 1)["processID"]) == "p1");
  CHECK(std::string_view(trace["spans"].at(kSpans - 1)["tags"].at(0)["key"]) == "alpha");
  CHECK(std::string_view(trace["spans"].at(6)["warnings"].at(0)) == "skewed");
}

TEST_CASE("Jaeger UI JSON of an empty span list is an empty trace") {
  std::string out;
  jaeger_ui::AppendTrace(SpanBatch(), {}, out);
  CHECK(out == R"({"traceID":"","spans":[],"processes":{},"warnings":null})");
}

}  // namespace
}  // namespace ariadne::tracecore
