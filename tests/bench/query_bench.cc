// query_bench: GET /api/traces/{id} end to end over HTTP, against ariadne::query::Query running
// in-process on a `local` store, beside the store's own GetTrace of the same traces measured in
// the same run (docs/benchmarks.md, "Query").
//
//   query_bench [--traces N] [--spans S] [--requests R] [--clients C] [--path DIR] [--short]
//
// 1. load: a `local` store in a temporary directory (or under --path) receives S spans in all
//    (default 200,000): N traces of exactly 1,000 spans (default 50), each a tree cut from one of
//    tracegen's realistic traces (the seed's service graph, 10 attributes and about 2 events per
//    span, errors, links) and written in 20 pieces among background batches of about 1,000
//    spans of ordinary 10-span traces. Then the store settles (flushes, waits for compactions).
// 2. baseline: LocalStore::GetTrace of random ones of the N traces, every span read in chunks of
//    1,024 spans (as the query service asks), no HTTP and no JSON: p50/p99.
// 3. HTTP: Query on 127.0.0.1:0 over that store with its default options; every one of the N
//    traces is fetched once and checked (200, 1,000 spans), then R GETs of random ones of them
//    on one keep-alive connection, one after the other, then R GETs shared by C clients at once,
//    each on its own keep-alive connection, then R GETs on one connection that accept gzip (as
//    a browser's do). Latency is the client's: from sending the request to the last byte of the
//    response. Reports p50/p90/p99/max, requests/s, the process's CPU time per request (server
//    and client together: the figure that does not depend on what else the machine runs), and
//    the response size.
//
// Prints one line per figure, a final JSON line and a "summary:" line for docs/benchmarks.md.
// --short: 5 traces, 20,000 spans, 40 requests per phase (seconds, for CI smoke runs).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "local/local_store.h"
#include "query/query.h"
#include "runtime/http_client.h"
#include "tracecore/span_copier.h"
#include "tracegen/service_graph.h"
#include "tracegen/trace_generator.h"

namespace ariadne::bench {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using storage::local::LocalStore;
using tracecore::Span;
using tracecore::SpanBatch;
using tracecore::Status;
using tracecore::TraceId;

constexpr size_t kTraceSpans = 1000;  // spans of every measured trace
constexpr size_t kPiecesPerTrace = 20;
constexpr size_t kBackgroundBatchSpans = 1000;
constexpr uint32_t kChunkSpans = 1024;  // what the query service asks the reader for

struct Options {
  size_t traces = 50;
  uint64_t spans = 200'000;
  size_t requests = 1000;
  int clients = 2;
  std::string path;
};

void Check(const Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "query_bench: %s: %s\n", what, status.message().c_str());
  std::exit(1);
}

uint64_t NowNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

uint64_t PeakRssMib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) / 1024;
  }
  return 0;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double Millis(Clock::duration elapsed) {
  return std::chrono::duration<double, std::milli>(elapsed).count();
}

struct Latencies {
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  double max = 0;
};

Latencies Summarize(std::vector<double> millis) {
  std::sort(millis.begin(), millis.end());
  auto at = [&](double p) {
    return millis[static_cast<size_t>(p * static_cast<double>(millis.size() - 1))];
  };
  return {.p50 = at(0.5), .p90 = at(0.9), .p99 = at(0.99), .max = millis.back()};
}

// ---------------------------------------------------------------------------------------------
// Load

// The first `count` spans of `trace` in breadth-first order from its roots (so that the parent of
// every kept span is kept too), copied into a new batch in their original order.
SpanBatch CutTree(const SpanBatch& trace, size_t count) {
  const auto& spans = trace.spans();
  std::unordered_set<uint64_t> ids;
  for (const Span& span : spans) ids.insert(span.span_id.value);
  std::unordered_map<uint64_t, std::vector<size_t>> children;
  std::vector<size_t> order;
  for (size_t i = 0; i < spans.size(); ++i) {
    const uint64_t parent = spans[i].parent_span_id.value;
    if (parent == 0 || !ids.contains(parent)) {
      order.push_back(i);
    } else {
      children[parent].push_back(i);
    }
  }
  for (size_t next = 0; next < order.size() && order.size() < count; ++next) {
    const auto found = children.find(spans[order[next]].span_id.value);
    if (found != children.end()) {
      order.insert(order.end(), found->second.begin(), found->second.end());
    }
  }
  order.resize(std::min(order.size(), count));
  std::sort(order.begin(), order.end());
  SpanBatch out;
  tracecore::SpanCopier copier(out);
  for (size_t index : order) copier.Copy(trace, spans[index]);
  return out;
}

