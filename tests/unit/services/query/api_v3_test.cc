// The api_v3 HTTP routes end to end over HTTP on loopback (reference §3.5): every route, both
// parameter spellings (camelCase and snake_case), the gateway's error shape, raw and adjusted
// traces, the span bound, metrics, and the wire fixtures through the store and back as OTLP JSON.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "query_test_support.h"
#include "test_support.h"
#include "tracecore/codec/jaeger_thrift.h"
#include "tracecore/codec/otlp_json.h"
#include "tracecore/codec/otlp_proto.h"
#include "tracecore/codec/zipkin.h"

namespace ariadne::testing {
namespace {

using tracecore::SpanKind;

// kT0 (2025-11-27T10:40:00Z) a minute either side, in both spellings.
const std::string kWindow =
    "query.startTimeMin=2025-11-27T10:39:00Z&query.startTimeMax=2025-11-27T10:41:00Z";
const std::string kSnakeWindow =
    "query.start_time_min=2025-11-27T10:39:00Z&query.start_time_max=2025-11-27T10:41:00Z";

// The exact body of a gateway error answer.
std::string GatewayError(unsigned status, const std::string& message) {
  return R"({"error":{"httpCode":)" + std::to_string(status) + R"(,"message":")" + message +
         "\"}}\n";
}

void CheckError(const runtime::HttpClientResponse& response, unsigned status,
                const std::string& message) {
  CHECK(response.status == status);
  CHECK(response.headers[boost::beast::http::field::content_type] == "text/plain; charset=utf-8");
  CHECK(response.body == GatewayError(status, message));
}

// The spans of {"result": TracesData}, decoded by tracecore's OTLP JSON decoder.
tracecore::SpanBatch DecodeResult(const runtime::HttpClientResponse& response) {
  INFO(response.body);
  REQUIRE(response.status == 200);
  CHECK(response.headers[boost::beast::http::field::content_type] == "application/json");
  ParseJson(response.body);
  const std::string prefix = R"({"result":)";
  REQUIRE(response.body.starts_with(prefix));
  REQUIRE(response.body.ends_with("}"));
  tracecore::SpanBatch batch;
  const std::string_view result =
      batch.Retain(response.body.substr(prefix.size(), response.body.size() - prefix.size() - 1));
  const tracecore::Status decoded = tracecore::otlp::DecodeExportRequestJson(result, batch);
  INFO(decoded.message());
  REQUIRE(decoded.ok());
  return batch;
}

// span id -> span of `batch`.
std::map<uint64_t, const tracecore::Span*> ById(const tracecore::SpanBatch& batch) {
  std::map<uint64_t, const tracecore::Span*> spans;
  for (const tracecore::Span& span : batch.spans()) spans[span.span_id.value] = &span;
  return spans;
}

// The value of the "@jaeger@warnings" attribute as strings; empty when absent.
std::vector<std::string> Warnings(const tracecore::Span& span) {
  const tracecore::Attribute* warnings =
      tracecore::FindAttribute(span.attributes, "@jaeger@warnings");
  std::vector<std::string> out;
  if (warnings == nullptr) return out;
  REQUIRE(warnings->value.type() == tracecore::ValueType::kArray);
  for (size_t i = 0; i < warnings->value.size(); ++i) {
    out.emplace_back(warnings->value.array_begin()[i].string_value());
  }
  return out;
}

// Field-for-field equality of two spans of different batches, with their resources and scopes.
void CheckSameSpan(const tracecore::SpanBatch& a_batch, const tracecore::Span& a,
                   const tracecore::SpanBatch& b_batch, const tracecore::Span& b) {
  INFO("span " << a.span_id.ToHex());
  CHECK(a.trace_id == b.trace_id);
  CHECK(a.parent_span_id == b.parent_span_id);
  CHECK(a.trace_state == b.trace_state);
  CHECK(a.name == b.name);
  CHECK(a.kind == b.kind);
  CHECK(a.flags == b.flags);
  CHECK(a.start_time_unix_nano == b.start_time_unix_nano);
  CHECK(a.end_time_unix_nano == b.end_time_unix_nano);
  CHECK(a.attributes == b.attributes);
  CHECK(a.dropped_attributes_count == b.dropped_attributes_count);
  REQUIRE(a.events.size() == b.events.size());
  for (size_t i = 0; i < a.events.size(); ++i) {
    CHECK(a.events[i].time_unix_nano == b.events[i].time_unix_nano);
    CHECK(a.events[i].name == b.events[i].name);
    CHECK(a.events[i].attributes == b.events[i].attributes);
    CHECK(a.events[i].dropped_attributes_count == b.events[i].dropped_attributes_count);
  }
  CHECK(a.dropped_events_count == b.dropped_events_count);
  REQUIRE(a.links.size() == b.links.size());
  for (size_t i = 0; i < a.links.size(); ++i) {
    CHECK(a.links[i].trace_id == b.links[i].trace_id);
    CHECK(a.links[i].span_id == b.links[i].span_id);
    CHECK(a.links[i].trace_state == b.links[i].trace_state);
    CHECK(a.links[i].attributes == b.links[i].attributes);
    CHECK(a.links[i].flags == b.links[i].flags);
  }
  CHECK(a.dropped_links_count == b.dropped_links_count);
  CHECK(a.status.code == b.status.code);
  CHECK(a.status.message == b.status.message);
  const tracecore::Resource& a_resource = a_batch.resource_of(a);
  const tracecore::Resource& b_resource = b_batch.resource_of(b);
  CHECK(a_resource.attributes == b_resource.attributes);
  CHECK(a_resource.dropped_attributes_count == b_resource.dropped_attributes_count);
  CHECK(a_resource.schema_url == b_resource.schema_url);
  const tracecore::Scope& a_scope = a_batch.scope_of(a);
  const tracecore::Scope& b_scope = b_batch.scope_of(b);
  CHECK(a_scope.name == b_scope.name);
  CHECK(a_scope.version == b_scope.version);
  CHECK(a_scope.attributes == b_scope.attributes);
  CHECK(a_scope.schema_url == b_scope.schema_url);
}

// GET /api/v3/traces for service frontend in kWindow, with `parameter` ("name=value") too.
std::string FrontendSearch(const std::string& parameter) {
  std::string target = "/api/v3/traces?query.serviceName=frontend&";
  target += parameter;
  target += '&';
  target += kWindow;
  return target;
}

// A two-span trace of "frontend": GET / (server) calling db (client).
std::vector<TestSpan> TwoSpanTrace(uint64_t trace = 1) {
  return {
      {.trace = trace, .id = 1, .name = "GET /", .kind = SpanKind::kServer},
      {.trace = trace,
       .id = 2,
       .parent = 1,
       .name = "db",
       .kind = SpanKind::kClient,
       .start = kT0 + 1 * kMs,
       .duration = 2 * kMs,
       .tags = {{"db.system", "redis"}}},
  };
}

TEST_CASE("GET /api/v3/services: {\"services\":[...]}, sorted") {
  RunningQuery query;
  auto empty = query.Get("/api/v3/services");
  CHECK(empty.status == 200);
  CHECK(empty.headers[boost::beast::http::field::content_type] == "application/json");
  CHECK(empty.body == R"({"services":[]})");
  Store(query.store, {{.id = 1, .service = "frontend"}, {.id = 2, .service = "api \"x\""}});
  CHECK(query.Get("/api/v3/services").body == R"({"services":["api \"x\"","frontend"]})");
}

