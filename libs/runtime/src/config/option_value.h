// Private to Config: the typed variable behind an option, and the conversion of the text a flag,
// an environment variable or the config file gave into that type.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tracecore/status.h"

namespace ariadne::runtime::config_detail {

// The caller's variable; it holds the default until Parse() assigns it.
using OptionTarget = std::variant<std::string*, std::vector<std::string>*, bool*, int64_t*, double*,
                                  std::chrono::nanoseconds*>;

// Inclusive ranges; only the one matching the target's type is used.
struct OptionLimits {
  int64_t min_int = 0;
  int64_t max_int = 0;
  double min_double = 0;
  double max_double = 0;
};

// What one source gave for one option: a single text, several texts (a repeated flag), or the
// items of a YAML sequence.
struct RawValue {
  std::vector<std::string> texts;
  bool is_sequence = false;
};

// Converts `raw` and stores it in the target. A scalar option takes the last text; a list option
// takes every text, each split at commas (sequence items are not split). On a bad value returns
// kInvalidArgument whose message says what would be accepted ("expected an integer from 1 to 10"),
// and leaves the target unchanged.
tracecore::Status AssignValue(const OptionTarget& target, const OptionLimits& limits,
                              const RawValue& raw);

// The target's current value as a user would type it ("2000", "200ms", "a,b", "true").
std::string FormatValue(const OptionTarget& target);

// "string", "strings", "bool", "int", "float" or "duration", for --help.
std::string_view TypeName(const OptionTarget& target);

// What values the option accepts, for --help ("from 1 to 100"); empty when anything goes.
std::string DescribeAccepted(const OptionTarget& target, const OptionLimits& limits);

// True for a value of Go's strconv.ParseBool: 1, t, T, TRUE, true, True and their false twins.
bool ParseBool(std::string_view text, bool& out);

// Comma-separated text as items, each trimmed of spaces; empty items are dropped.
std::vector<std::string> SplitList(std::string_view text);

}  // namespace ariadne::runtime::config_detail
