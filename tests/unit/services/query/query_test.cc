// The query service end to end over HTTP on loopback: every endpoint of reference §4, the
// envelope and error shapes byte for byte, the base path and metrics (golden_test.cc: the
// wire fixtures).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "query_test_support.h"

namespace ariadne::testing {
namespace {

using tracecore::SpanKind;

const std::string kEmptyList = R"({"data":[],"total":0,"limit":0,"offset":0,"errors":null})";

// A two-span trace of "frontend": GET / (server) calling db (client).
std::vector<TestSpan> TwoSpanTrace() {
  return {
      {.id = 1, .name = "GET /", .kind = SpanKind::kServer},
      {.id = 2,
       .parent = 1,
       .name = "db",
       .kind = SpanKind::kClient,
       .start = kT0 + 1 * kMs,
       .duration = 2 * kMs,
       .tags = {{"db.system", "redis"}}},
  };
}

const std::string kTwoSpanTraceJson =
    R"({"traceID":"0000000000000001","spans":[)"
    R"({"traceID":"0000000000000001","spanID":"0000000000000001","operationName":"GET /",)"
    R"("references":[],"startTime":1764240000000000,"duration":10000,)"
    R"("tags":[{"key":"span.kind","type":"string","value":"server"}],"logs":[],)"
    R"("processID":"p1","warnings":null},)"
    R"({"traceID":"0000000000000001","spanID":"0000000000000002","operationName":"db",)"
    R"("references":[{"refType":"CHILD_OF","traceID":"0000000000000001",)"
    R"("spanID":"0000000000000001"}],"startTime":1764240000001000,"duration":2000,)"
    R"("tags":[{"key":"db.system","type":"string","value":"redis"},)"
    R"({"key":"span.kind","type":"string","value":"client"}],"logs":[],)"
    R"("processID":"p1","warnings":null}],)"
    R"("processes":{"p1":{"serviceName":"frontend","tags":[]}},"warnings":null})";

TEST_CASE("GET /api/services lists every service, sorted, in the envelope") {
  RunningQuery query;
  auto empty = query.Get("/api/services");
  CHECK(empty.status == 200);
  CHECK(empty.headers[boost::beast::http::field::content_type] == "application/json");
  CHECK(empty.body == kEmptyList);

  Store(query.store, {{.id = 1, .service = "frontend"}, {.id = 2, .service = "api"}});
  CHECK(query.Get("/api/services").body ==
        R"({"data":["api","frontend"],"total":2,"limit":0,"offset":0,"errors":null})");
}

TEST_CASE("GET /api/services/{service}/operations: names once, the service URL-decoded") {
  RunningQuery query;
  Store(query.store, {{.id = 1, .service = "my svc", .name = "b", .kind = SpanKind::kServer},
                      {.id = 2, .service = "my svc", .name = "a", .kind = SpanKind::kClient},
                      {.id = 3, .service = "my svc", .name = "b", .kind = SpanKind::kClient},
                      {.id = 4, .service = "other", .name = "c"}});
  const std::string expected = R"({"data":["a","b"],"total":2,"limit":0,"offset":0,"errors":null})";
  CHECK(query.Get("/api/services/my%20svc/operations").body == expected);
  CHECK(query.Get("/api/services/my+svc/operations").body == expected);
  CHECK(query.Get("/api/services/nobody/operations").body == kEmptyList);

  auto bad = query.Get("/api/services/my%20svc/other");
  CHECK(bad.status == 404);
  CHECK(query.Get("/api/services//operations").status == 404);
}

TEST_CASE("GET /api/operations: name and span kind, filtered by spanKind") {
  RunningQuery query;
  Store(query.store, {{.id = 1, .name = "b", .kind = SpanKind::kServer},
                      {.id = 2, .name = "a", .kind = SpanKind::kClient},
                      {.id = 3, .name = "c"}});
  CHECK(query.Get("/api/operations?service=frontend").body ==
        R"({"data":[{"name":"a","spanKind":"client"},{"name":"b","spanKind":"server"},)"
        R"({"name":"c","spanKind":""}],"total":3,"limit":0,"offset":0,"errors":null})");
  CHECK(query.Get("/api/operations?service=frontend&spanKind=server").body ==
        R"({"data":[{"name":"b","spanKind":"server"}],"total":1,"limit":0,"offset":0,)"
        R"("errors":null})");
  CHECK(query.Get("/api/operations?service=frontend&spanKind=unspecified").body ==
        R"({"data":[{"name":"c","spanKind":""}],"total":1,"limit":0,"offset":0,"errors":null})");
}

TEST_CASE("GET /api/operations: errors") {
  RunningQuery query;
  auto missing = query.Get("/api/operations?spanKind=server");
  CHECK(missing.status == 400);
  CHECK(missing.headers[boost::beast::http::field::content_type] == "text/plain; charset=utf-8");
  CHECK(missing.headers["X-Content-Type-Options"] == "nosniff");
  CHECK(missing.body == ErrorJson(400, "parameter 'service' is required"));
  auto kind = query.Get("/api/operations?service=frontend&spanKind=SERVER");
  CHECK(kind.status == 400);
  CHECK(kind.body == ErrorJson(400,
                               "unable to parse param 'spanKind': \\\"SERVER\\\" is not a span "
                               "kind; use server, client, producer, consumer, internal or "
                               "unspecified"));
}

TEST_CASE("GET /api/traces/{id}: the trace in the envelope, byte for byte") {
  RunningQuery query;
  Store(query.store, TwoSpanTrace());
  const std::string expected =
      R"({"data":[)" + kTwoSpanTraceJson + R"(],"total":1,"limit":0,"offset":0,"errors":null})";
  CHECK(query.Get("/api/traces/0000000000000001").body == expected);
  // Leading zeros are optional; upper case is fine.
  CHECK(query.Get("/api/traces/1").body == expected);
  CHECK(query.Get("/api/traces/00000000000000000000000000000001").body == expected);
}

TEST_CASE("GET /api/traces/{id}: unknown trace 404, invalid id 400") {
  RunningQuery query;
  Store(query.store, TwoSpanTrace());
  auto unknown = query.Get("/api/traces/abc");
  CHECK(unknown.status == 404);
  CHECK(unknown.body == ErrorJson(404, "trace not found"));
  for (const std::string& id :
       {std::string("xyz"), std::string(33, 'a'), std::string(""), std::string("12/34")}) {
    INFO(id);
    auto invalid = query.Get("/api/traces/" + id);
    CHECK(invalid.status == 400);
    CHECK(invalid.body ==
          ErrorJson(400, "invalid trace id \\\"" + id + "\\\": expected 1 to 32 hex characters"));
  }
}

TEST_CASE("GET /api/traces: search by service returns whole traces, newest first") {
  RunningQuery query;
  Store(query.store, TwoSpanTrace());
  Store(query.store, {{.trace = 2, .id = 7, .service = "frontend", .start = kT0 + 5 * kMs}});
  const std::string window =
      "&start=" + std::to_string(kT0 / kUs) + "&end=" + std::to_string(kT0 / kUs + 1'000'000);
  auto found = query.Get("/api/traces?service=frontend" + window);
  CHECK(found.status == 200);
  const auto document = ParseJson(found.body);
  REQUIRE(document["data"].Size() == 2);
  CHECK(std::string(document["data"][0]["traceID"].GetString()) == "0000000000000002");
  CHECK(std::string(document["data"][1]["traceID"].GetString()) == "0000000000000001");
  CHECK(document["data"][1]["spans"].Size() == 2);
  CHECK(document["total"].GetInt() == 2);
  CHECK(document["errors"].IsNull());

  // The second trace alone, as the same JSON as GET /api/traces/{id}.
  CHECK(query.Get("/api/traces?service=frontend&operation=db" + window).body ==
        R"({"data":[)" + kTwoSpanTraceJson + R"(],"total":1,"limit":0,"offset":0,"errors":null})");
}

TEST_CASE("GET /api/traces?traceID=: multi-get, missing ids in errors") {
  RunningQuery query;
  Store(query.store, TwoSpanTrace());
  auto response = query.Get("/api/traces?traceID=1&traceID=ab&traceID=0000000000000001");
  CHECK(response.status == 200);
  CHECK(response.body ==
        R"({"data":[)" + kTwoSpanTraceJson +
            R"(],"total":1,"limit":0,"offset":0,)"
            R"("errors":[{"msg":"trace not found","traceID":"00000000000000ab"}]})");
}

TEST_CASE("The base path prefixes every route") {
  auto options = QueryLoopbackOptions();
  options.base_path = "/jaeger/";
  RunningQuery query(options);
  Store(query.store, TwoSpanTrace());
  CHECK(query.Get("/jaeger/api/services").body ==
        R"({"data":["frontend"],"total":1,"limit":0,"offset":0,"errors":null})");
  CHECK(query.Get("/jaeger/api/traces/1").status == 200);
  CHECK(query.Get("/jaeger/api/services/frontend/operations").status == 200);
  CHECK(query.Get("/jaeger/api/operations?service=frontend").status == 200);
  CHECK(query.Get("/jaeger/api/dependencies").status == 200);
  CHECK(query.Get("/api/services").status == 404);
  CHECK(query.Get("/api/traces/1").status == 404);
}

TEST_CASE("GET /api/dependencies: links summed per pair, filtered by service, total 0") {
  RunningQuery query;
  Store(query.store, {{.id = 1, .service = "frontend", .kind = SpanKind::kServer},
                      {.id = 2, .parent = 1, .service = "redis", .start = kT0 + kMs},
                      {.id = 3, .parent = 1, .service = "mysql", .start = kT0 + 2 * kMs},
                      {.id = 4, .parent = 1, .service = "redis", .start = kT0 + 3 * kMs}});
  const std::string end = "endTs=" + std::to_string(kT0 / kMs + 1000);
  CHECK(query.Get("/api/dependencies?" + end + "&lookback=60000").body ==
        R"({"data":[{"parent":"frontend","child":"mysql","callCount":1},)"
        R"({"parent":"frontend","child":"redis","callCount":2}],"total":0,"limit":0,)"
        R"("offset":0,"errors":null})");
  CHECK(query.Get("/api/dependencies?" + end + "&lookback=60000&service=mysql").body ==
        R"({"data":[{"parent":"frontend","child":"mysql","callCount":1}],"total":0,"limit":0,)"
        R"("offset":0,"errors":null})");
  // The window ends before the spans.
  CHECK(query.Get("/api/dependencies?endTs=" + std::to_string(kT0 / kMs - 1000) + "&lookback=1000")
            .body == kEmptyList);

  auto bad_end = query.Get("/api/dependencies?endTs=yesterday");
  CHECK(bad_end.status == 400);
  CHECK(bad_end.body ==
        ErrorJson(400,
                  "unable to parse param 'endTs': \\\"yesterday\\\" is not a time in "
                  "milliseconds since the Unix epoch"));
  auto bad_lookback = query.Get("/api/dependencies?lookback=-5");
  CHECK(bad_lookback.status == 400);
  CHECK(bad_lookback.body ==
        ErrorJson(400,
                  "unable to parse param 'lookback': \\\"-5\\\" is not a whole number of "
                  "milliseconds"));
}

TEST_CASE("prettyPrint indents as Go's MarshalIndent with 4 spaces") {
  RunningQuery query;
  Store(query.store, {{.id = 1, .service = "a"}, {.id = 2, .service = "b"}});
  CHECK(query.Get("/api/services?prettyPrint=true").body ==
        "{\n    \"data\": [\n        \"a\",\n        \"b\"\n    ],\n    \"total\": 2,\n"
        "    \"limit\": 0,\n    \"offset\": 0,\n    \"errors\": null\n}");
  CHECK(query.Get("/api/services?prettyPrint=false").body ==
        R"({"data":["a","b"],"total":2,"limit":0,"offset":0,"errors":null})");
  CHECK(query.Get("/api/dependencies?prettyPrint=1&endTs=1").body ==
        "{\n    \"data\": [],\n    \"total\": 0,\n    \"limit\": 0,\n    \"offset\": 0,\n"
        "    \"errors\": null\n}");
}

TEST_CASE("Other methods and paths") {
  RunningQuery query;
  runtime::HttpClient client("127.0.0.1", static_cast<uint16_t>(query.instance->http_port()));
  runtime::HttpClientResponse response;
  REQUIRE(client.Request(boost::beast::http::verb::post, "/api/services", {}, "", response).ok());
  CHECK(response.status == 405);
  CHECK(query.Get("/api/nothing").status == 404);
}

TEST_CASE("Metrics: requests and latency per operation and result") {
  RunningQuery query;
  Store(query.store, TwoSpanTrace());
  query.Get("/api/services");
  query.Get("/api/services/frontend/operations");
  query.Get("/api/operations?service=frontend");
  query.Get("/api/operations");
  query.Get("/api/traces?service=frontend");
  query.Get("/api/traces/1");
  query.Get("/api/traces/2");
  query.Get("/api/dependencies");
  query.Get("/api/nothing");
  const std::string metrics = query.Metrics();
  const auto requests = [&](const std::string& operation, const std::string& result) {
    return Sample(metrics, "jaeger_query_requests_total{operation=\"" + operation + "\",result=\"" +
                               result + "\"}");
  };
  CHECK(requests("get_services", "ok") == 1);
  CHECK(requests("get_operations", "ok") == 2);
  CHECK(requests("get_operations", "err") == 1);
  CHECK(requests("find_traces", "ok") == 1);
  CHECK(requests("get_trace", "ok") == 1);
  CHECK(requests("get_trace", "err") == 1);
  CHECK(requests("get_dependencies", "ok") == 1);
  CHECK(requests("get_dependencies", "err") == 0);  // the series exists from the start
  CHECK(Sample(metrics,
               "jaeger_query_request_duration_seconds_count{operation=\"get_trace\","
               "result=\"err\"}") == 1);
  CHECK(Sample(metrics,
               "jaeger_query_request_duration_seconds_bucket{operation=\"get_services\","
               "result=\"ok\",le=\"+Inf\"}") == 1);
  CHECK(Sample(metrics, "ariadne_query_traces_truncated_total") == 0);
}

}  // namespace
}  // namespace ariadne::testing
