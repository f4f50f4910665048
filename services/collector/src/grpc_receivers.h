// The collector's gRPC listeners. Each port (14250 Jaeger, 4317 OTLP) is one grpc::Server that
// serves every collector service, so an agent or an OTLP exporter may use either port:
//
//   opentelemetry.proto.collector.trace.v1.TraceService/Export
//   jaeger.api_v2.CollectorService/PostSpans
//   jaeger.api_v2.SamplingManager/GetSamplingStrategy
//   grpc.health.v1.Health (SERVING for each of the above while the collector serves)
//   grpc.reflection.v1alpha.ServerReflection
//
// Requests arrive as raw bytes (generated "raw callback" methods) and are decoded by tracecore,
// on gRPC's callback threads. Answers: INVALID_ARGUMENT for malformed requests, RESOURCE_EXHAUSTED
// for requests over the spans limit (not retryable) or when the queue is full (retryable: the
// status carries google.rpc.RetryInfo), UNAVAILABLE while shutting down, and OTLP partial success
// for invalid spans.
#pragma once

#include <grpcpp/server.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ingester.h"
#include "runtime/tls.h"
#include "tracecore/status.h"

namespace ariadne::collector {

// Answers GetSamplingStrategy: the serialized jaeger.api_v2.SamplingStrategyResponse for a
// serialized SamplingStrategyParameters, or an error status for a malformed request.
using SamplingLookup =
    std::function<tracecore::Status(std::string_view request, std::string& response)>;

struct GrpcListenerOptions {
  std::string name;            // "jaeger-grpc", "otlp-grpc": in logs and errors
  std::string host_port;       // "host:port" or ":port"; port 0 picks one (tests)
  std::string host_port_flag;  // "--collector.grpc-server.host-port": named in errors
  std::string tls_flag;        // "--collector.grpc.tls": named in errors
  int max_receive_message_bytes = 4 << 20;
  runtime::TlsOptions tls;
};

class GrpcListener {
 public:
  // `ingester` and `sampling` must outlive the listener.
  static tracecore::Status Start(const GrpcListenerOptions& options, Ingester& ingester,
                                 SamplingLookup sampling, std::unique_ptr<GrpcListener>& out);
  ~GrpcListener();

  int port() const { return port_; }
  // Marks every service NOT_SERVING (health), then stops accepting calls; calls in flight finish.
  void Shutdown();

 private:
  class Services;
  GrpcListener() = default;

  std::unique_ptr<Services> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace ariadne::collector
