// Config: flags, environment variables, precedence, errors, --help. The YAML file is tested in
// config_file_test.cc.
#include "runtime/config.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>

#include "runtime/config/config_test_support.h"

namespace ariadne::runtime {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using testing::ConfigLogCapture;
using testing::Environment;
using testing::ParseArgs;
using testing::TempFile;
using tracecore::StatusCode;

// A collector-like set of options with known defaults.
struct Options {
  int64_t queue_size = 2000;
  int64_t num_workers = 50;
  std::string storage_type = "memory";
  std::string base_path = "/";
  bool otlp_enabled = false;
  double ratio = 0.5;
  nanoseconds flush_interval = milliseconds(1000);
  std::vector<std::string> tags = {"a", "b"};

  void Register(Config& config) {
    config.AddInt("collector.queue-size", &queue_size, "Spans the queue holds", 1, 100000);
    config.AddInt("collector.num-workers", &num_workers, "Workers that write spans", 1, 1000);
    config.AddString("span-storage.type", &storage_type, "Where spans go");
    config.AddString("query.base-path", &base_path, "Base path of the UI");
    config.AddBool("collector.otlp.enabled", &otlp_enabled, "Serve OTLP");
    config.AddDouble("sampling.ratio", &ratio, "Default sampling ratio", 0, 1);
    config.AddDuration("es.bulk.flush-interval", &flush_interval, "Bulk flush interval");
    config.AddStringList("collector.tags", &tags, "Tags added to every span");
  }
};

struct Fixture {
  Config config{"ariadne-collector", "receives spans"};
  Options options;
  Fixture() { options.Register(config); }
};

TEST_CASE("Config reads --name=value and --name value") {
  Fixture f;
  REQUIRE(ParseArgs(f.config, {"--collector.queue-size=300", "--span-storage.type", "local",
                               "--query.base-path=/jaeger"})
              .ok());
  CHECK(f.options.queue_size == 300);
  CHECK(f.options.storage_type == "local");
  CHECK(f.options.base_path == "/jaeger");
  CHECK(f.config.WasSet("collector.queue-size"));
  CHECK(f.config.WasSet("span-storage.type"));
  CHECK_FALSE(f.config.WasSet("collector.num-workers"));
  CHECK(f.options.num_workers == 50);  // the default stays
  CHECK_FALSE(f.config.help_requested());
}

TEST_CASE("Config: a value may contain '=' and may start with '-'") {
  Fixture f;
  REQUIRE(ParseArgs(f.config, {"--query.base-path=a=b", "--span-storage.type", "-x"}).ok());
  CHECK(f.options.base_path == "a=b");
  CHECK(f.options.storage_type == "-x");
}

TEST_CASE("Config: the last of a repeated flag wins, a repeated list flag adds") {
  Fixture f;
  REQUIRE(ParseArgs(f.config, {"--collector.queue-size=1", "--collector.queue-size=2",
                               "--collector.tags=x,y", "--collector.tags", "z"})
              .ok());
  CHECK(f.options.queue_size == 2);
  CHECK(f.options.tags == std::vector<std::string>{"x", "y", "z"});
}

TEST_CASE("Config: lists are comma-separated, trimmed, without empty items") {
  Fixture f;
  REQUIRE(ParseArgs(f.config, {"--collector.tags= a , b,,c "}).ok());
  CHECK(f.options.tags == std::vector<std::string>{"a", "b", "c"});
  Fixture empty;
  REQUIRE(ParseArgs(empty.config, {"--collector.tags="}).ok());
  CHECK(empty.options.tags.empty());
}

TEST_CASE("Config: booleans") {
  SECTION("a bare flag means true") {
    Fixture f;
    REQUIRE(ParseArgs(f.config, {"--collector.otlp.enabled", "--collector.queue-size=3"}).ok());
    CHECK(f.options.otlp_enabled);
    CHECK(f.options.queue_size == 3);
  }
  SECTION("a bare flag at the end means true") {
    Fixture f;
    REQUIRE(ParseArgs(f.config, {"--collector.otlp.enabled"}).ok());
    CHECK(f.options.otlp_enabled);
  }
  SECTION("=false and a following false") {
    Fixture f;
    f.options.otlp_enabled = true;
    REQUIRE(ParseArgs(f.config, {"--collector.otlp.enabled=false"}).ok());
    CHECK_FALSE(f.options.otlp_enabled);
    Fixture g;
    g.options.otlp_enabled = true;
    REQUIRE(ParseArgs(g.config, {"--collector.otlp.enabled", "false"}).ok());
    CHECK_FALSE(g.options.otlp_enabled);
  }
  SECTION("Go's spellings") {
    for (const char* text : {"1", "t", "T", "TRUE", "true", "True"}) {
      Fixture f;
      REQUIRE(ParseArgs(f.config, {std::string("--collector.otlp.enabled=") + text}).ok());
      CHECK(f.options.otlp_enabled);
    }
  }
  SECTION("anything else is an error") {
    Fixture f;
    const auto status = ParseArgs(f.config, {"--collector.otlp.enabled=yes"});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.message() ==
          "invalid value \"yes\" for --collector.otlp.enabled (set by flag): expected true or "
          "false");
  }
}

