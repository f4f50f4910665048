// The --config-file YAML (libs/runtime/src/config/config_file.cc), through Config: both shapes,
// conversions, errors, and the seed's tuning files.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "runtime/config.h"
#include "runtime/config/config_test_support.h"

namespace ariadne::runtime {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using testing::ConfigLogCapture;
using testing::ParseArgs;
using testing::SeedFixturePath;
using testing::TempFile;
using tracecore::StatusCode;

tracecore::Status ParseFile(Config& config, const std::string& path) {
  return ParseArgs(config, {"--config-file=" + path});
}

struct Options {
  int64_t queue_size = 2000;
  int64_t workers = 50;
  bool otlp_enabled = false;
  double ratio = 0.5;
  std::string storage_type = "memory";
  nanoseconds timeout = seconds(5);
  std::vector<std::string> tags;

  void Register(Config& config) {
    config.AddInt("collector.queue-size", &queue_size, "", 1, 100000);
    config.AddInt("collector.num-workers", &workers, "", 1, 1000);
    config.AddBool("collector.otlp.enabled", &otlp_enabled, "");
    config.AddDouble("sampling.ratio", &ratio, "", 0, 1);
    config.AddString("span-storage.type", &storage_type, "");
    config.AddDuration("es.bulk.timeout", &timeout, "");
    config.AddStringList("collector.tags", &tags, "");
  }
};

struct Fixture {
  explicit Fixture(const std::string& program = "ariadne-collector") : config(program, "") {
    options.Register(config);
  }
  Config config;
  Options options;
};

TEST_CASE("Config file: nested keys spell dotted names, and keys may hold dots") {
  const TempFile file(
      "collector:\n"
      "  queue-size: 300\n"
      "  otlp.enabled: true\n"
      "collector.num-workers: 7\n"
      "es: {bulk.timeout: 1m30s}\n"
      "sampling:\n"
      "  ratio: 0.125\n"
      "span-storage:\n"
      "  type: \"local\"\n");
  Fixture f;
  REQUIRE(ParseFile(f.config, file.path()).ok());
  CHECK(f.options.queue_size == 300);
  CHECK(f.options.otlp_enabled);
  CHECK(f.options.workers == 7);
  CHECK(f.options.timeout == seconds(90));
  CHECK(f.options.ratio == 0.125);
  CHECK(f.options.storage_type == "local");
  CHECK(f.config.WasSet("es.bulk.timeout"));
  CHECK_FALSE(f.config.WasSet("collector.tags"));
}

TEST_CASE("Config file: lists as sequences or comma text") {
  const TempFile sequence("collector:\n  tags: [a, \"b,c\", d]\n");
  Fixture f;
  REQUIRE(ParseFile(f.config, sequence.path()).ok());
  CHECK(f.options.tags == std::vector<std::string>{"a", "b,c", "d"});  // items are not split

  const TempFile block("collector.tags:\n  - x\n  - y\n");
  Fixture g;
  REQUIRE(ParseFile(g.config, block.path()).ok());
  CHECK(g.options.tags == std::vector<std::string>{"x", "y"});

  const TempFile text("collector.tags: x, y\n");
  Fixture h;
  REQUIRE(ParseFile(h.config, text.path()).ok());
  CHECK(h.options.tags == std::vector<std::string>{"x", "y"});

  const TempFile empty("collector.tags: []\n");
  Fixture i;
  i.options.tags = {"default"};
  REQUIRE(ParseFile(i.config, empty.path()).ok());
  CHECK(i.options.tags.empty());
}

TEST_CASE("Config file: a list for a single value is an error") {
  const TempFile file("collector:\n  queue-size: [1, 2]\n");
  Fixture f;
  CHECK(ParseFile(f.config, file.path()).message() ==
        "invalid value \"[1, 2]\" for --collector.queue-size (set by config file " + file.path() +
            ", line 2): expected a single value, not a list");
}

TEST_CASE("Config file: a list may hold only plain values") {
  const TempFile file("collector:\n  tags:\n    - {a: 1}\n");
  Fixture f;
  CHECK(ParseFile(f.config, file.path()).message() ==
        "config file " + file.path() +
            ", line 3: collector.tags: a list may hold only plain values");
}

TEST_CASE("Config file: an empty value is empty text") {
  const TempFile file("span-storage.type:\ncollector.queue-size:\n");
  Fixture f;
  CHECK(ParseFile(f.config, file.path()).message() ==
        "invalid value \"\" for --collector.queue-size (set by config file " + file.path() +
            ", line 2): expected a whole number from 1 to 100000");
  const TempFile text_only("span-storage.type:\n");
  Fixture g;
  REQUIRE(ParseFile(g.config, text_only.path()).ok());
  CHECK(g.options.storage_type.empty());
}

TEST_CASE("Config file: unknown keys name the dotted key, the file and the line") {
  const TempFile file(
      "collector:\n"
      "  num-workers: 3\n"
      "  queu-size: 5\n"
      "  zzz: 1\n");
  Fixture f;
  const auto status = ParseFile(f.config, file.path());
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.message() == "config file " + file.path() +
                                ", line 3: unknown key collector.queu-size; did you mean "
                                "collector.queue-size? (run with --help for every option)");
  const TempFile far("nothing.close: 1\n");
  Fixture g;
  CHECK(ParseFile(g.config, far.path()).message() ==
        "config file " + far.path() +
            ", line 1: unknown key nothing.close (run with --help for every option)");
}

