#include "tracecore/codec/otlp_json.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>

#include "json_reader.h"
#include "json_writer.h"
#include "tracecore/text.h"

namespace ariadne::tracecore::otlp {
namespace {

namespace sj = simdjson::ondemand;

using json::AtField;
using json::ForEachElement;
using json::ForEachField;
using json::Invalid;
using json::JsonError;
using json::NoCount;
using json::ReadTransientString;
using json::TypeOf;

// ----------------------------------------------------------------------------------------------
// Generic readers over simdjson's On Demand values.

// True when `key` is the lowerCamelCase JSON name or the proto field name.
bool Is(std::string_view key, std::string_view json_name, std::string_view proto_name) {
  return key == json_name || key == proto_name;
}

// Parses all of `text` as a decimal integer or floating-point number.
template <typename Number>
bool ParseDecimal(std::string_view text, Number& out) {
  auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

// A JSON number holding an integer, or (proto3 JSON) the same as a decimal string.
template <typename Int>
Status ReadInteger(sj::value& value, Int& out, std::string_view expected) {
  sj::json_type type;
  ARIADNE_RETURN_IF_ERROR(TypeOf(value, type));
  if (type == sj::json_type::string) {
    std::string_view text;
    ARIADNE_RETURN_IF_ERROR(ReadTransientString(value, text));
    if (!ParseDecimal(text, out)) return Invalid(expected);
    return {};
  }
  if (type != sj::json_type::number) return Invalid(expected);
  sj::number_type number_type;
  if (auto error = value.get_number_type().get(number_type)) return JsonError(error);
  if (number_type == sj::number_type::floating_point_number) {
    // Proto3 JSON parsers accept an integral value written with a fraction or exponent (2.0, 1e3).
    double number = 0;
    if (auto error = value.get_double().get(number)) return JsonError(error);
    constexpr double kTwoTo63 = 9223372036854775808.0;
    constexpr double kLowest = std::is_signed_v<Int> ? -kTwoTo63 : 0.0;
    constexpr double kLimit = std::is_signed_v<Int> ? kTwoTo63 : 2 * kTwoTo63;
    if (std::trunc(number) != number || number < kLowest || number >= kLimit) {
      return Invalid(expected);
    }
    out = static_cast<Int>(number);
    return {};
  }
  if constexpr (std::is_signed_v<Int>) {
    int64_t number = 0;
    if (value.get_int64().get(number)) return Invalid(expected);
    out = number;
  } else {
    uint64_t number = 0;
    if (value.get_uint64().get(number)) return Invalid(expected);
    out = number;
  }
  return {};
}

Status ReadUint64(sj::value& value, uint64_t& out) {
  return ReadInteger(value, out, "expected an unsigned 64-bit integer");
}

Status ReadUint32(sj::value& value, uint32_t& out) {
  uint64_t wide = 0;
  ARIADNE_RETURN_IF_ERROR(ReadInteger(value, wide, "expected an unsigned 32-bit integer"));
  if (wide > std::numeric_limits<uint32_t>::max()) {
    return Invalid("expected an unsigned 32-bit integer");
  }
  out = static_cast<uint32_t>(wide);
  return {};
}

Status ReadInt64(sj::value& value, int64_t& out) {
  return ReadInteger(value, out, "expected a 64-bit integer");
}

Status ReadDouble(sj::value& value, double& out) {
  sj::json_type type;
  ARIADNE_RETURN_IF_ERROR(TypeOf(value, type));
  if (type == sj::json_type::number) {
    if (auto error = value.get_double().get(out)) return JsonError(error);
    return {};
  }
  if (type != sj::json_type::string) return Invalid("expected a number");
  std::string_view text;
  ARIADNE_RETURN_IF_ERROR(ReadTransientString(value, text));
  if (text == "NaN") {
    out = std::numeric_limits<double>::quiet_NaN();
  } else if (text == "Infinity") {
    out = std::numeric_limits<double>::infinity();
  } else if (text == "-Infinity") {
    out = -std::numeric_limits<double>::infinity();
  } else if (!ParseDecimal(text, out)) {
    return Invalid("expected a number");
  }
  return {};
}

Status ReadBool(sj::value& value, bool& out) {
  if (auto error = value.get_bool().get(out)) {
    return error == simdjson::INCORRECT_TYPE ? Invalid("expected true or false") : JsonError(error);
  }
  return {};
}

// An enum: its number (unknown numbers read as 0, as the protobuf decoder does) or its name.
template <size_t N>
Status ReadEnum(sj::value& value, const std::string_view (&names)[N], uint8_t& out) {
  sj::json_type type;
  ARIADNE_RETURN_IF_ERROR(TypeOf(value, type));
  if (type == sj::json_type::string) {
    std::string_view name;
    ARIADNE_RETURN_IF_ERROR(ReadTransientString(value, name));
    for (size_t i = 0; i < N; ++i) {
      if (names[i] == name) {
        out = static_cast<uint8_t>(i);
        return {};
      }
    }
    return Invalid("unknown enum value name");
  }
  int64_t number = 0;
  ARIADNE_RETURN_IF_ERROR(ReadInteger(value, number, "expected an enum number or name"));
  if (number < std::numeric_limits<int32_t>::min() ||
      number > std::numeric_limits<int32_t>::max()) {
    return Invalid("enum number out of range");
  }
  out = number >= 0 && static_cast<uint64_t>(number) < N ? static_cast<uint8_t>(number) : 0;
  return {};
}

constexpr std::string_view kSpanKindNames[] = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER",
};
constexpr std::string_view kStatusCodeNames[] = {
    "STATUS_CODE_UNSET",
    "STATUS_CODE_OK",
    "STATUS_CODE_ERROR",
};

// ----------------------------------------------------------------------------------------------
// The decoder: OTLP messages over the readers above.

class Decoder {
 public:
  Decoder(json::JsonInput& input, SpanBatch& batch) : input_(input), batch_(batch) {}

