// DegradedEpisode: "log once per episode" for a degraded state (queue full, storage failing).
//
// The first Enter() of an episode logs at warn; further Enter() calls only count; the first
// Leave() after them logs at info how many times the state was hit, and ends the episode.
// Thread-safe and cheap outside an episode (one relaxed atomic load per Leave()).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace ariadne::runtime {

class DegradedEpisode {
 public:
  // `component` names the logger; `state` completes "… <state>" in the log lines, e.g.
  // "the queue is full: answering with backpressure".
  DegradedEpisode(std::string component, std::string state);

  // The degraded state was hit; `detail` goes into the warn line of a new episode.
  void Enter(const std::string& detail);
  // Things are normal again.
  void Leave();

 private:
  const std::string component_;
  const std::string state_;
  std::atomic<bool> active_{false};
  std::mutex mutex_;
  uint64_t hits_ = 0;
};

}  // namespace ariadne::runtime
