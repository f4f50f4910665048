#include "runtime/admin_server.h"

#include "runtime/metrics.h"

namespace ariadne::runtime {

namespace http = boost::beast::http;

tracecore::Status AdminServer::Start(const AdminServerOptions& options, const Health& health,
                                     const std::shared_ptr<prometheus::Registry>& registry,
                                     std::unique_ptr<AdminServer>& out) {
  auto router = std::make_shared<HttpRouter>();
  auto health_handler = [&health](const HttpRequest&, HttpResponse& response) {
    response.status = health.HttpStatus();
    response.content_type = "application/json";
    response.body = health.Json();
  };
  router->Add(http::verb::get, "/", health_handler);
  router->Add(http::verb::get, "/health", health_handler);
  router->Add(http::verb::get, options.metrics_route,
              [registry](const HttpRequest&, HttpResponse& response) {
                response.content_type = "text/plain; version=0.0.4; charset=utf-8";
                response.body = SerializeMetrics(*registry);
              });
  router->Add(http::verb::get, "/version", [](const HttpRequest&, HttpResponse& response) {
    response.content_type = "application/json";
    response.body = R"({"gitCommit":"","gitVersion":")" ARIADNE_VERSION R"(","buildDate":""})";
  });

  HttpServerOptions server_options;
  server_options.name = "admin";
  server_options.host_port = options.host_port;
  server_options.threads = 1;
  server_options.max_body_bytes = 64 << 10;
  server_options.tls = options.tls;
  auto admin = std::unique_ptr<AdminServer>(new AdminServer());
  ARIADNE_RETURN_IF_ERROR(HttpServer::Start(server_options, router, admin->server_));
  out = std::move(admin);
  return {};
}

}  // namespace ariadne::runtime
