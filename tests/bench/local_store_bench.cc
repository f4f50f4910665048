// local_store_bench: the `local` store under tracegen's realistic traces, beside the physical
// baselines measured in the same run (docs/benchmarks.md, "Local storage").
//
//   local_store_bench [--spans N] [--writers W] [--batch-spans B] [--path DIR] [--short]
//
// 1. ingest: W threads generate batches of about B spans (1,000) with tracegen's generator (the
// seed's
//    service graph) and write them; reports spans/s, and spans per CPU-second of the store (the
//    process's CPU less the generators' own, measured per thread);
// 2. size: table bytes per span once the store has settled (indexes included), and the
//    directory's bytes per span (the write-ahead log too);
// 3. get-trace: 1,000-span traces, each written as 20 batches among the load; p50/p99 of
//    GetTrace reading every span;
// 4. search: service + tag + min duration, limit 20, and service + operation; p50/p99;
// 5. RSS: the process's peak resident memory;
// baselines: zstd (level 3) of the same spans' OTLP bytes, and sequential write speed of the
// directory's disk (1 MiB writes, then fdatasync).
//
// Prints one line per figure and a final JSON line. --short: 200,000 spans, for CI smoke runs.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "local/local_store.h"
#include "tracecore/codec/otlp_proto.h"
#include "tracecore/span_copier.h"
#include "tracegen/service_graph.h"
#include "tracegen/trace_generator.h"

namespace ariadne::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using storage::local::LocalStore;
using tracecore::SpanBatch;
using tracecore::Status;
using tracecore::TraceId;

struct Options {
  uint64_t spans = 10'000'000;
  int writers = 2;
  size_t batch_spans = 1000;  // at least; whole traces
  std::string path;
  bool short_mode = false;
};

double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

uint64_t PeakRssMib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) / 1024;
  }
  return 0;
}

uint64_t NowNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

uint64_t DirectoryBytes(const fs::path& path) {
  uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(path)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<size_t>(p * static_cast<double>(values.size() - 1));
  return values[index];
}

void Check(const Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "local_store_bench: %s: %s\n", what, status.message().c_str());
  std::exit(1);
}

// ---------------------------------------------------------------------------------------------
// Ingest

struct IngestResult {
  uint64_t spans = 0;
  double seconds = 0;
  double store_cpu_seconds = 0;
  uint64_t raw_otlp_bytes = 0;     // the OTLP encoding of a sample of the batches
  uint64_t raw_sample_spans = 0;   // spans in that sample
  uint64_t zstd_sample_bytes = 0;  // the sample compressed with zstd level 3
  std::vector<TraceId> big_traces;
};

// Splits the spans of `trace` into `parts` batches (copies), for writing among the load.
std::vector<SpanBatch> Split(const SpanBatch& trace, size_t parts) {
  std::vector<SpanBatch> batches(parts);
  std::vector<tracecore::SpanCopier> copiers;
  for (auto& batch : batches) copiers.emplace_back(batch);
  for (size_t i = 0; i < trace.spans().size(); ++i) {
    copiers[i * parts / trace.spans().size()].Copy(trace, trace.spans()[i]);
  }
  return batches;
}

IngestResult Ingest(LocalStore& store, const Options& options) {
  const tracegen::ServiceGraph graph = tracegen::DefaultServiceGraph();
  std::atomic<uint64_t> written{0};
  std::vector<double> generator_cpu(options.writers, 0);
  IngestResult result;
  std::mutex result_mutex;
  const double cpu_before = ProcessCpuSeconds();
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < options.writers; ++w) {
    threads.emplace_back([&, w] {
      tracegen::GeneratorOptions generator_options;
      generator_options.seed = 1000 + w;
      tracegen::TraceGenerator generator(graph, generator_options);
      generator_options.spans_per_trace = 1000;
      tracegen::TraceGenerator big_generator(graph, generator_options);
      const uint64_t share = options.spans / options.writers;
      uint64_t mine = 0;
      uint64_t batches = 0;
      std::vector<SpanBatch> pending_big;
      while (mine < share) {
        const double generate_start = ThreadCpuSeconds();
        SpanBatch batch;
        generator.GenerateSpans(options.batch_spans, NowNanos(), batch);
        // Every 500 batches, a 1,000-span trace starts arriving in 20 pieces.
        if (batches % 500 == 0 && pending_big.empty()) {
          SpanBatch big;
          big_generator.Generate(1, NowNanos(), big);
          std::lock_guard lock(result_mutex);
          result.big_traces.push_back(big.spans().front().trace_id);
          pending_big = Split(big, 20);
        }
        std::string encoded;
        const bool sample = batches % 50 == 0;
        if (sample) tracecore::otlp::EncodeExportRequest(batch, encoded);
        generator_cpu[w] += ThreadCpuSeconds() - generate_start;
        Check(store.WriteBatch(batch), "writing");
        if (!pending_big.empty()) {
          Check(store.WriteBatch(pending_big.back()), "writing");
          mine += pending_big.back().spans().size();
          pending_big.pop_back();
        }
        mine += batch.spans().size();
        ++batches;
        if (sample) {
          std::string compressed(ZSTD_compressBound(encoded.size()), '\0');
          const size_t size = ZSTD_compress(compressed.data(), compressed.size(), encoded.data(),
                                            encoded.size(), 3);
          std::lock_guard lock(result_mutex);
          result.raw_otlp_bytes += encoded.size();
          result.raw_sample_spans += batch.spans().size();
          result.zstd_sample_bytes += ZSTD_isError(size) ? encoded.size() : size;
        }
      }
      written += mine;
    });
  }
  for (auto& thread : threads) thread.join();
  Check(store.Flush(), "flushing");
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  double generators = 0;
  for (double cpu : generator_cpu) generators += cpu;
  result.store_cpu_seconds = ProcessCpuSeconds() - cpu_before - generators;
  result.spans = written;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Reads

