#include "runtime/service_options.h"

#include "runtime/log.h"

namespace ariadne::runtime {

void AddServiceOptions(Config& config, ServiceOptions& options) {
  config.AddString("log-level", &options.log_level, "Log level: debug, info, warn or error");
  config.AddString("admin.http.host-port", &options.admin_host_port,
                   "Admin port: health at / and /health, metrics, /version");
  config.AddBool("admin.http.tls.enabled", &options.admin_tls.enabled,
                 "Enable TLS on the admin port");
  config.AddString("admin.http.tls.cert", &options.admin_tls.cert_file,
                   "PEM certificate of the admin port");
  config.AddString("admin.http.tls.key", &options.admin_tls.key_file,
                   "PEM private key of the admin port");
  config.AddString("admin.http.tls.client-ca", &options.admin_tls.client_ca_file,
                   "PEM CA bundle; when set, admin clients need a certificate it signed");
  config.AddString("metrics-backend", &options.metrics_backend,
                   "prometheus (metrics on the admin port) or none");
  config.AddString("metrics-http-route", &options.metrics_route,
                   "Path of the Prometheus metrics on the admin port");
}

tracecore::Status FinishServiceOptions(const ServiceOptions& options) {
  ARIADNE_RETURN_IF_ERROR(SetLogLevel(options.log_level));
  if (options.metrics_backend != "prometheus" && options.metrics_backend != "none") {
    return tracecore::Status::InvalidArgument("--metrics-backend: \"" + options.metrics_backend +
                                              "\" is not supported; use prometheus or none");
  }
  if (options.metrics_route.empty() || options.metrics_route.front() != '/') {
    return tracecore::Status::InvalidArgument("--metrics-http-route: \"" + options.metrics_route +
                                              "\" must start with /");
  }
  return ValidateTlsOptions(options.admin_tls, "--admin.http.tls");
}

}  // namespace ariadne::runtime
