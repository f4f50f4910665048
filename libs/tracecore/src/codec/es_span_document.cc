#include "tracecore/codec/es_span_document.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "tracecore/text.h"
#include "tracecore/translate/jaeger_translation.h"

namespace ariadne::tracecore::es {
namespace {

namespace sj = simdjson::ondemand;

// ----------------------------------------------------------------------------------------------
// Errors. A leaf error's message starts with ": "; each enclosing field or array element prefixes
// its name, so the final message reads "logs[1].fields[0].value: ...".

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
  return Status::InvalidArgument(std::move(message));
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

Status TypeOf(sj::value& value, sj::json_type& type) {
  if (auto error = value.type().get(type)) return JsonError(error);
  return {};
}

// Null reads as absent (Go's encoder writes null for a nil list); it is left unconsumed and the
// enclosing iteration skips it.
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

// Calls on_element(value) for each element; errors read "<name>[i]..." / "<name>: ...".
template <typename OnElement>
Status ForEachElement(sj::value& value, std::string_view name, OnElement&& on_element) {
  sj::array array;
  if (auto error = value.get_array().get(array)) {
    return AtField(
        error == simdjson::INCORRECT_TYPE ? Invalid("expected an array") : JsonError(error), name);
  }
  size_t index = 0;
  for (auto element_result : array) {
    sj::value element;
    if (auto error = element_result.get(element)) {
      return AtIndex(JsonError(error), name, index);
    }
    ARIADNE_RETURN_IF_ERROR(AtIndex(on_element(element), name, index));
    ++index;
  }
  return {};
}

// A string whose view lives only until the next parse (ids, type names).
Status ReadTransientString(sj::value& value, std::string_view& out) {
  sj::json_type type;
  ARIADNE_RETURN_IF_ERROR(TypeOf(value, type));
  if (type != sj::json_type::string) return Invalid("expected a string");
  if (auto error = value.get_string().get(out)) return JsonError(error);
  return {};
}

Status ReadUint64(sj::value& value, uint64_t& out) {
  if (auto error = value.get_uint64().get(out)) {
    return error == simdjson::INCORRECT_TYPE || error == simdjson::NUMBER_ERROR
               ? Invalid("expected an unsigned integer")
               : JsonError(error);
  }
  return {};
}

Status ReadMicros(sj::value& value, uint64_t& nanos) {
  uint64_t micros = 0;
  ARIADNE_RETURN_IF_ERROR(ReadUint64(value, micros));
  if (micros > std::numeric_limits<uint64_t>::max() / 1000) {
    return Invalid("microseconds out of range");
  }
  nanos = micros * 1000;
  return {};
}

Status ReadTraceId(sj::value& value, TraceId& out) {
  std::string_view hex;
  ARIADNE_RETURN_IF_ERROR(ReadTransientString(value, hex));
  std::optional<TraceId> id = TraceId::FromHex(hex);
  if (!id) return Invalid("expected 1 to 32 hex chars");
  out = *id;
  return {};
}

Status ReadSpanId(sj::value& value, SpanId& out) {
  std::string_view hex;
  ARIADNE_RETURN_IF_ERROR(ReadTransientString(value, hex));
  std::optional<SpanId> id = SpanId::FromHex(hex);
  if (!id) return Invalid("expected 1 to 16 hex chars");
  out = *id;
  return {};
}

// ----------------------------------------------------------------------------------------------
// Go's text forms of tag values (strconv.ParseBool / ParseInt / ParseFloat), as the v1 writer
// leaves them in the documents.

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

bool ParseGoBool(std::string_view text, bool& out) {
  if (text == "1" || text == "t" || text == "T" || text == "true" || text == "TRUE" ||
      text == "True") {
    out = true;
    return true;
  }
  if (text == "0" || text == "f" || text == "F" || text == "false" || text == "FALSE" ||
      text == "False") {
    out = false;
    return true;
  }
  return false;
}

bool ParseGoInt(std::string_view text, int64_t& out) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty() || text[0] == '+') return false;
  auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

bool ParseGoFloat(std::string_view text, double& out) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (EqualsIgnoreCase(text, "inf") || EqualsIgnoreCase(text, "infinity")) {
    out = negative ? -std::numeric_limits<double>::infinity()
                   : std::numeric_limits<double>::infinity();
    return true;
  }
  if (EqualsIgnoreCase(text, "nan")) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (text.empty() || !((text[0] >= '0' && text[0] <= '9') || text[0] == '.')) return false;
  auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return false;
  if (negative) out = -out;
  return true;
}

