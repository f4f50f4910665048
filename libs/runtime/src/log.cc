#include "runtime/log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>

namespace ariadne::runtime {
namespace {

std::mutex& LoggersMutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

tracecore::Status SetLogLevel(std::string_view level) {
  const spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
  // from_str answers "off" for anything it does not know; only accept "off" when asked for it.
  if (parsed == spdlog::level::off && level != "off") {
    return tracecore::Status::InvalidArgument("--log-level: unknown level \"" + std::string(level) +
                                              "\"; use debug, info, warn or error");
  }
  std::lock_guard lock(LoggersMutex());
  spdlog::set_level(parsed);
  return {};
}

std::shared_ptr<spdlog::logger> Logger(const std::string& component) {
  std::lock_guard lock(LoggersMutex());
  if (auto existing = spdlog::get(component)) return existing;
  auto logger = std::make_shared<spdlog::logger>(component,
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l [%n] %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::get_level());
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace ariadne::runtime
