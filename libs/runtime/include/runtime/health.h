// Health: the serving state of a process, reported by the admin port's `/` and `/health`
// (reference §7.6, Jaeger's v1 admin server) and by gRPC health on the service ports.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

namespace ariadne::runtime {

enum class ServingState { kStarting, kServing, kDraining };

class Health {
 public:
  Health() = default;

  // Thread-safe. Entering kServing the first time records "upSince".
  void Set(ServingState state);
  ServingState state() const { return state_.load(std::memory_order_acquire); }
  bool serving() const { return state() == ServingState::kServing; }

  // The HTTP status (200 serving, 503 otherwise) and the JSON body Jaeger's admin server sends:
  // {"status":"Server available","upSince":"2024-01-01T00:00:00.000Z","uptime":"1h2m3.4s"} or
  // {"status":"Server not available","upSince":"0001-01-01T00:00:00Z","uptime":""}.
  unsigned HttpStatus() const { return serving() ? 200 : 503; }
  std::string Json() const;

 private:
  std::atomic<ServingState> state_{ServingState::kStarting};
  std::atomic<int64_t> up_since_ns_{0};  // system_clock, set on first kServing
};

}  // namespace ariadne::runtime