  Status ReadRequest(sj::object& request) {
    return ForEachField(request, [&](std::string_view key, sj::value& value) -> Status {
      if (Is(key, "resourceSpans", "resource_spans")) {
        return ForEachElement(value, "resourceSpans", NoCount{}, [&](size_t, sj::value& element) {
          return ReadResourceSpans(element);
        });
      }
      return {};
    });
  }

 private:
  // A string that outlives the parse (a view into the input, or unescaped into the arena).
  Status ReadString(sj::value& value, std::string_view& out) {
    return json::ReadString(input_, value, out);
  }

  Status ReadTraceId(sj::value& value, TraceId& out) {
    return ReadHexId(value, 32, "expected 32 hex chars", out);
  }

  Status ReadSpanId(sj::value& value, SpanId& out) {
    return ReadHexId(value, 16, "expected 16 hex chars", out);
  }

  // A hex id string of exactly `hex_chars` chars into `out`; "" reads as the default (unset) id.
  template <typename Id>
  Status ReadHexId(sj::value& value, size_t hex_chars, std::string_view expected, Id& out) {
    std::string_view hex;
    ARIADNE_RETURN_IF_ERROR(ReadTransientString(value, hex));
    if (hex.empty()) {
      out = {};
      return {};
    }
    std::optional<Id> id;
    if (hex.size() == hex_chars) id = Id::FromHex(hex);
    if (!id) return Invalid(expected);
    out = *id;
    return {};
  }

  Status ReadBytes(sj::value& value, std::string_view& out) {
    std::string_view text;
    ARIADNE_RETURN_IF_ERROR(ReadTransientString(value, text));
    scratch_.clear();
    if (!DecodeBase64(text, scratch_)) return Invalid("expected base64");
    out = batch_.Copy(scratch_);
    return {};
  }

