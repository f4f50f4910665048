#include "grpc_reporter.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/degraded_episode.h"
#include "tracecore/codec/jaeger_proto.h"

namespace ariadne::agent {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kComponent[] = "agent";
constexpr auto kInitialBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::seconds(5);
constexpr int kFormats = 2;
// A request that fails with RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED again and again while other
// requests get through is the problem itself (too large for the collector, or too slow to take):
// at this many such failures it is dropped as rejected rather than retried forever.
constexpr int kMaxStrikes = 10;

// The method's name outlives every call: gRPC keeps a pointer to it.
const std::string& PostSpansMethod() {
  static const std::string method = "/jaeger.api_v2.CollectorService/PostSpans";
  return method;
}

// Codes that say "not now" (the collectors are down, overloaded, slow or restarting) rather than
// "not this batch". CANCELLED comes from a collector that shuts down with calls in flight.
bool Retryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::CANCELLED: return true;
    default: return false;
  }
}

std::string FormatName(SpanFormat format) {
  return format == SpanFormat::kJaeger ? "jaeger" : "zipkin";
}

// A queued PostSpansRequest. The slice is reference-counted: every attempt shares the bytes.
struct Request {
  grpc::Slice bytes;
  uint32_t spans = 0;
  SpanFormat format = SpanFormat::kJaeger;
  // Failures that could be about this request (see kMaxStrikes), and the count of delivered
  // requests at its last failure.
  int strikes = 0;
  bool failed_before = false;
  uint64_t delivered_at_last_failure = 0;
};

grpc::Slice OwningSlice(std::string bytes) {
  auto* owned = new std::string(std::move(bytes));
  return {owned->data(), owned->size(), [](void* text) { delete static_cast<std::string*>(text); },
          owned};
}

// The series of one `format` label value.
struct FormatMetrics {
  prometheus::Counter* batches_submitted;
  prometheus::Counter* batches_failures;
  prometheus::Counter* spans_submitted;
  prometheus::Counter* spans_failures;
  prometheus::Gauge* batch_size;
  prometheus::Counter* dropped_queue_full;
  prometheus::Counter* dropped_rejected;
  prometheus::Counter* dropped_shutdown;
};

prometheus::Family<prometheus::Counter>& CounterFamily(prometheus::Registry& registry,
                                                       const std::string& name,
                                                       const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

std::array<FormatMetrics, kFormats> MakeFormatMetrics(prometheus::Registry& registry) {
  auto& batches_submitted = CounterFamily(registry, "jaeger_agent_reporter_batches_submitted_total",
                                          "PostSpans requests the collectors accepted");
  auto& batches_failures =
      CounterFamily(registry, "jaeger_agent_reporter_batches_failures_total",
                    "PostSpans attempts that failed, and requests dropped without an attempt");
  auto& spans_submitted = CounterFamily(registry, "jaeger_agent_reporter_spans_submitted_total",
                                        "Spans the collectors accepted");
  auto& spans_failures = CounterFamily(registry, "jaeger_agent_reporter_spans_failures_total",
                                       "Spans in failed attempts and in dropped requests");
  auto& dropped = CounterFamily(registry, "jaeger_agent_reporter_spans_dropped_total",
                                "Spans that will never be delivered, by cause");
  auto& batch_size = prometheus::BuildGauge()
                         .Name("jaeger_agent_reporter_batch_size")
                         .Help("Spans in the last request the collectors accepted")
                         .Register(registry);
  std::array<FormatMetrics, kFormats> metrics{};
  for (SpanFormat format : {SpanFormat::kJaeger, SpanFormat::kZipkin}) {
    const std::string name = FormatName(format);
    metrics[static_cast<int>(format)] = {
        .batches_submitted = &batches_submitted.Add({{"format", name}}),
        .batches_failures = &batches_failures.Add({{"format", name}}),
        .spans_submitted = &spans_submitted.Add({{"format", name}}),
        .spans_failures = &spans_failures.Add({{"format", name}}),
        .batch_size = &batch_size.Add({{"format", name}}),
        .dropped_queue_full = &dropped.Add({{"format", name}, {"cause", "queue-full"}}),
        .dropped_rejected = &dropped.Add({{"format", name}, {"cause", "rejected"}}),
        .dropped_shutdown = &dropped.Add({{"format", name}, {"cause", "shutdown"}}),
    };
  }
  return metrics;
}

}  // namespace

