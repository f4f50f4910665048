#include "collector/collector.h"

#include <map>
#include <vector>

#include "collector_metrics.h"
#include "grpc_receivers.h"
#include "http_receivers.h"
#include "ingester.h"
#include "runtime/http_server.h"
#include "runtime/log.h"
#include "runtime/strategy_file_provider.h"
#include "sampling_endpoints.h"
#include "span_pipeline.h"

namespace ariadne::collector {
namespace {

// One listener a set of options asks for; options naming the same address share it.
struct ListenerSpec {
  std::string name;
  std::string host_port_flag;  // e.g. "--collector.otlp.grpc.host-port"
  std::string tls_flag;        // e.g. "--collector.otlp.grpc.tls"
  std::string host_port;
  runtime::TlsOptions tls;
  int max_message_bytes = 0;  // gRPC only
};

// Equal for spellings of one address (":4317", "0.0.0.0:4317"); "port 0" listeners are distinct.
std::string ListenerKey(const std::string& host_port, size_t index) {
  if (host_port.ends_with(":0")) return host_port + "#" + std::to_string(index);
  if (!host_port.empty() && host_port.front() == ':') return "0.0.0.0" + host_port;
  return host_port;
}

// Adds `spec` unless a listener on the same address exists; returns the index of the listener.
size_t AddListener(std::vector<ListenerSpec>& listeners, ListenerSpec spec) {
  for (size_t i = 0; i < listeners.size(); ++i) {
    if (ListenerKey(listeners[i].host_port, i) == ListenerKey(spec.host_port, listeners.size())) {
      listeners[i].name += "+" + spec.name;
      listeners[i].max_message_bytes =
          std::max(listeners[i].max_message_bytes, spec.max_message_bytes);
      return i;
    }
  }
  listeners.push_back(std::move(spec));
  return listeners.size() - 1;
}

}  // namespace

class Collector::Impl {
 public:
  Impl(const CollectorOptions& options, storage::SpanWriter& writer,
       std::shared_ptr<prometheus::Registry> registry)
      : options_(options),
        metrics_(std::move(registry)),
        pipeline_(PipelineOptions(options), writer, metrics_),
        ingester_(IngestLimits{static_cast<uint64_t>(options.max_spans_per_request)}, pipeline_,
                  metrics_),
        strategies_(ProviderOptions(options, metrics_)) {}

  tracecore::Status Start();
  void Shutdown();

  const CollectorOptions options_;
  CollectorMetrics metrics_;
  SpanPipeline pipeline_;
  Ingester ingester_;
  runtime::StrategyFileProvider strategies_;
  std::vector<std::unique_ptr<GrpcListener>> grpc_listeners_;
  std::vector<std::unique_ptr<runtime::HttpServer>> http_servers_;
  // Index into the listener vectors of each receiver; -1 when it is off.
  int jaeger_grpc_ = -1, otlp_grpc_ = -1, http_ = -1, otlp_http_ = -1, zipkin_ = -1,
      agent_sampling_ = -1;
  bool shut_down_ = false;

