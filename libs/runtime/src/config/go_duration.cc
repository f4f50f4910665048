// Go's duration syntax (time.ParseDuration and Duration.String), so that every duration flag reads
// and prints exactly as it does for a Jaeger user.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/config.h"

namespace ariadne::runtime {
namespace {

using tracecore::Status;

// Go bounds the magnitude while it accumulates by 2^63 and the final positive value by 2^63 - 1.
constexpr uint64_t kMagnitudeBound = uint64_t{1} << 63;

struct DurationUnit {
  std::string_view name;
  uint64_t nanos;
};

constexpr uint64_t kMicrosecond = 1000;
constexpr uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr uint64_t kSecond = 1000 * kMillisecond;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kHour = 60 * kMinute;

constexpr std::array<DurationUnit, 8> kUnits = {{
    {"ns", 1},
    {"us", kMicrosecond},
    {"\xc2\xb5s", kMicrosecond},  // U+00B5 MICRO SIGN
    {"\xce\xbcs", kMicrosecond},  // U+03BC GREEK SMALL LETTER MU
    {"ms", kMillisecond},
    {"s", kSecond},
    {"m", kMinute},
    {"h", kHour},
}};

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

Status Invalid(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("invalid duration \"" + std::string(text) +
                                 "\": " + std::string(why));
}

// One "<number><unit>" element: the whole digits, the fraction digits (as an integer over
// `fraction_scale`) and whether any digit was present.
struct DurationNumber {
  uint64_t whole = 0;
  uint64_t fraction = 0;
  double fraction_scale = 1;
  bool has_digits = false;
  bool overflow = false;
};

// Consumes [0-9]*(\.[0-9]*)? from the front of `rest`. Like Go, the fraction keeps the digits
// that fit in 63 bits and drops the rest (they are below a nanosecond anyway).
DurationNumber ConsumeNumber(std::string_view& rest) {
  DurationNumber number;
  while (!rest.empty() && IsDigit(rest.front())) {
    const auto digit = static_cast<uint64_t>(rest.front() - '0');
    if (number.whole > kMagnitudeBound / 10) number.overflow = true;
    number.whole = number.whole * 10 + digit;
    if (number.whole > kMagnitudeBound) number.overflow = true;
    number.has_digits = true;
    rest.remove_prefix(1);
  }
  if (rest.empty() || rest.front() != '.') return number;
  rest.remove_prefix(1);
  bool fraction_full = false;
  while (!rest.empty() && IsDigit(rest.front())) {
    const auto digit = static_cast<uint64_t>(rest.front() - '0');
    number.has_digits = true;
    rest.remove_prefix(1);
    if (fraction_full) continue;
    if (number.fraction > (kMagnitudeBound - 1) / 10 ||
        number.fraction * 10 + digit > kMagnitudeBound) {
      fraction_full = true;
      continue;
    }
    number.fraction = number.fraction * 10 + digit;
    number.fraction_scale *= 10;
  }
  return number;
}

// The digits of `value` / 10^`precision` after the decimal point, with the point, without
// trailing zeros; empty when the fraction is zero.
std::string FractionDigits(uint64_t value, int precision) {
  std::string digits(static_cast<size_t>(precision), '0');
  for (int i = precision - 1; i >= 0; --i) {
    digits[static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  const size_t last = digits.find_last_not_of('0');
  if (last == std::string::npos) return "";
  return "." + digits.substr(0, last + 1);
}

// `value` / 10^`precision` as a decimal number without trailing zeros.
std::string Decimal(uint64_t value, int precision) {
  uint64_t scale = 1;
  for (int i = 0; i < precision; ++i) scale *= 10;
  return std::to_string(value / scale) + FractionDigits(value % scale, precision);
}

}  // namespace

Status ParseGoDuration(std::string_view text, std::chrono::nanoseconds& out) {
  std::string_view rest = text;
  if (rest.empty()) return Invalid(text, "empty; use e.g. 200ms, 1.5s, 1h30m");
  if (rest.front() == '-') return Invalid(text, "negative durations are not allowed");
  if (rest.front() == '+') rest.remove_prefix(1);
  if (rest == "0") {
    out = std::chrono::nanoseconds(0);
    return {};
  }
  if (rest.empty()) return Invalid(text, "no number");
  uint64_t total = 0;
  while (!rest.empty()) {
    if (!IsDigit(rest.front()) && rest.front() != '.') {
      return Invalid(text, "expected a number before each unit");
    }
    const DurationNumber number = ConsumeNumber(rest);
    if (!number.has_digits) return Invalid(text, "expected a number before each unit");
    if (number.overflow) return Invalid(text, "too large");
    size_t unit_length = 0;
    while (unit_length < rest.size() && !IsDigit(rest[unit_length]) && rest[unit_length] != '.') {
      ++unit_length;
    }
    if (unit_length == 0) return Invalid(text, "missing unit (ns, us, ms, s, m or h)");
    const std::string_view unit_name = rest.substr(0, unit_length);
    rest.remove_prefix(unit_length);
    const DurationUnit* unit = nullptr;
    for (const DurationUnit& candidate : kUnits) {
      if (candidate.name == unit_name) unit = &candidate;
    }
    if (unit == nullptr) {
      return Invalid(text,
                     "unknown unit \"" + std::string(unit_name) + "\" (use ns, us, ms, s, m or h)");
    }
    if (number.whole > kMagnitudeBound / unit->nanos) return Invalid(text, "too large");
    uint64_t value = number.whole * unit->nanos;
    if (number.fraction > 0) {
      // The same double arithmetic as Go, so that "1.1h" lands on the same nanosecond.
      value += static_cast<uint64_t>(static_cast<double>(number.fraction) *
                                     (static_cast<double>(unit->nanos) / number.fraction_scale));
      if (value > kMagnitudeBound) return Invalid(text, "too large");
    }
    total += value;
    if (total > kMagnitudeBound) return Invalid(text, "too large");
  }
  if (total > kMagnitudeBound - 1) return Invalid(text, "too large");
  out = std::chrono::nanoseconds(static_cast<int64_t>(total));
  return {};
}

std::string FormatGoDuration(std::chrono::nanoseconds value) {
  const int64_t count = value.count();
  const bool negative = count < 0;
  // Unsigned negation also covers the most negative value.
  const uint64_t magnitude =
      negative ? uint64_t{0} - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  std::string text;
  if (magnitude == 0) {
    return "0s";
  } else if (magnitude < kMicrosecond) {
    text = std::to_string(magnitude) + "ns";
  } else if (magnitude < kMillisecond) {
    text = Decimal(magnitude, 3) + "\xc2\xb5s";
  } else if (magnitude < kSecond) {
    text = Decimal(magnitude, 6) + "ms";
  } else {
    // Hours are the largest unit: days and longer have no fixed length.
    const uint64_t seconds = magnitude / kSecond;
    text = std::to_string(seconds % 60) + FractionDigits(magnitude % kSecond, 9) + "s";
    const uint64_t minutes = seconds / 60;
    if (minutes > 0) {
      text = std::to_string(minutes % 60) + "m" + text;
      const uint64_t hours = minutes / 60;
      if (hours > 0) text = std::to_string(hours) + "h" + text;
    }
  }
  return negative ? "-" + text : text;
}

}  // namespace ariadne::runtime
