// The ariadne-query executable.
#include <iostream>

#include "query/query.h"
#include "runtime/admin_server.h"
#include "runtime/health.h"
#include "runtime/log.h"
#include "runtime/service_options.h"
#include "runtime/shutdown_signal.h"
#include "storage/factory.h"

namespace ariadne::query {
namespace {

constexpr const char* kProgram = "ariadne-query";

int Fail(const tracecore::Status& status) {
  std::cerr << kProgram << ": " << status.message() << "\n";
  return 2;
}

}  // namespace

tracecore::Status OpenQueryStorage(storage::StorageOptions& primary,
                                   storage::StorageOptions& archive_options,
                                   storage::Backend& backend, storage::Backend& archive) {
  ARIADNE_RETURN_IF_ERROR(primary.Open(backend));
  if (!backend.reader || !backend.dependencies) {
    return tracecore::Status::InvalidArgument(std::string(primary.type_flag()) + "=" +
                                              primary.type() +
                                              " cannot be read: choose a readable backend");
  }
  ARIADNE_RETURN_IF_ERROR(archive_options.Open(archive));
  if (!archive_options.type().empty() && (!archive.reader || !archive.writer)) {
    return tracecore::Status::InvalidArgument(
        std::string(archive_options.type_flag()) + "=" + archive_options.type() +
        " cannot keep archived traces: choose a backend that is read and written");
  }
  return {};
}

int RunQuery(int argc, char** argv) {
  runtime::ShutdownSignal shutdown_signal;

  runtime::Config config(kProgram,
                         "Reads storage and answers Jaeger's query HTTP API for the Jaeger UI, "
                         "Grafana and scripts.");
  runtime::ServiceOptions service;
  service.admin_host_port = ":16687";
  QueryOptions options;
  storage::StorageOptions storage(storage::StoreRole::kPrimary, "memory");
  storage::StorageOptions archive_storage(storage::StoreRole::kArchive, "");
  runtime::AddServiceOptions(config, service);
  AddQueryOptions(config, options);
  storage.AddOptions(config);
  archive_storage.AddOptions(config);

  const tracecore::Status parsed = config.Parse(argc, argv, runtime::Config::ProcessEnvironment());
  if (config.help_requested()) {
    std::cout << config.HelpText();
    return 0;
  }
  if (!parsed.ok()) return Fail(parsed);
  if (auto status = runtime::FinishServiceOptions(service); !status.ok()) return Fail(status);
  if (auto status = FinishQueryOptions(config, options); !status.ok()) return Fail(status);

  storage::Backend backend;
  storage::Backend archive;
  if (auto status = OpenQueryStorage(storage, archive_storage, backend, archive); !status.ok()) {
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
  std::unique_ptr<Query> query;
  if (auto status = Query::Start(options, *backend.reader, *backend.dependencies, registry, query,
                                 archive.reader ? &archive : nullptr);
      !status.ok()) {
    return Fail(status);
  }
  health.Set(runtime::ServingState::kServing);
  auto log = runtime::Logger("query");
  log->info("serving the query API and UI on {}{}, gRPC on {}; storage: {}{}; admin on {}",
            options.http_host_port, options.base_path.empty() ? "" : " under " + options.base_path,
            options.grpc_host_port, storage.type(),
            archive_storage.type().empty() ? "" : ", archive: " + archive_storage.type(),
            service.admin_host_port);

  const int signal = shutdown_signal.Wait();
  log->info("signal {} received: draining", signal);
  health.Set(runtime::ServingState::kDraining);
  query->Shutdown();
  if (archive.writer) {
    if (auto status = archive.writer->Flush(); !status.ok()) log->error("{}", status.message());
  }
  admin->Stop();
  log->info("stopped");
  return 0;
}

}  // namespace ariadne::query
