#include "tracecore/codec/es_span_document.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "jaeger_json.h"
#include "json_reader.h"
#include "json_writer.h"
#include "tracecore/text.h"
#include "tracecore/translate/jaeger_translation.h"

namespace ariadne::tracecore::es {
namespace {

namespace sj = simdjson::ondemand;

using jaeger_json::WriteFlattened;
using jaeger_json::WriteKeyValue;
using jaeger_json::WriteLogs;
using jaeger_json::WriteSpanHead;
using json::AtField;
using json::ForEachElement;
using json::ForEachField;
using json::Invalid;
using json::JsonError;
using json::NoCount;
using json::ReadTransientString;
using json::TypeOf;

// ----------------------------------------------------------------------------------------------
// Readers of the document's scalars. Null reads as absent (Go's encoder writes null for a nil
// list): ForEachField skips it.

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
  DocumentDecoder(json::JsonInput& input, const DecodeOptions& options, SpanBatch& batch)
      : input_(input),
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
        return ForEachElement(value, key, NoCount{},
                              [&](size_t, sj::value& element) { return ReadReference(element); });
      }
      if (key == "startTime") return AtField(ReadMicros(value, span.start_time_unix_nano), key);
      if (key == "duration") return AtField(ReadMicros(value, duration), key);
      if (key == "tags") return ReadKeyValues(value, key, span.attributes);
      if (key == "tag") return AtField(ReadTagObject(value, span_field_tags_), key);
      if (key == "logs") {
        return ForEachElement(value, key, NoCount{}, [&](size_t, sj::value& element) {
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
  // A string that outlives the parse (a view into the input, or unescaped into the arena).
  Status ReadString(sj::value& value, std::string_view& out) {
    return json::ReadString(input_, value, out);
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
    return ForEachElement(value, name, NoCount{}, [&](size_t, sj::value& element) {
      return ReadKeyValue(element, out.emplace_back());
    });
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

  json::JsonInput& input_;
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

// Documents are small; a padded copy larger than this is released after the call.
constexpr size_t kKeepPaddedBytes = 1 << 20;

Status Decode(std::string_view bytes, const DecodeOptions& options, SpanBatch& batch) {
  thread_local json::ParseState state;
  json::JsonInput input(bytes, state, batch, simdjson::DEFAULT_MAX_DEPTH, kKeepPaddedBytes);
  sj::document document;
  if (auto error = input.Iterate(document)) return JsonError(error);
  sj::object object;
  if (auto error = document.get_object().get(object)) {
    return json::TypeError(error, "expected a JSON object");
  }
  DocumentDecoder decoder(input, options, batch);
  ARIADNE_RETURN_IF_ERROR(decoder.Read(object));
  if (json::HasContentAfterRoot(document)) return Invalid("unexpected content after the object");
  return {};
}

// ----------------------------------------------------------------------------------------------
// Encoding.

constexpr json::NonFiniteStyle kGoNames = json::NonFiniteStyle::kGo;

// strconv.FormatFloat(value, 'g', 10, 64): Jaeger v1's text for a float64 tag.
void AppendFloat10(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char text[40];
    auto result = std::to_chars(text, text + sizeof(text), value, std::chars_format::general, 10);
    out.append(text, result.ptr);
  }
}

// A tag value in the document's style (see ValueStyle).
void WriteValue(json::JsonWriter& writer, const AnyValue& value, ValueStyle style) {
  bool strings = style == ValueStyle::kStrings;
  switch (value.type()) {
    case ValueType::kBool:
      if (strings) {
        writer.String(value.bool_value() ? "true" : "false");
      } else {
        writer.Bool(value.bool_value());
      }
      break;
    case ValueType::kInt:
      if (strings) {
        writer.Int64String(value.int_value());
      } else {
        writer.Int64(value.int_value());
      }
      break;
    case ValueType::kDouble:
      if (strings) {
        writer.StringFrom([&](std::string& text) { AppendFloat10(value.double_value(), text); });
      } else {
        writer.Double(value.double_value(), kGoNames);
      }
      break;
    case ValueType::kBytes:
      writer.StringFrom([&](std::string& text) { AppendHexBytes(value.bytes_value(), text); });
      break;
    case ValueType::kString: writer.String(value.string_value()); break;
    case ValueType::kEmpty:
    case ValueType::kArray:
    case ValueType::kMap: WriteFlattened(writer, value); break;  // if one slips past SpanView
  }
}

// Writes one document; its scratch state is reused across documents.
class DocumentWriter {
 public:
  void Write(const SpanBatch& batch, const Span& span, const EncodeOptions& options,
             std::string& out) {
    writer_.Reset(out);
    view_.Load(batch, span);
    writer_.StartObject();
    WriteSpanHead(writer_, span, view_);
    writer_.Key("startTime");
    writer_.Uint64(view_.start_time_us);
    writer_.Key("startTimeMillis");
    writer_.Uint64(view_.start_time_us / 1000);
    writer_.Key("duration");
    writer_.Uint64(view_.duration_us);
    WriteTags(view_.tags, options);
    WriteLogs(writer_, view_.logs,
              [&](const AnyValue& value) { WriteValue(writer_, value, options.value_style); });
    writer_.Key("process");
    writer_.StartObject();
    writer_.Key("serviceName");
    writer_.String(view_.service_name);
    WriteTags(view_.process_tags, options);
    writer_.EndObject();
    writer_.EndObject();
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
  void WriteTags(const std::vector<Attribute>& tags, const EncodeOptions& options) {
    field_tags_.clear();
    field_keys_.clear();
    writer_.Key("tags");
    writer_.StartArray();
    for (const Attribute& tag : tags) {
      if (!IsFieldTag(tag, options)) {
        WriteKeyValue(writer_, tag, [&](const AnyValue& value) {
          WriteValue(writer_, value, options.value_style);
        });
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
    writer_.EndArray();
    if (field_tags_.empty()) return;
    auto key_of = [this](const FieldTag& tag) {
      return std::string_view(field_keys_).substr(tag.key_offset, tag.key_size);
    };
    std::stable_sort(field_tags_.begin(), field_tags_.end(),
                     [&](const FieldTag& a, const FieldTag& b) { return key_of(a) < key_of(b); });
    writer_.Key("tag");
    writer_.StartObject();
    for (size_t i = 0; i < field_tags_.size(); ++i) {
      // One entry per key, the last tag winning, as when Go fills a map.
      if (i + 1 < field_tags_.size() && key_of(field_tags_[i + 1]) == key_of(field_tags_[i])) {
        continue;
      }
      writer_.Key(key_of(field_tags_[i]));
      WriteFieldValue(*field_tags_[i].value);
    }
    writer_.EndObject();
  }

  // A tags-as-fields value is native JSON in both styles; its JSON type is its tag type (a float
  // keeps a fraction, so that it reads back as a float).
  void WriteFieldValue(const AnyValue& value) {
    switch (value.type()) {
      case ValueType::kBool: writer_.Bool(value.bool_value()); break;
      case ValueType::kInt: writer_.Int64(value.int_value()); break;
      case ValueType::kDouble:
        writer_.Double(value.double_value(), kGoNames, json::FloatForm::kKeepFraction);
        break;
      case ValueType::kString: writer_.String(value.string_value()); break;
      default: WriteFlattened(writer_, value);
    }
  }

  json::JsonWriter writer_;
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

Status DecodeSpanDocument(std::string_view bytes, SpanBatch& batch) {
  static const DecodeOptions kDefaults;
  return DecodeSpanDocument(bytes, kDefaults, batch);
}

Status DecodeSpanDocument(std::string_view bytes, const DecodeOptions& options, SpanBatch& batch) {
  size_t resources = batch.resources().size();
  size_t scopes = batch.scopes().size();
  size_t spans = batch.spans().size();
  Status status = Decode(bytes, options, batch);
  if (status.ok()) return status;
  while (batch.spans().size() > spans) batch.spans().pop_back();
  while (batch.scopes().size() > scopes) batch.scopes().pop_back();
  while (batch.resources().size() > resources) batch.resources().pop_back();
  return json::InFormat("es span document", status);
}

}  // namespace ariadne::tracecore::es