std::vector<double> TimeGetTrace(LocalStore& store, const std::vector<TraceId>& traces, int rounds,
                                 uint64_t& spans_read) {
  std::vector<double> millis;
  for (int round = 0; round < rounds; ++round) {
    for (const TraceId& trace : traces) {
      uint64_t spans = 0;
      bool found = false;
      const auto start = Clock::now();
      Check(store.GetTrace(
                trace, 1000,
                [&](const SpanBatch& chunk) {
                  spans += chunk.spans().size();
                  return Status();
                },
                found),
            "get-trace");
      millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      spans_read = spans;
    }
  }
  return millis;
}

std::vector<double> TimeSearch(LocalStore& store, const storage::TraceQuery& base,
                               uint64_t first_ns, uint64_t last_ns, int count,
                               uint64_t& found_total) {
  std::mt19937_64 random(7);
  std::vector<double> millis;
  for (int i = 0; i < count; ++i) {
    storage::TraceQuery query = base;
    // A one-hour lookback ending at a random point of the load (as the UI searches).
    query.start_time_max = first_ns + random() % std::max<uint64_t>(last_ns - first_ns, 1);
    query.start_time_min =
        query.start_time_max - std::min<uint64_t>(query.start_time_max, 3600ULL * 1'000'000'000);
    std::vector<TraceId> ids;
    const auto start = Clock::now();
    Check(store.FindTraceIds(query, ids), "search");
    millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    found_total += ids.size();
  }
  return millis;
}

// ---------------------------------------------------------------------------------------------
// Baseline: sequential write speed of the disk under `directory`.

double DiskWriteMBps(const fs::path& directory, uint64_t bytes) {
  const fs::path file = directory / "disk-baseline.tmp";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return 0;
  std::string block(1 << 20, '\0');
  std::mt19937_64 random(1);
  for (size_t i = 0; i + 8 <= block.size(); i += 8) {
    const uint64_t value = random();
    std::memcpy(&block[i], &value, 8);
  }
  const auto start = Clock::now();
  for (uint64_t done = 0; done < bytes; done += block.size()) {
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) break;
  }
  ::fdatasync(fd);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ::close(fd);
  fs::remove(file);
  return static_cast<double>(bytes) / 1e6 / seconds;
}

