#include "tracegen/trace_generator.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>

namespace ariadne::tracegen {
namespace {

using tracecore::AnyValue;
using tracecore::Attribute;
using tracecore::Span;
using tracecore::SpanBatch;
using tracecore::SpanKind;
using tracecore::SpanStatusCode;
using tracecore::Status;

constexpr uint64_t kMicro = 1000;
constexpr uint64_t kMilli = 1000 * kMicro;

// What the SDK of each language reports about itself and names its instrumentation scopes.
struct LanguageProfile {
  std::string_view language;
  std::string_view runtime_name;
  std::string_view runtime_version;
  std::string_view sdk_version;
  std::string_view http_scope;
  std::string_view grpc_scope;
  std::string_view db_scope;
  std::string_view scope_version;
  std::string_view user_agent;
  std::string_view code_namespace;
  std::string_view exception_types[2];
};

constexpr LanguageProfile kProfiles[] = {
    {"nodejs",
     "nodejs",
     "20.11.1",
     "1.24.0",
     "@opentelemetry/instrumentation-http",
     "@opentelemetry/instrumentation-grpc",
     "@opentelemetry/instrumentation-ioredis",
     "0.51.1",
     "node-fetch/1.0",
     "src/handlers",
     {"Error", "TypeError"}},
    {"python",
     "cpython",
     "3.11.8",
     "1.24.0",
     "opentelemetry.instrumentation.fastapi",
     "opentelemetry.instrumentation.grpc",
     "opentelemetry.instrumentation.redis",
     "0.45b0",
     "python-httpx/0.27.0",
     "app.services",
     {"TimeoutError", "ValueError"}},
    {"go",
     "go",
     "go1.22.1",
     "1.26.0",
     "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
     "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
     "github.com/XSAM/otelsql",
     "0.51.0",
     "Go-http-client/1.1",
     "internal/service",
     {"*errors.errorString", "context.deadlineExceededError"}},
    {"java",
     "OpenJDK Runtime Environment",
     "21.0.2+13-LTS",
     "1.37.0",
     "io.opentelemetry.tomcat-10.0",
     "io.opentelemetry.grpc-1.6",
     "io.opentelemetry.jdbc",
     "2.3.0-alpha",
     "Java-http-client/21.0.2",
     "com.example.vectors",
     {"java.net.SocketTimeoutException", "java.lang.IllegalStateException"}},
};

const LanguageProfile& ProfileOf(const std::string& language, uint32_t* index = nullptr) {
  uint32_t i = 0;
  for (; i < std::size(kProfiles); ++i) {
    if (kProfiles[i].language == language) break;
  }
  if (i == std::size(kProfiles)) i = 2;  // other languages look like Go's SDK
  if (index != nullptr) *index = i;
  return kProfiles[i];
}

struct DbQuery {
  std::string_view system;
  std::string_view operation;
  std::string_view table;  // empty for key-value stores
  std::string_view statement;
};

constexpr DbQuery kQueries[] = {
    {"redis", "GET", "", "GET session:?"},
    {"redis", "SETEX", "", "SETEX cache:route:? 300 ?"},
    {"redis", "HGETALL", "", "HGETALL agent:context:?"},
    {"postgresql", "SELECT", "workflows",
     "SELECT id, state, updated_at FROM workflows WHERE id = $1"},
    {"postgresql", "UPDATE", "workflow_steps",
     "UPDATE workflow_steps SET status = $1 WHERE workflow_id = $2 AND step = $3"},
    {"postgresql", "INSERT", "agent_messages",
     "INSERT INTO agent_messages (conversation_id, role, body) VALUES ($1, $2, $3)"},
    {"mysql", "SELECT", "users", "SELECT id, name, plan FROM users WHERE id = ?"},
    {"mongodb", "find", "conversations", "{\"find\":\"conversations\",\"filter\":{\"_id\":\"?\"}}"},
    {"elasticsearch", "search", "vectors", "POST /vectors/_search"},
    {"cassandra", "SELECT", "events", "SELECT * FROM events WHERE tenant = ? LIMIT 100"},
};

// The queries of `system` (a generic one for systems not in the table).
std::pair<const DbQuery*, size_t> QueriesOf(std::string_view system) {
  size_t first = 0;
  while (first < std::size(kQueries) && kQueries[first].system != system) ++first;
  size_t last = first;
  while (last < std::size(kQueries) && kQueries[last].system == system) ++last;
  return {kQueries + first, last - first};
}

int64_t DbPort(std::string_view system) {
  if (system == "redis") return 6379;
  if (system == "postgresql") return 5432;
  if (system == "mysql") return 3306;
  if (system == "mongodb") return 27017;
  if (system == "elasticsearch") return 9200;
  if (system == "cassandra") return 9042;
  return 0;
}

constexpr std::string_view kTenants[] = {"acme", "globex", "initech", "umbrella", "hooli"};
constexpr std::string_view kRegions[] = {"eu-west-1", "us-east-1", "us-west-2", "ap-south-1"};
constexpr std::string_view kFlags[] = {"streaming", "tool-use",  "long-context",
                                       "cache-v2",  "fast-path", "beta-router"};
constexpr std::string_view kModels[] = {"mcp-large-2024-06", "mcp-small-2024-03", "mcp-embed-v2",
                                        "mcp-code-2024-05"};
constexpr std::string_view kThreadNames[] = {"main", "worker-1", "worker-2", "io-pool-3",
                                             "grpc-default-executor-0"};
constexpr std::string_view kLogMessages[] = {"request validated", "falling back to secondary model",
                                             "context window trimmed", "cache entry expired",
                                             "dispatching to agent pool"};
constexpr std::string_view kExceptionMessages[] = {
    "upstream request timed out after 3000ms", "connection reset by peer",
    "model capacity exhausted", "invalid tool response: missing field 'result'"};

// The names of a server operation: (method, route) for HTTP; (service, method) for gRPC.
std::pair<std::string_view, std::string_view> SplitOperation(std::string_view operation,
                                                             CallStyle style) {
  if (style == CallStyle::kHttp) {
    size_t space = operation.find(' ');
    if (space != std::string_view::npos && space + 1 < operation.size() &&
        operation[space + 1] == '/') {
      return {operation.substr(0, space), operation.substr(space + 1)};
    }
    return {"GET", {}};  // route = "/" + operation
  }
  size_t slash = operation.rfind('/');
  if (slash == std::string_view::npos) return {{}, operation};  // service = the service name
  return {operation.substr(0, slash), operation.substr(slash + 1)};
}

// Up to `limit` attributes into a span, event or link.
class AttributeSink {
 public:
  AttributeSink(tracecore::Attributes& out, size_t limit) : out_(out), limit_(limit) {}
  bool full() const { return out_.size() >= limit_; }
  void Add(std::string_view key, AnyValue value) {
    if (!full()) out_.push_back(Attribute{key, value});
  }

