// MemoryStore: the conformance suite, plus what only the memory backend does (max_traces
// eviction, span_count).
#include "memory/memory_store.h"

#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "storage/span_store_conformance.h"

namespace ariadne::storage {
namespace {

using testing::conformance::BatchBuilder;
using testing::conformance::kMs;
using testing::conformance::kT0;
using testing::conformance::ServiceQuery;
using testing::conformance::Spans;
using testing::conformance::Trace;
using tracecore::SpanBatch;
using tracecore::TraceId;

Backend OpenMemory(MemoryStoreOptions options = {}) {
  auto store = std::make_shared<MemoryStore>(options);
  return {store, store, store};
}

const bool kConformanceRegistered =
    testing::RegisterSpanStoreConformance("memory", [] { return OpenMemory(); });

// A trace of `spans` spans of `service` starting at T0 + `number` ms.
SpanBatch SmallTrace(uint64_t number, uint64_t spans = 1, std::string_view service = "frontend") {
  BatchBuilder batch;
  for (uint64_t i = 1; i <= spans; ++i) {
    batch.Add(service, {.trace = Trace(number),
                        .id = number * 100 + i,
                        .parent = i == 1 ? 0 : number * 100 + 1,
                        .start = kT0 + number * kMs});
  }
  return batch.Take();
}

void Write(MemoryStore& store, const SpanBatch& batch) {
  REQUIRE(store.WriteBatch(batch).ok());
}

bool Stored(MemoryStore& store, const TraceId& id) {
  bool found = false;
  REQUIRE(store
              .GetTrace(
                  id, 100, [](const SpanBatch&) { return tracecore::Status(); }, found)
              .ok());
  return found;
}

std::vector<TraceId> FindAll(MemoryStore& store, const std::string& service) {
  std::vector<TraceId> ids;
  REQUIRE(store.FindTraceIds(ServiceQuery(service), ids).ok());
  return ids;
}

TEST_CASE("memory: the conformance suite is registered") {
  CHECK(kConformanceRegistered);
}

TEST_CASE("memory: max_traces evicts the oldest traces first") {
  MemoryStore store({.max_traces = 3});
  for (uint64_t n = 1; n <= 5; ++n) Write(store, SmallTrace(n, 2));
  CHECK_FALSE(Stored(store, Trace(1)));
  CHECK_FALSE(Stored(store, Trace(2)));
  CHECK(Stored(store, Trace(3)));
  CHECK(Stored(store, Trace(4)));
  CHECK(Stored(store, Trace(5)));
  CHECK(store.span_count() == 6);
  CHECK(FindAll(store, "frontend") == std::vector<TraceId>{Trace(5), Trace(4), Trace(3)});
}

TEST_CASE("memory: a trace keeps the eviction place of its first span") {
  MemoryStore store({.max_traces = 3});
  for (uint64_t n = 1; n <= 3; ++n) Write(store, SmallTrace(n));
  // More spans of trace 1 neither count as a new trace nor make it younger.
  Write(store, Spans("backend", {{.trace = Trace(1), .id = 9001, .parent = 101}}));
  CHECK(store.span_count() == 4);
  CHECK(Stored(store, Trace(1)));
  Write(store, SmallTrace(4));
  CHECK_FALSE(Stored(store, Trace(1)));
  CHECK(Stored(store, Trace(2)));
  CHECK(store.span_count() == 3);
}

TEST_CASE("memory: one batch of more new traces than max_traces keeps the last ones") {
  MemoryStore store({.max_traces = 2});
  BatchBuilder batch;
  for (uint64_t n = 1; n <= 4; ++n) batch.Add("frontend", {.trace = Trace(n), .id = n});
  Write(store, batch.batch());
  CHECK(FindAll(store, "frontend") == std::vector<TraceId>{Trace(4), Trace(3)});
  CHECK(store.span_count() == 2);
}

TEST_CASE("memory: evicted traces leave searches and dependencies") {
  MemoryStore store({.max_traces = 1});
  BatchBuilder call;
  call.Add("frontend", {.trace = Trace(1), .id = 1, .start = kT0});
  call.Add("backend", {.trace = Trace(1), .id = 2, .parent = 1, .start = kT0});
  Write(store, call.batch());
  std::vector<DependencyLink> links;
  REQUIRE(store.GetDependencies(kT0 + kMs, 10 * kMs, links).ok());
  CHECK(links.size() == 1);

  Write(store, SmallTrace(2));
  CHECK(FindAll(store, "backend").empty());
  CHECK(FindAll(store, "frontend") == std::vector<TraceId>{Trace(2)});
  links.clear();
  REQUIRE(store.GetDependencies(kT0 + kMs, 10 * kMs, links).ok());
  CHECK(links.empty());
}

TEST_CASE("memory: without max_traces nothing is evicted") {
  MemoryStore store;
  for (uint64_t n = 1; n <= 50; ++n) Write(store, SmallTrace(n, 3));
  CHECK(store.span_count() == 150);
  CHECK(Stored(store, Trace(1)));
  CHECK(Stored(store, Trace(50)));
}

TEST_CASE("memory: span_count counts every stored span") {
  MemoryStore store;
  CHECK(store.span_count() == 0);
  Write(store, SpanBatch());
  CHECK(store.span_count() == 0);
  Write(store, SmallTrace(1, 4));
  Write(store, SmallTrace(2, 1));
  Write(store, Spans("backend", {{.trace = Trace(1), .id = 7}, {.trace = Trace(3), .id = 8}}));
  CHECK(store.span_count() == 7);
}

TEST_CASE("memory: a shared batch is kept as it is, until its last trace is evicted") {
  MemoryStore store({.max_traces = 2});
  BatchBuilder two_traces;
  two_traces.Add("frontend", {.trace = Trace(1), .id = 101, .start = kT0});
  two_traces.Add("frontend", {.trace = Trace(2), .id = 201, .start = kT0 + kMs});
  auto shared = std::make_shared<const SpanBatch>(two_traces.Take());
  const char* stored_name = shared->spans()[0].name.data();
  REQUIRE(store.WriteSharedBatch(shared).ok());
  CHECK(shared.use_count() > 1);  // the store holds the batch itself, not a copy

  // Reads hand out copies of the very spans written.
  bool found = false;
  size_t read = 0;
  REQUIRE(store
              .GetTrace(
                  Trace(1), 100,
                  [&](const SpanBatch& chunk) {
                    read += chunk.spans().size();
                    CHECK(chunk.spans()[0].span_id.value == 101);
                    CHECK(chunk.spans()[0].name == shared->spans()[0].name);
                    CHECK(chunk.spans()[0].name.data() != stored_name);
                    return tracecore::Status();
                  },
                  found)
              .ok());
  CHECK(found);
  CHECK(read == 1);

  Write(store, SmallTrace(3));
  CHECK(shared.use_count() > 1);  // trace 2 is still stored
  Write(store, SmallTrace(4));
  CHECK(shared.use_count() == 1);  // both its traces evicted: the store let go of it
  CHECK(store.span_count() == 2);
}

}  // namespace
}  // namespace ariadne::storage