TEST_CASE("Config: --help and -h") {
  for (const char* flag : {"--help", "-h"}) {
    Fixture f;
    // Help wins even over a bad flag elsewhere on the line.
    REQUIRE(ParseArgs(f.config, {"--collector.queu-size=1", flag}).ok());
    CHECK(f.config.help_requested());
  }
}

TEST_CASE("Config reads registered names from the environment") {
  Fixture f;
  const Environment environment = {
      {"COLLECTOR_QUEUE_SIZE", "700"},     {"SPAN_STORAGE_TYPE", "local"},
      {"COLLECTOR_OTLP_ENABLED", "true"},  {"ES_BULK_FLUSH_INTERVAL", "1m30s"},
      {"COLLECTOR_TAGS", "x,y"},           {"QUERY_BASE_PATH", ""},  // empty counts as unset
      {"UNRELATED_VARIABLE", "not an int"}};
  REQUIRE(ParseArgs(f.config, {}, environment).ok());
  CHECK(f.options.queue_size == 700);
  CHECK(f.options.storage_type == "local");
  CHECK(f.options.otlp_enabled);
  CHECK(f.options.flush_interval == std::chrono::seconds(90));
  CHECK(f.options.tags == std::vector<std::string>{"x", "y"});
  CHECK(f.options.base_path == "/");
  CHECK_FALSE(f.config.WasSet("query.base-path"));
  CHECK(f.config.WasSet("collector.queue-size"));
}

TEST_CASE("Config::EnvironmentName") {
  CHECK(Config::EnvironmentName("collector.queue-size") == "COLLECTOR_QUEUE_SIZE");
  CHECK(Config::EnvironmentName("es.tags-as-fields.all") == "ES_TAGS_AS_FIELDS_ALL");
  CHECK(Config::EnvironmentName("config-file") == "CONFIG_FILE");
}

TEST_CASE("Config::ProcessEnvironment holds this process's variables") {
  REQUIRE(setenv("ARIADNE_CONFIG_TEST_VARIABLE", "a=b", 1) == 0);
  const auto environment = Config::ProcessEnvironment();
  REQUIRE(environment.count("ARIADNE_CONFIG_TEST_VARIABLE") == 1);
  CHECK(environment.at("ARIADNE_CONFIG_TEST_VARIABLE") == "a=b");
  unsetenv("ARIADNE_CONFIG_TEST_VARIABLE");
}

TEST_CASE("Config precedence: flag > environment > config file > default") {
  const TempFile file(
      "collector:\n"
      "  queue-size: 30\n"           // also in the environment and a flag
      "  num-workers: 31\n"          // also in the environment
      "span-storage.type: file\n");  // only here
  Fixture f;
  const Environment environment = {{"COLLECTOR_QUEUE_SIZE", "20"}, {"COLLECTOR_NUM_WORKERS", "21"}};
  REQUIRE(
      ParseArgs(f.config, {"--collector.queue-size=10", "--config-file", file.path()}, environment)
          .ok());
  CHECK(f.options.queue_size == 10);
  CHECK(f.options.num_workers == 21);
  CHECK(f.options.storage_type == "file");
  CHECK(f.options.base_path == "/");
  CHECK(f.config.WasSet("collector.queue-size"));
  CHECK(f.config.WasSet("collector.num-workers"));
  CHECK(f.config.WasSet("span-storage.type"));
  CHECK(f.config.WasSet("config-file"));
  CHECK_FALSE(f.config.WasSet("query.base-path"));
}

TEST_CASE("Config: only the strongest source is checked") {
  Fixture f;
  REQUIRE(
      ParseArgs(f.config, {"--collector.queue-size=10"}, {{"COLLECTOR_QUEUE_SIZE", "bad"}}).ok());
  CHECK(f.options.queue_size == 10);
}