// ----------------------------------------------------------------------------------------------
// Decoding.

enum class TagType : uint8_t { kString, kBool, kInt64, kFloat64, kBinary };

bool ParseTagType(std::string_view name, TagType& type) {
  constexpr std::pair<std::string_view, TagType> kTypes[] = {
      {"string", TagType::kString},   {"bool", TagType::kBool},     {"int64", TagType::kInt64},
      {"float64", TagType::kFloat64}, {"binary", TagType::kBinary},
  };
  for (const auto& [type_name, value] : kTypes) {
    if (type_name == name) {
      type = value;
      return true;
    }
  }
  return false;
}

// A JSON scalar held until the tag's type is known (keys may come in any order).
struct Scalar {
  sj::json_type type = sj::json_type::null;
  std::string_view text;  // a string, as a durable view
  bool boolean = false;
  bool integral = false;  // a number without fraction or exponent that fits an int64
  int64_t integer = 0;
  double number = 0;
};

class DocumentDecoder {
 public:
  DocumentDecoder(std::string_view json, const char* padded, const DecodeOptions& options,
                  SpanBatch& batch)
      : json_(json),
        padded_(padded),
        options_(options),
        batch_(batch),
        process_tags_(batch.arena()),
        span_field_tags_(batch.arena()),
        process_field_tags_(batch.arena()) {}

  Status Read(sj::object& document) {
    Span& span = batch_.AddSpan(0, 0);  // indices are set once the process is read
    uint64_t duration = 0;
    bool has_trace_id = false;
    bool has_span_id = false;
    Status fields = ForEachField(document, [&](std::string_view key, sj::value& value) -> Status {
      if (key == "traceID") {
        has_trace_id = true;
        return AtField(ReadTraceId(value, span.trace_id), key);
      }
      if (key == "spanID") {
        has_span_id = true;
        return AtField(ReadSpanId(value, span.span_id), key);
      }
      if (key == "parentSpanID") return AtField(ReadParentSpanId(value), key);
      if (key == "flags") return AtField(ReadFlags(value, span.flags), key);
      if (key == "operationName") return AtField(ReadString(value, span.name), key);
      if (key == "references") {
        return ForEachElement(value, key,
                              [&](sj::value& element) { return ReadReference(element); });
      }
      if (key == "startTime") return AtField(ReadMicros(value, span.start_time_unix_nano), key);
      if (key == "duration") return AtField(ReadMicros(value, duration), key);
      if (key == "tags") return ReadKeyValues(value, key, span.attributes);
      if (key == "tag") return AtField(ReadTagObject(value, span_field_tags_), key);
      if (key == "logs") {
        return ForEachElement(value, key, [&](sj::value& element) {
          return ReadLog(element, span.events.emplace_back(batch_.arena()));
        });
      }
      if (key == "process") return AtField(ReadProcess(value), key);
      return {};  // startTimeMillis (derived), @timestamp, unknown fields
    });
    if (!fields.ok()) return fields;
    if (!has_trace_id) return AtField(Invalid("missing"), "traceID");
    if (!has_span_id) return AtField(Invalid("missing"), "spanID");
    if (duration > std::numeric_limits<uint64_t>::max() - span.start_time_unix_nano) {
      return Invalid("startTime + duration out of range");
    }
    span.end_time_unix_nano = span.start_time_unix_nano + duration;

    uint32_t resource_index = jaeger::AddProcessResource(batch_, service_name_);
    Attributes& resource_attributes = batch_.resources()[resource_index].attributes;
    resource_attributes.insert(resource_attributes.end(), process_tags_.begin(),
                               process_tags_.end());
    resource_attributes.insert(resource_attributes.end(), process_field_tags_.begin(),
                               process_field_tags_.end());
    span.attributes.insert(span.attributes.end(), span_field_tags_.begin(), span_field_tags_.end());
    span.resource_index = resource_index;
    jaeger::ScopeCache scopes;
    jaeger::FinishSpan(batch_, span, parent_span_id_, references_, scopes);
    return {};
  }

