// The query parameters of the api_v3 HTTP routes (reference §3.5), parsed and checked. Jaeger v2
// names each parameter in camelCase (query.startTimeMin) and still accepts the snake_case names
// of Jaeger v1's gateway (query.start_time_min); when both are given the camelCase one wins.
//
// Every error is kInvalidArgument with the message of the 400 answer, in the gateway's form
// "malformed parameter <name>: <what is wrong and what would be accepted>", naming the spelling
// the request used. Pure functions; `now` comes from the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "query_parameters.h"
#include "storage/span_reader.h"
#include "tracecore/ids.h"
#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::query {

// Go's time.Parse(time.RFC3339Nano, text): "2025-11-27T10:40:00Z", "2025-11-27T10:40:00.5+01:00";
// any number of fractional digits (beyond 9 they are dropped). Times before 1970 and after what
// 64 bits of nanoseconds hold (2554) are errors. `out` is Unix nanoseconds.
tracecore::Status ParseRfc3339Nano(std::string_view text, uint64_t& out);

// Go's strconv.ParseBool: 1 t T TRUE true True, 0 f F FALSE false False; anything else is an error.
tracecore::Status ParseGoBool(std::string_view text, bool& out);

// GET /api/v3/traces/{trace_id}: startTime/start_time and endTime/end_time (RFC3339Nano, hints
// storage does not need: checked, not used), rawTraces/raw_traces.
struct V3GetTraceRequest {
  tracecore::TraceId trace_id;
  bool raw = false;
};
tracecore::Status ParseV3GetTrace(std::string_view trace_id, const QueryParams& params,
                                  V3GetTraceRequest& out);

// GET /api/v3/traces and /api/v3/trace-summaries: query.serviceName (required),
// query.operationName, query.attributes (a JSON object of strings), query.startTimeMin and
// query.startTimeMax (RFC3339Nano, both required, min before max; max is exclusive),
// query.searchDepth (or query.num_traces; default 100, at most `max_depth`),
// query.durationMin/Max (Go durations), query.rawTraces; each with its snake_case alias.
// query.startTimeMin older than window.max_lookback is moved up to it.
struct V3SearchRequest {
  storage::TraceQuery query;
  bool raw = false;
};
tracecore::Status ParseV3Search(const QueryParams& params, const TimeWindow& window,
                                uint32_t max_depth, V3SearchRequest& out);

// GET /api/v3/operations: service (required), spanKind/span_kind (server, client, producer,
// consumer, internal, unspecified; absent: every kind).
struct V3OperationsRequest {
  std::string service;
  std::optional<tracecore::SpanKind> span_kind;
};
tracecore::Status ParseV3Operations(const QueryParams& params, V3OperationsRequest& out);

// GET /api/v3/dependencies: startTime/start_time and endTime/end_time, RFC3339Nano, both
// required, end after start; the start moves up to window.max_lookback.
struct V3DependenciesRequest {
  uint64_t end_time = 0;  // Unix ns
  uint64_t lookback = 0;  // ns
};
tracecore::Status ParseV3Dependencies(const QueryParams& params, const TimeWindow& window,
                                      V3DependenciesRequest& out);

}  // namespace ariadne::query
