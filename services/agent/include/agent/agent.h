// ariadne-agent: the per-node agent. It receives Jaeger and Zipkin Thrift datagrams from local
// clients on UDP, forwards the spans to collectors over gRPC (jaeger.api_v2.CollectorService/
// PostSpans), and serves sampling strategies to those clients over HTTP, proxied from the
// collectors' SamplingManager. docs/agent.md describes it for users.
//
// Agent is the embeddable part (the all-in-one and the tests start one in-process); RunAgent is
// the executable: flags, admin port, signals.
#pragma once

#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/config.h"
#include "runtime/tls.h"
#include "tracecore/status.h"

namespace ariadne::agent {

// One UDP server: Jaeger's processor.<model>-<protocol>.* flags (reference §1.2).
struct UdpServerOptions {
  std::string host_port;            // server-host-port; empty: off
  int64_t max_packet_size = 65000;  // server-max-packet-size: larger datagrams are dropped
  int64_t queue_size = 1000;        // server-queue-size: datagrams waiting for a worker
  int64_t socket_buffer_size = 0;   // server-socket-buffer-size; 0: kDefaultSocketBufferBytes
  int64_t workers = 10;             // workers: threads decoding datagrams
};

// The receive buffer asked of the kernel when --processor.*.server-socket-buffer-size is 0:
// enough for a quarter of a second of line rate at 1 Gbit/s (Jaeger's agent keeps the kernel's
// small default, which drops bursts: Jaeger issue 2331).
inline constexpr int64_t kDefaultSocketBufferBytes = int64_t{32} << 20;

// Where spans go: the collectors, over gRPC.
struct ReporterOptions {
  // reporter.grpc.host-port: "host:port" entries; each host is re-resolved every
  // resolve_interval and calls go round robin over every address found.
  std::vector<std::string> host_ports;
  runtime::TlsOptions tls;            // reporter.grpc.tls.{enabled,ca,cert,key}
  std::string tls_server_name;        // reporter.grpc.tls.server-name
  bool tls_skip_host_verify = false;  // reporter.grpc.tls.skip-host-verify
  std::chrono::nanoseconds resolve_interval = std::chrono::seconds(30);
  std::chrono::nanoseconds timeout = std::chrono::seconds(5);  // per PostSpans attempt
  int64_t queue_size_memory_mib = 128;  // reporter.queue-size-memory: encoded requests waiting
  int64_t max_in_flight = 16;           // reporter.grpc.max-in-flight: concurrent calls
  // agent.tags: "key=value" (value may use ${ENV} or ${ENV:default}), added to every process.
  std::vector<std::string> agent_tags;
};

// Every option, with Jaeger v1's names and defaults (docs/configuration.md lists them).
struct AgentOptions {
  UdpServerOptions jaeger_compact{.host_port = ":6831"};  // processor.jaeger-compact.*
  UdpServerOptions jaeger_binary{.host_port = ":6832"};   // processor.jaeger-binary.*
  UdpServerOptions zipkin_compact{.host_port = ":5775"};  // processor.zipkin-compact.*
  ReporterOptions reporter;
  std::string http_host_port = ":5778";  // http-server.host-port: sampling; empty: off
  // processor.zipkin-http.server-host-port: the seed's compose file spells --http-server.host-port
  // so; it applies when --http-server.host-port is not set.
  std::string http_host_port_alias;
  // How long a sampling strategy fetched from a collector is served before asking again.
  std::chrono::nanoseconds sampling_cache_ttl = std::chrono::seconds(10);
  std::chrono::nanoseconds shutdown_timeout = std::chrono::seconds(10);  // agent.shutdown-timeout
};

// Registers every agent option on `config`, bound to `options`.
void AddAgentOptions(runtime::Config& config, AgentOptions& options);
// Registers only the UDP servers' options (processor.*): the all-in-one's agent part, whose
// reporter is the in-process collector and whose sampling endpoint the collector serves.
void AddAgentReceiverOptions(runtime::Config& config, AgentOptions& options);
// Checks what Config cannot check alone (host:port syntax, TLS files, tags); errors name the flag.
tracecore::Status FinishAgentOptions(const runtime::Config& config, AgentOptions& options);

class Agent {
 public:
  // Starts the UDP servers, the reporter and the sampling endpoint. Metrics go to `registry`.
  // Errors say which listener or file failed and how to fix it.
  static tracecore::Status Start(const AgentOptions& options,
                                 std::shared_ptr<prometheus::Registry> registry,
                                 std::unique_ptr<Agent>& out);
  ~Agent();

  // Bound ports (useful when an option asked for port 0); 0 when that server is off.
  int jaeger_compact_port() const;
  int jaeger_binary_port() const;
  int zipkin_compact_port() const;
  int http_port() const;

  // Stops receiving, decodes what was received, and delivers what is queued to the collectors
  // for up to options.shutdown_timeout; what is still queued then is counted as dropped.
  // Idempotent; the destructor calls it.
  void Shutdown();

 private:
  class Impl;
  explicit Agent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The ariadne-agent executable: parses flags, starts the agent and the admin port, serves until
// SIGTERM/SIGINT, then shuts down cleanly. Returns the exit code.
int RunAgent(int argc, char** argv);

}  // namespace ariadne::agent
