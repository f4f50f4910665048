// Writing Jaeger spans as JSON: the pieces the Elasticsearch span document and the Jaeger UI JSON
// share (ids, the span's leading fields, references, key-value lists, logs). Internal to
// libtracecore.
#pragma once

#include <string_view>
#include <vector>

#include "json_writer.h"
#include "tracecore/ids.h"
#include "tracecore/model.h"
#include "tracecore/translate/jaeger_translation.h"

namespace ariadne::tracecore::jaeger_json {

// A trace id as lower-case hex: 16 chars when its high half is zero, else 32.
void WriteTraceId(json::JsonWriter& writer, const TraceId& id);
// A span id as 16 lower-case hex chars.
void WriteSpanId(json::JsonWriter& writer, const SpanId& id);

// The span's "traceID", "spanID", "flags" (when non-zero), "operationName" and "references"
// members, in that order, from `span` and its loaded `view`.
void WriteSpanHead(json::JsonWriter& writer, const Span& span, const jaeger::SpanView& view);

// The Jaeger type name of a tag value ("bool", "int64", "float64", "binary"; else "string").
std::string_view TypeName(ValueType type);

// An array, map or empty value as the string SpanView flattens it to.
void WriteFlattened(json::JsonWriter& writer, const AnyValue& value);

// {"key", "type", "value"}: `write_value(tag.value)` writes the value in the caller's style.
template <typename WriteValue>
void WriteKeyValue(json::JsonWriter& writer, const Attribute& tag, WriteValue&& write_value) {
  // Most tags are plain strings: written in one piece, the same bytes as the general path (every
  // style writes a string value as a JSON string).
  if (tag.value.type() == ValueType::kString && json::IsPlainText(tag.key) &&
      json::IsPlainText(tag.value.string_value())) {
    writer.RawValueOf({R"({"key":")", tag.key, R"(","type":"string","value":")",
                       tag.value.string_value(), R"("})"});
    return;
  }
  writer.StartObject();
  writer.Key("key");
  writer.String(tag.key);
  writer.Key("type");
  writer.String(TypeName(tag.value.type()));
  writer.Key("value");
  write_value(tag.value);
  writer.EndObject();
}

// "key": [ {"key", "type", "value"}... ] over `tags` (see WriteKeyValue).
template <typename WriteValue>
void WriteKeyValues(json::JsonWriter& writer, std::string_view key,
                    const std::vector<Attribute>& tags, WriteValue&& write_value) {
  writer.Key(key);
  writer.StartArray();
  for (const Attribute& tag : tags) WriteKeyValue(writer, tag, write_value);
  writer.EndArray();
}

// "logs": [ {"timestamp", "fields": [...]}... ] (see WriteKeyValue).
template <typename WriteValue>
void WriteLogs(json::JsonWriter& writer, const std::vector<jaeger::Log>& logs,
               WriteValue&& write_value) {
  writer.Key("logs");
  writer.StartArray();
  for (const jaeger::Log& log : logs) {
    writer.StartObject();
    writer.Key("timestamp");
    writer.Uint64(log.timestamp_us);
    WriteKeyValues(writer, "fields", log.fields, write_value);
    writer.EndObject();
  }
  writer.EndArray();
}

}  // namespace ariadne::tracecore::jaeger_json