TEST_CASE("GET /api/v3/operations: name and kind, spanKind or span_kind, no kind is internal") {
  RunningQuery query;
  Store(query.store, {{.id = 1, .name = "b", .kind = SpanKind::kServer},
                      {.id = 2, .name = "a", .kind = SpanKind::kClient},
                      {.id = 3, .name = "c"},
                      {.id = 4, .name = "c", .kind = SpanKind::kInternal},
                      {.id = 5, .service = "other", .name = "d"}});
  CHECK(query.Get("/api/v3/operations?service=frontend").body ==
        R"({"operations":[{"name":"a","spanKind":"client"},{"name":"b","spanKind":"server"},)"
        R"({"name":"c","spanKind":"internal"}]})");
  const std::string servers = R"({"operations":[{"name":"b","spanKind":"server"}]})";
  CHECK(query.Get("/api/v3/operations?service=frontend&spanKind=server").body == servers);
  CHECK(query.Get("/api/v3/operations?service=frontend&span_kind=server").body == servers);
  // The camelCase name wins when both are given.
  CHECK(query.Get("/api/v3/operations?service=frontend&spanKind=server&span_kind=client").body ==
        servers);
  CHECK(query.Get("/api/v3/operations?service=nobody").body == R"({"operations":[]})");

  CheckError(query.Get("/api/v3/operations?spanKind=server"), 400,
             "parameter service is required: the service whose operations to list");
  CheckError(query.Get("/api/v3/operations?service=frontend&span_kind=SERVER"), 400,
             "malformed parameter span_kind: \\\"SERVER\\\" is not a span kind; use server, "
             "client, producer, consumer, internal or unspecified");
}