TEST_CASE("Config file: a name set twice is an error") {
  const TempFile file("collector.queue-size: 1\ncollector:\n  queue-size: 2\n");
  Fixture f;
  CHECK(ParseFile(f.config, file.path()).message() ==
        "config file " + file.path() +
            ", line 3: collector.queue-size is set twice (first on line 1)");
}

TEST_CASE("Config file: YAML syntax errors give the line and column") {
  const TempFile file("collector:\n  queue-size: [1, 2\nquery: 1\n");
  Fixture f;
  CHECK(ParseFile(f.config, file.path()).message() ==
        "config file " + file.path() +
            ", line 3, column 6: YAML syntax error: end of sequence flow not found");

  const TempFile tab("collector:\n\tqueue-size: 1\n");
  Fixture g;
  CHECK(ParseFile(g.config, tab.path()).message() ==
        "config file " + tab.path() + ", line 2, column 12: YAML syntax error: illegal map value");
}

TEST_CASE("Config file: file-level errors") {
  SECTION("missing") {
    Fixture f;
    CHECK(ParseFile(f.config, "/nonexistent/ariadne.yaml").message() ==
          "config file /nonexistent/ariadne.yaml: cannot open: No such file or directory");
  }
  SECTION("a directory") {
    Fixture f;
    CHECK(ParseFile(f.config, "/").message() == "config file /: cannot read: Is a directory");
  }
  SECTION("empty is fine") {
    const TempFile file("");
    Fixture f;
    REQUIRE(ParseFile(f.config, file.path()).ok());
    CHECK(f.options.queue_size == 2000);
  }
  SECTION("only comments is fine") {
    const TempFile file("# nothing yet\n");
    Fixture f;
    CHECK(ParseFile(f.config, file.path()).ok());
  }
  SECTION("a scalar at the top") {
    const TempFile file("just text\n");
    Fixture f;
    CHECK(ParseFile(f.config, file.path()).message() ==
          "config file " + file.path() +
              ", line 1: expected a mapping of option names to values at the top");
  }
  SECTION("over 1 MiB") {
    const TempFile file("# " + std::string(1 << 20, 'x') + "\n");
    Fixture f;
    CHECK(ParseFile(f.config, file.path()).message() ==
          "config file " + file.path() + ": larger than 1 MiB; is it the right file?");
  }
  SECTION("nested too deep") {
    std::string text;
    for (int depth = 0; depth < 40; ++depth) text += std::string(depth * 2, ' ') + "k:\n";
    const TempFile file(text);
    Fixture f;
    CHECK(ParseFile(f.config, file.path()).message().find("nested deeper than 32 levels") !=
          std::string::npos);
  }
  SECTION("aliases that multiply the entries") {
    // Six levels of ten aliases each would name a million leaves.
    std::string text = "l0: &l0 {a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1, i: 1, j: 1}\n";
    for (int level = 1; level <= 6; ++level) {
      const std::string previous = "*l" + std::to_string(level - 1);
      text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " {";
      for (char key = 'a'; key <= 'j'; ++key) {
        text += std::string(key == 'a' ? "" : ", ") + key + ": " + previous;
      }
      text += "}\n";
    }
    const TempFile file(text);
    Fixture f;
    CHECK(ParseFile(f.config, file.path()).message().find("too many entries") != std::string::npos);
  }
}

// --- The Kubernetes / Jaeger Operator shape ------------------------------------------------------

struct SeedCollectorOptions {
  int64_t num_workers = 50;
  int64_t queue_size = 2000;
  int64_t packet_size_limit = 65000;
  int64_t max_packet_size = 4194304;

