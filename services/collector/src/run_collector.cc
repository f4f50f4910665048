// The ariadne-collector executable.
#include <iostream>

#include "collector/collector.h"
#include "runtime/admin_server.h"
#include "runtime/health.h"
#include "runtime/log.h"
#include "runtime/service_options.h"
#include "runtime/shutdown_signal.h"
#include "storage/factory.h"

namespace ariadne::collector {
namespace {

constexpr const char* kProgram = "ariadne-collector";

int Fail(const tracecore::Status& status) {
  std::cerr << kProgram << ": " << status.message() << "\n";
  return 2;
}

}  // namespace

int RunCollector(int argc, char** argv) {
  runtime::ShutdownSignal shutdown_signal;

  runtime::Config config(kProgram,
                         "Receives spans (OTLP, Jaeger, Zipkin), queues them and writes them to "
                         "storage; serves sampling strategies.");
  runtime::ServiceOptions service;
  service.admin_host_port = ":14269";
  CollectorOptions options;
  storage::StorageOptions storage(storage::StoreRole::kPrimary, "memory");
  runtime::AddServiceOptions(config, service);
  AddCollectorOptions(config, options);
  storage.AddOptions(config);

  const tracecore::Status parsed = config.Parse(argc, argv, runtime::Config::ProcessEnvironment());
  if (config.help_requested()) {
    std::cout << config.HelpText();
    return 0;
  }
  if (!parsed.ok()) return Fail(parsed);
  if (auto status = runtime::FinishServiceOptions(service); !status.ok()) return Fail(status);
  if (auto status = FinishCollectorOptions(config, options); !status.ok()) return Fail(status);

  storage::Backend backend;
  if (auto status = storage.Open(backend); !status.ok()) {
    return Fail(status);
  }

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
  std::unique_ptr<Collector> collector;
  if (auto status = Collector::Start(options, *backend.writer, registry, collector); !status.ok()) {
    return Fail(status);
  }
  health.Set(runtime::ServingState::kServing);
  auto log = runtime::Logger("collector");
  log->info("serving; storage: {}; admin on {}", storage.type(), service.admin_host_port);

  const int signal = shutdown_signal.Wait();
  log->info("signal {} received: draining", signal);
  health.Set(runtime::ServingState::kDraining);
  collector->Shutdown();
  admin->Stop();
  log->info("stopped");
  return 0;
}

}  // namespace ariadne::collector
