// The query service's options (services/query/src/query_options.cc) through runtime::Config:
// Jaeger's names and defaults, the base path, day durations, the seed's files and command.
#include <pthread.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "query/query.h"
#include "runtime/config/config_test_support.h"

namespace ariadne::testing {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Parsed {
  tracecore::Status status;
  query::QueryOptions options;
};

// Registers the query options on a Config of ariadne-query, parses, then finishes them.
Parsed ParseQueryOptions(const std::vector<std::string>& args,
                         const Environment& environment = {}) {
  runtime::Config config("ariadne-query", "");
  Parsed parsed;
  query::AddQueryOptions(config, parsed.options);
  parsed.status = ParseArgs(config, args, environment);
  if (parsed.status.ok()) parsed.status = query::FinishQueryOptions(config, parsed.options);
  return parsed;
}

TEST_CASE("Query options: Jaeger's defaults") {
  const Parsed parsed = ParseQueryOptions({});
  REQUIRE(parsed.status.ok());
  const query::QueryOptions& options = parsed.options;
  CHECK(options.http_host_port == ":16686");
  CHECK(options.grpc_host_port == ":16685");
  CHECK(options.base_path.empty());
  CHECK(options.max_clock_skew_adjustment.count() == 0);
  CHECK(options.lookback == hours(48));
  CHECK(options.max_lookback.count() == 0);
  CHECK(options.ui_default_lookback == hours(1));
  CHECK(options.timeout == seconds(30));
  CHECK(options.max_trace_size == 100'000);
  CHECK(options.ui_config_file.empty());
  CHECK_FALSE(options.http_tls.enabled);
}

TEST_CASE("Query options: flags and environment") {
  const Parsed parsed = ParseQueryOptions(
      {"--query.http-server.host-port=127.0.0.1:26686", "--query.max-clock-skew-adjustment=500ms",
       "--query.max-trace-size", "5000", "--query.ui-config=/etc/ui.json",
       "--query.static-files=/srv/ui", "--query.grpc-server.host-port=:26685"},
      {{"QUERY_BASE_PATH", "/jaeger"}, {"QUERY_TIMEOUT", "2m"}});
  REQUIRE(parsed.status.ok());
  CHECK(parsed.options.http_host_port == "127.0.0.1:26686");
  CHECK(parsed.options.max_clock_skew_adjustment == milliseconds(500));
  CHECK(parsed.options.max_trace_size == 5000);
  CHECK(parsed.options.ui_config_file == "/etc/ui.json");
  CHECK(parsed.options.static_files == "/srv/ui");
  CHECK(parsed.options.grpc_host_port == ":26685");
  CHECK(parsed.options.base_path == "/jaeger");
  CHECK(parsed.options.timeout == std::chrono::minutes(2));
}

TEST_CASE("Query options: the base path is normalized or refused") {
  CHECK(ParseQueryOptions({"--query.base-path=/"}).options.base_path.empty());
  CHECK(ParseQueryOptions({"--query.base-path=/jaeger/"}).options.base_path == "/jaeger");
  CHECK(ParseQueryOptions({"--query.base-path=/a/b"}).options.base_path == "/a/b");
  CHECK(ParseQueryOptions({"--query.base-path="}).options.base_path.empty());
  CHECK(ParseQueryOptions({"--query.base-path=jaeger"}).status.message() ==
        "invalid value \"jaeger\" for --query.base-path: it must start with '/', e.g. /jaeger");
  CHECK(ParseQueryOptions({"--query.base-path=/a?b"}).status.message() ==
        "invalid value \"/a?b\" for --query.base-path: a path may not hold spaces, control "
        "characters, '?', '#', '%' or '\\'");
  CHECK(ParseQueryOptions({"--query.base-path=/a//b"}).status.message() ==
        "invalid value \"/a//b\" for --query.base-path: empty path segments (\"//\") are not "
        "allowed");
}

TEST_CASE("Query options: lookbacks take Go durations and whole days") {
  CHECK(ParseQueryOptions({"--query.lookback=7d"}).options.lookback == hours(7 * 24));
  CHECK(ParseQueryOptions({"--query.lookback=1d12h"}).options.lookback == hours(36));
  CHECK(ParseQueryOptions({"--query.lookback=90m"}).options.lookback == std::chrono::minutes(90));
  CHECK(ParseQueryOptions({"--query.max-lookback=30d"}).options.max_lookback == hours(720));
  CHECK(ParseQueryOptions({"--ui.default-lookback=2d"}).options.ui_default_lookback == hours(48));

  const std::string expected =
      "expected a Go duration such as 30m or 48h, or whole days such as 7d or 1d12h";
  CHECK(ParseQueryOptions({"--query.lookback=1.5d"}).status.message() ==
        "invalid value \"1.5d\" for --query.lookback: " + expected);
  CHECK(ParseQueryOptions({"--query.lookback=d"}).status.message() ==
        "invalid value \"d\" for --query.lookback: " + expected);
  CHECK(ParseQueryOptions({"--query.max-lookback=7dd"}).status.message() ==
        "invalid value \"7dd\" for --query.max-lookback: " + expected);
  CHECK(ParseQueryOptions({"--ui.max-lookback=7x"}).status.message() ==
        "invalid value \"7x\" for --ui.max-lookback: invalid duration \"7x\": unknown unit \"x\" "
        "(use ns, us, ms, s, m or h); " +
            expected);
  CHECK(ParseQueryOptions({"--query.lookback=999999999d"}).status.message() ==
        "invalid value \"999999999d\" for --query.lookback: too large");
  CHECK(ParseQueryOptions({"--query.lookback=0"}).status.message() ==
        "invalid value \"0\" for --query.lookback: a search window must be longer than 0");
}

TEST_CASE("Query options: ui.max-lookback is --query.max-lookback unless that is set") {
  CHECK(ParseQueryOptions({"--ui.max-lookback=7d"}).options.max_lookback == hours(168));
  CHECK(
      ParseQueryOptions({"--ui.max-lookback=7d", "--query.max-lookback=1d"}).options.max_lookback ==
      hours(24));
}

TEST_CASE("Query options: query.ui.config-file is --query.ui-config unless that is set") {
  CHECK(ParseQueryOptions({"--query.ui.config-file=/a.json"}).options.ui_config_file == "/a.json");
  CHECK(ParseQueryOptions({"--query.ui.config-file=/a.json", "--query.ui-config=/b.json"})
            .options.ui_config_file == "/b.json");
}

TEST_CASE("Query options: TLS files are checked, naming the flag") {
  const Parsed parsed = ParseQueryOptions(
      {"--query.http.tls.enabled", "--query.http.tls.cert=/nope", "--query.http.tls.key=/nope"});
  CHECK(parsed.status.code() == tracecore::StatusCode::kInvalidArgument);
  CHECK(parsed.status.message().starts_with("--query.http.tls.cert: "));
}

TEST_CASE("Seed query-performance.yaml: every key is accepted, 7d included") {
  const Parsed parsed =
      ParseQueryOptions({"--config-file=" + SeedFixturePath("query-performance.yaml")});
  INFO(parsed.status.message());
  REQUIRE(parsed.status.ok());
  CHECK(parsed.options.max_connections == 200);
  CHECK(parsed.options.timeout == seconds(60));
  CHECK(parsed.options.lookback == hours(168));
  CHECK(parsed.options.ui_default_lookback == hours(1));
  CHECK(parsed.options.max_lookback == hours(168));
}

TEST_CASE("Seed query-config.yaml (section 3.3) is accepted, its SPM keys are ignored") {
  // The seed's text, verbatim.
  const TempFile file(
      "# query-config.yaml\n"
      "query:\n"
      "  base-path: /jaeger\n"
      "  ui:\n"
      "    config-file: /etc/jaeger/ui-config.json\n"
      "  metrics-backend: prometheus\n"
      "  prometheus:\n"
      "    server-url: http://prometheus:9090\n"
      "    query:\n"
      "      max-connections: 100\n"
      "      timeout: 30s\n");
  const Parsed parsed = ParseQueryOptions({"--config-file=" + file.path()});
  INFO(parsed.status.message());
  REQUIRE(parsed.status.ok());
  CHECK(parsed.options.base_path == "/jaeger");
  CHECK(parsed.options.ui_config_file == "/etc/jaeger/ui-config.json");
}

TEST_CASE("The seed's query command: --query.base-path and QUERY_BASE_PATH") {
  const Parsed parsed =
      ParseQueryOptions({"--query.base-path=/jaeger"}, {{"QUERY_BASE_PATH", "/jaeger"}});
  REQUIRE(parsed.status.ok());
  CHECK(parsed.options.base_path == "/jaeger");
}

TEST_CASE("RunQuery: --help exits 0, bad values exit 2 before anything starts") {
  // RunQuery blocks SIGTERM and SIGINT in its thread; the test thread gets its mask back.
  const auto run = [](std::vector<std::string> args) {
    args.insert(args.begin(), "ariadne-query");
    std::vector<char*> argv;
    argv.reserve(args.size());
    for (std::string& arg : args) argv.push_back(arg.data());
    sigset_t saved;
    pthread_sigmask(SIG_SETMASK, nullptr, &saved);
    const int code = query::RunQuery(static_cast<int>(argv.size()), argv.data());
    pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    return code;
  };
  CHECK(run({"--help"}) == 0);
  CHECK(run({"--query.base-path=jaeger"}) == 2);
  CHECK(run({"--query.lookback=7x"}) == 2);
  CHECK(run({"--query.no-such-flag=1"}) == 2);
  CHECK(run({"--span-storage.type=elasticsearch"}) == 2);
}

}  // namespace
}  // namespace ariadne::testing
