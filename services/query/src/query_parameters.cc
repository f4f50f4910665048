#include "query_parameters.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <limits>
#include <map>

#include "runtime/config.h"

namespace ariadne::query {
namespace {

using tracecore::Status;

constexpr uint32_t kDefaultLimit = 100;
constexpr uint64_t kDefaultDependencyLookback = uint64_t{24} * 3600 * 1'000'000'000;

Status ParamError(std::string_view name, std::string_view reason) {
  return Status::InvalidArgument("unable to parse param '" + std::string(name) +
                                 "': " + std::string(reason));
}

std::string Quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// A whole number of `unit_nanos` (1000 for µs, 1000000 for ms) as nanoseconds.
Status ParseUnits(std::string_view name, std::string_view text, uint64_t unit_nanos,
                  std::string_view what, uint64_t& out) {
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return ParamError(name, Quoted(text) + " is not " + std::string(what));
  }
  const std::string too_large = Quoted(text) + " is too large";
  uint64_t value = 0;
  for (const char c : text) {
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return ParamError(name, too_large);
    }
    value = value * 10 + digit;
  }
  if (value > std::numeric_limits<uint64_t>::max() / unit_nanos) return ParamError(name, too_large);
  out = value * unit_nanos;
  return {};
}

Status ParseMicrosTime(const QueryParams& params, std::string_view name, uint64_t fallback,
                       uint64_t& out) {
  const std::string_view text = FormValue(params, name);
  if (text.empty()) {
    out = fallback;
    return {};
  }
  return ParseUnits(name, text, 1000,
                    "a time in microseconds since the Unix epoch (e.g. 1764240000000000)", out);
}

Status ParseDuration(const QueryParams& params, std::string_view name, uint64_t& out) {
  const std::string_view text = FormValue(params, name);
  out = 0;
  if (text.empty()) return {};
  std::chrono::nanoseconds duration{0};
  const Status parsed = runtime::ParseGoDuration(text, duration);
  if (!parsed.ok()) {
    return ParamError(name, parsed.message() + "; use a Go duration such as 250us, 20ms or 1.5s");
  }
  out = static_cast<uint64_t>(duration.count());
  return {};
}

// tag=key:value (split on the first ':'), then tags={"k":"v"}; later values of a key win.
Status ParseTags(const QueryParams& params, std::vector<std::pair<std::string, std::string>>& out) {
  std::map<std::string, std::string> tags;
  for (const auto& [name, value] : params) {
    if (name != "tag") continue;
    const size_t colon = value.find(':');
    if (colon == std::string::npos) {
      return Status::InvalidArgument("malformed 'tag' parameter, expecting key:value, received: " +
                                     value);
    }
    tags[value.substr(0, colon)] = value.substr(colon + 1);
  }
  for (const auto& [name, value] : params) {
    if (name != "tags") continue;
    const Status parsed = ParseStringObject(value, tags);
    if (!parsed.ok()) {
      return Status::InvalidArgument("malformed 'tags' parameter: " + parsed.message());
    }
  }
  out.assign(tags.begin(), tags.end());
  return {};
}

Status ParseLimit(const QueryParams& params, uint32_t max_limit, uint32_t& out) {
  const std::string_view text = FormValue(params, "limit");
  out = kDefaultLimit;
  if (text.empty()) return {};
  uint64_t value = 0;
  ARIADNE_RETURN_IF_ERROR(ParseUnits("limit", text, 1, "a whole number of traces", value));
  if (value > max_limit) {
    return ParamError("limit", std::to_string(value) + " is more than " +
                                   std::to_string(max_limit) +
                                   ", the most spans (and so traces) one response holds "
                                   "(--query.max-trace-size)");
  }
  if (value > 0) out = static_cast<uint32_t>(value);
  return {};
}

Status ParseTraceIds(const QueryParams& params, std::vector<tracecore::TraceId>& out) {
  for (const auto& [name, value] : params) {
    if (name != "traceID") continue;
    tracecore::TraceId id;
    const Status parsed = ParseTraceId(value, id);
    if (!parsed.ok()) return ParamError("traceID", parsed.message());
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return {};
}

uint64_t Earliest(const TimeWindow& window) {
  const auto max_lookback = static_cast<uint64_t>(window.max_lookback.count());
  if (max_lookback == 0) return 0;
  return window.now > max_lookback ? window.now - max_lookback : 0;
}

Status ParseTimes(const QueryParams& params, const TimeWindow& window, storage::TraceQuery& query) {
  const auto lookback = static_cast<uint64_t>(window.lookback.count());
  const uint64_t default_start = window.now > lookback ? window.now - lookback : 0;
  ARIADNE_RETURN_IF_ERROR(ParseMicrosTime(params, "start", default_start, query.start_time_min));
  ARIADNE_RETURN_IF_ERROR(ParseMicrosTime(params, "end", window.now, query.start_time_max));
  if (query.start_time_min > query.start_time_max) {
    return Status::InvalidArgument("'start' should not be after 'end'");
  }
  query.start_time_min = std::max(query.start_time_min, Earliest(window));
  return {};
}

}  // namespace

