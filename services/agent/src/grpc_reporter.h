// The reporter: where the UDP workers hand decoded spans, and the one that forwards them to the
// collectors (jaeger.api_v2.CollectorService/PostSpans over the CollectorConnection's channel).
//
// GrpcReporter never blocks a UDP worker on the network: Submit encodes and queues; a sender
// thread starts up to max_in_flight concurrent calls. A call that fails because the collectors are
// down, overloaded or slow (UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, ABORTED) leaves
// its request queued, retried with exponential backoff (100 ms doubling to 5 s, with jitter; one
// call at a time while failing), so an outage loses nothing until the queue is full. Other answers
// (INVALID_ARGUMENT...) drop the request: a bad batch must not block the queue. Neither must one
// the collectors keep refusing as too large or too slow: a request that fails with
// RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, ABORTED or CANCELLED ten times, each time after other
// requests were delivered since its previous failure, is dropped as rejected too. Retried
// requests go to the back of the queue, so the order of delivery is not the order of Submit.
//
// Metrics (label format = jaeger|zipkin, every series created at 0):
//   jaeger_agent_reporter_batches_submitted_total  requests the collectors accepted
//   jaeger_agent_reporter_spans_submitted_total    their spans
//   jaeger_agent_reporter_batches_failures_total   failed attempts (a retried request counts each
//   jaeger_agent_reporter_spans_failures_total     time) and requests dropped unsent
//   jaeger_agent_reporter_batch_size               gauge, spans in the last accepted request
//   jaeger_agent_reporter_spans_dropped_total{cause=queue-full|rejected|shutdown}
//                                                  spans that will never be delivered, and why
// and, without labels, gauges jaeger_agent_reporter_queue_bytes / _queue_spans: what is accepted
// and not yet delivered (queued, waiting for a retry, or in flight).
#pragma once

#include <prometheus/registry.h>

#include <chrono>
#include <memory>

#include "agent/agent.h"
#include "collector_connection.h"
#include "tracecore/model.h"

namespace ariadne::agent {

// The format the spans arrived in (the metrics' `format` label).
enum class SpanFormat { kJaeger, kZipkin };

// Takes decoded batches from the UDP workers. Implementations are thread-safe.
class Reporter {
 public:
  virtual ~Reporter() = default;
  // Takes what it needs from `batch` before returning (the caller may reuse it at once). Never
  // blocks on the network; what cannot be kept is dropped and counted.
  virtual void Submit(const tracecore::SpanBatch& batch, SpanFormat format) = 0;
};

class GrpcReporter final : public Reporter {
 public:
  // Starts the sender thread. `connection` and `registry` must outlive the reporter. Uses
  // options.timeout (per attempt), options.queue_size_memory_mib (bound on the encoded requests
  // accepted and not yet delivered) and options.max_in_flight (at least 1).
  GrpcReporter(const ReporterOptions& options, CollectorConnection& connection,
               prometheus::Registry& registry);
  // Shutdown(now): what is still queued is counted as dropped.
  ~GrpcReporter() override;
  GrpcReporter(const GrpcReporter&) = delete;
  GrpcReporter& operator=(const GrpcReporter&) = delete;

  // Any thread. One PostSpansRequest per resource that has spans; a request that does not fit in
  // the queue is dropped (cause queue-full), as is everything after Shutdown (cause shutdown).
  void Submit(const tracecore::SpanBatch& batch, SpanFormat format) override;

  // Stops accepting, keeps delivering (and retrying) what is queued until it is all delivered or
  // `deadline` passes, then cancels what is in flight and counts what is left as dropped (cause
  // shutdown). Returns when the sender thread and every call are done. Idempotent; any thread.
  void Shutdown(std::chrono::steady_clock::time_point deadline);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ariadne::agent
