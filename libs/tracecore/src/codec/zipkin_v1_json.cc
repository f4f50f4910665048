// Zipkin v1 JSON: decoded into V1Span, then through V1SpanConverter into the model.
#include <utility>

#include "tracecore/codec/zipkin.h"
#include "tracecore/translate/zipkin_translation.h"
#include "zipkin_json_reader.h"

namespace ariadne::tracecore::zipkin {
namespace {

constexpr std::string_view kFormat = "zipkin v1 json";

using Value = simdjson::ondemand::value;
using simdjson::ondemand::json_type;

// Runs `read_item(object, index)` for each object of the array `value`.
template <typename ReadItem>
Status ForEachObject(ZipkinJsonReader& reader, Value& value, std::string_view field,
                     ReadItem read_item) {
  json_type type;
  if (!value.type().get(type) && type == json_type::null) return Status::Ok();
  simdjson::ondemand::array array;
  if (value.get_array().get(array)) return reader.Error(field, "expected an array");
  size_t index = 0;
  for (auto element_result : array) {
    simdjson::ondemand::object object;
    if (auto error = element_result.get_object().get(object); error) {
      return reader.Error(std::string(field) + "[" + std::to_string(index) + "]",
                          error == simdjson::INCORRECT_TYPE ? "expected an object"
                                                            : simdjson::error_message(error));
    }
    ARIADNE_RETURN_IF_ERROR(read_item(object, index));
    ++index;
  }
  return Status::Ok();
}

std::string Where(std::string_view list, size_t index, std::string_view field) {
  std::string where = std::string(list) + "[" + std::to_string(index) + "]";
  if (!field.empty()) where += "." + std::string(field);
  return where;
}

Status ReadAnnotation(ZipkinJsonReader& reader, simdjson::ondemand::object& object, size_t index,
                      V1Annotation& annotation) {
  for (auto member_result : object) {
    simdjson::ondemand::field member;
    if (auto error = std::move(member_result).get(member); error) {
      return reader.Error(Where("annotations", index, ""), error);
    }
    simdjson::ondemand::raw_json_string key = member.key();
    Value& value = member.value();
    if (key == "timestamp") {
      if (const char* what = reader.ReadUint64(value, annotation.timestamp_us)) {
        return reader.Error(Where("annotations", index, "timestamp"), what);
      }
    } else if (key == "value") {
      if (const char* what = reader.ReadString(value, annotation.value)) {
        return reader.Error(Where("annotations", index, "value"), what);
      }
    } else if (key == "endpoint") {
      ARIADNE_RETURN_IF_ERROR(
          reader.ReadEndpoint(value, Where("annotations", index, "endpoint"), annotation.endpoint));
      annotation.has_endpoint = !annotation.endpoint.empty();
    } else {
      ARIADNE_RETURN_IF_ERROR(reader.SkipUnknown(value, Where("annotations", index, "")));
    }
  }
  return Status::Ok();
}

// A binary annotation value keeps its JSON type: string, bool, integer or double.
const char* ReadTypedValue(ZipkinJsonReader& reader, Value& value, AnyValue& out) {
  json_type type;
  if (value.type().get(type)) return "invalid value";
  switch (type) {
    case json_type::string: {
      std::string_view text;
      if (const char* error = reader.ReadString(value, text)) return error;
      out = AnyValue::String(text);
      return nullptr;
    }
    case json_type::boolean: {
      bool flag;
      if (value.get_bool().get(flag)) return "invalid boolean";
      out = AnyValue::Bool(flag);
      return nullptr;
    }
    case json_type::number: {
      int64_t integer;
      if (!value.get_int64().get(integer)) {
        out = AnyValue::Int(integer);
        return nullptr;
      }
      double real;
      if (value.get_double().get(real)) return "invalid number";
      out = AnyValue::Double(real);
      return nullptr;
    }
    case json_type::null: out = AnyValue::String({}); return nullptr;
    default: return "expected a string, boolean or number";
  }
}

Status ReadBinaryAnnotation(ZipkinJsonReader& reader, simdjson::ondemand::object& object,
                            size_t index, V1BinaryAnnotation& annotation) {
  for (auto member_result : object) {
    simdjson::ondemand::field member;
    if (auto error = std::move(member_result).get(member); error) {
      return reader.Error(Where("binaryAnnotations", index, ""), error);
    }
    simdjson::ondemand::raw_json_string key = member.key();
    Value& value = member.value();
    if (key == "key") {
      if (const char* what = reader.ReadString(value, annotation.key)) {
        return reader.Error(Where("binaryAnnotations", index, "key"), what);
      }
    } else if (key == "value") {
      if (const char* what = ReadTypedValue(reader, value, annotation.value)) {
        return reader.Error(Where("binaryAnnotations", index, "value"), what);
      }
    } else if (key == "endpoint") {
      ARIADNE_RETURN_IF_ERROR(reader.ReadEndpoint(
          value, Where("binaryAnnotations", index, "endpoint"), annotation.endpoint));
      annotation.has_endpoint = !annotation.endpoint.empty();
    } else {
      ARIADNE_RETURN_IF_ERROR(reader.SkipUnknown(value, Where("binaryAnnotations", index, "")));
    }
  }
  annotation.is_address =
      annotation.value.type() == ValueType::kBool && IsAddressKey(annotation.key);
  return Status::Ok();
}

// Reads the span object's fields in document order into `span`.
Status ReadSpan(ZipkinJsonReader& reader, Value& value, V1Span& span) {
  return reader.ReadSpanObject(
      value, span,
      [&](simdjson::ondemand::raw_json_string key, Value& field, bool& handled) -> Status {
        handled = true;
        if (key == "annotations") {
          return ForEachObject(
              reader, field, "annotations", [&](simdjson::ondemand::object& item, size_t index) {
                return ReadAnnotation(reader, item, index, span.annotations.emplace_back());
              });
        }
        if (key == "binaryAnnotations") {
          return ForEachObject(reader, field, "binaryAnnotations",
                               [&](simdjson::ondemand::object& item, size_t index) {
                                 return ReadBinaryAnnotation(
                                     reader, item, index, span.binary_annotations.emplace_back());
                               });
        }
        handled = false;
        return Status::Ok();
      });
}

}  // namespace

Status DecodeV1Json(std::string_view bytes, SpanBatch& batch) {
  ZipkinJsonReader reader(kFormat, bytes, batch);
  ModelBuilder builder(batch);
  V1SpanConverter converter;
  V1Span span;
  ARIADNE_RETURN_IF_ERROR(reader.ReadAllSpans(
      span, [&](Value& value, V1Span& read) { return ReadSpan(reader, value, read); },
      [&](V1Span& read) { return converter.Convert(read, builder); }));
  builder.Finish();
  return Status::Ok();
}

}  // namespace ariadne::tracecore::zipkin
