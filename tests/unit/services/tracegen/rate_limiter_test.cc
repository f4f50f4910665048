// RateLimiter: its schedule, with the clock passed in (no waiting, no wall-clock asserts).
#include "tracegen/rate_limiter.h"

#include <catch2/catch.hpp>

namespace ariadne::tracegen {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

const Clock::time_point kStart = Clock::time_point(100s);

TEST_CASE("unlimited: every request may go now") {
  RateLimiter limiter(0, 100ms);
  CHECK(limiter.unlimited());
  CHECK(limiter.Reserve(1e9, kStart) == kStart);
  CHECK(limiter.Reserve(1e9, kStart) == kStart);
}

TEST_CASE("requests are spaced by their size over the rate") {
  RateLimiter limiter(1000, 0ms);  // 1000 spans/s
  CHECK(limiter.Reserve(100, kStart) == kStart);
  CHECK(limiter.Reserve(100, kStart) == kStart + 100ms);
  CHECK(limiter.Reserve(50, kStart) == kStart + 200ms);
  CHECK(limiter.Reserve(100, kStart) == kStart + 250ms);
}

TEST_CASE("a worker that keeps up sends at the rate, never faster") {
  RateLimiter limiter(10000, 0ms);
  Clock::time_point now = kStart;
  for (int i = 0; i < 1000; ++i) now = limiter.Reserve(100, now);  // send when allowed
  // 1000 requests of 100 spans at 10000 spans/s: the last starts at 9.99 s.
  CHECK(now - kStart == 9990ms);
}

TEST_CASE("idle time earns at most max_burst of credit") {
  RateLimiter limiter(1000, 100ms);
  CHECK(limiter.Reserve(100, kStart) == kStart);
  // Idle for 10 s: only 100 ms (100 spans) of it may be caught up at once.
  const Clock::time_point later = kStart + 10s;
  CHECK(limiter.Reserve(100, later) == later);          // from the credit
  CHECK(limiter.Reserve(100, later) == later);          // credit spent exactly now
  CHECK(limiter.Reserve(100, later) == later + 100ms);  // back on schedule
}

TEST_CASE("a late worker is not sent into the past") {
  RateLimiter limiter(100, 1s);
  CHECK(limiter.Reserve(10, kStart) == kStart);
  CHECK(limiter.Reserve(10, kStart + 5s) == kStart + 5s);
}

}  // namespace
}  // namespace ariadne::tracegen
