// DependencyTracker: counts calls between services as spans are written, so that the `local`
// store answers GetDependencies without a batch job and without reading spans back.
//
// A call is a span whose parent span belongs to another service. Parents and children may arrive
// in any order and in different batches: the tracker remembers the service of the last
// `capacity` spans it saw, and keeps up to `capacity` children waiting for their parent. A parent
// that arrives after its child was forgotten, or that never arrives, is not counted; so are calls
// whose parent was written before the process started. At most kMaxServices service names are
// kept; past that (only hostile input names so many) the tracker starts afresh. Counts are kept by
// the second and by the minute the child span started, and handed to the store when that second or
// minute has passed.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tracecore/ids.h"
#include "tracecore/model.h"

namespace ariadne::storage::local {

class DependencyTracker {
 public:
  static constexpr size_t kMaxServices = 100'000;

  explicit DependencyTracker(size_t capacity);

  // Looks at every span of `batch`: remembers its service, resolves children waiting for it, and
  // counts its own call when its parent is known.
  void Observe(const tracecore::SpanBatch& batch);

  // Calls counted in one second ('s', time = Unix second) or one minute ('m', time = Unix minute).
  struct Counted {
    char granularity = 's';
    uint64_t time = 0;
    std::string parent;
    std::string child;
    uint64_t count = 0;
  };
  // Moves out the counts of every second before `now_second` and every minute before the minute
  // of `now_second`; with `everything`, all counts.
  void TakeCompleted(uint64_t now_second, bool everything, std::vector<Counted>& out);

 private:
  struct SpanKey {
    tracecore::TraceId trace;
    uint64_t span = 0;
    bool operator==(const SpanKey&) const = default;
  };
  struct SpanKeyHash {
    size_t operator()(const SpanKey& key) const {
      return static_cast<size_t>((key.trace.low ^ key.span) * 0x9E3779B97F4A7C15ULL ^
                                 key.trace.high);
    }
  };
  struct Waiting {
    uint32_t service = 0;
    uint64_t start_second = 0;
  };
  // (second or minute, parent service, child service) -> calls
  using Counts = std::map<std::tuple<uint64_t, uint32_t, uint32_t>, uint64_t>;

  uint32_t InternService(std::string_view service);
  void Remember(const SpanKey& key, uint32_t service);
  void Wait(const SpanKey& parent, const Waiting& child);
  void Count(uint32_t parent, uint32_t child, uint64_t start_second);
  void TakeFrom(Counts& counts, char granularity, uint64_t before, bool everything,
                std::vector<Counted>& out);
  void ForgetEverything();

  const size_t capacity_;
  std::mutex mutex_;
  std::vector<std::string> service_names_;
  std::unordered_map<std::string, uint32_t> service_ids_;
  // span -> service. A flat table: one lookup and one insert per written span made the node-based
  // std::unordered_map 11% of the store's ingest CPU (docs/benchmarks.md).
  absl::flat_hash_map<SpanKey, uint32_t, SpanKeyHash> known_;
  std::deque<SpanKey> known_order_;  // oldest first, for forgetting
  std::unordered_map<SpanKey, std::vector<Waiting>, SpanKeyHash> waiting_;  // parent -> children
  std::deque<SpanKey> waiting_order_;
  size_t waiting_count_ = 0;
  Counts by_second_;
  Counts by_minute_;
  std::vector<Counted> ready_;  // counts taken out early, when the service names were reset
};

}  // namespace ariadne::storage::local
