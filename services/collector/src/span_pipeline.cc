#include "span_pipeline.h"

#include <map>

#include "runtime/log.h"

namespace ariadne::collector {
namespace {

constexpr int kWriteAttempts = 3;
constexpr std::chrono::milliseconds kFirstRetryDelay{50};

bool IsDebug(const tracecore::Span& span) {
  return (span.flags & 0x2) != 0;
}

}  // namespace

SpanPipeline::SpanPipeline(SpanPipelineOptions options, storage::SpanWriter& writer,
                           CollectorMetrics& metrics)
    : options_(options), writer_(writer), metrics_(metrics) {
  metrics_.QueueCapacity(options_.max_queued_spans, options_.max_queued_bytes);
  workers_.reserve(static_cast<size_t>(options_.workers));
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { RunWorker(); });
}

SpanPipeline::~SpanPipeline() {
  Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
}

SpanPipeline::OfferResult SpanPipeline::Offer(tracecore::SpanBatch& batch, uint64_t bytes) {
  const uint64_t spans = batch.spans().size();
  {
    std::lock_guard lock(mutex_);
    if (closed_) return OfferResult::kShuttingDown;
    const bool fits = queued_spans_ + spans <= options_.max_queued_spans &&
                      queued_bytes_ + bytes <= options_.max_queued_bytes;
    if (!fits && !queue_.empty()) {
      queue_full_.Enter(std::to_string(queued_spans_) + " spans and " +
                        std::to_string(queued_bytes_) + " bytes queued");
      return OfferResult::kQueueFull;
    }
    queue_.push_back({std::move(batch), bytes, std::chrono::steady_clock::now()});
    queued_spans_ += spans;
    queued_bytes_ += bytes;
    metrics_.QueueChanged(queued_spans_, queued_bytes_);
  }
  not_empty_.notify_one();
  queue_full_.Leave();
  return OfferResult::kAccepted;
}

void SpanPipeline::RunWorker() {
  std::unique_lock lock(mutex_);
  while (true) {
    not_empty_.wait(lock, [this] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // stopping and drained
    Item item = std::move(queue_.front());
    queue_.pop_front();
    queued_spans_ -= item.batch.spans().size();
    queued_bytes_ -= item.bytes;
    metrics_.QueueChanged(queued_spans_, queued_bytes_);
    ++busy_workers_;
    lock.unlock();
    Write(item);
    lock.lock();
    --busy_workers_;
    if (queue_.empty() && busy_workers_ == 0) drained_.notify_all();
  }
}

void SpanPipeline::Write(Item& item) {
  const auto dequeued = std::chrono::steady_clock::now();
  metrics_.InQueueLatency(std::chrono::duration<double>(dequeued - item.enqueued).count());
  metrics_.BatchSize(item.batch.spans().size());
  // Shared from here on, so that a backend that keeps spans in memory keeps this batch instead
  // of copying it (the memory backend's copy was a fifth of the collector's CPU).
  const auto batch = std::make_shared<const tracecore::SpanBatch>(std::move(item.batch));
  tracecore::Status status;
  auto delay = kFirstRetryDelay;
  for (int attempt = 1; attempt <= kWriteAttempts; ++attempt) {
    const auto started = std::chrono::steady_clock::now();
    status = writer_.WriteSharedBatch(batch);
    metrics_.SaveLatency(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (status.ok()) break;
    if (attempt < kWriteAttempts) {
      std::this_thread::sleep_for(delay);
      delay *= 4;
    }
  }
  if (status.ok()) {
    storage_failing_.Leave();
  } else {
    storage_failing_.Enter(std::to_string(batch->spans().size()) + " spans dropped after " +
                           std::to_string(kWriteAttempts) + " attempts: " + status.message());
    metrics_.SpansDropped(batch->spans().size());
  }
  CountSaved(*batch, status.ok());
}

void SpanPipeline::CountSaved(const tracecore::SpanBatch& batch, bool ok) {
  // Spans of one batch mostly share a service; count runs, not spans.
  std::map<std::pair<std::string_view, bool>, uint64_t> counts;
  for (const tracecore::Span& span : batch.spans()) {
    ++counts[{batch.resource_of(span).ServiceName(), IsDebug(span)}];
  }
  for (const auto& [key, count] : counts) metrics_.SpansSaved(key.first, key.second, ok, count);
}

void SpanPipeline::Shutdown(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (shut_down_) return;
  shut_down_ = true;
  closed_ = true;
  drained_.wait_until(lock, deadline, [this] { return queue_.empty() && busy_workers_ == 0; });
  uint64_t abandoned = 0;
  for (const Item& item : queue_) abandoned += item.batch.spans().size();
  queue_.clear();
  queued_spans_ = 0;
  queued_bytes_ = 0;
  metrics_.QueueChanged(0, 0);
  stopping_ = true;
  lock.unlock();
  not_empty_.notify_all();
  if (abandoned > 0) {
    runtime::Logger("collector")
        ->warn("shutdown deadline passed with {} spans still queued; they are dropped", abandoned);
    metrics_.SpansDropped(abandoned);
  }
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  const tracecore::Status flushed = writer_.Flush();
  if (!flushed.ok()) {
    runtime::Logger("collector")->error("storage flush at shutdown failed: {}", flushed.message());
  }
}

}  // namespace ariadne::collector
