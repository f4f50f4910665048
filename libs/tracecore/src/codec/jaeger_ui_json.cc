#include "tracecore/codec/jaeger_ui_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>
#include <vector>

#include "tracecore/text.h"
#include "tracecore/translate/jaeger_translation.h"

namespace ariadne::tracecore::jaeger_ui {
namespace {

// Largest integer a JavaScript number holds exactly: 2^53 - 1.
constexpr int64_t kMaxSafeInteger = 9007199254740991LL;

// ----------------------------------------------------------------------------------------------
// JSON text. Every value is followed by ','; closing a container replaces the trailing ',' (or
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

// A float64 as Go's encoding/json writes it: the shortest text that reads back to the same value,
// fixed notation for magnitudes in [1e-6, 1e21), else exponent form ("1e-7", "1e+21").
// Non-finite values, which Go refuses, become strings.
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
  size_t length = static_cast<size_t>(result.ptr - text);
  // "1e-07" -> "1e-7", as Go trims a leading zero of a negative two-digit exponent.
  if (exponent && length >= 4 && text[length - 4] == 'e' && text[length - 3] == '-' &&
      text[length - 2] == '0') {
    text[length - 2] = text[length - 1];
    --length;
  }
  out.append(text, length);
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

// ----------------------------------------------------------------------------------------------
// Jaeger shapes.

void AppendKeyValue(const Attribute& tag, std::string& out) {
  out.push_back('{');
  StringField("key", tag.key, out);
  const AnyValue& value = tag.value;
  switch (value.type()) {
    case ValueType::kBool:
      out += "\"type\":\"bool\",\"value\":";
      out += value.bool_value() ? "true," : "false,";
      break;
    case ValueType::kInt: {
      out += "\"type\":\"int64\",\"value\":";
      int64_t number = value.int_value();
      bool safe = number >= -kMaxSafeInteger && number <= kMaxSafeInteger;
      if (!safe) out.push_back('"');
      AppendInteger(number, out);
      if (!safe) out.push_back('"');
      out.push_back(',');
      break;
    }
    case ValueType::kDouble:
      out += "\"type\":\"float64\",\"value\":";
      AppendDouble(value.double_value(), out);
      out.push_back(',');
      break;
    case ValueType::kBytes:
      out += "\"type\":\"binary\",\"value\":\"";
      AppendBase64(value.bytes_value(), out);
      out += "\",";
      break;
    case ValueType::kString:
      out += "\"type\":\"string\",";
      StringField("value", value.string_value(), out);
      break;
    case ValueType::kEmpty:
    case ValueType::kArray:
    case ValueType::kMap: {
      // SpanView flattens these to strings; render them the same way if one slips through.
      std::string scratch;
      AnyValue flat = jaeger::ToJaegerValue(value, scratch);
      out += "\"type\":\"string\",";
      StringField("value", flat.string_value(), out);
      break;
    }
  }
  Close('}', out);
}

void KeyValuesField(std::string_view key, const std::vector<Attribute>& tags, std::string& out) {
  Key(key, out);
  out.push_back('[');
  for (const Attribute& tag : tags) AppendKeyValue(tag, out);
  Close(']', out);
}

void AppendReference(const jaeger::Reference& reference, std::string& out) {
  out += reference.type == jaeger::RefType::kChildOf ? "{\"refType\":\"CHILD_OF\","
                                                     : "{\"refType\":\"FOLLOWS_FROM\",";
  TraceIdField("traceID", reference.trace_id, out);
  SpanIdField("spanID", reference.span_id, out);
  Close('}', out);
}

// Writes one trace; its state (the span view and the process table) is reused across traces.
class TraceWriter {
 public:
  void Append(const SpanBatch& batch, std::span<const Span* const> spans, std::string& out) {
    processes_.clear();
    process_of_resource_.clear();
    out += "{\"traceID\":\"";
    if (!spans.empty()) {
      const TraceId& id = spans.front()->trace_id;
      if (id.high != 0) AppendHex64(id.high, out);
      AppendHex64(id.low, out);
    }
    out += "\",\"spans\":[";
    for (const Span* span : spans) AppendSpan(batch, *span, out);
    Close(']', out);
    AppendProcesses(out);
    out += "\"warnings\":null,";
    Close('}', out);
    out.pop_back();  // the ',' after the trace object
  }

