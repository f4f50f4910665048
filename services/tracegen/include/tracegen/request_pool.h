// RequestPool: one worker's pool of pre-encoded request groups, rebuilt as they age.
//
// A group is what one send of tracegen carries: whole traces, as one request (OTLP, Zipkin) or one
// request per service (Jaeger: one process per batch), all stamped with the same salt so that a
// trace split over several requests keeps one trace id. Groups are rebuilt when older than
// `max_age`, so span timestamps stay within that age of the wall clock.
//
// Not thread-safe: each worker owns its pool.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "tracecore/model.h"
#include "tracegen/protocol.h"
#include "tracegen/random.h"
#include "tracegen/request_template.h"
#include "tracegen/service_graph.h"
#include "tracegen/trace_generator.h"

namespace ariadne::tracegen {

struct PoolOptions {
  Protocol protocol = Protocol::kOtlpGrpc;
  size_t groups = 16;       // groups per pool (>= 1)
  size_t batch_size = 100;  // spans per request, on average (>= 1)
  std::chrono::nanoseconds max_age = std::chrono::seconds(10);
};

class RequestGroup {
 public:
  size_t traces() const { return traces_; }
  size_t spans() const { return spans_; }
  size_t requests() const { return templates_.empty() ? slices_.size() : templates_.size(); }
  uint64_t built_at_unix_nano() const { return built_at_; }

  // A salt that no id half of the group equals (so no id becomes zero), drawn from `rng`.
  uint64_t PickSalt(Rng& rng) const;

  // The body and span count of request `index` stamped with `salt`. For re-encoded protocols
  // (IdForm::kVarint) the group's spans are re-stamped and re-encoded: not const, so one thread.
  void Stamp(size_t index, uint64_t salt, std::string& body, uint32_t& spans);

  // Builds a group from `batch` (whose `traces` traces it holds) for `protocol`.
  static RequestGroup Build(Protocol protocol, tracecore::SpanBatch batch, size_t traces,
                            uint64_t now_unix_nano);

 private:
  size_t traces_ = 0;
  size_t spans_ = 0;
  uint64_t built_at_ = 0;
  std::vector<uint64_t> ids_;
  std::vector<RequestTemplate> templates_;
  // Re-encoded protocols: the generated batch, its datagram slices (views into it) with their ids
  // as last stamped, and that salt.
  Protocol protocol_ = Protocol::kOtlpGrpc;
  std::unique_ptr<tracecore::SpanBatch> source_;
  std::vector<tracecore::SpanBatch> slices_;
  uint64_t slices_salt_ = 0;
};

class RequestPool {
 public:
  // `graph` must outlive the pool; `generator` must pass ValidateGeneratorOptions.
  RequestPool(const ServiceGraph& graph, const GeneratorOptions& generator,
              const PoolOptions& options);

  // The next group in round-robin order, rebuilt first when older than max_age. The reference is
  // valid until the next call.
  RequestGroup& Next(uint64_t now_unix_nano);

  // A group of exactly `traces` traces (the last send of a --traces run).
  RequestGroup BuildExact(size_t traces, uint64_t now_unix_nano);

  // Spans a group aims at: batch_size, times the number of services for one-process protocols.
  size_t spans_per_group() const { return spans_per_group_; }

 private:
  RequestGroup BuildGroup(uint64_t now_unix_nano);

  PoolOptions options_;
  TraceGenerator generator_;
  size_t spans_per_group_;
  std::vector<RequestGroup> groups_;
  size_t next_ = 0;
};

}  // namespace ariadne::tracegen