// A trace of exactly kTraceSpans spans: tracegen draws 500..1,500 around its mean, so draw until
// one is big enough and cut it down.
SpanBatch MakeTrace(tracegen::TraceGenerator& generator) {
  while (true) {
    SpanBatch drawn;
    if (generator.Generate(1, NowNanos(), drawn) >= kTraceSpans) return CutTree(drawn, kTraceSpans);
  }
}

// The spans of `trace` in `parts` batches of consecutive spans (copies).
std::vector<SpanBatch> Split(const SpanBatch& trace, size_t parts) {
  std::vector<SpanBatch> batches(parts);
  std::vector<tracecore::SpanCopier> copiers;
  copiers.reserve(parts);
  for (auto& batch : batches) copiers.emplace_back(batch);
  for (size_t i = 0; i < trace.spans().size(); ++i) {
    copiers[i * parts / trace.spans().size()].Copy(trace, trace.spans()[i]);
  }
  return batches;
}

struct Loaded {
  std::vector<TraceId> traces;  // the kTraceSpans-span traces
  uint64_t spans = 0;           // every span written
  double seconds = 0;
};

Loaded Load(LocalStore& store, const Options& options) {
  const tracegen::ServiceGraph graph = tracegen::DefaultServiceGraph();
  tracegen::GeneratorOptions background_options;
  background_options.seed = 11;
  tracegen::TraceGenerator background(graph, background_options);
  tracegen::GeneratorOptions big_options;
  big_options.seed = 12;
  big_options.spans_per_trace = kTraceSpans;
  tracegen::TraceGenerator big(graph, big_options);

  const uint64_t big_spans = options.traces * kTraceSpans;
  const uint64_t background_batches =
      options.spans > big_spans ? (options.spans - big_spans) / kBackgroundBatchSpans : 0;
  const uint64_t pieces = options.traces * kPiecesPerTrace;
  Loaded loaded;
  uint64_t background_written = 0;
  const auto start = Clock::now();
  auto write_background = [&] {
    SpanBatch batch;
    background.GenerateSpans(kBackgroundBatchSpans, NowNanos(), batch);
    Check(store.WriteBatch(batch), "writing");
    loaded.spans += batch.spans().size();
    ++background_written;
  };
  for (size_t trace = 0; trace < options.traces; ++trace) {
    const SpanBatch whole = MakeTrace(big);
    loaded.traces.push_back(whole.spans().front().trace_id);
    const std::vector<SpanBatch> parts = Split(whole, kPiecesPerTrace);
    for (size_t part = 0; part < parts.size(); ++part) {
      Check(store.WriteBatch(parts[part]), "writing");
      loaded.spans += parts[part].spans().size();
      // Background batches spread evenly between the pieces.
      const uint64_t pieces_done = trace * kPiecesPerTrace + part + 1;
      while (background_written < pieces_done * background_batches / pieces) write_background();
    }
  }
  while (background_written < background_batches) write_background();
  Check(store.Flush(), "flushing");
  Check(store.Settle(), "settling");
  loaded.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return loaded;
}

// ---------------------------------------------------------------------------------------------
// Reads

// `count` random picks from `traces`, the same for every measurement of one run.
std::vector<size_t> Picks(size_t traces, size_t count, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<size_t> picks(count);
  for (size_t& pick : picks) pick = random() % traces;
  return picks;
}

Latencies TimeStore(LocalStore& store, const std::vector<TraceId>& traces,
                    const std::vector<size_t>& picks) {
  std::vector<double> millis;
  millis.reserve(picks.size());
  for (size_t pick : picks) {
    uint64_t spans = 0;
    bool found = false;
    const auto start = Clock::now();
    Check(store.GetTrace(
              traces[pick], kChunkSpans,
              [&](const SpanBatch& chunk) {
                spans += chunk.spans().size();
                return Status();
              },
              found),
          "get-trace from the store");
    millis.push_back(Millis(Clock::now() - start));
    if (spans != kTraceSpans) {
      std::fprintf(stderr, "query_bench: the store returned %llu spans of a %zu-span trace\n",
                   static_cast<unsigned long long>(spans), kTraceSpans);
      std::exit(1);
    }
  }
  return Summarize(std::move(millis));
}

std::string TracePath(const TraceId& id) {
  return "/api/traces/" + id.ToHex();
}

// Spans in a /api/traces response: each span has exactly one "processID" (the processes map
// keys its entries by id and has no such member).
size_t CountSpans(std::string_view body) {
  size_t count = 0;
  for (size_t at = body.find("\"processID\":"); at != std::string_view::npos;
       at = body.find("\"processID\":", at + 1)) {
    ++count;
  }
  return count;
}

