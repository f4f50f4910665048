#include "runtime/degraded_episode.h"

#include "runtime/log.h"

namespace ariadne::runtime {

DegradedEpisode::DegradedEpisode(std::string component, std::string state)
    : component_(std::move(component)), state_(std::move(state)) {}

void DegradedEpisode::Enter(const std::string& detail) {
  std::lock_guard lock(mutex_);
  ++hits_;
  if (active_.load(std::memory_order_relaxed)) return;
  active_.store(true, std::memory_order_relaxed);
  Logger(component_)
      ->warn("{} ({}); further occurrences are counted, not logged, until it ends", state_, detail);
}

void DegradedEpisode::Leave() {
  if (!active_.load(std::memory_order_relaxed)) return;
  std::lock_guard lock(mutex_);
  if (!active_.load(std::memory_order_relaxed)) return;
  active_.store(false, std::memory_order_relaxed);
  Logger(component_)->info("over: {} ({} times in this episode)", state_, hits_);
  hits_ = 0;
}

}  // namespace ariadne::runtime