  Status ReadAnyValue(sj::value& value, AnyValue& out, int depth) {
    if (depth > kMaxJsonAnyValueDepth) {
      return Status::ResourceExhausted(": AnyValue nested deeper than " +
                                       std::to_string(kMaxJsonAnyValueDepth));
    }
    out = AnyValue();
    bool seen = false;
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      Status status;
      std::string_view name;
      if (Is(key, "stringValue", "string_value")) {
        name = "stringValue";
        std::string_view text;
        status = ReadString(field, text);
        out = AnyValue::String(text);
      } else if (Is(key, "boolValue", "bool_value")) {
        name = "boolValue";
        bool flag = false;
        status = ReadBool(field, flag);
        out = AnyValue::Bool(flag);
      } else if (Is(key, "intValue", "int_value")) {
        name = "intValue";
        int64_t number = 0;
        status = ReadInt64(field, number);
        out = AnyValue::Int(number);
      } else if (Is(key, "doubleValue", "double_value")) {
        name = "doubleValue";
        double number = 0;
        status = ReadDouble(field, number);
        out = AnyValue::Double(number);
      } else if (Is(key, "bytesValue", "bytes_value")) {
        name = "bytesValue";
        std::string_view bytes;
        status = ReadBytes(field, bytes);
        out = AnyValue::Bytes(bytes);
      } else if (Is(key, "arrayValue", "array_value")) {
        name = "arrayValue";
        status = ReadArrayValue(field, out, depth);
      } else if (Is(key, "kvlistValue", "kvlist_value")) {
        name = "kvlistValue";
        status = ReadKeyValueList(field, out, depth);
      } else {
        return {};
      }
      if (status.ok() && seen) status = Invalid("AnyValue holds more than one value");
      seen = true;
      return AtField(std::move(status), name);
    });
  }

  // ArrayValue {"values": [AnyValue...]} into one exactly-sized arena array.
  Status ReadArrayValue(sj::value& value, AnyValue& out, int depth) {
    out = AnyValue::Array(batch_.AllocateArray<AnyValue>(0), 0);
    return ReadValues<AnyValue>(
        value, [&](AnyValue* items, size_t filled) { out = AnyValue::Array(items, filled); },
        [&](sj::value& element, AnyValue& item) { return ReadAnyValue(element, item, depth + 1); });
  }

  // KeyValueList {"values": [KeyValue...]} into one exactly-sized arena array.
  Status ReadKeyValueList(sj::value& value, AnyValue& out, int depth) {
    out = AnyValue::Map(batch_.AllocateArray<Attribute>(0), 0);
    return ReadValues<Attribute>(
        value, [&](Attribute* items, size_t filled) { out = AnyValue::Map(items, filled); },
        [&](sj::value& element, Attribute& item) {
          return ReadKeyValue(element, item, depth + 1);
        });
  }

