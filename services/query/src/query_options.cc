// The query service's options: Jaeger v1's flag names and defaults, the names the seed's
// query-performance.yaml and query-config.yaml use, and the few Ariadne adds.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "query/query.h"

namespace ariadne::query {
namespace {

using std::chrono::nanoseconds;

constexpr int64_t kNanosPerDay = int64_t{24} * 3600 * 1'000'000'000;

// --query.<port>.tls.* for the port named `port` ("HTTP", "gRPC").
void AddTlsOptions(runtime::Config& config, const std::string& prefix, const std::string& port,
                   runtime::TlsOptions& tls) {
  config.AddBool(prefix + ".enabled", &tls.enabled, "Enable TLS on the query " + port + " port");
  config.AddString(prefix + ".cert", &tls.cert_file,
                   "PEM certificate (chain) of the query " + port + " port");
  config.AddString(prefix + ".key", &tls.key_file,
                   "PEM private key of the query " + port + " port");
  config.AddString(prefix + ".client-ca", &tls.client_ca_file,
                   "PEM CA bundle; when set, clients of the query " + port +
                       " port must present a certificate it signed (mutual TLS)");
  config.AddString(prefix + ".min-version", &tls.min_version,
                   "Lowest TLS version accepted by the query " + port + " port: 1.2 or 1.3");
}

// The seed's query-config.yaml nests Jaeger's metrics (SPM) settings under query:; the Monitor
// tab is not served yet, so they are accepted and ignored with a log line.
void AddIgnoredSeedOptions(runtime::Config& config) {
  const std::string reason = "the Monitor tab's metrics (SPM) are not served by ariadne-query yet";
  for (const char* name :
       {"query.metrics-backend", "query.prometheus.server-url",
        "query.prometheus.query.max-connections", "query.prometheus.query.timeout"}) {
    config.AddIgnored(name, reason);
  }
}

tracecore::Status InvalidValue(std::string_view flag, std::string_view text,
                               std::string_view reason) {
  return tracecore::Status::InvalidArgument("invalid value \"" + std::string(text) + "\" for --" +
                                            std::string(flag) + ": " + std::string(reason));
}

// A Go duration, or whole days followed by an optional Go duration: "7d", "1d12h", "48h".
tracecore::Status ParseDaysDuration(std::string_view flag, std::string_view text,
                                    nanoseconds& out) {
  const std::string_view expected =
      "expected a Go duration such as 30m or 48h, or whole days such as 7d or 1d12h";
  const size_t d = text.find('d');
  if (d == std::string_view::npos) {
    const tracecore::Status parsed = runtime::ParseGoDuration(text, out);
    if (!parsed.ok())
      return InvalidValue(flag, text, parsed.message() + "; " + std::string(expected));
    return {};
  }
  const std::string_view days_text = text.substr(0, d);
  const std::string_view rest = text.substr(d + 1);
  constexpr int64_t kMaxDays = std::numeric_limits<int64_t>::max() / kNanosPerDay;
  int64_t days = 0;
  for (const char c : days_text) {
    if (c < '0' || c > '9') return InvalidValue(flag, text, expected);
    days = days * 10 + (c - '0');
    if (days > kMaxDays) return InvalidValue(flag, text, "too large");
  }
  if (days_text.empty()) return InvalidValue(flag, text, expected);
  nanoseconds more{0};
  if (!rest.empty()) {
    const tracecore::Status parsed = runtime::ParseGoDuration(rest, more);
    if (!parsed.ok()) return InvalidValue(flag, text, expected);
  }
  const int64_t day_nanos = days * kNanosPerDay;
  if (more.count() > std::numeric_limits<int64_t>::max() - day_nanos) {
    return InvalidValue(flag, text, "too large");
  }
  out = nanoseconds(day_nanos + more.count());
  return {};
}

// "" for the root; otherwise "/x/y" without a trailing '/'.
tracecore::Status NormalizeBasePath(std::string& path) {
  const std::string given = path;
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.empty()) return {};
  if (path.front() != '/') {
    return InvalidValue("query.base-path", given, "it must start with '/', e.g. /jaeger");
  }
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= ' ' || byte == 0x7F || c == '?' || c == '#' || c == '%' || c == '\\') {
      return InvalidValue("query.base-path", given,
                          "a path may not hold spaces, control characters, '?', '#', '%' or '\\'");
    }
  }
  if (path.find("//") != std::string::npos) {
    return InvalidValue("query.base-path", given, "empty path segments (\"//\") are not allowed");
  }
  return {};
}

