// How the query service reads storage (services/query/src/query_service.cc), through HTTP:
// chunked reads, the span bound of --query.max-trace-size, --query.timeout, storage failures.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "query_test_support.h"
#include "tracecore/span_copier.h"

namespace ariadne::testing {
namespace {

// Hands out the traces of a MemoryStore one span per chunk, every chunk in the same SpanBatch
// object (as a reader that reuses its buffer does).
class OneSpanChunks final : public storage::SpanReader {
 public:
  explicit OneSpanChunks(storage::MemoryStore& store) : store_(store) {}

  tracecore::Status GetTrace(const tracecore::TraceId& id, uint32_t /*max_chunk_spans*/,
                             const storage::SpanChunkConsumer& consume, bool& found) override {
    tracecore::SpanBatch all;
    ARIADNE_RETURN_IF_ERROR(store_.GetTrace(
        id, 1 << 20,
        [&](const tracecore::SpanBatch& chunk) {
          tracecore::SpanCopier copier(all);
          for (const tracecore::Span& span : chunk.spans()) copier.Copy(chunk, span);
          return tracecore::Status();
        },
        found));
    tracecore::SpanBatch chunk;
    for (const tracecore::Span& span : all.spans()) {
      chunk = tracecore::SpanBatch();
      tracecore::SpanCopier(chunk).Copy(all, span);
      ++chunks_;
      ARIADNE_RETURN_IF_ERROR(consume(chunk));
    }
    return {};
  }
  tracecore::Status FindTraceIds(const storage::TraceQuery& query,
                                 std::vector<tracecore::TraceId>& out) override {
    return store_.FindTraceIds(query, out);
  }
  tracecore::Status GetServices(std::vector<std::string>& out) override {
    return store_.GetServices(out);
  }
  tracecore::Status GetOperations(const std::string& service,
                                  std::optional<tracecore::SpanKind> kind,
                                  std::vector<storage::Operation>& out) override {
    return store_.GetOperations(service, kind, out);
  }

  int chunks() const { return chunks_; }

 private:
  storage::MemoryStore& store_;
  int chunks_ = 0;
};

// Every read fails.
class BrokenStore final : public storage::SpanReader, public storage::DependencyReader {
 public:
  tracecore::Status GetTrace(const tracecore::TraceId&, uint32_t, const storage::SpanChunkConsumer&,
                             bool&) override {
    return Failure();
  }
  tracecore::Status FindTraceIds(const storage::TraceQuery&,
                                 std::vector<tracecore::TraceId>&) override {
    return Failure();
  }
  tracecore::Status GetServices(std::vector<std::string>&) override { return Failure(); }
  tracecore::Status GetOperations(const std::string&, std::optional<tracecore::SpanKind>,
                                  std::vector<storage::Operation>&) override {
    return Failure();
  }
  tracecore::Status GetDependencies(uint64_t, uint64_t,
                                    std::vector<storage::DependencyLink>&) override {
    return Failure();
  }

