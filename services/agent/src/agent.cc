// Agent: the UDP servers, their Thrift processors, the reporter and the sampling endpoint, wired
// together. Shutdown goes in the order data flows: stop receiving, decode what was received,
// deliver what is queued, then close the connection to the collectors.
#include "agent/agent.h"

#include <array>

#include "client_metrics.h"
#include "collector_connection.h"
#include "grpc_reporter.h"
#include "process_tags.h"
#include "runtime/http_server.h"
#include "runtime/log.h"
#include "sampling_proxy.h"
#include "thrift_processor.h"
#include "udp_server.h"

namespace ariadne::agent {

using tracecore::Status;
namespace jaeger_thrift = tracecore::jaeger_thrift;

namespace {

// One UDP port: its server and the processor its workers call.
struct Receiver {
  std::unique_ptr<ThriftProcessor> processor;
  std::unique_ptr<UdpServer> server;
};

struct ReceiverSpec {
  const UdpServerOptions* options;
  const char* model;
  const char* protocol_name;
  jaeger_thrift::Protocol protocol;
  const char* flag_prefix;
};

}  // namespace

class Agent::Impl {
 public:
  explicit Impl(std::shared_ptr<prometheus::Registry> registry) : registry_(std::move(registry)) {}
  ~Impl() { Shutdown(); }

  Status Start(const AgentOptions& options) {
    options_ = options;
    ARIADNE_RETURN_IF_ERROR(ParseProcessTags(options.reporter.agent_tags,
                                             runtime::Config::ProcessEnvironment(), tags_));
    ARIADNE_RETURN_IF_ERROR(CollectorConnection::Start(options.reporter, *registry_, connection_));
    reporter_ = std::make_unique<GrpcReporter>(options.reporter, *connection_, *registry_);
    client_metrics_ = std::make_unique<ClientMetrics>(*registry_);
    ARIADNE_RETURN_IF_ERROR(StartSampling(options));
    const std::array<ReceiverSpec, 3> specs = {{
        {&options_.jaeger_compact, "jaeger", "compact", jaeger_thrift::Protocol::kCompact,
         "--processor.jaeger-compact"},
        {&options_.jaeger_binary, "jaeger", "binary", jaeger_thrift::Protocol::kBinary,
         "--processor.jaeger-binary"},
        {&options_.zipkin_compact, "zipkin", "compact", jaeger_thrift::Protocol::kCompact,
         "--processor.zipkin-compact"},
    }};
    for (size_t i = 0; i < specs.size(); ++i) {
      ARIADNE_RETURN_IF_ERROR(StartReceiver(specs[i], receivers_[i]));
    }
    return Status::Ok();
  }

  int port(size_t receiver) const {
    const auto& server = receivers_[receiver].server;
    return server ? server->port() : 0;
  }
  int http_port() const { return http_ ? http_->port() : 0; }

  void Shutdown() {
    std::lock_guard lock(shutdown_mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    if (http_) http_->Stop();
    for (Receiver& receiver : receivers_) {
      if (receiver.server) receiver.server->Shutdown();
    }
    if (reporter_) {
      reporter_->Shutdown(std::chrono::steady_clock::now() + options_.shutdown_timeout);
    }
    if (connection_) connection_->Stop();
  }

 private:
  Status StartReceiver(const ReceiverSpec& spec, Receiver& receiver) {
    if (spec.options->host_port.empty()) return Status::Ok();
    receiver.processor =
        std::make_unique<ThriftProcessor>(spec.model, spec.protocol, spec.protocol_name, *reporter_,
                                          *client_metrics_, tags_, *registry_);
    ThriftProcessor* processor = receiver.processor.get();
    return UdpServer::Start(
        *spec.options,
        {.model = spec.model, .protocol = spec.protocol_name, .flag_prefix = spec.flag_prefix},
        [processor](std::string_view datagram) { processor->Handle(datagram); }, *registry_,
        receiver.server);
  }

  Status StartSampling(const AgentOptions& options) {
    if (options.http_host_port.empty()) return Status::Ok();
    CollectorConnection* connection = connection_.get();
    sampling_ = std::make_unique<SamplingProxy>([connection] { return connection->channel(); },
                                                options.sampling_cache_ttl,
                                                options.reporter.timeout, *registry_);
    auto router = std::make_shared<runtime::HttpRouter>();
    sampling_->AddRoutes(*router);
    runtime::HttpServerOptions http;
    http.name = "agent-sampling";
    http.host_port = options.http_host_port;
    http.host_port_flag = "--http-server.host-port";
    http.threads = 1;
    return runtime::HttpServer::Start(std::move(http), std::move(router), http_);
  }

  const std::shared_ptr<prometheus::Registry> registry_;
  AgentOptions options_;
  ProcessTags tags_;
  std::unique_ptr<CollectorConnection> connection_;
  std::unique_ptr<GrpcReporter> reporter_;
  std::unique_ptr<ClientMetrics> client_metrics_;
  std::unique_ptr<SamplingProxy> sampling_;
  std::unique_ptr<runtime::HttpServer> http_;
  std::array<Receiver, 3> receivers_;
  std::mutex shutdown_mutex_;
  bool shut_down_ = false;
};

Status Agent::Start(const AgentOptions& options, std::shared_ptr<prometheus::Registry> registry,
                    std::unique_ptr<Agent>& out) {
  auto impl = std::make_unique<Impl>(std::move(registry));
  ARIADNE_RETURN_IF_ERROR(impl->Start(options));
  out.reset(new Agent(std::move(impl)));
  runtime::Logger("agent")->info(
      "receiving on udp {} (jaeger compact), {} (jaeger binary), {} (zipkin compact); sampling "
      "on {}",
      out->jaeger_compact_port(), out->jaeger_binary_port(), out->zipkin_compact_port(),
      out->http_port());
  return Status::Ok();
}

Agent::Agent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Agent::~Agent() = default;

int Agent::jaeger_compact_port() const {
  return impl_->port(0);
}
int Agent::jaeger_binary_port() const {
  return impl_->port(1);
}
int Agent::zipkin_compact_port() const {
  return impl_->port(2);
}
int Agent::http_port() const {
  return impl_->http_port();
}

void Agent::Shutdown() {
  impl_->Shutdown();
}

}  // namespace ariadne::agent
