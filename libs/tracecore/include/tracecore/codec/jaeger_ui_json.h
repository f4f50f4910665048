// The JSON of Jaeger's query HTTP API (/api/traces, /api/traces/{id}, /api/transform), which the
// Jaeger UI and Grafana's Jaeger data source read. Encode only.
//
// Shapes (field order as Jaeger's Go structs write them):
//   envelope
//   {"data":...,"total":N,"limit":0,"offset":0,"errors":null|[{"code":int,"msg":str,"traceID":str}]}
//   Trace    {"traceID","spans":[Span],"processes":{"p1":Process},"warnings":null|[str]}
//   Span     {"traceID","spanID","flags"(omitted when 0),"operationName","references":[Reference],
//             "startTime"(µs),"duration"(µs),"tags":[KeyValue],"logs":[Log],"processID","warnings":null|[str]}
//   Reference {"refType":"CHILD_OF"|"FOLLOWS_FROM","traceID","spanID"}   Process
//   {"serviceName","tags"} Log      {"timestamp"(µs),"fields":[KeyValue]}   KeyValue
//   {"key","type","value"}
// Ids are Jaeger's text form (a trace id is 16 hex chars when its high half is zero). The model is
// written by jaeger_translation.h's rules (those jaeger::SpanView applies), so span kind, status,
// scope, trace state, events and links appear as Jaeger tags, logs and references.
//
// KeyValue values by type: "string" a JSON string; "bool" true/false; "int64" a JSON number, or a
// JSON string when outside ±(2^53−1) (JavaScript cannot hold it exactly); "float64" the shortest
// JSON number that reads back to the same double, or the string "NaN" / "Infinity" / "-Infinity"
// (Go's encoder fails the whole response on those; we keep the response); "binary" standard
// base64. Strings that are not valid UTF-8 are written with U+FFFD for each invalid byte, as Go's
// encoder does.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "tracecore/model.h"

namespace ariadne::tracecore::jaeger_ui {

// One entry of the envelope's "errors" list.
struct Error {
  int code = 0;               // "code", omitted when 0 (an HTTP status)
  std::string_view message;   // "msg"
  std::string_view trace_id;  // "traceID", omitted when empty
};

// How a Trace object is written beyond its spans.
//
// Tags come in the order jaeger::SpanView gives (as Jaeger stores a span translated from OTLP), or
// sorted by key (stable) with `TagOrder::kSortedByKey`, as Jaeger's SortTagsAndLogFields adjuster
// leaves them.
enum class TagOrder { kAsTranslated, kSortedByKey };
struct TraceStyle {
  TagOrder tag_order = TagOrder::kAsTranslated;
  // The "warnings" of each span, asked once per span while it is written; unset or empty: null.
  std::function<std::span<const std::string>(const Span&)> span_warnings;
  // The "warnings" of the trace; empty: null.
  std::span<const std::string> trace_warnings;
  // Set: a large trace's spans are written in pieces, two at a time through it, as
  // run_both(first, second), which must run both (possibly at the same time, on different
  // threads; span_warnings is then called from both) and return when both are done. The output
  // is the same either way.
  std::function<void(const std::function<void()>&, const std::function<void()>&)> run_both;
};

// Appends one Trace object for `spans_of_one_trace` (spans of one trace, written in the order
// given). The trace's traceID is the first span's. Processes are numbered p1, p2, ... in order of
// first appearance; spans whose processes are identical (same service name and the same tags in
// the same order) share one id. `processes` keys are written in Go's order (sorted as strings).
void AppendTrace(const SpanBatch& batch, std::span<const Span* const> spans_of_one_trace,
                 std::string& out, const TraceStyle& style = {});

// Writes the envelope around a list of traces straight into `out`, one trace at a time, so that
// no trace is rendered twice or copied after it is written:
//   {"data":[Trace,...],"total":<traces added>,"limit":0,"offset":0,"errors":...}
// `out` must outlive the writer and receive nothing else until Finish.
class TracesEnvelope {
 public:
  // Appends the envelope's head to `out`.
  explicit TracesEnvelope(std::string& out);
  // Appends one Trace (as AppendTrace does).
  void AddTrace(const SpanBatch& batch, std::span<const Span* const> spans_of_one_trace,
                const TraceStyle& style = {});
  // Appends the tail; "errors" is null when `errors` is empty. Call once, last.
  void Finish(std::span<const Error> errors);

 private:
  std::string& out_;
  int64_t traces_ = 0;
};

// Appends the envelope around the traces of `spans`: spans are grouped by trace id, traces in the
// order their first span appears, spans of a trace in the order given. "total" is the number of
// traces; "errors" is null when `errors` is empty.
void AppendTracesResponse(const SpanBatch& batch, std::span<const Span* const> spans,
                          std::span<const Error> errors, std::string& out);
// The same for every span of `batch`.
void AppendTracesResponse(const SpanBatch& batch, std::span<const Error> errors, std::string& out);

// Appends the envelope around already-rendered JSON `data` (services, operations, dependencies,
// or "null" for an error response).
void AppendEnvelope(std::string_view data, int64_t total, std::span<const Error> errors,
                    std::string& out);

}  // namespace ariadne::tracecore::jaeger_ui
