// The ariadne-agent executable.
#include <fmt/format.h>

#include <iostream>

#include "agent/agent.h"
#include "runtime/admin_server.h"
#include "runtime/health.h"
#include "runtime/log.h"
#include "runtime/service_options.h"
#include "runtime/shutdown_signal.h"

namespace ariadne::agent {
namespace {

constexpr const char* kProgram = "ariadne-agent";

int Fail(const tracecore::Status& status) {
  std::cerr << kProgram << ": " << status.message() << "\n";
  return 2;
}

}  // namespace

int RunAgent(int argc, char** argv) {
  runtime::ShutdownSignal shutdown_signal;

  runtime::Config config(kProgram,
                         "Receives spans from local clients over UDP (Jaeger and Zipkin Thrift), "
                         "forwards them to collectors over gRPC, and serves sampling strategies.");
  runtime::ServiceOptions service;
  service.admin_host_port = ":14271";
  AgentOptions options;
  runtime::AddServiceOptions(config, service);
  AddAgentOptions(config, options);

  const tracecore::Status parsed = config.Parse(argc, argv, runtime::Config::ProcessEnvironment());
  if (config.help_requested()) {
    std::cout << config.HelpText();
    return 0;
  }
  if (!parsed.ok()) return Fail(parsed);
  if (auto status = runtime::FinishServiceOptions(service); !status.ok()) return Fail(status);
  if (auto status = FinishAgentOptions(config, options); !status.ok()) return Fail(status);

  auto registry = std::make_shared<prometheus::Registry>();
  runtime::Health health;
  std::unique_ptr<runtime::AdminServer> admin;
  const runtime::AdminServerOptions admin_options{.host_port = service.admin_host_port,
                                                  .metrics_route = service.metrics_route,
                                                  .tls = service.admin_tls};
  if (auto status = runtime::AdminServer::Start(admin_options, health, registry, admin);
      !status.ok()) {
    return Fail(status);
  }
  std::unique_ptr<Agent> agent;
  if (auto status = Agent::Start(options, registry, agent); !status.ok()) return Fail(status);
  health.Set(runtime::ServingState::kServing);
  auto log = runtime::Logger("agent");
  log->info("serving; collectors: {}; admin on {}", fmt::join(options.reporter.host_ports, ","),
            service.admin_host_port);

  const int signal = shutdown_signal.Wait();
  log->info("signal {} received: delivering what is queued", signal);
  health.Set(runtime::ServingState::kDraining);
  agent->Shutdown();
  admin->Stop();
  log->info("stopped");
  return 0;
}

}  // namespace ariadne::agent
