#include "tracecore/codec/otlp_json.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "tracecore/text.h"

namespace ariadne::tracecore::otlp {
namespace {

namespace sj = simdjson::ondemand;

// ----------------------------------------------------------------------------------------------
// Errors. A leaf error's message starts with ": "; each enclosing field or array element prefixes
// its name, so the final message reads "resourceSpans[0].scopeSpans[1].spans[2].traceId: ...".

Status Rebuild(const Status& status, std::string message) {
  if (status.code() == StatusCode::kResourceExhausted) {
    return Status::ResourceExhausted(std::move(message));
  }
  return Status::InvalidArgument(std::move(message));
}

Status Invalid(std::string_view what) {
  std::string message = ": ";
  message += what;
  return Status::InvalidArgument(std::move(message));
}

Status JsonError(simdjson::error_code error) {
  if (error == simdjson::INCORRECT_TYPE) return Invalid("wrong JSON type");
  std::string message = "invalid JSON: ";
  message += simdjson::error_message(error);
  return Invalid(message);
}

Status AtField(Status status, std::string_view name) {
  if (status.ok()) return status;
  std::string message(name);
  const std::string& inner = status.message();
  if (!inner.empty() && inner[0] != ':' && inner[0] != '[') message.push_back('.');
  message += inner;
  return Rebuild(status, std::move(message));
}

Status AtIndex(Status status, std::string_view name, size_t index) {
  if (status.ok()) return status;
  std::string segment(name);
  segment.push_back('[');
  segment += std::to_string(index);
  segment.push_back(']');
  return AtField(std::move(status), segment);
}

// ----------------------------------------------------------------------------------------------
// Generic readers over simdjson's On Demand values.

// True when `key` is the lowerCamelCase JSON name or the proto field name.
bool Is(std::string_view key, std::string_view json_name, std::string_view proto_name) {
  return key == json_name || key == proto_name;
}

Status TypeOf(sj::value& value, sj::json_type& type) {
  if (auto error = value.type().get(type)) return JsonError(error);
  return {};
}

// Null (proto3 JSON: the field is absent) is left unconsumed; the enclosing iteration skips it.
bool IsNull(sj::value& value) {
  sj::json_type type;
  return !value.type().get(type) && type == sj::json_type::null;
}

template <typename OnField>
Status ForEachField(sj::object& object, OnField&& on_field) {
  for (auto field_result : object) {
    sj::field field;
    if (auto error = std::move(field_result).get(field)) return JsonError(error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return JsonError(error);
    sj::value value = field.value();
    if (IsNull(value)) continue;
    ARIADNE_RETURN_IF_ERROR(on_field(key, value));
  }
  return {};
}

template <typename OnField>
Status ForEachField(sj::value& value, OnField&& on_field) {
  sj::object object;
  if (auto error = value.get_object().get(object)) {
    return error == simdjson::INCORRECT_TYPE ? Invalid("expected an object") : JsonError(error);
  }
  return ForEachField(object, on_field);
}

// Marks "no pre-count wanted" for ForEachElement.
struct NoCount {
  void operator()(size_t) const {}
};

// Calls on_count(number of elements) first unless OnCount is NoCount (counting is a second pass
// over the array's structure, worth it to size arena arrays exactly), then on_element(i, value).
// Errors are reported as "<name>[i]..." or "<name>: expected an array".
template <typename OnCount, typename OnElement>
Status ForEachElement(sj::value& value, std::string_view name, OnCount&& on_count,
                      OnElement&& on_element) {
  sj::array array;
  if (auto error = value.get_array().get(array)) {
    return AtField(
        error == simdjson::INCORRECT_TYPE ? Invalid("expected an array") : JsonError(error), name);
  }
  if constexpr (!std::is_same_v<std::decay_t<OnCount>, NoCount>) {
    size_t count = 0;
    if (auto error = array.count_elements().get(count)) return AtField(JsonError(error), name);
    on_count(count);
  }
  size_t index = 0;
  for (auto element_result : array) {
    sj::value element;
    if (auto error = element_result.get(element)) {
      return AtIndex(JsonError(error), name, index);
    }
    ARIADNE_RETURN_IF_ERROR(AtIndex(on_element(index, element), name, index));
    ++index;
  }
  return {};
}

// A string whose view lives only until the next parse (ids, numbers, enum names).
Status ReadTransientString(sj::value& value, std::string_view& out) {
  sj::json_type type;
  ARIADNE_RETURN_IF_ERROR(TypeOf(value, type));
  if (type != sj::json_type::string) return Invalid("expected a string");
  if (auto error = value.get_string().get(out)) return JsonError(error);
  return {};
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
  Decoder(std::string_view json, const char* padded, SpanBatch& batch)
      : json_(json), padded_(padded), batch_(batch) {}

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
  // A string that outlives the parse: a view into the caller's JSON when the string has no
  // escapes (simdjson has already checked the whole input is UTF-8), else unescaped into the arena.
  Status ReadString(sj::value& value, std::string_view& out) {
    sj::json_type type;
    ARIADNE_RETURN_IF_ERROR(TypeOf(value, type));
    if (type != sj::json_type::string) return Invalid("expected a string");
    std::string_view token = value.raw_json_token();  // "text" plus any whitespace after it
    size_t close = token.find_last_of('"');
    if (close != std::string_view::npos && close > 0) {
      std::string_view body = token.substr(1, close - 1);
      if (body.find('\\') == std::string_view::npos) {
        out = json_.substr(static_cast<size_t>(body.data() - padded_), body.size());
        return {};
      }
    }
    std::string_view unescaped;
    if (auto error = value.get_string().get(unescaped)) return JsonError(error);
    out = batch_.Copy(unescaped);
    return {};
  }

  Status ReadTraceId(sj::value& value, TraceId& out) {
    std::string_view hex;
    ARIADNE_RETURN_IF_ERROR(ReadTransientString(value, hex));
    if (hex.empty()) {
      out = {};
      return {};
    }
    std::optional<TraceId> id;
    if (hex.size() == 32) id = TraceId::FromHex(hex);
    if (!id) return Invalid("expected 32 hex chars");
    out = *id;
    return {};
  }

  Status ReadSpanId(sj::value& value, SpanId& out) {
    std::string_view hex;
    ARIADNE_RETURN_IF_ERROR(ReadTransientString(value, hex));
    if (hex.empty()) {
      out = {};
      return {};
    }
    std::optional<SpanId> id;
    if (hex.size() == 16) id = SpanId::FromHex(hex);
    if (!id) return Invalid("expected 16 hex chars");
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
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key != "values") return {};
      AnyValue* items = nullptr;
      size_t capacity = 0;
      size_t filled = 0;
      ARIADNE_RETURN_IF_ERROR(ForEachElement(
          field, "values",
          [&](size_t count) {
            capacity = count;
            items = batch_.AllocateArray<AnyValue>(count);
          },
          [&](size_t, sj::value& element) -> Status {
            if (filled == capacity) return Invalid("array changed size while read");
            return ReadAnyValue(element, items[filled++], depth + 1);
          }));
      out = AnyValue::Array(items, filled);
      return {};
    });
  }