// GETs every trace once on `client` and checks the answer; returns the mean body size.
double CheckEveryTrace(runtime::HttpClient& client, const std::vector<TraceId>& traces) {
  uint64_t bytes = 0;
  for (const TraceId& id : traces) {
    runtime::HttpClientResponse response;
    Check(client.Request(http::verb::get, TracePath(id), {}, "", response), "GET");
    const size_t spans = CountSpans(response.body);
    if (response.status != 200 || spans != kTraceSpans) {
      std::fprintf(stderr, "query_bench: GET %s answered %u with %zu spans: %.200s\n",
                   TracePath(id).c_str(), response.status, spans, response.body.c_str());
      std::exit(1);
    }
    bytes += response.body.size();
  }
  return static_cast<double>(bytes) / static_cast<double>(traces.size());
}

using Headers = std::vector<std::pair<std::string, std::string>>;

// One client's share of the requests: GETs of picks[first, first + count) on one connection,
// sending `headers`. Adds the body size of each answer to `bytes`.
void RunClient(uint16_t port, const std::vector<TraceId>& traces, const std::vector<size_t>& picks,
               const Headers& headers, size_t first, size_t count, double* millis,
               std::atomic<uint64_t>& bytes, std::atomic<bool>& failed) {
  runtime::HttpClient client("127.0.0.1", port);
  for (size_t i = first; i < first + count; ++i) {
    runtime::HttpClientResponse response;
    const auto start = Clock::now();
    const Status status = client.Request(http::verb::get, TracePath(traces[picks[i]]), headers, "",
                                         response, std::chrono::seconds(30));
    millis[i] = Millis(Clock::now() - start);
    bytes += response.body.size();
    if (!status.ok() || response.status != 200) {
      std::fprintf(stderr, "query_bench: GET answered %u: %s\n", response.status,
                   status.ok() ? response.body.c_str() : status.message().c_str());
      failed = true;
      return;
    }
  }
}

struct HttpResult {
  Latencies latency;
  double requests_per_second = 0;
  double cpu_ms_per_request = 0;  // the whole process's: server and client
  double response_bytes = 0;      // mean body size as sent (gzip-coded when asked for)
};

