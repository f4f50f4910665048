// CollectorMetrics: the collector's Prometheus metrics, named as Jaeger's (reference §7.2) so that
// existing dashboards and the seed's alert rules work, plus the few Ariadne adds.
//
// Accounting identity, per span (docs/collector.md, "Where every span goes"):
//   spans_received = spans_rejected + spans_dropped + spans_saved_by_svc{result="ok"}
// where rejected spans were refused to the client (invalid, over a limit, or backpressure: the
// client was told and may retry), and dropped spans were accepted but could not be stored.
// jaeger_collector_spans_processed_total (the seed's name) counts the spans stored.
//
// Thread-safe. Counters are looked up once per request and service, never per span.
#pragma once

#include <prometheus/registry.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "runtime/metrics.h"

namespace ariadne::collector {

// Jaeger's label values: format jaeger (Thrift), proto (api_v2 gRPC), zipkin, otlp.
enum class Format { kJaeger, kProto, kZipkin, kOtlp };
enum class Transport { kGrpc, kHttp };
std::string_view FormatLabel(Format format);
std::string_view TransportLabel(Transport transport);

// Why spans were refused.
enum class RejectReason { kInvalid, kTooLarge, kQueueFull, kShuttingDown };
std::string_view RejectReasonLabel(RejectReason reason);

struct SpanLabels {
  Format format;
  Transport transport;
  std::string_view service;
  bool debug = false;
};

class CollectorMetrics {
 public:
  explicit CollectorMetrics(std::shared_ptr<prometheus::Registry> registry);

  void SpansReceived(const SpanLabels& labels, uint64_t spans);
  void TracesReceived(const SpanLabels& labels, uint64_t traces);
  void SpansRejected(const SpanLabels& labels, RejectReason reason, uint64_t spans);
  void SpansSaved(std::string_view service, bool debug, bool ok, uint64_t spans);
  void SpansDropped(uint64_t spans);
  void RequestRefused(Transport transport, Format format, RejectReason reason);

  void QueueChanged(uint64_t spans, uint64_t bytes);
  void QueueCapacity(uint64_t spans, uint64_t bytes);
  void BatchSize(uint64_t spans);
  void SaveLatency(double seconds);
  void InQueueLatency(double seconds);
  void HttpRequest(std::string_view method, std::string_view path, unsigned status, double seconds);
  // One GET /api/sampling answered with `status`.
  void SamplingRequest(unsigned status);
  void SamplingReload(bool ok);

 private:
  // The service label with Jaeger's cap: beyond kMaxServices distinct names, "other-services";
  // an empty name is "__unknown".
  std::string ServiceLabel(std::string_view service);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& spans_received_;
  prometheus::Family<prometheus::Counter>& spans_rejected_;
  prometheus::Family<prometheus::Counter>& traces_received_;
  prometheus::Family<prometheus::Counter>& spans_saved_;
  prometheus::Counter& spans_processed_;
  prometheus::Counter& spans_dropped_;
  prometheus::Family<prometheus::Counter>& spans_rejected_by_reason_;
  prometheus::Family<prometheus::Counter>& requests_refused_;
  prometheus::Gauge& queue_length_;
  prometheus::Gauge& queue_bytes_;
  prometheus::Gauge& queue_capacity_;
  prometheus::Gauge& queue_capacity_bytes_;
  prometheus::Gauge& spans_bytes_;
  prometheus::Gauge& batch_size_;
  prometheus::Gauge& service_names_;
  prometheus::Histogram& save_latency_;
  prometheus::Histogram& in_queue_latency_;
  prometheus::Family<prometheus::Histogram>& http_request_duration_;
  prometheus::Family<prometheus::Counter>& http_server_requests_;
  prometheus::Family<prometheus::Counter>& http_server_errors_;
  prometheus::Family<prometheus::Counter>& sampling_reloads_;

  std::mutex services_mutex_;
  std::map<std::string, bool, std::less<>> services_;
};

}  // namespace ariadne::collector