  // KeyValueList {"values": [KeyValue...]} into one exactly-sized arena array.
  Status ReadKeyValueList(sj::value& value, AnyValue& out, int depth) {
    out = AnyValue::Map(batch_.AllocateArray<Attribute>(0), 0);
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key != "values") return {};
      Attribute* items = nullptr;
      size_t capacity = 0;
      size_t filled = 0;
      ARIADNE_RETURN_IF_ERROR(ForEachElement(
          field, "values",
          [&](size_t count) {
            capacity = count;
            items = batch_.AllocateArray<Attribute>(count);
          },
          [&](size_t, sj::value& element) -> Status {
            if (filled == capacity) return Invalid("array changed size while read");
            return ReadKeyValue(element, items[filled++], depth + 1);
          }));
      out = AnyValue::Map(items, filled);
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

  Status ReadAttributes(sj::value& value, Attributes& out) {
    return ForEachElement(
        value, "attributes", [&](size_t count) { out.reserve(out.size() + count); },
        [&](size_t, sj::value& element) {
          return ReadKeyValue(element, out.emplace_back(), /*depth=*/1);
        });
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
      return ForEachElement(
          field, "events", [&](size_t count) { span.events.reserve(span.events.size() + count); },
          [&](size_t, sj::value& element) {
            return ReadEvent(element, span.events.emplace_back(batch_.arena()));
          });
    }
    if (Is(key, "droppedEventsCount", "dropped_events_count")) {
      return AtField(ReadUint32(field, span.dropped_events_count), "droppedEventsCount");
    }
    if (key == "links") {
      return ForEachElement(
          field, "links", [&](size_t count) { span.links.reserve(span.links.size() + count); },
          [&](size_t, sj::value& element) {
            return ReadLink(element, span.links.emplace_back(batch_.arena()));
          });
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
      auto& spans = batch_.spans();
      return ForEachElement(
          field, "spans",
          [&](size_t count) {
            size_t needed = spans.size() + count;
            if (needed > spans.capacity()) spans.reserve(std::max(needed, 2 * spans.capacity()));
          },
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

  std::string_view json_;  // the caller's bytes; views handed to the batch point here
  const char* padded_;     // the padded copy simdjson parses; same offsets as json_
  SpanBatch& batch_;
  std::string scratch_;  // base64 decoding
};

// Per-thread parser and padded copy of the input, reused across calls so that a decode allocates
// only when a request is larger than any before it on this thread.
struct ParseState {
  sj::parser parser;
  std::string padded;
};

ParseState& ThreadParseState() {
  thread_local ParseState state;
  return state;
}

// Past this size the padded copy is released after the call instead of kept for the next one.
constexpr size_t kKeepPaddedBytes = 4 << 20;

Status Decode(std::string_view json, SpanBatch& batch, ParseState& state) {
  state.padded.resize(json.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(state.padded.data(), json.data(), json.size());
  sj::document document;
  if (auto error = state.parser.iterate(state.padded.data(), json.size(), state.padded.size())
                       .get(document)) {
    return JsonError(error);
  }
  sj::object request;
  if (auto error = document.get_object().get(request)) {
    return error == simdjson::INCORRECT_TYPE ? Invalid("expected a JSON object") : JsonError(error);
  }
  Decoder decoder(json, state.padded.data(), batch);
  ARIADNE_RETURN_IF_ERROR(decoder.ReadRequest(request));
  // current_location() is in bounds only when something follows the object.
  if (!document.current_location().error()) return Invalid("unexpected content after the object");
  return {};
}

// ----------------------------------------------------------------------------------------------
// Encoding. Every value is followed by ','; closing a container replaces the trailing ',' (or
// appends) so that no comma bookkeeping is needed.

// Appends `text` as a JSON string; bytes that are not part of valid UTF-8 become U+FFFD.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t at) {
    return at < text.size() ? static_cast<unsigned char>(text[at]) : 0;
  };
  auto continuation = [&](size_t at) { return (byte(at) & 0xC0) == 0x80; };
  unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(i + 1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    unsigned char second = byte(i + 1);
    bool ok = lead == 0xE0   ? (second >= 0xA0 && second <= 0xBF)
              : lead == 0xED ? (second >= 0x80 && second <= 0x9F)
                             : continuation(i + 1);
    return ok && continuation(i + 2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    unsigned char second = byte(i + 1);
    bool ok = lead == 0xF0   ? (second >= 0x90 && second <= 0xBF)
              : lead == 0xF4 ? (second >= 0x80 && second <= 0x8F)
                             : continuation(i + 1);
    return ok && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
  }
  return 0;
}

void AppendText(std::string_view text, std::string& out) {
  if (IsValidUtf8(text)) {
    AppendJsonString(text, out);
    return;
  }
  std::string valid;
  valid.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size();) {
    size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      valid += "\xEF\xBF\xBD";
      ++i;
    } else {
      valid.append(text, i, length);
      i += length;
    }
  }
  AppendJsonString(valid, out);
}

