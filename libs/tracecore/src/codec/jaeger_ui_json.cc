#include "tracecore/codec/jaeger_ui_json.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "jaeger_json.h"
#include "json_writer.h"
#include "tracecore/text.h"
#include "tracecore/translate/jaeger_translation.h"

namespace ariadne::tracecore::jaeger_ui {
namespace {

using jaeger_json::WriteFlattened;
using jaeger_json::WriteLogs;
using jaeger_json::WriteSpanHead;
using jaeger_json::WriteTraceId;

// Largest integer a JavaScript number holds exactly: 2^53 - 1.
constexpr int64_t kMaxSafeInteger = 9007199254740991LL;

constexpr json::NonFiniteStyle kJavaScriptNames = json::NonFiniteStyle::kJavaScript;

// A tag value as the Jaeger UI reads it: integers beyond JavaScript's safe range as strings, bytes
// as base64.
void WriteValue(json::JsonWriter& writer, const AnyValue& value) {
  switch (value.type()) {
    case ValueType::kBool: writer.Bool(value.bool_value()); break;
    case ValueType::kInt: {
      int64_t number = value.int_value();
      if (number >= -kMaxSafeInteger && number <= kMaxSafeInteger) {
        writer.Int64(number);
      } else {
        writer.Int64String(number);
      }
      break;
    }
    case ValueType::kDouble: writer.Double(value.double_value(), kJavaScriptNames); break;
    case ValueType::kBytes:
      writer.StringFrom([&](std::string& text) { AppendBase64(value.bytes_value(), text); });
      break;
    case ValueType::kString: writer.String(value.string_value()); break;
    case ValueType::kEmpty:
    case ValueType::kArray:
    case ValueType::kMap: WriteFlattened(writer, value); break;  // if one slips past SpanView
  }
}

// "key": [...] over `tags` in the UI's value style.
void WriteKeyValues(json::JsonWriter& writer, std::string_view key,
                    const std::vector<Attribute>& tags) {
  jaeger_json::WriteKeyValues(writer, key, tags,
                              [&](const AnyValue& value) { WriteValue(writer, value); });
}

// Writes one trace; its state (the span view and the process table) is reused across traces.
class TraceWriter {
 public:
  void Write(json::JsonWriter& writer, const SpanBatch& batch, std::span<const Span* const> spans,
             const TraceStyle& style) {
    style_ = &style;
    processes_.clear();
    process_of_resource_.clear();
    writer.StartObject();
    writer.Key("traceID");
    if (spans.empty()) {
      writer.String("");
    } else {
      WriteTraceId(writer, spans.front()->trace_id);
    }
    writer.Key("spans");
    writer.StartArray();
    for (const Span* span : spans) WriteSpan(writer, batch, *span);
    writer.EndArray();
    WriteProcesses(writer);
    WriteWarnings(writer, style.trace_warnings);
    writer.EndObject();
    style_ = nullptr;
  }

 private:
  void WriteSpan(json::JsonWriter& writer, const SpanBatch& batch, const Span& span) {
    view_.Load(batch, span);
    if (style_->tag_order == TagOrder::kSortedByKey) {
      StableSortByKey(view_.tags);
    }
    writer.StartObject();
    WriteSpanHead(writer, span, view_);
    writer.Key("startTime");
    writer.Uint64(view_.start_time_us);
    writer.Key("duration");
    writer.Uint64(view_.duration_us);
    WriteKeyValues(writer, "tags", view_.tags);
    WriteLogs(writer, view_.logs, [&](const AnyValue& value) { WriteValue(writer, value); });
    writer.Key("processID");
    writer.StringFrom([&](std::string& text) {
      text.push_back('p');
      text += std::to_string(ProcessNumber(span.resource_index));
    });
    WriteWarnings(writer, style_->span_warnings ? style_->span_warnings(span)
                                                : std::span<const std::string>());
    writer.EndObject();
  }

  static void WriteWarnings(json::JsonWriter& writer, std::span<const std::string> warnings) {
    writer.Key("warnings");
    if (warnings.empty()) {
      writer.Null();
      return;
    }
    writer.StartArray();
    for (const std::string& warning : warnings) writer.String(warning);
    writer.EndArray();
  }