tracecore::Status ParseLookbacks(const runtime::Config& config, QueryOptions& options) {
  ARIADNE_RETURN_IF_ERROR(
      ParseDaysDuration("query.lookback", options.lookback_text, options.lookback));
  ARIADNE_RETURN_IF_ERROR(ParseDaysDuration("ui.default-lookback", options.ui_default_lookback_text,
                                            options.ui_default_lookback));
  nanoseconds ui_max_lookback{0};
  ARIADNE_RETURN_IF_ERROR(
      ParseDaysDuration("ui.max-lookback", options.ui_max_lookback_text, ui_max_lookback));
  ARIADNE_RETURN_IF_ERROR(
      ParseDaysDuration("query.max-lookback", options.max_lookback_text, options.max_lookback));
  if (!config.WasSet("query.max-lookback") && config.WasSet("ui.max-lookback")) {
    options.max_lookback = ui_max_lookback;
  }
  if (options.lookback.count() == 0) {
    return InvalidValue("query.lookback", options.lookback_text,
                        "a search window must be longer than 0");
  }
  return {};
}

}  // namespace

void AddQueryOptions(runtime::Config& config, QueryOptions& options) {
  config.AddString("query.http-server.host-port", &options.http_host_port,
                   "HTTP API (/api/services, /api/traces, ...) for the Jaeger UI and Grafana");
  config.AddInt("query.http-server.threads", &options.http_threads,
                "Threads of the HTTP port: the requests served at once", 1, 256);
  AddTlsOptions(config, "query.http.tls", "HTTP", options.http_tls);
  config.AddString("query.grpc-server.host-port", &options.grpc_host_port,
                   "gRPC query API (jaeger.api_v2 and api_v3 QueryService, health, reflection)");
  AddTlsOptions(config, "query.grpc.tls", "gRPC", options.grpc_tls);
  config.AddString("query.base-path", &options.base_path,
                   "Path prefix of every route, e.g. /jaeger behind a reverse proxy");
  config.AddDuration("query.max-clock-skew-adjustment", &options.max_clock_skew_adjustment,
                     "Largest shift the clock-skew adjuster applies to a span (0: none; such "
                     "spans carry a warning instead)");
  config.AddString("query.ui-config", &options.ui_config_file,
                   "UI configuration file (.json, or .js defining UIConfig()) put into the UI's "
                   "page at start-up");
  config.AddString("query.ui.config-file", &options.ui_config_file_seed_name,
                   "Same as --query.ui-config (the name the seed's query-config.yaml uses)");
  config.AddString("query.static-files", &options.static_files,
                   "Serve the UI from this directory instead of the files built in (for UI "
                   "development)");
  config.AddInt("query.max-trace-size", &options.max_trace_size,
                "The most spans one response loads: bigger traces are returned truncated with "
                "a warning; also the largest search limit",
                1, int64_t{1} << 31);
  config.AddDuration("query.timeout", &options.timeout,
                     "How long one request may read storage before it is answered 503 (0: no "
                     "bound)");
  config.AddInt("query.max-connections", &options.max_connections,
                "HTTP connections open at once on the query port (idle keep-alive ones "
                "included); one more is answered 503 and closed",
                1, 1'000'000);
  config.AddString("query.lookback", &options.lookback_text,
                   "Search window when a request gives no start (Go duration or days: 7d)");
  config.AddString("query.max-lookback", &options.max_lookback_text,
                   "Searches never reach further back than this (Go duration or days: 7d; 0: "
                   "no bound)");
  config.AddString("ui.max-lookback", &options.ui_max_lookback_text,
                   "The seed's name for --query.max-lookback; --query.max-lookback wins when "
                   "both are set");
  config.AddString("ui.default-lookback", &options.ui_default_lookback_text,
                   "The UI's default search window (Go duration or days); kept for when the UI "
                   "is served");
  AddIgnoredSeedOptions(config);
}

tracecore::Status FinishQueryOptions(const runtime::Config& config, QueryOptions& options) {
  ARIADNE_RETURN_IF_ERROR(NormalizeBasePath(options.base_path));
  ARIADNE_RETURN_IF_ERROR(ParseLookbacks(config, options));
  if (!config.WasSet("query.ui-config") && config.WasSet("query.ui.config-file")) {
    options.ui_config_file = options.ui_config_file_seed_name;
  }
  ARIADNE_RETURN_IF_ERROR(runtime::ValidateTlsOptions(options.http_tls, "--query.http.tls"));
  return runtime::ValidateTlsOptions(options.grpc_tls, "--query.grpc.tls");
}

}  // namespace ariadne::query
