// The query parameters of the HTTP API (reference §4.1), parsed and checked. Every error is
// kInvalidArgument with the message the 400 answer carries: Jaeger's where Jaeger has one
// ("parameter 'service' is required", "unable to parse param 'limit': ..."), saying what would
// be accepted. Pure functions; `now` comes from the caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/span_reader.h"
#include "tracecore/ids.h"
#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::query {

// Percent-decoded query parameters in order (runtime::ParseQuery's result).
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// The first value of `name`, "" when absent (Go's Request.FormValue).
std::string_view FormValue(const QueryParams& params, std::string_view name);

// raw: Go's strconv.ParseBool of the value is true (1, t, T, true, TRUE, True); anything else,
// including garbage, means "adjust", as in Jaeger.
bool IsRaw(const QueryParams& params);
// prettyPrint: any value but "" and "false".
bool IsPrettyPrint(const QueryParams& params);

// What bounds a search's time window.
struct TimeWindow {
  uint64_t now = 0;                          // Unix ns
  std::chrono::nanoseconds lookback{0};      // start when none is given: now - lookback
  std::chrono::nanoseconds max_lookback{0};  // earlier starts move up to now - this; 0: none
};

struct SearchRequest {
  storage::TraceQuery query;
  std::vector<tracecore::TraceId> trace_ids;  // traceID=...: fetched directly, query unused
};

// GET /api/traces: service (required unless traceID), operation, tag (key:value, repeated),
// tags (a JSON object of strings, repeated), start/end (µs), minDuration/maxDuration (Go
// durations), limit (default 100, at most `max_limit`), traceID (repeated).
tracecore::Status ParseSearch(const QueryParams& params, const TimeWindow& window,
                              uint32_t max_limit, SearchRequest& out);

struct DependenciesRequest {
  uint64_t end_time = 0;  // Unix ns
  uint64_t lookback = 0;  // ns
  std::string service;    // empty: every link
};

// GET /api/dependencies: endTs (ms, default now), lookback (ms, default 24h), service.
tracecore::Status ParseDependencies(const QueryParams& params, const TimeWindow& window,
                                    DependenciesRequest& out);

// A JSON object whose values are all strings (the tags and query.attributes parameters), added
// to `out`; a later value of a key replaces an earlier one. The error says what was wrong ("not
// JSON: ...", "expected a JSON object of strings, ...", "the value of \"k\" is not a string; ...")
// for the caller to put after the parameter's name.
tracecore::Status ParseStringObject(std::string_view text, std::map<std::string, std::string>& out);

// spanKind: "" (any), unspecified, internal, server, client, producer, consumer.
tracecore::Status ParseSpanKind(std::string_view text, std::optional<tracecore::SpanKind>& out);

// A trace id in Jaeger's text form (1 to 32 hex characters).
tracecore::Status ParseTraceId(std::string_view text, tracecore::TraceId& out);

}  // namespace ariadne::query
