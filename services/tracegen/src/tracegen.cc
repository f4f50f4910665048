#include "tracegen/tracegen.h"

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <thread>

#include "runtime/log.h"
#include "tracegen/rate_limiter.h"
#include "tracegen/request_pool.h"
#include "tracegen/service_graph.h"

namespace ariadne::tracegen {
namespace {

using tracecore::Status;
using SteadyClock = std::chrono::steady_clock;

// Everything RunLoad derives from the options before the first request.
struct Plan {
  Protocol protocol = Protocol::kOtlpGrpc;
  ServiceGraph graph;
  GeneratorOptions generator;
  TransportOptions transport;
  PoolOptions pool;
  std::string endpoint;
};

// What the workers share.
struct RunState {
  std::atomic<bool> stop{false};
  bool traces_limited = false;
  std::atomic<int64_t> traces_left{0};
  std::atomic<int> running{0};
};

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

uint64_t NowUnixNano() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Status MakePlan(const TracegenOptions& options, Plan& plan) {
  ARIADNE_RETURN_IF_ERROR(ParseProtocol(options.protocol, plan.protocol));
  const ProtocolInfo& info = InfoOf(plan.protocol);
  if (options.workers < 1 || options.workers > 1024) {
    return Status::InvalidArgument("--workers must be between 1 and 1024");
  }
  if (options.batch_size < 1 || options.batch_size > 1000000) {
    return Status::InvalidArgument("--batch-size must be between 1 and 1000000");
  }
  if (!(options.rate >= 0)) return Status::InvalidArgument("--rate must be 0 or more");
  if (options.traces < 0) return Status::InvalidArgument("--traces must be 0 or more");
  if (options.duration.count() < 0) return Status::InvalidArgument("--duration is negative");
  if (options.report_interval.count() <= 0) {
    return Status::InvalidArgument("--report.interval must be more than 0");
  }
  if (options.timeout.count() <= 0) return Status::InvalidArgument("--timeout must be more than 0");
  if (options.pool_size < 1 || options.pool_size > 4096) {
    return Status::InvalidArgument("--pool.size must be between 1 and 4096");
  }
  if (options.compression != "none" && options.compression != "gzip") {
    return Status::InvalidArgument("--compression: expected none or gzip, got '" +
                                   options.compression + "'");
  }
  if (options.compression == "gzip" && info.transport == TransportKind::kUdp) {
    return Status::InvalidArgument("--compression=gzip does not apply to UDP protocols");
  }
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    return Status::InvalidArgument("--tls.cert and --tls.key go together: set both or neither");
  }

  if (!options.services.empty() && !options.graph_file.empty()) {
    return Status::InvalidArgument("--services and --graph both describe the services: use one");
  }
  if (!options.graph_file.empty()) {
    ARIADNE_RETURN_IF_ERROR(LoadServiceGraph(options.graph_file, plan.graph));
  } else if (!options.services.empty()) {
    ARIADNE_RETURN_IF_ERROR(ServiceGraphFromNames(options.services, plan.graph));
  } else {
    plan.graph = DefaultServiceGraph();
  }

  plan.generator = options.generator;
  plan.generator.seed = static_cast<uint64_t>(options.seed);
  ARIADNE_RETURN_IF_ERROR(ValidateGeneratorOptions(plan.generator));

  TransportOptions& transport = plan.transport;
  transport.protocol = plan.protocol;
  ARIADNE_RETURN_IF_ERROR(
      ParseEndpoint(options.endpoint, info.default_port, transport.host, transport.port));
  transport.path = options.http_path;
  transport.tls = options.tls;
  transport.tls.enabled =
      options.tls.enabled || !options.tls.ca_file.empty() || !options.tls.cert_file.empty();
  if (transport.tls.enabled && info.transport == TransportKind::kUdp) {
    return Status::InvalidArgument("--tls.* does not apply to UDP protocols");
  }
  transport.gzip = options.compression == "gzip";
  transport.timeout = options.timeout;
  transport.max_in_flight = static_cast<int>(std::clamp<int64_t>(options.max_in_flight, 1, 4096));

