#include "jaeger_json.h"

#include <string>

#include "tracecore/text.h"

namespace ariadne::tracecore::jaeger_json {
namespace {

void WriteReference(json::JsonWriter& writer, const jaeger::Reference& reference) {
  writer.StartObject();
  writer.Key("refType");
  writer.String(reference.type == jaeger::RefType::kChildOf ? "CHILD_OF" : "FOLLOWS_FROM");
  writer.Key("traceID");
  WriteTraceId(writer, reference.trace_id);
  writer.Key("spanID");
  WriteSpanId(writer, reference.span_id);
  writer.EndObject();
}

}  // namespace

void WriteTraceId(json::JsonWriter& writer, const TraceId& id) {
  writer.StringFrom([&](std::string& text) {
    if (id.high != 0) AppendHex64(id.high, text);
    AppendHex64(id.low, text);
  });
}

void WriteSpanId(json::JsonWriter& writer, const SpanId& id) {
  writer.StringFrom([&](std::string& text) { AppendHex64(id.value, text); });
}

void WriteSpanHead(json::JsonWriter& writer, const Span& span, const jaeger::SpanView& view) {
  writer.Key("traceID");
  WriteTraceId(writer, span.trace_id);
  writer.Key("spanID");
  WriteSpanId(writer, span.span_id);
  if (view.flags != 0) {
    writer.Key("flags");
    writer.Uint64(view.flags);
  }
  writer.Key("operationName");
  writer.String(span.name);
  writer.Key("references");
  writer.StartArray();
  for (const jaeger::Reference& reference : view.references) WriteReference(writer, reference);
  writer.EndArray();
}

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kBool: return "bool";
    case ValueType::kInt: return "int64";
    case ValueType::kDouble: return "float64";
    case ValueType::kBytes: return "binary";
    default: return "string";
  }
}

void WriteFlattened(json::JsonWriter& writer, const AnyValue& value) {
  std::string scratch;
  writer.String(jaeger::ToJaegerValue(value, scratch).string_value());
}

}  // namespace ariadne::tracecore::jaeger_json
