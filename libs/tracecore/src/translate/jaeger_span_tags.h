// The model -> Jaeger rules of jaeger_translation.h as visitors, so that an encoder can write a
// span's Jaeger tags, log fields, references and process tags straight from the model, without
// the copies jaeger::SpanView makes. SpanView::Load is built on these functions, so each rule
// still lives in one place.
//
// Each visitor calls `visit` once per item, in SpanView's order, with a temporary that is valid
// only during the call. Attribute values are passed as the model holds them: arrays, maps and
// empty values are NOT flattened; an encoder passes them through ToJaegerValue (IsJaegerValue
// tells which need it). Internal to tracecore (src/, not a public header).
#pragma once

#include <cstdint>
#include <string_view>

#include "tracecore/model.h"
#include "tracecore/translate/jaeger_translation.h"

namespace ariadne::tracecore::jaeger {

inline constexpr std::string_view kServiceNameKey = "service.name";
inline constexpr std::string_view kRefTypeKey = "opentracing.ref_type";
inline constexpr std::string_view kEventFieldKey = "event";

// True when `value` is a Jaeger tag value as it is (string, bool, int, double, bytes).
inline bool IsJaegerValue(const AnyValue& value) {
  switch (value.type()) {
    case ValueType::kString:
    case ValueType::kBool:
    case ValueType::kInt:
    case ValueType::kDouble:
    case ValueType::kBytes: return true;
    default: return false;
  }
}

// Process tags: the resource attributes other than a string `service.name`.
template <typename Visit>
void ForEachProcessTag(const Resource& resource, Visit&& visit) {
  for (const Attribute& attribute : resource.attributes) {
    if (attribute.key == kServiceNameKey && attribute.value.type() == ValueType::kString) continue;
    visit(attribute);
  }
}

// Span tags: otel.scope.*, the attributes, span.kind, otel.status_code, error,
// otel.status_description, w3c.tracestate (the order of the OpenTelemetry Collector's
// OTLP-to-Jaeger translator).
template <typename Visit>
void ForEachSpanTag(const Scope& scope, const Span& span, Visit&& visit) {
  if (!scope.name.empty()) visit(Attribute{"otel.scope.name", AnyValue::String(scope.name)});
  if (!scope.version.empty()) {
    visit(Attribute{"otel.scope.version", AnyValue::String(scope.version)});
  }
  for (const Attribute& attribute : span.attributes) visit(attribute);
  if (span.kind != SpanKind::kUnspecified) {
    visit(Attribute{"span.kind", AnyValue::String(SpanKindLowerName(span.kind))});
  }
  switch (span.status.code) {
    case SpanStatusCode::kUnset: break;
    case SpanStatusCode::kOk: visit(Attribute{"otel.status_code", AnyValue::String("OK")}); break;
    case SpanStatusCode::kError:
      visit(Attribute{"otel.status_code", AnyValue::String("ERROR")});
      visit(Attribute{"error", AnyValue::Bool(true)});
      break;
  }
  if (!span.status.message.empty()) {
    visit(Attribute{"otel.status_description", AnyValue::String(span.status.message)});
  }
  if (!span.trace_state.empty()) {
    visit(Attribute{"w3c.tracestate", AnyValue::String(span.trace_state)});
  }
}

// Log fields of an event: `event` = the name first (when it has one), then the attributes.
template <typename Visit>
void ForEachLogField(const Event& event, Visit&& visit) {
  if (!event.name.empty()) visit(Attribute{kEventFieldKey, AnyValue::String(event.name)});
  for (const Attribute& attribute : event.attributes) visit(attribute);
}

// References: the parent as CHILD_OF first, then one per link (CHILD_OF when the link's
// opentracing.ref_type is "child_of", FOLLOWS_FROM otherwise).
template <typename Visit>
void ForEachReference(const Span& span, Visit&& visit) {
  if (!span.parent_span_id.empty()) {
    visit(Reference{RefType::kChildOf, span.trace_id, span.parent_span_id});
  }
  for (const Link& link : span.links) {
    const Attribute* ref_type = FindAttribute(link.attributes, kRefTypeKey);
    bool child_of = ref_type != nullptr && ref_type->value.type() == ValueType::kString &&
                    ref_type->value.string_value() == "child_of";
    visit(Reference{child_of ? RefType::kChildOf : RefType::kFollowsFrom, link.trace_id,
                    link.span_id});
  }
}

// A span that ends before it starts lasts 0.
inline uint64_t DurationNanos(const Span& span) {
  return span.end_time_unix_nano > span.start_time_unix_nano
             ? span.end_time_unix_nano - span.start_time_unix_nano
             : 0;
}

}  // namespace ariadne::tracecore::jaeger
