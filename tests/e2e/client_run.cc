#include "client_run.h"

#include <prometheus/registry.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "agent/agent.h"
#include "child_process.h"
#include "collector/collector.h"
#include "manifest.h"
#include "memory/memory_store.h"
#include "services/collector/collector_test_support.h"

namespace ariadne::e2e {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSetupHint = "run scripts/setup-e2e.sh (see tests/e2e/README.md)";

fs::path ClientsDirectory() {
  return fs::path(ARIADNE_SOURCE_DIR) / "tests/e2e/clients";
}

// `name` found on PATH, or "" when it is not there.
std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string directories = path != nullptr ? path : "";
  size_t begin = 0;
  while (begin <= directories.size()) {
    const size_t end = std::min(directories.find(':', begin), directories.size());
    const fs::path candidate = fs::path(directories.substr(begin, end - begin)) / name;
    if (end > begin && access(candidate.c_str(), X_OK) == 0) return candidate.string();
    begin = end + 1;
  }
  return "";
}

bool PythonVenvHasOpenTelemetry(const fs::path& venv) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(venv / "lib", error)) {
    if (fs::exists(entry.path() / "site-packages/opentelemetry/sdk")) return true;
  }
  return false;
}

// The interpreter that runs `client` for `protocol`. Fails the test case with what to do when the
// toolchain or the client libraries are not installed: the end-to-end tests never skip silently.
std::string RequireToolchain(Client client, Protocol protocol) {
  if (client == Client::kNode) {
    std::string node = FindOnPath("node");
    if (node.empty()) FAIL("node is not on PATH: install node >= 18 with npm, then " << kSetupHint);
    const fs::path sdk = ClientsDirectory() / "node/node_modules/@opentelemetry/sdk-trace-base";
    if (!fs::exists(sdk / "package.json")) {
      FAIL("the OpenTelemetry JS clients are not installed (no " << sdk.string()
                                                                 << "): " << kSetupHint);
    }
    return node;
  }
  // The Jaeger Thrift exporter needs an older SDK: it has a venv of its own
  // (clients/python/requirements-jaeger.txt).
  const fs::path venv =
      ClientsDirectory() /
      (protocol == Protocol::kJaegerAgentCompact ? "python/.venv-jaeger" : "python/.venv");
  const fs::path python = venv / "bin/python";
  if (access(python.c_str(), X_OK) != 0) {
    FAIL("the Python venv " << venv.string() << " does not exist: " << kSetupHint);
  }
  if (!PythonVenvHasOpenTelemetry(venv)) {
    FAIL("the OpenTelemetry Python SDK is not installed in " << venv.string() << ": "
                                                             << kSetupHint);
  }
  return python.string();
}

// A temporary directory, removed with everything in it when this goes out of scope.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "ariadne-e2e-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

bool ThroughAgent(Protocol protocol) {
  return protocol == Protocol::kJaegerAgentCompact || protocol == Protocol::kJaegerAgentBinary;
}

// An agent in-process on loopback port-0 UDP servers, forwarding to `collector`'s Jaeger gRPC port.
std::unique_ptr<agent::Agent> StartAgent(const collector::Collector& collector) {
  agent::AgentOptions options;
  options.jaeger_compact.host_port = "127.0.0.1:0";
  options.jaeger_binary.host_port = "127.0.0.1:0";
  options.zipkin_compact.host_port.clear();
  options.http_host_port.clear();
  options.jaeger_compact.workers = options.jaeger_binary.workers = 2;
  options.reporter.host_ports = {"127.0.0.1:" + std::to_string(collector.jaeger_grpc_port())};
  std::unique_ptr<agent::Agent> agent;
  const tracecore::Status started =
      agent::Agent::Start(options, std::make_shared<prometheus::Registry>(), agent);
  INFO(started.message());
  REQUIRE(started.ok());
  return agent;
}

