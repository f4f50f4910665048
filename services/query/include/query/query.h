// ariadne-query: reads storage and answers Jaeger's query APIs, HTTP (/api/services,
// /api/traces, ..., /api/v3/*) and gRPC (api_v2, api_v3), which the Jaeger UI, Grafana's Jaeger
// data source and people's scripts speak; serves the web UI.
// docs/query.md describes it for users.
//
// Query is the embeddable part (the all-in-one and the tests start one in-process); RunQuery is
// the executable: flags, storage, admin port, signals.
#pragma once

#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/config.h"
#include "runtime/tls.h"
#include "storage/factory.h"
#include "storage/span_reader.h"
#include "tracecore/status.h"

namespace ariadne::query {

// Every option, with Jaeger v1's names and defaults where Jaeger has them (docs/query.md lists
// them), plus the names the seed's query-performance.yaml and query-config.yaml use.
struct QueryOptions {
  std::string http_host_port = ":16686";  // query.http-server.host-port
  runtime::TlsOptions http_tls;           // query.http.tls.*
  int64_t http_threads = 4;               // query.http-server.threads: requests served at once
  // query.grpc-server.host-port: jaeger.api_v2 and jaeger.api_v3 QueryService, health.
  std::string grpc_host_port = ":16685";
  runtime::TlsOptions grpc_tls;  // query.grpc.tls.*
  // query.base-path (QUERY_BASE_PATH): every route is served under it. After
  // FinishQueryOptions: "" for the root, else "/x" without a trailing '/'.
  std::string base_path = "/";
  // query.max-clock-skew-adjustment: the largest shift the clock-skew adjuster applies; 0
  // disables the shift (spans that would need one carry a warning instead), as in Jaeger v1.
  std::chrono::nanoseconds max_clock_skew_adjustment{0};
  // query.ui-config (alias query.ui.config-file): the UI configuration put into the UI's page;
  // query.static-files: a directory served instead of the UI files built in.
  std::string ui_config_file;
  std::string ui_config_file_seed_name;  // query.ui.config-file; --query.ui-config wins
  std::string static_files;
  // query.max-trace-size: the most spans one response loads. A bigger trace is returned truncated
  // with a warning; a search stops adding traces once it is reached. Also the largest `limit`.
  int64_t max_trace_size = 100'000;
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);  // query.timeout; 0: none
  // query.max-connections: the HTTP connections open at once (idle keep-alive ones included);
  // one more is answered 503 and closed. Requests are served on the query.http-server.threads
  // threads; further requests of open connections wait for one of them.
  int64_t max_connections = 100;

  // Durations that also take whole days ("7d", "1d12h"), as the seed writes them. The *_text
  // members hold the option text; FinishQueryOptions parses it into the member beside it.
  std::string lookback_text = "48h";  // query.lookback: a search's window when `start` is absent
  std::chrono::nanoseconds lookback = std::chrono::hours(48);
  // query.max-lookback (or the seed's ui.max-lookback): searches and dependency queries never
  // reach further back than this; older start times are moved up to it. "0": no bound.
  std::string max_lookback_text = "0";
  std::chrono::nanoseconds max_lookback{0};
  std::string ui_max_lookback_text = "0";       // ui.max-lookback
  std::string ui_default_lookback_text = "1h";  // ui.default-lookback: for the UI, not served yet
  std::chrono::nanoseconds ui_default_lookback = std::chrono::hours(1);
};

// Registers every query option on `config`, bound to `options`.
void AddQueryOptions(runtime::Config& config, QueryOptions& options);
// Parses what Config cannot (day durations, the base path), applies aliases and checks TLS files;
// errors name the flag and say what would be accepted.
tracecore::Status FinishQueryOptions(const runtime::Config& config, QueryOptions& options);

class Query {
 public:
  // Starts the HTTP API with the UI, and the gRPC API. `spans` and `dependencies` must outlive the
  // query service; metrics go to `registry`. `archive`, when given, is the --query.archive store
  // (its reader and writer set; it must outlive the service). Errors say which listener failed and
  // how to fix it.
  static tracecore::Status Start(const QueryOptions& options, storage::SpanReader& spans,
                                 storage::DependencyReader& dependencies,
                                 std::shared_ptr<prometheus::Registry> registry,
                                 std::unique_ptr<Query>& out,
                                 const storage::Backend* archive = nullptr);
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // The bound ports (the ephemeral ones when the options asked for port 0).
  int http_port() const;
  int grpc_port() const;

  // Stops accepting, lets requests in flight finish, closes the listener. Idempotent; the
  // destructor calls it. Not from a request handler.
  void Shutdown();

 private:
  class Impl;
  explicit Query(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Opens the stores of a query service: the primary one, which must be readable, and the archive
// when one is chosen (`archive` stays empty otherwise), which must be read and written. Errors
// name the option to change.
tracecore::Status OpenQueryStorage(storage::StorageOptions& primary,
                                   storage::StorageOptions& archive_options,
                                   storage::Backend& backend, storage::Backend& archive);

// The ariadne-query executable: parses flags, opens storage, starts the query API and the admin
// port, serves until SIGTERM/SIGINT, then shuts down cleanly. Returns the exit code.
int RunQuery(int argc, char** argv);

}  // namespace ariadne::query
