// AdminServer: the admin port every service has (collector 14269, query 16687, agent 14271).
//
//   GET /  and /health   Health::Json(), 200 when serving, 503 while starting or draining
//   GET <metrics route>  Prometheus text of the registry (default /metrics)
//   GET /version         {"gitCommit":"","gitVersion":"<version>","buildDate":""}
#pragma once

#include <prometheus/registry.h>

#include <memory>
#include <string>

#include "runtime/health.h"
#include "runtime/http_server.h"
#include "tracecore/status.h"

namespace ariadne::runtime {

struct AdminServerOptions {
  std::string host_port;  // "--admin.http.host-port"
  std::string metrics_route = "/metrics";
  TlsOptions tls;
};

class AdminServer {
 public:
  // `health` and `registry` must outlive the server.
  static tracecore::Status Start(const AdminServerOptions& options, const Health& health,
                                 const std::shared_ptr<prometheus::Registry>& registry,
                                 std::unique_ptr<AdminServer>& out);
  uint16_t port() const { return server_->port(); }
  void Stop() { server_->Stop(); }

 private:
  std::unique_ptr<HttpServer> server_;
};

}  // namespace ariadne::runtime
