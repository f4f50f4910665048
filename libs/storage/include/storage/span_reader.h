// SpanReader and DependencyReader: the read side of the storage plug point.
//
// The query service finds trace ids, then streams each trace in chunks so that a huge trace is
// never held whole in memory by the reader. Every method is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tracecore/ids.h"
#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::storage {

// A trace search, as the Jaeger query API expresses it. Times are Unix nanoseconds.
struct TraceQuery {
  std::string service;    // required
  std::string operation;  // empty: any
  std::optional<tracecore::SpanKind> span_kind;
  // Exact matches, all of which one span of the trace must satisfy, looked up in the span's
  // attributes, its resource's attributes and its events' attributes. Values compare as text
  // (an int 200 matches "200", a bool true matches "true").
  std::vector<std::pair<std::string, std::string>> tags;
  uint64_t start_time_min = 0;  // a matching span starts at or after this
  uint64_t start_time_max = 0;  // ... and at or before this (0: no bound)
  uint64_t duration_min = 0;    // nanoseconds, 0: no bound
  uint64_t duration_max = 0;    // nanoseconds, 0: no bound
  uint32_t limit = 20;          // the most trace ids to return
};

// An operation (span name) a service has reported, with the kind it was reported with.
struct Operation {
  std::string name;
  tracecore::SpanKind span_kind = tracecore::SpanKind::kUnspecified;
  bool operator==(const Operation& other) const {
    return name == other.name && span_kind == other.span_kind;
  }
  bool operator<(const Operation& other) const {
    return name != other.name ? name < other.name : span_kind < other.span_kind;
  }
};

// Calls from one service to another within a time window.
struct DependencyLink {
  std::string parent;
  std::string child;
  uint64_t call_count = 0;
  bool operator==(const DependencyLink& other) const {
    return parent == other.parent && child == other.child && call_count == other.call_count;
  }
};

// Receives a trace in pieces. Each chunk owns its spans and stays valid only during the call; the
// consumer may keep it by moving it away (the reader fills the next chunk in a new batch), which
// spares a copy when the whole trace fits one chunk. Returning a non-OK status stops the read,
// and the reader returns that status.
using SpanChunkConsumer = std::function<tracecore::Status(tracecore::SpanBatch& chunk)>;

class SpanReader {
 public:
  virtual ~SpanReader() = default;

  // Streams every stored span of trace `id` to `consume`, in chunks of at most `max_chunk_spans`.
  // A trace that is not stored produces no chunk and `found` = false.
  virtual tracecore::Status GetTrace(const tracecore::TraceId& id, uint32_t max_chunk_spans,
                                     const SpanChunkConsumer& consume, bool& found) = 0;

  // Appends the ids of the traces matching `query` to `out`, the trace with the newest matching
  // span first, at most query.limit of them.
  virtual tracecore::Status FindTraceIds(const TraceQuery& query,
                                         std::vector<tracecore::TraceId>& out) = 0;

  // Every service that has reported a span, sorted.
  virtual tracecore::Status GetServices(std::vector<std::string>& out) = 0;

  // The operations of `service`, sorted by name then kind; only those of `span_kind` when set.
  virtual tracecore::Status GetOperations(const std::string& service,
                                          std::optional<tracecore::SpanKind> span_kind,
                                          std::vector<Operation>& out) = 0;
};

class DependencyReader {
 public:
  virtual ~DependencyReader() = default;

  // Service-to-service call counts from spans that started in [end_time - lookback, end_time]
  // (Unix nanoseconds), one link per (parent, child) pair. A backend may count by the second:
  // then a call in the same second as a bound counts as inside the window.
  virtual tracecore::Status GetDependencies(uint64_t end_time, uint64_t lookback,
                                            std::vector<DependencyLink>& out) = 0;
};

}  // namespace ariadne::storage
