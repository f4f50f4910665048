// The ariadne-all-in-one executable.
#include <iostream>

#include "agent/agent.h"
#include "all_in_one/all_in_one.h"
#include "collector/collector.h"
#include "query/query.h"
#include "runtime/admin_server.h"
#include "runtime/health.h"
#include "runtime/log.h"
#include "runtime/service_options.h"
#include "runtime/shutdown_signal.h"
#include "storage/factory.h"

namespace ariadne::all_in_one {
namespace {

constexpr const char* kProgram = "ariadne-all-in-one";

int Fail(const tracecore::Status& status) {
  std::cerr << kProgram << ": " << status.message() << "\n";
  return 2;
}

// Everything the command line sets.
struct AllInOneOptions {
  runtime::ServiceOptions service;
  collector::CollectorOptions collector;
  agent::AgentOptions agent;  // only the UDP servers: they forward to the collector in-process
  query::QueryOptions query;
  storage::StorageOptions storage{storage::StoreRole::kPrimary, "local"};
  storage::StorageOptions archive{storage::StoreRole::kArchive, ""};
  bool memory = false;
};

void AddOptions(runtime::Config& config, AllInOneOptions& options) {
  options.service.admin_host_port = ":14269";
  options.collector.agent_sampling_host_port = ":5778";
  runtime::AddServiceOptions(config, options.service);
  collector::AddCollectorOptions(config, options.collector);
  agent::AddAgentReceiverOptions(config, options.agent);
  query::AddQueryOptions(config, options.query);
  options.storage.AddOptions(config);
  options.archive.AddOptions(config);
  config.AddString("http-server.host-port", &options.collector.agent_sampling_host_port,
                   "Address of the agent's sampling endpoint (GET /sampling?service= and the "
                   "legacy GET /?service=), as Jaeger's all-in-one serves it on 5778");
  config.AddBool("memory", &options.memory,
                 "Keep spans in memory only, for a throw-away run (the same as "
                 "--span-storage.type=memory)");
}

// Logs where each part listens, so that a newcomer knows where to point clients and browsers.
void LogEndpoints(const AllInOneOptions& options, const collector::Collector& collector,
                  const agent::Agent& agent, const query::Query& query) {
  auto log = runtime::Logger("all-in-one");
  log->info("storage: {}{}", options.storage.type(),
            options.archive.type().empty() ? "" : "; archive: " + options.archive.type());
  log->info("UI and query API: http://127.0.0.1:{}{}/", query.http_port(), options.query.base_path);
  log->info("query gRPC (api_v2, api_v3): :{}", query.grpc_port());
  log->info("OTLP: gRPC :{}, HTTP :{} (/v1/traces)", collector.otlp_grpc_port(),
            collector.otlp_http_port());
  log->info("Jaeger: gRPC :{}, Thrift HTTP :{} (/api/traces)", collector.jaeger_grpc_port(),
            collector.http_port());
  if (collector.zipkin_port() != 0) {
    log->info("Zipkin: HTTP :{} (/api/v2/spans)", collector.zipkin_port());
  }
  if (agent.jaeger_compact_port() != 0 || agent.jaeger_binary_port() != 0 ||
      agent.zipkin_compact_port() != 0) {
    log->info("agent UDP: Jaeger compact :{}, Jaeger binary :{}, Zipkin compact :{} (0: off)",
              agent.jaeger_compact_port(), agent.jaeger_binary_port(), agent.zipkin_compact_port());
  }
  if (collector.agent_sampling_port() != 0) {
    log->info("sampling: HTTP :{} (/sampling?service=)", collector.agent_sampling_port());
  }
  log->info("admin: {} (/metrics, health at /)", options.service.admin_host_port);
}

// The host to reach the collector's gRPC listener at: loopback when it listens on every interface.
std::string CollectorAddress(const std::string& grpc_host_port) {
  std::string host = grpc_host_port.substr(0, grpc_host_port.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") return "127.0.0.1";
  return host;
}

// The agent's UDP servers, reporting to the collector's Jaeger gRPC port over loopback (as Jaeger's
// all-in-one does); the collector serves the agent's sampling endpoint itself.
tracecore::Status StartAgent(const AllInOneOptions& options, const collector::Collector& collector,
                             std::shared_ptr<prometheus::Registry> registry,
                             std::unique_ptr<agent::Agent>& out) {
  agent::AgentOptions agent = options.agent;
  agent.http_host_port.clear();
  const bool receives = !agent.jaeger_compact.host_port.empty() ||
                        !agent.jaeger_binary.host_port.empty() ||
                        !agent.zipkin_compact.host_port.empty();
  if (receives && options.collector.grpc_tls.enabled) {
    return tracecore::Status::InvalidArgument(
        "--collector.grpc.tls.enabled: the all-in-one's UDP receivers forward to the collector's "
        "gRPC port in plain text; turn them off (--processor.jaeger-compact.server-host-port= "
        "--processor.jaeger-binary.server-host-port= --processor.zipkin-compact.server-host-port=) "
        "or run ariadne-agent separately with --reporter.grpc.tls.*");
  }
  agent.reporter.host_ports = {CollectorAddress(options.collector.grpc_host_port) + ":" +
                               std::to_string(collector.jaeger_grpc_port())};
  return agent::Agent::Start(agent, std::move(registry), out);
}

}  // namespace

int RunAllInOne(int argc, char** argv) {
  runtime::ShutdownSignal shutdown_signal;

  runtime::Config config(kProgram,
                         "The collector, the query service and the embedded store in one "
                         "process: receives spans, stores them under --local.path, serves the "
                         "Jaeger query API and UI.");
  AllInOneOptions options;
  AddOptions(config, options);
  const tracecore::Status parsed = config.Parse(argc, argv, runtime::Config::ProcessEnvironment());
  if (config.help_requested()) {
    std::cout << config.HelpText();
    return 0;
  }
  if (!parsed.ok()) return Fail(parsed);
  if (auto status = runtime::FinishServiceOptions(options.service); !status.ok()) {
    return Fail(status);
  }
  if (auto status = collector::FinishCollectorOptions(config, options.collector); !status.ok()) {
    return Fail(status);
  }
  if (auto status = query::FinishQueryOptions(config, options.query); !status.ok()) {
    return Fail(status);
  }
  if (options.memory) options.storage.set_type("memory");

  storage::Backend backend;
  storage::Backend archive;
  if (auto status = query::OpenQueryStorage(options.storage, options.archive, backend, archive);
      !status.ok()) {
    return Fail(status);
  }
  if (!backend.writer) {
    return Fail(tracecore::Status::InvalidArgument(
        "--span-storage.type=" + options.storage.type() +
        " cannot be written: choose a backend that takes writes"));
  }
  auto registry = std::make_shared<prometheus::Registry>();
  runtime::Health health;
  std::unique_ptr<runtime::AdminServer> admin;
  const runtime::AdminServerOptions admin_options{.host_port = options.service.admin_host_port,
                                                  .metrics_route = options.service.metrics_route,
                                                  .tls = options.service.admin_tls};
  if (auto status = runtime::AdminServer::Start(admin_options, health, registry, admin);
      !status.ok()) {
    return Fail(status);
  }
  std::unique_ptr<query::Query> query;
  if (auto status = query::Query::Start(options.query, *backend.reader, *backend.dependencies,
                                        registry, query, archive.reader ? &archive : nullptr);
      !status.ok()) {
    return Fail(status);
  }
  std::unique_ptr<collector::Collector> collector;
  if (auto status =
          collector::Collector::Start(options.collector, *backend.writer, registry, collector);
      !status.ok()) {
    return Fail(status);
  }
  health.Set(runtime::ServingState::kServing);
  std::unique_ptr<agent::Agent> agent;
  if (auto status = StartAgent(options, *collector, registry, agent); !status.ok()) {
    return Fail(status);
  }
  LogEndpoints(options, *collector, *agent, *query);

  auto log = runtime::Logger("all-in-one");
  const int signal = shutdown_signal.Wait();
  log->info("signal {} received: draining", signal);
  health.Set(runtime::ServingState::kDraining);
  agent->Shutdown();  // first: what it received goes through the collector into storage
  collector->Shutdown();
  query->Shutdown();
  admin->Stop();
  if (auto status = backend.writer->Flush(); !status.ok()) log->error("{}", status.message());
  if (archive.writer) {
    if (auto status = archive.writer->Flush(); !status.ok()) log->error("{}", status.message());
  }
  log->info("stopped");
  return 0;
}

}  // namespace ariadne::all_in_one