int Run(const Options& options) {
  const fs::path directory =
      options.path.empty()
          ? fs::temp_directory_path() / ("ariadne-local-bench-" + std::to_string(::getpid()))
          : fs::path(options.path);
  fs::create_directories(directory);
  const fs::path store_path = directory / "store";
  fs::remove_all(store_path);

  storage::local::LocalStoreOptions store_options;
  store_options.path = store_path.string();
  std::shared_ptr<LocalStore> store;
  Check(LocalStore::Open(store_options, store), "opening");

  const uint64_t load_start = NowNanos();
  const IngestResult ingest = Ingest(*store, options);
  const uint64_t load_end = NowNanos();
  std::printf(
      "ingest: %llu spans in %.1f s = %.0f spans/s with %d writers; store CPU %.1f s = "
      "%.0f spans per CPU-second\n",
      static_cast<unsigned long long>(ingest.spans), ingest.seconds,
      static_cast<double>(ingest.spans) / ingest.seconds, options.writers, ingest.store_cpu_seconds,
      static_cast<double>(ingest.spans) / ingest.store_cpu_seconds);

  // Let compactions finish, so that the size is what the store settles at.
  Check(store->Settle(), "settling");
  const uint64_t table_bytes = store->TableBytes();
  const uint64_t directory_bytes = DirectoryBytes(store_path);
  const double per_span = static_cast<double>(table_bytes) / static_cast<double>(ingest.spans);
  const double raw_per_span = static_cast<double>(ingest.raw_otlp_bytes) /
                              static_cast<double>(std::max<uint64_t>(ingest.raw_sample_spans, 1));
  const double zstd_per_span = static_cast<double>(ingest.zstd_sample_bytes) /
                               static_cast<double>(std::max<uint64_t>(ingest.raw_sample_spans, 1));
  std::printf(
      "size: %.1f bytes/span in table files (indexes included), %.1f bytes/span for the "
      "whole directory; baseline: OTLP protobuf %.1f bytes/span, zstd -3 of it %.1f "
      "bytes/span\n",
      per_span, static_cast<double>(directory_bytes) / static_cast<double>(ingest.spans),
      raw_per_span, zstd_per_span);

  uint64_t trace_spans = 0;
  const std::vector<double> get =
      TimeGetTrace(*store, ingest.big_traces, options.short_mode ? 5 : 25, trace_spans);
  std::printf("get-trace: %zu traces of %llu spans, p50 %.2f ms, p99 %.2f ms\n",
              ingest.big_traces.size(), static_cast<unsigned long long>(trace_spans),
              Percentile(get, 0.5), Percentile(get, 0.99));

  storage::TraceQuery tag_query;
  tag_query.service = "frontend";
  tag_query.tags = {{"http.status_code", "500"}};
  tag_query.duration_min = 10'000'000;  // 10 ms
  tag_query.limit = 20;
  uint64_t tag_found = 0;
  const int searches = options.short_mode ? 20 : 200;
  const std::vector<double> tag_search =
      TimeSearch(*store, tag_query, load_start, load_end, searches, tag_found);
  storage::TraceQuery operation_query;
  operation_query.service = "model-router";
  operation_query.operation = "POST /v1/route";
  operation_query.limit = 20;
  uint64_t operation_found = 0;
  const std::vector<double> operation_search =
      TimeSearch(*store, operation_query, load_start, load_end, searches, operation_found);
  std::printf("search service+tag+duration: p50 %.2f ms, p99 %.2f ms (%.1f traces per answer)\n",
              Percentile(tag_search, 0.5), Percentile(tag_search, 0.99),
              static_cast<double>(tag_found) / searches);
  std::printf("search service+operation: p50 %.2f ms, p99 %.2f ms (%.1f traces per answer)\n",
              Percentile(operation_search, 0.5), Percentile(operation_search, 0.99),
              static_cast<double>(operation_found) / searches);

  const uint64_t rss = PeakRssMib();
  const double disk = DiskWriteMBps(directory, options.short_mode ? (64ULL << 20) : (1ULL << 30));
  const double stored_mb_per_s =
      static_cast<double>(ingest.spans) / ingest.seconds * per_span / 1e6;
  std::printf("rss: peak %llu MiB\n", static_cast<unsigned long long>(rss));
  std::printf("disk: sequential write %.0f MB/s; the store wrote %.1f MB/s of table data\n", disk,
              stored_mb_per_s);
  std::printf(
      "{\"spans\":%llu,\"writers\":%d,\"ingest_spans_per_second\":%.0f,"
      "\"ingest_spans_per_cpu_second\":%.0f,\"table_bytes_per_span\":%.1f,"
      "\"directory_bytes_per_span\":%.1f,\"otlp_bytes_per_span\":%.1f,"
      "\"zstd_bytes_per_span\":%.1f,\"get_trace_p50_ms\":%.2f,\"get_trace_p99_ms\":%.2f,"
      "\"search_tag_p50_ms\":%.2f,\"search_tag_p99_ms\":%.2f,\"search_operation_p50_ms\":%.2f,"
      "\"search_operation_p99_ms\":%.2f,\"peak_rss_mib\":%llu,\"disk_write_mb_per_second\":%.0f}\n",
      static_cast<unsigned long long>(ingest.spans), options.writers,
      static_cast<double>(ingest.spans) / ingest.seconds,
      static_cast<double>(ingest.spans) / ingest.store_cpu_seconds, per_span,
      static_cast<double>(directory_bytes) / static_cast<double>(ingest.spans), raw_per_span,
      zstd_per_span, Percentile(get, 0.5), Percentile(get, 0.99), Percentile(tag_search, 0.5),
      Percentile(tag_search, 0.99), Percentile(operation_search, 0.5),
      Percentile(operation_search, 0.99), static_cast<unsigned long long>(rss), disk);

  const bool complete = trace_spans >= 500 && !ingest.big_traces.empty();
  store.reset();
  if (options.path.empty()) fs::remove_all(directory);
  if (!complete) {
    std::fprintf(stderr, "local_store_bench: a 1,000-span trace was not read back whole\n");
    return 1;
  }
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
        std::fprintf(stderr, "local_store_bench: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--short") {
      options.short_mode = true;
      options.spans = 200'000;
    } else if (arg == "--spans") {
      options.spans = std::stoull(value());
    } else if (arg == "--writers") {
      options.writers = std::max(1, std::stoi(value()));
    } else if (arg == "--batch-spans") {
      options.batch_spans = std::max<size_t>(1, std::stoull(value()));
    } else if (arg == "--path") {
      options.path = value();
    } else {
      std::fprintf(stderr,
                   "usage: local_store_bench [--spans N] [--writers W] [--batch-spans B] "
                   "[--path DIR] [--short]\n");
      return 2;
    }
  }
  return ariadne::bench::Run(options);
}