  // The "values" array of the object `value` into one exactly-sized arena array of Item, each
  // element read by `read_item(element, item)`; `store(items, filled)` receives the array after
  // each "values" key that reads without error.
  template <typename Item, typename Store, typename ReadItem>
  Status ReadValues(sj::value& value, Store&& store, ReadItem&& read_item) {
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key != "values") return {};
      Item* items = nullptr;
      size_t capacity = 0;
      size_t filled = 0;
      ARIADNE_RETURN_IF_ERROR(ForEachElement(
          field, "values",
          [&](size_t count) {
            capacity = count;
            items = batch_.AllocateArray<Item>(count);
          },
          [&](size_t, sj::value& element) -> Status {
            if (filled == capacity) return Invalid("array changed size while read");
            return read_item(element, items[filled++]);
          }));
      store(items, filled);
      return {};
    });
  }

  Status ReadKeyValue(sj::value& value, Attribute& out, int depth) {
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key == "key") return AtField(ReadString(field, out.key), "key");
      if (key == "value") return AtField(ReadAnyValue(field, out.value, depth), "value");
      return {};
    });
  }

  // Reads into `attribute_scratch_` and appends to `out` once: one exact arena allocation, and no
  // counting pass over the array first (counting skips every element once more).
  Status ReadAttributes(sj::value& value, Attributes& out) {
    attribute_scratch_.clear();  // attributes lists do not nest (kvlist values are AnyValue maps)
    Status status = ForEachElement(value, "attributes", NoCount{}, [&](size_t, sj::value& element) {
      return ReadKeyValue(element, attribute_scratch_.emplace_back(), /*depth=*/1);
    });
    out.insert(out.end(), attribute_scratch_.begin(), attribute_scratch_.end());
    return status;
  }

  Status ReadResource(sj::value& value, Resource& resource) {
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key == "attributes") return ReadAttributes(field, resource.attributes);
      if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
        return AtField(ReadUint32(field, resource.dropped_attributes_count),
                       "droppedAttributesCount");
      }
      return {};
    });
  }

  Status ReadScope(sj::value& value, Scope& scope) {
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key == "name") return AtField(ReadString(field, scope.name), "name");
      if (key == "version") return AtField(ReadString(field, scope.version), "version");
      if (key == "attributes") return ReadAttributes(field, scope.attributes);
      if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
        return AtField(ReadUint32(field, scope.dropped_attributes_count), "droppedAttributesCount");
      }
      return {};
    });
  }

  Status ReadEvent(sj::value& value, Event& event) {
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (Is(key, "timeUnixNano", "time_unix_nano")) {
        return AtField(ReadUint64(field, event.time_unix_nano), "timeUnixNano");
      }
      if (key == "name") return AtField(ReadString(field, event.name), "name");
      if (key == "attributes") return ReadAttributes(field, event.attributes);
      if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
        return AtField(ReadUint32(field, event.dropped_attributes_count), "droppedAttributesCount");
      }
      return {};
    });
  }

  Status ReadLink(sj::value& value, Link& link) {
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (Is(key, "traceId", "trace_id")) {
        return AtField(ReadTraceId(field, link.trace_id), "traceId");
      }
      if (Is(key, "spanId", "span_id")) return AtField(ReadSpanId(field, link.span_id), "spanId");
      if (Is(key, "traceState", "trace_state")) {
        return AtField(ReadString(field, link.trace_state), "traceState");
      }
      if (key == "attributes") return ReadAttributes(field, link.attributes);
      if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
        return AtField(ReadUint32(field, link.dropped_attributes_count), "droppedAttributesCount");
      }
      if (key == "flags") return AtField(ReadUint32(field, link.flags), "flags");
      return {};
    });
  }

  Status ReadStatus(sj::value& value, SpanStatus& status) {
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key == "message") return AtField(ReadString(field, status.message), "message");
      if (key == "code") {
        uint8_t code = 0;
        ARIADNE_RETURN_IF_ERROR(AtField(ReadEnum(field, kStatusCodeNames, code), "code"));
        status.code = static_cast<SpanStatusCode>(code);
      }
      return {};
    });
  }

  // Appends each element of the JSON array `value` (named `name` in errors) to `list` as an
  // arena-constructed item read by `read_item(element, item)`.
  template <typename List, typename ReadItem>
  Status ReadArenaList(sj::value& value, std::string_view name, List& list, ReadItem&& read_item) {
    return ForEachElement(
        value, name, [&](size_t count) { list.reserve(list.size() + count); },
        [&](size_t, sj::value& element) {
          return read_item(element, list.emplace_back(batch_.arena()));
        });
  }

  Status ReadSpanField(std::string_view key, sj::value& field, Span& span) {
    if (Is(key, "traceId", "trace_id")) {
      return AtField(ReadTraceId(field, span.trace_id), "traceId");
    }
    if (Is(key, "spanId", "span_id")) return AtField(ReadSpanId(field, span.span_id), "spanId");
    if (Is(key, "parentSpanId", "parent_span_id")) {
      return AtField(ReadSpanId(field, span.parent_span_id), "parentSpanId");
    }
    if (Is(key, "traceState", "trace_state")) {
      return AtField(ReadString(field, span.trace_state), "traceState");
    }
    if (key == "name") return AtField(ReadString(field, span.name), "name");
    if (key == "kind") {
      uint8_t kind = 0;
      ARIADNE_RETURN_IF_ERROR(AtField(ReadEnum(field, kSpanKindNames, kind), "kind"));
      span.kind = static_cast<SpanKind>(kind);
      return {};
    }
    if (key == "flags") return AtField(ReadUint32(field, span.flags), "flags");
    if (Is(key, "startTimeUnixNano", "start_time_unix_nano")) {
      return AtField(ReadUint64(field, span.start_time_unix_nano), "startTimeUnixNano");
    }
    if (Is(key, "endTimeUnixNano", "end_time_unix_nano")) {
      return AtField(ReadUint64(field, span.end_time_unix_nano), "endTimeUnixNano");
    }
    if (key == "attributes") return ReadAttributes(field, span.attributes);
    if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      return AtField(ReadUint32(field, span.dropped_attributes_count), "droppedAttributesCount");
    }
    if (key == "events") {
      return ReadArenaList(field, "events", span.events, [&](sj::value& element, Event& event) {
        return ReadEvent(element, event);
      });
    }
    if (Is(key, "droppedEventsCount", "dropped_events_count")) {
      return AtField(ReadUint32(field, span.dropped_events_count), "droppedEventsCount");
    }
    if (key == "links") {
      return ReadArenaList(field, "links", span.links,
                           [&](sj::value& element, Link& link) { return ReadLink(element, link); });
    }
    if (Is(key, "droppedLinksCount", "dropped_links_count")) {
      return AtField(ReadUint32(field, span.dropped_links_count), "droppedLinksCount");
    }
    if (key == "status") return AtField(ReadStatus(field, span.status), "status");
    return {};
  }

  Status ReadScopeSpans(sj::value& value, uint32_t resource_index) {
    uint32_t scope_index = batch_.AddScope();
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key == "scope") return AtField(ReadScope(field, batch_.scopes()[scope_index]), "scope");
      if (Is(key, "schemaUrl", "schema_url")) {
        return AtField(ReadString(field, batch_.scopes()[scope_index].schema_url), "schemaUrl");
      }
      if (key != "spans") return {};
      return ForEachElement(
          field, "spans", NoCount{},  // counting would skip every span: it costs more than growing
          [&](size_t, sj::value& element) -> Status {
            Span& span = batch_.AddSpan(resource_index, scope_index);
            return ForEachField(element, [&](std::string_view span_key, sj::value& span_field) {
              return ReadSpanField(span_key, span_field, span);
            });
          });
    });
  }

  Status ReadResourceSpans(sj::value& value) {
    uint32_t resource_index = batch_.AddResource();
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key == "resource") {
        return AtField(ReadResource(field, batch_.resources()[resource_index]), "resource");
      }
      if (Is(key, "scopeSpans", "scope_spans")) {
        return ForEachElement(field, "scopeSpans", NoCount{}, [&](size_t, sj::value& element) {
          return ReadScopeSpans(element, resource_index);
        });
      }
      if (Is(key, "schemaUrl", "schema_url")) {
        return AtField(ReadString(field, batch_.resources()[resource_index].schema_url),
                       "schemaUrl");
      }
      return {};
    });
  }

  json::JsonInput& input_;
  SpanBatch& batch_;
  std::string scratch_;                       // base64 decoding
  std::vector<Attribute> attribute_scratch_;  // ReadAttributes
};