void Close(char bracket, std::string& out) {
  if (out.back() == ',') {
    out.back() = bracket;
  } else {
    out.push_back(bracket);
  }
  out.push_back(',');
}

void Key(std::string_view key, std::string& out) {
  out.push_back('"');
  out += key;
  out += "\":";
}

void StringField(std::string_view key, std::string_view text, std::string& out) {
  Key(key, out);
  AppendText(text, out);
  out.push_back(',');
}

void StringFieldIfSet(std::string_view key, std::string_view text, std::string& out) {
  if (!text.empty()) StringField(key, text, out);
}

template <typename Int>
void AppendInteger(Int value, std::string& out) {
  char text[24];
  auto result = std::to_chars(text, text + sizeof(text), value);
  out.append(text, result.ptr);
}

void NumberFieldIfSet(std::string_view key, uint32_t value, std::string& out) {
  if (value == 0) return;
  Key(key, out);
  AppendInteger(value, out);
  out.push_back(',');
}

// 64-bit integers are decimal strings in proto3 JSON.
template <typename Int>
void QuotedIntegerField(std::string_view key, Int value, std::string& out) {
  Key(key, out);
  out.push_back('"');
  AppendInteger(value, out);
  out += "\",";
}

// The shortest text that reads back as `value`, fixed notation in [1e-6, 1e21) (as Go and
// JavaScript write numbers); non-finite values as proto3 JSON's strings.
void AppendDouble(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  double magnitude = std::fabs(value);
  bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  char text[40];
  auto result = std::to_chars(text, text + sizeof(text), value,
                              exponent ? std::chars_format::scientific : std::chars_format::fixed);
  out.append(text, result.ptr);
}