  plan.pool.protocol = plan.protocol;
  plan.pool.groups = static_cast<size_t>(options.pool_size);
  plan.pool.batch_size = static_cast<size_t>(options.batch_size);
  plan.pool.max_age = options.pool_max_age;
  plan.endpoint = (transport.host.find(':') != std::string::npos ? "[" + transport.host + "]"
                                                                 : transport.host) +
                  ":" + std::to_string(transport.port);
  return Status::Ok();
}

// Sleeps until `at`, waking early to notice `stop`. False when stopped.
bool SleepUntil(SteadyClock::time_point at, const std::atomic<bool>& stop) {
  constexpr auto kTick = std::chrono::milliseconds(50);
  while (!stop.load(std::memory_order_relaxed)) {
    const auto now = SteadyClock::now();
    if (now >= at) return true;
    std::this_thread::sleep_for(std::min<SteadyClock::duration>(at - now, kTick));
  }
  return false;
}

// Takes up to `wanted` traces from the budget; 0 when it is spent.
int64_t ClaimTraces(std::atomic<int64_t>& left, int64_t wanted) {
  int64_t current = left.load();
  while (current > 0) {
    const int64_t take = std::min(current, wanted);
    if (left.compare_exchange_weak(current, current - take)) return take;
  }
  return 0;
}

void RunWorker(int index, const Plan& plan, double rate, Transport& transport,
               LoadCounters& counters, RunState& state) {
  GeneratorOptions generator = plan.generator;
  generator.seed = plan.generator.seed + static_cast<uint64_t>(index);
  RequestPool pool(plan.graph, generator, plan.pool);
  RateLimiter limiter(rate, std::chrono::milliseconds(100));
  Rng salts(~generator.seed);
  std::string body;
  while (!state.stop.load(std::memory_order_relaxed)) {
    const uint64_t now = NowUnixNano();
    RequestGroup* group = &pool.Next(now);
    RequestGroup exact;
    if (state.traces_limited) {
      const auto wanted = static_cast<int64_t>(group->traces());
      const int64_t claimed = ClaimTraces(state.traces_left, wanted);
      if (claimed == 0) break;
      if (claimed < wanted) {
        exact = pool.BuildExact(static_cast<size_t>(claimed), now);
        group = &exact;
      }
    }
    if (!limiter.unlimited() &&
        !SleepUntil(limiter.Reserve(static_cast<double>(group->spans()), SteadyClock::now()),
                    state.stop)) {
      break;
    }
    const uint64_t salt = group->PickSalt(salts);
    for (size_t request = 0; request < group->requests(); ++request) {
      uint32_t spans = 0;
      group->Stamp(request, salt, body, spans);
      transport.Send(std::move(body), spans);
      body = std::string();
    }
    counters.AddTraces(group->traces());
  }
  transport.Drain();
}

std::atomic<bool> g_signal_stop{false};

extern "C" void OnStopSignal(int /*signal*/) {
  g_signal_stop.store(true);
}

// Tracegen's environment variables are TRACEGEN_<NAME> (TRACEGEN_RATE=5000), so that generic
// names such as RATE or WORKERS in a shell do not change a benchmark.
std::map<std::string, std::string> TracegenEnvironment() {
  constexpr std::string_view kPrefix = "TRACEGEN_";
  std::map<std::string, std::string> environment;
  for (const auto& [name, value] : runtime::Config::ProcessEnvironment()) {
    if (name.size() > kPrefix.size() && name.compare(0, kPrefix.size(), kPrefix) == 0) {
      environment[name.substr(kPrefix.size())] = value;
    }
  }
  return environment;
}

}  // namespace

void RegisterFlags(runtime::Config& config, TracegenOptions& options) {
  config.AddString("protocol", &options.protocol, "wire protocol: " + ProtocolNames());
  config.AddString("endpoint", &options.endpoint,
                   "receiver host:port; default 127.0.0.1 and the protocol's port (4317, 4318, "
                   "14250, 14268, 9411, 6831, 6832)");
  config.AddString("http.path", &options.http_path,
                   "HTTP request path; default the protocol's (/v1/traces, /api/traces, "
                   "/api/v2/spans)");
  config.AddInt("workers", &options.workers, "sending threads, each with its own connection", 1,
                1024);
  config.AddDouble("rate", &options.rate,
                   "spans per second over all workers; 0 = as fast as possible", 0, 1e9);
  config.AddDuration("duration", &options.duration,
                     "how long to send (Go duration); 0 = until --traces are sent or a signal; "
                     "ignored by default when --traces is set");
  config.AddInt("traces", &options.traces, "traces to send in total; 0 = no limit", 0,
                int64_t{1} << 40);
  config.AddInt("batch-size", &options.batch_size,
                "spans per request, on average (whole traces per request; Jaeger protocols send "
                "one request per service)",
                1, 1000000);
  config.AddDouble("spans-per-trace", &options.generator.spans_per_trace, "mean spans per trace", 1,
                   100000);
  config.AddInt("span.attributes", &options.generator.attributes_per_span, "attributes per span", 0,
                128);
  config.AddDouble("span.events", &options.generator.events_per_span, "mean events per span", 0,
                   32);
  config.AddDouble("span.error-rate", &options.generator.error_rate,
                   "fraction of spans that fail (ERROR status, exception event)", 0, 1);
  config.AddDouble("span.link-rate", &options.generator.link_rate, "fraction of spans with a link",
                   0, 1);
  config.AddInt("seed", &options.seed, "seed of every random choice: same seed, same traces", 0,
                INT64_MAX);
  config.AddStringList("services", &options.services,
                       "a custom service chain: the first is the entry, each calls the next two");
  config.AddString("graph", &options.graph_file,
                   "YAML or JSON file with a custom service graph (docs/tracegen.md)");
  config.AddBool("tls.enabled", &options.tls.enabled,
                 "use TLS (implied by --tls.ca and --tls.cert)");
  config.AddString("tls.ca", &options.tls.ca_file,
                   "PEM file of the CAs that sign the receiver's certificate");
  config.AddString("tls.cert", &options.tls.cert_file, "PEM client certificate (mTLS)");
  config.AddString("tls.key", &options.tls.key_file, "PEM private key of --tls.cert");
  config.AddString("tls.server-name", &options.tls.server_name,
                   "gRPC: name to verify the receiver's certificate against; default the "
                   "endpoint host");
  config.AddString("compression", &options.compression, "none or gzip (HTTP body, gRPC message)");
  config.AddDuration("timeout", &options.timeout, "per request");
  config.AddInt("grpc.max-in-flight", &options.max_in_flight,
                "gRPC: concurrent requests per worker", 1, 4096);
  config.AddInt("pool.size", &options.pool_size,
                "pre-encoded request groups per worker (re-sent with fresh ids)", 1, 4096);
  config.AddDuration("pool.max-age", &options.pool_max_age,
                     "rebuild a pooled request group older than this (keeps timestamps fresh)");
  config.AddDuration("report.interval", &options.report_interval,
                     "time between progress lines on stderr");
  config.AddString("log-level", &options.log_level, "debug, info, warn or error");
}

