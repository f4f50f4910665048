#include "collector_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

namespace ariadne::collector {
namespace {

constexpr size_t kMaxServices = 4000;  // Jaeger's cap on the svc label

const char* Bool(bool value) {
  return value ? "true" : "false";
}

}  // namespace

std::string_view FormatLabel(Format format) {
  switch (format) {
    case Format::kJaeger: return "jaeger";
    case Format::kProto: return "proto";
    case Format::kZipkin: return "zipkin";
    case Format::kOtlp: return "otlp";
  }
  return "unknown";
}

std::string_view TransportLabel(Transport transport) {
  return transport == Transport::kGrpc ? "grpc" : "http";
}

std::string_view RejectReasonLabel(RejectReason reason) {
  switch (reason) {
    case RejectReason::kInvalid: return "invalid";
    case RejectReason::kTooLarge: return "too_large";
    case RejectReason::kQueueFull: return "queue_full";
    case RejectReason::kShuttingDown: return "shutting_down";
  }
  return "unknown";
}

CollectorMetrics::CollectorMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      spans_received_(prometheus::BuildCounter()
                          .Name("jaeger_collector_spans_received_total")
                          .Help("Spans received, by format, transport, service and debug flag")
                          .Register(*registry_)),
      spans_rejected_(prometheus::BuildCounter()
                          .Name("jaeger_collector_spans_rejected_total")
                          .Help("Spans refused to the client: invalid, over a limit, or "
                                "backpressure (the client was told and may retry)")
                          .Register(*registry_)),
      traces_received_(prometheus::BuildCounter()
                           .Name("jaeger_collector_traces_received_total")
                           .Help("Root spans received (one per trace)")
                           .Register(*registry_)),
      spans_saved_(prometheus::BuildCounter()
                       .Name("jaeger_collector_spans_saved_by_svc_total")
                       .Help("Spans the storage writer stored (result=ok) or failed (result=err)")
                       .Register(*registry_)),
      spans_processed_(prometheus::BuildCounter()
                           .Name("jaeger_collector_spans_processed_total")
                           .Help("Spans stored by the storage writer")
                           .Register(*registry_)
                           .Add({})),
      spans_dropped_(prometheus::BuildCounter()
                         .Name("jaeger_collector_spans_dropped_total")
                         .Help("Spans accepted from a client but never stored (storage failed "
                               "after retries, or shutdown ran out of time)")
                         .Register(*registry_)
                         .Add({})),
      spans_rejected_by_reason_(prometheus::BuildCounter()
                                    .Name("ariadne_collector_spans_rejected_by_reason_total")
                                    .Help("Spans refused to the client, by reason")
                                    .Register(*registry_)),
      requests_refused_(prometheus::BuildCounter()
                            .Name("ariadne_collector_requests_refused_total")
                            .Help("Requests answered with an error, by transport, format and "
                                  "reason (backpressure answers are reason=queue_full)")
                            .Register(*registry_)),
      queue_length_(prometheus::BuildGauge()
                        .Name("jaeger_collector_queue_length")
                        .Help("Spans waiting in the queue")
                        .Register(*registry_)
                        .Add({})),
      queue_bytes_(prometheus::BuildGauge()
                       .Name("ariadne_collector_queue_bytes")
                       .Help("Bytes of the requests waiting in the queue")
                       .Register(*registry_)
                       .Add({})),
      queue_capacity_(prometheus::BuildGauge()
                          .Name("jaeger_collector_queue_capacity")
                          .Help("The most spans the queue holds (--collector.queue-size)")
                          .Register(*registry_)
                          .Add({})),
      queue_capacity_bytes_(prometheus::BuildGauge()
                                .Name("ariadne_collector_queue_capacity_bytes")
                                .Help("The most bytes the queue holds "
                                      "(--collector.queue-size-memory)")
                                .Register(*registry_)
                                .Add({})),
      spans_bytes_(prometheus::BuildGauge()
                       .Name("jaeger_collector_spans_bytes")
                       .Help("Bytes of the spans in the queue")
                       .Register(*registry_)
                       .Add({})),
      batch_size_(prometheus::BuildGauge()
                      .Name("jaeger_collector_batch_size")
                      .Help("Spans in the last batch a worker wrote")
                      .Register(*registry_)
                      .Add({})),
      service_names_(prometheus::BuildGauge()
                         .Name("jaeger_collector_spans_serviceNames")
                         .Help("Distinct service names seen")
                         .Register(*registry_)
                         .Add({})),
      save_latency_(prometheus::BuildHistogram()
                        .Name("jaeger_collector_save_latency")
                        .Help("Seconds the storage writer took per batch")
                        .Register(*registry_)
                        .Add({}, runtime::LatencyBuckets())),
      in_queue_latency_(prometheus::BuildHistogram()
                            .Name("jaeger_collector_in_queue_latency")
                            .Help("Seconds a batch waited in the queue")
                            .Register(*registry_)
                            .Add({}, runtime::LatencyBuckets())),
      http_request_duration_(prometheus::BuildHistogram()
                                 .Name("jaeger_collector_http_request_duration")
                                 .Help("Seconds to answer HTTP requests, by method, path and "
                                       "status")
                                 .Register(*registry_)),
      http_server_requests_(prometheus::BuildCounter()
                                .Name("jaeger_collector_http_server_requests_total")
                                .Help("Sampling strategy requests over HTTP")
                                .Register(*registry_)),
      http_server_errors_(prometheus::BuildCounter()
                              .Name("jaeger_collector_http_server_errors_total")
                              .Help("Sampling strategy requests that failed")
                              .Register(*registry_)),
      sampling_reloads_(prometheus::BuildCounter()
                            .Name("ariadne_collector_sampling_strategies_reloads_total")
                            .Help("Reloads of --sampling.strategies-file, by result; a failed "
                                  "reload keeps the last good strategies")
                            .Register(*registry_)) {}

std::string CollectorMetrics::ServiceLabel(std::string_view service) {
  if (service.empty()) return "__unknown";
  std::lock_guard lock(services_mutex_);
  if (services_.find(service) != services_.end()) return std::string(service);
  if (services_.size() >= kMaxServices) return "other-services";
  services_.emplace(std::string(service), true);
  service_names_.Set(static_cast<double>(services_.size()));
  return std::string(service);
}

void CollectorMetrics::SpansReceived(const SpanLabels& labels, uint64_t spans) {
  spans_received_
      .Add({{"debug", Bool(labels.debug)},
            {"format", std::string(FormatLabel(labels.format))},
            {"svc", ServiceLabel(labels.service)},
            {"transport", std::string(TransportLabel(labels.transport))}})
      .Increment(static_cast<double>(spans));
}

void CollectorMetrics::TracesReceived(const SpanLabels& labels, uint64_t traces) {
  traces_received_
      .Add({{"debug", Bool(labels.debug)},
            {"format", std::string(FormatLabel(labels.format))},
            {"svc", ServiceLabel(labels.service)},
            {"transport", std::string(TransportLabel(labels.transport))},
            {"sampler_type", "unrecognized"}})
      .Increment(static_cast<double>(traces));
}

void CollectorMetrics::SpansRejected(const SpanLabels& labels, RejectReason reason,
                                     uint64_t spans) {
  spans_rejected_
      .Add({{"debug", Bool(labels.debug)},
            {"format", std::string(FormatLabel(labels.format))},
            {"svc", ServiceLabel(labels.service)},
            {"transport", std::string(TransportLabel(labels.transport))}})
      .Increment(static_cast<double>(spans));
  spans_rejected_by_reason_.Add({{"reason", std::string(RejectReasonLabel(reason))}})
      .Increment(static_cast<double>(spans));
}

void CollectorMetrics::SpansSaved(std::string_view service, bool debug, bool ok, uint64_t spans) {
  spans_saved_
      .Add({{"debug", Bool(debug)}, {"result", ok ? "ok" : "err"}, {"svc", ServiceLabel(service)}})
      .Increment(static_cast<double>(spans));
  if (ok) spans_processed_.Increment(static_cast<double>(spans));
}

void CollectorMetrics::SpansDropped(uint64_t spans) {
  spans_dropped_.Increment(static_cast<double>(spans));
}

void CollectorMetrics::RequestRefused(Transport transport, Format format, RejectReason reason) {
  requests_refused_
      .Add({{"transport", std::string(TransportLabel(transport))},
            {"format", std::string(FormatLabel(format))},
            {"reason", std::string(RejectReasonLabel(reason))}})
      .Increment();
}

void CollectorMetrics::QueueChanged(uint64_t spans, uint64_t bytes) {
  queue_length_.Set(static_cast<double>(spans));
  queue_bytes_.Set(static_cast<double>(bytes));
  spans_bytes_.Set(static_cast<double>(bytes));
}

void CollectorMetrics::QueueCapacity(uint64_t spans, uint64_t bytes) {
  queue_capacity_.Set(static_cast<double>(spans));
  queue_capacity_bytes_.Set(static_cast<double>(bytes));
}

void CollectorMetrics::BatchSize(uint64_t spans) {
  batch_size_.Set(static_cast<double>(spans));
}

void CollectorMetrics::SaveLatency(double seconds) {
  save_latency_.Observe(seconds);
}

void CollectorMetrics::InQueueLatency(double seconds) {
  in_queue_latency_.Observe(seconds);
}

void CollectorMetrics::HttpRequest(std::string_view method, std::string_view path, unsigned status,
                                   double seconds) {
  http_request_duration_
      .Add({{"method", std::string(method)},
            {"path", std::string(path)},
            {"status", std::to_string(status)}},
           runtime::LatencyBuckets())
      .Observe(seconds);
}

void CollectorMetrics::SamplingRequest(unsigned status) {
  http_server_requests_.Add({{"type", "sampling"}}).Increment();
  if (status >= 400) {
    http_server_errors_.Add({{"status", status >= 500 ? "5xx" : "4xx"}, {"source", "all"}})
        .Increment();
  }
}

void CollectorMetrics::SamplingReload(bool ok) {
  sampling_reloads_.Add({{"result", ok ? "ok" : "err"}}).Increment();
}

}  // namespace ariadne::collector
