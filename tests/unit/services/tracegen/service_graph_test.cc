// ServiceGraph: the default MCP graph, graphs from names, and graph files with their errors.
#include "tracegen/service_graph.h"

#include <catch2/catch.hpp>
#include <string>

namespace ariadne::tracegen {
namespace {

std::vector<std::string> NamesOf(const ServiceGraph& graph) {
  std::vector<std::string> names;
  for (const ServiceSpec& spec : graph.services()) names.push_back(spec.name);
  return names;
}

TEST_CASE("the default graph is the seed's MCP system with its backends") {
  const ServiceGraph graph = DefaultServiceGraph();
  CHECK(NamesOf(graph) == std::vector<std::string>{"frontend", "model-router",
                                                   "workflow-orchestrator", "agent-collaboration",
                                                   "inference-backend", "vector-store"});
  REQUIRE(graph.entries() == std::vector<uint32_t>{0});
  CHECK(graph.callees(0) == std::vector<uint32_t>{1, 2});
  // The operations the seed's sampling strategies name exist.
  const auto& router = graph.service(1).operations;
  CHECK(std::find(router.begin(), router.end(), "health_check") != router.end());
  const auto& orchestrator = graph.service(2).operations;
  CHECK(std::find(orchestrator.begin(), orchestrator.end(), "workflow_execution") !=
        orchestrator.end());
}

TEST_CASE("a graph from names chains each service to the next two") {
  ServiceGraph graph;
  REQUIRE(ServiceGraphFromNames({"a", "b", "c", "d"}, graph).ok());
  CHECK(graph.entries() == std::vector<uint32_t>{0});
  CHECK(graph.callees(0) == std::vector<uint32_t>{1, 2});
  CHECK(graph.callees(2) == std::vector<uint32_t>{3});
  CHECK(graph.callees(3).empty());
  CHECK_FALSE(ServiceGraphFromNames({}, graph).ok());
  CHECK(ServiceGraphFromNames({"a", "a"}, graph).message().find("appears twice") !=
        std::string::npos);
}

TEST_CASE("a YAML graph file is read with every field") {
  const char* yaml = R"(
services:
  - name: web
    language: nodejs
    version: 2.0.0
    instances: 4
    entry: true
    operations: ["GET /home", "POST /cart"]
    internal: [render]
    calls: [cart]
    databases: [redis]
  - name: cart
    style: grpc
    operations: [shop.Cart/Add]
)";
  ServiceGraph graph;
  REQUIRE(ParseServiceGraph(yaml, graph).ok());
  REQUIRE(graph.services().size() == 2);
  const ServiceSpec& web = graph.service(0);
  CHECK(web.language == "nodejs");
  CHECK(web.version == "2.0.0");
  CHECK(web.instances == 4);
  CHECK(web.operations == std::vector<std::string>{"GET /home", "POST /cart"});
  CHECK(web.internal_operations == std::vector<std::string>{"render"});
  CHECK(web.databases == std::vector<std::string>{"redis"});
  CHECK(graph.callees(0) == std::vector<uint32_t>{1});
  CHECK(graph.service(1).style == CallStyle::kGrpc);
}

TEST_CASE("a JSON graph file is YAML too") {
  ServiceGraph graph;
  REQUIRE(ParseServiceGraph(R"({"services": [{"name": "solo", "operations": ["GET /"]}]})", graph)
              .ok());
  CHECK(graph.entries() == std::vector<uint32_t>{0});  // no entry named: the first service
}

TEST_CASE("graph files with mistakes are refused with the place of the mistake") {
  auto error = [](const char* text) {
    ServiceGraph graph;
    return ParseServiceGraph(text, graph).message();
  };
  CHECK(error("services: [{name: a, operations: [x], calls: [b]}]").find("'b'") !=
        std::string::npos);
  CHECK(error("services: [{name: a}]").find("operations") != std::string::npos);
  CHECK(error("services: [{name: a, operations: [x], colour: red}]").find("services[0].colour") !=
        std::string::npos);
  CHECK(error("services: [{name: a, operations: [x], instances: many}]").find("instances") !=
        std::string::npos);
  CHECK(error("services: [{name: a, operations: [x], style: soap}]").find("soap") !=
        std::string::npos);
  CHECK(error("nodes: []").find("services") != std::string::npos);
  CHECK(error("services: [").find("not YAML") != std::string::npos);
  ServiceGraph graph;
  CHECK(LoadServiceGraph("/nonexistent/graph.yaml", graph).message().find("cannot read") !=
        std::string::npos);
}

}  // namespace
}  // namespace ariadne::tracegen