// The --endpoint each client takes for `protocol` (tests/e2e/README.md, "Running a client").
std::string Endpoint(const collector::Collector& collector, const agent::Agent* agent,
                     Protocol protocol) {
  const std::string host = "http://127.0.0.1:";
  switch (protocol) {
    case Protocol::kJaegerAgentCompact:
      return "127.0.0.1:" + std::to_string(agent->jaeger_compact_port());
    case Protocol::kJaegerAgentBinary:
      return "127.0.0.1:" + std::to_string(agent->jaeger_binary_port());
    case Protocol::kOtlpGrpc: return host + std::to_string(collector.otlp_grpc_port());
    case Protocol::kOtlpHttpProto:
    case Protocol::kOtlpHttpJson:
      return host + std::to_string(collector.otlp_http_port()) + "/v1/traces";
    case Protocol::kZipkin: return host + std::to_string(collector.zipkin_port()) + "/api/v2/spans";
    case Protocol::kJaegerHttp: return host + std::to_string(collector.http_port()) + "/api/traces";
  }
  return "";
}

ChildProcessSpec ClientProcess(const ClientCase& client_case, const std::string& interpreter,
                               const std::string& endpoint, const std::string& manifest) {
  ChildProcessSpec spec;
  // Loopback must never go through a proxy (Python's requests and gRPC honour *_proxy), and the
  // user's OTEL_* settings must not change what the SDKs send.
  spec.environment = {{"NO_PROXY", "127.0.0.1,localhost"}, {"no_proxy", "127.0.0.1,localhost"}};
  spec.drop_environment_prefixes = {"OTEL_"};
  if (client_case.seed_snippet && client_case.client == Client::kPython) {
    // seed_snippet.py: the seed's tracing.py, which sends to an agent.
    spec.working_directory = (ClientsDirectory() / "python").string();
    spec.argv = {interpreter, "seed_snippet.py", "--manifest", manifest};
    const size_t colon = endpoint.rfind(':');
    spec.environment.emplace_back("ARIADNE_E2E_JAEGER_AGENT_HOST", endpoint.substr(0, colon));
    spec.environment.emplace_back("ARIADNE_E2E_JAEGER_AGENT_PORT", endpoint.substr(colon + 1));
    return spec;
  }
  if (client_case.seed_snippet) {
    spec.working_directory = (ClientsDirectory() / "node").string();
    spec.argv = {interpreter, "seed_snippet.js", "--manifest", manifest};
    spec.environment.emplace_back("ARIADNE_E2E_JAEGER_ENDPOINT", endpoint);
    return spec;
  }
  const bool node = client_case.client == Client::kNode;
  spec.working_directory = (ClientsDirectory() / (node ? "node" : "python")).string();
  spec.argv = {interpreter,    node ? "send.js" : "send.py",
               "--protocol",   ProtocolName(client_case.protocol),
               "--endpoint",   endpoint,
               "--manifest",   manifest,
               "--timeout-ms", "10000"};
  if (client_case.compression != "none") {
    spec.argv.insert(spec.argv.end(), {"--compression", client_case.compression});
  }
  return spec;
}

// Every stored span of the traces named in `manifest`, by trace id then span id (a list, so that a
// span stored twice shows up).
using StoredSpans = std::map<std::string, std::map<std::string, std::vector<PlainSpan>>>;

StoredSpans ReadBack(storage::MemoryStore& store, const Manifest& manifest) {
  StoredSpans stored;
  std::set<std::string> trace_ids;
  for (const PlainSpan& span : manifest.spans) trace_ids.insert(span.trace_id);
  for (const std::string& hex : trace_ids) {
    const auto trace_id = tracecore::TraceId::FromHex(hex);
    REQUIRE(trace_id.has_value());
    auto& spans = stored[hex];
    bool found = false;
    const tracecore::Status read = store.GetTrace(
        *trace_id, 1000,
        [&spans](const tracecore::SpanBatch& chunk) {
          for (const tracecore::Span& span : chunk.spans()) {
            PlainSpan plain = FromModel(chunk, span);
            spans[plain.span_id].push_back(std::move(plain));
          }
          return tracecore::Status();
        },
        found);
    INFO(read.message());
    REQUIRE(read.ok());
    if (!found) FAIL_CHECK("trace " << hex << " of the manifest was not stored at all");
  }
  return stored;
}

