#include "storage/span_match.h"

#include <charconv>

#include "tracecore/text.h"

namespace ariadne::storage {
namespace {

using tracecore::AnyValue;
using tracecore::Attribute;
using tracecore::ValueType;

bool TagEquals(const AnyValue& value, std::string_view wanted, std::string& scratch) {
  if (value.type() == ValueType::kString) return value.string_value() == wanted;
  scratch.clear();
  AppendTagText(value, scratch);
  return scratch == wanted;
}

bool HasTag(const std::vector<Attribute>& attributes, std::string_view key, std::string_view wanted,
            std::string& scratch) {
  for (const Attribute& attribute : attributes) {
    if (attribute.key == key && TagEquals(attribute.value, wanted, scratch)) return true;
  }
  return false;
}

bool ViewHasTag(const tracecore::jaeger::SpanView& view, std::string_view key,
                std::string_view wanted, std::string& scratch) {
  if (HasTag(view.tags, key, wanted, scratch) || HasTag(view.process_tags, key, wanted, scratch)) {
    return true;
  }
  for (const tracecore::jaeger::Log& log : view.logs) {
    if (HasTag(log.fields, key, wanted, scratch)) return true;
  }
  return false;
}

}  // namespace

void AppendTagText(const AnyValue& value, std::string& out) {
  char buffer[64];
  switch (value.type()) {
    case ValueType::kString: out += value.string_value(); return;
    case ValueType::kBool: out += value.bool_value() ? "true" : "false"; return;
    case ValueType::kInt: {
      auto result = std::to_chars(buffer, buffer + sizeof(buffer), value.int_value());
      out.append(buffer, result.ptr);
      return;
    }
    case ValueType::kDouble: {
      auto result = std::to_chars(buffer, buffer + sizeof(buffer), value.double_value());
      out.append(buffer, result.ptr);
      return;
    }
    case ValueType::kBytes: tracecore::AppendHexBytes(value.bytes_value(), out); return;
    case ValueType::kEmpty:
    case ValueType::kArray:
    case ValueType::kMap: tracecore::jaeger::AppendAnyValueJson(value, out); return;
  }
}

bool SpanMatches(const tracecore::SpanBatch& batch, const tracecore::Span& span,
                 const TraceQuery& query, tracecore::jaeger::SpanView& view) {
  if (batch.resource_of(span).ServiceName() != query.service) return false;
  if (!query.operation.empty() && span.name != query.operation) return false;
  if (query.span_kind && span.kind != *query.span_kind) return false;
  if (span.start_time_unix_nano < query.start_time_min) return false;
  if (query.start_time_max != 0 && span.start_time_unix_nano > query.start_time_max) return false;
  const uint64_t duration = span.end_time_unix_nano > span.start_time_unix_nano
                                ? span.end_time_unix_nano - span.start_time_unix_nano
                                : 0;
  if (duration < query.duration_min) return false;
  if (query.duration_max != 0 && duration > query.duration_max) return false;
  if (query.tags.empty()) return true;
  view.Load(batch, span);
  std::string scratch;
  for (const auto& [key, wanted] : query.tags) {
    if (!ViewHasTag(view, key, wanted, scratch)) return false;
  }
  return true;
}

}  // namespace ariadne::storage