TEST_CASE("Config: CONFIG_FILE names the file, --config-file beats it") {
  const TempFile from_environment("collector.queue-size: 40\n");
  const TempFile from_flag("collector.queue-size: 41\n");
  Fixture f;
  REQUIRE(ParseArgs(f.config, {}, {{"CONFIG_FILE", from_environment.path()}}).ok());
  CHECK(f.options.queue_size == 40);
  Fixture g;
  REQUIRE(ParseArgs(g.config, {"--config-file=" + from_flag.path()},
                    {{"CONFIG_FILE", from_environment.path()}})
              .ok());
  CHECK(g.options.queue_size == 41);
}

TEST_CASE("Config: unknown flags suggest the closest name") {
  Fixture f;
  const auto status = ParseArgs(f.config, {"--collector.queu-size=5"});
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.message() ==
        "unknown flag --collector.queu-size; did you mean --collector.queue-size? (run with --help "
        "for every option)");

  Fixture g;
  CHECK(ParseArgs(g.config, {"--collector.queue_size", "5"}).message() ==
        "unknown flag --collector.queue_size; did you mean --collector.queue-size? (run with "
        "--help for every option)");

  Fixture h;
  CHECK(ParseArgs(h.config, {"--nothing-like-this=1"}).message() ==
        "unknown flag --nothing-like-this (run with --help for every option)");
}

TEST_CASE("Config: single-dash flags and stray words are errors") {
  Fixture f;
  CHECK(ParseArgs(f.config, {"-collector.queue-size=5"}).message() ==
        "unknown flag -collector.queue-size; flags take two dashes: --collector.queue-size");
  Fixture g;
  CHECK(ParseArgs(g.config, {"-x"}).message() ==
        "unknown flag -x (run with --help for every option)");
  Fixture h;
  CHECK(ParseArgs(h.config, {"serve"}).message() ==
        "unexpected argument \"serve\"; options are given as --name=value (run with --help for "
        "every option)");
  Fixture i;
  CHECK(ParseArgs(i.config, {"--", "serve"}).message() ==
        "unexpected argument \"serve\"; options are given as --name=value (run with --help for "
        "every option)");
}

TEST_CASE("Config: a flag without its value is an error") {
  Fixture f;
  CHECK(ParseArgs(f.config, {"--collector.queue-size"}).message() ==
        "flag --collector.queue-size needs a value: --collector.queue-size=VALUE");
  Fixture g;
  CHECK(ParseArgs(g.config, {"--config-file"}).message() ==
        "flag --config-file needs a value: --config-file=VALUE");
}

TEST_CASE("Config: after --, every word is a stray argument") {
  Fixture f;
  CHECK(ParseArgs(f.config, {"--", "-x"}).message() ==
        "unexpected argument \"-x\"; options are given as --name=value (run with --help for "
        "every option)");
}

TEST_CASE("Config: --help=false does not ask for help") {
  Fixture f;
  REQUIRE(ParseArgs(f.config, {"--help=false"}).ok());
  CHECK_FALSE(f.config.help_requested());
}

TEST_CASE("Config: integers are plain decimal numbers within range") {
  for (const char* text : {"1e3", "0x10", "+5", " 5", "5 ", "5.0", "", "1_000", "five",
                           "99999999999999999999", "0", "100001", "-1"}) {
    Fixture f;
    const auto status = ParseArgs(f.config, {std::string("--collector.queue-size=") + text});
    INFO(text);
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.message() == "invalid value \"" + std::string(text) +
                                  "\" for --collector.queue-size (set by flag): expected a whole "
                                  "number from 1 to 100000");
    CHECK(f.options.queue_size == 2000);
  }
  for (const auto& [text, value] :
       std::vector<std::pair<std::string, int64_t>>{{"1", 1}, {"100000", 100000}, {"007", 7}}) {
    Fixture f;
    REQUIRE(ParseArgs(f.config, {"--collector.queue-size=" + text}).ok());
    CHECK(f.options.queue_size == value);
  }
}

TEST_CASE("Config: an open-ended integer range says so") {
  Config config("ariadne-collector", "");
  int64_t limit = 0;
  config.AddInt("memory.max-traces", &limit, "", 0, INT64_MAX);
  CHECK(ParseArgs(config, {"--memory.max-traces=-3"}).message() ==
        "invalid value \"-3\" for --memory.max-traces (set by flag): expected a whole number of "
        "at least 0");
}

TEST_CASE("Config: bad values name the environment variable or the file") {
  Fixture f;
  CHECK(ParseArgs(f.config, {}, {{"COLLECTOR_QUEUE_SIZE", "lots"}}).message() ==
        "invalid value \"lots\" for --collector.queue-size (set by environment variable "
        "COLLECTOR_QUEUE_SIZE): expected a whole number from 1 to 100000");
  const TempFile file("collector:\n  queue-size: lots\n");
  Fixture g;
  CHECK(ParseArgs(g.config, {"--config-file=" + file.path()}).message() ==
        "invalid value \"lots\" for --collector.queue-size (set by config file " + file.path() +
            ", line 2): expected a whole number from 1 to 100000");
}

