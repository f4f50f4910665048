#include "tracecore/span_copier.h"

namespace ariadne::tracecore {

Span& SpanCopier::Copy(const SpanBatch& from, const Span& span) {
  const uint32_t resource = CopyResource(from, span.resource_index);
  const uint32_t scope = CopyScope(from, span.scope_index);
  Span& copy = to_.AddSpan(resource, scope);
  copy.trace_id = span.trace_id;
  copy.span_id = span.span_id;
  copy.parent_span_id = span.parent_span_id;
  copy.trace_state = CopyText(span.trace_state);
  copy.name = CopyText(span.name);
  copy.kind = span.kind;
  copy.flags = span.flags;
  copy.start_time_unix_nano = span.start_time_unix_nano;
  copy.end_time_unix_nano = span.end_time_unix_nano;
  CopyAttributes(span.attributes, copy.attributes);
  copy.dropped_attributes_count = span.dropped_attributes_count;
  copy.events.reserve(span.events.size());
  for (const Event& event : span.events) {
    Event& out = copy.events.emplace_back(to_.arena());
    out.time_unix_nano = event.time_unix_nano;
    out.name = CopyText(event.name);
    CopyAttributes(event.attributes, out.attributes);
    out.dropped_attributes_count = event.dropped_attributes_count;
  }
  copy.dropped_events_count = span.dropped_events_count;
  copy.links.reserve(span.links.size());
  for (const Link& link : span.links) {
    Link& out = copy.links.emplace_back(to_.arena());
    out.trace_id = link.trace_id;
    out.span_id = link.span_id;
    out.trace_state = CopyText(link.trace_state);
    CopyAttributes(link.attributes, out.attributes);
    out.dropped_attributes_count = link.dropped_attributes_count;
    out.flags = link.flags;
  }
  copy.dropped_links_count = span.dropped_links_count;
  copy.status.code = span.status.code;
  copy.status.message = CopyText(span.status.message);
  return copy;
}

uint32_t SpanCopier::CopyResource(const SpanBatch& from, uint32_t index) {
  auto [it, inserted] = resources_.try_emplace({&from, index}, 0);
  if (!inserted) return it->second;
  const Resource& source = from.resources()[index];
  it->second = to_.AddResource();
  Resource& copy = to_.resources()[it->second];
  CopyAttributes(source.attributes, copy.attributes);
  copy.dropped_attributes_count = source.dropped_attributes_count;
  copy.schema_url = CopyText(source.schema_url);
  return it->second;
}

uint32_t SpanCopier::CopyScope(const SpanBatch& from, uint32_t index) {
  auto [it, inserted] = scopes_.try_emplace({&from, index}, 0);
  if (!inserted) return it->second;
  const Scope& source = from.scopes()[index];
  it->second = to_.AddScope();
  Scope& copy = to_.scopes()[it->second];
  copy.name = CopyText(source.name);
  copy.version = CopyText(source.version);
  CopyAttributes(source.attributes, copy.attributes);
  copy.dropped_attributes_count = source.dropped_attributes_count;
  copy.schema_url = CopyText(source.schema_url);
  return it->second;
}

std::string_view SpanCopier::CopyText(std::string_view text) {
  return text.empty() ? std::string_view() : to_.Copy(text);
}

AnyValue SpanCopier::CopyValue(const AnyValue& value) {
  switch (value.type()) {
    case ValueType::kString: return AnyValue::String(CopyText(value.string_value()));
    case ValueType::kBytes: return AnyValue::Bytes(CopyText(value.bytes_value()));
    case ValueType::kArray: {
      AnyValue* items = to_.AllocateArray<AnyValue>(value.size());
      for (size_t i = 0; i < value.size(); ++i) items[i] = CopyValue(value.array_begin()[i]);
      return AnyValue::Array(items, value.size());
    }
    case ValueType::kMap: {
      Attribute* items = to_.AllocateArray<Attribute>(value.size());
      for (size_t i = 0; i < value.size(); ++i) {
        items[i].key = CopyText(value.map_begin()[i].key);
        items[i].value = CopyValue(value.map_begin()[i].value);
      }
      return AnyValue::Map(items, value.size());
    }
    case ValueType::kEmpty:
    case ValueType::kBool:
    case ValueType::kInt:
    case ValueType::kDouble: return value;
  }
  return value;
}

void SpanCopier::CopyAttributes(const Attributes& from, Attributes& to) {
  to.reserve(from.size());
  for (const Attribute& attribute : from) {
    to.push_back({CopyText(attribute.key), CopyValue(attribute.value)});
  }
}

}  // namespace ariadne::tracecore
