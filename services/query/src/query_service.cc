#include "query_service.h"

#include <algorithm>

#include "adjusters.h"
#include "runtime/config.h"
#include "tracecore/span_copier.h"

namespace ariadne::query {
namespace {

// Spans per chunk asked of the reader: small enough that a chunk is never a memory concern,
// large enough that the per-chunk cost (a callback, a copier) does not matter.
constexpr uint32_t kChunkSpans = 1024;

// Why the loader asked the reader to stop; the status it returns then is ours, not storage's.
enum class StopReason { kNone, kBound, kTime };

}  // namespace

std::string TimeoutMessage(std::chrono::nanoseconds timeout) {
  return "the request read storage for longer than --query.timeout (" +
         runtime::FormatGoDuration(timeout) +
         ") and was stopped: narrow the search (a shorter time range, a lower limit) or raise "
         "--query.timeout";
}

QueryService::QueryService(storage::SpanReader& spans, storage::DependencyReader& dependencies,
                           QueryMetrics& metrics, QueryServiceOptions options,
                           const ArchiveStorage* archive)
    : spans_(spans),
      dependencies_(dependencies),
      archive_(archive != nullptr ? std::optional<ArchiveStorage>(*archive) : std::nullopt),
      metrics_(metrics),
      options_(options),
      storage_failing_("query", "storage reads are failing: answering 500"),
      truncating_("query", "traces over --query.max-trace-size are returned truncated"),
      // Work is split in two halves at most, so one helper is all a request can use.
      fork_join_(std::min<size_t>(1, runtime::ForkJoin::HelpersForThisMachine())) {}

ReadBudget QueryService::NewBudget() const {
  ReadBudget budget;
  budget.spans_left = options_.max_response_spans;
  if (options_.timeout.count() > 0) {
    budget.deadline =
        std::chrono::steady_clock::now() +
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.timeout);
  }
  return budget;
}

tracecore::Status QueryService::Observe(tracecore::Status status) {
  if (status.ok()) {
    storage_failing_.Leave();
  } else if (status.code() != tracecore::StatusCode::kInvalidArgument) {
    storage_failing_.Enter(status.message());
  }
  return status;
}

tracecore::Status QueryService::GetServices(std::vector<std::string>& out) {
  return Observe(spans_.GetServices(out));
}

tracecore::Status QueryService::GetOperations(const std::string& service,
                                              std::optional<tracecore::SpanKind> span_kind,
                                              std::vector<storage::Operation>& out) {
  return Observe(spans_.GetOperations(service, span_kind, out));
}

tracecore::Status QueryService::FindTraceIds(const storage::TraceQuery& query,
                                             std::vector<tracecore::TraceId>& out) {
  return Observe(spans_.FindTraceIds(query, out));
}

tracecore::Status QueryService::GetDependencies(uint64_t end_time, uint64_t lookback,
                                                std::vector<storage::DependencyLink>& out) {
  return Observe(dependencies_.GetDependencies(end_time, lookback, out));
}

tracecore::Status QueryService::Load(storage::SpanReader& reader, const tracecore::TraceId& id,
                                     ReadBudget& budget, LoadedTrace& out, bool& found) {
  const uint32_t bound = budget.spans_left;
  uint32_t loaded = 0;
  StopReason stop = StopReason::kNone;
  const storage::SpanChunkConsumer consume = [&](tracecore::SpanBatch& chunk) -> tracecore::Status {
    if (budget.Expired()) {
      stop = StopReason::kTime;
      return tracecore::Status::ResourceExhausted("stopped by --query.timeout");
    }
    if (out.batch.spans().empty() && chunk.spans().size() <= bound - loaded) {
      loaded += static_cast<uint32_t>(chunk.spans().size());
      out.batch = std::move(chunk);  // the common case: the whole trace in one chunk, no copy
      return {};
    }
    // A copier per chunk: readers may reuse one batch object for successive chunks.
    tracecore::SpanCopier copier(out.batch);
    for (const tracecore::Span& span : chunk.spans()) {
      if (loaded == bound) {
        stop = StopReason::kBound;
        return tracecore::Status::ResourceExhausted("stopped at the span bound");
      }
      copier.Copy(chunk, span);
      ++loaded;
    }
    return {};
  };
  found = false;
  const tracecore::Status read = reader.GetTrace(id, kChunkSpans, consume, found);
  if (stop == StopReason::kTime) {
    return tracecore::Status::ResourceExhausted(TimeoutMessage(options_.timeout));
  }
  if (stop == StopReason::kNone) ARIADNE_RETURN_IF_ERROR(Observe(read));
  found = found || loaded > 0;
  budget.spans_left -= loaded;
  out.truncated = stop == StopReason::kBound;
  return {};
}

void QueryService::MarkTruncated(LoadedTrace& trace, uint32_t bound) {
  const std::string warning = "this trace has more than " + std::to_string(bound) +
                              " spans; only " + std::to_string(bound) +
                              " are shown (--query.max-trace-size bounds the spans of one "
                              "response)";
  trace.warnings.push_back(warning);
  if (!trace.spans.empty()) trace.AddWarning(*trace.spans.front(), warning);
  metrics_.TraceTruncated();
  truncating_.Enter(warning);
}

tracecore::Status QueryService::GetTrace(const tracecore::TraceId& id, bool raw, ReadBudget& budget,
                                         LoadedTrace& out, bool& found) {
  const uint32_t bound = budget.spans_left;
  ARIADNE_RETURN_IF_ERROR(Load(spans_, id, budget, out, found));
  if (!found && archive_) ARIADNE_RETURN_IF_ERROR(Load(archive_->reader, id, budget, out, found));
  if (!found) return {};
  out.spans.clear();
  for (tracecore::Span& span : out.batch.spans()) out.spans.push_back(&span);
  if (!raw) {
    AdjustTrace(AdjusterOptions{.max_clock_skew_adjustment = options_.max_clock_skew_adjustment},
                out);
  }
  if (out.truncated) {
    MarkTruncated(out, bound);
  } else {
    truncating_.Leave();
  }
  return {};
}

tracecore::Status QueryService::ArchiveTrace(const tracecore::TraceId& id, bool& found) {
  found = false;
  if (!archive_) {
    return tracecore::Status::Unimplemented(
        "archive storage is not configured: start ariadne-query with --query.archive=local (or "
        "memory) to keep traces after the primary store drops them");
  }
  ReadBudget budget = NewBudget();
  LoadedTrace trace;
  ARIADNE_RETURN_IF_ERROR(Load(spans_, id, budget, trace, found));
  if (!found) return {};
  if (trace.truncated) {
    truncating_.Enter("archiving only the first " + std::to_string(options_.max_response_spans) +
                      " spans of a trace over --query.max-trace-size");
  }
  return Observe(archive_->writer.WriteBatch(trace.batch));
}

}  // namespace ariadne::query
