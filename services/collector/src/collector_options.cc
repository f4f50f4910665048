// The collector's options: Jaeger v1's flag names and defaults, plus the few Ariadne adds.
#include <set>
#include <string>

#include "collector/collector.h"

namespace ariadne::collector {
namespace {

constexpr int64_t kMaxMessageBytes = int64_t{1} << 30;

// gRPC listeners take no min-version: gRPC always requires TLS 1.2 or later.
void AddTlsOptions(runtime::Config& config, const std::string& prefix, runtime::TlsOptions& tls,
                   const std::string& what, bool grpc) {
  config.AddBool(prefix + ".enabled", &tls.enabled, "Enable TLS on the " + what);
  config.AddString(prefix + ".cert", &tls.cert_file, "PEM certificate (chain) of the " + what);
  config.AddString(prefix + ".key", &tls.key_file, "PEM private key of the " + what);
  config.AddString(prefix + ".client-ca", &tls.client_ca_file,
                   "PEM CA bundle; when set, clients of the " + what +
                       " must present a certificate it signed (mutual TLS)");
  if (!grpc) {
    config.AddString(prefix + ".min-version", &tls.min_version,
                     "Lowest TLS version accepted by the " + what + ": 1.2 or 1.3");
  }
}

// "host:port" spellings of the same listener compare equal: ":4317" and "0.0.0.0:4317".
std::string ListenerKey(const std::string& host_port) {
  if (!host_port.empty() && host_port.front() == ':') return "0.0.0.0" + host_port;
  return host_port;
}

}  // namespace

void AddCollectorOptions(runtime::Config& config, CollectorOptions& options) {
  config.AddString("collector.grpc-server.host-port", &options.grpc_host_port,
                   "Jaeger gRPC receiver (api_v2 CollectorService, SamplingManager; every gRPC "
                   "service is served on every gRPC port)");
  config.AddInt("collector.grpc-server.max-message-size", &options.grpc_max_message_bytes,
                "Largest gRPC message the Jaeger gRPC port accepts, in bytes", 1024,
                kMaxMessageBytes);
  AddTlsOptions(config, "collector.grpc.tls", options.grpc_tls, "Jaeger gRPC receiver", true);
  config.AddString("collector.http-server.host-port", &options.http_host_port,
                   "Jaeger Thrift HTTP receiver (POST /api/traces, GET /api/sampling; every HTTP "
                   "route is served on every HTTP port)");
  config.AddInt("collector.http-server.threads", &options.http_threads,
                "Threads per HTTP receiver port", 1, 64);
  AddTlsOptions(config, "collector.http.tls", options.http_tls, "Jaeger HTTP receiver", false);
  config.AddBool("collector.otlp.enabled", &options.otlp_enabled,
                 "Receive OTLP on the OTLP gRPC and HTTP ports");
  config.AddString("collector.otlp.grpc.host-port", &options.otlp_grpc_host_port,
                   "OTLP gRPC receiver (TraceService/Export)");
  config.AddInt("collector.otlp.grpc.max-message-size", &options.otlp_grpc_max_message_bytes,
                "Largest gRPC message the OTLP gRPC port accepts, in bytes", 1024,
                kMaxMessageBytes);
  AddTlsOptions(config, "collector.otlp.grpc.tls", options.otlp_grpc_tls, "OTLP gRPC receiver",
                true);
  config.AddString("collector.otlp.http.host-port", &options.otlp_http_host_port,
                   "OTLP HTTP receiver (POST /v1/traces, protobuf or JSON)");
  AddTlsOptions(config, "collector.otlp.http.tls", options.otlp_http_tls, "OTLP HTTP receiver",
                false);
  config.AddString("collector.zipkin.host-port", &options.zipkin_host_port,
                   "Zipkin receiver (POST /api/v1/spans, /api/v2/spans), e.g. :9411; empty: off");
  AddTlsOptions(config, "collector.zipkin.tls", options.zipkin_tls, "Zipkin receiver", false);

  config.AddInt("collector.queue-size", &options.queue_size,
                "The most spans waiting for storage; beyond it receivers answer with "
                "backpressure (429 / RESOURCE_EXHAUSTED)",
                1, int64_t{1} << 40);
  config.AddInt("collector.queue-size-memory", &options.queue_size_memory_mib,
                "The most MiB of requests waiting for storage (0: 256)", 0, int64_t{1} << 20);
  config.AddInt("collector.num-workers", &options.num_workers,
                "Workers writing queued batches to storage", 1, 1024);
  config.AddInt("collector.max-request-size", &options.max_request_bytes,
                "Largest HTTP request body accepted, in bytes (413 beyond it)", 1024,
                kMaxMessageBytes);
  config.AddInt("collector.max-packet-size", &options.max_packet_size,
                "Same as --collector.max-request-size (the name the seed's tuning file uses); "
                "--collector.max-request-size wins when both are set",
                1024, kMaxMessageBytes);
  config.AddIgnored("collector.packet-size-limit",
                    "UDP packets are the agent's: see --processor.*.server-max-packet-size");
  config.AddInt("collector.max-spans-per-request", &options.max_spans_per_request,
                "The most spans one request may carry (413 / RESOURCE_EXHAUSTED beyond it; 0: "
                "no limit)",
                0, int64_t{1} << 40);
  config.AddDuration("collector.shutdown-timeout", &options.shutdown_timeout,
                     "How long shutdown waits for the queue to drain into storage");

  config.AddString("sampling.strategies-file", &options.sampling_strategies_file,
                   "Jaeger sampling strategies file (JSON); empty: every service gets the "
                   "default probability");
  config.AddDuration("sampling.strategies-reload-interval", &options.sampling_reload_interval,
                     "How often the strategies file is re-read when it changed (0: never)");
  config.AddDouble("sampling.default-sampling-probability", &options.default_sampling_probability,
                   "Probability served when no strategy applies", 0, 1);
}

tracecore::Status FinishCollectorOptions(const runtime::Config& config, CollectorOptions& options) {
  if (config.WasSet("collector.max-packet-size") && !config.WasSet("collector.max-request-size")) {
    options.max_request_bytes = options.max_packet_size;
  }
  struct Listener {
    const std::string* host_port;
    const runtime::TlsOptions* tls;
    const char* flag;
    bool grpc;
  };
  std::vector<Listener> listeners = {
      {&options.grpc_host_port, &options.grpc_tls, "--collector.grpc", true},
      {&options.http_host_port, &options.http_tls, "--collector.http", false},
      {&options.zipkin_host_port, &options.zipkin_tls, "--collector.zipkin", false},
  };
  if (options.otlp_enabled) {
    listeners.push_back(
        {&options.otlp_grpc_host_port, &options.otlp_grpc_tls, "--collector.otlp.grpc", true});
    listeners.push_back(
        {&options.otlp_http_host_port, &options.otlp_http_tls, "--collector.otlp.http", false});
  }
  for (const Listener& listener : listeners) {
    if (listener.host_port->empty()) continue;
    ARIADNE_RETURN_IF_ERROR(
        runtime::ValidateTlsOptions(*listener.tls, std::string(listener.flag) + ".tls"));
  }
  // Two options naming one port share one listener; they must agree on its protocol and TLS.
  for (size_t i = 0; i < listeners.size(); ++i) {
    for (size_t j = i + 1; j < listeners.size(); ++j) {
      const Listener& a = listeners[i];
      const Listener& b = listeners[j];
      if (a.host_port->empty() || ListenerKey(*a.host_port) != ListenerKey(*b.host_port)) {
        continue;
      }
      if (a.grpc != b.grpc) {
        return tracecore::Status::InvalidArgument(
            std::string(a.flag) + " and " + b.flag + " both name " + *a.host_port +
            ", but one is gRPC and the other HTTP: give them different ports");
      }
      if (a.tls->enabled != b.tls->enabled || a.tls->cert_file != b.tls->cert_file ||
          a.tls->client_ca_file != b.tls->client_ca_file) {
        return tracecore::Status::InvalidArgument(
            std::string(a.flag) + " and " + b.flag + " share " + *a.host_port +
            " but have different TLS settings: one port has one TLS configuration");
      }
    }
  }
  return {};
}

}  // namespace ariadne::collector
