// MemoryStore: the `memory` storage backend. Keeps spans in process memory, for tests and for
// throw-away runs (`--memory`); everything is lost when the process exits.
//
// Writes keep a shared batch as it is (WriteSharedBatch, the collector's path) and deep-copy a
// borrowed one once (WriteBatch); reads scan every stored trace (searches are linear in the
// number of traces: this backend is for small data). With max_traces set, the oldest traces
// (by arrival) are evicted when a new one would exceed the bound, which bounds memory for
// benchmarks and long demo runs.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/span_reader.h"
#include "storage/span_writer.h"

namespace ariadne::storage {

struct MemoryStoreOptions {
  uint64_t max_traces = 0;  // 0: no bound
};

class MemoryStore final : public SpanWriter, public SpanReader, public DependencyReader {
 public:
  explicit MemoryStore(MemoryStoreOptions options = {});

  tracecore::Status WriteBatch(const tracecore::SpanBatch& batch) override;
  tracecore::Status WriteSharedBatch(
      const std::shared_ptr<const tracecore::SpanBatch>& batch) override;
  tracecore::Status Flush() override { return {}; }

  tracecore::Status GetTrace(const tracecore::TraceId& id, uint32_t max_chunk_spans,
                             const SpanChunkConsumer& consume, bool& found) override;
  tracecore::Status FindTraceIds(const TraceQuery& query,
                                 std::vector<tracecore::TraceId>& out) override;
  tracecore::Status GetServices(std::vector<std::string>& out) override;
  tracecore::Status GetOperations(const std::string& service,
                                  std::optional<tracecore::SpanKind> span_kind,
                                  std::vector<Operation>& out) override;
  tracecore::Status GetDependencies(uint64_t end_time, uint64_t lookback,
                                    std::vector<DependencyLink>& out) override;

  // Spans stored now (after evictions). Thread-safe.
  uint64_t span_count() const;

 private:
  // A span inside a batch the store holds (through the StoredTrace that lists it).
  struct StoredSpan {
    const tracecore::SpanBatch* batch = nullptr;
    uint32_t index = 0;
    const tracecore::Span& span() const { return batch->spans()[index]; }
  };
  // The spans of one trace, and the batches that hold them: a batch lives while a trace with a
  // span in it is stored. One reference per (trace, batch), not per span.
  struct StoredTrace {
    std::vector<std::shared_ptr<const tracecore::SpanBatch>> batches;  // most traces: one
    std::vector<StoredSpan> spans;
  };
  struct TraceIdHash {
    size_t operator()(const tracecore::TraceId& id) const {
      return static_cast<size_t>(id.low ^ (id.high * 0x9E3779B97F4A7C15ULL));
    }
  };

  void IndexSpan(const std::shared_ptr<const tracecore::SpanBatch>& batch, uint32_t index);
  void IndexOperations(const tracecore::SpanBatch& batch);
  void EvictOldest();

  const MemoryStoreOptions options_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<tracecore::TraceId, StoredTrace, TraceIdHash> traces_;
  std::deque<tracecore::TraceId> arrival_order_;  // for eviction
  std::map<std::string, std::set<Operation>, std::less<>> operations_;
  uint64_t span_count_ = 0;
};

}  // namespace ariadne::storage
