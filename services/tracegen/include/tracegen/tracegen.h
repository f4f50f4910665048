// tracegen: the load generator of Ariadne's benchmarks and load tests (docs/tracegen.md).
//
// RunTracegen is the whole program (main.cc only calls it). RunLoad is the load run itself, for
// tests: N worker threads, each with its own transport, request pool and rate limiter, send until
// the duration ends, the trace budget is spent or `stop` is set; a progress line goes out every
// report interval and a FinalReport comes back.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "runtime/config.h"
#include "tracecore/status.h"
#include "tracegen/load_report.h"
#include "tracegen/trace_generator.h"
#include "tracegen/transport.h"

namespace ariadne::tracegen {

struct TracegenOptions {
  std::string protocol = "otlp-grpc";
  std::string endpoint;  // host:port; empty = 127.0.0.1 and the protocol's default port
  std::string http_path;
  int64_t workers = 1;
  double rate = 0;  // spans/s over all workers; 0 = as fast as possible
  std::chrono::nanoseconds duration = std::chrono::seconds(10);  // 0 = no time limit
  int64_t traces = 0;                                            // 0 = no trace limit
  int64_t batch_size = 100;
  GeneratorOptions generator;
  int64_t seed = 1;
  std::vector<std::string> services;  // a quick custom graph (ServiceGraphFromNames)
  std::string graph_file;             // a YAML/JSON graph (LoadServiceGraph)
  TlsOptions tls;
  std::string compression = "none";  // none | gzip
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);
  int64_t max_in_flight = 32;
  int64_t pool_size = 16;
  std::chrono::nanoseconds pool_max_age = std::chrono::seconds(10);
  std::chrono::nanoseconds report_interval = std::chrono::seconds(1);
  std::string log_level = "info";
};

// Registers every flag of tracegen on `config`, bound to the fields of `options`.
void RegisterFlags(runtime::Config& config, TracegenOptions& options);

// Runs the load described by `options` (checked first: a bad value returns kInvalidArgument
// naming the flag, before any traffic). Progress lines go to `progress`. `stop`, when not null,
// ends the run early once set (signals). Thread: the caller's; it starts and joins the workers.
tracecore::Status RunLoad(const TracegenOptions& options, std::ostream& progress,
                          const std::atomic<bool>* stop, FinalReport& report);

// The program: flags (argv, TRACEGEN_* environment variables, --config-file), the run, the
// progress lines on stderr, the JSON report on stdout. Returns the exit code: 0 when spans were
// accepted, 1 when none were, 2 for bad flags.
int RunTracegen(int argc, char** argv);

}  // namespace ariadne::tracegen