TEST_CASE("GET /api/v3/traces/{id}: the trace as OTLP JSON in {\"result\":...}") {
  RunningQuery query;
  Store(query.store, TwoSpanTrace());
  for (const std::string& id : {std::string("1"), std::string("0000000000000001"),
                                std::string("00000000000000000000000000000001")}) {
    INFO(id);
    auto response = query.Get("/api/v3/traces/" + id);
    // OTLP JSON: 32-character hex trace ids, integer enums.
    CHECK(response.body.starts_with(R"({"result":{"resourceSpans":[{"resource":{"attributes":)"));
    CHECK(response.body.find(R"("traceId":"00000000000000000000000000000001")") !=
          std::string::npos);
    CHECK(response.body.find(R"("kind":2)") != std::string::npos);
    const tracecore::SpanBatch batch = DecodeResult(response);
    REQUIRE(batch.spans().size() == 2);
    const auto spans = ById(batch);
    CHECK(spans.at(1)->name == "GET /");
    CHECK(spans.at(2)->parent_span_id.value == 1);
    CHECK(spans.at(2)->start_time_unix_nano == kT0 + kMs);
    CHECK(batch.resource_of(*spans.at(1)).ServiceName() == "frontend");
  }
}

TEST_CASE("GET /api/v3/traces/{id}: parameters in both spellings, errors") {
  RunningQuery query;
  Store(query.store, TwoSpanTrace());
  for (const std::string& parameters :
       {std::string("startTime=2025-11-27T10:39:00Z&endTime=2025-11-27T10:41:00.123456789Z"),
        std::string("start_time=2025-11-27T12:39:00%2B02:00&end_time=2025-11-27T10:41:00Z"),
        std::string("rawTraces=true"), std::string("raw_traces=0")}) {
    INFO(parameters);
    CHECK(query.Get("/api/v3/traces/1?" + parameters).status == 200);
  }
  CheckError(query.Get("/api/v3/traces/2"), 404, "No traces found");
  CheckError(query.Get("/api/v3/traces/xyz"), 400,
             "malformed parameter trace_id: invalid trace id \\\"xyz\\\": expected 1 to 32 hex "
             "characters");
  CheckError(query.Get("/api/v3/traces/1?start_time=yesterday"), 400,
             "malformed parameter start_time: \\\"yesterday\\\" is not an RFC 3339 time such as "
             "2025-11-27T10:40:00Z or 2025-11-27T12:40:00.5+02:00");
  CheckError(query.Get("/api/v3/traces/1?endTime=2025-02-30T00:00:00Z"), 400,
             "malformed parameter endTime: \\\"2025-02-30T00:00:00Z\\\" is out of range (month "
             "1-12, a day of that month, hour 0-23, minute and second 0-59)");
  CheckError(query.Get("/api/v3/traces/1?startTime=1969-12-31T23:59:59Z"), 400,
             "malformed parameter startTime: \\\"1969-12-31T23:59:59Z\\\" is before "
             "1970-01-01T00:00:00Z");
  CheckError(query.Get("/api/v3/traces/1?rawTraces=yes"), 400,
             "malformed parameter rawTraces: \\\"yes\\\" is not a boolean; use true or false");
  CHECK(query.Get("/api/v3/traces/1/2").status == 404);
}

// A parent on one host and a child on another that starts before it: the clock-skew adjuster
// (disabled by default) warns on the child. The child is stored twice: the deduplicating
// adjuster shows it once.
std::vector<TestSpan> SkewedTrace() {
  const TestSpan child = {.id = 2,
                          .parent = 1,
                          .service = "backend",
                          .start = kT0 - 5 * kMs,
                          .duration = 2 * kMs,
                          .process = {{"ip", "10.0.0.2"}}};
  return {{.id = 1, .process = {{"ip", "10.0.0.1"}}}, child, child};
}

