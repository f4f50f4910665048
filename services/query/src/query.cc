#include "query/query.h"

#include <algorithm>
#include <optional>

#include "api_v3.h"
#include "grpc_query.h"
#include "http_api.h"
#include "query_metrics.h"
#include "query_service.h"
#include "runtime/http_server.h"
#include "ui_assets.h"

namespace ariadne::query {
namespace {

QueryServiceOptions ServiceOptions(const QueryOptions& options) {
  return {.max_response_spans = static_cast<uint32_t>(options.max_trace_size),
          .max_clock_skew_adjustment = options.max_clock_skew_adjustment,
          .timeout = options.timeout};
}

// Options that skipped FinishQueryOptions (embedders, tests) may still say "/" or "/x/".
ApiOptions MakeApiOptions(const QueryOptions& options) {
  std::string base_path = options.base_path;
  while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
  return {.base_path = base_path,
          .lookback = options.lookback,
          .max_lookback = options.max_lookback,
          .max_limit = static_cast<uint32_t>(options.max_trace_size)};
}

std::optional<ArchiveStorage> ArchiveOf(const storage::Backend* archive) {
  if (archive == nullptr || !archive->reader || !archive->writer) return std::nullopt;
  return ArchiveStorage{.reader = *archive->reader, .writer = *archive->writer};
}

}  // namespace

class Query::Impl {
 public:
  Impl(const QueryOptions& options, storage::SpanReader& spans,
       storage::DependencyReader& dependencies, std::shared_ptr<prometheus::Registry> registry,
       const storage::Backend* archive)
      : options_(options),
        metrics_(std::move(registry)),
        archive_(ArchiveOf(archive)),
        service_(spans, dependencies, metrics_, ServiceOptions(options),
                 archive_ ? &*archive_ : nullptr) {}

  tracecore::Status Start();
  // NOLINTNEXTLINE(readability-make-member-function-const): stops the server it owns
  void Shutdown() {
    if (grpc_) grpc_->Shutdown();
    if (http_) http_->Stop();
  }

  const QueryOptions options_;
  QueryMetrics metrics_;
  const std::optional<ArchiveStorage> archive_;
  QueryService service_;
  RouteOperations operations_;  // immutable once the server runs
  std::unique_ptr<runtime::HttpServer> http_;
  std::unique_ptr<GrpcQueryServer> grpc_;

 private:
  tracecore::Status AddUi(const ApiOptions& api_options, runtime::HttpRouter& router) const;
  tracecore::Status StartGrpc();
};

tracecore::Status Query::Impl::AddUi(const ApiOptions& api_options,
                                     runtime::HttpRouter& router) const {
  UiOptions ui;
  ui.base_path = api_options.base_path;
  ui.static_files = options_.static_files;
  ui.ui_config_file = options_.ui_config_file;
  if (!ui.ui_config_file.empty() && ui.ui_config_file == options_.ui_config_file_seed_name) {
    ui.ui_config_flag = "--query.ui.config-file";
  }
  ui.archive_enabled = archive_.has_value();
  std::shared_ptr<const UiAssets> assets;
  ARIADNE_RETURN_IF_ERROR(LoadUi(ui, assets));
  AddUiRoutes(assets, router);
  return {};
}

tracecore::Status Query::Impl::StartGrpc() {
  GrpcQueryOptions grpc;
  grpc.host_port = options_.grpc_host_port;
  grpc.tls = options_.grpc_tls;
  grpc.lookback = options_.lookback;
  grpc.max_lookback = options_.max_lookback;
  return GrpcQueryServer::Start(grpc, service_, &metrics_, grpc_);
}

tracecore::Status Query::Impl::Start() {
  auto router = std::make_shared<runtime::HttpRouter>();
  const ApiOptions api_options = MakeApiOptions(options_);
  AddApiRoutes(api_options, service_, *router, operations_);
  AddApiV3Routes(api_options, service_, *router, operations_);
  ARIADNE_RETURN_IF_ERROR(AddUi(api_options, *router));
  runtime::HttpServerOptions server;
  server.name = "query-http";
  server.host_port = options_.http_host_port;
  server.host_port_flag = "--query.http-server.host-port";
  server.tls_flag_prefix = "--query.http.tls";
  server.threads = static_cast<int>(options_.http_threads);
  // Only POST /api/transform takes a body of any size.
  server.max_body_bytes = kMaxRequestBodyBytes;
  server.max_decoded_body_bytes = kMaxRequestBodyBytes;
  server.body_limit_hint = "POST /api/transform takes at most 16 MiB of OTLP JSON";
  server.tls = options_.http_tls;
  server.max_connections = static_cast<size_t>(options_.max_connections);
  server.max_connections_flag = "--query.max-connections";
  server.on_refused = [this] { metrics_.ConnectionRefused(); };
  server.on_response = [this](std::string_view /*method*/, std::string_view route, unsigned status,
                              std::chrono::nanoseconds elapsed) {
    auto operation = operations_.find(route);
    if (operation == operations_.end()) return;
    metrics_.Request(operation->second, status, std::chrono::duration<double>(elapsed).count());
  };
  ARIADNE_RETURN_IF_ERROR(runtime::HttpServer::Start(std::move(server), router, http_));
  return StartGrpc();
}

Query::Query(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Query::~Query() {
  Shutdown();
}

tracecore::Status Query::Start(const QueryOptions& options, storage::SpanReader& spans,
                               storage::DependencyReader& dependencies,
                               std::shared_ptr<prometheus::Registry> registry,
                               std::unique_ptr<Query>& out, const storage::Backend* archive) {
  auto impl = std::make_unique<Impl>(options, spans, dependencies, std::move(registry), archive);
  ARIADNE_RETURN_IF_ERROR(impl->Start());
  out.reset(new Query(std::move(impl)));
  return {};
}

int Query::http_port() const {
  return impl_->http_ ? impl_->http_->port() : 0;
}

int Query::grpc_port() const {
  return impl_->grpc_ ? impl_->grpc_->port() : 0;
}

void Query::Shutdown() {
  if (impl_) impl_->Shutdown();
}

}  // namespace ariadne::query