 private:
  tracecore::Attributes& out_;
  size_t limit_;
};

std::string Hex(uint64_t value, size_t digits) {
  std::string out;
  tracecore::AppendHex64(value, out);
  return out.substr(16 - digits);
}

std::string Uuid(Rng& rng) {
  std::string a = Hex(rng.Next(), 16);
  std::string b = Hex(rng.Next(), 16);
  return a.substr(0, 8) + "-" + a.substr(8, 4) + "-4" + a.substr(13, 3) + "-a" + b.substr(1, 3) +
         "-" + b.substr(4, 12);
}

// "/api/conversations/:id" -> "/api/conversations/3f9a0c1e"
std::string FillRoute(std::string_view route, Rng& rng) {
  std::string out;
  size_t i = 0;
  while (i < route.size()) {
    if (route[i] == ':' || route[i] == '{') {
      size_t end = i;
      while (end < route.size() && route[end] != '/') ++end;
      out += Hex(rng.Next(), 8);
      i = end;
    } else {
      out += route[i++];
    }
  }
  return out;
}

uint64_t Mix(uint64_t a, uint64_t b) {
  Rng rng(a * 0x9E3779B97F4A7C15ULL ^ b);
  return rng.Next();
}

}  // namespace

Status ValidateGeneratorOptions(const GeneratorOptions& options) {
  if (!(options.spans_per_trace >= 1 && options.spans_per_trace <= 100000)) {
    return Status::InvalidArgument("--spans-per-trace must be between 1 and 100000");
  }
  if (options.attributes_per_span < 0 || options.attributes_per_span > 128) {
    return Status::InvalidArgument("--span.attributes must be between 0 and 128");
  }
  if (!(options.events_per_span >= 0 && options.events_per_span <= 32)) {
    return Status::InvalidArgument("--span.events must be between 0 and 32");
  }
  if (!(options.error_rate >= 0 && options.error_rate <= 1)) {
    return Status::InvalidArgument("--span.error-rate must be between 0 and 1");
  }
  if (!(options.link_rate >= 0 && options.link_rate <= 1)) {
    return Status::InvalidArgument("--span.link-rate must be between 0 and 1");
  }
  return Status::Ok();
}

TraceGenerator::TraceGenerator(const ServiceGraph& graph, const GeneratorOptions& options)
    : graph_(graph), options_(options), rng_(options.seed) {
  const auto& services = graph_.services();
  instances_.resize(services.size());
  chosen_instance_.resize(services.size());
  for (uint32_t s = 0; s < services.size(); ++s) {
    for (int i = 0; i < services[s].instances; ++i) {
      // Instance identities depend on the seed and position only, not on the draw stream, so
      // the same instance keeps its host name across batches.
      Rng identity(Mix(options.seed, (uint64_t{s} << 32) | static_cast<uint64_t>(i)));
      Instance instance;
      instance.host_name =
          services[s].name + "-" + Hex(identity.Next(), 10) + "-" + Hex(identity.Next(), 5);
      instance.instance_id = Uuid(identity);
      instance.pid = identity.Between(7, 65535);
      instances_[s].push_back(std::move(instance));
    }
  }
}

size_t TraceGenerator::DrawSpanCount() {
  const double mean = options_.spans_per_trace;
  const auto low = static_cast<int64_t>(std::ceil(mean / 2));
  const auto high = static_cast<int64_t>(std::llround(2 * mean)) - low;
  return static_cast<size_t>(std::max<int64_t>(1, rng_.Between(low, std::max(low, high))));
}

int32_t TraceGenerator::AddNode(const Node& node, Trace& trace) {
  trace.nodes.push_back(node);
  auto index = static_cast<int32_t>(trace.nodes.size() - 1);
  Node& added = trace.nodes.back();
  added.span_id = rng_.NextNonZero();
  added.error = rng_.Chance(options_.error_rate);
  if (node.parent >= 0) {
    // Append at the end of the parent's child list (children keep creation order).
    Node& parent = trace.nodes[static_cast<size_t>(node.parent)];
    if (parent.first_child < 0) {
      parent.first_child = index;
    } else {
      int32_t last = parent.first_child;
      while (trace.nodes[static_cast<size_t>(last)].next_sibling >= 0) {
        last = trace.nodes[static_cast<size_t>(last)].next_sibling;
      }
      trace.nodes[static_cast<size_t>(last)].next_sibling = index;
    }
  }
  return index;
}

void TraceGenerator::AddCall(int32_t parent, Trace& trace) {
  const uint32_t caller = trace.nodes[static_cast<size_t>(parent)].service;
  const auto& callees = graph_.callees(caller);
  const uint32_t callee = callees[rng_.Below(callees.size())];
  const ServiceSpec& target = graph_.service(callee);
  const bool grpc = target.style == CallStyle::kGrpc;
  Node client;
  client.service = caller;
  client.type = grpc ? NodeType::kGrpcClient : NodeType::kHttpClient;
  client.peer = callee;
  client.parent = parent;
  client.operation = static_cast<uint32_t>(rng_.Below(target.operations.size()));
  const int32_t client_index = AddNode(client, trace);
  Node server;
  server.service = callee;
  server.type = grpc ? NodeType::kGrpcServer : NodeType::kHttpServer;
  server.peer = caller;
  server.parent = client_index;
  server.operation = client.operation;
  AddNode(server, trace);
}

void TraceGenerator::AddLeaf(int32_t parent, NodeType type, Trace& trace) {
  const uint32_t service = trace.nodes[static_cast<size_t>(parent)].service;
  const ServiceSpec& spec = graph_.service(service);
  Node node;
  node.service = service;
  node.type = type;
  node.parent = parent;
  if (type == NodeType::kDb) {
    node.operation = static_cast<uint32_t>(rng_.Below(spec.databases.size()));
  } else {
    node.operation = static_cast<uint32_t>(rng_.Below(spec.internal_operations.size() + 1));
  }
  AddNode(node, trace);
}

void TraceGenerator::GrowTrace(size_t span_count, Trace& trace) {
  const auto& entries = graph_.entries();
  Node root;
  root.service = entries[rng_.Below(entries.size())];
  const ServiceSpec& entry = graph_.service(root.service);
  root.type = entry.style == CallStyle::kGrpc ? NodeType::kGrpcServer : NodeType::kHttpServer;
  root.operation = static_cast<uint32_t>(rng_.Below(entry.operations.size()));
  root.peer = root.service;
  AddNode(root, trace);
  std::vector<int32_t> parents = {0};  // server and internal spans: where work can hang
  while (trace.nodes.size() < span_count) {
    const int32_t parent = parents[rng_.Below(parents.size())];
    const ServiceSpec& spec = graph_.service(trace.nodes[static_cast<size_t>(parent)].service);
    const bool can_call =
        !graph_.callees(trace.nodes[static_cast<size_t>(parent)].service).empty() &&
        span_count - trace.nodes.size() >= 2;
    const double draw = rng_.Unit();
    if (can_call && draw < 0.55) {
      AddCall(parent, trace);
      parents.push_back(static_cast<int32_t>(trace.nodes.size() - 1));
    } else if (!spec.databases.empty() && draw < 0.8) {
      AddLeaf(parent, NodeType::kDb, trace);
    } else {
      AddLeaf(parent, NodeType::kInternal, trace);
      parents.push_back(static_cast<int32_t>(trace.nodes.size() - 1));
    }
  }
}

void TraceGenerator::LayOutChildren(int32_t index, std::vector<Node>& nodes) {
  const Node& parent = nodes[static_cast<size_t>(index)];
  const uint64_t span = parent.end - parent.start;
  if (parent.first_child < 0) return;
  // A server span inside its client: the network takes a little on each side.
  if (parent.type == NodeType::kHttpClient || parent.type == NodeType::kGrpcClient) {
    Node& server = nodes[static_cast<size_t>(parent.first_child)];
    const uint64_t latency = std::min<uint64_t>(span / 10, 100 * kMicro + rng_.Below(700 * kMicro));
    server.start = parent.start + latency;
    server.end = parent.end - latency / 2 - rng_.Below(latency / 2 + 1);
    return;
  }
  // Other children run one after the other in slots of random weight.
  uint64_t weights = 0;
  std::vector<std::pair<int32_t, uint64_t>> children;
  for (int32_t child = parent.first_child; child >= 0;
       child = nodes[static_cast<size_t>(child)].next_sibling) {
    const uint64_t weight = 1 + rng_.Below(8);
    children.emplace_back(child, weight);
    weights += weight;
  }
  const uint64_t lead = span / 20;
  const uint64_t usable = span - lead - span / 20;
  uint64_t cursor = parent.start + lead;
  for (const auto& [child, weight] : children) {
    const uint64_t slot = usable * weight / weights;
    const uint64_t duration = slot * (70 + rng_.Below(26)) / 100;
    Node& node = nodes[static_cast<size_t>(child)];
    node.start = cursor + (slot - duration) / 2;
    node.end = node.start + duration;
    cursor += slot;
  }
}

void TraceGenerator::AssignTimes(uint64_t now_unix_nano, Trace& trace) {
  std::vector<Node>& nodes = trace.nodes;
  const uint64_t per_span = 500 * kMicro + rng_.Below(4 * kMilli);
  const uint64_t duration = std::max<uint64_t>(kMilli, per_span * nodes.size());
  const uint64_t end = now_unix_nano - kMilli - rng_.Below(500 * kMilli);
  nodes[0].end = end;
  nodes[0].start = end - duration;
  // Parents come before their children in creation order.
  for (size_t i = 0; i < nodes.size(); ++i) LayOutChildren(static_cast<int32_t>(i), nodes);
}

void TraceGenerator::PropagateErrors(Trace& trace) {
  for (Node& node : trace.nodes) {
    const bool server = node.type == NodeType::kHttpServer || node.type == NodeType::kGrpcServer;
    if (server && node.error && node.parent >= 0) {
      trace.nodes[static_cast<size_t>(node.parent)].error = true;
    }
  }
}

uint32_t TraceGenerator::ResourceFor(uint32_t service, std::vector<int64_t>& resources,
                                     SpanBatch& batch) {
  if (resources[service] >= 0) return static_cast<uint32_t>(resources[service]);
  const ServiceSpec& spec = graph_.service(service);
  const LanguageProfile& profile = ProfileOf(spec.language);
  const Instance& instance = instances_[service][chosen_instance_[service]];
  const uint32_t index = batch.AddResource();
  tracecore::Attributes& attributes = batch.resources()[index].attributes;
  auto text = [&](std::string_view key, std::string_view value) {
    attributes.push_back(Attribute{key, AnyValue::String(batch.Copy(value))});
  };
  text("service.name", spec.name);
  text("service.version", spec.version);
  attributes.push_back(Attribute{"service.namespace", AnyValue::String("mcp")});
  text("service.instance.id", instance.instance_id);
  text("host.name", instance.host_name);
  attributes.push_back(Attribute{"host.arch", AnyValue::String("amd64")});
  attributes.push_back(Attribute{"os.type", AnyValue::String("linux")});
  attributes.push_back(Attribute{"process.pid", AnyValue::Int(instance.pid)});
  attributes.push_back(Attribute{"process.runtime.name", AnyValue::String(profile.runtime_name)});
  attributes.push_back(
      Attribute{"process.runtime.version", AnyValue::String(profile.runtime_version)});
  attributes.push_back(Attribute{"telemetry.sdk.name", AnyValue::String("opentelemetry")});
  text("telemetry.sdk.language", spec.language);
  attributes.push_back(Attribute{"telemetry.sdk.version", AnyValue::String(profile.sdk_version)});
  attributes.push_back(Attribute{"deployment.environment", AnyValue::String("production")});
  resources[service] = index;
  return index;
}

uint32_t TraceGenerator::ScopeFor(const Node& node,
                                  std::vector<std::pair<uint64_t, uint32_t>>& scopes,
                                  SpanBatch& batch) {
  const ServiceSpec& spec = graph_.service(node.service);
  uint32_t language = 0;
  const LanguageProfile& profile = ProfileOf(spec.language, &language);
  uint64_t key = 0;
  std::string_view name;
  std::string_view version = profile.scope_version;
  switch (node.type) {
    case NodeType::kHttpServer:
    case NodeType::kHttpClient:
      key = (uint64_t{language} << 8) | 1;
      name = profile.http_scope;
      break;
    case NodeType::kGrpcServer:
    case NodeType::kGrpcClient:
      key = (uint64_t{language} << 8) | 2;
      name = profile.grpc_scope;
      break;
    case NodeType::kDb:
      key = (uint64_t{language} << 8) | 3;
      name = profile.db_scope;
      break;
    case NodeType::kInternal:
      key = (uint64_t{node.service} << 32) | 4;  // the service's own tracer
      break;
  }
  for (const auto& [known, index] : scopes) {
    if (known == key) return index;
  }
  const uint32_t index = batch.AddScope();
  tracecore::Scope& scope = batch.scopes()[index];
  if (node.type == NodeType::kInternal) {
    scope.name = batch.Copy(spec.name);
    scope.version = batch.Copy(spec.version);
  } else {
    scope.name = name;
    scope.version = version;
  }
  scopes.emplace_back(key, index);
  return index;
}

TraceGenerator::Trace TraceGenerator::PlanTrace(uint64_t now_unix_nano,
                                                const std::vector<Trace>& earlier) {
  Trace trace;
  trace.trace_id.high = rng_.NextNonZero();
  trace.trace_id.low = rng_.NextNonZero();
  GrowTrace(DrawSpanCount(), trace);
  AssignTimes(now_unix_nano, trace);
  PropagateErrors(trace);
  for (Node& node : trace.nodes) {
    if (!rng_.Chance(options_.link_rate)) continue;
    node.has_link = true;
    if (earlier.empty()) {
      node.link_trace_id = {rng_.NextNonZero(), rng_.NextNonZero()};
      node.link_span_id = rng_.NextNonZero();
    } else {
      const Trace& target = earlier[rng_.Below(earlier.size())];
      node.link_trace_id = target.trace_id;
      node.link_span_id = target.nodes[0].span_id;
    }
  }
  return trace;
}

void TraceGenerator::Emit(const std::vector<Trace>& planned, SpanBatch& batch) {
  // Resources and scopes in order of first use; spans grouped by (resource, scope).
  std::vector<int64_t> resources(graph_.services().size(), -1);
  std::vector<std::pair<uint64_t, uint32_t>> scopes;
  struct Placement {
    uint32_t resource;
    uint32_t scope;
    uint32_t trace;
    uint32_t node;
  };
  std::vector<Placement> placements;
  for (uint32_t t = 0; t < planned.size(); ++t) {
    for (uint32_t n = 0; n < planned[t].nodes.size(); ++n) {
      const Node& node = planned[t].nodes[n];
      const uint32_t resource = ResourceFor(node.service, resources, batch);
      placements.push_back({resource, ScopeFor(node, scopes, batch), t, n});
    }
  }
  std::stable_sort(placements.begin(), placements.end(),
                   [](const Placement& a, const Placement& b) {
                     return a.resource != b.resource ? a.resource < b.resource : a.scope < b.scope;
                   });
  batch.spans().reserve(batch.spans().size() + placements.size());
  for (const Placement& placement : placements) {
    const Trace& trace = planned[placement.trace];
    EmitSpan(trace, trace.nodes[placement.node], placement.resource, placement.scope, batch);
  }
}

void TraceGenerator::ChooseInstances() {
  for (uint32_t s = 0; s < chosen_instance_.size(); ++s) {
    chosen_instance_[s] = static_cast<uint32_t>(rng_.Below(instances_[s].size()));
  }
}

size_t TraceGenerator::Generate(size_t traces, uint64_t now_unix_nano, SpanBatch& batch) {
  ChooseInstances();
  std::vector<Trace> planned;
  planned.reserve(traces);
  size_t spans = 0;
  while (planned.size() < traces) {
    planned.push_back(PlanTrace(now_unix_nano, planned));
    spans += planned.back().nodes.size();
  }
  Emit(planned, batch);
  return spans;
}

size_t TraceGenerator::GenerateSpans(size_t min_spans, uint64_t now_unix_nano, SpanBatch& batch) {
  ChooseInstances();
  std::vector<Trace> planned;
  size_t spans = 0;
  do {
    planned.push_back(PlanTrace(now_unix_nano, planned));
    spans += planned.back().nodes.size();
  } while (spans < min_spans);
  Emit(planned, batch);
  return planned.size();
}

void TraceGenerator::EmitSpan(const Trace& trace, const Node& node, uint32_t resource,
                              uint32_t scope, SpanBatch& batch) {
  const ServiceSpec& spec = graph_.service(node.service);
  Span& span = batch.AddSpan(resource, scope);
  span.trace_id = trace.trace_id;
  span.span_id.value = node.span_id;
  if (node.parent >= 0) {
    span.parent_span_id.value = trace.nodes[static_cast<size_t>(node.parent)].span_id;
  }
  span.flags = 1;  // sampled
  span.start_time_unix_nano = node.start;
  span.end_time_unix_nano = node.end;
  switch (node.type) {
    case NodeType::kHttpServer:
    case NodeType::kGrpcServer:
      span.kind = SpanKind::kServer;
      span.name = batch.Copy(spec.operations[node.operation]);
      if (node.type == NodeType::kGrpcServer &&
          spec.operations[node.operation].find('/') == std::string::npos) {
        span.name = batch.Copy(spec.name + "/" + spec.operations[node.operation]);
      }
      break;
    case NodeType::kHttpClient: {
      span.kind = SpanKind::kClient;
      const ServiceSpec& target = graph_.service(node.peer);
      span.name =
          batch.Copy(SplitOperation(target.operations[node.operation], CallStyle::kHttp).first);
      break;
    }
    case NodeType::kGrpcClient: {
      span.kind = SpanKind::kClient;
      const ServiceSpec& target = graph_.service(node.peer);
      const std::string& operation = target.operations[node.operation];
      span.name = batch.Copy(
          operation.find('/') == std::string::npos ? target.name + "/" + operation : operation);
      break;
    }
    case NodeType::kDb: {
      span.kind = SpanKind::kClient;
      const auto [queries, count] = QueriesOf(spec.databases[node.operation]);
      if (count == 0) {
        span.name = batch.Copy(spec.databases[node.operation] + " query");
      } else {
        const DbQuery& query = queries[Mix(node.span_id, 1) % count];
        span.name = query.table.empty()
                        ? query.operation
                        : batch.Copy(std::string(query.operation) + " " + std::string(query.table));
      }
      break;
    }
    case NodeType::kInternal:
      span.kind = SpanKind::kInternal;
      span.name = node.operation < spec.internal_operations.size()
                      ? batch.Copy(spec.internal_operations[node.operation])
                      : batch.Copy(spec.name + ".handle");
      break;
  }
  AddAttributes(trace, node, span, batch);
  AddEvents(node, span, batch);
  if (node.error) {
    span.status.code = SpanStatusCode::kError;
    span.status.message = kExceptionMessages[Mix(node.span_id, 2) % std::size(kExceptionMessages)];
  }
  if (node.has_link) {
    tracecore::Link& link = span.links.emplace_back(batch.arena());
    link.trace_id = node.link_trace_id;
    link.span_id.value = node.link_span_id;
    link.attributes.push_back(Attribute{"link.reason", AnyValue::String("batched_request")});
  }
}

void TraceGenerator::AddAttributes(const Trace& trace, const Node& node, Span& span,
                                   SpanBatch& batch) {
  const auto limit = static_cast<size_t>(options_.attributes_per_span);
  span.attributes.reserve(limit);
  AttributeSink out(span.attributes, limit);
  const ServiceSpec& spec = graph_.service(node.service);
  const LanguageProfile& profile = ProfileOf(spec.language);
  // The status of a hop, the same on both sides: decided by the server span's error.
  const Node* server = &node;
  if (node.type == NodeType::kHttpClient || node.type == NodeType::kGrpcClient) {
    server = &trace.nodes[static_cast<size_t>(node.first_child)];
  }
  const bool hop_failed = server->error;
  auto copy = [&](const std::string& text) { return AnyValue::String(batch.Copy(text)); };

  switch (node.type) {
    case NodeType::kHttpServer:
    case NodeType::kHttpClient: {
      const ServiceSpec& target =
          node.type == NodeType::kHttpServer ? spec : graph_.service(node.peer);
      const std::string& operation = target.operations[node.operation];
      auto [method, route] = SplitOperation(operation, CallStyle::kHttp);
      std::string route_text = route.empty() ? "/" + operation : std::string(route);
      const std::string target_path = FillRoute(route_text, rng_);
      const int64_t status =
          hop_failed ? (server->span_id % 3 == 0 ? 503 : 500) : (method == "POST" ? 201 : 200);
      out.Add("http.method", AnyValue::String(batch.Copy(method)));
      if (node.type == NodeType::kHttpServer) {
        out.Add("http.route", copy(route_text));
        out.Add("http.target", copy(target_path));
        out.Add("http.scheme", AnyValue::String("http"));
        out.Add("http.status_code", AnyValue::Int(status));
        out.Add("net.host.name", copy(target.name));
        out.Add("net.host.port", AnyValue::Int(8080));
        out.Add("http.user_agent",
                AnyValue::String(ProfileOf(graph_.service(node.peer).language).user_agent));
        out.Add("http.flavor", AnyValue::String("1.1"));
        out.Add("net.sock.peer.addr", copy("10.42." + std::to_string(node.peer % 256) + "." +
                                           std::to_string(1 + rng_.Below(250))));
      } else {
        out.Add("http.url", copy("http://" + target.name + ":8080" + target_path));
        out.Add("http.status_code", AnyValue::Int(status));
        out.Add("net.peer.name", copy(target.name));
        out.Add("net.peer.port", AnyValue::Int(8080));
        out.Add("peer.service", copy(target.name));
        out.Add("http.flavor", AnyValue::String("1.1"));
        out.Add("http.response_content_length", AnyValue::Int(rng_.Between(64, 65536)));
      }
      break;
    }
    case NodeType::kGrpcServer:
    case NodeType::kGrpcClient: {
      const ServiceSpec& target =
          node.type == NodeType::kGrpcServer ? spec : graph_.service(node.peer);
      const std::string& operation = target.operations[node.operation];
      auto [service, method] = SplitOperation(operation, CallStyle::kGrpc);
      out.Add("rpc.system", AnyValue::String("grpc"));
      out.Add("rpc.service",
              service.empty() ? copy(target.name) : AnyValue::String(batch.Copy(service)));
      out.Add("rpc.method", AnyValue::String(batch.Copy(method)));
      out.Add("rpc.grpc.status_code", AnyValue::Int(hop_failed ? 14 : 0));
      if (node.type == NodeType::kGrpcServer) {
        out.Add("net.host.name", copy(target.name));
        out.Add("net.host.port", AnyValue::Int(50051));
        out.Add("net.sock.peer.addr", copy("10.42." + std::to_string(node.peer % 256) + "." +
                                           std::to_string(1 + rng_.Below(250))));
      } else {
        out.Add("net.peer.name", copy(target.name));
        out.Add("net.peer.port", AnyValue::Int(50051));
        out.Add("peer.service", copy(target.name));
      }
      break;
    }
    case NodeType::kDb: {
      const std::string& system = spec.databases[node.operation];
      const auto [queries, count] = QueriesOf(system);
      out.Add("db.system", copy(system));
      if (count > 0) {
        const DbQuery& query = queries[Mix(node.span_id, 1) % count];
        out.Add("db.statement", AnyValue::String(query.statement));
        out.Add("db.operation", AnyValue::String(query.operation));
        if (!query.table.empty()) out.Add("db.sql.table", AnyValue::String(query.table));
      }
      out.Add("db.name", AnyValue::String(system == "redis" ? "0" : "mcp"));
      out.Add("net.peer.name", copy(system + "-primary"));
      if (DbPort(system) != 0) out.Add("net.peer.port", AnyValue::Int(DbPort(system)));
      if (system == "redis") {
        out.Add("db.redis.database_index", AnyValue::Int(0));
      } else {
        out.Add("db.user", AnyValue::String("mcp_app"));
      }
      out.Add("db.rows_affected", AnyValue::Int(rng_.Between(0, 40)));
      break;
    }
    case NodeType::kInternal: {
      const std::string function = node.operation < spec.internal_operations.size()
                                       ? spec.internal_operations[node.operation]
                                       : spec.name + ".handle";
      out.Add("code.function", copy(function));
      out.Add("code.namespace", AnyValue::String(profile.code_namespace));
      out.Add("code.lineno", AnyValue::Int(rng_.Between(20, 900)));
      break;
    }
  }
  // Application attributes, in a fixed order, until the span has its count.
  if (!out.full()) out.Add("request.id", copy(Uuid(rng_)));
  if (!out.full()) out.Add("enduser.id", copy("user-" + std::to_string(rng_.Between(1, 50000))));
  if (!out.full()) out.Add("app.tenant", AnyValue::String(rng_.Pick(kTenants)));
  if (!out.full()) out.Add("app.cache.hit", AnyValue::Bool(rng_.Chance(0.7)));
  if (!out.full())
    out.Add("app.retry.count", AnyValue::Int(rng_.Chance(0.9) ? 0 : rng_.Between(1, 3)));
  if (!out.full()) out.Add("app.sampling.priority", AnyValue::Double(rng_.Unit()));
  if (!out.full()) {
    const size_t count = 1 + rng_.Below(3);
    AnyValue* flags = batch.AllocateArray<AnyValue>(count);
    for (size_t i = 0; i < count; ++i) flags[i] = AnyValue::String(rng_.Pick(kFlags));
    out.Add("app.feature_flags", AnyValue::Array(flags, count));
  }
  if (!out.full()) out.Add("llm.model", AnyValue::String(rng_.Pick(kModels)));
  if (!out.full()) out.Add("thread.id", AnyValue::Int(rng_.Between(1, 64)));
  if (!out.full()) out.Add("thread.name", AnyValue::String(rng_.Pick(kThreadNames)));
  if (!out.full())
    out.Add("llm.temperature", AnyValue::Double(0.1 * static_cast<double>(rng_.Below(11))));
  if (!out.full()) {
    const size_t count = 2 + rng_.Below(3);
    AnyValue* shards = batch.AllocateArray<AnyValue>(count);
    for (size_t i = 0; i < count; ++i) shards[i] = AnyValue::Int(rng_.Between(0, 127));
    out.Add("app.shard.ids", AnyValue::Array(shards, count));
  }
  if (!out.full()) out.Add("llm.usage.prompt_tokens", AnyValue::Int(rng_.Between(12, 8000)));
  if (!out.full()) out.Add("llm.usage.completion_tokens", AnyValue::Int(rng_.Between(1, 2000)));
  if (!out.full()) out.Add("cloud.region", AnyValue::String(rng_.Pick(kRegions)));
  if (!out.full()) out.Add("app.deadline_ms", AnyValue::Double(100.0 + rng_.Unit() * 4900.0));
  if (!out.full()) out.Add("app.payload.bytes", AnyValue::Int(rng_.Between(128, 1 << 20)));
  if (!out.full()) out.Add("app.streaming", AnyValue::Bool(rng_.Chance(0.3)));
  for (int extra = 0; !out.full(); ++extra) {
    out.Add(batch.Copy("app.extra." + std::to_string(extra)), AnyValue::Int(rng_.Between(0, 1000)));
  }
}

void TraceGenerator::AddEvents(const Node& node, Span& span, SpanBatch& batch) {
  const auto most = static_cast<int64_t>(std::llround(2 * options_.events_per_span));
  const int64_t count = rng_.Between(0, most);
  const uint64_t duration = node.end - node.start;
  const bool rpc = node.type != NodeType::kInternal && node.type != NodeType::kDb;
  for (int64_t i = 0; i < count; ++i) {
    tracecore::Event& event = span.events.emplace_back(batch.arena());
    event.time_unix_nano =
        node.start + duration * static_cast<uint64_t>(i + 1) / static_cast<uint64_t>(count + 1);
    AttributeSink out(event.attributes, 4);
    switch (rpc ? rng_.Below(4) : 1 + rng_.Below(3)) {
      case 0:
        event.name = "message";
        out.Add("message.type", AnyValue::String(i % 2 == 0 ? "SENT" : "RECEIVED"));
        out.Add("message.id", AnyValue::Int(i + 1));
        out.Add("message.uncompressed_size", AnyValue::Int(rng_.Between(32, 32768)));
        break;
      case 1:
        event.name = "cache.lookup";
        out.Add("cache.key", AnyValue::String(batch.Copy("ctx:" + Hex(rng_.Next(), 12))));
        out.Add("cache.hit", AnyValue::Bool(rng_.Chance(0.6)));
        break;
      case 2:
        event.name = "log";
        out.Add("log.severity", AnyValue::String(rng_.Chance(0.8) ? "INFO" : "WARN"));
        out.Add("log.message", AnyValue::String(rng_.Pick(kLogMessages)));
        break;
      default:
        event.name = "retry";
        out.Add("retry.attempt", AnyValue::Int(rng_.Between(1, 3)));
        out.Add("retry.backoff_ms",
                AnyValue::Double(25.0 * static_cast<double>(1 + rng_.Below(8))));
        break;
    }
  }
  if (node.error) {
    const LanguageProfile& profile = ProfileOf(graph_.service(node.service).language);
    tracecore::Event& event = span.events.emplace_back(batch.arena());
    event.time_unix_nano = node.end - (node.end - node.start) / 50;
    event.name = "exception";
    const std::string_view type = profile.exception_types[Mix(node.span_id, 3) % 2];
    const std::string_view message =
        kExceptionMessages[Mix(node.span_id, 2) % std::size(kExceptionMessages)];
    event.attributes.push_back(Attribute{"exception.type", AnyValue::String(type)});
    event.attributes.push_back(Attribute{"exception.message", AnyValue::String(message)});
    event.attributes.push_back(Attribute{
        "exception.stacktrace",
        AnyValue::String(batch.Copy(std::string(type) + ": " + std::string(message) + "\n    at " +
                                    std::string(profile.code_namespace) +
                                    ".handle (handler:" + std::to_string(rng_.Between(10, 400)) +
                                    ")\n    at " + std::string(profile.code_namespace) +
                                    ".dispatch (server:88)"))});
    event.attributes.push_back(Attribute{"exception.escaped", AnyValue::Bool(false)});
  }
}

}  // namespace ariadne::tracegen
