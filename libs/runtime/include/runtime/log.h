// Logging: one spdlog logger per component ("collector", "http", "sampling"), all writing one line
// per event to stderr as "<time> <level> [<component>] <message>". Never log per span.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

#include "tracecore/status.h"

namespace ariadne::runtime {

// Sets the level of every logger, current and future: "debug", "info", "warn", "error".
tracecore::Status SetLogLevel(std::string_view level);

// The logger of `component`, created on first use. Thread-safe; the pointer stays valid.
std::shared_ptr<spdlog::logger> Logger(const std::string& component);

}  // namespace ariadne::runtime