void CompareWithManifest(const ClientCase& client_case, const Manifest& manifest,
                         StoredSpans& stored) {
  for (const PlainSpan& sent : manifest.spans) {
    std::vector<PlainSpan>& copies = stored[sent.trace_id][sent.span_id];
    if (copies.size() != 1) {
      FAIL_CHECK("span '" << sent.name << "' " << sent.span_id << " of trace " << sent.trace_id
                          << " was stored " << copies.size() << " times, expected once");
    }
    if (!copies.empty()) {
      const Expectation expected =
          ExpectedStoredSpan(client_case.client, client_case.protocol, sent);
      for (const std::string& diff :
           CompareSpans(expected.span, copies.front(), expected.tolerance)) {
        FAIL_CHECK(diff);
      }
    }
    copies.clear();  // what is left afterwards was not sent
  }
  for (const auto& [trace_id, spans] : stored) {
    for (const auto& [span_id, copies] : spans) {
      for (const PlainSpan& extra : copies) {
        FAIL_CHECK("stored span '" << extra.name << "' " << span_id << " of trace " << trace_id
                                   << " is not in the manifest");
      }
    }
  }
}

}  // namespace

void RunClientCase(const ClientCase& client_case) {
  const std::string interpreter = RequireToolchain(client_case.client, client_case.protocol);
  const std::string what = client_case.seed_snippet
                               ? "seed snippet of " + ClientName(client_case.client)
                               : ClientName(client_case.client) + " " +
                                     ProtocolName(client_case.protocol) + " (compression " +
                                     client_case.compression + ")";
  INFO("client: " << what);

  storage::MemoryStore store;
  std::unique_ptr<collector::Collector> collector;
  const tracecore::Status started = collector::Collector::Start(
      testing::LoopbackOptions(), store, std::make_shared<prometheus::Registry>(), collector);
  INFO(started.message());
  REQUIRE(started.ok());

  std::unique_ptr<agent::Agent> agent;
  if (ThroughAgent(client_case.protocol)) agent = StartAgent(*collector);

  TemporaryDirectory directory;
  REQUIRE(!directory.path().empty());
  const std::string manifest_path = (directory.path() / "manifest.json").string();
  const std::string endpoint = Endpoint(*collector, agent.get(), client_case.protocol);
  const ChildProcessResult run =
      RunChildProcess(ClientProcess(client_case, interpreter, endpoint, manifest_path));
  {
    INFO("client output:\n" << run.output << run.error);
    REQUIRE(run.started);
    REQUIRE_FALSE(run.timed_out);
    REQUIRE(run.exit_code == 0);
  }

  if (agent) {
    // UDP has no answer: the client is done when its datagrams left, not when they arrived. Wait
    // (bounded) until the store holds as many spans as were sent, then stop the agent, which
    // delivers whatever it still holds; a missing span then shows up as a difference below.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (store.span_count() < client_case.expected_spans &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    agent->Shutdown();
  }
  // Drains the queue into the store: afterwards the store holds every span the collector took.
  collector->Shutdown();

  Manifest manifest;
  const tracecore::Status read = ReadManifest(manifest_path, manifest);
  INFO(read.message());
  REQUIRE(read.ok());
  CHECK(manifest.protocol == ProtocolName(client_case.protocol));
  CHECK(manifest.endpoint == endpoint);
  CHECK(manifest.client ==
        (client_case.client == Client::kNode ? "opentelemetry-js" : "opentelemetry-python"));
  REQUIRE(manifest.spans.size() == client_case.expected_spans);

  StoredSpans stored = ReadBack(store, manifest);
  CompareWithManifest(client_case, manifest, stored);
  CHECK(store.span_count() == manifest.spans.size());
}

}  // namespace ariadne::e2e
