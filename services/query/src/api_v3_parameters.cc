#include "api_v3_parameters.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <map>

#include "runtime/config.h"

namespace ariadne::query {
namespace {

using tracecore::Status;

constexpr uint32_t kDefaultSearchDepth = 100;
constexpr uint64_t kNanosPerSecond = 1'000'000'000;
constexpr std::string_view kTimeExample = "2025-11-27T10:40:00Z or 2025-11-27T12:40:00.5+02:00";

Status Malformed(std::string_view name, std::string_view reason) {
  return Status::InvalidArgument("malformed parameter " + std::string(name) + ": " +
                                 std::string(reason));
}

std::string Quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// A parameter's value and the name it was found under: `canonical` when given and non-empty,
// else `alias` (Jaeger v2's getQueryParam).
struct Param {
  std::string_view value;
  std::string_view name;
};

Param Find(const QueryParams& params, std::string_view canonical, std::string_view alias) {
  if (const std::string_view value = FormValue(params, canonical); !value.empty()) {
    return {value, canonical};
  }
  return {FormValue(params, alias), alias};
}

// Reads `count` decimal digits at text[at]; false when they are not all digits.
bool ReadDigits(std::string_view text, size_t at, size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[static_cast<size_t>(month - 1)];
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian), negative before it.
int64_t DaysFromCivil(int year, int month, int day) {
  return std::chrono::sys_days(std::chrono::year(year) / std::chrono::month(month) /
                               std::chrono::day(day))
      .time_since_epoch()
      .count();
}

// The zone suffix at text[at]: "Z" or "+hh:mm" / "-hh:mm"; `offset` is seconds east of UTC.
bool ReadZone(std::string_view text, size_t at, int64_t& offset) {
  const std::string_view zone = text.substr(at);
  if (zone == "Z") {
    offset = 0;
    return true;
  }
  int hours = 0;
  int minutes = 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' ||
      !ReadDigits(zone, 1, 2, hours) || !ReadDigits(zone, 4, 2, minutes) || hours > 23 ||
      minutes > 59) {
    return false;
  }
  offset = (zone[0] == '-' ? -1 : 1) * (int64_t{hours} * 3600 + int64_t{minutes} * 60);
  return true;
}

Status ParseTime(Param param, uint64_t& out) {
  const Status parsed = ParseRfc3339Nano(param.value, out);
  return parsed.ok() ? parsed : Malformed(param.name, parsed.message());
}

Status ParseBool(Param param, bool& out) {
  out = false;
  if (param.value.empty()) return {};
  const Status parsed = ParseGoBool(param.value, out);
  return parsed.ok() ? parsed : Malformed(param.name, parsed.message());
}

Status ParseDuration(Param param, uint64_t& out) {
  out = 0;
  if (param.value.empty()) return {};
  std::chrono::nanoseconds duration{0};
  const Status parsed = runtime::ParseGoDuration(param.value, duration);
  if (!parsed.ok()) {
    return Malformed(param.name,
                     parsed.message() + "; use a Go duration such as 250us, 20ms or 1.5s");
  }
  out = static_cast<uint64_t>(duration.count());
  return {};
}

Status ParseSearchDepth(const QueryParams& params, uint32_t max_depth, uint32_t& out) {
  Param param = Find(params, "query.searchDepth", "query.search_depth");
  if (param.value.empty()) param = {FormValue(params, "query.num_traces"), "query.num_traces"};
  out = kDefaultSearchDepth;
  if (param.value.empty()) return {};
  if (!std::all_of(param.value.begin(), param.value.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return Malformed(param.name, Quoted(param.value) + " is not a whole number of traces");
  }
  uint64_t value = 0;
  for (const char c : param.value) {
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > max_depth) {
      return Malformed(param.name, Quoted(param.value) + " is more than " +
                                       std::to_string(max_depth) +
                                       ", the most spans (and so traces) one response holds "
                                       "(--query.max-trace-size)");
    }
  }
  if (value > 0) out = static_cast<uint32_t>(value);
  return {};
}

// query.attributes: {"key":"value", ...}, every value a string.
Status ParseAttributes(const QueryParams& params,
                       std::vector<std::pair<std::string, std::string>>& out) {
  constexpr std::string_view kName = "query.attributes";
  const std::string_view text = FormValue(params, kName);
  out.clear();
  if (text.empty()) return {};
  std::map<std::string, std::string> attributes;
  const Status parsed = ParseStringObject(text, attributes);
  if (!parsed.ok()) return Malformed(kName, parsed.message());
  out.assign(attributes.begin(), attributes.end());
  return {};
}

uint64_t Earliest(const TimeWindow& window) {
  const auto max_lookback = static_cast<uint64_t>(window.max_lookback.count());
  if (max_lookback == 0) return 0;
  return window.now > max_lookback ? window.now - max_lookback : 0;
}

Status ParseSearchTimes(const QueryParams& params, const TimeWindow& window,
                        storage::TraceQuery& query) {
  const Param min = Find(params, "query.startTimeMin", "query.start_time_min");
  const Param max = Find(params, "query.startTimeMax", "query.start_time_max");
  if (min.value.empty() || max.value.empty()) {
    return Status::InvalidArgument(
        "query.startTimeMin and query.startTimeMax are required (also spelled "
        "query.start_time_min and query.start_time_max): RFC 3339 times such as " +
        std::string(kTimeExample));
  }
  uint64_t start_min = 0;
  uint64_t start_max = 0;
  ARIADNE_RETURN_IF_ERROR(ParseTime(min, start_min));
  ARIADNE_RETURN_IF_ERROR(ParseTime(max, start_max));
  if (start_min >= start_max) {
    return Malformed(min.name, std::string(min.name) + " must be before " + std::string(max.name));
  }
  // The reference's bound is exclusive; storage's is inclusive.
  query.start_time_min = std::max(start_min, Earliest(window));
  query.start_time_max = start_max - 1;
  if (query.start_time_min > query.start_time_max) {
    // The whole window is older than --query.max-lookback: nothing can match.
    query.start_time_min = query.start_time_max;
  }
  return {};
}

}  // namespace

