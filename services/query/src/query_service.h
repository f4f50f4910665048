// QueryService: the read side behind every query API (HTTP now, gRPC later): find trace ids,
// load traces within a span and time budget, adjust them (reference §8), list services,
// operations and dependencies. Independent of HTTP and JSON.
//
// Thread-safe: the HTTP threads call it concurrently; the readers it wraps are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loaded_trace.h"
#include "query_metrics.h"
#include "runtime/degraded_episode.h"
#include "runtime/fork_join.h"
#include "storage/span_reader.h"
#include "storage/span_writer.h"
#include "tracecore/ids.h"
#include "tracecore/status.h"

namespace ariadne::query {

struct QueryServiceOptions {
  // The most spans one response loads (--query.max-trace-size).
  uint32_t max_response_spans = 100'000;
  // The clock-skew adjuster's bound (--query.max-clock-skew-adjustment); 0: no shift.
  std::chrono::nanoseconds max_clock_skew_adjustment{0};
  // How long one request may read storage (--query.timeout); 0: no bound.
  std::chrono::nanoseconds timeout{0};
};

// The archive store (--query.archive): a second backend that keeps the traces people chose to
// keep after the primary store has dropped them.
struct ArchiveStorage {
  storage::SpanReader& reader;
  storage::SpanWriter& writer;
};

// What one request may still load. Made by QueryService::NewBudget at the start of a request and
// used up by the GetTrace calls of that request; one thread.
struct ReadBudget {
  uint32_t spans_left = 0;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  bool Expired() const { return std::chrono::steady_clock::now() >= deadline; }
};

class QueryService {
 public:
  // `spans`, `dependencies`, `metrics` and the archive must outlive the service; `archive` may be
  // null (no archive configured).
  QueryService(storage::SpanReader& spans, storage::DependencyReader& dependencies,
               QueryMetrics& metrics, QueryServiceOptions options,
               const ArchiveStorage* archive = nullptr);

  bool has_archive() const { return archive_.has_value(); }

  const QueryServiceOptions& options() const { return options_; }
  ReadBudget NewBudget() const;

  tracecore::Status GetServices(std::vector<std::string>& out);
  tracecore::Status GetOperations(const std::string& service,
                                  std::optional<tracecore::SpanKind> span_kind,
                                  std::vector<storage::Operation>& out);
  tracecore::Status FindTraceIds(const storage::TraceQuery& query,
                                 std::vector<tracecore::TraceId>& out);
  tracecore::Status GetDependencies(uint64_t end_time, uint64_t lookback,
                                    std::vector<storage::DependencyLink>& out);

  // Loads trace `id` into `out` (which must be fresh), at most budget.spans_left spans of it: a
  // bigger trace is truncated, with a warning on the trace and on its first span. Adjusted
  // unless `raw`. A trace the primary store does not have is looked up in the archive, when
  // there is one. `found` is false when neither holds a span of it. A budget that runs out of
  // time gives kResourceExhausted naming --query.timeout; storage errors are passed on.
  tracecore::Status GetTrace(const tracecore::TraceId& id, bool raw, ReadBudget& budget,
                             LoadedTrace& out, bool& found);

  // Copies trace `id`, as stored (no adjusters), from the primary store into the archive, so
  // that GetTrace finds it after the primary has dropped it. At most max_response_spans spans
  // are copied (a bigger trace is archived truncated). `found` is false when the primary store
  // has no span of it. kUnimplemented when no archive is configured; storage errors are passed
  // on.
  tracecore::Status ArchiveTrace(const tracecore::TraceId& id, bool& found);

  // Lets one request use a second core for half of a large piece of work (rendering a big
  // trace), when the machine has one to spare.
  runtime::ForkJoin& fork_join() { return fork_join_; }

 private:
  // Reads the spans of `id` from `reader` into out.batch within `budget`.
  tracecore::Status Load(storage::SpanReader& reader, const tracecore::TraceId& id,
                         ReadBudget& budget, LoadedTrace& out, bool& found);
  void MarkTruncated(LoadedTrace& trace, uint32_t bound);
  // Counts a storage result: a failure starts (or continues) the degraded episode.
  tracecore::Status Observe(tracecore::Status status);

  storage::SpanReader& spans_;
  storage::DependencyReader& dependencies_;
  std::optional<ArchiveStorage> archive_;
  QueryMetrics& metrics_;
  const QueryServiceOptions options_;
  runtime::DegradedEpisode storage_failing_;
  runtime::DegradedEpisode truncating_;
  runtime::ForkJoin fork_join_;
};

// The message of a request stopped by --query.timeout.
std::string TimeoutMessage(std::chrono::nanoseconds timeout);

}  // namespace ariadne::query