Status RunLoad(const TracegenOptions& options, std::ostream& progress,
               const std::atomic<bool>* stop, FinalReport& report) {
  const double cpu_start = CpuSeconds();
  Plan plan;
  ARIADNE_RETURN_IF_ERROR(MakePlan(options, plan));
  LoadCounters counters;
  std::vector<std::unique_ptr<Transport>> transports(static_cast<size_t>(options.workers));
  for (size_t i = 0; i < transports.size(); ++i) {
    TransportOptions transport = plan.transport;
    transport.worker_index = static_cast<int>(i);
    ARIADNE_RETURN_IF_ERROR(MakeTransport(transport, counters, transports[i]));
  }

  RunState state;
  state.traces_limited = options.traces > 0;
  state.traces_left = options.traces;
  state.running = static_cast<int>(transports.size());
  const double worker_rate = options.rate / static_cast<double>(options.workers);
  const auto start = SteadyClock::now();
  std::vector<std::thread> workers;
  for (size_t i = 0; i < transports.size(); ++i) {
    workers.emplace_back([&, i] {
      RunWorker(static_cast<int>(i), plan, worker_rate, *transports[i], counters, state);
      state.running.fetch_sub(1);
    });
  }

  const auto interval = options.report_interval;
  auto next_report = start + interval;
  LoadSnapshot previous;
  while (state.running.load() > 0) {
    const auto now = SteadyClock::now();
    if ((stop != nullptr && stop->load()) ||
        (options.duration.count() > 0 && now - start >= options.duration)) {
      state.stop.store(true);
    }
    if (now >= next_report) {
      LoadSnapshot current = counters.Snapshot();
      const double elapsed = std::chrono::duration<double>(now - start).count();
      progress << FormatProgressLine(elapsed, previous, current,
                                     std::chrono::duration<double>(interval).count())
               << '\n'
               << std::flush;
      previous = std::move(current);
      next_report += interval;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (std::thread& worker : workers) worker.join();
  transports.clear();  // every call has completed: Drain ran in each worker

  report.protocol = std::string(InfoOf(plan.protocol).name);
  report.endpoint = plan.endpoint;
  report.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  report.cpu_seconds = CpuSeconds() - cpu_start;
  report.workers = options.workers;
  report.target_rate = options.rate;
  report.totals = counters.Snapshot();
  return Status::Ok();
}

int RunTracegen(int argc, char** argv) {
  try {
    TracegenOptions options;
    runtime::Config config(
        "ariadne-tracegen",
        "Sends realistic traces to a tracing receiver at a fixed rate or as fast "
        "as possible, and reports what it accepted (docs/tracegen.md). Environment "
        "variables take the prefix TRACEGEN_ (TRACEGEN_RATE=5000), not the names below.");
    RegisterFlags(config, options);
    Status status = config.Parse(argc, argv, TracegenEnvironment());
    if (!status.ok()) {
      std::cerr << "ariadne-tracegen: " << status.message() << '\n';
      return 2;
    }
    if (config.help_requested()) {
      std::cout << config.HelpText();
      return 0;
    }
    if (options.traces > 0 && !config.WasSet("duration")) options.duration = {};
    status = runtime::SetLogLevel(options.log_level);
    if (!status.ok()) {
      std::cerr << "ariadne-tracegen: --log-level: " << status.message() << '\n';
      return 2;
    }
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
    std::signal(SIGPIPE, SIG_IGN);
    runtime::Logger("tracegen")
        ->info("sending {} with {} worker(s), rate {} spans/s, batch {} spans", options.protocol,
               options.workers,
               options.rate == 0 ? std::string("unlimited") : std::to_string(options.rate),
               options.batch_size);
    FinalReport report;
    status = RunLoad(options, std::cerr, &g_signal_stop, report);
    if (!status.ok()) {
      std::cerr << "ariadne-tracegen: " << status.message() << '\n';
      return 2;
    }
    std::cout << FormatFinalJson(report) << std::endl;
    return ExitCodeFor(report);
  } catch (const std::exception& error) {
    std::cerr << "ariadne-tracegen: " << error.what() << '\n';
    return 2;
  }
}

}  // namespace ariadne::tracegen
