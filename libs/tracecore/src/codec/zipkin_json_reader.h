// Reading the Zipkin JSON formats (v1 and v2) with simdjson On Demand: the pieces both share.
// Internal to libtracecore.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "json_reader.h"
#include "tracecore/model.h"
#include "tracecore/status.h"
#include "tracecore/translate/zipkin_translation.h"

namespace ariadne::tracecore::zipkin {

// Parses one JSON document whose root is an array of spans, and reads its values into views of
// the original input (see json::JsonInput: strings without escapes are views into the caller's
// bytes; escaped strings are unescaped into the batch arena).
//
// The read functions return nullptr on success and a static message on failure; null counts as
// absent (empty string, zero, false). Error() turns a message into a Status naming the span and
// the field.
class ZipkinJsonReader {
 public:
  using Value = simdjson::ondemand::value;

  ZipkinJsonReader(std::string_view format, std::string_view bytes, SpanBatch& batch);

  // Parses the input and positions `spans` on the root array.
  Status Start(simdjson::ondemand::array& spans);
  // Checks that nothing follows the root array.
  Status End();

  // The index of the span being read, for error messages.
  void set_span_index(size_t index) { span_index_ = index; }

  const char* ReadString(Value& value, std::string_view& out);
  const char* ReadTraceId(Value& value, TraceId& out);
  const char* ReadSpanId(Value& value, SpanId& out);
  // A non-negative integer; an integral double is accepted and truncated toward zero.
  const char* ReadUint64(Value& value, uint64_t& out);
  const char* ReadBool(Value& value, bool& out);
  // {serviceName, ipv4, ipv6, port}; `field` names the endpoint in error messages.
  Status ReadEndpoint(Value& value, std::string_view field, ZipkinEndpoint& out);

  // The key of an object field, as a view (unescaped into the arena when needed).
  const char* ReadKey(simdjson::ondemand::field& field, std::string_view& out);

  // Parses the input and reads each span of the root array into `span` (cleared first) with
  // `read_span(value, span)`, then hands it to `take(span)`, whose failure is reported against
  // that span; finally checks that nothing follows the array.
  template <typename Span, typename ReadSpan, typename Take>
  Status ReadAllSpans(Span& span, ReadSpan&& read_span, Take&& take);

  // Reads the span object `value` field by field, in document order. The fields Zipkin v1 and v2
  // JSON share (traceId, id, parentId, name, timestamp, duration, debug) go into `span`; any other
  // field goes to `read_field(key, field, handled)`, which reads it and sets `handled`, or leaves
  // `handled` false for a field it does not know (skipped). Fails when traceId or id is missing.
  template <typename Span, typename ReadField>
  Status ReadSpanObject(Value& value, Span& span, ReadField&& read_field);

  // Skips the value of an unknown field, refusing arrays and objects nested more than
  // kMaxJsonDepth levels inside it (simdjson On Demand itself does not limit depth).
  Status SkipUnknown(Value& value, std::string_view field);

  Status Error(std::string_view field, std::string_view what) const;
  Status Error(std::string_view field, simdjson::error_code error) const;

 private:
  const char* SkipNested(Value& value, size_t depth);

  // One field of a span object (see ReadSpanObject).
  template <typename Span, typename ReadField>
  Status ReadSpanMember(simdjson::ondemand::field& member, Span& span, ReadField& read_field);

  // Reads `field` into `span` when `key` names a field both versions share, setting `name` to
  // it; leaves `name` empty for any other key. Returns the error message, if any.
  template <typename Span>
  const char* ReadSharedSpanField(simdjson::ondemand::raw_json_string key, Value& field, Span& span,
                                  std::string_view& name);

  std::string_view format_;
  json::JsonInput input_;
  simdjson::ondemand::document document_;
  size_t span_index_ = 0;
};

template <typename Span, typename ReadSpan, typename Take>
Status ZipkinJsonReader::ReadAllSpans(Span& span, ReadSpan&& read_span, Take&& take) {
  simdjson::ondemand::array spans;
  ARIADNE_RETURN_IF_ERROR(Start(spans));
  size_t index = 0;
  for (auto element_result : spans) {
    set_span_index(index);
    Value element;
    if (auto error = std::move(element_result).get(element); error) return Error("", error);
    span.Clear();
    ARIADNE_RETURN_IF_ERROR(read_span(element, span));
    if (Status status = take(span); !status.ok()) return Error("", status.message());
    ++index;
  }
  return End();
}

template <typename Span, typename ReadField>
Status ZipkinJsonReader::ReadSpanObject(Value& value, Span& span, ReadField&& read_field) {
  simdjson::ondemand::object object;
  if (auto error = value.get_object().get(object); error) {
    return Error("", error == simdjson::INCORRECT_TYPE ? "expected an object"
                                                       : simdjson::error_message(error));
  }
  for (auto member_result : object) {
    simdjson::ondemand::field member;
    if (auto error = std::move(member_result).get(member); error) return Error("", error);
    ARIADNE_RETURN_IF_ERROR(ReadSpanMember(member, span, read_field));
  }
  if (span.trace_id.empty()) return Error("traceId", "missing or zero");
  if (span.id.empty()) return Error("id", "missing or zero");
  return Status::Ok();
}

template <typename Span, typename ReadField>
Status ZipkinJsonReader::ReadSpanMember(simdjson::ondemand::field& member, Span& span,
                                        ReadField& read_field) {
  simdjson::ondemand::raw_json_string key = member.key();
  Value& field = member.value();
  std::string_view name;
  if (const char* what = ReadSharedSpanField(key, field, span, name)) return Error(name, what);
  if (!name.empty()) return Status::Ok();
  bool handled = false;
  ARIADNE_RETURN_IF_ERROR(read_field(key, field, handled));
  if (handled) return Status::Ok();
  std::string_view unknown;
  if (ReadKey(member, unknown) != nullptr) unknown = {};
  return SkipUnknown(field, unknown);
}

template <typename Span>
const char* ZipkinJsonReader::ReadSharedSpanField(simdjson::ondemand::raw_json_string key,
                                                  Value& field, Span& span,
                                                  std::string_view& name) {
  auto is = [&](std::string_view candidate) {
    if (key != candidate) return false;
    name = candidate;
    return true;
  };
  if (is("traceId")) return ReadTraceId(field, span.trace_id);
  if (is("id")) return ReadSpanId(field, span.id);
  if (is("parentId")) return ReadSpanId(field, span.parent_id);
  if (is("name")) return ReadString(field, span.name);
  if (is("timestamp")) return ReadUint64(field, span.timestamp_us);
  if (is("duration")) return ReadUint64(field, span.duration_us);
  if (is("debug")) return ReadBool(field, span.debug);
  return nullptr;
}

}  // namespace ariadne::tracecore::zipkin
