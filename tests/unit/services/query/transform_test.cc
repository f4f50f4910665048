// POST /api/transform: OTLP JSON in, the Jaeger UI's traces out (reference §4), rendered exactly
// as /api/traces/{id}?raw=true renders the same spans once stored; nothing is stored.
#include <catch2/catch.hpp>
#include <string>

#include "query_test_support.h"
#include "test_support.h"
#include "tracecore/codec/otlp_json.h"

namespace ariadne::testing {
namespace {

constexpr std::string_view kFixtureTrace = "a1b2c3d4e5f607180000000000000001";

TEST_CASE("transform: the OTLP JSON fixture renders as the stored trace does") {
  RunningQuery query;
  const std::string body = ReadWireFixture("otlp-http-export-request.json");
  auto transformed = query.Post("/api/transform", body);
  REQUIRE(transformed.status == 200);
  CHECK(transformed.headers[boost::beast::http::field::content_type] == "application/json");

  std::vector<std::string> services;
  REQUIRE(query.store.GetServices(services).ok());
  CHECK(services.empty());  // nothing was stored

  tracecore::SpanBatch batch;
  REQUIRE(tracecore::otlp::DecodeExportRequestJson(body, batch).ok());
  REQUIRE(query.store.WriteBatch(batch).ok());
  const std::string stored =
      query.Get("/api/traces/" + std::string(kFixtureTrace) + "?raw=true").body;
  CHECK(transformed.body == stored);
  const auto document = ParseJson(transformed.body);
  CHECK(document["data"][0]["spans"].Size() == 4);
}

TEST_CASE("transform: one trace per trace id, in the order they first appear") {
  RunningQuery query;
  const std::string body = R"({"resourceSpans":[{"resource":{"attributes":[{"key":
      "service.name","value":{"stringValue":"a"}}]},"scopeSpans":[{"spans":[
      {"traceId":"00000000000000000000000000000002","spanId":"0000000000000001","name":"x",
       "startTimeUnixNano":"1000","endTimeUnixNano":"2000"},
      {"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","name":"y",
       "startTimeUnixNano":"1000","endTimeUnixNano":"2000"},
      {"traceId":"00000000000000000000000000000002","spanId":"0000000000000003","name":"z",
       "parentSpanId":"0000000000000001","startTimeUnixNano":"1500","endTimeUnixNano":"1600"}
      ]}]}]})";
  auto response = query.Post("/api/transform?prettyPrint=true", body);
  REQUIRE(response.status == 200);
  const auto document = ParseJson(response.body);
  CHECK(document["total"].GetInt() == 2);
  REQUIRE(document["data"].Size() == 2);
  CHECK(std::string(document["data"][0]["traceID"].GetString()) == "0000000000000002");
  CHECK(document["data"][0]["spans"].Size() == 2);
  CHECK(std::string(document["data"][1]["traceID"].GetString()) == "0000000000000001");
  CHECK(document["data"][1]["spans"].Size() == 1);
  CHECK(response.body.find("\n    \"data\"") != std::string::npos);  // prettyPrint
}

TEST_CASE("transform: a body that is not OTLP JSON is 400 with the reason") {
  RunningQuery query;
  const std::string body =
      GENERATE(as<std::string>(), "", "not json", "[1,2]",
               R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":7}]}]}]})");
  INFO(body);
  auto response = query.Post("/api/transform", body);
  CHECK(response.status == 400);
  CHECK_THAT(response.body, Catch::Contains("the body is not OTLP JSON"));
}

TEST_CASE("transform: more spans than --query.max-trace-size is 413") {
  auto options = QueryLoopbackOptions();
  options.max_trace_size = 3;
  RunningQuery query(options);
  std::string spans;
  for (int i = 1; i <= 4; ++i) {
    if (!spans.empty()) spans += ',';
    spans += R"({"traceId":"00000000000000000000000000000001","spanId":"000000000000000)" +
             std::to_string(i) + R"(","name":"s","startTimeUnixNano":"1","endTimeUnixNano":"2"})";
  }
  auto response = query.Post("/api/transform",
                             R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + spans + "]}]}]}");
  CHECK(response.status == 413);
  CHECK_THAT(response.body, Catch::Contains("--query.max-trace-size=3"));
}

TEST_CASE("transform: GET is not the transform method: 405, not the UI's page") {
  RunningQuery query;
  auto response = query.Get("/api/transform");
  CHECK(response.status == 405);
  CHECK(response.body == "method GET is not allowed for /api/transform; allowed: POST");
}

}  // namespace
}  // namespace ariadne::testing
