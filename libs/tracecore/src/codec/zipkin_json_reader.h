// Reading the Zipkin JSON formats (v1 and v2) with simdjson On Demand: the pieces both share.
// Internal to libtracecore.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

  // Skips the value of an unknown field, refusing arrays and objects nested more than
  // kMaxJsonDepth levels inside it (simdjson On Demand itself does not limit depth).
  Status SkipUnknown(Value& value, std::string_view field);

  Status Error(std::string_view field, std::string_view what) const;
  Status Error(std::string_view field, simdjson::error_code error) const;

 private:
  const char* SkipNested(Value& value, size_t depth);

  std::string_view format_;
  json::JsonInput input_;
  simdjson::ondemand::document document_;
  size_t span_index_ = 0;
};

}  // namespace ariadne::tracecore::zipkin
