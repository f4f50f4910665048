#include "runtime/health.h"

#include <ctime>

#include "runtime/config.h"

namespace ariadne::runtime {

void Health::Set(ServingState state) {
  if (state == ServingState::kServing && up_since_ns_.load() == 0) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    up_since_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
  }
  state_.store(state, std::memory_order_release);
}

std::string Health::Json() const {
  if (!serving()) {
    return R"({"status":"Server not available","upSince":"0001-01-01T00:00:00Z","uptime":""})";
  }
  const int64_t since_ns = up_since_ns_.load();
  const std::time_t seconds = static_cast<std::time_t>(since_ns / 1'000'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[40];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof(millis), ".%03dZ", static_cast<int>((since_ns / 1'000'000) % 1000));
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto uptime = std::chrono::duration_cast<std::chrono::nanoseconds>(now) -
                      std::chrono::nanoseconds(since_ns);
  // Go prints the uptime with full precision; milliseconds are plenty for a health page.
  const auto uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(uptime);
  return std::string(R"({"status":"Server available","upSince":")") + stamp + millis +
         R"(","uptime":")" + FormatGoDuration(uptime_ms) + R"("})";
}

}  // namespace ariadne::runtime
