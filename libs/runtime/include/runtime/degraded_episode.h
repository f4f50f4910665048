// DegradedEpisode: "log once per episode" for a degraded state (queue full, storage failing).
//
// The first Enter() of an episode logs at warn; further Enter() calls only count. The episode
// ends at the first Leave() that comes at least `quiet` after the last Enter(), which logs at
// info how many times the state was hit; so a state that flaps (a queue that is full every other
// request) is one episode, not a log line per flap. Thread-safe; Leave() outside an episode is one
// relaxed atomic load.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace ariadne::runtime {

class DegradedEpisode {
 public:
  // `component` names the logger; `state` completes the log lines, e.g. "the queue is full:
  // answering with backpressure".
  DegradedEpisode(std::string component, std::string state,
                  std::chrono::steady_clock::duration quiet = std::chrono::seconds(10));

  // The degraded state was hit; `detail` goes into the warn line of a new episode.
  void Enter(const std::string& detail);
  // Things are normal at the moment.
  void Leave();

 private:
  static int64_t Now();

  const std::string component_;
  const std::string state_;
  const int64_t quiet_ns_;
  std::atomic<bool> active_{false};
  std::atomic<int64_t> last_hit_ns_{0};
  std::mutex mutex_;
  uint64_t hits_ = 0;
};

}  // namespace ariadne::runtime