class GrpcReporter::Impl {
 public:
  Impl(const ReporterOptions& options, CollectorConnection& connection,
       prometheus::Registry& registry)
      : connection_(connection),
        timeout_(options.timeout),
        capacity_bytes_(static_cast<size_t>(std::max<int64_t>(options.queue_size_memory_mib, 0))
                        << 20),
        max_in_flight_(static_cast<int>(std::max<int64_t>(options.max_in_flight, 1))),
        metrics_(MakeFormatMetrics(registry)),
        queue_bytes_(prometheus::BuildGauge()
                         .Name("jaeger_agent_reporter_queue_bytes")
                         .Help("Bytes of encoded requests accepted and not yet delivered")
                         .Register(registry)
                         .Add({})),
        queue_spans_(prometheus::BuildGauge()
                         .Name("jaeger_agent_reporter_queue_spans")
                         .Help("Spans accepted and not yet delivered")
                         .Register(registry)
                         .Add({})),
        queue_full_(kComponent, "the reporter queue is full: dropping spans"),
        send_failing_(kComponent, "sending spans to the collectors fails: retrying with backoff"),
        rejected_(kComponent, "the collectors reject span batches: dropping them"),
        sender_([this] { SendLoop(); }) {}

  ~Impl() { Shutdown(Clock::now()); }

  void Submit(const tracecore::SpanBatch& batch, SpanFormat format) {
    const auto& resources = batch.resources();
    std::vector<uint32_t> spans_per_resource(resources.size(), 0);
    for (const tracecore::Span& span : batch.spans()) {
      if (span.resource_index < spans_per_resource.size()) {
        ++spans_per_resource[span.resource_index];
      }
    }
    for (uint32_t resource = 0; resource < spans_per_resource.size(); ++resource) {
      if (spans_per_resource[resource] == 0) continue;
      std::string encoded;
      tracecore::jaeger_proto::EncodePostSpansRequest(batch, resource, encoded);
      Enqueue({.bytes = OwningSlice(std::move(encoded)),
               .spans = spans_per_resource[resource],
               .format = format});
    }
  }

