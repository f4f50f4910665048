// The agent's options: Jaeger v1's flag names and defaults (cmd/agent/app/flags.go,
// reporter/grpc/flags.go), plus the few Ariadne adds (queue bound, re-resolution, cache).
#include <string>

#include "agent/agent.h"
#include "process_tags.h"

namespace ariadne::agent {
namespace {

constexpr int64_t kMaxPacketSize = 65507;  // the largest UDP payload over IPv4

void AddUdpServerOptions(runtime::Config& config, const std::string& processor,
                         UdpServerOptions& options, const std::string& what) {
  const std::string prefix = "processor." + processor + ".";
  config.AddString(prefix + "server-host-port", &options.host_port,
                   "UDP address of the " + what + " server; empty: off");
  config.AddInt(prefix + "server-max-packet-size", &options.max_packet_size,
                "Largest datagram accepted, in bytes; larger ones are dropped and counted", 1024,
                kMaxPacketSize);
  config.AddInt(prefix + "server-queue-size", &options.queue_size,
                "Datagrams waiting for a worker; beyond it they are dropped and counted", 1,
                1 << 20);
  config.AddInt(prefix + "server-socket-buffer-size", &options.socket_buffer_size,
                "Receive buffer asked of the kernel, in bytes (0: 32 MiB; the kernel caps it at "
                "net.core.rmem_max unless the agent may raise it)",
                0, int64_t{1} << 31);
  config.AddInt(prefix + "workers", &options.workers, "Threads decoding " + what + " datagrams", 1,
                256);
}

}  // namespace

void AddAgentReceiverOptions(runtime::Config& config, AgentOptions& options) {
  AddUdpServerOptions(config, "jaeger-compact", options.jaeger_compact,
                      "Jaeger Thrift compact (emitBatch)");
  AddUdpServerOptions(config, "jaeger-binary", options.jaeger_binary,
                      "Jaeger Thrift binary (emitBatch)");
  AddUdpServerOptions(config, "zipkin-compact", options.zipkin_compact,
                      "Zipkin Thrift compact (emitZipkinBatch)");
}

void AddAgentOptions(runtime::Config& config, AgentOptions& options) {
  AddAgentReceiverOptions(config, options);
  config.AddString("http-server.host-port", &options.http_host_port,
                   "HTTP address of the sampling endpoint (GET /sampling?service=, legacy "
                   "GET /?service=); empty: off");
  config.AddString("processor.zipkin-http.server-host-port", &options.http_host_port_alias,
                   "Same as --http-server.host-port (the spelling of the seed's compose file); "
                   "--http-server.host-port wins when both are set");
  config.AddDuration("http-server.sampling-cache-ttl", &options.sampling_cache_ttl,
                     "How long a strategy fetched from a collector is served before asking "
                     "again (when the collectors are down the last one known is served)");

  ReporterOptions& reporter = options.reporter;
  config.AddStringList("reporter.grpc.host-port", &reporter.host_ports,
                       "Collectors to send spans to, host:port, comma-separated; a host name is "
                       "re-resolved and calls go round robin over every address");
  config.AddBool("reporter.grpc.tls.enabled", &reporter.tls.enabled, "Use TLS to the collectors");
  config.AddString("reporter.grpc.tls.ca", &reporter.tls.client_ca_file,
                   "PEM CA bundle that verifies the collectors (empty: the system's)");
  config.AddString("reporter.grpc.tls.cert", &reporter.tls.cert_file,
                   "PEM client certificate, for mutual TLS");
  config.AddString("reporter.grpc.tls.key", &reporter.tls.key_file,
                   "PEM client private key, for mutual TLS");
  config.AddString("reporter.grpc.tls.server-name", &reporter.tls_server_name,
                   "Name to check in the collectors' certificates (default: the host of "
                   "--reporter.grpc.host-port)");
  config.AddBool("reporter.grpc.tls.skip-host-verify", &reporter.tls_skip_host_verify,
                 "Do not check the name in the collectors' certificates (the chain still is)");
  config.AddDuration("reporter.grpc.discovery.refresh-interval", &reporter.resolve_interval,
                     "How often collector host names are resolved again");
  config.AddDuration("reporter.grpc.timeout", &reporter.timeout,
                     "Deadline of one PostSpans attempt");
  config.AddInt("reporter.grpc.max-in-flight", &reporter.max_in_flight,
                "PostSpans calls in progress at once", 1, 1024);
  config.AddInt("reporter.queue-size-memory", &reporter.queue_size_memory_mib,
                "The most MiB of spans waiting for the collectors (while they are slow or "
                "down); beyond it spans are dropped and counted",
                1, int64_t{1} << 20);
  config.AddIgnored("reporter.grpc.retry.max",
                    "the agent retries a batch until it is delivered or "
                    "--reporter.queue-size-memory is full");
  config.AddIgnored("reporter.type", "gRPC is the only reporter (as in Jaeger since 1.21)");
  config.AddIgnored("reporter.grpc.discovery.min-peers",
                    "every resolved collector address is used");
  config.AddStringList("agent.tags", &reporter.agent_tags,
                       "Tags added to the process of every batch: key=value, comma-separated; a "
                       "value may read the environment as ${NAME} or ${NAME:default}");
  config.AddDuration("agent.shutdown-timeout", &options.shutdown_timeout,
                     "How long shutdown keeps delivering queued spans to the collectors");
}

tracecore::Status FinishAgentOptions(const runtime::Config& config, AgentOptions& options) {
  if (config.WasSet("processor.zipkin-http.server-host-port") &&
      !config.WasSet("http-server.host-port")) {
    options.http_host_port = options.http_host_port_alias;
  }
  if (options.reporter.host_ports.empty()) {
    return tracecore::Status::InvalidArgument(
        "--reporter.grpc.host-port: name at least one collector, e.g. "
        "--reporter.grpc.host-port=collector:14250");
  }
  ARIADNE_RETURN_IF_ERROR(
      runtime::ValidateTlsClientOptions(options.reporter.tls, "--reporter.grpc.tls"));
  ProcessTags tags;
  return ParseProcessTags(options.reporter.agent_tags, runtime::Config::ProcessEnvironment(), tags);
}

}  // namespace ariadne::agent
