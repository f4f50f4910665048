// The search parameters of GET /api/traces (reference §4.1; services/query/src/
// query_parameters.cc) through HTTP: each one alone and combined, the time window, and every bad
// value answered 400 with its message.
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "query_test_support.h"

namespace ariadne::testing {
namespace {

using tracecore::SpanKind;

constexpr uint64_t kT0Us = kT0 / kUs;

// Percent-encodes everything but unreserved characters.
std::string Encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += '%';
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out;
}

const std::string kWindow =
    "&start=" + std::to_string(kT0Us) + "&end=" + std::to_string(kT0Us + 3'600'000'000ULL);

// Five traces of "shop" (and one of "other"), each one span unless said:
//   1 checkout  20 ms  http.status_code=500, error=true   at T0+1s
//   2 checkout  200 ms http.status_code=200                at T0+2s
//   3 cart      5 ms   http.status_code=200, region=eu     at T0+3s
//   4 cart      1 s    region=us; a second span "db" 2 ms  at T0+4s
//   5 other service                                         at T0+5s
void StoreShop(storage::MemoryStore& store) {
  Store(store, {{.trace = 1,
                 .id = 1,
                 .service = "shop",
                 .name = "checkout",
                 .kind = SpanKind::kServer,
                 .start = kT0 + 1000 * kMs,
                 .duration = 20 * kMs,
                 .tags = {{"http.status_code", "500"}, {"error", "true"}}},
                {.trace = 2,
                 .id = 2,
                 .service = "shop",
                 .name = "checkout",
                 .kind = SpanKind::kServer,
                 .start = kT0 + 2000 * kMs,
                 .duration = 200 * kMs,
                 .tags = {{"http.status_code", "200"}}},
                {.trace = 3,
                 .id = 3,
                 .service = "shop",
                 .name = "cart",
                 .start = kT0 + 3000 * kMs,
                 .duration = 5 * kMs,
                 .tags = {{"http.status_code", "200"}, {"region", "eu"}}},
                {.trace = 4,
                 .id = 4,
                 .service = "shop",
                 .name = "cart",
                 .start = kT0 + 4000 * kMs,
                 .duration = 1000 * kMs,
                 .tags = {{"region", "us"}}},
                {.trace = 4,
                 .id = 5,
                 .parent = 4,
                 .service = "shop",
                 .name = "db",
                 .start = kT0 + 4001 * kMs,
                 .duration = 2 * kMs},
                {.trace = 5, .id = 6, .service = "other", .start = kT0 + 5000 * kMs}});
}

// The trace ids (low halves) a search returns, in order.
std::vector<uint64_t> Found(RunningQuery& query, const std::string& parameters) {
  const auto response = query.Get("/api/traces?" + parameters);
  INFO(parameters << "\n" << response.body);
  REQUIRE(response.status == 200);
  const auto document = ParseJson(response.body);
  std::vector<uint64_t> ids;
  for (const auto& trace : document["data"].GetArray()) {
    ids.push_back(std::stoull(trace["traceID"].GetString(), nullptr, 16));
  }
  CHECK(document["total"].GetUint64() == ids.size());
  return ids;
}

using Ids = std::vector<uint64_t>;

TEST_CASE("Search: each parameter alone") {
  RunningQuery query;
  StoreShop(query.store);
  CHECK(Found(query, "service=shop" + kWindow) == Ids{4, 3, 2, 1});
  CHECK(Found(query, "service=other" + kWindow) == Ids{5});
  CHECK(Found(query, "service=nobody" + kWindow).empty());
  CHECK(Found(query, "service=shop&operation=checkout" + kWindow) == Ids{2, 1});
  CHECK(Found(query, "service=shop&operation=db" + kWindow) == Ids{4});
  CHECK(Found(query, "service=shop&tag=http.status_code:200" + kWindow) == Ids{3, 2});
  CHECK(Found(query, "service=shop&tags=" + Encode(R"({"error":"true"})") + kWindow) == Ids{1});
  CHECK(Found(query, "service=shop&minDuration=100ms" + kWindow) == Ids{4, 2});
  CHECK(Found(query, "service=shop&maxDuration=10ms" + kWindow) == Ids{4, 3});  // db: 2 ms
  CHECK(Found(query, "service=shop&limit=2" + kWindow) == Ids{4, 3});
  CHECK(Found(query, "service=shop&limit=0" + kWindow) == Ids{4, 3, 2, 1});  // 0: the default
  // start/end bound the start of a matching span (µs).
  CHECK(Found(query, "service=shop&start=" + std::to_string(kT0Us + 2'500'000) +
                         "&end=" + std::to_string(kT0Us + 3'500'000)) == Ids{3});
  // lookback is sent by the UI and ignored.
  CHECK(Found(query, "service=shop&lookback=custom" + kWindow) == Ids{4, 3, 2, 1});
}

TEST_CASE("Search: parameters combined") {
  RunningQuery query;
  StoreShop(query.store);
  CHECK(Found(query, "service=shop&operation=checkout&tag=http.status_code:200" + kWindow) ==
        Ids{2});
  CHECK(Found(query, "service=shop&tag=http.status_code:200&tag=region:eu" + kWindow) == Ids{3});
  // tag and tags merge; a key given twice takes the later value.
  CHECK(Found(query, "service=shop&tag=region:us&tags=" + Encode(R"({"region":"eu"})") + kWindow) ==
        Ids{3});
  CHECK(Found(query, "service=shop&tags=" + Encode(R"({"http.status_code":"200"})") +
                         "&tags=" + Encode(R"({"region":"eu"})") + kWindow) == Ids{3});
  CHECK(Found(query, "service=shop&minDuration=10ms&maxDuration=300ms" + kWindow) == Ids{2, 1});
  CHECK(Found(query, "service=shop&operation=cart&minDuration=1s&limit=5" + kWindow) == Ids{4});
  // tag values may hold ':'.
  Store(query.store, {{.trace = 9,
                       .id = 9,
                       .service = "shop",
                       .start = kT0 + 6000 * kMs,
                       .tags = {{"url", "http://x:80/"}}}});
  CHECK(Found(query, "service=shop&tag=url:" + Encode("http://x:80/") + kWindow) == Ids{9});
}

TEST_CASE("Search: traceID fetches traces directly, service is then not needed") {
  RunningQuery query;
  StoreShop(query.store);
  CHECK(Found(query, "traceID=3&traceID=1") == Ids{3, 1});
  CHECK(Found(query, "traceID=3&traceID=3") == Ids{3});
  // Other search parameters are ignored.
  CHECK(Found(query, "traceID=2&service=other&operation=nothing") == Ids{2});
}

TEST_CASE("Search: without start the window is --query.lookback, max-lookback bounds it") {
  const uint64_t now =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  const uint64_t hour = 3600ULL * 1000 * kMs;
  const auto store = [&](RunningQuery& query) {
    Store(query.store, {{.trace = 1, .id = 1, .service = "s", .start = now - 1 * hour},
                        {.trace = 2, .id = 2, .service = "s", .start = now - 72 * hour}});
  };
  {
    RunningQuery query;  // 48h
    store(query);
    CHECK(Found(query, "service=s") == Ids{1});
    CHECK(Found(query, "service=s&start=" + std::to_string((now - 100 * hour) / kUs)) == Ids{1, 2});
  }
  {
    auto options = QueryLoopbackOptions();
    options.lookback = std::chrono::hours(24 * 7);
    RunningQuery query(options);
    store(query);
    CHECK(Found(query, "service=s") == Ids{1, 2});
  }
  {
    auto options = QueryLoopbackOptions();
    options.max_lookback = std::chrono::hours(24);
    RunningQuery query(options);
    store(query);
    CHECK(Found(query, "service=s&start=" + std::to_string((now - 100 * hour) / kUs)) == Ids{1});
  }
}

// The 400 answer to `parameters` carries `message`.
void CheckRejected(RunningQuery& query, const std::string& parameters, const std::string& message) {
  const auto response = query.Get("/api/traces?" + parameters);
  INFO(parameters);
  CHECK(response.status == 400);
  CHECK(response.body == ErrorJson(400, message));
}

TEST_CASE("Search: bad parameters are answered 400 with what was wrong") {
  RunningQuery query;
  StoreShop(query.store);
  CheckRejected(query, "operation=x", "parameter 'service' is required");
  CheckRejected(query, "service=shop&limit=abc",
                "unable to parse param 'limit': \\\"abc\\\" is not a whole number of traces");
  CheckRejected(query, "service=shop&limit=-1",
                "unable to parse param 'limit': \\\"-1\\\" is not a whole number of traces");
  CheckRejected(query, "service=shop&limit=100001",
                "unable to parse param 'limit': 100001 is more than 100000, the most spans (and "
                "so traces) one response holds (--query.max-trace-size)");
  CheckRejected(query, "service=shop&limit=99999999999999999999999",
                "unable to parse param 'limit': \\\"99999999999999999999999\\\" is too large");
  CheckRejected(query, "service=shop&minDuration=5x",
                "unable to parse param 'minDuration': invalid duration \\\"5x\\\": unknown unit "
                "\\\"x\\\" (use ns, us, ms, s, m or h); use a Go duration such as 250us, 20ms or "
                "1.5s");
  CheckRejected(query, "service=shop&maxDuration=-1s",
                "unable to parse param 'maxDuration': invalid duration \\\"-1s\\\": negative "
                "durations are not allowed; use a Go duration such as 250us, 20ms or 1.5s");
  CheckRejected(query, "service=shop&minDuration=2s&maxDuration=1s",
                "'maxDuration' should be greater than 'minDuration'");
  CheckRejected(query, "service=shop&start=yesterday",
                "unable to parse param 'start': \\\"yesterday\\\" is not a time in microseconds "
                "since the Unix epoch (e.g. 1764240000000000)");
  CheckRejected(query, "service=shop&end=1.5",
                "unable to parse param 'end': \\\"1.5\\\" is not a time in microseconds since "
                "the Unix epoch (e.g. 1764240000000000)");
  CheckRejected(query, "service=shop&end=99999999999999999999",
                "unable to parse param 'end': \\\"99999999999999999999\\\" is too large");
  CheckRejected(query, "service=shop&start=20&end=10", "'start' should not be after 'end'");
  CheckRejected(query, "service=shop&tag=error",
                "malformed 'tag' parameter, expecting key:value, received: error");
  CheckRejected(query, "service=shop&tags=" + Encode("{\"a\":"),
                "malformed 'tags' parameter: not JSON: The JSON document has an improper "
                "structure: missing or superfluous commas, braces, missing keys, etc.; expected "
                "an object of strings, e.g. {\\\"http.status_code\\\":\\\"500\\\"}");
  // Found by query_parameters_fuzzer: RapidJSON's parse of this value was undefined behaviour.
  CheckRejected(query, "service=shop&tags=" + Encode(std::string("9\xc6ua\0\0\0", 7)),
                "malformed 'tags' parameter: not JSON: The input is not valid UTF-8; expected "
                "an object of strings, e.g. {\\\"http.status_code\\\":\\\"500\\\"}");
  CheckRejected(query, "service=shop&tags=" + Encode("[\"a\"]"),
                "malformed 'tags' parameter: expected a JSON object of strings, e.g. "
                "{\\\"http.status_code\\\":\\\"500\\\"}");
  CheckRejected(query, "service=shop&tags=" + Encode("{\"http.status_code\":500}"),
                "malformed 'tags' parameter: the value of "
                "\\\"http.status_code\\\" is not a string; quote every value, e.g. "
                "{\\\"http.status_code\\\":\\\"500\\\"}");
  CheckRejected(query, "traceID=xyz",
                "unable to parse param 'traceID': invalid trace id \\\"xyz\\\": expected 1 to 32 "
                "hex characters");
  CheckRejected(query, "traceID=1&traceID=" + std::string(33, 'f'),
                "unable to parse param 'traceID': invalid trace id \\\"" + std::string(33, 'f') +
                    "\\\": expected 1 to 32 hex characters");
}

TEST_CASE("Search: a bad value counts as an error of find_traces") {
  RunningQuery query;
  query.Get("/api/traces?service=shop&limit=x");
  CHECK(Sample(query.Metrics(),
               "jaeger_query_requests_total{operation=\"find_traces\",result=\"err\"}") == 1);
}

}  // namespace
}  // namespace ariadne::testing
