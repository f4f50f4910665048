// Translation between the model and Jaeger's span concepts (tags, logs, references, process).
//
// Every Jaeger-shaped codec (Thrift, api_v2 protobuf, UI JSON, Elasticsearch documents) goes
// through this file, so each rule lives in one place. The rules, each with its test, are the
// Jaeger rows of docs/translation.md:
//   - process.serviceName <-> resource `service.name`; process tags <-> other resource attributes
//   - tag span.kind <-> Span::kind (unknown values stay tags)
//   - tags otel.status_code / otel.status_description / error=true <-> Span::status
//   - tags otel.scope.name / otel.scope.version (or the older otel.library.*) <-> Scope
//   - tag w3c.tracestate <-> Span::trace_state
//   - logs <-> events: the log field `event` is the event name, the other fields its attributes
//   - the first same-trace CHILD_OF reference (Thrift: a non-zero parentSpanId) <-> parent_span_id;
//     every other reference <-> a link whose attribute opentracing.ref_type says child_of or
//     follows_from (links without it are FOLLOWS_FROM)
//   - array and map attribute values become JSON strings; bytes become Jaeger binary
//   - times: Jaeger microseconds <-> model nanoseconds
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tracecore/model.h"

namespace ariadne::tracecore::jaeger {

enum class RefType : uint8_t { kChildOf = 0, kFollowsFrom = 1 };

struct Reference {
  RefType type = RefType::kChildOf;
  TraceId trace_id;
  SpanId span_id;
  bool operator==(const Reference&) const = default;
};

// ---------------------------------------------------------------------------------------------
// Jaeger -> model

// Adds a resource for a Jaeger process: `service.name` first (also when empty: the sanitizer tells
// an empty Jaeger service name from a missing OTLP one), then nothing else; the decoder appends the
// process tags to the returned resource's attributes.
uint32_t AddProcessResource(SpanBatch& batch, std::string_view service_name);

// Finds or adds the scope for (resource, name, version) among the scopes a decoder created.
// One instance per decode call; not thread-safe.
class ScopeCache {
 public:
  uint32_t Get(SpanBatch& batch, uint32_t resource_index, std::string_view name,
               std::string_view version);

 private:
  struct Entry {
    uint32_t resource_index;
    std::string_view name;
    std::string_view version;
    uint32_t scope_index;
  };
  std::vector<Entry> entries_;
};

// Turns a span decoded "as Jaeger" into a model span by applying the rules above.
//
// On entry `span` holds: ids, name (operationName), flags, start/end in ns, resource_index, every
// tag as an attribute in wire order (Jaeger types: string, bool, int, double, bytes), and every log
// as an event whose attributes are all of the log's fields and whose name is empty.
// `parent_span_id` is Thrift's parentSpanId (empty for formats without one); `references` are the
// span's references in wire order. On return the special tags and `event` fields are removed, and
// kind, status, trace_state, scope_index, parent_span_id and links are set.
void FinishSpan(SpanBatch& batch, Span& span, SpanId parent_span_id,
                std::span<const Reference> references, ScopeCache& scopes);

// ---------------------------------------------------------------------------------------------
// model -> Jaeger

// A Jaeger tag value is one of string, bool, int64, float64, binary (AnyValue kString, kBool,
// kInt, kDouble, kBytes). Arrays and maps are rendered as compact JSON text into `scratch`.
AnyValue ToJaegerValue(const AnyValue& value, std::string& scratch);

// Appends `value` as compact JSON (strings quoted and escaped, bytes as base64, maps as objects).
void AppendAnyValueJson(const AnyValue& value, std::string& out);

struct Log {
  uint64_t timestamp_us = 0;
  std::vector<Attribute> fields;
};

// A model span seen as a Jaeger span. Load() fills it; the views it holds point into the batch
// and into the view's own storage, so they are valid until the next Load() or destruction.
// Reuse one view across spans: its vectors keep their capacity.
class SpanView {
 public:
  void Load(const SpanBatch& batch, const Span& span);
  // Fills only service_name and process_tags (Load does this too).
  void LoadProcess(const Resource& resource);

  uint64_t start_time_us = 0;
  uint64_t duration_us = 0;
  uint32_t flags = 0;  // Jaeger flags: the low byte of Span::flags
  std::string_view service_name;
  std::vector<Attribute> process_tags;  // resource attributes other than service.name
  // otel.scope.*, the attributes, span.kind, otel.status_code, error, otel.status_description,
  // w3c.tracestate: the order of the OpenTelemetry Collector's OTLP-to-Jaeger translator.
  std::vector<Attribute> tags;
  std::vector<Log> logs;
  std::vector<Reference> references;  // the parent as CHILD_OF first, then the links

 private:
  // Appends `attribute` to `into`, rendering arrays and maps as JSON in view-owned storage.
  void AddFlattened(const Attribute& attribute, std::vector<Attribute>& into);
  // A cleared string that stays put until the next Load(); its capacity is reused across loads.
  std::string& NextScratch();

  std::vector<std::unique_ptr<std::string>> scratch_;
  size_t scratch_used_ = 0;
};

}  // namespace ariadne::tracecore::jaeger
