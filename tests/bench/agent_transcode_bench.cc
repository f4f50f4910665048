// agent_transcode_bench: the per-datagram work of ariadne-agent, without sockets or gRPC: decode
// an Agent.emitBatch datagram into the model (jaeger_thrift::DecodeAgentMessage), then encode one
// api_v2 PostSpansRequest per resource (jaeger_proto::EncodePostSpansRequest), as the agent's
// Thrift processor and gRPC reporter do for every datagram (issue 6's budget: 500,000 spans per
// agent core for the whole agent, sockets and gRPC included).
//
//   agent_transcode_bench              7 rounds of ~0.3 s per measurement, medians
//   agent_transcode_bench --short      one short round (CI smoke; still checks every step)
//   agent_transcode_bench --rounds N   rounds per measurement
//   agent_transcode_bench --seconds S  CPU seconds per round and measurement
//   agent_transcode_bench --stage X    only the decode, encode or both stage, for profiling (the
//                                      others print 0)
//
// Datagrams are what `ariadne-tracegen --protocol jaeger-binary-udp` (and jaeger-compact-udp)
// sends: tracegen's generator (default options, the seed's service graph) and its own datagram
// slicing. Each stage runs over every datagram in turn: decode (a fresh batch per datagram, as
// the agent makes), encode (of batches decoded beforehand), and both in a row (the agent's work).
// Times are the thread's CPU time, so waiting for a core does not count, but other load on the
// machine still slows the figures through shared cores and caches: compare runs made side by
// side. Printed per protocol and stage: spans per CPU-second and nanoseconds per span (medians),
// then one JSON line.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "tracecore/codec/jaeger_proto.h"
#include "tracecore/codec/jaeger_thrift.h"
#include "tracegen/protocol.h"
#include "tracegen/service_graph.h"
#include "tracegen/trace_generator.h"

