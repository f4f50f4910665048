// RateLimiter: paces one worker's sends to a rate in spans per second.
//
// Each Reserve(units, now) books `units` spans and says when they may go: at `now` while the
// worker is behind its schedule, else at the time the schedule reaches them. Credit for idle time
// is capped at `max_burst`, so a worker that stalled (a slow response, a full in-flight window)
// catches up with at most that much extra traffic instead of a flood.
//
// The clock is a parameter: the limiter never reads one, so its logic is tested without waiting.
// Not thread-safe: one limiter per worker.
#pragma once

#include <chrono>

namespace ariadne::tracegen {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `units_per_second` <= 0 means unlimited: Reserve returns `now`.
  RateLimiter(double units_per_second, std::chrono::nanoseconds max_burst);

  // Books `units` and returns the time they may be sent (never before `now`).
  Clock::time_point Reserve(double units, Clock::time_point now);

  bool unlimited() const { return units_per_second_ <= 0; }

 private:
  double units_per_second_;
  std::chrono::nanoseconds max_burst_;
  bool started_ = false;
  Clock::time_point next_;  // when the next unit is due
};

}  // namespace ariadne::tracegen
