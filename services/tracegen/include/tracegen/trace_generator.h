// TraceGenerator: realistic traces over a ServiceGraph, built in tracecore's model.
//
// Each trace is a tree of spans: a server span at an entry service, then calls to other services
// (a client span in the caller with the callee's server span as its child), database queries (a
// client span) and internal work (an internal span), until the trace has its drawn span count.
// Every span has exactly `attributes_per_span` attributes with the keys and types instrumentation
// libraries use (http.*, rpc.*, db.*, net.*, code.*, ids, bools, doubles, arrays), a few events
// (exceptions on error spans), occasionally a link; children lie inside their parents.
//
// Determinism: the same graph, options and `now` give the same batches, call after call, on every
// platform (tracegen's own Rng; no std:: distributions, no clock reads).
//
// Not thread-safe: one generator per thread. The graph must outlive the generator; batches do not
// refer to the graph or the generator (every string is a literal or copied into the batch).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tracecore/model.h"
#include "tracegen/random.h"
#include "tracegen/service_graph.h"

namespace ariadne::tracegen {

struct GeneratorOptions {
  uint64_t seed = 1;
  // Mean span count per trace (>= 1). Counts are drawn uniformly from [ceil(m/2), 2m - ceil(m/2)].
  double spans_per_trace = 10;
  // Exact attribute count of every span (0..128).
  int64_t attributes_per_span = 10;
  // Mean events per span (0..32), drawn uniformly from [0, round(2 * mean)].
  double events_per_span = 2;
  // Probability that a span fails: ERROR status and an exception event; the failure of a server
  // span also fails the client span that called it.
  double error_rate = 0.02;
  // Probability that a span links to a span of an earlier trace of the same batch (or of an
  // unknown trace when the batch has none yet).
  double link_rate = 0.05;
};

// Checks the ranges above; the message names the option by its flag name.
tracecore::Status ValidateGeneratorOptions(const GeneratorOptions& options);

class TraceGenerator {
 public:
  // `graph` must outlive the generator. `options` must pass ValidateGeneratorOptions.
  TraceGenerator(const ServiceGraph& graph, const GeneratorOptions& options);

  // Appends `traces` traces to `batch` and returns the number of spans appended. Spans are
  // grouped by resource, then scope (so OTLP and Jaeger encoders write one group each); within a
  // group they keep trace order. One instance of each service is picked per call (one process
  // sends one batch). Every span ends before `now_unix_nano`; traces end within the last 500 ms.
  size_t Generate(size_t traces, uint64_t now_unix_nano, tracecore::SpanBatch& batch);

  // Appends whole traces until `batch` holds at least `min_spans` more spans; returns the number
  // of traces appended (at least one).
  size_t GenerateSpans(size_t min_spans, uint64_t now_unix_nano, tracecore::SpanBatch& batch);

 private:
  enum class NodeType : uint8_t {
    kHttpServer,
    kHttpClient,
    kGrpcServer,
    kGrpcClient,
    kDb,
    kInternal
  };
  struct Node {
    uint32_t service = 0;
    NodeType type = NodeType::kInternal;
    uint32_t operation =
        0;              // server: operations[]; internal: internal_operations[]; db: databases[]
    uint32_t peer = 0;  // client: the callee; server: the caller; db: unused
    int32_t parent = -1;
    int32_t first_child = -1;
    int32_t next_sibling = -1;
    uint64_t span_id = 0;
    uint64_t start = 0;
    uint64_t end = 0;
    bool error = false;
    bool has_link = false;
    tracecore::TraceId link_trace_id;
    uint64_t link_span_id = 0;
  };
  struct Trace {
    tracecore::TraceId trace_id;
    std::vector<Node> nodes;
  };
  struct Instance {
    std::string host_name;
    std::string instance_id;
    int64_t pid = 0;
  };

  void ChooseInstances();
  Trace PlanTrace(uint64_t now_unix_nano, const std::vector<Trace>& earlier);
  void Emit(const std::vector<Trace>& planned, tracecore::SpanBatch& batch);
  size_t DrawSpanCount();
  void GrowTrace(size_t span_count, Trace& trace);
  void AddCall(int32_t parent, Trace& trace);
  void AddLeaf(int32_t parent, NodeType type, Trace& trace);
  int32_t AddNode(const Node& node, Trace& trace);
  void AssignTimes(uint64_t now_unix_nano, Trace& trace);
  void LayOutChildren(int32_t index, std::vector<Node>& nodes);
  void PropagateErrors(Trace& trace);
  void EmitSpan(const Trace& trace, const Node& node, uint32_t resource, uint32_t scope,
                tracecore::SpanBatch& batch);
  void AddAttributes(const Trace& trace, const Node& node, tracecore::Span& span,
                     tracecore::SpanBatch& batch);
  void AddEvents(const Node& node, tracecore::Span& span, tracecore::SpanBatch& batch);
  uint32_t ResourceFor(uint32_t service, std::vector<int64_t>& resources,
                       tracecore::SpanBatch& batch);
  uint32_t ScopeFor(const Node& node, std::vector<std::pair<uint64_t, uint32_t>>& scopes,
                    tracecore::SpanBatch& batch);

  const ServiceGraph& graph_;
  GeneratorOptions options_;
  Rng rng_;
  std::vector<std::vector<Instance>> instances_;  // [service][instance]
  std::vector<uint32_t> chosen_instance_;         // per service, for the current batch
};

}  // namespace ariadne::tracegen
