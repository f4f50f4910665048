#include "tracegen/load_report.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdio>

namespace ariadne::tracegen {
namespace {

double Rate(uint64_t before, uint64_t after, double seconds) {
  if (seconds <= 0 || after < before) return 0;
  return static_cast<double>(after - before) / seconds;
}

}  // namespace

Outcome ClassifyHttpStatus(int status) {
  if (status >= 200 && status < 300) return Outcome::kAccepted;
  if (status == 429 || status == 503) return Outcome::kRejected;
  return Outcome::kFailed;
}

Outcome ClassifyGrpcStatus(int code) {
  if (code == 0) return Outcome::kAccepted;
  if (code == 8) return Outcome::kRejected;  // RESOURCE_EXHAUSTED
  return Outcome::kFailed;
}

std::string GrpcCodeName(int code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  if (code >= 0 && code < static_cast<int>(std::size(kNames))) return kNames[code];
  return "UNKNOWN_" + std::to_string(code);
}

void LoadCounters::CountError(std::string_view status) {
  std::lock_guard<std::mutex> lock(errors_mutex_);
  auto found = errors_.find(status);
  if (found == errors_.end()) {
    errors_.emplace(std::string(status), 1);
  } else {
    ++found->second;
  }
}

void LoadCounters::AddRejected(uint64_t spans, std::string_view status) {
  spans_rejected_.fetch_add(spans, std::memory_order_relaxed);
  CountError(status);
}

void LoadCounters::AddFailed(uint64_t spans, std::string_view status) {
  spans_failed_.fetch_add(spans, std::memory_order_relaxed);
  CountError(status);
}

void LoadCounters::Record(Outcome outcome, uint64_t spans, std::string_view status,
                          uint64_t rejected_spans) {
  switch (outcome) {
    case Outcome::kAccepted:
      if (rejected_spans > 0) {
        rejected_spans = std::min(rejected_spans, spans);
        AddRejected(rejected_spans, "partial_success");
      }
      AddAccepted(spans - rejected_spans);
      break;
    case Outcome::kRejected: AddRejected(spans, status); break;
    case Outcome::kFailed: AddFailed(spans, status); break;
  }
}

LoadSnapshot LoadCounters::Snapshot() const {
  LoadSnapshot snapshot;
  snapshot.spans_sent = spans_sent_.load(std::memory_order_relaxed);
  snapshot.spans_accepted = spans_accepted_.load(std::memory_order_relaxed);
  snapshot.spans_rejected = spans_rejected_.load(std::memory_order_relaxed);
  snapshot.spans_failed = spans_failed_.load(std::memory_order_relaxed);
  snapshot.requests = requests_.load(std::memory_order_relaxed);
  snapshot.traces = traces_.load(std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(errors_mutex_);
  for (const auto& [status, count] : errors_) snapshot.errors_by_status.emplace(status, count);
  return snapshot;
}

std::string FormatProgressLine(double elapsed_seconds, const LoadSnapshot& previous,
                               const LoadSnapshot& current, double interval_seconds) {
  char line[256];
  std::snprintf(line, sizeof(line),
                "t=%.0fs sent=%.0f/s accepted=%.0f/s rejected=%.0f/s failed=%.0f/s",
                elapsed_seconds, Rate(previous.spans_sent, current.spans_sent, interval_seconds),
                Rate(previous.spans_accepted, current.spans_accepted, interval_seconds),
                Rate(previous.spans_rejected, current.spans_rejected, interval_seconds),
                Rate(previous.spans_failed, current.spans_failed, interval_seconds));
  return line;
}

std::string FormatFinalJson(const FinalReport& report) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  const LoadSnapshot& totals = report.totals;
  auto rounded = [](double value) { return std::round(value * 1000) / 1000; };
  writer.StartObject();
  writer.Key("protocol");
  writer.String(report.protocol.c_str(), static_cast<rapidjson::SizeType>(report.protocol.size()));
  writer.Key("endpoint");
  writer.String(report.endpoint.c_str(), static_cast<rapidjson::SizeType>(report.endpoint.size()));
  writer.Key("seconds");
  writer.Double(rounded(report.seconds));
  writer.Key("spans_sent");
  writer.Uint64(totals.spans_sent);
  writer.Key("spans_accepted");
  writer.Uint64(totals.spans_accepted);
  writer.Key("spans_rejected");
  writer.Uint64(totals.spans_rejected);
  writer.Key("spans_failed");
  writer.Uint64(totals.spans_failed);
  writer.Key("requests");
  writer.Uint64(totals.requests);
  writer.Key("traces");
  writer.Uint64(totals.traces);
  writer.Key("errors_by_status");
  writer.StartObject();
  for (const auto& [status, count] : totals.errors_by_status) {
    writer.Key(status.c_str(), static_cast<rapidjson::SizeType>(status.size()));
    writer.Uint64(count);
  }
  writer.EndObject();
  writer.Key("spans_per_second");
  writer.Double(rounded(Rate(0, totals.spans_accepted, report.seconds)));
  writer.Key("sent_per_second");
  writer.Double(rounded(Rate(0, totals.spans_sent, report.seconds)));
  writer.Key("cpu_seconds");
  writer.Double(rounded(report.cpu_seconds));
  writer.Key("cpu_us_per_span");
  writer.Double(totals.spans_sent == 0
                    ? 0.0
                    : rounded(report.cpu_seconds * 1e6 / static_cast<double>(totals.spans_sent)));
  writer.Key("workers");
  writer.Int64(report.workers);
  writer.Key("target_rate");
  writer.Double(report.target_rate);
  writer.EndObject();
  return buffer.GetString();
}

int ExitCodeFor(const FinalReport& report) {
  return report.totals.spans_accepted > 0 ? 0 : 1;
}

}  // namespace ariadne::tracegen