namespace ariadne::bench {
namespace {

using tracecore::SpanBatch;
using tracecore::jaeger_thrift::Protocol;

struct Options {
  bool short_mode = false;
  int rounds = 7;
  double seconds = 0.3;
  std::string stage;  // empty: all stages
};

struct Datagrams {
  const char* name = "";
  Protocol protocol = Protocol::kBinary;
  std::vector<std::string> bytes;
  size_t spans = 0;
  size_t total_bytes = 0;
};

double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The median; infinity for a stage that did not run (its rate prints as 0).
double Median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::infinity();
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// What tracegen sends for `protocol`: `groups` request groups of 100 spans per service.
Datagrams MakeDatagrams(const char* name, tracegen::Protocol protocol, int groups) {
  Datagrams out;
  out.name = name;
  out.protocol =
      protocol == tracegen::Protocol::kJaegerCompactUdp ? Protocol::kCompact : Protocol::kBinary;
  const tracegen::ServiceGraph graph = tracegen::DefaultServiceGraph();
  tracegen::GeneratorOptions generator_options;
  tracegen::TraceGenerator generator(graph, generator_options);
  const uint64_t now = 1764240000000000000ULL;
  for (int g = 0; g < groups; ++g) {
    SpanBatch batch;
    generator.GenerateSpans(100 * graph.services().size(), now, batch);
    std::vector<tracegen::EncodedRequest> requests;
    tracegen::EncodeRequests(protocol, batch, requests);
    for (tracegen::EncodedRequest& request : requests) {
      out.spans += request.spans;
      out.total_bytes += request.body.size();
      out.bytes.push_back(std::move(request.body));
    }
  }
  return out;
}

// Decodes one datagram as the agent does (a fresh batch per datagram). False on error.
bool Decode(const Datagrams& datagrams, const std::string& datagram, SpanBatch& batch) {
  tracecore::jaeger_thrift::AgentMessageInfo info;
  return tracecore::jaeger_thrift::DecodeAgentMessage(datagram, datagrams.protocol, batch, &info)
      .ok();
}

// Encodes one PostSpansRequest per resource with spans, each into a fresh string, as the agent's
// reporter does. Returns the bytes written.
size_t Encode(const SpanBatch& batch) {
  std::vector<uint32_t> spans_per_resource(batch.resources().size(), 0);
  for (const tracecore::Span& span : batch.spans()) ++spans_per_resource[span.resource_index];
  size_t bytes = 0;
  for (uint32_t resource = 0; resource < spans_per_resource.size(); ++resource) {
    if (spans_per_resource[resource] == 0) continue;
    std::string encoded;
    tracecore::jaeger_proto::EncodePostSpansRequest(batch, resource, encoded);
    bytes += encoded.size();
  }
  return bytes;
}

// CPU seconds per pass of `pass` (one call handles every datagram), over at least `target`.
double SecondsPerPass(const std::function<bool()>& pass, double target, bool& ok) {
  int passes = 0;
  const double start = ThreadCpuSeconds();
  double elapsed = 0;
  do {
    ok = pass() && ok;
    ++passes;
    elapsed = ThreadCpuSeconds() - start;
  } while (elapsed < target);
  return elapsed / passes;
}

// Checks that every datagram decodes to its spans and re-encodes to a request that decodes to
// the same spans (a smoke check of the measured path, not a substitute for the unit tests).
bool Check(const Datagrams& datagrams) {
  size_t decoded = 0;
  size_t reencoded = 0;
  for (const std::string& datagram : datagrams.bytes) {
    SpanBatch batch;
    if (!Decode(datagrams, datagram, batch)) return false;
    decoded += batch.spans().size();
    for (uint32_t resource = 0; resource < batch.resources().size(); ++resource) {
      std::string encoded;
      tracecore::jaeger_proto::EncodePostSpansRequest(batch, resource, encoded);
      SpanBatch again;
      if (!tracecore::jaeger_proto::DecodePostSpansRequest(encoded, again).ok()) return false;
      reencoded += again.spans().size();
    }
  }
  return decoded == datagrams.spans && reencoded == datagrams.spans;
}

struct StageResult {
  double decode = 0;  // median seconds per pass
  double encode = 0;
  double both = 0;
};

StageResult Measure(const Datagrams& datagrams, const Options& options, bool& ok) {
  // The encode stage encodes batches decoded beforehand.
  std::vector<SpanBatch> decoded(datagrams.bytes.size());
  for (size_t i = 0; i < decoded.size(); ++i) {
    ok = Decode(datagrams, datagrams.bytes[i], decoded[i]) && ok;
  }
  auto wanted = [&](const char* stage) { return options.stage.empty() || options.stage == stage; };
  std::vector<double> decode, encode, both;
  for (int round = 0; round < options.rounds; ++round) {
    if (wanted("decode")) {
      decode.push_back(SecondsPerPass(
          [&] {
            bool pass_ok = true;
            for (const std::string& datagram : datagrams.bytes) {
              SpanBatch batch;
              pass_ok = Decode(datagrams, datagram, batch) && pass_ok;
            }
            return pass_ok;
          },
          options.seconds, ok));
    }
    if (wanted("encode")) {
      encode.push_back(SecondsPerPass(
          [&] {
            size_t bytes = 0;
            for (const SpanBatch& batch : decoded) bytes += Encode(batch);
            return bytes > 0;
          },
          options.seconds, ok));
    }
    if (wanted("both")) {
      both.push_back(SecondsPerPass(
          [&] {
            bool pass_ok = true;
            for (const std::string& datagram : datagrams.bytes) {
              SpanBatch batch;
              pass_ok = Decode(datagrams, datagram, batch) && pass_ok;
              pass_ok = Encode(batch) > 0 && pass_ok;
            }
            return pass_ok;
          },
          options.seconds, ok));
    }
  }
  return {Median(decode), Median(encode), Median(both)};
}

int Run(const Options& options) {
  const int groups = options.short_mode ? 1 : 4;
  std::vector<Datagrams> sets;
  sets.push_back(MakeDatagrams("jaeger-binary-udp", tracegen::Protocol::kJaegerBinaryUdp, groups));
  sets.push_back(
      MakeDatagrams("jaeger-compact-udp", tracegen::Protocol::kJaegerCompactUdp, groups));

  std::printf("agent_transcode_bench: %d round(s) of %.2f CPU-s per stage, medians\n",
              options.rounds, options.seconds);
  std::printf("%-20s %9s %9s %9s | %12s %8s | %12s %8s | %12s %8s\n", "protocol", "datagrams",
              "spans/dg", "bytes/sp", "decode sp/s", "ns/span", "encode sp/s", "ns/span",
              "both sp/s", "ns/span");
  bool all_ok = true;
  std::string json = "{";
  for (const Datagrams& set : sets) {
    bool ok = Check(set);
    if (!ok) {
      std::printf("%-20s FAILED: a datagram did not decode or re-encode to its spans\n", set.name);
      all_ok = false;
      continue;
    }
    const StageResult result = Measure(set, options, ok);
    if (!ok) {
      std::printf("%-20s FAILED during the measurement\n", set.name);
      all_ok = false;
      continue;
    }
    const auto spans = static_cast<double>(set.spans);
    auto rate = [&](double seconds) { return spans / seconds; };
    auto nanos = [&](double seconds) { return seconds * 1e9 / spans; };
    std::printf("%-20s %9zu %9.1f %9.0f | %12.0f %8.0f | %12.0f %8.0f | %12.0f %8.0f\n", set.name,
                set.bytes.size(), spans / static_cast<double>(set.bytes.size()),
                static_cast<double>(set.total_bytes) / spans, rate(result.decode),
                nanos(result.decode), rate(result.encode), nanos(result.encode), rate(result.both),
                nanos(result.both));
    char entry[256];
    std::snprintf(entry, sizeof(entry),
                  "%s\"%s\":{\"decode_spans_per_s\":%.0f,\"encode_spans_per_s\":%.0f,"
                  "\"both_spans_per_s\":%.0f}",
                  json.size() > 1 ? "," : "", set.name, rate(result.decode), rate(result.encode),
                  rate(result.both));
    json += entry;
  }
  json += "}";
  std::printf("%s\n", json.c_str());
  return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) {
  ariadne::bench::Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--short") {
      options.short_mode = true;
      options.rounds = 1;
      options.seconds = 0.01;
    } else if (arg == "--rounds" && i + 1 < argc) {
      options.rounds = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--stage" && i + 1 < argc) {
      options.stage = argv[++i];
      if (options.stage != "decode" && options.stage != "encode" && options.stage != "both") {
        std::fprintf(stderr, "--stage: decode, encode or both\n");
        return 2;
      }
    } else if (arg == "--seconds" && i + 1 < argc) {
      options.seconds = std::max(0.001, std::atof(argv[++i]));
    } else {
      std::fprintf(
          stderr,
          "usage: agent_transcode_bench [--short] [--rounds N] [--seconds S] [--stage X]\n");
      return 2;
    }
  }
  return ariadne::bench::Run(options);
}
