// Zipkin v2 JSON: decode with simdjson On Demand, encode with JsonWriter (RapidJSON).
#include <utility>

#include "json_writer.h"
#include "tracecore/codec/zipkin.h"
#include "tracecore/translate/zipkin_translation.h"
#include "zipkin_json_reader.h"

namespace ariadne::tracecore::zipkin {
namespace {

constexpr std::string_view kFormat = "zipkin v2 json";

using Value = simdjson::ondemand::value;

const char* ReadKind(ZipkinJsonReader& reader, Value& value, SpanKind& kind) {
  std::string_view text;
  if (const char* error = reader.ReadString(value, text)) return error;
  if (text.empty()) {
    kind = SpanKind::kUnspecified;
  } else if (text == "CLIENT") {
    kind = SpanKind::kClient;
  } else if (text == "SERVER") {
    kind = SpanKind::kServer;
  } else if (text == "PRODUCER") {
    kind = SpanKind::kProducer;
  } else if (text == "CONSUMER") {
    kind = SpanKind::kConsumer;
  } else {
    return "expected CLIENT, SERVER, PRODUCER or CONSUMER";
  }
  return nullptr;
}

Status ReadAnnotations(ZipkinJsonReader& reader, Value& value, ZipkinSpan& span) {
  simdjson::ondemand::array annotations;
  if (value.get_array().get(annotations)) return reader.Error("annotations", "expected an array");
  size_t index = 0;
  for (auto element_result : annotations) {
    auto where = [&](std::string_view field) {
      return "annotations[" + std::to_string(index) + "]" + std::string(field);
    };
    simdjson::ondemand::object object;
    if (auto error = element_result.get_object().get(object); error) {
      return reader.Error(where(""), error == simdjson::INCORRECT_TYPE
                                         ? "expected an object"
                                         : simdjson::error_message(error));
    }
    ZipkinAnnotation& annotation = span.annotations.emplace_back();
    for (auto member_result : object) {
      simdjson::ondemand::field member;
      if (auto error = std::move(member_result).get(member); error)
        return reader.Error(where(""), error);
      simdjson::ondemand::raw_json_string key = member.key();
      if (key == "timestamp") {
        if (const char* what = reader.ReadUint64(member.value(), annotation.timestamp_us)) {
          return reader.Error(where(".timestamp"), what);
        }
      } else if (key == "value") {
        if (const char* what = reader.ReadString(member.value(), annotation.value)) {
          return reader.Error(where(".value"), what);
        }
      } else {
        ARIADNE_RETURN_IF_ERROR(reader.SkipUnknown(member.value(), where("")));
      }
    }
    ++index;
  }
  return Status::Ok();
}

Status ReadTags(ZipkinJsonReader& reader, Value& value, ZipkinSpan& span) {
  simdjson::ondemand::object object;
  if (value.get_object().get(object)) return reader.Error("tags", "expected an object");
  for (auto member_result : object) {
    simdjson::ondemand::field member;
    if (auto error = std::move(member_result).get(member); error)
      return reader.Error("tags", error);
    Attribute tag;
    if (const char* what = reader.ReadKey(member, tag.key)) return reader.Error("tags", what);
    std::string_view text;
    if (const char* what = reader.ReadString(member.value(), text)) {
      return reader.Error("tags." + std::string(tag.key), what);
    }
    tag.value = AnyValue::String(text);
    span.tags.push_back(tag);
  }
  return Status::Ok();
}

// The Status of reading the field `name`, given the read function's error message (or nullptr).
Status ReadV2Field(const ZipkinJsonReader& reader, std::string_view name, const char* what) {
  return what == nullptr ? Status::Ok() : reader.Error(name, what);
}

// Reads the span object's fields in document order into `span`.
Status ReadSpan(ZipkinJsonReader& reader, Value& value, ZipkinSpan& span) {
  return reader.ReadSpanObject(
      value, span,
      [&](simdjson::ondemand::raw_json_string key, Value& field, bool& handled) -> Status {
        handled = true;
        if (key == "kind") return ReadV2Field(reader, "kind", ReadKind(reader, field, span.kind));
        if (key == "shared") {
          return ReadV2Field(reader, "shared", reader.ReadBool(field, span.shared));
        }
        if (key == "localEndpoint") {
          return reader.ReadEndpoint(field, "localEndpoint", span.local_endpoint);
        }
        if (key == "remoteEndpoint") {
          return reader.ReadEndpoint(field, "remoteEndpoint", span.remote_endpoint);
        }
        if (key == "annotations") return ReadAnnotations(reader, field, span);
        if (key == "tags") return ReadTags(reader, field, span);
        handled = false;
        return Status::Ok();
      });
}

// ---------------------------------------------------------------------------------------------
// Encoding

// Writes the spans of a ZipkinSpanView (whose text is valid UTF-8) as Zipkin v2 JSON objects.
class SpanJsonWriter {
 public:
  explicit SpanJsonWriter(std::string& out) : writer_(out) {}

