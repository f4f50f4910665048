// RequestPool and RequestGroup: groups of whole traces, sized by --batch-size, rebuilt when old,
// stamped with one salt per send so traces split over Jaeger's per-service requests stay whole.
#include "tracegen/request_pool.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>

namespace ariadne::tracegen {
namespace {

using tracecore::SpanBatch;

constexpr uint64_t kNow = 1764240000000000000ULL;
constexpr uint64_t kSecond = 1000000000ULL;

// Sends every request of `group` with one salt and decodes them into one batch.
SpanBatch SendAll(Protocol protocol, RequestGroup& group, uint64_t salt, size_t& spans) {
  SpanBatch decoded;
  spans = 0;
  for (size_t i = 0; i < group.requests(); ++i) {
    std::string body;
    uint32_t count = 0;
    group.Stamp(i, salt, body, count);
    REQUIRE(DecodeRequest(protocol, body, decoded).ok());
    spans += count;
  }
  return decoded;
}

TEST_CASE("a group holds whole traces, about batch-size spans per request") {
  const ServiceGraph graph = DefaultServiceGraph();
  PoolOptions options;
  options.batch_size = 200;
  options.groups = 2;
  for (Protocol protocol : {Protocol::kOtlpGrpc, Protocol::kJaegerGrpc, Protocol::kJaegerCompactUdp,
                            Protocol::kZipkinJson}) {
    options.protocol = protocol;
    RequestPool pool(graph, GeneratorOptions{}, options);
    RequestGroup& group = pool.Next(kNow);
    CHECK(group.spans() >= pool.spans_per_group());
    Rng rng(1);
    size_t spans = 0;
    const SpanBatch decoded = SendAll(protocol, group, group.PickSalt(rng), spans);
    CHECK(spans == group.spans());
    CHECK(decoded.spans().size() == group.spans());
    // Every trace is whole: each parent is in the group, under the same (stamped) trace id.
    std::map<uint64_t, tracecore::TraceId> trace_of;
    std::set<tracecore::TraceId> traces;
    for (const auto& span : decoded.spans()) {
      trace_of[span.span_id.value] = span.trace_id;
      traces.insert(span.trace_id);
    }
    CHECK(traces.size() == group.traces());
    for (const auto& span : decoded.spans()) {
      if (span.parent_span_id.empty()) continue;
      REQUIRE(trace_of.count(span.parent_span_id.value) == 1);
      CHECK(trace_of[span.parent_span_id.value] == span.trace_id);
    }
  }
}

TEST_CASE("two sends of one group carry different ids, re-encoded protocols too") {
  const ServiceGraph graph = DefaultServiceGraph();
  for (Protocol protocol : {Protocol::kOtlpHttp, Protocol::kJaegerCompactUdp}) {
    PoolOptions options;
    options.protocol = protocol;
    options.groups = 1;
    RequestPool pool(graph, GeneratorOptions{}, options);
    RequestGroup& group = pool.Next(kNow);
    size_t spans = 0;
    const SpanBatch first = SendAll(protocol, group, 11, spans);
    const SpanBatch second = SendAll(protocol, group, 22, spans);
    const SpanBatch first_again = SendAll(protocol, group, 11, spans);
    std::set<uint64_t> first_ids, second_ids, again_ids;
    for (const auto& span : first.spans()) first_ids.insert(span.span_id.value);
    for (const auto& span : second.spans()) second_ids.insert(span.span_id.value);
    for (const auto& span : first_again.spans()) again_ids.insert(span.span_id.value);
    for (uint64_t id : first_ids) CHECK(second_ids.count(id) == 0);
    CHECK(again_ids == first_ids);
  }
}

TEST_CASE("the pool rotates its groups and rebuilds the ones older than max-age") {
  const ServiceGraph graph = DefaultServiceGraph();
  PoolOptions options;
  options.groups = 2;
  options.max_age = std::chrono::seconds(5);
  RequestPool pool(graph, GeneratorOptions{}, options);
  const uint64_t built_first = pool.Next(kNow).built_at_unix_nano();
  pool.Next(kNow + kSecond);
  CHECK(pool.Next(kNow + 2 * kSecond).built_at_unix_nano() == built_first);  // reused
  pool.Next(kNow + 3 * kSecond);
  CHECK(pool.Next(kNow + 6 * kSecond).built_at_unix_nano() == kNow + 6 * kSecond);  // rebuilt
}

TEST_CASE("an exact group has exactly the traces asked for") {
  const ServiceGraph graph = DefaultServiceGraph();
  RequestPool pool(graph, GeneratorOptions{}, PoolOptions{});
  RequestGroup group = pool.BuildExact(3, kNow);
  CHECK(group.traces() == 3);
  size_t spans = 0;
  const SpanBatch decoded = SendAll(Protocol::kOtlpGrpc, group, 5, spans);
  std::set<tracecore::TraceId> traces;
  for (const auto& span : decoded.spans()) traces.insert(span.trace_id);
  CHECK(traces.size() == 3);
}

}  // namespace
}  // namespace ariadne::tracegen