// Past this size the padded copy is released after the call instead of kept for the next one.
constexpr size_t kKeepPaddedBytes = 4 << 20;

Status Decode(std::string_view bytes, SpanBatch& batch) {
  thread_local json::ParseState state;
  json::JsonInput input(bytes, state, batch, simdjson::DEFAULT_MAX_DEPTH, kKeepPaddedBytes);
  sj::document document;
  if (auto error = input.Iterate(document)) return JsonError(error);
  sj::object request;
  if (auto error = document.get_object().get(request)) {
    return json::TypeError(error, "expected a JSON object");
  }
  Decoder decoder(input, batch);
  ARIADNE_RETURN_IF_ERROR(decoder.ReadRequest(request));
  if (json::HasContentAfterRoot(document)) return Invalid("unexpected content after the object");
  return {};
}

// ----------------------------------------------------------------------------------------------
// Encoding (proto3 JSON: lowerCamelCase names, 64-bit integers as strings, default values omitted).

class RequestWriter {
 public:
  explicit RequestWriter(std::string& out) : writer_(out) {}

  void Write(const SpanBatch& batch) {
    const auto& spans = batch.spans();
    writer_.StartObject();
    writer_.Key("resourceSpans");
    writer_.StartArray();
    size_t i = 0;
    while (i < spans.size()) {
      uint32_t resource_index = spans[i].resource_index;
      const Resource& resource = batch.resources()[resource_index];
      writer_.StartObject();
      writer_.Key("resource");
      writer_.StartObject();
      AttributesIfSet(resource.attributes, resource.dropped_attributes_count);
      writer_.EndObject();
      writer_.Key("scopeSpans");
      writer_.StartArray();
      while (i < spans.size() && spans[i].resource_index == resource_index) {
        uint32_t scope_index = spans[i].scope_index;
        const Scope& scope = batch.scopes()[scope_index];
        writer_.StartObject();
        writer_.Key("scope");
        writer_.StartObject();
        StringIfSet("name", scope.name);
        StringIfSet("version", scope.version);
        AttributesIfSet(scope.attributes, scope.dropped_attributes_count);
        writer_.EndObject();
        writer_.Key("spans");
        writer_.StartArray();
        for (; i < spans.size() && spans[i].resource_index == resource_index &&
               spans[i].scope_index == scope_index;
             ++i) {
          WriteSpan(spans[i]);
        }
        writer_.EndArray();
        StringIfSet("schemaUrl", scope.schema_url);
        writer_.EndObject();
      }
      writer_.EndArray();
      StringIfSet("schemaUrl", resource.schema_url);
      writer_.EndObject();
    }
    writer_.EndArray();
    writer_.EndObject();
  }