 private:
  void AppendSpan(const SpanBatch& batch, const Span& span, std::string& out) {
    view_.Load(batch, span);
    out.push_back('{');
    TraceIdField("traceID", span.trace_id, out);
    SpanIdField("spanID", span.span_id, out);
    if (view_.flags != 0) IntegerField("flags", view_.flags, out);
    StringField("operationName", span.name, out);
    Key("references", out);
    out.push_back('[');
    for (const jaeger::Reference& reference : view_.references) AppendReference(reference, out);
    Close(']', out);
    IntegerField("startTime", view_.start_time_us, out);
    IntegerField("duration", view_.duration_us, out);
    KeyValuesField("tags", view_.tags, out);
    Key("logs", out);
    out.push_back('[');
    for (const jaeger::Log& log : view_.logs) {
      out.push_back('{');
      IntegerField("timestamp", log.timestamp_us, out);
      KeyValuesField("fields", log.fields, out);
      Close('}', out);
    }
    Close(']', out);
    out += "\"processID\":\"p";
    AppendInteger(ProcessNumber(span.resource_index), out);
    out += "\",\"warnings\":null,";
    Close('}', out);
  }

  // The 1-based number of the span's process; spans of one resource share it without re-rendering,
  // and different resources whose processes render identically share it too.
  size_t ProcessNumber(uint32_t resource_index) {
    auto known = process_of_resource_.find(resource_index);
    if (known != process_of_resource_.end()) return known->second;
    rendered_.clear();
    rendered_ += "{\"serviceName\":";
    AppendText(view_.service_name, rendered_);
    rendered_.push_back(',');
    KeyValuesField("tags", view_.process_tags, rendered_);
    Close('}', rendered_);
    rendered_.pop_back();
    size_t number = 0;
    for (size_t i = 0; i < processes_.size(); ++i) {
      if (processes_[i] == rendered_) number = i + 1;
    }
    if (number == 0) {
      processes_.push_back(rendered_);
      number = processes_.size();
    }
    process_of_resource_.emplace(resource_index, number);
    return number;
  }

  // Go writes map keys sorted as strings: p1, p10, p11, ..., p2.
  void AppendProcesses(std::string& out) {
    order_.clear();
    for (size_t i = 1; i <= processes_.size(); ++i) order_.push_back("p" + std::to_string(i));
    std::sort(order_.begin(), order_.end());
    out += "\"processes\":{";
    for (const std::string& id : order_) {
      Key(id, out);
      out += processes_[std::stoul(id.substr(1)) - 1];
      out.push_back(',');
    }
    Close('}', out);
  }

  jaeger::SpanView view_;
  std::vector<std::string> processes_;  // rendered Process objects; index + 1 = process number
  std::unordered_map<uint32_t, size_t> process_of_resource_;
  std::string rendered_;
  std::vector<std::string> order_;
};

TraceWriter& ThreadTraceWriter() {
  thread_local TraceWriter writer;
  return writer;
}

void AppendErrors(std::span<const Error> errors, std::string& out) {
  if (errors.empty()) {
    out += "null";
    return;
  }
  out.push_back('[');
  for (const Error& error : errors) {
    out.push_back('{');
    if (error.code != 0) IntegerField("code", error.code, out);
    StringField("msg", error.message, out);
    if (!error.trace_id.empty()) StringField("traceID", error.trace_id, out);
    Close('}', out);
  }
  Close(']', out);
  out.pop_back();
}

struct TraceIdHash {
  size_t operator()(const TraceId& id) const {
    return std::hash<uint64_t>()(id.low ^ (id.high * 0x9E3779B97F4A7C15ULL));
  }
};

}  // namespace

void AppendTrace(const SpanBatch& batch, std::span<const Span* const> spans_of_one_trace,
                 std::string& out) {
  ThreadTraceWriter().Append(batch, spans_of_one_trace, out);
}

void AppendTracesResponse(const SpanBatch& batch, std::span<const Span* const> spans,
                          std::span<const Error> errors, std::string& out) {
  std::vector<std::vector<const Span*>> traces;
  std::unordered_map<TraceId, size_t, TraceIdHash> trace_of_id;
  for (const Span* span : spans) {
    auto [entry, inserted] = trace_of_id.emplace(span->trace_id, traces.size());
    if (inserted) traces.emplace_back();
    traces[entry->second].push_back(span);
  }
  out += "{\"data\":[";
  for (size_t i = 0; i < traces.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendTrace(batch, traces[i], out);
  }
  out += "],\"total\":";
  AppendInteger(traces.size(), out);
  out += ",\"limit\":0,\"offset\":0,\"errors\":";
  AppendErrors(errors, out);
  out.push_back('}');
}

void AppendTracesResponse(const SpanBatch& batch, std::span<const Error> errors, std::string& out) {
  std::vector<const Span*> spans;
  spans.reserve(batch.spans().size());
  for (const Span& span : batch.spans()) spans.push_back(&span);
  AppendTracesResponse(batch, spans, errors, out);
}

void AppendEnvelope(std::string_view data, int64_t total, std::span<const Error> errors,
                    std::string& out) {
  out += "{\"data\":";
  out += data;
  out += ",\"total\":";
  AppendInteger(total, out);
  out += ",\"limit\":0,\"offset\":0,\"errors\":";
  AppendErrors(errors, out);
  out.push_back('}');
}

}  // namespace ariadne::tracecore::jaeger_ui