Status ParseRfc3339Nano(std::string_view text, uint64_t& out) {
  const std::string invalid =
      Quoted(text) + " is not an RFC 3339 time such as " + std::string(kTimeExample);
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (text.size() < 20 || !ReadDigits(text, 0, 4, year) || text[4] != '-' ||
      !ReadDigits(text, 5, 2, month) || text[7] != '-' || !ReadDigits(text, 8, 2, day) ||
      text[10] != 'T' || !ReadDigits(text, 11, 2, hour) || text[13] != ':' ||
      !ReadDigits(text, 14, 2, minute) || text[16] != ':' || !ReadDigits(text, 17, 2, second)) {
    return Status::InvalidArgument(invalid);
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return Status::InvalidArgument(Quoted(text) + " is out of range (month 1-12, a day of that " +
                                   "month, hour 0-23, minute and second 0-59)");
  }
  size_t at = 19;
  uint64_t fraction = 0;
  if (text[at] == '.') {
    ++at;
    const size_t digits_from = at;
    uint64_t scale = kNanosPerSecond;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
      if (scale > 1) {
        scale /= 10;
        fraction += static_cast<uint64_t>(text[at] - '0') * scale;
      }
    }
    if (at == digits_from) return Status::InvalidArgument(invalid);
  }
  int64_t offset = 0;
  if (!ReadZone(text, at, offset)) return Status::InvalidArgument(invalid);
  const int64_t seconds = DaysFromCivil(year, month, day) * 86400 + int64_t{hour} * 3600 +
                          int64_t{minute} * 60 + second - offset;
  if (seconds < 0) {
    return Status::InvalidArgument(Quoted(text) + " is before 1970-01-01T00:00:00Z");
  }
  const auto whole = static_cast<uint64_t>(seconds);
  if (whole > (std::numeric_limits<uint64_t>::max() - fraction) / kNanosPerSecond) {
    return Status::InvalidArgument(Quoted(text) + " is too far in the future");
  }
  out = whole * kNanosPerSecond + fraction;
  return {};
}

Status ParseGoBool(std::string_view text, bool& out) {
  static constexpr std::array<std::string_view, 6> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static constexpr std::array<std::string_view, 6> kFalse = {"0",     "f",     "F",
                                                             "FALSE", "false", "False"};
  if (std::find(kTrue.begin(), kTrue.end(), text) != kTrue.end()) {
    out = true;
    return {};
  }
  if (std::find(kFalse.begin(), kFalse.end(), text) != kFalse.end()) {
    out = false;
    return {};
  }
  return Status::InvalidArgument(Quoted(text) + " is not a boolean; use true or false");
}

