// LoadCounters and the reports tracegen prints: a progress line per interval on stderr and one
// JSON line at the end on stdout, which bench scripts parse.
//
// Accepted: the receiver answered 2xx / gRPC OK (for UDP: the kernel took the datagram). Rejected:
// backpressure (HTTP 429 or 503, gRPC RESOURCE_EXHAUSTED) and the rejected_spans of an OTLP partial
// success. Failed: every other error (other statuses, connection and I/O errors, timeouts).
// errors_by_status counts requests per non-success status: "429", "503", "RESOURCE_EXHAUSTED",
// "UNAVAILABLE", "connect", "io", "timeout", "partial_success".
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace ariadne::tracegen {

enum class Outcome : uint8_t { kAccepted, kRejected, kFailed };

// 2xx -> accepted; 429 and 503 -> rejected; anything else -> failed.
Outcome ClassifyHttpStatus(int status);
// OK -> accepted; RESOURCE_EXHAUSTED -> rejected; anything else -> failed.
Outcome ClassifyGrpcStatus(int code);
// "OK", "CANCELLED", ..., "UNAUTHENTICATED"; "UNKNOWN_<n>" outside 0..16.
std::string GrpcCodeName(int code);

struct LoadSnapshot {
  uint64_t spans_sent = 0;
  uint64_t spans_accepted = 0;
  uint64_t spans_rejected = 0;
  uint64_t spans_failed = 0;
  uint64_t requests = 0;
  uint64_t traces = 0;
  std::map<std::string, uint64_t> errors_by_status;
};

// Thread-safe counters shared by the workers and the transports' completion threads.
class LoadCounters {
 public:
  void AddSent(uint64_t spans) {
    spans_sent_.fetch_add(spans, std::memory_order_relaxed);
    requests_.fetch_add(1, std::memory_order_relaxed);
  }
  void AddTraces(uint64_t traces) { traces_.fetch_add(traces, std::memory_order_relaxed); }
  void AddAccepted(uint64_t spans) { spans_accepted_.fetch_add(spans, std::memory_order_relaxed); }
  // A whole request refused with backpressure, or part of one (partial success).
  void AddRejected(uint64_t spans, std::string_view status);
  // A whole request failed for another reason.
  void AddFailed(uint64_t spans, std::string_view status);
  // The outcome of a request of `spans` spans with `status` (used for its error key), where
  // `rejected_spans` of an accepted request were refused by an OTLP partial success.
  void Record(Outcome outcome, uint64_t spans, std::string_view status,
              uint64_t rejected_spans = 0);

  LoadSnapshot Snapshot() const;

 private:
  void CountError(std::string_view status);

  std::atomic<uint64_t> spans_sent_{0};
  std::atomic<uint64_t> spans_accepted_{0};
  std::atomic<uint64_t> spans_rejected_{0};
  std::atomic<uint64_t> spans_failed_{0};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> traces_{0};
  mutable std::mutex errors_mutex_;
  std::map<std::string, uint64_t, std::less<>> errors_;
};

// "t=3s sent=120000/s accepted=119500/s rejected=500/s failed=0/s": the rates between two
// snapshots `interval_seconds` apart; `elapsed_seconds` is the time since the start.
std::string FormatProgressLine(double elapsed_seconds, const LoadSnapshot& previous,
                               const LoadSnapshot& current, double interval_seconds);

struct FinalReport {
  std::string protocol;
  std::string endpoint;
  double seconds = 0;
  double cpu_seconds = 0;
  int64_t workers = 0;
  double target_rate = 0;  // spans/s asked for; 0 = as fast as possible
  LoadSnapshot totals;
};

// One JSON object on one line: {"protocol", "endpoint", "seconds", "spans_sent", "spans_accepted",
// "spans_rejected", "spans_failed", "requests", "traces", "errors_by_status": {...},
// "spans_per_second" (accepted spans / seconds), "sent_per_second", "cpu_seconds",
// "cpu_us_per_span" (tracegen's CPU per sent span), "workers", "target_rate"}.
std::string FormatFinalJson(const FinalReport& report);

// 0 when any span was accepted, 1 otherwise.
int ExitCodeFor(const FinalReport& report);

}  // namespace ariadne::tracegen