TEST_CASE("Config: doubles") {
  Fixture f;
  REQUIRE(ParseArgs(f.config, {"--sampling.ratio=0.25"}).ok());
  CHECK(f.options.ratio == 0.25);
  for (const char* text : {"1.5", "-0.1", "nan", "inf", "0x1p-2", "half", ""}) {
    Fixture g;
    INFO(text);
    CHECK(ParseArgs(g.config, {std::string("--sampling.ratio=") + text}).message() ==
          "invalid value \"" + std::string(text) +
              "\" for --sampling.ratio (set by flag): expected a number from 0 to 1");
  }
}

TEST_CASE("Config: durations take Go's syntax") {
  Fixture f;
  REQUIRE(ParseArgs(f.config, {"--es.bulk.flush-interval=1h30m"}).ok());
  CHECK(f.options.flush_interval == std::chrono::minutes(90));
  Fixture g;
  CHECK(ParseArgs(g.config, {"--es.bulk.flush-interval=7d"}).message() ==
        "invalid value \"7d\" for --es.bulk.flush-interval (set by flag): invalid duration "
        "\"7d\": unknown unit \"d\" (use ns, us, ms, s, m or h); expected a Go duration such as "
        "500ms, 1.5s, 2m30s or 72h (units ns, us, ms, s, m, h)");
}

TEST_CASE("Config: unavailable names are accepted but fail when set") {
  const std::string reason =
      "the 'elasticsearch' storage is not in this build of Ariadne yet; use "
      "--span-storage.type=memory";
  auto make = [&reason](Config& config, Options& options) {
    options.Register(config);
    config.AddUnavailable("es.", reason);  // a prefix beside the registered es.bulk.flush-interval
    config.AddUnavailable("cassandra.keyspace", "no cassandra");
  };
  SECTION("not set: fine") {
    Config config("ariadne-collector", "");
    Options options;
    make(config, options);
    REQUIRE(ParseArgs(config, {"--es.bulk.flush-interval=2s"}).ok());
    CHECK(options.flush_interval == std::chrono::seconds(2));
  }
  SECTION("a flag under the prefix") {
    Config config("ariadne-collector", "");
    Options options;
    make(config, options);
    const auto status =
        ParseArgs(config, {"--es.server-urls=http://elasticsearch:9200", "--es.tags-as-fields.all",
                           "--es.username", "elastic", "--collector.queue-size=5"});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.message() == "--es.server-urls (set by flag) cannot be used: " + reason +
                                  "; also set: --es.tags-as-fields.all, --es.username");
  }
  SECTION("an exact name from the environment") {
    Config config("ariadne-collector", "");
    Options options;
    make(config, options);
    CHECK(ParseArgs(config, {}, {{"CASSANDRA_KEYSPACE", "jaeger"}}).message() ==
          "--cassandra.keyspace (set by environment variable CASSANDRA_KEYSPACE) cannot be used: "
          "no cassandra");
  }
  SECTION("prefixes are not matched against the environment") {
    Config config("ariadne-collector", "");
    Options options;
    make(config, options);
    CHECK(ParseArgs(config, {}, {{"ES_SERVER_URLS", "http://x"}, {"ES_JAVA_OPTS", "-Xms2g"}}).ok());
  }
  SECTION("from the config file") {
    const TempFile file("es:\n  server-urls: http://elasticsearch:9200\n");
    Config config("ariadne-collector", "");
    Options options;
    make(config, options);
    CHECK(ParseArgs(config, {"--config-file", file.path()}).message() ==
          "--es.server-urls (set by config file " + file.path() +
              ", line 2) cannot be used: " + reason);
  }
}

TEST_CASE("Config: ignored names are accepted from every source and logged") {
  const TempFile file("replicas: 3\n");
  Fixture f;
  f.config.AddIgnored("replicas", "a deployment setting");
  f.config.AddIgnored("log-format", "we always log text");
  f.config.AddIgnored("admin.http.tls", "not a process setting");
  const ConfigLogCapture log;
  REQUIRE(ParseArgs(f.config,
                    {"--log-format=json", "--config-file", file.path(), "--admin.http.tls"},
                    {{"ADMIN_HTTP_TLS", "true"}})
              .ok());
  CHECK(f.config.WasSet("replicas"));
  CHECK(f.config.WasSet("log-format"));
  CHECK(log.text() ==
        "info --admin.http.tls (set by flag) is ignored: not a process setting\n"
        "info --log-format (set by flag) is ignored: we always log text\n"
        "info --replicas (set by config file " +
            file.path() + ", line 1) is ignored: a deployment setting\n");
}

