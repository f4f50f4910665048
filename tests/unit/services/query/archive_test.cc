// POST /api/archive/{traceID}: a trace copied into the --query.archive store is found by id after
// the primary store has dropped it; without an archive the route says how to configure one.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "query_test_support.h"

namespace ariadne::testing {
namespace {

const std::string kArchived = R"({"data":[],"total":0,"limit":0,"offset":0,"errors":[]})";

// A query service whose primary store keeps one trace (the next evicts it) and whose archive
// is a second MemoryStore.
struct ArchivingQuery {
  ArchivingQuery()
      : primary(storage::MemoryStoreOptions{.max_traces = 1}),
        archive_store(std::make_shared<storage::MemoryStore>()),
        archive{.writer = archive_store, .reader = archive_store, .dependencies = archive_store},
        query(QueryLoopbackOptions(), &primary, &primary, &archive) {}

  storage::MemoryStore primary;
  std::shared_ptr<storage::MemoryStore> archive_store;
  storage::Backend archive;
  RunningQuery query;
};

bool InStore(storage::SpanReader& store, uint64_t trace) {
  bool found = false;
  const tracecore::Status read = store.GetTrace(
      {0, trace}, 100, [](const tracecore::SpanBatch&) { return tracecore::Status(); }, found);
  REQUIRE(read.ok());
  return found;
}

TEST_CASE("archive: an archived trace is found by id after the primary store dropped it") {
  ArchivingQuery setup;
  Store(setup.primary, {{.trace = 1, .id = 1, .name = "kept"}, {.trace = 1, .id = 2, .parent = 1}});
  const std::string before = setup.query.Get("/api/traces/1").body;

  auto archived = setup.query.Post("/api/archive/0000000000000001", "");
  CHECK(archived.status == 200);
  CHECK(archived.body == kArchived);
  CHECK(InStore(*setup.archive_store, 1));

  Store(setup.primary, {{.trace = 2, .id = 9}});  // evicts trace 1 from the primary store
  REQUIRE_FALSE(InStore(setup.primary, 1));
  auto after = setup.query.Get("/api/traces/1");
  CHECK(after.status == 200);
  CHECK(after.body == before);
  // Search reads the primary store only, as in Jaeger.
  const std::string window = "&start=" + std::to_string(kT0 / kUs - 1'000'000) +
                             "&end=" + std::to_string(kT0 / kUs + 1'000'000);
  const auto found = ParseJson(setup.query.Get("/api/traces?service=frontend" + window).body);
  REQUIRE(found["data"].Size() == 1);
  CHECK(std::string(found["data"][0]["traceID"].GetString()) == "0000000000000002");
}

TEST_CASE("archive: errors") {
  ArchivingQuery setup;
  Store(setup.primary, {{.trace = 1, .id = 1}});
  SECTION("a trace the primary store does not have is 404") {
    auto response = setup.query.Post("/api/archive/abc", "");
    CHECK(response.status == 404);
    CHECK(response.body == ErrorJson(404, "trace not found"));
    CHECK_FALSE(InStore(*setup.archive_store, 0xabc));
  }
  SECTION("an invalid id is 400") {
    auto response = setup.query.Post("/api/archive/xyz", "");
    CHECK(response.status == 400);
    CHECK(response.body ==
          ErrorJson(400, "invalid trace id \\\"xyz\\\": expected 1 to 32 hex characters"));
  }
  SECTION("GET is not the archive method: 405, as Jaeger's router answers, not the UI's page") {
    auto response = setup.query.Get("/api/archive/1");
    CHECK(response.status == 405);
    CHECK(response.body == "method GET is not allowed for /api/archive/1; allowed: POST");
  }
}

TEST_CASE("archive: without --query.archive the route says how to configure one") {
  RunningQuery query;
  Store(query.store, {{.trace = 1, .id = 1}});
  auto response = query.Post("/api/archive/1", "");
  CHECK(response.status == 501);
  CHECK_THAT(response.body, Catch::Contains("--query.archive=local"));
}

TEST_CASE("archive: counted as archive_trace") {
  ArchivingQuery setup;
  Store(setup.primary, {{.trace = 1, .id = 1}});
  setup.query.Post("/api/archive/1", "");
  setup.query.Post("/api/archive/2", "");
  const std::string metrics = setup.query.Metrics();
  CHECK(Sample(metrics, R"(jaeger_query_requests_total{operation="archive_trace",result="ok"})") ==
        1);
  CHECK(Sample(metrics, R"(jaeger_query_requests_total{operation="archive_trace",result="err"})") ==
        1);
}

}  // namespace
}  // namespace ariadne::testing
