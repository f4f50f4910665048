// Ingester: the one path every receiver hands decoded spans to.
//
//   limits (spans per request) -> sanitize -> drop invalid spans (all-zero trace or span id)
//   -> count received per service -> queue (SpanPipeline) or refuse with backpressure
//
// Receivers decode, call Submit, and turn the IngestResult into their protocol's answer.
// Thread-safe: receivers on any thread call Submit concurrently.
#pragma once

#include <cstdint>
#include <string>

#include "collector_metrics.h"
#include "span_pipeline.h"
#include "tracecore/model.h"
#include "tracecore/translate/sanitizer.h"

namespace ariadne::collector {

struct IngestLimits {
  uint64_t max_spans_per_request = 100'000;  // --collector.max-spans-per-request, 0: none
};

struct IngestResult {
  enum class Outcome {
    kAccepted,      // every valid span is queued (rejected_spans may still be > 0: invalid ones)
    kTooLarge,      // more spans than the limit: nothing queued
    kQueueFull,     // backpressure: nothing queued, retry later
    kShuttingDown,  // draining: nothing queued, retry against another collector
  };
  Outcome outcome = Outcome::kAccepted;
  uint64_t accepted_spans = 0;
  uint64_t rejected_spans = 0;  // invalid spans, or every span when not accepted
  std::string message;          // for the client: why spans were rejected
};

class Ingester {
 public:
  // `pipeline` and `metrics` must outlive the ingester.
  Ingester(IngestLimits limits, SpanPipeline& pipeline, CollectorMetrics& metrics)
      : limits_(limits), pipeline_(pipeline), metrics_(metrics) {}

  // Takes ownership of `batch` (decoded from a request of `request_bytes` bytes). `text` says
  // whether the decoder already proved every string UTF-8 (tracecore::TextCheck).
  IngestResult Submit(tracecore::SpanBatch&& batch, uint64_t request_bytes, Format format,
                      Transport transport, tracecore::TextCheck text);

 private:
  uint64_t RemoveInvalidSpans(tracecore::SpanBatch& batch, Format format, Transport transport,
                              std::string& message);
  void CountPerService(const tracecore::SpanBatch& batch, Format format, Transport transport,
                       bool received, RejectReason reason);

  const IngestLimits limits_;
  SpanPipeline& pipeline_;
  CollectorMetrics& metrics_;
};

}  // namespace ariadne::collector
