// The options every Ariadne service shares: logging, the admin port and its metrics route.
#pragma once

#include <string>

#include "runtime/config.h"
#include "runtime/tls.h"
#include "tracecore/status.h"

namespace ariadne::runtime {

struct ServiceOptions {
  std::string log_level = "info";              // log-level
  std::string admin_host_port;                 // admin.http.host-port (default per service)
  TlsOptions admin_tls;                        // admin.http.tls.*
  std::string metrics_backend = "prometheus";  // metrics-backend: prometheus or none
  std::string metrics_route = "/metrics";      // metrics-http-route
};

// Registers the shared options; `options.admin_host_port` holds the service's default port.
void AddServiceOptions(Config& config, ServiceOptions& options);
// Applies the log level and checks the values; errors name the flag.
tracecore::Status FinishServiceOptions(const ServiceOptions& options);

}  // namespace ariadne::runtime