  void Register(Config& config) {
    config.AddInt("collector.num-workers", &num_workers, "", 1, 1000);
    config.AddInt("collector.queue-size", &queue_size, "", 1, 10000000);
    config.AddInt("collector.packet-size-limit", &packet_size_limit, "", 1, 1 << 30);
    config.AddInt("collector.max-packet-size", &max_packet_size, "", 1, 1 << 30);
  }
};

const char* const kEsReason =
    "the 'elasticsearch' storage is not in this build of Ariadne yet; use "
    "--span-storage.type=memory";

TEST_CASE("Seed collector-performance.yaml: es.* unavailable stops the program with the reason") {
  Config config("ariadne-collector", "");
  SeedCollectorOptions options;
  options.Register(config);
  config.AddUnavailable("es.", kEsReason);
  const std::string path = SeedFixturePath("collector-performance.yaml");
  CHECK(ParseFile(config, path).message() ==
        "--es.bulk.flush-interval (set by config file " + path +
            ", line 20) cannot be used: " + kEsReason +
            "; also set: --es.bulk.max-retries, --es.bulk.size, --es.bulk.timeout, "
            "--es.bulk.workers");
}

TEST_CASE("Seed collector-performance.yaml: with the es.bulk options registered, it parses") {
  Config config("ariadne-collector", "");
  SeedCollectorOptions options;
  options.Register(config);
  int64_t bulk_size = 5000000;
  int64_t bulk_workers = 1;
  int64_t bulk_max_retries = 0;
  nanoseconds bulk_flush_interval = seconds(1);
  nanoseconds bulk_timeout = seconds(0);
  config.AddInt("es.bulk.size", &bulk_size, "", 0, INT64_MAX);
  config.AddInt("es.bulk.workers", &bulk_workers, "", 1, 100);
  config.AddInt("es.bulk.max-retries", &bulk_max_retries, "", 0, 100);
  config.AddDuration("es.bulk.flush-interval", &bulk_flush_interval, "");
  config.AddDuration("es.bulk.timeout", &bulk_timeout, "");
  const ConfigLogCapture log;
  const std::string path = SeedFixturePath("collector-performance.yaml");
  REQUIRE(ParseFile(config, path).ok());
  CHECK(options.num_workers == 50);
  CHECK(options.queue_size == 10000);
  CHECK(options.packet_size_limit == 65000);
  CHECK(options.max_packet_size == 6500000);
  CHECK(bulk_size == 5000000);
  CHECK(bulk_flush_interval == milliseconds(200));
  CHECK(bulk_workers == 8);
  CHECK(bulk_max_retries == 3);
  CHECK(bulk_timeout == seconds(30));
  for (const char* name :
       {"collector.num-workers", "collector.queue-size", "collector.packet-size-limit",
        "collector.max-packet-size", "es.bulk.size", "es.bulk.flush-interval", "es.bulk.workers",
        "es.bulk.max-retries", "es.bulk.timeout"}) {
    CHECK(config.WasSet(name));
  }
  // The deployment keys are logged once each and otherwise ignored.
  CHECK(log.text() ==
        "info config file " + path +
            ", line 3: collector.replicas is a deployment setting (Kubernetes), ignored\n"
            "info config file " +
            path + ", line 4: collector.resources is a deployment setting (Kubernetes), ignored\n");
}

TEST_CASE("Seed collector-performance.yaml without its es block parses with es.* unavailable") {
  std::string text = testing::ReadTextFile(SeedFixturePath("collector-performance.yaml"));
  text = text.substr(0, text.find("    es:\n"));
  const TempFile file(text);
  Config config("ariadne-collector", "");
  SeedCollectorOptions options;
  options.Register(config);
  config.AddUnavailable("es.", kEsReason);
  REQUIRE(ParseFile(config, file.path()).ok());
  CHECK(options.queue_size == 10000);
}

TEST_CASE("Seed collector-performance.yaml: a flag still beats the file") {
  Config config("ariadne-collector", "");
  SeedCollectorOptions options;
  options.Register(config);
  config.AddUnavailable("es.", kEsReason);
  std::string text = testing::ReadTextFile(SeedFixturePath("collector-performance.yaml"));
  const TempFile file(text.substr(0, text.find("    es:\n")));
  REQUIRE(ParseArgs(config, {"--collector.queue-size=20", "--config-file", file.path()},
                    {{"COLLECTOR_NUM_WORKERS", "4"}})
              .ok());
  CHECK(options.queue_size == 20);
  CHECK(options.num_workers == 4);
  CHECK(options.packet_size_limit == 65000);
}