TEST_CASE("Config: registration mistakes throw") {
  Fixture f;
  int64_t number = 5;
  std::string text;
  CHECK_THROWS_AS(f.config.AddInt("collector.queue-size", &number, "", 0, 10), std::logic_error);
  CHECK_THROWS_AS(f.config.AddString("config-file", &text, ""), std::logic_error);
  CHECK_THROWS_AS(f.config.AddString("bad name", &text, ""), std::logic_error);
  CHECK_THROWS_AS(f.config.AddString("trailing.", &text, ""), std::logic_error);
  CHECK_THROWS_AS(f.config.AddString("", &text, ""), std::logic_error);
  CHECK_THROWS_AS(f.config.AddString("collector.queue.size", &text, ""), std::logic_error);
  CHECK_THROWS_AS(f.config.AddInt("a.number", &number, "", 6, 10), std::logic_error);
  CHECK_THROWS_AS(f.config.AddInt("b.number", &number, "", 10, 0), std::logic_error);
  CHECK_THROWS_AS(f.config.AddUnavailable("collector.queue-size", "no"), std::logic_error);
  CHECK_THROWS_AS(f.config.AddIgnored("span-storage.type", "no"), std::logic_error);
}

TEST_CASE("Config: Parse runs once") {
  Fixture f;
  REQUIRE(ParseArgs(f.config, {}).ok());
  CHECK(ParseArgs(f.config, {}).code() == StatusCode::kInternal);
}

TEST_CASE("Config::HelpText groups options by their first name segment") {
  Config config("ariadne-collector", "receives spans");
  int64_t queue_size = 2000;
  int64_t workers = 50;
  std::string level = "info";
  std::string base_path;
  bool enabled = true;
  nanoseconds interval = milliseconds(200);
  std::vector<std::string> tags = {"a", "b"};
  // Registered out of order: the text is sorted.
  config.AddString("query.base-path", &base_path, "Base path of the UI");
  config.AddInt("collector.queue-size", &queue_size, "Spans the queue holds", 1, 100000);
  config.AddBool("collector.otlp.enabled", &enabled, "Serve OTLP");
  config.AddString("log-level", &level, "debug, info, warn or error");
  config.AddInt("collector.num-workers", &workers, "Workers", 1, INT64_MAX);
  config.AddDuration("query.timeout", &interval, "Request timeout");
  config.AddStringList("collector.tags", &tags, "Tags");
  config.AddUnavailable("es.", "no Elasticsearch yet");
  config.AddIgnored("replicas", "a deployment setting");
  CHECK(config.HelpText() ==
        "ariadne-collector: receives spans\n"
        "\n"
        "Usage: ariadne-collector [--name=value | --name value]...\n"
        "Each option can also be set by its environment variable or in the YAML file of "
        "--config-file;\n"
        "a flag beats the environment, which beats the file, which beats the default.\n"
        "\n"
        "general:\n"
        "  --config-file string  (env CONFIG_FILE)\n"
        "      YAML file of options: nested keys spell the names (a: {b.c: 1} sets --a.b.c)\n"
        "  -h, --help\n"
        "      Print this text and exit\n"
        "  --log-level string  (env LOG_LEVEL, default \"info\")\n"
        "      debug, info, warn or error\n"
        "\n"
        "collector:\n"
        "  --collector.num-workers int  (env COLLECTOR_NUM_WORKERS, default 50, of at least 1)\n"
        "      Workers\n"
        "  --collector.otlp.enabled bool  (env COLLECTOR_OTLP_ENABLED, default true)\n"
        "      Serve OTLP\n"
        "  --collector.queue-size int  (env COLLECTOR_QUEUE_SIZE, default 2000, from 1 to 100000)\n"
        "      Spans the queue holds\n"
        "  --collector.tags strings  (env COLLECTOR_TAGS, default \"a,b\")\n"
        "      Tags\n"
        "\n"
        "query:\n"
        "  --query.base-path string  (env QUERY_BASE_PATH)\n"
        "      Base path of the UI\n"
        "  --query.timeout duration  (env QUERY_TIMEOUT, default 200ms)\n"
        "      Request timeout\n"
        "\n"
        "not in this build (setting them stops the program):\n"
        "  --es.*\n"
        "      no Elasticsearch yet\n"
        "\n"
        "accepted and ignored:\n"
        "  --replicas\n"
        "      a deployment setting\n");
}

}  // namespace
}  // namespace ariadne::runtime