 private:
  // A view into the caller's JSON when the string has no escapes (simdjson has checked that the
  // input is UTF-8), else unescaped into the arena.
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

  Status ReadParentSpanId(sj::value& value) {
    std::string_view hex;
    ARIADNE_RETURN_IF_ERROR(ReadTransientString(value, hex));
    if (hex.empty()) return {};
    std::optional<SpanId> id = SpanId::FromHex(hex);
    if (!id) return Invalid("expected 1 to 16 hex chars");
    parent_span_id_ = *id;
    return {};
  }

  static Status ReadFlags(sj::value& value, uint32_t& flags) {
    uint64_t wide = 0;
    ARIADNE_RETURN_IF_ERROR(ReadUint64(value, wide));
    if (wide > std::numeric_limits<uint32_t>::max()) {
      return Invalid("expected an unsigned 32-bit integer");
    }
    flags = static_cast<uint32_t>(wide);
    return {};
  }

  Status ReadReference(sj::value& value) {
    jaeger::Reference reference;
    bool has_type = false;
    bool has_trace_id = false;
    bool has_span_id = false;
    Status fields = ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key == "refType") {
        std::string_view name;
        ARIADNE_RETURN_IF_ERROR(AtField(ReadTransientString(field, name), key));
        if (name == "CHILD_OF") {
          reference.type = jaeger::RefType::kChildOf;
        } else if (name == "FOLLOWS_FROM") {
          reference.type = jaeger::RefType::kFollowsFrom;
        } else {
          return AtField(Invalid("expected CHILD_OF or FOLLOWS_FROM"), key);
        }
        has_type = true;
        return {};
      }
      if (key == "traceID") {
        has_trace_id = true;
        return AtField(ReadTraceId(field, reference.trace_id), key);
      }
      if (key == "spanID") {
        has_span_id = true;
        return AtField(ReadSpanId(field, reference.span_id), key);
      }
      return {};
    });
    if (!fields.ok()) return fields;
    if (!has_type) return AtField(Invalid("missing"), "refType");
    if (!has_trace_id) return AtField(Invalid("missing"), "traceID");
    if (!has_span_id) return AtField(Invalid("missing"), "spanID");
    references_.push_back(reference);
    return {};
  }

  Status ReadScalar(sj::value& value, Scalar& out) {
    ARIADNE_RETURN_IF_ERROR(TypeOf(value, out.type));
    switch (out.type) {
      case sj::json_type::string: return ReadString(value, out.text);
      case sj::json_type::boolean:
        if (auto error = value.get_bool().get(out.boolean)) return JsonError(error);
        return {};
      case sj::json_type::number: {
        sj::number_type number_type;
        if (auto error = value.get_number_type().get(number_type)) return JsonError(error);
        if (number_type == sj::number_type::signed_integer) {
          if (auto error = value.get_int64().get(out.integer)) return JsonError(error);
          out.integral = true;
          out.number = static_cast<double>(out.integer);
        } else if (number_type == sj::number_type::unsigned_integer) {
          uint64_t big = 0;
          if (auto error = value.get_uint64().get(big)) return JsonError(error);
          if (big <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            out.integral = true;
            out.integer = static_cast<int64_t>(big);
          }
          out.number = static_cast<double>(big);
        } else if (auto error = value.get_double().get(out.number)) {
          return JsonError(error);
        }
        return {};
      }
      default: return Invalid("expected a string, number or bool");
    }
  }

  // The value of a nested-list tag of the given type, from either value style.
  Status ToTagValue(TagType type, const Scalar& scalar, AnyValue& out) {
    bool is_string = scalar.type == sj::json_type::string;
    switch (type) {
      case TagType::kString:
        if (!is_string) return Invalid("expected a string");
        out = AnyValue::String(scalar.text);
        return {};
      case TagType::kBool: {
        bool flag = scalar.boolean;
        if (is_string ? !ParseGoBool(scalar.text, flag) : scalar.type != sj::json_type::boolean) {
          return Invalid("expected a bool");
        }
        out = AnyValue::Bool(flag);
        return {};
      }
      case TagType::kInt64: {
        int64_t number = scalar.integer;
        if (is_string) {
          if (!ParseGoInt(scalar.text, number)) return Invalid("expected an int64");
        } else if (scalar.type != sj::json_type::number) {
          return Invalid("expected an int64");
        } else if (!scalar.integral) {
          // An integral number written in float form (2.0, 1e3) still names the integer.
          constexpr double kTwoTo63 = 9223372036854775808.0;
          if (std::trunc(scalar.number) != scalar.number || scalar.number < -kTwoTo63 ||
              scalar.number >= kTwoTo63) {
            return Invalid("expected an int64");
          }
          number = static_cast<int64_t>(scalar.number);
        }
        out = AnyValue::Int(number);
        return {};
      }
      case TagType::kFloat64: {
        double number = scalar.number;
        if (is_string ? !ParseGoFloat(scalar.text, number) : scalar.type != sj::json_type::number) {
          return Invalid("expected a float64");
        }
        out = AnyValue::Double(number);
        return {};
      }
      case TagType::kBinary:
        scratch_.clear();
        if (!is_string || !DecodeHexBytes(scalar.text, scratch_)) return Invalid("expected hex");
        out = AnyValue::Bytes(batch_.Copy(scratch_));
        return {};
    }
    return Invalid("unknown type");
  }

  Status ReadKeyValue(sj::value& value, Attribute& out) {
    TagType type = TagType::kString;
    bool has_type = false;
    bool has_value = false;
    Scalar scalar;
    Status fields = ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key == "key") return AtField(ReadString(field, out.key), key);
      if (key == "type") {
        std::string_view name;
        ARIADNE_RETURN_IF_ERROR(AtField(ReadTransientString(field, name), key));
        if (!ParseTagType(name, type)) {
          return AtField(Invalid("expected string, bool, int64, float64 or binary"), key);
        }
        has_type = true;
        return {};
      }
      if (key == "value") {
        has_value = true;
        return AtField(ReadScalar(field, scalar), key);
      }
      return {};
    });
    if (!fields.ok()) return fields;
    if (!has_type) return AtField(Invalid("missing"), "type");
    if (!has_value) return AtField(Invalid("missing"), "value");
    return AtField(ToTagValue(type, scalar, out.value), "value");
  }

  Status ReadKeyValues(sj::value& value, std::string_view name, Attributes& out) {
    return ForEachElement(
        value, name, [&](sj::value& element) { return ReadKeyValue(element, out.emplace_back()); });
  }

  // Tags-as-fields: {"http@status_code": 200, ...}; the JSON type is the tag's type.
  Status ReadTagObject(sj::value& value, Attributes& out) {
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      Scalar scalar;
      ARIADNE_RETURN_IF_ERROR(AtField(ReadScalar(field, scalar), key));
      Attribute& tag = out.emplace_back();
      tag.key = RestoreDots(key);
      switch (scalar.type) {
        case sj::json_type::string: tag.value = AnyValue::String(scalar.text); break;
        case sj::json_type::boolean: tag.value = AnyValue::Bool(scalar.boolean); break;
        default:
          tag.value =
              scalar.integral ? AnyValue::Int(scalar.integer) : AnyValue::Double(scalar.number);
      }
      return {};
    });
  }

  // Copies a tag-object key into the arena with the dot replacement turned back into '.'.
  std::string_view RestoreDots(std::string_view key) {
    const std::string& replacement = options_.dot_replacement;
    if (replacement.empty() || key.find(replacement) == std::string_view::npos) {
      return batch_.Copy(key);
    }
    scratch_.clear();
    size_t at = 0;
    for (size_t found; (found = key.find(replacement, at)) != std::string_view::npos;
         at = found + replacement.size()) {
      scratch_.append(key, at, found - at);
      scratch_.push_back('.');
    }
    scratch_.append(key, at);
    return batch_.Copy(scratch_);
  }

  Status ReadLog(sj::value& value, Event& event) {
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key == "timestamp") return AtField(ReadMicros(field, event.time_unix_nano), key);
      if (key == "fields") return ReadKeyValues(field, key, event.attributes);
      return {};
    });
  }

  Status ReadProcess(sj::value& value) {
    return ForEachField(value, [&](std::string_view key, sj::value& field) -> Status {
      if (key == "serviceName") return AtField(ReadString(field, service_name_), key);
      if (key == "tags") return ReadKeyValues(field, key, process_tags_);
      if (key == "tag") return AtField(ReadTagObject(field, process_field_tags_), key);
      return {};
    });
  }

  std::string_view json_;  // the caller's bytes; views handed to the batch point here
  const char* padded_;     // the padded copy simdjson parses; same offsets as json_
  const DecodeOptions& options_;
  SpanBatch& batch_;
  SpanId parent_span_id_;
  std::vector<jaeger::Reference> references_;
  std::string_view service_name_;
  Attributes process_tags_;
  Attributes span_field_tags_;  // tags-as-fields follow the nested tags, as Jaeger reads them
  Attributes process_field_tags_;
  std::string scratch_;
};