 private:
  static tracecore::Status Failure() { return tracecore::Status::Internal("the disk is gone"); }
};

std::vector<TestSpan> Chain(uint64_t trace, uint64_t spans, uint64_t first_id = 1) {
  std::vector<TestSpan> out;
  for (uint64_t i = 0; i < spans; ++i) {
    out.push_back({.trace = trace,
                   .id = first_id + i,
                   .parent = i == 0 ? 0 : first_id + i - 1,
                   .service = i % 2 == 0 ? "even" : "odd",
                   .start = kT0 + trace * kMs + i * kUs,
                   .duration = 10 * kMs - i * 2 * kUs});  // each inside its parent
  }
  return out;
}

query::QueryOptions WithMaxTraceSize(int64_t spans) {
  query::QueryOptions options = QueryLoopbackOptions();
  options.max_trace_size = spans;
  return options;
}

TEST_CASE("A trace read in one-span chunks from a reused batch is the same trace") {
  RunningQuery direct;
  Store(direct.store, Chain(1, 5));
  OneSpanChunks chunked_reader(direct.store);
  RunningQuery chunked(QueryLoopbackOptions(), &chunked_reader, &direct.store);
  const std::string expected = direct.Get("/api/traces/1").body;
  CHECK(chunked.Get("/api/traces/1").body == expected);
  CHECK(chunked_reader.chunks() == 5);
  // Processes rendered alike share an id, however many resources the chunks brought.
  const auto document = ParseJson(expected);
  CHECK(document["data"][0]["processes"].MemberCount() == 2);
}

TEST_CASE("A trace over --query.max-trace-size is returned truncated, with a warning") {
  RunningQuery query(WithMaxTraceSize(3));
  Store(query.store, Chain(1, 5));
  const std::string warning =
      "this trace has more than 3 spans; only 3 are shown (--query.max-trace-size bounds the "
      "spans of one response)";
  for (const char* target : {"/api/traces/1", "/api/traces/1?raw=true"}) {
    INFO(target);
    const auto response = query.Get(target);
    REQUIRE(response.status == 200);
    const auto document = ParseJson(response.body);
    const auto& trace = document["data"][0];
    CHECK(trace["spans"].Size() == 3);
    REQUIRE(trace["warnings"].IsArray());
    CHECK(trace["warnings"][0].GetString() == warning);
    CHECK(trace["spans"][0]["warnings"][0].GetString() == warning);
    CHECK(trace["spans"][1]["warnings"].IsNull());
  }
  CHECK(Sample(query.Metrics(), "ariadne_query_traces_truncated_total") == 2);
  // A trace within the bound is whole.
  Store(query.store, Chain(2, 3, 100));
  const auto document = ParseJson(query.Get("/api/traces/2").body);
  CHECK(document["data"][0]["spans"].Size() == 3);
  CHECK(document["data"][0]["warnings"].IsNull());
}

TEST_CASE("A search stops loading traces at --query.max-trace-size spans in all") {
  RunningQuery query(WithMaxTraceSize(5));
  Store(query.store, Chain(1, 2, 10));
  Store(query.store, Chain(2, 2, 20));
  Store(query.store, Chain(3, 2, 30));
  Store(query.store, Chain(4, 2, 40));
  const auto response = query.Get("/api/traces?service=even&start=" + std::to_string(kT0 / kUs) +
                                  "&end=" + std::to_string(kT0 / kUs + 1'000'000));
  const auto document = ParseJson(response.body);
  INFO(response.body);
  // Newest first: traces 4 and 3 whole, 2 truncated to the last span of the budget, 1 not loaded.
  REQUIRE(document["data"].Size() == 3);
  CHECK(document["total"].GetInt() == 3);
  CHECK(document["data"][2]["spans"].Size() == 1);
  CHECK(document["data"][2]["warnings"].IsArray());
  REQUIRE(document["errors"].Size() == 1);
  CHECK(document["errors"][0]["msg"].GetString() ==
        std::string("the response holds 5 spans, the most one response may "
                    "(--query.max-trace-size); 1 more traces were not loaded: narrow the "
                    "search or lower the limit"));
  CHECK_FALSE(document["errors"][0].HasMember("code"));
  // limit may not ask for more traces than spans fit.
  CHECK(query.Get("/api/traces?service=even&limit=6").status == 400);
}

TEST_CASE("A request reading storage past --query.timeout is answered 503") {
  auto options = QueryLoopbackOptions();
  options.timeout = std::chrono::nanoseconds(1);
  RunningQuery query(options);
  Store(query.store, Chain(1, 2));
  const auto response = query.Get("/api/traces/1");
  CHECK(response.status == 503);
  CHECK(response.body ==
        ErrorJson(503,
                  "the request read storage for longer than --query.timeout (1ns) and was "
                  "stopped: narrow the search (a shorter time range, a lower limit) or raise "
                  "--query.timeout"));
  CHECK(query.Get("/api/traces?traceID=1").status == 503);
}

TEST_CASE("Storage failures are answered 500 with storage's message and counted") {
  BrokenStore broken;
  RunningQuery query(QueryLoopbackOptions(), &broken, &broken);
  for (const char* target :
       {"/api/services", "/api/services/a/operations", "/api/operations?service=a",
        "/api/traces?service=a", "/api/traces?traceID=1", "/api/traces/1", "/api/dependencies"}) {
    INFO(target);
    const auto response = query.Get(target);
    CHECK(response.status == 500);
    CHECK(response.body == ErrorJson(500, "the disk is gone"));
  }
  const std::string metrics = query.Metrics();
  CHECK(Sample(metrics,
               "jaeger_query_requests_total{operation=\"get_operations\",result=\"err\"}") == 2);
  CHECK(Sample(metrics, "jaeger_query_requests_total{operation=\"find_traces\",result=\"err\"}") ==
        2);
}

TEST_CASE("Query::Start names the listener that failed, Shutdown is idempotent") {
  RunningQuery first;
  auto options = QueryLoopbackOptions();
  options.http_host_port = "127.0.0.1:" + std::to_string(first.instance->http_port());
  std::unique_ptr<query::Query> second;
  storage::MemoryStore store;
  const tracecore::Status status =
      query::Query::Start(options, store, store, std::make_shared<prometheus::Registry>(), second);
  CHECK_FALSE(status.ok());
  CHECK(status.message().find("--query.http-server.host-port") != std::string::npos);
  CHECK(second == nullptr);
  first.instance->Shutdown();
  first.instance->Shutdown();
}

}  // namespace
}  // namespace ariadne::testing