TEST_CASE("GET /api/v3/traces/{id}: adjusted unless rawTraces, warnings as @jaeger@warnings") {
  RunningQuery query;
  Store(query.store, SkewedTrace());

  const tracecore::SpanBatch adjusted = DecodeResult(query.Get("/api/v3/traces/1"));
  REQUIRE(adjusted.spans().size() == 2);
  const auto spans = ById(adjusted);
  CHECK(Warnings(*spans.at(1)).empty());
  const std::vector<std::string> warnings = Warnings(*spans.at(2));
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].starts_with("clock skew adjustment disabled; not applying calculated delta"));
  // One ResourceSpans per resource: the copies of the child share theirs.
  CHECK(adjusted.resources().size() == 2);

  for (const std::string& raw : {std::string("rawTraces=true"), std::string("raw_traces=1")}) {
    INFO(raw);
    const tracecore::SpanBatch batch = DecodeResult(query.Get("/api/v3/traces/1?" + raw));
    REQUIRE(batch.spans().size() == 3);
    for (const tracecore::Span& span : batch.spans()) CHECK(Warnings(span).empty());
  }
}

TEST_CASE("GET /api/v3/traces/{id}: a trace over --query.max-trace-size is truncated") {
  auto options = QueryLoopbackOptions();
  options.max_trace_size = 3;
  RunningQuery query(options);
  std::vector<TestSpan> spans;
  for (uint64_t id = 1; id <= 5; ++id) spans.push_back({.id = id, .start = kT0 + id * kMs});
  Store(query.store, spans);
  for (const std::string& raw : {std::string("false"), std::string("true")}) {
    INFO(raw);
    const tracecore::SpanBatch batch = DecodeResult(query.Get("/api/v3/traces/1?rawTraces=" + raw));
    REQUIRE(batch.spans().size() == 3);
    const std::vector<std::string> warnings = Warnings(batch.spans()[0]);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] ==
          "this trace has more than 3 spans; only 3 are shown (--query.max-trace-size bounds the "
          "spans of one response)");
  }
}