struct ParseState {
  sj::parser parser;
  std::string padded;
};

ParseState& ThreadParseState() {
  thread_local ParseState state;
  return state;
}

Status Decode(std::string_view json, const DecodeOptions& options, SpanBatch& batch,
              ParseState& state) {
  state.padded.resize(json.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(state.padded.data(), json.data(), json.size());
  sj::document document;
  if (auto error = state.parser.iterate(state.padded.data(), json.size(), state.padded.size())
                       .get(document)) {
    return JsonError(error);
  }
  sj::object object;
  if (auto error = document.get_object().get(object)) {
    return error == simdjson::INCORRECT_TYPE ? Invalid("expected a JSON object") : JsonError(error);
  }
  DocumentDecoder decoder(json, state.padded.data(), options, batch);
  ARIADNE_RETURN_IF_ERROR(decoder.Read(object));
  // current_location() is in bounds only when something follows the object.
  if (!document.current_location().error()) return Invalid("unexpected content after the object");
  return {};
}

// Documents are small; a padded copy larger than this is released after the call.
constexpr size_t kKeepPaddedBytes = 1 << 20;

// ----------------------------------------------------------------------------------------------
// Encoding. Every value is followed by ','; closing a container replaces the trailing ',' (or
// appends), so that no comma bookkeeping is needed.

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

// Appends `text` as a JSON string; bytes that are not part of valid UTF-8 become U+FFFD.
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

template <typename Int>
void AppendInteger(Int value, std::string& out) {
  char text[24];
  auto result = std::to_chars(text, text + sizeof(text), value);
  out.append(text, result.ptr);
}

template <typename Int>
void IntegerField(std::string_view key, Int value, std::string& out) {
  Key(key, out);
  AppendInteger(value, out);
  out.push_back(',');
}

// Go's names for non-finite floats (strconv.FormatFloat); "" for finite values.
std::string_view NonFiniteName(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return {};
}

// strconv.FormatFloat(value, 'g', 10, 64): Jaeger v1's text for a float64 tag.
void AppendFloat10(double value, std::string& out) {
  if (std::string_view name = NonFiniteName(value); !name.empty()) {
    out += name;
    return;
  }
  char text[40];
  auto result = std::to_chars(text, text + sizeof(text), value, std::chars_format::general, 10);
  out.append(text, result.ptr);
}

// The shortest text that reads back as `value`, as Go's encoding/json writes it; with
// `keep_float_form` an integral value gets ".0" so that readers that type numbers by their JSON
// form (tags-as-fields) read a float back.
void AppendShortestDouble(double value, bool keep_float_form, std::string& out) {
  double magnitude = std::fabs(value);
  bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  char text[40];
  auto result = std::to_chars(text, text + sizeof(text), value,
                              exponent ? std::chars_format::scientific : std::chars_format::fixed);
  size_t length = static_cast<size_t>(result.ptr - text);
  if (exponent && length >= 4 && text[length - 4] == 'e' && text[length - 3] == '-' &&
      text[length - 2] == '0') {
    text[length - 2] = text[length - 1];  // "1e-07" -> "1e-7", as Go writes it
    --length;
  }
  out.append(text, length);
  if (keep_float_form && !exponent && std::memchr(text, '.', length) == nullptr) out += ".0";
}

// A float as a JSON value: a number, or Go's name in a string when not finite.
void AppendJsonDouble(double value, bool keep_float_form, std::string& out) {
  if (std::string_view name = NonFiniteName(value); !name.empty()) {
    out.push_back('"');
    out += name;
    out.push_back('"');
    return;
  }
  AppendShortestDouble(value, keep_float_form, out);
}

void TraceIdField(std::string_view key, const TraceId& id, std::string& out) {
  Key(key, out);
  out.push_back('"');
  if (id.high != 0) AppendHex64(id.high, out);
  AppendHex64(id.low, out);
  out += "\",";
}

void SpanIdField(std::string_view key, const SpanId& id, std::string& out) {
  Key(key, out);
  out.push_back('"');
  AppendHex64(id.value, out);
  out += "\",";
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

// {"key","type","value"} of a nested tags / fields list.
void AppendKeyValue(const Attribute& tag, ValueStyle style, std::string& out) {
  out.push_back('{');
  StringField("key", tag.key, out);
  const AnyValue& value = tag.value;
  out += "\"type\":\"";
  out += TypeName(value.type());
  out += "\",\"value\":";
  bool strings = style == ValueStyle::kStrings;
  switch (value.type()) {
    case ValueType::kBool:
      out += strings ? (value.bool_value() ? "\"true\"" : "\"false\"")
                     : (value.bool_value() ? "true" : "false");
      break;
    case ValueType::kInt:
      if (strings) out.push_back('"');
      AppendInteger(value.int_value(), out);
      if (strings) out.push_back('"');
      break;
    case ValueType::kDouble:
      if (strings) {
        out.push_back('"');
        AppendFloat10(value.double_value(), out);
        out.push_back('"');
      } else {
        AppendJsonDouble(value.double_value(), /*keep_float_form=*/false, out);
      }
      break;
    case ValueType::kBytes:
      out.push_back('"');
      AppendHexBytes(value.bytes_value(), out);
      out.push_back('"');
      break;
    case ValueType::kString: AppendText(value.string_value(), out); break;
    case ValueType::kEmpty:
    case ValueType::kArray:
    case ValueType::kMap: {
      // SpanView flattens these to strings; render them the same way if one slips through.
      std::string scratch;
      AppendText(jaeger::ToJaegerValue(value, scratch).string_value(), out);
      break;
    }
  }
  out.push_back(',');
  Close('}', out);
}

// Writes one document; its scratch state is reused across documents.
class DocumentWriter {
 public:
  void Write(const SpanBatch& batch, const Span& span, const EncodeOptions& options,
             std::string& out) {
    view_.Load(batch, span);
    out.push_back('{');
    TraceIdField("traceID", span.trace_id, out);
    SpanIdField("spanID", span.span_id, out);
    if (view_.flags != 0) IntegerField("flags", view_.flags, out);
    StringField("operationName", span.name, out);
    Key("references", out);
    out.push_back('[');
    for (const jaeger::Reference& reference : view_.references) {
      out += reference.type == jaeger::RefType::kChildOf ? "{\"refType\":\"CHILD_OF\","
                                                         : "{\"refType\":\"FOLLOWS_FROM\",";
      TraceIdField("traceID", reference.trace_id, out);
      SpanIdField("spanID", reference.span_id, out);
      Close('}', out);
    }
    Close(']', out);
    IntegerField("startTime", view_.start_time_us, out);
    IntegerField("startTimeMillis", view_.start_time_us / 1000, out);
    IntegerField("duration", view_.duration_us, out);
    AppendTags(view_.tags, options, out);
    Key("logs", out);
    out.push_back('[');
    for (const jaeger::Log& log : view_.logs) {
      out.push_back('{');
      IntegerField("timestamp", log.timestamp_us, out);
      Key("fields", out);
      out.push_back('[');
      for (const Attribute& field : log.fields) AppendKeyValue(field, options.value_style, out);
      Close(']', out);
      Close('}', out);
    }
    Close(']', out);
    Key("process", out);
    out.push_back('{');
    StringField("serviceName", view_.service_name, out);
    AppendTags(view_.process_tags, options, out);
    Close('}', out);
    Close('}', out);
    out.pop_back();  // the ',' after the document
  }

 private:
  struct FieldTag {
    size_t key_offset;  // into field_keys_
    size_t key_size;
    const AnyValue* value;
  };

  static bool IsFieldTag(const Attribute& tag, const EncodeOptions& options) {
    return tag.value.type() != ValueType::kBytes &&
           (options.all_tags_as_fields || options.tags_as_fields.contains(tag.key));
  }

  // "tags": [...] with every tag that is not a field, then "tag": {...} when any is.
  void AppendTags(const std::vector<Attribute>& tags, const EncodeOptions& options,
                  std::string& out) {
    field_tags_.clear();
    field_keys_.clear();
    Key("tags", out);
    out.push_back('[');
    for (const Attribute& tag : tags) {
      if (!IsFieldTag(tag, options)) {
        AppendKeyValue(tag, options.value_style, out);
        continue;
      }
      size_t offset = field_keys_.size();
      for (char c : tag.key) {
        if (c == '.') {
          field_keys_ += options.dot_replacement;
        } else {
          field_keys_.push_back(c);
        }
      }
      field_tags_.push_back({offset, field_keys_.size() - offset, &tag.value});
    }
    Close(']', out);
    if (field_tags_.empty()) return;
    auto key_of = [this](const FieldTag& tag) {
      return std::string_view(field_keys_).substr(tag.key_offset, tag.key_size);
    };
    std::stable_sort(field_tags_.begin(), field_tags_.end(),
                     [&](const FieldTag& a, const FieldTag& b) { return key_of(a) < key_of(b); });
    Key("tag", out);
    out.push_back('{');
    for (size_t i = 0; i < field_tags_.size(); ++i) {
      // One entry per key, the last tag winning, as when Go fills a map.
      if (i + 1 < field_tags_.size() && key_of(field_tags_[i + 1]) == key_of(field_tags_[i])) {
        continue;
      }
      AppendText(key_of(field_tags_[i]), out);
      out.push_back(':');
      AppendFieldValue(*field_tags_[i].value, out);
      out.push_back(',');
    }
    Close('}', out);
  }

  // A tags-as-fields value is native JSON in both styles; its JSON type is its tag type.
  static void AppendFieldValue(const AnyValue& value, std::string& out) {
    switch (value.type()) {
      case ValueType::kBool: out += value.bool_value() ? "true" : "false"; break;
      case ValueType::kInt: AppendInteger(value.int_value(), out); break;
      case ValueType::kDouble:
        AppendJsonDouble(value.double_value(), /*keep_float_form=*/true, out);
        break;
      case ValueType::kString: AppendText(value.string_value(), out); break;
      default: {
        std::string scratch;
        AppendText(jaeger::ToJaegerValue(value, scratch).string_value(), out);
      }
    }
  }

  jaeger::SpanView view_;
  std::vector<FieldTag> field_tags_;
  std::string field_keys_;
};

}  // namespace

void EncodeSpanDocument(const SpanBatch& batch, const Span& span, const EncodeOptions& options,
                        std::string& out) {
  thread_local DocumentWriter writer;
  writer.Write(batch, span, options, out);
}

Status DecodeSpanDocument(std::string_view json, SpanBatch& batch) {
  static const DecodeOptions kDefaults;
  return DecodeSpanDocument(json, kDefaults, batch);
}

Status DecodeSpanDocument(std::string_view json, const DecodeOptions& options, SpanBatch& batch) {
  size_t resources = batch.resources().size();
  size_t scopes = batch.scopes().size();
  size_t spans = batch.spans().size();
  ParseState& state = ThreadParseState();
  Status status = Decode(json, options, batch, state);
  if (state.padded.capacity() > kKeepPaddedBytes) std::string().swap(state.padded);
  if (status.ok()) return status;
  while (batch.spans().size() > spans) batch.spans().pop_back();
  while (batch.scopes().size() > scopes) batch.scopes().pop_back();
  while (batch.resources().size() > resources) batch.resources().pop_back();
  const std::string& message = status.message();
  return Status::InvalidArgument(
      (message.rfind(": ", 0) == 0 ? "es span document" : "es span document: ") + message);
}

}  // namespace ariadne::tracecore::es