  void StartArray() { writer_.StartArray(); }
  void EndArray() { writer_.EndArray(); }

  void Write(const ZipkinSpan& span) {
    writer_.StartObject();
    writer_.Key("traceId");
    writer_.String(span.trace_id.ToJaegerHex());
    if (!span.parent_id.empty()) {
      writer_.Key("parentId");
      writer_.String(span.parent_id.ToHex());
    }
    writer_.Key("id");
    writer_.String(span.id.ToHex());
    if (span.kind != SpanKind::kUnspecified && span.kind != SpanKind::kInternal) {
      writer_.Key("kind");
      writer_.String(SpanKindUpperName(span.kind));
    }
    if (!span.name.empty()) {
      writer_.Key("name");
      writer_.String(span.name);
    }
    if (span.timestamp_us != 0) {
      writer_.Key("timestamp");
      writer_.Uint64(span.timestamp_us);
    }
    if (span.duration_us != 0) {
      writer_.Key("duration");
      writer_.Uint64(span.duration_us);
    }
    WriteEndpoint("localEndpoint", span.local_endpoint);
    WriteEndpoint("remoteEndpoint", span.remote_endpoint);
    if (!span.annotations.empty()) {
      writer_.Key("annotations");
      writer_.StartArray();
      for (const ZipkinAnnotation& annotation : span.annotations) {
        writer_.StartObject();
        writer_.Key("timestamp");
        writer_.Uint64(annotation.timestamp_us);
        writer_.Key("value");
        writer_.String(annotation.value);
        writer_.EndObject();
      }
      writer_.EndArray();
    }
    if (!span.tags.empty()) {
      writer_.Key("tags");
      writer_.StartObject();
      for (const Attribute& tag : span.tags) {
        writer_.Key(tag.key);
        writer_.String(tag.value.string_value());
      }
      writer_.EndObject();
    }
    if (span.debug) {
      writer_.Key("debug");
      writer_.Bool(true);
    }
    if (span.shared) {
      writer_.Key("shared");
      writer_.Bool(true);
    }
    writer_.EndObject();
  }

 private:
  void WriteEndpoint(std::string_view key, const ZipkinEndpoint& endpoint) {
    if (endpoint.empty()) return;
    writer_.Key(key);
    writer_.StartObject();
    if (!endpoint.service_name.empty()) {
      writer_.Key("serviceName");
      writer_.String(endpoint.service_name);
    }
    if (endpoint.ipv4 != 0) {
      writer_.Key("ipv4");
      writer_.String(FormatIpv4(endpoint.ipv4));
    }
    if (endpoint.has_ipv6) {
      writer_.Key("ipv6");
      writer_.String(FormatIpv6(endpoint.ipv6));
    }
    if (endpoint.port != 0) {
      writer_.Key("port");
      writer_.Uint64(endpoint.port);
    }
    writer_.EndObject();
  }

  json::JsonWriter writer_;
};

}  // namespace

Status DecodeV2Json(std::string_view bytes, SpanBatch& batch) {
  ZipkinJsonReader reader(kFormat, bytes, batch);
  ModelBuilder builder(batch);
  ZipkinSpan span;
  ARIADNE_RETURN_IF_ERROR(reader.ReadAllSpans(
      span, [&](Value& value, ZipkinSpan& read) { return ReadSpan(reader, value, read); },
      [&](ZipkinSpan& read) { return builder.Append(read); }));
  builder.Finish();
  return Status::Ok();
}

void EncodeV2Json(const SpanBatch& batch, std::string& out) {
  SpanJsonWriter writer(out);
  ZipkinSpanView view;
  writer.StartArray();
  for (const Span& span : batch.spans()) {
    view.Load(batch, span);
    writer.Write(view.span);
  }
  writer.EndArray();
}

}  // namespace ariadne::tracecore::zipkin