void TraceIdField(std::string_view key, const TraceId& id, std::string& out) {
  Key(key, out);
  out.push_back('"');
  if (!id.empty()) {
    AppendHex64(id.high, out);
    AppendHex64(id.low, out);
  }
  out += "\",";
}

void SpanIdField(std::string_view key, const SpanId& id, std::string& out) {
  Key(key, out);
  out.push_back('"');
  if (!id.empty()) AppendHex64(id.value, out);
  out += "\",";
}

void AppendAnyValue(const AnyValue& value, std::string& out);

void AppendKeyValue(const Attribute& attribute, std::string& out) {
  out.push_back('{');
  StringField("key", attribute.key, out);
  Key("value", out);
  AppendAnyValue(attribute.value, out);
  Close('}', out);
}

void AppendAnyValue(const AnyValue& value, std::string& out) {
  out.push_back('{');
  switch (value.type()) {
    case ValueType::kEmpty: break;
    case ValueType::kString: StringField("stringValue", value.string_value(), out); break;
    case ValueType::kBool:
      Key("boolValue", out);
      out += value.bool_value() ? "true," : "false,";
      break;
    case ValueType::kInt: QuotedIntegerField("intValue", value.int_value(), out); break;
    case ValueType::kDouble:
      Key("doubleValue", out);
      AppendDouble(value.double_value(), out);
      out.push_back(',');
      break;
    case ValueType::kBytes:
      Key("bytesValue", out);
      out.push_back('"');
      AppendBase64(value.bytes_value(), out);
      out += "\",";
      break;
    case ValueType::kArray:
      Key("arrayValue", out);
      out += "{\"values\":[";
      for (size_t i = 0; i < value.size(); ++i) AppendAnyValue(value.array_begin()[i], out);
      Close(']', out);
      Close('}', out);
      break;
    case ValueType::kMap:
      Key("kvlistValue", out);
      out += "{\"values\":[";
      for (size_t i = 0; i < value.size(); ++i) AppendKeyValue(value.map_begin()[i], out);
      Close(']', out);
      Close('}', out);
      break;
  }
  Close('}', out);
}

void AttributesFieldIfSet(const Attributes& attributes, uint32_t dropped, std::string& out) {
  if (!attributes.empty()) {
    Key("attributes", out);
    out.push_back('[');
    for (const Attribute& attribute : attributes) AppendKeyValue(attribute, out);
    Close(']', out);
  }
  NumberFieldIfSet("droppedAttributesCount", dropped, out);
}

void AppendEvent(const Event& event, std::string& out) {
  out.push_back('{');
  QuotedIntegerField("timeUnixNano", event.time_unix_nano, out);
  StringField("name", event.name, out);
  AttributesFieldIfSet(event.attributes, event.dropped_attributes_count, out);
  Close('}', out);
}