std::string_view FormValue(const QueryParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

bool IsRaw(const QueryParams& params) {
  static constexpr std::array<std::string_view, 6> kTrue = {"1", "t", "T", "true", "TRUE", "True"};
  const std::string_view raw = FormValue(params, "raw");
  return std::find(kTrue.begin(), kTrue.end(), raw) != kTrue.end();
}

bool IsPrettyPrint(const QueryParams& params) {
  const std::string_view value = FormValue(params, "prettyPrint");
  return !value.empty() && value != "false";
}

Status ParseTraceId(std::string_view text, tracecore::TraceId& out) {
  const std::optional<tracecore::TraceId> id = tracecore::TraceId::FromHex(text);
  if (!id) {
    return Status::InvalidArgument("invalid trace id " + Quoted(text) +
                                   ": expected 1 to 32 hex characters");
  }
  out = *id;
  return {};
}

Status ParseStringObject(std::string_view text, std::map<std::string, std::string>& out) {
  constexpr std::string_view kExample = R"(e.g. {"http.status_code":"500"})";
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(text.data(), text.size()).get(root)) {
    return Status::InvalidArgument(std::string("not JSON: ") + simdjson::error_message(error) +
                                   "; expected an object of strings, " + std::string(kExample));
  }
  simdjson::dom::object object;
  if (root.get(object) != simdjson::SUCCESS) {
    return Status::InvalidArgument("expected a JSON object of strings, " + std::string(kExample));
  }
  for (auto [key, value] : object) {
    std::string_view string_value;
    if (value.get(string_value) != simdjson::SUCCESS) {
      return Status::InvalidArgument("the value of \"" + std::string(key) +
                                     "\" is not a string; quote every value, " +
                                     std::string(kExample));
    }
    out[std::string(key)] = std::string(string_value);
  }
  return {};
}
Status ParseSpanKind(std::string_view text, std::optional<tracecore::SpanKind>& out) {
  using tracecore::SpanKind;
  out.reset();
  if (text.empty()) return {};
  for (const SpanKind kind : {SpanKind::kInternal, SpanKind::kServer, SpanKind::kClient,
                              SpanKind::kProducer, SpanKind::kConsumer}) {
    if (text == tracecore::SpanKindLowerName(kind)) out = kind;
  }
  if (text == "unspecified") out = SpanKind::kUnspecified;
  if (!out) {
    return ParamError("spanKind", Quoted(text) +
                                      " is not a span kind; use server, client, producer, "
                                      "consumer, internal or unspecified");
  }
  return {};
}

Status ParseSearch(const QueryParams& params, const TimeWindow& window, uint32_t max_limit,
                   SearchRequest& out) {
  storage::TraceQuery& query = out.query;
  query.service = std::string(FormValue(params, "service"));
  query.operation = std::string(FormValue(params, "operation"));
  ARIADNE_RETURN_IF_ERROR(ParseTimes(params, window, query));
  ARIADNE_RETURN_IF_ERROR(ParseTags(params, query.tags));
  ARIADNE_RETURN_IF_ERROR(ParseLimit(params, max_limit, query.limit));
  ARIADNE_RETURN_IF_ERROR(ParseDuration(params, "minDuration", query.duration_min));
  ARIADNE_RETURN_IF_ERROR(ParseDuration(params, "maxDuration", query.duration_max));
  ARIADNE_RETURN_IF_ERROR(ParseTraceIds(params, out.trace_ids));
  if (out.trace_ids.empty() && query.service.empty()) {
    return Status::InvalidArgument("parameter 'service' is required");
  }
  if (query.duration_min != 0 && query.duration_max != 0 &&
      query.duration_max < query.duration_min) {
    return Status::InvalidArgument("'maxDuration' should be greater than 'minDuration'");
  }
  return {};
}

Status ParseDependencies(const QueryParams& params, const TimeWindow& window,
                         DependenciesRequest& out) {
  out.end_time = window.now;
  out.lookback = kDefaultDependencyLookback;
  out.service = std::string(FormValue(params, "service"));
  if (const std::string_view end = FormValue(params, "endTs"); !end.empty()) {
    ARIADNE_RETURN_IF_ERROR(ParseUnits(
        "endTs", end, 1'000'000, "a time in milliseconds since the Unix epoch", out.end_time));
  }
  if (const std::string_view lookback = FormValue(params, "lookback"); !lookback.empty()) {
    ARIADNE_RETURN_IF_ERROR(ParseUnits("lookback", lookback, 1'000'000,
                                       "a whole number of milliseconds", out.lookback));
  }
  // Never reach further back than --query.max-lookback, nor before the epoch.
  const uint64_t earliest = std::min(Earliest(window), out.end_time);
  out.lookback = std::min(out.lookback, out.end_time - earliest);
  return {};
}

}  // namespace ariadne::query
