#include "tracecore/codec/jaeger_ui_json.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "../translate/jaeger_span_tags.h"
#include "jaeger_json.h"
#include "json_appender.h"
#include "json_writer.h"
#include "tracecore/translate/jaeger_translation.h"

namespace ariadne::tracecore::jaeger_ui {
namespace {

// Largest integer a JavaScript number holds exactly: 2^53 - 1.
constexpr int64_t kMaxSafeInteger = 9007199254740991LL;

// Writes one trace straight from the model through the translation visitors (no SpanView copies);
// its state (the process table, buffers) is reused across traces.
class TraceWriter {
 public:
  void Write(std::string& out, const SpanBatch& batch, std::span<const Span* const> spans,
             const TraceStyle& style) {
    processes_.clear();
    process_of_resource_.clear();
    text_.Reset(out);
    text_.Raw(R"({"traceID":)");
    if (spans.empty()) {
      text_.Raw(R"("")");
    } else {
      TraceIdString(spans.front()->trace_id);
    }
    text_.Raw(R"(,"spans":[)");
    for (size_t i = 0; i < spans.size(); ++i) {
      if (i > 0) text_.Raw(',');
      WriteSpan(batch, *spans[i], style);
    }
    text_.Raw(']');
    WriteProcesses();
    WriteWarnings(style.trace_warnings);
    text_.Raw('}');
    text_.Flush();
  }

 private:
  // A trace id as Jaeger's text, quoted: 16 hex chars when its high half is zero, else 32.
  void TraceIdString(const TraceId& id) {
    text_.Raw('"');
    if (id.high != 0) text_.Hex64(id.high);
    text_.Hex64(id.low);
    text_.Raw('"');
  }

  void WriteSpan(const SpanBatch& batch, const Span& span, const TraceStyle& style) {
    text_.Raw(R"({"traceID":)");
    TraceIdString(span.trace_id);
    text_.Raw(R"(,"spanID":")");
    text_.Hex64(span.span_id.value);
    text_.Raw('"');
    const uint32_t flags = span.flags & 0xFF;  // Jaeger's flags: the low byte
    if (flags != 0) {
      text_.Raw(R"(,"flags":)");
      text_.Uint64(flags);
    }
    text_.Raw(R"(,"operationName":)");
    text_.String(span.name);
    text_.Raw(R"(,"references":[)");
    bool first = true;
    jaeger::ForEachReference(span, [&](const jaeger::Reference& reference) {
      text_.Raw(first ? R"({"refType":")" : R"(,{"refType":")");
      first = false;
      text_.Raw(reference.type == jaeger::RefType::kChildOf ? "CHILD_OF" : "FOLLOWS_FROM");
      text_.Raw(R"(","traceID":)");
      TraceIdString(reference.trace_id);
      text_.Raw(R"(,"spanID":")");
      text_.Hex64(reference.span_id.value);
      text_.Raw(R"("})");
    });
    text_.Raw(R"(],"startTime":)");
    text_.Uint64(span.start_time_unix_nano / 1000);
    text_.Raw(R"(,"duration":)");
    text_.Uint64(jaeger::DurationNanos(span) / 1000);
    text_.Raw(R"(,"tags":[)");
    WriteTags(batch.scope_of(span), span, style.tag_order);
    text_.Raw(R"(],"logs":[)");
    WriteLogs(span);
    text_.Raw(R"(],"processID":"p)");
    text_.Uint64(ProcessNumber(batch.resource_of(span), span.resource_index));
    text_.Raw('"');
    WriteWarnings(style.span_warnings ? style.span_warnings(span) : std::span<const std::string>());
    text_.Raw('}');
  }

  // The span's Jaeger tags in SpanView's order, or sorted by key (stable).
  void WriteTags(const Scope& scope, const Span& span, TagOrder order) {
    KeyValueList list(*this, text_);
    if (order == TagOrder::kAsTranslated) {
      jaeger::ForEachSpanTag(scope, span, list);
      return;
    }
    // After the adjusters the attributes are sorted already and only the few tags the
    // translation adds (scope, kind, status, trace state) move: a short insertion sort.
    // Sized once for the attributes and the tags the translation adds (at most 7), so that
    // collecting them is plain stores.
    constexpr size_t kMostAddedTags = 7;
    if (sorted_tags_.size() < span.attributes.size() + kMostAddedTags) {
      sorted_tags_.resize(span.attributes.size() + kMostAddedTags);
    }
    size_t count = 0;
    jaeger::ForEachSpanTag(scope, span, [&](const Attribute& tag) {
      if (count == sorted_tags_.size()) sorted_tags_.resize(2 * count);
      sorted_tags_[count++] = tag;
    });
    const std::span<Attribute> tags(sorted_tags_.data(), count);
    StableSortByKey(tags);
    for (const Attribute& tag : tags) list(tag);
  }