Status ParseV3GetTrace(std::string_view trace_id, const QueryParams& params,
                       V3GetTraceRequest& out) {
  if (Status parsed = ParseTraceId(trace_id, out.trace_id); !parsed.ok()) {
    return Malformed("trace_id", parsed.message());
  }
  uint64_t ignored = 0;
  for (const Param time :
       {Find(params, "startTime", "start_time"), Find(params, "endTime", "end_time")}) {
    if (!time.value.empty()) ARIADNE_RETURN_IF_ERROR(ParseTime(time, ignored));
  }
  return ParseBool(Find(params, "rawTraces", "raw_traces"), out.raw);
}

Status ParseV3Search(const QueryParams& params, const TimeWindow& window, uint32_t max_depth,
                     V3SearchRequest& out) {
  storage::TraceQuery& query = out.query;
  const Param service = Find(params, "query.serviceName", "query.service_name");
  if (service.value.empty()) {
    return Status::InvalidArgument(
        "query.serviceName (or query.service_name) is required: the service whose traces to "
        "find");
  }
  query.service = std::string(service.value);
  query.operation = std::string(Find(params, "query.operationName", "query.operation_name").value);
  ARIADNE_RETURN_IF_ERROR(ParseSearchTimes(params, window, query));
  ARIADNE_RETURN_IF_ERROR(ParseAttributes(params, query.tags));
  ARIADNE_RETURN_IF_ERROR(ParseSearchDepth(params, max_depth, query.limit));
  const Param min = Find(params, "query.durationMin", "query.duration_min");
  const Param max = Find(params, "query.durationMax", "query.duration_max");
  ARIADNE_RETURN_IF_ERROR(ParseDuration(min, query.duration_min));
  ARIADNE_RETURN_IF_ERROR(ParseDuration(max, query.duration_max));
  if (query.duration_max != 0 && query.duration_max < query.duration_min) {
    return Malformed(max.name,
                     std::string(max.name) + " must not be less than " + std::string(min.name));
  }
  return ParseBool(Find(params, "query.rawTraces", "query.raw_traces"), out.raw);
}

Status ParseV3Operations(const QueryParams& params, V3OperationsRequest& out) {
  using tracecore::SpanKind;
  out.service = std::string(FormValue(params, "service"));
  if (out.service.empty()) {
    return Status::InvalidArgument(
        "parameter service is required: the service whose operations "
        "to list");
  }
  const Param kind = Find(params, "spanKind", "span_kind");
  out.span_kind.reset();
  if (kind.value.empty()) return {};
  for (const SpanKind candidate : {SpanKind::kInternal, SpanKind::kServer, SpanKind::kClient,
                                   SpanKind::kProducer, SpanKind::kConsumer}) {
    if (kind.value == tracecore::SpanKindLowerName(candidate)) out.span_kind = candidate;
  }
  if (kind.value == "unspecified") out.span_kind = SpanKind::kUnspecified;
  if (!out.span_kind) {
    return Malformed(kind.name, Quoted(kind.value) +
                                    " is not a span kind; use server, client, producer, "
                                    "consumer, internal or unspecified");
  }
  return {};
}

Status ParseV3Dependencies(const QueryParams& params, const TimeWindow& window,
                           V3DependenciesRequest& out) {
  const Param start = Find(params, "startTime", "start_time");
  const Param end = Find(params, "endTime", "end_time");
  if (start.value.empty() || end.value.empty()) {
    return Status::InvalidArgument(
        "startTime and endTime are required (also spelled start_time and end_time): RFC 3339 "
        "times such as " +
        std::string(kTimeExample));
  }
  uint64_t start_time = 0;
  ARIADNE_RETURN_IF_ERROR(ParseTime(start, start_time));
  ARIADNE_RETURN_IF_ERROR(ParseTime(end, out.end_time));
  if (out.end_time <= start_time) {
    return Malformed(end.name, std::string(end.name) + " must be after " + std::string(start.name));
  }
  start_time = std::min(std::max(start_time, Earliest(window)), out.end_time);
  out.lookback = out.end_time - start_time;
  return {};
}

}  // namespace ariadne::query
