// ariadne-collector: receives spans in every format Jaeger's collector takes, queues them and
// writes them to storage; serves sampling strategies. docs/collector.md describes it for users.
//
// Collector is the embeddable part (the all-in-one and the tests start one in-process);
// RunCollector is the executable: flags, storage, admin port, signals.
#pragma once

#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/config.h"
#include "runtime/tls.h"
#include "storage/span_writer.h"
#include "tracecore/sampling/strategies.h"
#include "tracecore/status.h"

namespace ariadne::collector {

// Every option, with Jaeger v1's names and defaults (docs/configuration.md lists them).
struct CollectorOptions {
  std::string grpc_host_port = ":14250";          // collector.grpc-server.host-port
  int64_t grpc_max_message_bytes = 4 << 20;       // collector.grpc-server.max-message-size
  runtime::TlsOptions grpc_tls;                   // collector.grpc.tls.*
  std::string http_host_port = ":14268";          // collector.http-server.host-port
  runtime::TlsOptions http_tls;                   // collector.http.tls.*
  bool otlp_enabled = true;                       // collector.otlp.enabled
  std::string otlp_grpc_host_port = ":4317";      // collector.otlp.grpc.host-port
  int64_t otlp_grpc_max_message_bytes = 4 << 20;  // collector.otlp.grpc.max-message-size
  runtime::TlsOptions otlp_grpc_tls;              // collector.otlp.grpc.tls.*
  std::string otlp_http_host_port = ":4318";      // collector.otlp.http.host-port
  runtime::TlsOptions otlp_http_tls;              // collector.otlp.http.tls.*
  std::string zipkin_host_port;                   // collector.zipkin.host-port; empty: off
  runtime::TlsOptions zipkin_tls;                 // collector.zipkin.tls.*
  // The agent's sampling endpoint (GET /sampling, legacy GET /), which Jaeger's all-in-one
  // serves on :5778 (its http-server.host-port); empty: off. Not a collector option: the
  // all-in-one sets it.
  std::string agent_sampling_host_port;

  int64_t queue_size = 2000;                // collector.queue-size (spans)
  int64_t queue_size_memory_mib = 0;        // collector.queue-size-memory; 0: 256 MiB
  int64_t num_workers = 50;                 // collector.num-workers
  int64_t max_request_bytes = 16 << 20;     // collector.max-request-size (HTTP bodies)
  int64_t max_packet_size = 16 << 20;       // collector.max-packet-size: the seed's name for it
  int64_t max_spans_per_request = 100'000;  // collector.max-spans-per-request; 0: none
  int64_t http_threads = 2;                 // collector.http-server.threads

  std::string sampling_strategies_file;                  // sampling.strategies-file
  std::chrono::nanoseconds sampling_reload_interval{0};  // sampling.strategies-reload-interval
  double default_sampling_probability = tracecore::sampling::kDefaultSamplingProbability;
  std::chrono::nanoseconds shutdown_timeout =
      std::chrono::seconds(30);  // collector.shutdown-timeout
};

// Registers every collector option on `config`, bound to `options`.
void AddCollectorOptions(runtime::Config& config, CollectorOptions& options);
// Checks what Config cannot check alone (TLS files, conflicting listeners on one port) and applies
// aliases; errors name the flag.
tracecore::Status FinishCollectorOptions(const runtime::Config& config, CollectorOptions& options);

class Collector {
 public:
  // Starts every receiver and the workers. `writer` must outlive the collector; metrics go to
  // `registry`. Errors say which listener or file failed and how to fix it.
  static tracecore::Status Start(const CollectorOptions& options, storage::SpanWriter& writer,
                                 std::shared_ptr<prometheus::Registry> registry,
                                 std::unique_ptr<Collector>& out);
  ~Collector();

  // Bound ports (useful when an option asked for port 0). 0 when that receiver is off.
  int jaeger_grpc_port() const;
  int otlp_grpc_port() const;
  int http_port() const;
  int otlp_http_port() const;
  int zipkin_port() const;
  int agent_sampling_port() const;

  // Stops accepting, drains the queue into the writer (up to options.shutdown_timeout), flushes
  // it. Idempotent; the destructor calls it.
  void Shutdown();

 private:
  class Impl;
  explicit Collector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The ariadne-collector executable: parses flags, opens storage, starts the collector and the
// admin port, serves until SIGTERM/SIGINT, then shuts down cleanly. Returns the exit code.
int RunCollector(int argc, char** argv);

}  // namespace ariadne::collector
