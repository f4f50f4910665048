// ParseGoDuration / FormatGoDuration against the answers of Go's time.ParseDuration and
// Duration.String (printed by Go 1.26 for every row below).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "runtime/config.h"

namespace ariadne::runtime {
namespace {

using std::chrono::nanoseconds;

struct ParseCase {
  std::string text;
  int64_t nanos;
};

TEST_CASE("ParseGoDuration agrees with Go") {
  const std::vector<ParseCase> cases = {
      {"1h2m3.4s", 3723400000000},
      {"1.5s", 1500000000},
      {"200ms", 200000000},
      {"1\xc2\xb5s", 1000},  // U+00B5 micro sign
      {"1\xce\xbcs", 1000},  // U+03BC Greek mu
      {"1us", 1000},
      {"0", 0},
      {"+0", 0},
      {"0s", 0},
      {"0.0s", 0},
      {"72h", 259200000000000},
      {"1.5h", 5400000000000},
      {"1.1h", 3960000000000},
      {"+5s", 5000000000},
      {".5s", 500000000},
      {"1.s", 1000000000},
      {"1h30m", 5400000000000},
      {"3m3m", 360000000000},
      {"5m0.5s", 300500000000},
      {"15m30.918273645s", 930918273645},
      {"0.000000001s", 1},
      {"0.0000000009s", 0},
      {"1.0000000001s", 1000000000},
      {"0.3333333333333333333h", 1200000000000},
      {"1.00000000000000000000000000000001h", 3600000000000},
      {"3.999999999999999999999s", 4000000000},
      {"2540400h10m10.000000000s", 9145440610000000000},
      {"2562047h47m16.854775807s", std::numeric_limits<int64_t>::max()},
      {"9223372036854775807ns", std::numeric_limits<int64_t>::max()},
  };
  for (const ParseCase& c : cases) {
    INFO(c.text);
    nanoseconds value{-1};
    REQUIRE(ParseGoDuration(c.text, value).ok());
    CHECK(value.count() == c.nanos);
  }
}

TEST_CASE("ParseGoDuration rejects what Go rejects, and negative durations") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1", "invalid duration \"1\": missing unit (ns, us, ms, s, m or h)"},
      {"1x", "invalid duration \"1x\": unknown unit \"x\" (use ns, us, ms, s, m or h)"},
      {"7d", "invalid duration \"7d\": unknown unit \"d\" (use ns, us, ms, s, m or h)"},
      {"1h 2m", "invalid duration \"1h 2m\": unknown unit \"h \" (use ns, us, ms, s, m or h)"},
      {"1e3s", "invalid duration \"1e3s\": unknown unit \"e\" (use ns, us, ms, s, m or h)"},
      {"1.5.5s", "invalid duration \"1.5.5s\": missing unit (ns, us, ms, s, m or h)"},
      {"10ms5", "invalid duration \"10ms5\": missing unit (ns, us, ms, s, m or h)"},
      {"", "invalid duration \"\": empty; use e.g. 200ms, 1.5s, 1h30m"},
      {"s", "invalid duration \"s\": expected a number before each unit"},
      {".s", "invalid duration \".s\": expected a number before each unit"},
      {".", "invalid duration \".\": expected a number before each unit"},
      {"+", "invalid duration \"+\": no number"},
      // Go accepts these; a negative duration is never a valid setting here.
      {"-1s", "invalid duration \"-1s\": negative durations are not allowed"},
      {"-0", "invalid duration \"-0\": negative durations are not allowed"},
      {"-", "invalid duration \"-\": negative durations are not allowed"},
      {"2562047h47m16.854775808s", "invalid duration \"2562047h47m16.854775808s\": too large"},
      {"9223372036854775808ns", "invalid duration \"9223372036854775808ns\": too large"},
      {"100000000000000000000000000.1ns",
       "invalid duration \"100000000000000000000000000.1ns\": too large"},
      {"2562048h", "invalid duration \"2562048h\": too large"},
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    nanoseconds value{42};
    const tracecore::Status status = ParseGoDuration(text, value);
    CHECK(status.code() == tracecore::StatusCode::kInvalidArgument);
    CHECK(status.message() == message);
    CHECK(value.count() == 42);  // untouched on error
  }
}

TEST_CASE("FormatGoDuration agrees with Go's Duration.String") {
  const std::vector<std::pair<int64_t, std::string>> cases = {
      {0, "0s"},
      {1, "1ns"},
      {999, "999ns"},
      {1000, "1\xc2\xb5s"},
      {1100, "1.1\xc2\xb5s"},
      {1500000, "1.5ms"},
      {200000000, "200ms"},
      {999999999, "999.999999ms"},
      {1000000000, "1s"},
      {1000000001, "1.000000001s"},
      {1500000000, "1.5s"},
      {60000000000, "1m0s"},
      {90000000000, "1m30s"},
      {3600000000000, "1h0m0s"},
      {3601000000000, "1h0m1s"},
      {3723400000000, "1h2m3.4s"},
      {259200000000000, "72h0m0s"},
      {930918273645, "15m30.918273645s"},
      {-1, "-1ns"},
      {-1500000000, "-1.5s"},
      {std::numeric_limits<int64_t>::max(), "2562047h47m16.854775807s"},
      {std::numeric_limits<int64_t>::min(), "-2562047h47m16.854775808s"},
  };
  for (const auto& [nanos, text] : cases) {
    INFO(nanos);
    CHECK(FormatGoDuration(nanoseconds(nanos)) == text);
  }
}

TEST_CASE("FormatGoDuration's text parses back to the same duration") {
  for (int64_t nanos :
       {int64_t{0}, int64_t{1}, int64_t{1100}, int64_t{999999999}, int64_t{3723400000000},
        int64_t{259200000000000}, std::numeric_limits<int64_t>::max()}) {
    INFO(nanos);
    nanoseconds parsed{-1};
    REQUIRE(ParseGoDuration(FormatGoDuration(nanoseconds(nanos)), parsed).ok());
    CHECK(parsed.count() == nanos);
  }
}

}  // namespace
}  // namespace ariadne::runtime
