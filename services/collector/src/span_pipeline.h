// SpanPipeline: the bounded queue between the receivers and the storage writer, and the workers
// that drain it.
//
// The queue is bounded twice: by spans (--collector.queue-size) and by bytes of the requests the
// queued batches hold (--collector.queue-size-memory). Offer() never blocks: when either bound
// would be exceeded it refuses, and the receiver answers with backpressure. An empty queue takes
// any one batch, so a request larger than the bounds is not refused forever (the request-size and
// spans-per-request limits keep such batches reasonable).
//
// Workers write each batch with SpanWriter::WriteBatch. A failed write is retried with backoff
// (kWriteAttempts in all); a batch that still fails is dropped and counted. Shutdown() stops
// taking new batches, lets the workers drain the queue, then flushes the writer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "collector_metrics.h"
#include "runtime/degraded_episode.h"
#include "storage/span_writer.h"
#include "tracecore/model.h"

namespace ariadne::collector {

struct SpanPipelineOptions {
  uint64_t max_queued_spans = 2000;
  uint64_t max_queued_bytes = 256ull << 20;
  int workers = 50;
};

class SpanPipeline {
 public:
  // `writer` and `metrics` must outlive the pipeline. Starts the workers.
  SpanPipeline(SpanPipelineOptions options, storage::SpanWriter& writer, CollectorMetrics& metrics);
  ~SpanPipeline();
  SpanPipeline(const SpanPipeline&) = delete;
  SpanPipeline& operator=(const SpanPipeline&) = delete;

  enum class OfferResult { kAccepted, kQueueFull, kShuttingDown };

  // Queues `batch` (whose spans are already validated and counted as received) when it fits:
  // on kAccepted the batch has been moved into the queue; otherwise it is left as it was.
  // `bytes` is the memory the batch holds. Thread-safe; never blocks on storage.
  OfferResult Offer(tracecore::SpanBatch& batch, uint64_t bytes);

  // Refuses new batches, waits until the queue is empty and every worker is idle (or `deadline`
  // passes: what is still queued then is dropped and counted), joins the workers and flushes the
  // writer. Idempotent.
  void Shutdown(std::chrono::steady_clock::time_point deadline);

 private:
  struct Item {
    tracecore::SpanBatch batch;
    uint64_t bytes = 0;
    std::chrono::steady_clock::time_point enqueued;
  };

  void RunWorker();
  void Write(Item& item);
  void CountSaved(const tracecore::SpanBatch& batch, bool ok);

  const SpanPipelineOptions options_;
  storage::SpanWriter& writer_;
  CollectorMetrics& metrics_;

  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable drained_;
  std::deque<Item> queue_;
  uint64_t queued_spans_ = 0;
  uint64_t queued_bytes_ = 0;
  int busy_workers_ = 0;
  bool closed_ = false;    // no new batches
  bool stopping_ = false;  // workers exit when the queue is empty
  bool shut_down_ = false;
  std::vector<std::thread> workers_;
  runtime::DegradedEpisode queue_full_{"collector",
                                       "the queue is full: answering with backpressure"};
  runtime::DegradedEpisode storage_failing_{"collector",
                                            "storage writes are failing: batches are dropped"};
};

}  // namespace ariadne::collector