  void WriteLogs(const Span& span) {
    for (size_t i = 0; i < span.events.size(); ++i) {
      const Event& event = span.events[i];
      text_.Raw(i == 0 ? R"({"timestamp":)" : R"(,{"timestamp":)");
      text_.Uint64(event.time_unix_nano / 1000);
      text_.Raw(R"(,"fields":[)");
      jaeger::ForEachLogField(event, KeyValueList(*this, text_));
      text_.Raw("]}");
    }
  }

  void WriteWarnings(std::span<const std::string> warnings) {
    if (warnings.empty()) {
      text_.Raw(R"(,"warnings":null)");
      return;
    }
    text_.Raw(R"(,"warnings":[)");
    for (size_t i = 0; i < warnings.size(); ++i) {
      if (i > 0) text_.Raw(',');
      text_.String(warnings[i]);
    }
    text_.Raw(']');
  }

  // Writes the KeyValue objects of a list, comma-separated, one per call.
  class KeyValueList {
   public:
    KeyValueList(TraceWriter& writer, json::JsonAppender& text) : writer_(writer), text_(text) {}
    void operator()(const Attribute& tag) {
      if (!first_) text_.Raw(',');
      first_ = false;
      writer_.WriteKeyValue(text_, tag);
    }

   private:
    TraceWriter& writer_;
    json::JsonAppender& text_;
    bool first_ = true;
  };

  // {"key","type","value"}; arrays, maps and empty values as the strings SpanView flattens them
  // to.
  void WriteKeyValue(json::JsonAppender& text, const Attribute& tag) {
    const AnyValue value =
        jaeger::IsJaegerValue(tag.value) ? tag.value : jaeger::ToJaegerValue(tag.value, flattened_);
    if (value.type() == ValueType::kString && json::IsPlainText(tag.key)) {
      text.Raw(R"({"key":")");
      text.Raw(tag.key);
      text.Raw(R"(","type":"string","value":)");
      text.String(value.string_value());
      text.Raw('}');
      return;
    }
    text.Raw(R"({"key":)");
    text.String(tag.key);
    text.Raw(R"(,"type":")");
    text.Raw(jaeger_json::TypeName(value.type()));
    text.Raw(R"(","value":)");
    WriteValue(text, value);
    text.Raw('}');
  }

  // A tag value as the Jaeger UI reads it: integers beyond JavaScript's safe range as strings,
  // bytes as base64. `value` is a Jaeger value (string, bool, int, double or bytes).
  static void WriteValue(json::JsonAppender& text, const AnyValue& value) {
    switch (value.type()) {
      case ValueType::kBool: text.Raw(value.bool_value() ? "true" : "false"); break;
      case ValueType::kInt: {
        const int64_t number = value.int_value();
        if (number >= -kMaxSafeInteger && number <= kMaxSafeInteger) {
          text.Int64(number);
        } else {
          text.Raw('"');
          text.Int64(number);
          text.Raw('"');
        }
        break;
      }
      case ValueType::kDouble:
        text.Double(value.double_value(), json::NonFiniteStyle::kJavaScript);
        break;
      case ValueType::kBytes: text.Base64String(value.bytes_value()); break;
      case ValueType::kString:
      case ValueType::kEmpty:
      case ValueType::kArray:
      case ValueType::kMap: text.String(value.string_value()); break;
    }
  }

  // The 1-based number of the span's process; spans of one resource share it without re-rendering,
  // and different resources whose processes render identically share it too.
  size_t ProcessNumber(const Resource& resource, uint32_t resource_index) {
    auto known = process_of_resource_.find(resource_index);
    if (known != process_of_resource_.end()) return known->second;
    rendered_.clear();
    process_text_.Reset(rendered_);
    process_text_.Raw(R"({"serviceName":)");
    process_text_.String(resource.ServiceName());
    process_text_.Raw(R"(,"tags":[)");
    jaeger::ForEachProcessTag(resource, KeyValueList(*this, process_text_));
    process_text_.Raw("]}");
    process_text_.Flush();
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
  void WriteProcesses() {
    order_.clear();
    for (size_t i = 1; i <= processes_.size(); ++i) order_.push_back("p" + std::to_string(i));
    std::sort(order_.begin(), order_.end());
    text_.Raw(R"(,"processes":{)");
    for (size_t i = 0; i < order_.size(); ++i) {
      text_.Raw(i == 0 ? R"(")" : R"(,")");
      text_.Raw(order_[i]);
      text_.Raw(R"(":)");
      text_.Raw(processes_[std::stoul(order_[i].substr(1)) - 1]);
    }
    text_.Raw('}');
  }

  json::JsonAppender text_;             // into the caller's output
  json::JsonAppender process_text_;     // into rendered_
  std::vector<std::string> processes_;  // rendered Process objects; index + 1 = process number
  std::unordered_map<uint32_t, size_t> process_of_resource_;
  std::string rendered_;
  std::string flattened_;  // an array or map value rendered as its JSON string
  std::vector<Attribute> sorted_tags_;
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
  ThreadTraceWriter().Write(out, batch, spans_of_one_trace, style);
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
