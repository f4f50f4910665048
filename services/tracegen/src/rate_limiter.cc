#include "tracegen/rate_limiter.h"

#include <algorithm>

namespace ariadne::tracegen {

RateLimiter::RateLimiter(double units_per_second, std::chrono::nanoseconds max_burst)
    : units_per_second_(units_per_second), max_burst_(max_burst) {}

RateLimiter::Clock::time_point RateLimiter::Reserve(double units, Clock::time_point now) {
  if (unlimited()) return now;
  if (!started_) {
    started_ = true;
    next_ = now;
  }
  // Idle time earns at most max_burst of credit.
  next_ = std::max(next_, now - max_burst_);
  const Clock::time_point send_at = std::max(next_, now);
  next_ += std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(units / units_per_second_));
  return send_at;
}

}  // namespace ariadne::tracegen
