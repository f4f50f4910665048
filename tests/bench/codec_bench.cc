// Codec benchmark: decode and encode throughput of every wire format on a realistic batch,
// printed beside the raw parse of the same bytes by the reference parser (libprotobuf, libthrift,
// simdjson) measured in the same run.
//
//   codec_bench             full run: 7 alternating rounds of ~0.3 s per measurement, medians
//   codec_bench --short     one short round per measurement (CI smoke: also checks every decode)
//   codec_bench --spans N   batch size (default 500)
//   codec_bench --only S    only formats whose name contains S
//
// Figures and their interpretation: docs/benchmarks.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "codec_bench_formats.h"
#include "realistic_batch.h"

namespace ariadne::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  bool short_mode = false;
  size_t spans = 500;
  std::string only;
};

// Seconds per call of `fn`, measured over enough calls to last about `target_seconds`.
double SecondsPerCall(const std::function<bool()>& fn, double target_seconds, bool& ok) {
  size_t calls = 1;
  for (;;) {
    auto start = Clock::now();
    for (size_t i = 0; i < calls; ++i) ok = fn() && ok;
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed >= target_seconds || calls >= (1u << 24))
      return elapsed / static_cast<double>(calls);
    calls =
        std::max(calls * 2, static_cast<size_t>(calls * target_seconds / std::max(elapsed, 1e-9)));
  }
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

int Run(const Options& options) {
  tracecore::SpanBatch batch = MakeRealisticBatch(options.spans);
  std::vector<Format> formats = AllFormats(batch);

  const int rounds = options.short_mode ? 1 : 7;
  const double target = options.short_mode ? 0.002 : 0.3;
  bool all_ok = true;

  std::printf("codec_bench: %zu spans per batch, %d round(s), medians; MB = 10^6 bytes\n",
              options.spans, rounds);
  std::printf("%-22s %8s | %9s %11s | %9s %11s | %-26s %9s | %7s\n", "format", "bytes", "decode",
              "decode", "encode", "encode", "baseline (raw parse)", "baseline", "ours/");
  std::printf("%-22s %8s | %9s %11s | %9s %11s | %-26s %9s | %7s\n", "", "", "MB/s", "spans/s",
              "MB/s", "spans/s", "", "MB/s", "base");
  for (const Format& format : formats) {
    if (!options.only.empty() && format.name.find(options.only) == std::string::npos) continue;
    std::vector<double> decode, encode, baseline;
    bool ok = true;
    for (int round = 0; round < rounds; ++round) {
      decode.push_back(SecondsPerCall([&] { return format.decode(format.bytes); }, target, ok));
      if (format.baseline) {
        baseline.push_back(
            SecondsPerCall([&] { return format.baseline(format.bytes); }, target, ok));
      }
      if (format.encode) {
        std::string out;
        encode.push_back(SecondsPerCall(
            [&] {
              out.clear();
              format.encode(batch, out);
              return !out.empty();
            },
            target, ok));
      }
    }
    if (!ok) {
      std::printf("%-22s FAILED: decode, encode or baseline returned an error\n",
                  format.name.c_str());
      all_ok = false;
      continue;
    }
    double mb = static_cast<double>(format.bytes.size()) / 1e6;
    double spans = static_cast<double>(format.spans);
    double d = Median(decode);
    std::printf("%-22s %8zu | %9.1f %11.0f | ", format.name.c_str(), format.bytes.size(), mb / d,
                spans / d);
    if (!encode.empty()) {
      double e = Median(encode);
      std::printf("%9.1f %11.0f | ", mb / e, spans / e);
    } else {
      std::printf("%9s %11s | ", "-", "-");
    }
    if (!baseline.empty()) {
      double b = Median(baseline);
      std::printf("%-26s %9.1f | %6.2fx\n", format.baseline_name.c_str(), mb / b, b / d);
    } else {
      std::printf("%-26s %9s | %7s\n", "-", "-", "-");
    }
  }
  return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) {
  ariadne::bench::Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--short") {
      options.short_mode = true;
    } else if (arg == "--spans" && i + 1 < argc) {
      options.spans = std::stoul(argv[++i]);
    } else if (arg == "--only" && i + 1 < argc) {
      options.only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: codec_bench [--short] [--spans N] [--only NAME]\n");
      return 2;
    }
  }
  return ariadne::bench::Run(options);
}
