#include "tracegen/service_graph.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>
#include <utility>

namespace ariadne::tracegen {
namespace {

using tracecore::Status;

constexpr int kMaxInstances = 1000;

Status CheckService(const ServiceSpec& spec, size_t index) {
  std::string where = "service[" + std::to_string(index) + "]";
  if (spec.name.empty()) return Status::InvalidArgument(where + ": name is empty");
  where += " (" + spec.name + ")";
  if (spec.operations.empty()) {
    return Status::InvalidArgument(where + ": needs at least one entry in operations");
  }
  for (const std::string& operation : spec.operations) {
    if (operation.empty()) return Status::InvalidArgument(where + ": an operation name is empty");
  }
  if (spec.instances < 1 || spec.instances > kMaxInstances) {
    return Status::InvalidArgument(where + ": instances must be between 1 and 1000, got " +
                                   std::to_string(spec.instances));
  }
  return Status::Ok();
}

}  // namespace

Status ServiceGraph::Build(std::vector<ServiceSpec> services, ServiceGraph& out) {
  if (services.empty()) return Status::InvalidArgument("service graph: no services");
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < services.size(); ++i) {
    ARIADNE_RETURN_IF_ERROR(CheckService(services[i], i).WithContext("service graph"));
    if (!names.insert(services[i].name).second) {
      return Status::InvalidArgument("service graph: service name '" + services[i].name +
                                     "' appears twice");
    }
  }
  ServiceGraph graph;
  graph.callees_.resize(services.size());
  for (size_t i = 0; i < services.size(); ++i) {
    for (const std::string& callee : services[i].calls) {
      uint32_t target = 0;
      while (target < services.size() && services[target].name != callee) ++target;
      if (target == services.size()) {
        return Status::InvalidArgument("service graph: service '" + services[i].name + "' calls '" +
                                       callee + "', which is not in the graph");
      }
      graph.callees_[i].push_back(target);
    }
    if (services[i].entry) graph.entries_.push_back(static_cast<uint32_t>(i));
  }
  if (graph.entries_.empty()) graph.entries_.push_back(0);
  graph.services_ = std::move(services);
  out = std::move(graph);
  return Status::Ok();
}

ServiceGraph DefaultServiceGraph() {
  std::vector<ServiceSpec> services(6);
  ServiceSpec& frontend = services[0];
  frontend.name = "frontend";
  frontend.version = "2.7.1";
  frontend.language = "nodejs";
  frontend.instances = 3;
  frontend.entry = true;
  frontend.operations = {"POST /api/chat", "GET /api/conversations/:id", "POST /api/workflows",
                         "GET /api/workflows/:id/status"};
  frontend.internal_operations = {"auth.verify_token", "render.response"};
  frontend.calls = {"model-router", "workflow-orchestrator"};
  frontend.databases = {"redis"};

  ServiceSpec& router = services[1];
  router.name = "model-router";
  router.version = "1.12.0";
  router.language = "python";
  router.instances = 3;
  router.operations = {"POST /v1/route", "POST /v1/completions", "health_check"};
  router.internal_operations = {"select_model", "prompt.tokenize"};
  router.calls = {"inference-backend", "vector-store"};
  router.databases = {"redis"};

  ServiceSpec& orchestrator = services[2];
  orchestrator.name = "workflow-orchestrator";
  orchestrator.version = "0.9.4";
  orchestrator.language = "go";
  orchestrator.style = CallStyle::kGrpc;
  orchestrator.operations = {"mcp.workflow.v1.Orchestrator/StartWorkflow",
                             "mcp.workflow.v1.Orchestrator/GetStatus", "workflow_execution"};
  orchestrator.internal_operations = {"workflow.plan", "workflow.step"};
  orchestrator.calls = {"agent-collaboration", "model-router"};
  orchestrator.databases = {"postgresql"};

  ServiceSpec& agents = services[3];
  agents.name = "agent-collaboration";
  agents.version = "1.3.0";
  agents.language = "python";
  agents.style = CallStyle::kGrpc;
  agents.operations = {"mcp.agents.v1.Collaboration/Collaborate",
                       "mcp.agents.v1.Collaboration/ShareContext"};
  agents.internal_operations = {"agent.reason", "agent.tool_call"};
  agents.calls = {"model-router", "vector-store"};
  agents.databases = {"redis", "postgresql"};

  ServiceSpec& inference = services[4];
  inference.name = "inference-backend";
  inference.version = "3.1.2";
  inference.language = "go";
  inference.style = CallStyle::kGrpc;
  inference.instances = 4;
  inference.operations = {"inference.v1.Inference/Generate", "inference.v1.Inference/Embed"};
  inference.internal_operations = {"kv_cache.lookup", "batch.schedule"};

  ServiceSpec& vectors = services[5];
  vectors.name = "vector-store";
  vectors.version = "1.8.0";
  vectors.language = "java";
  vectors.operations = {"POST /collections/:name/points/search", "PUT /collections/:name/points"};
  vectors.internal_operations = {"hnsw.search"};
  vectors.databases = {"elasticsearch"};

  ServiceGraph graph;
  // The default graph is valid by construction; Build cannot fail on it.
  if (!ServiceGraph::Build(std::move(services), graph).ok()) return {};
  return graph;
}

