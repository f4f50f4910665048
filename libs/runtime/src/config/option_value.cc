#include "option_value.h"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "runtime/config.h"

namespace ariadne::runtime::config_detail {
namespace {

using tracecore::Status;

// Plain decimal integers only: an optional '-' and digits. No '+', hex, '_', exponent or spaces.
bool ParseInt64(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, out, 10);
  return error == std::errc() && ptr == end;
}

// Decimal numbers ("0.5", "2", "1e-3"); not hex, infinities or NaN.
bool ParseDouble(std::string_view text, double& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, out, std::chars_format::general);
  return error == std::errc() && ptr == end && std::isfinite(out);
}

std::string FormatDouble(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), result.ptr};
}

std::string IntRange(const OptionLimits& limits) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (limits.min_int == kMin && limits.max_int == kMax) return "";
  if (limits.max_int == kMax) return "of at least " + std::to_string(limits.min_int);
  if (limits.min_int == kMin) return "of at most " + std::to_string(limits.max_int);
  return "from " + std::to_string(limits.min_int) + " to " + std::to_string(limits.max_int);
}

std::string DoubleRange(const OptionLimits& limits) {
  constexpr double kMax = std::numeric_limits<double>::max();
  if (limits.min_double <= -kMax && limits.max_double >= kMax) return "";
  if (limits.max_double >= kMax) return "of at least " + FormatDouble(limits.min_double);
  if (limits.min_double <= -kMax) return "of at most " + FormatDouble(limits.max_double);
  return "from " + FormatDouble(limits.min_double) + " to " + FormatDouble(limits.max_double);
}

std::string WithRange(std::string_view what, const std::string& range) {
  std::string text(what);
  if (!range.empty()) text.append(" ").append(range);
  return text;
}

constexpr std::string_view kDurationExamples =
    "a Go duration such as 500ms, 1.5s, 2m30s or 72h (units ns, us, ms, s, m, h)";

struct Assigner {
  const OptionLimits& limits;
  const RawValue& raw;

  Status operator()(std::string* target) const {
    *target = raw.texts.back();
    return {};
  }

  Status operator()(std::vector<std::string>* target) const {
    std::vector<std::string> items;
    for (const std::string& text : raw.texts) {
      if (raw.is_sequence) {
        items.push_back(text);
        continue;
      }
      for (std::string& item : SplitList(text)) items.push_back(std::move(item));
    }
    *target = std::move(items);
    return {};
  }

  Status operator()(bool* target) const {
    if (!ParseBool(raw.texts.back(), *target)) {
      return Status::InvalidArgument("expected true or false");
    }
    return {};
  }

  Status operator()(int64_t* target) const {
    int64_t value = 0;
    if (!ParseInt64(raw.texts.back(), value) || value < limits.min_int || value > limits.max_int) {
      return Status::InvalidArgument(WithRange("expected a whole number", IntRange(limits)));
    }
    *target = value;
    return {};
  }

  Status operator()(double* target) const {
    double value = 0;
    if (!ParseDouble(raw.texts.back(), value) || value < limits.min_double ||
        value > limits.max_double) {
      return Status::InvalidArgument(WithRange("expected a number", DoubleRange(limits)));
    }
    *target = value;
    return {};
  }

  Status operator()(std::chrono::nanoseconds* target) const {
    std::chrono::nanoseconds value{};
    const Status parsed = ParseGoDuration(raw.texts.back(), value);
    if (!parsed.ok()) {
      return Status::InvalidArgument(parsed.message() + "; expected " +
                                     std::string(kDurationExamples));
    }
    *target = value;
    return {};
  }
};

}  // namespace

Status AssignValue(const OptionTarget& target, const OptionLimits& limits, const RawValue& raw) {
  const bool is_list = std::holds_alternative<std::vector<std::string>*>(target);
  if (raw.is_sequence && !is_list) {
    return Status::InvalidArgument("expected a single value, not a list");
  }
  if (raw.texts.empty()) {
    if (is_list) {
      std::get<std::vector<std::string>*>(target)->clear();
      return {};
    }
    return Status::InvalidArgument("expected a value");
  }
  return std::visit(Assigner{limits, raw}, target);
}

std::string FormatValue(const OptionTarget& target) {
  struct Formatter {
    std::string operator()(const std::string* value) const { return *value; }
    std::string operator()(const std::vector<std::string>* value) const {
      std::string text;
      for (const std::string& item : *value) {
        if (!text.empty()) text += ',';
        text += item;
      }
      return text;
    }
    std::string operator()(const bool* value) const { return *value ? "true" : "false"; }
    std::string operator()(const int64_t* value) const { return std::to_string(*value); }
    std::string operator()(const double* value) const { return FormatDouble(*value); }
    std::string operator()(const std::chrono::nanoseconds* value) const {
      return FormatGoDuration(*value);
    }
  };
  return std::visit(Formatter{}, target);
}

std::string_view TypeName(const OptionTarget& target) {
  constexpr std::array<std::string_view, 6> kNames = {"string", "strings", "bool",
                                                      "int",    "float",   "duration"};
  return kNames[target.index()];
}

std::string DescribeAccepted(const OptionTarget& target, const OptionLimits& limits) {
  if (std::holds_alternative<int64_t*>(target)) return IntRange(limits);
  if (std::holds_alternative<double*>(target)) return DoubleRange(limits);
  return "";
}

bool ParseBool(std::string_view text, bool& out) {
  constexpr std::array<std::string_view, 6> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  constexpr std::array<std::string_view, 6> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
  for (std::string_view candidate : kTrue) {
    if (text == candidate) {
      out = true;
      return true;
    }
  }
  for (std::string_view candidate : kFalse) {
    if (text == candidate) {
      out = false;
      return true;
    }
  }
  return false;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    const size_t first = item.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      const size_t last = item.find_last_not_of(" \t");
      items.emplace_back(item.substr(first, last - first + 1));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace ariadne::runtime::config_detail