TEST_CASE("GET /api/v3/traces: search in both spellings, traces concatenated") {
  RunningQuery query;
  Store(query.store, TwoSpanTrace(1));
  Store(query.store, {{.trace = 2, .id = 7, .name = "other", .start = kT0 + 5 * kMs}});
  Store(query.store, {{.trace = 3, .id = 8, .service = "api"}});

  const auto trace_ids = [](const tracecore::SpanBatch& batch) {
    std::vector<uint64_t> ids;
    for (const tracecore::Span& span : batch.spans()) {
      if (std::find(ids.begin(), ids.end(), span.trace_id.low) == ids.end()) {
        ids.push_back(span.trace_id.low);
      }
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  using Ids = std::vector<uint64_t>;
  SECTION("service and window") {
    for (const std::string& target :
         {"/api/v3/traces?query.serviceName=frontend&" + kWindow,
          "/api/v3/traces?query.service_name=frontend&" + kSnakeWindow}) {
      INFO(target);
      const tracecore::SpanBatch batch = DecodeResult(query.Get(target));
      CHECK(batch.spans().size() == 3);
      CHECK(trace_ids(batch) == Ids{1, 2});
    }
  }
  SECTION("operation") {
    for (const std::string name : {"query.operationName", "query.operation_name"}) {
      CHECK(trace_ids(DecodeResult(query.Get(FrontendSearch(name + "=db")))) == Ids{1});
    }
  }
  SECTION("search depth: query.searchDepth, query.search_depth, query.num_traces") {
    for (const std::string name : {"query.searchDepth", "query.search_depth", "query.num_traces"}) {
      INFO(name);
      // The newest trace first.
      CHECK(trace_ids(DecodeResult(query.Get(FrontendSearch(name + "=1")))) == Ids{2});
    }
  }
  SECTION("durations") {
    CHECK(trace_ids(DecodeResult(query.Get(
              "/api/v3/traces?query.serviceName=frontend&query.durationMax=5ms&" + kWindow))) ==
          Ids{1});
    CHECK(trace_ids(DecodeResult(query.Get(
              "/api/v3/traces?query.serviceName=frontend&query.duration_min=5ms&" + kWindow))) ==
          Ids{1, 2});
    CheckError(query.Get("/api/v3/traces?query.serviceName=frontend&query.duration_min=20ms&"
                         "query.duration_max=5ms&" +
                         kWindow),
               400,
               "malformed parameter query.duration_max: query.duration_max must not be less than "
               "query.duration_min");
  }
  SECTION("attributes") {
    CHECK(trace_ids(DecodeResult(
              query.Get("/api/v3/traces?query.serviceName=frontend&query.attributes=%7B%22db."
                        "system%22%3A%22redis%22%7D&" +
                        kWindow))) == Ids{1});
    CheckError(query.Get("/api/v3/traces?query.serviceName=frontend&query.attributes=%7B%22a%22%"
                         "3A1%7D&" +
                         kWindow),
               400,
               "malformed parameter query.attributes: the value of \\\"a\\\" is not a string; "
               "quote every value, e.g. {\\\"http.status_code\\\":\\\"500\\\"}");
  }
  SECTION("the start bounds: max exclusive") {
    CheckError(query.Get("/api/v3/traces?query.serviceName=frontend&query.startTimeMin=2025-11-"
                         "27T10:40:00.002Z&query.startTimeMax=2025-11-27T10:40:00.005Z"),
               404, "No traces found");
    CHECK(trace_ids(DecodeResult(query.Get(
              "/api/v3/traces?query.serviceName=frontend&query.startTimeMin=2025-11-"
              "27T10:40:00.002Z&query.startTimeMax=2025-11-27T10:40:00.005000001Z"))) == Ids{2});
  }
  SECTION("nothing found") {
    CheckError(query.Get("/api/v3/traces?query.serviceName=nobody&" + kWindow), 404,
               "No traces found");
  }
}

TEST_CASE("GET /api/v3/traces: bad parameters are 400 with the parameter's name") {
  RunningQuery query;
  Store(query.store, TwoSpanTrace());
  const std::string service = "/api/v3/traces?query.serviceName=frontend&";
  CheckError(query.Get("/api/v3/traces?" + kWindow), 400,
             "query.serviceName (or query.service_name) is required: the service whose traces to "
             "find");
  const std::string times_required =
      "query.startTimeMin and query.startTimeMax are required (also spelled "
      "query.start_time_min and query.start_time_max): RFC 3339 times such as "
      "2025-11-27T10:40:00Z or 2025-11-27T12:40:00.5+02:00";
  CheckError(query.Get(service + "query.startTimeMin=2025-11-27T10:39:00Z"), 400, times_required);
  CheckError(query.Get(service + "query.start_time_max=2025-11-27T10:39:00Z"), 400, times_required);
  CheckError(
      query.Get(service + "query.start_time_min=2025-11-27%2010:39:00&query.startTimeMax=2025-11-"
                          "27T10:39:00Z"),
      400,
      "malformed parameter query.start_time_min: \\\"2025-11-27 10:39:00\\\" is not an "
      "RFC 3339 time such as 2025-11-27T10:40:00Z or 2025-11-27T12:40:00.5+02:00");
  CheckError(
      query.Get(service + "query.startTimeMin=2025-11-27T10:39:00Z&query.startTimeMax=2025-11-"
                          "27T10:39:00Z"),
      400,
      "malformed parameter query.startTimeMin: query.startTimeMin must be before "
      "query.startTimeMax");
  CheckError(query.Get(service + "query.searchDepth=-1&" + kWindow), 400,
             "malformed parameter query.searchDepth: \\\"-1\\\" is not a whole number of traces");
  CheckError(query.Get(service + "query.num_traces=100001&" + kWindow), 400,
             "malformed parameter query.num_traces: \\\"100001\\\" is more than 100000, the most "
             "spans (and so traces) one response holds (--query.max-trace-size)");
  CheckError(query.Get(service + "query.search_depth=99999999999999999999999&" + kWindow), 400,
             "malformed parameter query.search_depth: \\\"99999999999999999999999\\\" is more "
             "than 100000, the most spans (and so traces) one response holds "
             "(--query.max-trace-size)");
  auto duration = query.Get(service + "query.durationMin=-5ms&" + kWindow);
  CHECK(duration.status == 400);
  CHECK(duration.body.find("malformed parameter query.durationMin: ") != std::string::npos);
  CheckError(query.Get(service + "query.raw_traces=maybe&" + kWindow), 400,
             "malformed parameter query.raw_traces: \\\"maybe\\\" is not a boolean; use true or "
             "false");
  auto attributes = query.Get(service + "query.attributes=%5B1%5D&" + kWindow);
  CHECK(attributes.status == 400);
  CHECK(attributes.body.find("malformed parameter query.attributes: expected a JSON object") !=
        std::string::npos);
  // Go's json.Marshal escapes HTML characters in the message.
  CHECK(query.Get(service + "query.rawTraces=%3C&" + kWindow).body ==
        GatewayError(400,
                     "malformed parameter query.rawTraces: \\\"\\u003c\\\" is not a boolean; "
                     "use true or false"));
}

TEST_CASE("GET /api/v3/traces: raw or adjusted, and the span bound across traces") {
  auto options = QueryLoopbackOptions();
  options.max_trace_size = 4;
  RunningQuery query(options);
  Store(query.store, SkewedTrace());
  Store(query.store, TwoSpanTrace(5));
  const std::string search = "/api/v3/traces?query.serviceName=frontend&" + kWindow;
  // Trace 5 (its frontend span is the newest) first with 2 spans; trace 1 then has 2 of the 4
  // spans left and is truncated. Adjusted, the duplicate among them (if both were loaded) is
  // shown once.
  const tracecore::SpanBatch adjusted = DecodeResult(query.Get(search));
  CHECK(adjusted.spans().size() >= 3);
  CHECK(adjusted.spans().size() <= 4);
  const tracecore::SpanBatch raw = DecodeResult(query.Get(search + "&query.rawTraces=true"));
  CHECK(raw.spans().size() == 4);
  size_t truncated = 0;
  for (const tracecore::Span& span : raw.spans()) {
    for (const std::string& warning : Warnings(span)) {
      truncated += warning.starts_with("this trace has more than 2 spans") ? 1 : 0;
    }
  }
  CHECK(truncated == 1);

  // Two traces, the first filling the bound: the second is left out, which the first says.
  options.max_trace_size = 2;
  RunningQuery small(options);
  Store(small.store, TwoSpanTrace(1));
  Store(small.store, TwoSpanTrace(2));
  const tracecore::SpanBatch bounded = DecodeResult(small.Get(search));
  REQUIRE(bounded.spans().size() == 2);
  bool said = false;
  for (const tracecore::Span& span : bounded.spans()) {
    for (const std::string& warning : Warnings(span)) {
      said = said || warning ==
                         "the response holds 2 spans, the most one response may "
                         "(--query.max-trace-size); 1 more traces were not loaded: narrow the "
                         "search or lower query.searchDepth";
    }
  }
  CHECK(said);
}

TEST_CASE("GET /api/v3/trace-summaries: one summary per trace, no span bodies") {
  RunningQuery query;
  Store(
      query.store,
      {{.id = 1, .name = "GET /", .kind = SpanKind::kServer},
       {.id = 2, .parent = 1, .service = "redis", .start = kT0 + kMs, .tags = {{"error", "true"}}},
       {.id = 3, .parent = 1, .service = "api", .start = kT0 + 2 * kMs, .duration = 20 * kMs},
       {.id = 4, .parent = 99, .service = "api", .start = kT0 + 3 * kMs}});
  Store(query.store, {{.trace = 2, .id = 9, .name = "later", .start = kT0 + 5 * kMs}});
  const std::string trace1 =
      R"({"traceId":"00000000000000000000000000000001","rootServiceName":"frontend",)"
      R"("rootOperationName":"GET /","minStartTimeUnixNano":"1764240000000000000",)"
      R"("maxEndTimeUnixNano":"1764240000022000000","spanCount":4,"errorSpanCount":1,)"
      R"("orphanSpanCount":1,"services":[{"name":"api","spanCount":2,"errorSpanCount":0},)"
      R"({"name":"frontend","spanCount":1,"errorSpanCount":0},)"
      R"({"name":"redis","spanCount":1,"errorSpanCount":1}]})";
  const std::string trace2 =
      R"({"traceId":"00000000000000000000000000000002","rootServiceName":"frontend",)"
      R"("rootOperationName":"later","minStartTimeUnixNano":"1764240000005000000",)"
      R"("maxEndTimeUnixNano":"1764240000015000000","spanCount":1,"errorSpanCount":0,)"
      R"("orphanSpanCount":0,"services":[{"name":"frontend","spanCount":1,"errorSpanCount":0}]})";
  const std::string both = R"({"summaries":[)" + trace2 + "," + trace1 + "]}";
  for (const std::string& window : {kWindow, kSnakeWindow}) {
    auto response = query.Get("/api/v3/trace-summaries?query.serviceName=frontend&" + window);
    CHECK(response.status == 200);
    CHECK(response.headers[boost::beast::http::field::content_type] == "application/json");
    CHECK(response.body == both);
  }
  CHECK(
      query.Get("/api/v3/trace-summaries?query.service_name=frontend&query.num_traces=1&" + kWindow)
          .body == R"({"summaries":[)" + trace2 + "]}");
  CHECK(query.Get("/api/v3/trace-summaries?query.serviceName=nobody&" + kWindow).body ==
        R"({"summaries":[]})");
  CheckError(query.Get("/api/v3/trace-summaries?query.serviceName=frontend"), 400,
             "query.startTimeMin and query.startTimeMax are required (also spelled "
             "query.start_time_min and query.start_time_max): RFC 3339 times such as "
             "2025-11-27T10:40:00Z or 2025-11-27T12:40:00.5+02:00");
}

TEST_CASE("GET /api/v3/dependencies: links summed per pair, call counts as strings") {
  RunningQuery query;
  Store(query.store, {{.id = 1, .service = "frontend", .kind = SpanKind::kServer},
                      {.id = 2, .parent = 1, .service = "redis", .start = kT0 + kMs},
                      {.id = 3, .parent = 1, .service = "mysql", .start = kT0 + 2 * kMs},
                      {.id = 4, .parent = 1, .service = "redis", .start = kT0 + 3 * kMs}});
  const std::string expected =
      R"({"dependencies":[{"parent":"frontend","child":"mysql","callCount":"1"},)"
      R"({"parent":"frontend","child":"redis","callCount":"2"}]})";
  auto response =
      query.Get("/api/v3/dependencies?startTime=2025-11-27T10:39:00Z&endTime=2025-11-27T10:41:00Z");
  CHECK(response.status == 200);
  CHECK(response.headers[boost::beast::http::field::content_type] == "application/json");
  CHECK(response.body == expected);
  CHECK(query
            .Get("/api/v3/dependencies?start_time=2025-11-27T10:39:00Z&end_time=2025-11-27T10:41:"
                 "00Z")
            .body == expected);
  // The window ends before the spans.
  CHECK(query
            .Get("/api/v3/dependencies?startTime=2025-11-27T10:00:00Z&endTime=2025-11-27T10:10:"
                 "00Z")
            .body == R"({"dependencies":[]})");

  const std::string required =
      "startTime and endTime are required (also spelled start_time and end_time): RFC 3339 times "
      "such as 2025-11-27T10:40:00Z or 2025-11-27T12:40:00.5+02:00";
  CheckError(query.Get("/api/v3/dependencies"), 400, required);
  CheckError(query.Get("/api/v3/dependencies?start_time=2025-11-27T10:39:00Z"), 400, required);
  CheckError(query.Get("/api/v3/dependencies?start_time=2025-11-27T10:41:00Z&endTime=2025-11-"
                       "27T10:41:00Z"),
             400, "malformed parameter endTime: endTime must be after start_time");
  CheckError(query.Get("/api/v3/dependencies?startTime=now&endTime=2025-11-27T10:41:00Z"), 400,
             "malformed parameter startTime: \\\"now\\\" is not an RFC 3339 time such as "
             "2025-11-27T10:40:00Z or 2025-11-27T12:40:00.5+02:00");
}

TEST_CASE("api_v3: the base path prefixes every route") {
  auto options = QueryLoopbackOptions();
  options.base_path = "/jaeger";
  RunningQuery query(options);
  Store(query.store, TwoSpanTrace());
  CHECK(query.Get("/jaeger/api/v3/services").body == R"({"services":["frontend"]})");
  CHECK(query.Get("/jaeger/api/v3/operations?service=frontend").status == 200);
  CHECK(query.Get("/jaeger/api/v3/traces/1").status == 200);
  CHECK(query.Get("/jaeger/api/v3/traces?query.serviceName=frontend&" + kWindow).status == 200);
  CHECK(query.Get("/jaeger/api/v3/trace-summaries?query.serviceName=frontend&" + kWindow).status ==
        200);
  CHECK(query
            .Get("/jaeger/api/v3/dependencies?startTime=2025-11-27T10:39:00Z&endTime=2025-11-"
                 "27T10:41:00Z")
            .status == 200);
  CHECK(query.Get("/api/v3/services").status == 404);
  CHECK(query.Get("/api/v3/traces/1").status == 404);
}

TEST_CASE("api_v3: metrics count each route under its operation") {
  RunningQuery query;
  Store(query.store, TwoSpanTrace());
  query.Get("/api/v3/services");
  query.Get("/api/v3/operations?service=frontend");
  query.Get("/api/v3/operations");
  query.Get("/api/v3/traces/1");
  query.Get("/api/v3/traces/2");
  query.Get("/api/v3/traces?query.serviceName=frontend&" + kWindow);
  query.Get("/api/v3/trace-summaries?query.serviceName=frontend&" + kWindow);
  query.Get("/api/v3/traces?query.serviceName=frontend");
  query.Get("/api/v3/dependencies?startTime=2025-11-27T10:39:00Z&endTime=2025-11-27T10:41:00Z");
  const std::string metrics = query.Metrics();
  const auto requests = [&](const std::string& operation, const std::string& result) {
    return Sample(metrics, "jaeger_query_requests_total{operation=\"" + operation + "\",result=\"" +
                               result + "\"}");
  };
  CHECK(requests("get_services", "ok") == 1);
  CHECK(requests("get_operations", "ok") == 1);
  CHECK(requests("get_operations", "err") == 1);
  CHECK(requests("get_trace", "ok") == 1);
  CHECK(requests("get_trace", "err") == 1);
  CHECK(requests("find_traces", "ok") == 2);
  CHECK(requests("find_traces", "err") == 1);
  CHECK(requests("get_dependencies", "ok") == 1);
}

// Decodes a fixture with `decode`, stores it, reads the trace back raw through
// /api/v3/traces/{id} and decodes the OTLP JSON again: the same spans, field for field. Adjusted,
// and through the search, the same four spans come back.
template <typename Decode>
void CheckFixtureRoundTrip(const std::string& fixture, Decode decode) {
  RunningQuery query;
  tracecore::SpanBatch stored;
  const std::string_view bytes = stored.Retain(ReadWireFixture(fixture));
  const tracecore::Status decoded = decode(bytes, stored);
  INFO(decoded.message());
  REQUIRE(decoded.ok());
  REQUIRE(stored.spans().size() == 4);
  REQUIRE(query.store.WriteBatch(stored).ok());
  const std::string id = stored.spans()[0].trace_id.ToHex();
  CHECK(id == "a1b2c3d4e5f607180000000000000001");

  const tracecore::SpanBatch raw =
      DecodeResult(query.Get("/api/v3/traces/" + id + "?raw_traces=1"));
  REQUIRE(raw.spans().size() == 4);
  const auto read = ById(raw);
  for (const tracecore::Span& span : stored.spans()) {
    REQUIRE(read.count(span.span_id.value) == 1);
    CheckSameSpan(stored, span, raw, *read.at(span.span_id.value));
  }

  const tracecore::SpanBatch adjusted = DecodeResult(query.Get("/api/v3/traces/" + id));
  CHECK(ById(adjusted).size() == 4);
  const tracecore::SpanBatch found = DecodeResult(
      query.Get("/api/v3/traces?query.serviceName=frontend&query.rawTraces=true&" + kWindow));
  REQUIRE(found.spans().size() == 4);
  for (const tracecore::Span& span : stored.spans()) {
    CheckSameSpan(stored, span, found, *ById(found).at(span.span_id.value));
  }
  CHECK(query.Get("/api/v3/trace-summaries?query.serviceName=frontend&" + kWindow).body ==
        R"({"summaries":[{"traceId":"a1b2c3d4e5f607180000000000000001",)"
        R"("rootServiceName":"frontend","rootOperationName":"HTTP GET /dispatch",)"
        R"("minStartTimeUnixNano":"1764240000000000000",)"
        R"("maxEndTimeUnixNano":"1764240000030000000","spanCount":4,"errorSpanCount":1,)"
        R"("orphanSpanCount":0,"services":[{"name":"frontend","spanCount":4,)"
        R"("errorSpanCount":1}]}]})");
}

TEST_CASE("The wire fixtures round trip through api_v3 as OTLP JSON") {
  SECTION("OTLP protobuf") {
    CheckFixtureRoundTrip("otlp-http-export-request.bin", [](auto bytes, auto& batch) {
      return tracecore::otlp::DecodeExportRequest(bytes, batch);
    });
  }
  SECTION("OTLP JSON") {
    CheckFixtureRoundTrip("otlp-http-export-request.json", [](auto bytes, auto& batch) {
      return tracecore::otlp::DecodeExportRequestJson(bytes, batch);
    });
  }
  SECTION("Jaeger Thrift binary") {
    CheckFixtureRoundTrip("jaeger-thrift-binary-http-batch.bin", [](auto bytes, auto& batch) {
      return tracecore::jaeger_thrift::DecodeBatch(
          bytes, tracecore::jaeger_thrift::Protocol::kBinary, batch);
    });
  }
  SECTION("Zipkin v2 JSON") {
    CheckFixtureRoundTrip("zipkin-v2-spans.json", [](auto bytes, auto& batch) {
      return tracecore::zipkin::DecodeV2Json(bytes, batch);
    });
  }
}

}  // namespace
}  // namespace ariadne::testing
