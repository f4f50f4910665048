// PlainSpan: one span in a plain, self-owning form that both a client's manifest and a stored model
// span convert to, so that the end-to-end test can compare them field by field.
//
// Values keep their type and their exact value as text: ints in decimal, doubles in their shortest
// round-trip form (two doubles have the same text exactly when they are the same number), bools as
// true/false, bytes as lower-case hex. Comparing texts therefore compares values exactly.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tracecore/model.h"

namespace ariadne::e2e {

// A typed attribute value: the OTLP AnyValue case and the text of each element.
struct PlainValue {
  // "string", "int", "double", "bool", "bytes", "empty", "map", or an array type such as
  // "string[]", "int[]" (all elements of one type), "mixed[]" (then each item is "type:text").
  std::string type;
  std::vector<std::string> items;  // one for a scalar, one per element for an array

  static PlainValue Scalar(std::string type, std::string text);
  bool operator==(const PlainValue&) const = default;
  // For messages: `int 42`, `string "abc"`, `string[] ["a", "b"]`.
  std::string Describe() const;
};

// Attributes in wire order; duplicate keys are kept (the comparison reports them).
using PlainAttributes = std::vector<std::pair<std::string, PlainValue>>;

struct PlainEvent {
  std::string name;
  uint64_t time_unix_nano = 0;
  PlainAttributes attributes;
};

struct PlainLink {
  std::string trace_id;  // 32 lower-case hex chars
  std::string span_id;   // 16 lower-case hex chars
  std::string trace_state;
  uint32_t flags = 0;
  PlainAttributes attributes;
};

struct PlainSpan {
  std::string trace_id;        // 32 lower-case hex chars
  std::string span_id;         // 16 lower-case hex chars
  std::string parent_span_id;  // "" for a root
  std::string trace_state;
  std::string name;
  int kind = 0;  // OTLP numbering (tracecore::SpanKind)
  uint32_t flags = 0;
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  PlainAttributes attributes;
  std::vector<PlainEvent> events;
  std::vector<PlainLink> links;
  int status_code = 0;  // OTLP numbering (tracecore::SpanStatusCode)
  std::string status_message;
  uint32_t dropped_attributes_count = 0;
  uint32_t dropped_events_count = 0;
  uint32_t dropped_links_count = 0;
  PlainAttributes resource;
  std::string scope_name;
  std::string scope_version;
};

// How far stored times may be from the expected ones, for formats that carry microseconds.
struct TimeTolerance {
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  uint64_t event_ns = 0;
};

// The text of a double in its shortest round-trip form ("3.25", "-0.5", "1e+300").
std::string DoubleText(double value);

// Converts a model value / a stored span (with its resource and scope) into the plain form.
PlainValue FromModel(const tracecore::AnyValue& value);
PlainSpan FromModel(const tracecore::SpanBatch& batch, const tracecore::Span& span);

// Every difference between `expected` and `actual`, one readable line each ("span 'GET /x'
// 0011...: attribute e2e.int: expected int 42, got double 42"); empty when they agree. Times may
// differ by up to `tolerance`; everything else must be equal. Attributes are compared by key
// (their order is not significant); a missing, extra or duplicated key is a difference. Events
// and links are compared in order.
std::vector<std::string> CompareSpans(const PlainSpan& expected, const PlainSpan& actual,
                                      const TimeTolerance& tolerance);

}  // namespace ariadne::e2e