  // The 1-based number of the span's process; spans of one resource share it without re-rendering,
  // and different resources whose processes render identically share it too.
  size_t ProcessNumber(uint32_t resource_index) {
    auto known = process_of_resource_.find(resource_index);
    if (known != process_of_resource_.end()) return known->second;
    rendered_.clear();
    process_writer_.Reset(rendered_);
    process_writer_.StartObject();
    process_writer_.Key("serviceName");
    process_writer_.String(view_.service_name);
    WriteKeyValues(process_writer_, "tags", view_.process_tags);
    process_writer_.EndObject();
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
  void WriteProcesses(json::JsonWriter& writer) {
    order_.clear();
    for (size_t i = 1; i <= processes_.size(); ++i) order_.push_back("p" + std::to_string(i));
    std::sort(order_.begin(), order_.end());
    writer.Key("processes");
    writer.StartObject();
    for (const std::string& id : order_) {
      writer.Key(id);
      writer.RawValue(processes_[std::stoul(id.substr(1)) - 1]);
    }
    writer.EndObject();
  }

  jaeger::SpanView view_;
  const TraceStyle* style_ = nullptr;   // the current Write's
  std::vector<std::string> processes_;  // rendered Process objects; index + 1 = process number
  std::unordered_map<uint32_t, size_t> process_of_resource_;
  std::string rendered_;
  json::JsonWriter process_writer_;  // renders into rendered_
  std::vector<std::string> order_;
};

TraceWriter& ThreadTraceWriter() {
  thread_local TraceWriter writer;
  return writer;
}

constexpr std::string_view kEnvelopeHead = R"({"data":)";

// Appends the envelope's members after "data": "total", "limit", "offset" and "errors", and its
// closing brace.
void AppendEnvelopeTail(int64_t total, std::span<const Error> errors, std::string& out) {
  out += R"(,"total":)";
  out += std::to_string(total);
  out += R"(,"limit":0,"offset":0,"errors":)";
  if (errors.empty()) {
    out += "null}";
    return;
  }
  json::JsonWriter writer(out);
  writer.StartArray();
  for (const Error& error : errors) {
    writer.StartObject();
    if (error.code != 0) {
      writer.Key("code");
      writer.Int64(error.code);
    }
    writer.Key("msg");
    writer.String(error.message);
    if (!error.trace_id.empty()) {
      writer.Key("traceID");
      writer.String(error.trace_id);
    }
    writer.EndObject();
  }
  writer.EndArray();
  out.push_back('}');
}

struct TraceIdHash {
  size_t operator()(const TraceId& id) const {
    return std::hash<uint64_t>()(id.low ^ (id.high * 0x9E3779B97F4A7C15ULL));
  }
};

}  // namespace

void AppendTrace(const SpanBatch& batch, std::span<const Span* const> spans_of_one_trace,
                 std::string& out, const TraceStyle& style) {
  json::JsonWriter writer(out);
  ThreadTraceWriter().Write(writer, batch, spans_of_one_trace, style);
}

TracesEnvelope::TracesEnvelope(std::string& out) : out_(out) {
  out_ += kEnvelopeHead;
  out_.push_back('[');
}

void TracesEnvelope::AddTrace(const SpanBatch& batch,
                              std::span<const Span* const> spans_of_one_trace,
                              const TraceStyle& style) {
  if (traces_ > 0) out_.push_back(',');
  AppendTrace(batch, spans_of_one_trace, out_, style);
  ++traces_;
}

void TracesEnvelope::Finish(std::span<const Error> errors) {
  out_.push_back(']');
  AppendEnvelopeTail(traces_, errors, out_);
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
  TracesEnvelope envelope(out);
  for (const std::vector<const Span*>& trace : traces) envelope.AddTrace(batch, trace);
  envelope.Finish(errors);
}

void AppendTracesResponse(const SpanBatch& batch, std::span<const Error> errors, std::string& out) {
  std::vector<const Span*> spans;
  spans.reserve(batch.spans().size());
  for (const Span& span : batch.spans()) spans.push_back(&span);
  AppendTracesResponse(batch, spans, errors, out);
}

void AppendEnvelope(std::string_view data, int64_t total, std::span<const Error> errors,
                    std::string& out) {
  out += kEnvelopeHead;
  out += data;
  AppendEnvelopeTail(total, errors, out);
}

}  // namespace ariadne::tracecore::jaeger_ui
