// ServiceGraph: the services tracegen pretends to be and who calls whom.
//
// A trace starts at an entry service's server span and grows along the graph: a service calls
// another (a client span in the caller, a server span in the callee), queries a database it uses
// (a client span only: databases are not instrumented), or does internal work (an internal span).
//
// The default graph is the seed's MCP system (frontend, model-router, workflow-orchestrator,
// agent-collaboration) with two backends (inference-backend, vector-store). A custom graph comes
// from a list of names (ServiceGraphFromNames) or from a YAML or JSON file (LoadServiceGraph);
// docs/tracegen.md gives the file format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tracecore/status.h"

namespace ariadne::tracegen {

// How callers reach a service; it decides the attributes of both sides of a hop.
enum class CallStyle : uint8_t { kHttp, kGrpc };

struct ServiceSpec {
  std::string name;
  std::string version = "1.0.0";
  // The OpenTelemetry SDK language: nodejs, python, go, java, dotnet, ruby, cpp, ... (it picks the
  // instrumentation scope names and the process.runtime.* attributes).
  std::string language = "go";
  // Hosts of the service; each batch picks one per service, as one process sends one batch.
  int instances = 2;
  CallStyle style = CallStyle::kHttp;
  // Whether traces may start here. A graph without any entry starts at its first service.
  bool entry = false;
  // Server operations. For HTTP, "METHOD /route" ("GET /api/chat"); a name without a method is
  // served as GET /<name>. For gRPC, "package.Service/Method"; a name without '/' becomes
  // "<service>/<name>".
  std::vector<std::string> operations;
  // Internal span names ("auth.verify_token").
  std::vector<std::string> internal_operations;
  // Names of the services this one calls.
  std::vector<std::string> calls;
  // db.system values of the databases this one queries: redis, postgresql, mysql, mongodb,
  // elasticsearch, cassandra (others get a generic statement).
  std::vector<std::string> databases;
};

class ServiceGraph {
 public:
  // Checks the graph (at least one service, unique non-empty names, known call targets, at least
  // one operation per service, instances in 1..1000) and resolves the call targets. On error the
  // message names the service and the field.
  static tracecore::Status Build(std::vector<ServiceSpec> services, ServiceGraph& out);

  const std::vector<ServiceSpec>& services() const { return services_; }
  const ServiceSpec& service(uint32_t index) const { return services_[index]; }
  // Indexes of the services traces start at (never empty for a built graph).
  const std::vector<uint32_t>& entries() const { return entries_; }
  // Indexes of the services `index` calls.
  const std::vector<uint32_t>& callees(uint32_t index) const { return callees_[index]; }

 private:
  std::vector<ServiceSpec> services_;
  std::vector<uint32_t> entries_;
  std::vector<std::vector<uint32_t>> callees_;
};

// The seed's MCP system: frontend -> model-router / workflow-orchestrator -> agent-collaboration,
// and the inference-backend and vector-store backends, with redis and postgresql.
ServiceGraph DefaultServiceGraph();

// A graph of the named services (at least one): the first is the entry; service i calls services
// i+1 and i+2 when they exist; HTTP throughout; each gets two operations and one internal one.
tracecore::Status ServiceGraphFromNames(const std::vector<std::string>& names, ServiceGraph& out);

// Parses a graph from YAML or JSON text (JSON is YAML):
//   services:
//     - name: frontend
//       language: nodejs        # optional, default go
//       version: 2.3.1          # optional
//       instances: 3            # optional, default 2
//       style: http             # or grpc: how callers reach it; optional, default http
//       entry: true             # optional
//       operations: ["GET /api/chat"]
//       internal: ["render"]    # optional
//       calls: [model-router]   # optional
//       databases: [redis]      # optional
// Unknown keys and values of the wrong type are errors that name the place.
tracecore::Status ParseServiceGraph(std::string_view text, ServiceGraph& out);

// Reads and parses the file at `path`.
tracecore::Status LoadServiceGraph(const std::string& path, ServiceGraph& out);

}  // namespace ariadne::tracegen