  void Shutdown(Clock::time_point deadline) {
    std::lock_guard shutdown_lock(shutdown_mutex_);
    if (shut_down_) return;
    std::vector<std::shared_ptr<Call>> to_cancel;
    {
      std::unique_lock lock(mutex_);
      accepting_ = false;
      changed_.notify_all();
      changed_.wait_until(lock, deadline, [this] { return queue_.empty() && in_flight_ == 0; });
      giving_up_ = true;
      for (const Request& request : queue_) {
        ReleaseLocked(request);
        DropUnsent(request, Cause::kShutdown);
      }
      queue_.clear();
      UpdateGaugesLocked();
      for (const auto& [raw, call] : calls_) to_cancel.push_back(call);
    }
    for (const auto& call : to_cancel) call->context.TryCancel();
    to_cancel.clear();
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return in_flight_ == 0; });
      stop_sender_ = true;
      changed_.notify_all();
    }
    sender_.join();
    shut_down_ = true;
  }

 private:
  enum class Cause { kQueueFull, kShutdown };  // of DropUnsent; Finish counts "rejected"
  enum class Outcome { kDelivered, kRetry, kRejected, kGaveUp };  // of one call

  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    Request item;
    uint64_t epoch = 0;  // the backoff epoch the call started in
  };

  FormatMetrics& MetricsOf(SpanFormat format) { return metrics_[static_cast<int>(format)]; }

  void Enqueue(Request request) {
    bool full = false;
    {
      std::lock_guard lock(mutex_);
      if (!accepting_) {
        DropUnsent(request, Cause::kShutdown);
        return;
      }
      full = held_bytes_ + request.bytes.size() > capacity_bytes_;
      if (full) {
        DropUnsent(request, Cause::kQueueFull);
      } else {
        held_bytes_ += request.bytes.size();
        held_spans_ += request.spans;
        queue_.push_back(std::move(request));
        UpdateGaugesLocked();
        changed_.notify_all();
      }
    }
    if (full) {
      queue_full_.Enter("the queue holds " + std::to_string(capacity_bytes_ >> 20) +
                        " MiB (--reporter.queue-size-memory); the collectors are down or slow");
    } else {
      queue_full_.Leave();
    }
  }

  // Counts `request`, which is not in flight, as dropped: a failure, and spans dropped for
  // `cause`. Its bytes must not be held (the caller releases them first).
  void DropUnsent(const Request& request, Cause cause) {
    FormatMetrics& metrics = MetricsOf(request.format);
    metrics.batches_failures->Increment();
    metrics.spans_failures->Increment(request.spans);
    (cause == Cause::kQueueFull ? metrics.dropped_queue_full : metrics.dropped_shutdown)
        ->Increment(request.spans);
  }

  void ReleaseLocked(const Request& request) {
    held_bytes_ -= request.bytes.size();
    held_spans_ -= request.spans;
  }

  void UpdateGaugesLocked() {
    queue_bytes_.Set(static_cast<double>(held_bytes_));
    queue_spans_.Set(static_cast<double>(held_spans_));
  }

  // The sender thread: starts calls while the queue has requests, a call slot is free and no
  // backoff is pending.
  void SendLoop() {
    std::unique_lock lock(mutex_);
    while (!stop_sender_) {
      const int limit = failing_ ? 1 : max_in_flight_;
      const bool can_send = !queue_.empty() && !giving_up_ && in_flight_ < limit;
      if (can_send && Clock::now() >= retry_at_) {
        auto call = std::make_shared<Call>();
        call->item = std::move(queue_.front());
        queue_.pop_front();
        call->epoch = epoch_;
        ++in_flight_;
        calls_.emplace(call.get(), call);
        lock.unlock();
        StartCall(*call);
        lock.lock();
      } else if (can_send) {
        changed_.wait_until(lock, retry_at_);
      } else {
        changed_.wait(lock);
      }
    }
  }

  void StartCall(Call& call) {
    call.context.set_deadline(std::chrono::system_clock::now() + timeout_);
    call.request = grpc::ByteBuffer(&call.item.bytes, 1);
    grpc::GenericStub stub(connection_.channel());
    stub.UnaryCall(&call.context, PostSpansMethod(), grpc::StubOptions(), &call.request,
                   &call.response,
                   [this, raw = &call](const grpc::Status& status) { Finish(raw, status); });
  }

  // Runs on a gRPC thread when a call completes.
  void Finish(Call* raw, const grpc::Status& status) {
    std::shared_ptr<Call> call;  // the last owner: the call ends with this function
    Outcome outcome = Outcome::kDelivered;
    {
      std::lock_guard lock(mutex_);
      auto found = calls_.find(raw);
      call = std::move(found->second);
      calls_.erase(found);
      outcome =
          status.ok() ? DeliveredLocked(call->item) : FailedLocked(*call, status.error_code());
      UpdateGaugesLocked();
    }
    LogOutcome(outcome, status);
    // Last: once the slot is free, Shutdown may return and the reporter go away.
    std::lock_guard lock(mutex_);
    --in_flight_;
    changed_.notify_all();
  }

  Outcome DeliveredLocked(const Request& item) {
    FormatMetrics& metrics = MetricsOf(item.format);
    metrics.batches_submitted->Increment();
    metrics.spans_submitted->Increment(item.spans);
    metrics.batch_size->Set(item.spans);
    ReleaseLocked(item);
    ++delivered_requests_;
    failing_ = false;
    retry_at_ = Clock::time_point();
    return Outcome::kDelivered;
  }

  Outcome FailedLocked(Call& call, grpc::StatusCode code) {
    Request& item = call.item;
    FormatMetrics& metrics = MetricsOf(item.format);
    metrics.batches_failures->Increment();
    metrics.spans_failures->Increment(item.spans);
    if (giving_up_ && Retryable(code)) {
      metrics.dropped_shutdown->Increment(item.spans);
      ReleaseLocked(item);
      return Outcome::kGaveUp;
    }
    if (Retryable(code) && !StruckOutLocked(item, code)) {
      BackOffLocked(call.epoch);
      // At the back: one request the collectors cannot take does not hold up the others.
      queue_.push_back(std::move(item));
      return Outcome::kRetry;
    }
    metrics.dropped_rejected->Increment(item.spans);
    ReleaseLocked(item);
    return Outcome::kRejected;
  }

  // Counts a retryable failure of `item`; true when it has failed too often to retry again.
  bool StruckOutLocked(Request& item, grpc::StatusCode code) const {
    const bool others_delivered =
        item.failed_before && delivered_requests_ > item.delivered_at_last_failure;
    if (others_delivered && code != grpc::StatusCode::UNAVAILABLE) ++item.strikes;
    item.failed_before = true;
    item.delivered_at_last_failure = delivered_requests_;
    return item.strikes >= kMaxStrikes;
  }

  // A retryable failure of a call started in `epoch`: the first failure of an epoch starts (or
  // doubles) the backoff; calls that were already in flight then do not double it again.
  void BackOffLocked(uint64_t epoch) {
    if (epoch != epoch_) return;
    ++epoch_;
    backoff_ = failing_ ? std::min<Clock::duration>(backoff_ * 2, kMaxBackoff)
                        : Clock::duration(kInitialBackoff);
    failing_ = true;
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    retry_at_ =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(backoff_ * jitter(random_));
  }

  // Outside the lock: a new episode logs.
  void LogOutcome(Outcome outcome, const grpc::Status& status) {
    if (outcome == Outcome::kDelivered) {
      send_failing_.Leave();
      rejected_.Leave();
      return;
    }
    if (outcome == Outcome::kGaveUp) return;
    const std::string detail = "PostSpans to " + connection_.target() + ": code " +
                               std::to_string(static_cast<int>(status.error_code())) + " " +
                               status.error_message();
    (outcome == Outcome::kRetry ? send_failing_ : rejected_).Enter(detail);
  }

  CollectorConnection& connection_;
  const std::chrono::nanoseconds timeout_;
  const size_t capacity_bytes_;
  const int max_in_flight_;
  std::array<FormatMetrics, kFormats> metrics_;
  prometheus::Gauge& queue_bytes_;
  prometheus::Gauge& queue_spans_;
  runtime::DegradedEpisode queue_full_;
  runtime::DegradedEpisode send_failing_;
  runtime::DegradedEpisode rejected_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Request> queue_;
  size_t held_bytes_ = 0;  // queued and in flight
  uint64_t held_spans_ = 0;
  int in_flight_ = 0;
  uint64_t delivered_requests_ = 0;
  std::unordered_map<Call*, std::shared_ptr<Call>> calls_;
  bool accepting_ = true;
  bool giving_up_ = false;  // Shutdown's deadline passed: failures are no longer retried
  bool stop_sender_ = false;
  bool failing_ = false;  // the last completed call failed and asked for a retry
  uint64_t epoch_ = 0;
  Clock::duration backoff_{};
  Clock::time_point retry_at_{};
  std::minstd_rand random_{std::random_device{}()};

  std::mutex shutdown_mutex_;
  bool shut_down_ = false;
  std::thread sender_;  // last: starts once everything above is ready
};

GrpcReporter::GrpcReporter(const ReporterOptions& options, CollectorConnection& connection,
                           prometheus::Registry& registry)
    : impl_(std::make_unique<Impl>(options, connection, registry)) {}

GrpcReporter::~GrpcReporter() = default;

void GrpcReporter::Submit(const tracecore::SpanBatch& batch, SpanFormat format) {
  impl_->Submit(batch, format);
}

void GrpcReporter::Shutdown(std::chrono::steady_clock::time_point deadline) {
  impl_->Shutdown(deadline);
}

}  // namespace ariadne::agent
