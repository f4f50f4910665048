#include "runtime/degraded_episode.h"

#include "runtime/log.h"

namespace ariadne::runtime {

DegradedEpisode::DegradedEpisode(std::string component, std::string state,
                                 std::chrono::steady_clock::duration quiet)
    : component_(std::move(component)),
      state_(std::move(state)),
      quiet_ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(quiet).count()) {}

int64_t DegradedEpisode::Now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void DegradedEpisode::Enter(const std::string& detail) {
  last_hit_ns_.store(Now(), std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  ++hits_;
  if (active_.load(std::memory_order_relaxed)) return;
  active_.store(true, std::memory_order_relaxed);
  Logger(component_)
      ->warn("{} ({}); further occurrences are counted, not logged, until it ends", state_, detail);
}

void DegradedEpisode::Leave() {
  if (!active_.load(std::memory_order_relaxed)) return;
  if (Now() - last_hit_ns_.load(std::memory_order_relaxed) < quiet_ns_) return;
  std::lock_guard lock(mutex_);
  if (!active_.load(std::memory_order_relaxed)) return;
  active_.store(false, std::memory_order_relaxed);
  Logger(component_)->info("over: {} ({} times in this episode)", state_, hits_);
  hits_ = 0;
}

}  // namespace ariadne::runtime
