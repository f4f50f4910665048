// The seed's Prometheus alert rules (deploy/prometheus/jaeger-alerting-rules.yml) must find the
// collector's metrics under the names they use. `promtool check rules` validates the file itself
// (a ctest of its own, tests/CMakeLists.txt).
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "collector_test_support.h"
#include "runtime/admin_server.h"
#include "test_support.h"

namespace ariadne::testing {
namespace {

// Every metric name the rules' `expr:` lines use (PromQL functions, label names and label values
// excluded).
std::set<std::string> MetricsReferencedByRules(const std::string& path) {
  std::ifstream file(path);
  REQUIRE(file);
  static const std::set<std::string> kPromQlWords = {
      "rate", "histogram_quantile", "sum", "by", "irate", "increase", "avg", "max", "min"};
  const std::regex identifier(R"([a-zA-Z_:][a-zA-Z0-9_:]*)");
  std::set<std::string> names;
  std::string line;
  while (std::getline(file, line)) {
    const size_t expr = line.find("expr:");
    if (expr == std::string::npos) continue;
    std::string text = line.substr(expr + 5);
    text = std::regex_replace(text, std::regex(R"(\{[^}]*\})"), "");   // label matchers
    text = std::regex_replace(text, std::regex(R"(\[[^\]]*\])"), "");  // range selectors
    for (std::sregex_iterator it(text.begin(), text.end(), identifier), end; it != end; ++it) {
      if (!kPromQlWords.count(it->str())) names.insert(it->str());
    }
  }
  return names;
}

TEST_CASE("every collector metric the seed's alert rules use is on the admin port's /metrics") {
  const std::set<std::string> referenced = MetricsReferencedByRules(
      std::string(ARIADNE_SOURCE_DIR) + "/deploy/prometheus/jaeger-alerting-rules.yml");
  // The rules as the seed wrote them: if they change, this list and the checks below must too.
  REQUIRE(referenced == std::set<std::string>{"up", "jaeger_collector_spans_dropped_total",
                                              "jaeger_collector_spans_received_total",
                                              "jaeger_query_request_duration_seconds_bucket",
                                              "elasticsearch_filesystem_data_available_bytes",
                                              "elasticsearch_filesystem_data_size_bytes"});

  RunningCollector collector;
  runtime::Health health;
  health.Set(runtime::ServingState::kServing);
  std::unique_ptr<runtime::AdminServer> admin;
  REQUIRE(runtime::AdminServer::Start(
              {.host_port = "127.0.0.1:0", .metrics_route = "/metrics", .tls = {}}, health,
              collector.registry, admin)
              .ok());
  REQUIRE(Post(collector.instance->otlp_http_port(), "/v1/traces", "application/x-protobuf",
               ReadWireFixture("otlp-http-export-request.bin"))
              .status == 200);
  collector.Drain();
  const auto metrics = Get(admin->port(), "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK_THAT(std::string(metrics.headers[boost::beast::http::field::content_type]),
             Catch::StartsWith("text/plain; version=0.0.4"));

  for (const std::string& name : referenced) {
    if (name.rfind("jaeger_collector_", 0) != 0) continue;
    INFO(name);
    const bool exposed = metrics.body.find("\n" + name + "{") != std::string::npos ||
                         metrics.body.find("\n" + name + " ") != std::string::npos;
    CHECK(exposed);
  }
  // The others belong elsewhere: `up` is Prometheus's own, elasticsearch_* come from the
  // Elasticsearch exporter, and jaeger_query_* from ariadne-query (tested with it).
  CHECK(MetricValue(metrics.body, "jaeger_collector_spans_received_total") == 4);
  CHECK(MetricValue(metrics.body, "jaeger_collector_spans_dropped_total") == 0);

  const auto health_page = Get(admin->port(), "/");
  CHECK(health_page.status == 200);
  CHECK_THAT(health_page.body, Catch::StartsWith(R"({"status":"Server available","upSince":")"));
  health.Set(runtime::ServingState::kDraining);
  const auto draining = Get(admin->port(), "/health");
  CHECK(draining.status == 503);
  CHECK(draining.body ==
        R"({"status":"Server not available","upSince":"0001-01-01T00:00:00Z","uptime":""})");
}

}  // namespace
}  // namespace ariadne::testing
