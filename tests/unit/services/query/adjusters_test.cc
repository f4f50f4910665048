// The adjusters of reference §8 (services/query/src/adjusters.cc, clock_skew.cc), seen as the
// Jaeger UI sees them: spans stored in a MemoryStore, read back through GET /api/traces/{id},
// with raw=true showing what storage holds.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "query_test_support.h"

namespace ariadne::testing {
namespace {

using tracecore::AnyValue;
using tracecore::SpanKind;

query::QueryOptions WithMaxSkew(std::chrono::nanoseconds max_skew) {
  query::QueryOptions options = QueryLoopbackOptions();
  options.max_clock_skew_adjustment = max_skew;
  return options;
}

// The trace's spans, by span id.
struct ShownTrace {
  explicit ShownTrace(const std::string& body) : document(ParseJson(body)) {
    INFO(body);
    REQUIRE(document["data"].Size() == 1);
  }
  const rapidjson::Value& trace() const { return document["data"][0]; }
  const rapidjson::Value& spans() const { return trace()["spans"]; }
  const rapidjson::Value& Span(const std::string& id) const {
    for (const auto& span : spans().GetArray()) {
      if (id == span["spanID"].GetString()) return span;
    }
    FAIL("no span " << id);
    return spans()[0];
  }
  std::vector<std::string> Warnings(const std::string& id) const {
    std::vector<std::string> out;
    const auto& warnings = Span(id)["warnings"];
    if (warnings.IsNull()) return out;
    for (const auto& warning : warnings.GetArray()) out.emplace_back(warning.GetString());
    return out;
  }
  uint64_t Start(const std::string& id) const { return Span(id)["startTime"].GetUint64(); }
  std::vector<std::string> Keys(const rapidjson::Value& list) const {
    std::vector<std::string> keys;
    for (const auto& item : list.GetArray()) keys.emplace_back(item["key"].GetString());
    return keys;
  }
  rapidjson::Document document;
};

constexpr uint64_t kT0Us = kT0 / kUs;
const std::string kSpan1 = "0000000000000001";
const std::string kSpan2 = "0000000000000002";
const std::string kSpan3 = "0000000000000003";

// Parent on host a: [10ms, 110ms]; child on host b starting at `child_start` ms, 50 ms long,
// with an event 5 ms after its start.
void StoreSkewedPair(storage::MemoryStore& store, uint64_t child_start_ms) {
  Store(store, {{.id = 1,
                 .service = "a",
                 .start = kT0 + 10 * kMs,
                 .duration = 100 * kMs,
                 .process = {{"ip", "10.0.0.1"}}},
                {.id = 2,
                 .parent = 1,
                 .service = "b",
                 .start = kT0 + child_start_ms * kMs,
                 .duration = 50 * kMs,
                 .process = {{"ip", "10.0.0.2"}},
                 .event_times = {kT0 + (child_start_ms + 5) * kMs}}});
}

TEST_CASE("Clock skew: with the default bound of 0 only a warning says what would be shifted") {
  RunningQuery query;
  StoreSkewedPair(query.store, 0);
  const ShownTrace adjusted(query.Get("/api/traces/1").body);
  // latency = (100 - 50) / 2 = 25 ms; delta = 10 + 25 - 0 = 35 ms
  CHECK(adjusted.Warnings(kSpan2) ==
        std::vector<std::string>{"clock skew adjustment disabled; not applying calculated delta "
                                 "of 35ms"});
  CHECK(adjusted.Start(kSpan2) == kT0Us);
  CHECK(adjusted.Span(kSpan1)["warnings"].IsNull());

  const ShownTrace raw(query.Get("/api/traces/1?raw=true").body);
  CHECK(raw.Span(kSpan2)["warnings"].IsNull());
}

TEST_CASE("Clock skew: within the bound, the child, its end and its events move") {
  RunningQuery query(WithMaxSkew(std::chrono::seconds(1)));
  StoreSkewedPair(query.store, 0);
  const ShownTrace adjusted(query.Get("/api/traces/1").body);
  CHECK(adjusted.Warnings(kSpan2) ==
        std::vector<std::string>{"This span's timestamps were adjusted by 35ms"});
  CHECK(adjusted.Start(kSpan2) == kT0Us + 35'000);
  CHECK(adjusted.Span(kSpan2)["duration"].GetUint64() == 50'000);
  CHECK(adjusted.Span(kSpan2)["logs"][0]["timestamp"].GetUint64() == kT0Us + 40'000);

  const ShownTrace raw(query.Get("/api/traces/1?raw=1").body);
  CHECK(raw.Start(kSpan2) == kT0Us);
  CHECK(raw.Span(kSpan2)["logs"][0]["timestamp"].GetUint64() == kT0Us + 5'000);
}

TEST_CASE("Clock skew: a shift beyond the bound is not applied") {
  RunningQuery query(WithMaxSkew(std::chrono::milliseconds(10)));
  StoreSkewedPair(query.store, 80);  // ends at 130 ms, after its parent
  const ShownTrace adjusted(query.Get("/api/traces/1").body);
  CHECK(adjusted.Warnings(kSpan2) ==
        std::vector<std::string>{"max clock skew adjustment delta of 10ms exceeded; not "
                                 "applying calculated delta of -45ms"});
  CHECK(adjusted.Start(kSpan2) == kT0Us + 80'000);
}

TEST_CASE("Clock skew: same-host children inherit their parent's shift, a child that fits stays") {
  RunningQuery query(WithMaxSkew(std::chrono::seconds(1)));
  Store(
      query.store,
      {{.id = 1, .start = kT0 + 10 * kMs, .duration = 100 * kMs, .process = {{"ip", "10.0.0.1"}}},
       {.id = 2, .parent = 1, .start = kT0, .duration = 50 * kMs, .process = {{"ip", "10.0.0.2"}}},
       {.id = 3,
        .parent = 2,
        .start = kT0 + 10 * kMs,
        .duration = 5 * kMs,
        .process = {{"ip", "10.0.0.2"}}},
       {.id = 4,
        .parent = 1,
        .start = kT0 + 20 * kMs,
        .duration = 5 * kMs,
        .process = {{"ip", "10.0.0.3"}}}});
  const ShownTrace adjusted(query.Get("/api/traces/1").body);
  CHECK(adjusted.Start(kSpan3) == kT0Us + 45'000);
  CHECK(adjusted.Warnings(kSpan3) ==
        std::vector<std::string>{"This span's timestamps were adjusted by 35ms"});
  CHECK(adjusted.Start("0000000000000004") == kT0Us + 20'000);
  CHECK(adjusted.Warnings("0000000000000004").empty());
}

TEST_CASE("Clock skew: unknown parents and duplicate ids are named, not adjusted") {
  RunningQuery query(WithMaxSkew(std::chrono::seconds(1)));
  Store(query.store, {{.id = 1, .name = "a"},
                      {.id = 2, .parent = 99, .name = "orphan", .start = kT0 + kMs},
                      {.id = 1, .name = "b", .start = kT0 + 2 * kMs}});
  const ShownTrace adjusted(query.Get("/api/traces/1").body);
  CHECK(adjusted.Warnings(kSpan2) ==
        std::vector<std::string>{"invalid parent span IDs=0000000000000063; skipping clock "
                                 "skew adjustment"});
  REQUIRE(adjusted.spans().Size() == 3);
  CHECK(adjusted.spans()[2]["warnings"][0].GetString() ==
        std::string("duplicate span IDs; skipping clock skew adjustment"));
}

TEST_CASE("Clock skew: a 100,000-span chain is walked without recursion") {
  RunningQuery query(WithMaxSkew(std::chrono::seconds(1)));
  std::vector<TestSpan> chain;
  for (uint64_t i = 1; i <= 100'000; ++i) {
    chain.push_back({.id = i, .parent = i - 1, .start = kT0 + i * kUs, .duration = kMs});
  }
  Store(query.store, chain);
  runtime::HttpClient client("127.0.0.1", static_cast<uint16_t>(query.instance->http_port()));
  client.set_max_response_bytes(256 << 20);
  runtime::HttpClientResponse response;
  REQUIRE(client
              .Request(boost::beast::http::verb::get, "/api/traces/1", {}, {}, response,
                       std::chrono::seconds(60))
              .ok());
  REQUIRE(response.status == 200);
  const auto document = ParseJson(response.body);
  CHECK(document["data"][0]["spans"].Size() == 100'000);
}

TEST_CASE("Zipkin shared span ids: the server half gets its own id") {
  RunningQuery query;
  // frontend calls backend; both halves of the RPC carry span id 2 (Zipkin's shared span).
  Store(query.store, {{.id = 1, .service = "frontend", .name = "root", .kind = SpanKind::kServer},
                      {.id = 2,
                       .parent = 1,
                       .service = "frontend",
                       .name = "call",
                       .kind = SpanKind::kClient,
                       .start = kT0 + kMs,
                       .duration = 5 * kMs},
                      {.id = 2,
                       .parent = 1,
                       .service = "backend",
                       .name = "call",
                       .kind = SpanKind::kServer,
                       .start = kT0 + 2 * kMs,
                       .duration = 3 * kMs},
                      {.id = 3,
                       .parent = 2,
                       .service = "backend",
                       .name = "db",
                       .start = kT0 + 3 * kMs,
                       .duration = kMs}});
  const ShownTrace adjusted(query.Get("/api/traces/1").body);
  const auto& server = adjusted.Span("0000000000000004");
  CHECK(server["operationName"].GetString() == std::string("call"));
  CHECK(server["references"][0]["spanID"].GetString() == kSpan2);
  CHECK(adjusted.Span(kSpan3)["references"][0]["spanID"].GetString() ==
        std::string("0000000000000004"));
  CHECK(adjusted.Span(kSpan2)["references"][0]["spanID"].GetString() == kSpan1);

  const ShownTrace raw(query.Get("/api/traces/1?raw=true").body);
  int with_id_2 = 0;
  for (const auto& span : raw.spans().GetArray()) with_id_2 += span["spanID"].GetString() == kSpan2;
  CHECK(with_id_2 == 2);
}

TEST_CASE("Zipkin shared span ids: no id left above the largest one") {
  RunningQuery query;
  const uint64_t last = ~uint64_t{0} - 1;
  Store(query.store, {{.id = last, .name = "call", .kind = SpanKind::kClient},
                      {.id = last, .name = "call", .kind = SpanKind::kServer}});
  const ShownTrace adjusted(query.Get("/api/traces/1").body);
  std::vector<std::string> warnings;
  for (const auto& span : adjusted.spans().GetArray()) {
    if (span["warnings"].IsArray()) warnings.emplace_back(span["warnings"][0].GetString());
  }
  CHECK(warnings == std::vector<std::string>{"cannot assign unique span ID, too many spans in "
                                             "the trace"});
}

TEST_CASE("Duplicate copies of a span are shown once") {
  RunningQuery query;
  const TestSpan span{.id = 5, .tags = {{"a", "1"}}};
  Store(query.store, {span});
  Store(query.store, {span});
  Store(query.store, {{.id = 5, .tags = {{"a", "2"}}}});  // same id, other content: kept
  CHECK(ShownTrace(query.Get("/api/traces/1").body).spans().Size() == 2);
  CHECK(ShownTrace(query.Get("/api/traces/1?raw=true").body).spans().Size() == 3);
}

TEST_CASE("Tags and process tags are sorted by key, raw keeps storage's order") {
  RunningQuery query;
  Store(query.store, {{.id = 1,
                       .kind = SpanKind::kServer,
                       .tags = {{"z", "1"}, {"a", "2"}, {"m", "3"}},
                       .process = {{"zone", "x"}, {"host", "y"}}}});
  const ShownTrace adjusted(query.Get("/api/traces/1").body);
  // Every tag is sorted, the ones the translation adds (span.kind) included, as Jaeger's
  // SortTagsAndLogFields sorts the model's tags (reference §8; the golden documents agree).
  CHECK(adjusted.Keys(adjusted.Span(kSpan1)["tags"]) ==
        std::vector<std::string>{"a", "m", "span.kind", "z"});
  CHECK(adjusted.Keys(adjusted.trace()["processes"]["p1"]["tags"]) ==
        std::vector<std::string>{"host", "zone"});
  const ShownTrace raw(query.Get("/api/traces/1?raw=true").body);
  CHECK(raw.Keys(raw.Span(kSpan1)["tags"]) == std::vector<std::string>{"z", "a", "m", "span.kind"});
}

TEST_CASE("ip tags held as numbers become dotted quads, telemetry.sdk tags move to the process") {
  RunningQuery query;
  tracecore::SpanBatch batch;
  AddTestSpan(batch, {.id = 1, .tags = {{"telemetry.sdk.language", "go"}, {"x", "1"}}});
  tracecore::Span& span = batch.spans().back();
  span.attributes.push_back({"peer.ipv4", AnyValue::Int(0x0A000102)});
  batch.resources().back().attributes.push_back({"ip", AnyValue::Double(3232235777.0)});
  REQUIRE(query.store.WriteBatch(batch).ok());

  const ShownTrace adjusted(query.Get("/api/traces/1").body);
  const auto& tags = adjusted.Span(kSpan1)["tags"];
  CHECK(adjusted.Keys(tags) == std::vector<std::string>{"peer.ipv4", "x"});
  CHECK(tags[0]["type"].GetString() == std::string("string"));
  CHECK(tags[0]["value"].GetString() == std::string("10.0.1.2"));
  const auto& process = adjusted.trace()["processes"]["p1"]["tags"];
  CHECK(adjusted.Keys(process) == std::vector<std::string>{"ip", "telemetry.sdk.language"});
  CHECK(process[0]["value"].GetString() == std::string("192.168.1.1"));

  const ShownTrace raw(query.Get("/api/traces/1?raw=true").body);
  CHECK(raw.Span(kSpan1)["tags"][2]["value"].GetInt64() == 0x0A000102);
}

TEST_CASE("References: links without a trace id are removed, the parent reference comes first") {
  RunningQuery query;
  tracecore::SpanBatch batch;
  AddTestSpan(batch, {.id = 1});
  tracecore::Span& span = batch.spans().back();
  const auto add_link = [&](uint64_t trace, uint64_t id, const char* ref_type) {
    tracecore::Link& link = span.links.emplace_back(batch.arena());
    link.trace_id = {0, trace};
    link.span_id = {id};
    if (ref_type != nullptr) {
      link.attributes.push_back({"opentracing.ref_type", AnyValue::String(ref_type)});
    }
  };
  add_link(9, 0x91, nullptr);         // another trace
  add_link(0, 0xab, nullptr);         // invalid
  add_link(1, 0x11, "follows_from");  // same trace
  add_link(1, 0x12, "child_of");      // same trace: the parent
  REQUIRE(query.store.WriteBatch(batch).ok());

  const ShownTrace adjusted(query.Get("/api/traces/1").body);
  const auto& references = adjusted.Span(kSpan1)["references"];
  REQUIRE(references.Size() == 3);
  CHECK(references[0]["spanID"].GetString() == std::string("0000000000000012"));
  CHECK(references[0]["refType"].GetString() == std::string("CHILD_OF"));
  CHECK(references[2]["spanID"].GetString() == std::string("0000000000000091"));
  CHECK(adjusted.Warnings(kSpan1) ==
        std::vector<std::string>{"Invalid span reference removed {TraceID:0000000000000000 "
                                 "SpanID:00000000000000ab RefType:FOLLOWS_FROM}"});

  const ShownTrace raw(query.Get("/api/traces/1?raw=true").body);
  CHECK(raw.Span(kSpan1)["references"].Size() == 4);
  CHECK(raw.Span(kSpan1)["references"][0]["spanID"].GetString() == std::string("0000000000000091"));
}

TEST_CASE("Spans are shown by start time, then id, raw keeps storage's order") {
  RunningQuery query;
  Store(query.store,
        {{.id = 3, .start = kT0 + 2 * kMs}, {.id = 2, .start = kT0}, {.id = 1, .start = kT0}});
  const ShownTrace adjusted(query.Get("/api/traces/1").body);
  std::vector<std::string> order;
  for (const auto& span : adjusted.spans().GetArray())
    order.emplace_back(span["spanID"].GetString());
  CHECK(order == std::vector<std::string>{kSpan1, kSpan2, kSpan3});
  const ShownTrace raw(query.Get("/api/traces/1?raw=true").body);
  order.clear();
  for (const auto& span : raw.spans().GetArray()) order.emplace_back(span["spanID"].GetString());
  CHECK(order == std::vector<std::string>{kSpan3, kSpan2, kSpan1});
}

TEST_CASE("Search results are adjusted too, and raw there as well") {
  RunningQuery query;
  StoreSkewedPair(query.store, 0);
  const std::string search = "/api/traces?service=a&start=" + std::to_string(kT0Us) +
                             "&end=" + std::to_string(kT0Us + 1'000'000);
  CHECK(ShownTrace(query.Get(search).body).Warnings(kSpan2).size() == 1);
  CHECK(ShownTrace(query.Get(search + "&raw=true").body).Warnings(kSpan2).empty());
  CHECK(ShownTrace(query.Get("/api/traces?traceID=1").body).Warnings(kSpan2).size() == 1);
}

}  // namespace
}  // namespace ariadne::testing
