#include "ingester.h"

#include <algorithm>
#include <map>

#include "tracecore/translate/sanitizer.h"

namespace ariadne::collector {
namespace {

bool IsDebug(const tracecore::Span& span) {
  return (span.flags & 0x2) != 0;
}

struct ServiceKey {
  std::string_view service;
  bool debug;
  bool operator<(const ServiceKey& other) const {
    return service != other.service ? service < other.service : debug < other.debug;
  }
};

}  // namespace

IngestResult Ingester::Submit(tracecore::SpanBatch&& batch, uint64_t request_bytes, Format format,
                              Transport transport, tracecore::TextCheck text) {
  IngestResult result;
  // Sanitized first, so that even a refused batch only puts valid UTF-8 service names in labels.
  tracecore::Sanitize(batch, text);
  const uint64_t spans = batch.spans().size();
  if (limits_.max_spans_per_request != 0 && spans > limits_.max_spans_per_request) {
    CountPerService(batch, format, transport, /*received=*/true, RejectReason::kTooLarge);
    metrics_.RequestRefused(transport, format, RejectReason::kTooLarge);
    result.outcome = IngestResult::Outcome::kTooLarge;
    result.rejected_spans = spans;
    result.message = "the request has " + std::to_string(spans) + " spans; the limit is " +
                     std::to_string(limits_.max_spans_per_request) +
                     " (--collector.max-spans-per-request): send smaller batches";
    return result;
  }

  CountPerService(batch, format, transport, /*received=*/true, RejectReason::kInvalid);
  result.rejected_spans = RemoveInvalidSpans(batch, format, transport, result.message);
  if (batch.spans().empty()) {
    result.outcome = IngestResult::Outcome::kAccepted;
    return result;
  }

  const uint64_t valid = batch.spans().size();
  // A refused batch is left here, to be counted.
  switch (pipeline_.Offer(batch, request_bytes)) {
    case SpanPipeline::OfferResult::kAccepted: result.accepted_spans = valid; return result;
    case SpanPipeline::OfferResult::kQueueFull:
      result.outcome = IngestResult::Outcome::kQueueFull;
      result.message = "the collector's queue is full; retry later";
      break;
    case SpanPipeline::OfferResult::kShuttingDown:
      result.outcome = IngestResult::Outcome::kShuttingDown;
      result.message = "the collector is shutting down; retry against another collector";
      break;
  }
  const RejectReason reason = result.outcome == IngestResult::Outcome::kQueueFull
                                  ? RejectReason::kQueueFull
                                  : RejectReason::kShuttingDown;
  CountPerService(batch, format, transport, /*received=*/false, reason);
  metrics_.RequestRefused(transport, format, reason);
  result.rejected_spans += valid;
  return result;
}

uint64_t Ingester::RemoveInvalidSpans(tracecore::SpanBatch& batch, Format format,
                                      Transport transport, std::string& message) {
  auto invalid = [](const tracecore::Span& span) {
    return span.trace_id.empty() || span.span_id.empty();
  };
  const auto first_invalid = std::find_if(batch.spans().begin(), batch.spans().end(), invalid);
  if (first_invalid == batch.spans().end()) return 0;

  std::map<ServiceKey, uint64_t> per_service;
  uint64_t removed = 0;
  for (const tracecore::Span& span : batch.spans()) {
    if (!invalid(span)) continue;
    ++per_service[{batch.resource_of(span).ServiceName(), IsDebug(span)}];
    ++removed;
  }
  for (const auto& [key, count] : per_service) {
    metrics_.SpansRejected({format, transport, key.service, key.debug}, RejectReason::kInvalid,
                           count);
  }
  message = std::to_string(removed) +
            " spans have an all-zero trace id or span id, which is invalid; they were dropped";
  std::erase_if(batch.spans(), invalid);
  return removed;
}

void Ingester::CountPerService(const tracecore::SpanBatch& batch, Format format,
                               Transport transport, bool received, RejectReason reason) {
  std::map<ServiceKey, std::pair<uint64_t, uint64_t>> per_service;  // spans, root spans
  for (const tracecore::Span& span : batch.spans()) {
    auto& counts = per_service[{batch.resource_of(span).ServiceName(), IsDebug(span)}];
    ++counts.first;
    if (span.parent_span_id.empty()) ++counts.second;
  }
  for (const auto& [key, counts] : per_service) {
    const SpanLabels labels{format, transport, key.service, key.debug};
    if (received) {
      metrics_.SpansReceived(labels, counts.first);
      if (counts.second > 0) metrics_.TracesReceived(labels, counts.second);
      if (reason == RejectReason::kTooLarge) {
        metrics_.SpansRejected(labels, reason, counts.first);
      }
    } else {
      metrics_.SpansRejected(labels, reason, counts.first);
    }
  }
}

}  // namespace ariadne::collector
