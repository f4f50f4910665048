#include "tracecore/span_copier.h"

#include "copy_fields.h"

namespace ariadne::tracecore {

Span& SpanCopier::Copy(const SpanBatch& from, const Span& span) {
  const uint32_t resource = CopyResource(from, span.resource_index);
  const uint32_t scope = CopyScope(from, span.scope_index);
  Span& copy = to_.AddSpan(resource, scope);
  copy_fields::CopySpan(span, copy, to_.arena(), DeepText(), DeepAttributes());
  return copy;
}

uint32_t SpanCopier::CopyResource(const SpanBatch& from, uint32_t index) {
  auto [it, inserted] = resources_.try_emplace({&from, index}, 0);
  if (!inserted) return it->second;
  it->second = to_.AddResource();
  copy_fields::CopyResource(from.resources()[index], to_.resources()[it->second], DeepText(),
                            DeepAttributes());
  return it->second;
}

uint32_t SpanCopier::CopyScope(const SpanBatch& from, uint32_t index) {
  auto [it, inserted] = scopes_.try_emplace({&from, index}, 0);
  if (!inserted) return it->second;
  it->second = to_.AddScope();
  copy_fields::CopyScope(from.scopes()[index], to_.scopes()[it->second], DeepText(),
                         DeepAttributes());
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