struct SeedQueryOptions {
  int64_t max_connections = 100;
  nanoseconds timeout = seconds(30);
  void Register(Config& config) {
    config.AddInt("query.max-connections", &max_connections, "", 1, 100000);
    config.AddDuration("query.timeout", &timeout, "");
  }
};

TEST_CASE("Seed query-performance.yaml: its 7d is not a Go duration") {
  Config config("ariadne-query", "");
  SeedQueryOptions options;
  options.Register(config);
  nanoseconds lookback{};
  nanoseconds default_lookback{};
  nanoseconds max_lookback{};
  config.AddDuration("query.lookback", &lookback, "");
  config.AddDuration("ui.default-lookback", &default_lookback, "");
  config.AddDuration("ui.max-lookback", &max_lookback, "");
  const std::string path = SeedFixturePath("query-performance.yaml");
  CHECK(ParseFile(config, path).message() ==
        "invalid value \"7d\" for --query.lookback (set by config file " + path +
            ", line 16): invalid duration \"7d\": unknown unit \"d\" (use ns, us, ms, s, m or h); "
            "expected a Go duration such as 500ms, 1.5s, 2m30s or 72h (units ns, us, ms, s, m, h)");
}

TEST_CASE("Seed query-performance.yaml: with the lookbacks as text, it parses") {
  Config config("ariadne-query", "");
  SeedQueryOptions options;
  options.Register(config);
  std::string lookback;
  std::string default_lookback;
  std::string max_lookback;
  config.AddString("query.lookback", &lookback, "");
  config.AddString("ui.default-lookback", &default_lookback, "");
  config.AddString("ui.max-lookback", &max_lookback, "");
  REQUIRE(ParseFile(config, SeedFixturePath("query-performance.yaml")).ok());
  CHECK(options.max_connections == 200);
  CHECK(options.timeout == seconds(60));
  CHECK(lookback == "7d");
  CHECK(default_lookback == "1h");
  CHECK(max_lookback == "7d");
}

TEST_CASE("Config file: another component's section is ignored with a log line") {
  Config config("ariadne-collector", "");
  SeedCollectorOptions options;
  options.Register(config);
  const ConfigLogCapture log;
  const std::string path = SeedFixturePath("query-performance.yaml");
  REQUIRE(ParseFile(config, path).ok());
  CHECK(log.text() == "info config file " + path +
                          ", line 2: the query section is for another program (ariadne-query), "
                          "ignored\n");
  CHECK_FALSE(config.WasSet("collector.queue-size"));
}

TEST_CASE("Config file: the all-in-one and unnamed programs read every section") {
  const TempFile file(
      "collector:\n  options: {collector.queue-size: 11}\n"
      "query:\n  replicas: 1\n  options:\n    query: {max-connections: 12}\n");
  for (const char* program : {"ariadne-all-in-one", "some-tool"}) {
    Config config(program, "");
    SeedCollectorOptions collector;
    collector.Register(config);
    SeedQueryOptions query;
    query.Register(config);
    INFO(program);
    REQUIRE(ParseFile(config, file.path()).ok());
    CHECK(collector.queue_size == 11);
    CHECK(query.max_connections == 12);
  }
}

TEST_CASE("Config file: the component shape's errors") {
  SECTION("a non-component key beside a component section") {
    const TempFile file("collector:\n  options: {}\nreplicas: 2\n");
    Fixture f;
    CHECK(ParseFile(f.config, file.path()).message() ==
          "config file " + file.path() +
              ", line 3: \"replicas\" beside a component section; the root of this file may only "
              "name components (collector, query, agent, all-in-one, ingester), each holding "
              "options:");
  }
  SECTION("options that are not a mapping") {
    const TempFile file("collector:\n  options: [1]\n");
    Fixture f;
    CHECK(ParseFile(f.config, file.path()).message() ==
          "config file " + file.path() +
              ", line 2: collector.options must be a mapping of option names to values");
  }
  SECTION("unknown option inside options") {
    const TempFile file("collector:\n  options:\n    collector.queue-sise: 1\n");
    Fixture f;
    CHECK(ParseFile(f.config, file.path()).message() ==
          "config file " + file.path() +
              ", line 3: unknown key collector.queue-sise; did you mean collector.queue-size? (run "
              "with --help for every option)");
  }
  SECTION("a component key without options: is the plain shape") {
    const TempFile file("collector:\n  replicas: 2\n");
    Fixture f;
    CHECK(ParseFile(f.config, file.path()).message() ==
          "config file " + file.path() +
              ", line 2: unknown key collector.replicas (run with --help for every option)");
  }
}

}  // namespace
}  // namespace ariadne::runtime