Status ServiceGraphFromNames(const std::vector<std::string>& names, ServiceGraph& out) {
  std::vector<ServiceSpec> services(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    ServiceSpec& spec = services[i];
    spec.name = names[i];
    spec.entry = i == 0;
    spec.operations = {"GET /api/" + names[i], "POST /api/" + names[i] + "/:id"};
    spec.internal_operations = {names[i] + ".process"};
    for (size_t callee = i + 1; callee < names.size() && callee <= i + 2; ++callee) {
      spec.calls.push_back(names[callee]);
    }
  }
  return ServiceGraph::Build(std::move(services), out).WithContext("--services");
}

namespace {

Status ReadStrings(const YAML::Node& node, const std::string& where,
                   std::vector<std::string>& out) {
  if (!node.IsSequence()) return Status::InvalidArgument(where + ": expected a list of strings");
  for (size_t i = 0; i < node.size(); ++i) {
    if (!node[i].IsScalar()) {
      return Status::InvalidArgument(where + "[" + std::to_string(i) + "]: expected a string");
    }
    out.push_back(node[i].Scalar());
  }
  return Status::Ok();
}

Status ReadService(const YAML::Node& node, const std::string& where, ServiceSpec& spec) {
  if (!node.IsMap()) return Status::InvalidArgument(where + ": expected a mapping");
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    std::string place = where;
    place.append(".").append(key);
    auto scalar = [&](std::string& field) {
      if (!value.IsScalar()) return Status::InvalidArgument(place + ": expected a string");
      field = value.Scalar();
      return Status::Ok();
    };
    if (key == "name") {
      ARIADNE_RETURN_IF_ERROR(scalar(spec.name));
    } else if (key == "version") {
      ARIADNE_RETURN_IF_ERROR(scalar(spec.version));
    } else if (key == "language") {
      ARIADNE_RETURN_IF_ERROR(scalar(spec.language));
    } else if (key == "instances") {
      int instances = 0;
      if (!value.IsScalar() || !YAML::convert<int>::decode(value, instances)) {
        return Status::InvalidArgument(place + ": expected an integer");
      }
      spec.instances = instances;
    } else if (key == "style") {
      std::string style;
      ARIADNE_RETURN_IF_ERROR(scalar(style));
      if (style == "http") {
        spec.style = CallStyle::kHttp;
      } else if (style == "grpc") {
        spec.style = CallStyle::kGrpc;
      } else {
        std::string message = place;
        message.append(": expected http or grpc, got '").append(style).append("'");
        return Status::InvalidArgument(message);
      }
    } else if (key == "entry") {
      bool is_entry = false;
      if (!value.IsScalar() || !YAML::convert<bool>::decode(value, is_entry)) {
        return Status::InvalidArgument(place + ": expected true or false");
      }
      spec.entry = is_entry;
    } else if (key == "operations") {
      ARIADNE_RETURN_IF_ERROR(ReadStrings(value, place, spec.operations));
    } else if (key == "internal") {
      ARIADNE_RETURN_IF_ERROR(ReadStrings(value, place, spec.internal_operations));
    } else if (key == "calls") {
      ARIADNE_RETURN_IF_ERROR(ReadStrings(value, place, spec.calls));
    } else if (key == "databases") {
      ARIADNE_RETURN_IF_ERROR(ReadStrings(value, place, spec.databases));
    } else {
      return Status::InvalidArgument(place +
                                     ": unknown key (known: name, version, language, "
                                     "instances, style, entry, operations, internal, "
                                     "calls, databases)");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ParseServiceGraph(std::string_view text, ServiceGraph& out) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    return Status::InvalidArgument(std::string("service graph: not YAML or JSON: ") + error.what());
  }
  if (!root.IsMap() || !root["services"]) {
    return Status::InvalidArgument("service graph: expected a mapping with a 'services' list");
  }
  for (const auto& entry : root) {
    if (entry.first.Scalar() != "services") {
      return Status::InvalidArgument("service graph: unknown key '" + entry.first.Scalar() +
                                     "' (the only top-level key is services)");
    }
  }
  const YAML::Node list = root["services"];
  if (!list.IsSequence())
    return Status::InvalidArgument("service graph: services: expected a list");
  std::vector<ServiceSpec> services(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    ARIADNE_RETURN_IF_ERROR(
        ReadService(list[i], "service graph: services[" + std::to_string(i) + "]", services[i]));
  }
  return ServiceGraph::Build(std::move(services), out);
}

Status LoadServiceGraph(const std::string& path, ServiceGraph& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("--graph: cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseServiceGraph(text.str(), out).WithContext("--graph " + path);
}

}  // namespace ariadne::tracegen