 private:
  void StringIfSet(std::string_view key, std::string_view text) {
    if (text.empty()) return;
    writer_.Key(key);
    writer_.String(text);
  }

  void NumberIfSet(std::string_view key, uint32_t value) {
    if (value == 0) return;
    writer_.Key(key);
    writer_.Uint64(value);
  }

  void TraceIdField(std::string_view key, const TraceId& id) {
    writer_.Key(key);
    writer_.StringFrom([&](std::string& text) {
      if (id.empty()) return;
      AppendHex64(id.high, text);
      AppendHex64(id.low, text);
    });
  }

  void SpanIdField(std::string_view key, const SpanId& id) {
    writer_.Key(key);
    writer_.StringFrom([&](std::string& text) {
      if (!id.empty()) AppendHex64(id.value, text);
    });
  }

  void WriteKeyValue(const Attribute& attribute) {
    writer_.StartObject();
    writer_.Key("key");
    writer_.String(attribute.key);
    writer_.Key("value");
    WriteAnyValue(attribute.value);
    writer_.EndObject();
  }

  void WriteAnyValue(const AnyValue& value) {
    writer_.StartObject();
    switch (value.type()) {
      case ValueType::kEmpty: break;
      case ValueType::kString:
        writer_.Key("stringValue");
        writer_.String(value.string_value());
        break;
      case ValueType::kBool:
        writer_.Key("boolValue");
        writer_.Bool(value.bool_value());
        break;
      case ValueType::kInt:
        writer_.Key("intValue");
        writer_.Int64String(value.int_value());
        break;
      case ValueType::kDouble:
        writer_.Key("doubleValue");
        writer_.Double(value.double_value(), json::NonFiniteStyle::kJavaScript);
        break;
      case ValueType::kBytes:
        writer_.Key("bytesValue");
        writer_.StringFrom([&](std::string& text) { AppendBase64(value.bytes_value(), text); });
        break;
      case ValueType::kArray:
        writer_.Key("arrayValue");
        writer_.StartObject();
        writer_.Key("values");
        writer_.StartArray();
        for (size_t i = 0; i < value.size(); ++i) WriteAnyValue(value.array_begin()[i]);
        writer_.EndArray();
        writer_.EndObject();
        break;
      case ValueType::kMap:
        writer_.Key("kvlistValue");
        writer_.StartObject();
        writer_.Key("values");
        writer_.StartArray();
        for (size_t i = 0; i < value.size(); ++i) WriteKeyValue(value.map_begin()[i]);
        writer_.EndArray();
        writer_.EndObject();
        break;
    }
    writer_.EndObject();
  }