// picks.size() requests shared by `clients` concurrent clients, each on its own connection.
HttpResult TimeHttp(uint16_t port, const std::vector<TraceId>& traces,
                    const std::vector<size_t>& picks, int clients, const Headers& headers = {}) {
  std::vector<double> millis(picks.size());
  std::atomic<uint64_t> bytes{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  const size_t share = picks.size() / static_cast<size_t>(clients);
  const double cpu_before = ProcessCpuSeconds();
  const auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    const size_t first = static_cast<size_t>(c) * share;
    const size_t count = c + 1 == clients ? picks.size() - first : share;
    threads.emplace_back(RunClient, port, std::cref(traces), std::cref(picks), std::cref(headers),
                         first, count, millis.data(), std::ref(bytes), std::ref(failed));
  }
  for (auto& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu_seconds = ProcessCpuSeconds() - cpu_before;
  if (failed) std::exit(1);
  const auto requests = static_cast<double>(picks.size());
  return {.latency = Summarize(std::move(millis)),
          .requests_per_second = requests / seconds,
          .cpu_ms_per_request = cpu_seconds * 1000 / requests,
          .response_bytes = static_cast<double>(bytes) / requests};
}

void PrintHttp(const std::string& label, const HttpResult& result) {
  std::printf(
      "http %s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms, %.0f requests/s, CPU %.2f "
      "ms per request, %.0f bytes per response\n",
      label.c_str(), result.latency.p50, result.latency.p90, result.latency.p99, result.latency.max,
      result.requests_per_second, result.cpu_ms_per_request, result.response_bytes);
}

int Run(const Options& options) {
  const fs::path directory =
      options.path.empty()
          ? fs::temp_directory_path() / ("ariadne-query-bench-" + std::to_string(::getpid()))
          : fs::path(options.path);
  fs::create_directories(directory);
  const fs::path store_path = directory / "store";
  fs::remove_all(store_path);

  storage::local::LocalStoreOptions store_options;
  store_options.path = store_path.string();
  std::shared_ptr<LocalStore> store;
  Check(LocalStore::Open(store_options, store), "opening the store");

  const Loaded loaded = Load(*store, options);
  std::printf("load: %llu spans (%zu traces of %zu spans among them) in %.1f s, settled\n",
              static_cast<unsigned long long>(loaded.spans), loaded.traces.size(), kTraceSpans,
              loaded.seconds);

  const std::vector<size_t> picks = Picks(loaded.traces.size(), options.requests, 5);
  const Latencies direct = TimeStore(*store, loaded.traces, picks);
  std::printf("store GetTrace (no HTTP, no JSON): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms\n",
              direct.p50, direct.p90, direct.p99);

  query::QueryOptions query_options;
  query_options.http_host_port = "127.0.0.1:0";
  query_options.grpc_host_port = "127.0.0.1:0";
  std::unique_ptr<query::Query> query;
  Check(query::Query::Start(query_options, *store, *store, std::make_shared<prometheus::Registry>(),
                            query),
        "starting the query service");
  const auto port = static_cast<uint16_t>(query->http_port());

  double response_bytes = 0;
  {
    runtime::HttpClient client("127.0.0.1", port);
    response_bytes = CheckEveryTrace(client, loaded.traces);
  }
  std::printf("response: %.0f bytes per 1,000-span trace (%.0f per span), every trace checked\n",
              response_bytes, response_bytes / static_cast<double>(kTraceSpans));

  const HttpResult sequential = TimeHttp(port, loaded.traces, picks, 1);
  PrintHttp("1 client", sequential);
  const HttpResult concurrent = TimeHttp(port, loaded.traces, picks, options.clients);
  PrintHttp(std::to_string(options.clients) + " clients", concurrent);
  const HttpResult gzip =
      TimeHttp(port, loaded.traces, picks, 1, {{"Accept-Encoding", "gzip, deflate, br"}});
  PrintHttp("1 client, Accept-Encoding gzip", gzip);
  query->Shutdown();

  const uint64_t rss = PeakRssMib();
  std::printf("rss: peak %llu MiB (the store, the query service and the generator)\n",
              static_cast<unsigned long long>(rss));
  std::printf(
      "{\"spans\":%llu,\"traces\":%zu,\"trace_spans\":%zu,\"requests\":%zu,\"clients\":%d,"
      "\"store_p50_ms\":%.2f,\"store_p99_ms\":%.2f,\"http_p50_ms\":%.2f,\"http_p90_ms\":%.2f,"
      "\"http_p99_ms\":%.2f,\"http_max_ms\":%.2f,\"http_requests_per_second\":%.0f,"
      "\"http_cpu_ms_per_request\":%.2f,\"concurrent_p50_ms\":%.2f,\"concurrent_p90_ms\":%.2f,"
      "\"concurrent_p99_ms\":%.2f,\"concurrent_max_ms\":%.2f,"
      "\"concurrent_requests_per_second\":%.0f,\"gzip_p50_ms\":%.2f,\"gzip_p99_ms\":%.2f,"
      "\"gzip_cpu_ms_per_request\":%.2f,\"gzip_response_bytes\":%.0f,\"response_bytes\":%.0f,"
      "\"peak_rss_mib\":%llu}\n",
      static_cast<unsigned long long>(loaded.spans), loaded.traces.size(), kTraceSpans,
      options.requests, options.clients, direct.p50, direct.p99, sequential.latency.p50,
      sequential.latency.p90, sequential.latency.p99, sequential.latency.max,
      sequential.requests_per_second, sequential.cpu_ms_per_request, concurrent.latency.p50,
      concurrent.latency.p90, concurrent.latency.p99, concurrent.latency.max,
      concurrent.requests_per_second, gzip.latency.p50, gzip.latency.p99, gzip.cpu_ms_per_request,
      gzip.response_bytes, response_bytes, static_cast<unsigned long long>(rss));
  std::printf(
      "summary: | get-trace, 1,000-span trace, HTTP keep-alive | 1 client: p50 %.2f ms, p99 "
      "%.2f ms, %.0f req/s, %.1f ms CPU/request; %d clients: p50 %.2f ms, p99 %.2f ms, %.0f "
      "req/s; gzip: p50 %.2f ms, p99 %.2f ms | store GetTrace: p50 %.2f ms, p99 %.2f ms | %.0f "
      "KB/response (%.0f KB gzip) | p99 <= 10 ms |\n",
      sequential.latency.p50, sequential.latency.p99, sequential.requests_per_second,
      sequential.cpu_ms_per_request, options.clients, concurrent.latency.p50,
      concurrent.latency.p99, concurrent.requests_per_second, gzip.latency.p50, gzip.latency.p99,
      direct.p50, direct.p99, response_bytes / 1000, gzip.response_bytes / 1000);

  query.reset();
  store.reset();
  if (options.path.empty()) fs::remove_all(directory);
  return 0;
}

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) {
  ariadne::bench::Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "query_bench: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--short") {
      options.traces = 5;
      options.spans = 20'000;
      options.requests = 40;
    } else if (arg == "--traces") {
      options.traces = std::max<size_t>(1, std::stoull(value()));
    } else if (arg == "--spans") {
      options.spans = std::stoull(value());
    } else if (arg == "--requests") {
      options.requests = std::max<size_t>(1, std::stoull(value()));
    } else if (arg == "--clients") {
      options.clients = std::max(1, std::stoi(value()));
    } else if (arg == "--path") {
      options.path = value();
    } else {
      std::fprintf(stderr,
                   "usage: query_bench [--traces N] [--spans S] [--requests R] [--clients C] "
                   "[--path DIR] [--short]\n");
      return 2;
    }
  }
  return ariadne::bench::Run(options);
}