 private:
  static SpanPipelineOptions PipelineOptions(const CollectorOptions& options) {
    const uint64_t mib = options.queue_size_memory_mib > 0
                             ? static_cast<uint64_t>(options.queue_size_memory_mib)
                             : 256;
    return {.max_queued_spans = static_cast<uint64_t>(options.queue_size),
            .max_queued_bytes = mib << 20,
            .workers = static_cast<int>(options.num_workers)};
  }
  static runtime::StrategyFileProviderOptions ProviderOptions(const CollectorOptions& options,
                                                              CollectorMetrics& metrics) {
    return {.strategies_file = options.sampling_strategies_file,
            .reload_interval = options.sampling_reload_interval,
            .default_sampling_probability = options.default_sampling_probability,
            .on_reload = [&metrics](bool ok) { metrics.SamplingReload(ok); }};
  }
  tracecore::Status StartGrpc();
  tracecore::Status StartHttp();
  tracecore::Status StartAgentSampling();
};

tracecore::Status Collector::Impl::Start() {
  ARIADNE_RETURN_IF_ERROR(strategies_.Start());
  ARIADNE_RETURN_IF_ERROR(StartGrpc());
  return StartHttp();
}

tracecore::Status Collector::Impl::StartGrpc() {
  std::vector<ListenerSpec> specs;
  jaeger_grpc_ = static_cast<int>(
      AddListener(specs, {"jaeger-grpc", "--collector.grpc-server.host-port",
                          "--collector.grpc.tls", options_.grpc_host_port, options_.grpc_tls,
                          static_cast<int>(options_.grpc_max_message_bytes)}));
  if (options_.otlp_enabled) {
    otlp_grpc_ = static_cast<int>(AddListener(
        specs, {"otlp-grpc", "--collector.otlp.grpc.host-port", "--collector.otlp.grpc.tls",
                options_.otlp_grpc_host_port, options_.otlp_grpc_tls,
                static_cast<int>(options_.otlp_grpc_max_message_bytes)}));
  }
  CurrentStrategies current = [this] { return strategies_.Current(); };
  for (const ListenerSpec& spec : specs) {
    GrpcListenerOptions listener_options{.name = spec.name,
                                         .host_port = spec.host_port,
                                         .host_port_flag = spec.host_port_flag,
                                         .tls_flag = spec.tls_flag,
                                         .max_receive_message_bytes = spec.max_message_bytes,
                                         .tls = spec.tls};
    std::unique_ptr<GrpcListener> listener;
    ARIADNE_RETURN_IF_ERROR(
        GrpcListener::Start(listener_options, ingester_, MakeSamplingLookup(current), listener));
    grpc_listeners_.push_back(std::move(listener));
  }
  return {};
}

tracecore::Status Collector::Impl::StartHttp() {
  std::vector<ListenerSpec> specs;
  http_ = static_cast<int>(
      AddListener(specs, {"jaeger-http", "--collector.http-server.host-port",
                          "--collector.http.tls", options_.http_host_port, options_.http_tls, 0}));
  if (options_.otlp_enabled) {
    otlp_http_ = static_cast<int>(AddListener(
        specs, {"otlp-http", "--collector.otlp.http.host-port", "--collector.otlp.http.tls",
                options_.otlp_http_host_port, options_.otlp_http_tls, 0}));
  }
  if (!options_.zipkin_host_port.empty()) {
    zipkin_ = static_cast<int>(
        AddListener(specs, {"zipkin", "--collector.zipkin.host-port", "--collector.zipkin.tls",
                            options_.zipkin_host_port, options_.zipkin_tls, 0}));
  }
  auto router = std::make_shared<runtime::HttpRouter>();
  AddSpanRoutes(*router, ingester_);
  AddSamplingRoute(
      *router, [this] { return strategies_.Current(); }, metrics_);
  for (const ListenerSpec& spec : specs) {
    runtime::HttpServerOptions server_options;
    server_options.name = spec.name;
    server_options.host_port = spec.host_port;
    server_options.host_port_flag = spec.host_port_flag;
    server_options.tls_flag_prefix = spec.tls_flag;
    server_options.threads = static_cast<int>(options_.http_threads);
    server_options.max_body_bytes = static_cast<size_t>(options_.max_request_bytes);
    // Compressed bodies may inflate to 4x the request limit; beyond that they are refused.
    server_options.max_decoded_body_bytes = static_cast<size_t>(options_.max_request_bytes) * 4;
    server_options.body_limit_hint = "raise --collector.max-request-size";
    server_options.tls = spec.tls;
    server_options.on_response = [this](std::string_view method, std::string_view route,
                                        unsigned status, std::chrono::nanoseconds elapsed) {
      metrics_.HttpRequest(method, route, status, std::chrono::duration<double>(elapsed).count());
    };
    std::unique_ptr<runtime::HttpServer> server;
    ARIADNE_RETURN_IF_ERROR(runtime::HttpServer::Start(server_options, router, server));
    http_servers_.push_back(std::move(server));
  }
  return StartAgentSampling();
}

// The agent's sampling port, which only the all-in-one asks for.
tracecore::Status Collector::Impl::StartAgentSampling() {
  if (options_.agent_sampling_host_port.empty()) return {};
  auto router = std::make_shared<runtime::HttpRouter>();
  AddAgentSamplingRoutes(
      *router, [this] { return strategies_.Current(); }, metrics_);
  runtime::HttpServerOptions server_options;
  server_options.name = "agent-sampling";
  server_options.host_port = options_.agent_sampling_host_port;
  server_options.host_port_flag = "--http-server.host-port";
  server_options.threads = 1;
  server_options.on_response = [this](std::string_view method, std::string_view route,
                                      unsigned status, std::chrono::nanoseconds elapsed) {
    metrics_.HttpRequest(method, route, status, std::chrono::duration<double>(elapsed).count());
  };
  std::unique_ptr<runtime::HttpServer> server;
  ARIADNE_RETURN_IF_ERROR(runtime::HttpServer::Start(server_options, router, server));
  agent_sampling_ = static_cast<int>(http_servers_.size());
  http_servers_.push_back(std::move(server));
  return {};
}

void Collector::Impl::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // Stop taking requests first, so nothing new arrives while the queue drains.
  for (auto& server : http_servers_) server->StopAccepting();
  for (auto& listener : grpc_listeners_) listener->Shutdown();
  for (auto& server : http_servers_) server->Stop();
  pipeline_.Shutdown(std::chrono::steady_clock::now() + options_.shutdown_timeout);
  strategies_.Stop();
}

Collector::Collector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Collector::~Collector() {
  Shutdown();
}

tracecore::Status Collector::Start(const CollectorOptions& options, storage::SpanWriter& writer,
                                   std::shared_ptr<prometheus::Registry> registry,
                                   std::unique_ptr<Collector>& out) {
  auto impl = std::make_unique<Impl>(options, writer, std::move(registry));
  tracecore::Status started = impl->Start();
  if (!started.ok()) {
    impl->Shutdown();
    return started;
  }
  out.reset(new Collector(std::move(impl)));
  return {};
}

int Collector::jaeger_grpc_port() const {
  return impl_->jaeger_grpc_ < 0 ? 0 : impl_->grpc_listeners_[impl_->jaeger_grpc_]->port();
}
int Collector::otlp_grpc_port() const {
  return impl_->otlp_grpc_ < 0 ? 0 : impl_->grpc_listeners_[impl_->otlp_grpc_]->port();
}
int Collector::http_port() const {
  return impl_->http_ < 0 ? 0 : impl_->http_servers_[impl_->http_]->port();
}
int Collector::otlp_http_port() const {
  return impl_->otlp_http_ < 0 ? 0 : impl_->http_servers_[impl_->otlp_http_]->port();
}
int Collector::zipkin_port() const {
  return impl_->zipkin_ < 0 ? 0 : impl_->http_servers_[impl_->zipkin_]->port();
}
int Collector::agent_sampling_port() const {
  return impl_->agent_sampling_ < 0 ? 0 : impl_->http_servers_[impl_->agent_sampling_]->port();
}

void Collector::Shutdown() {
  if (impl_) impl_->Shutdown();
}

}  // namespace ariadne::collector