  void AttributesIfSet(const Attributes& attributes, uint32_t dropped) {
    if (!attributes.empty()) {
      writer_.Key("attributes");
      writer_.StartArray();
      for (const Attribute& attribute : attributes) WriteKeyValue(attribute);
      writer_.EndArray();
    }
    NumberIfSet("droppedAttributesCount", dropped);
  }

  void WriteEvent(const Event& event) {
    writer_.StartObject();
    writer_.Key("timeUnixNano");
    writer_.Uint64String(event.time_unix_nano);
    writer_.Key("name");
    writer_.String(event.name);
    AttributesIfSet(event.attributes, event.dropped_attributes_count);
    writer_.EndObject();
  }

  void WriteLink(const Link& link) {
    writer_.StartObject();
    TraceIdField("traceId", link.trace_id);
    SpanIdField("spanId", link.span_id);
    StringIfSet("traceState", link.trace_state);
    AttributesIfSet(link.attributes, link.dropped_attributes_count);
    NumberIfSet("flags", link.flags);
    writer_.EndObject();
  }

  void WriteSpan(const Span& span) {
    writer_.StartObject();
    TraceIdField("traceId", span.trace_id);
    SpanIdField("spanId", span.span_id);
    StringIfSet("traceState", span.trace_state);
    if (!span.parent_span_id.empty()) SpanIdField("parentSpanId", span.parent_span_id);
    NumberIfSet("flags", span.flags);
    writer_.Key("name");
    writer_.String(span.name);
    NumberIfSet("kind", static_cast<uint32_t>(span.kind));
    writer_.Key("startTimeUnixNano");
    writer_.Uint64String(span.start_time_unix_nano);
    writer_.Key("endTimeUnixNano");
    writer_.Uint64String(span.end_time_unix_nano);
    AttributesIfSet(span.attributes, span.dropped_attributes_count);
    if (!span.events.empty()) {
      writer_.Key("events");
      writer_.StartArray();
      for (const Event& event : span.events) WriteEvent(event);
      writer_.EndArray();
    }
    NumberIfSet("droppedEventsCount", span.dropped_events_count);
    if (!span.links.empty()) {
      writer_.Key("links");
      writer_.StartArray();
      for (const Link& link : span.links) WriteLink(link);
      writer_.EndArray();
    }
    NumberIfSet("droppedLinksCount", span.dropped_links_count);
    if (span.status.code != SpanStatusCode::kUnset || !span.status.message.empty()) {
      writer_.Key("status");
      writer_.StartObject();
      StringIfSet("message", span.status.message);
      NumberIfSet("code", static_cast<uint32_t>(span.status.code));
      writer_.EndObject();
    }
    writer_.EndObject();
  }

  json::JsonWriter writer_;
};

}  // namespace

Status DecodeExportRequestJson(std::string_view bytes, SpanBatch& batch) {
  return json::InFormat("otlp json", Decode(bytes, batch));
}

void EncodeExportRequestJson(const SpanBatch& batch, std::string& out) {
  RequestWriter(out).Write(batch);
}

}  // namespace ariadne::tracecore::otlp
