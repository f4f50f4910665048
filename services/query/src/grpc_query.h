// The gRPC query API on one grpc::Server (default port 16685, reference §2, §3.4, §3.5):
//
//   jaeger.api_v2.QueryService   GetTrace, FindTraces (stream SpansResponseChunk), ArchiveTrace,
//                                GetServices, GetOperations, GetDependencies
//   jaeger.api_v3.QueryService   GetTrace, FindTraces (stream TracesData), FindTraceSummaries
//                                (stream FindTraceSummariesResponse), GetServices,
//                                GetOperations, GetDependencies
//   grpc.health.v1.Health        SERVING for "" and both services while the server serves
//   grpc.reflection.v1alpha.ServerReflection
//
// Requests arrive as raw bytes and are parsed with the generated message classes; traces are
// written by tracecore's codecs (SpansResponseChunk, and TracesData, which has the wire form of
// an OTLP ExportTraceServiceRequest). A trace is streamed in messages of at most
// GrpcQueryOptions::max_message_bytes (a single span bigger than that goes alone), so a
// 100,000-span trace reaches a client with gRPC's default 4 MiB receive limit.
//
// Storage is read on the server's own worker threads (GrpcQueryOptions::threads requests at
// once; further requests wait), never on gRPC's callback threads. Every request reads within one
// QueryService::ReadBudget: --query.max-trace-size spans and --query.timeout.
//
// Answers: INVALID_ARGUMENT for a malformed request (garbage bytes, a bad trace id, a missing
// required field), NOT_FOUND for a trace storage does not hold ("trace not found" on api_v2,
// "No traces found" on api_v3, as Jaeger answers), RESOURCE_EXHAUSTED for a request stopped by
// --query.timeout, UNAVAILABLE for storage that is unavailable, UNIMPLEMENTED for ArchiveTrace
// without --query.archive, INTERNAL for other storage failures; every message says what was
// wrong.
#pragma once

#include <grpcpp/server.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "query_metrics.h"
#include "query_service.h"
#include "runtime/tls.h"
#include "tracecore/status.h"

namespace ariadne::query {

struct GrpcQueryOptions {
  std::string host_port = ":16685";  // "host:port" or ":port"; port 0 picks one (tests)
  std::string host_port_flag = "--query.grpc-server.host-port";  // named in errors
  std::string tls_flag = "--query.grpc.tls";                     // named in errors
  runtime::TlsOptions tls;
  // The largest request accepted; query requests are small.
  int max_receive_message_bytes = 4 << 20;
  // The size one streamed message aims to stay under.
  size_t max_message_bytes = 1 << 20;
  // Requests that read storage at once.
  int threads = 4;
  // FindTraces on api_v2 without start_time_min searches from now - lookback (--query.lookback);
  // no search or dependency query reaches further back than now - max_lookback
  // (--query.max-lookback; 0: no bound), as on the HTTP API.
  std::chrono::nanoseconds lookback = std::chrono::hours(48);
  std::chrono::nanoseconds max_lookback{0};
};

class GrpcQueryServer {
 public:
  // Starts serving. `service` and `metrics` (which may be null: no request metrics) must outlive
  // the server. Errors name the flag to fix (an address that cannot be bound, unreadable TLS
  // files).
  static tracecore::Status Start(const GrpcQueryOptions& options, QueryService& service,
                                 QueryMetrics* metrics, std::unique_ptr<GrpcQueryServer>& out);
  ~GrpcQueryServer();
  GrpcQueryServer(const GrpcQueryServer&) = delete;
  GrpcQueryServer& operator=(const GrpcQueryServer&) = delete;

  // The bound port (the ephemeral one when the option asked for port 0).
  int port() const { return port_; }

  // Marks every service NOT_SERVING (health), stops accepting calls, lets calls in flight finish
  // (those still running after 5 s are cancelled), then stops the worker threads. Idempotent;
  // the destructor calls it. Not from a request.
  void Shutdown();

 private:
  class Impl;
  GrpcQueryServer() = default;

  std::unique_ptr<Impl> impl_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace ariadne::query