void AppendLink(const Link& link, std::string& out) {
  out.push_back('{');
  TraceIdField("traceId", link.trace_id, out);
  SpanIdField("spanId", link.span_id, out);
  StringFieldIfSet("traceState", link.trace_state, out);
  AttributesFieldIfSet(link.attributes, link.dropped_attributes_count, out);
  NumberFieldIfSet("flags", link.flags, out);
  Close('}', out);
}

void AppendSpan(const Span& span, std::string& out) {
  out.push_back('{');
  TraceIdField("traceId", span.trace_id, out);
  SpanIdField("spanId", span.span_id, out);
  StringFieldIfSet("traceState", span.trace_state, out);
  if (!span.parent_span_id.empty()) SpanIdField("parentSpanId", span.parent_span_id, out);
  NumberFieldIfSet("flags", span.flags, out);
  StringField("name", span.name, out);
  NumberFieldIfSet("kind", static_cast<uint32_t>(span.kind), out);
  QuotedIntegerField("startTimeUnixNano", span.start_time_unix_nano, out);
  QuotedIntegerField("endTimeUnixNano", span.end_time_unix_nano, out);
  AttributesFieldIfSet(span.attributes, span.dropped_attributes_count, out);
  if (!span.events.empty()) {
    Key("events", out);
    out.push_back('[');
    for (const Event& event : span.events) AppendEvent(event, out);
    Close(']', out);
  }
  NumberFieldIfSet("droppedEventsCount", span.dropped_events_count, out);
  if (!span.links.empty()) {
    Key("links", out);
    out.push_back('[');
    for (const Link& link : span.links) AppendLink(link, out);
    Close(']', out);
  }
  NumberFieldIfSet("droppedLinksCount", span.dropped_links_count, out);
  if (span.status.code != SpanStatusCode::kUnset || !span.status.message.empty()) {
    Key("status", out);
    out.push_back('{');
    StringFieldIfSet("message", span.status.message, out);
    NumberFieldIfSet("code", static_cast<uint32_t>(span.status.code), out);
    Close('}', out);
  }
  Close('}', out);
}

}  // namespace

Status DecodeExportRequestJson(std::string_view json, SpanBatch& batch) {
  ParseState& state = ThreadParseState();
  Status status = Decode(json, batch, state);
  if (state.padded.capacity() > kKeepPaddedBytes) std::string().swap(state.padded);
  if (status.ok()) return status;
  const std::string& message = status.message();
  return Rebuild(status, (message.rfind(": ", 0) == 0 ? "otlp json" : "otlp json: ") + message);
}

void EncodeExportRequestJson(const SpanBatch& batch, std::string& out) {
  const auto& spans = batch.spans();
  out += "{\"resourceSpans\":[";
  size_t i = 0;
  while (i < spans.size()) {
    uint32_t resource_index = spans[i].resource_index;
    const Resource& resource = batch.resources()[resource_index];
    out += "{\"resource\":{";
    AttributesFieldIfSet(resource.attributes, resource.dropped_attributes_count, out);
    Close('}', out);
    Key("scopeSpans", out);
    out.push_back('[');
    while (i < spans.size() && spans[i].resource_index == resource_index) {
      uint32_t scope_index = spans[i].scope_index;
      const Scope& scope = batch.scopes()[scope_index];
      out += "{\"scope\":{";
      StringFieldIfSet("name", scope.name, out);
      StringFieldIfSet("version", scope.version, out);
      AttributesFieldIfSet(scope.attributes, scope.dropped_attributes_count, out);
      Close('}', out);
      Key("spans", out);
      out.push_back('[');
      for (; i < spans.size() && spans[i].resource_index == resource_index &&
             spans[i].scope_index == scope_index;
           ++i) {
        AppendSpan(spans[i], out);
      }
      Close(']', out);
      StringFieldIfSet("schemaUrl", scope.schema_url, out);
      Close('}', out);
    }
    Close(']', out);
    StringFieldIfSet("schemaUrl", resource.schema_url, out);
    Close('}', out);
  }
  Close(']', out);
  Close('}', out);
  out.pop_back();  // the ',' after the request object
}

}  // namespace ariadne::tracecore::otlp
