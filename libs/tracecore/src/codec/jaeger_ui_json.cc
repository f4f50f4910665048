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

// A trace id as Jaeger's text, quoted: 16 hex chars when its high half is zero, else 32.
void WriteTraceIdString(json::JsonAppender& text, const TraceId& id) {
  text.Raw('"');
  if (id.high != 0) text.Hex64(id.high);
  text.Hex64(id.low);
  text.Raw('"');
}

// The "warnings" member, with its leading comma: null when there are none.
void WriteWarnings(json::JsonAppender& text, std::span<const std::string> warnings) {
  if (warnings.empty()) {
    text.Raw(R"(,"warnings":null)");
    return;
  }
  text.Raw(R"(,"warnings":[)");
  for (size_t i = 0; i < warnings.size(); ++i) {
    if (i > 0) text.Raw(',');
    text.String(warnings[i]);
  }
  text.Raw(']');
}

// Writes Span objects, and the Process objects of their resources, straight from the model through
// the translation visitors (no SpanView copies). Its buffers are reused across calls. One thread
// at a time.
class SpanWriter {
 public:
  // Appends the Span objects of `spans`, comma-separated (with a comma first when
  // `leading_comma`); spans[i] refers to process p<process_numbers[i]>.
  void WriteSpans(std::string& out, const SpanBatch& batch, std::span<const Span* const> spans,
                  std::span<const uint32_t> process_numbers, bool leading_comma,
                  const TraceStyle& style) {
    text_.Reset(out);
    for (size_t i = 0; i < spans.size(); ++i) {
      if (i > 0 || leading_comma) text_.Raw(',');
      WriteSpan(batch, *spans[i], process_numbers[i], style);
    }
    text_.Flush();
  }

  // Appends the Process object of `resource`.
  void WriteProcess(std::string& out, const Resource& resource) {
    text_.Reset(out);
    text_.Raw(R"({"serviceName":)");
    text_.String(resource.ServiceName());
    text_.Raw(R"(,"tags":[)");
    jaeger::ForEachProcessTag(resource, KeyValueList(*this));
    text_.Raw("]}");
    text_.Flush();
  }

 private:
  void WriteSpan(const SpanBatch& batch, const Span& span, uint32_t process_number,
                 const TraceStyle& style) {
    text_.Raw(R"({"traceID":)");
    WriteTraceIdString(text_, span.trace_id);
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
      WriteTraceIdString(text_, reference.trace_id);
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
    text_.Uint64(process_number);
    text_.Raw('"');
    WriteWarnings(text_,
                  style.span_warnings ? style.span_warnings(span) : std::span<const std::string>());
    text_.Raw('}');
  }

  // The span's Jaeger tags in SpanView's order, or sorted by key (stable).
  void WriteTags(const Scope& scope, const Span& span, TagOrder order) {
    KeyValueList list(*this);
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
      jaeger::ForEachLogField(event, KeyValueList(*this));
      text_.Raw("]}");
    }
  }

  // Writes the KeyValue objects of a list, comma-separated, one per call.
  class KeyValueList {
   public:
    explicit KeyValueList(SpanWriter& writer) : writer_(writer) {}
    void operator()(const Attribute& tag) {
      if (!first_) writer_.text_.Raw(',');
      first_ = false;
      writer_.WriteKeyValue(tag);
    }

   private:
    SpanWriter& writer_;
    bool first_ = true;
  };

  // {"key","type","value"}; arrays, maps and empty values as the strings SpanView flattens them
  // to.
  void WriteKeyValue(const Attribute& tag) {
    const AnyValue value =
        jaeger::IsJaegerValue(tag.value) ? tag.value : jaeger::ToJaegerValue(tag.value, flattened_);
    if (value.type() == ValueType::kString && json::IsPlainText(tag.key)) {
      text_.Raw(R"({"key":")");
      text_.Raw(tag.key);
      text_.Raw(R"(","type":"string","value":)");
      text_.String(value.string_value());
      text_.Raw('}');
      return;
    }
    text_.Raw(R"({"key":)");
    text_.String(tag.key);
    text_.Raw(R"(,"type":")");
    text_.Raw(jaeger_json::TypeName(value.type()));
    text_.Raw(R"(","value":)");
    WriteValue(value);
    text_.Raw('}');
  }

  // A tag value as the Jaeger UI reads it: integers beyond JavaScript's safe range as strings,
  // bytes as base64. `value` is a Jaeger value (string, bool, int, double or bytes).
  void WriteValue(const AnyValue& value) {
    switch (value.type()) {
      case ValueType::kBool: text_.Raw(value.bool_value() ? "true" : "false"); break;
      case ValueType::kInt: {
        const int64_t number = value.int_value();
        if (number >= -kMaxSafeInteger && number <= kMaxSafeInteger) {
          text_.Int64(number);
        } else {
          text_.Raw('"');
          text_.Int64(number);
          text_.Raw('"');
        }
        break;
      }
      case ValueType::kDouble:
        text_.Double(value.double_value(), json::NonFiniteStyle::kJavaScript);
        break;
      case ValueType::kBytes: text_.Base64String(value.bytes_value()); break;
      case ValueType::kString:
      case ValueType::kEmpty:
      case ValueType::kArray:
      case ValueType::kMap: text_.String(value.string_value()); break;
    }
  }

  json::JsonAppender text_;
  std::string flattened_;  // an array or map value rendered as its JSON string
  std::vector<Attribute> sorted_tags_;
};

// Traces of at least this many spans are written in two pieces at once when the style allows:
// below it, handing a piece to another thread costs more than it saves.
constexpr size_t kSplitSpans = 256;
// At most this many spans per piece (about 3 MB of JSON for realistic spans): bounds the buffer
// the second piece of a pair is written into.
constexpr size_t kMostPieceSpans = 2048;

// Writes Trace objects; its state (the process table, buffers) is reused across traces.
class TraceWriter {
 public:
  void Write(std::string& out, const SpanBatch& batch, std::span<const Span* const> spans,
             const TraceStyle& style) {
    NumberProcesses(batch, spans);
    text_.Reset(out);
    text_.Raw(R"({"traceID":)");
    if (spans.empty()) {
      text_.Raw(R"("")");
    } else {
      WriteTraceIdString(text_, spans.front()->trace_id);
    }
    text_.Raw(R"(,"spans":[)");
    text_.Flush();
    WriteAllSpans(out, batch, spans, style);
    text_.Reset(out);
    text_.Raw(']');
    WriteProcesses();
    WriteWarnings(text_, style.trace_warnings);
    text_.Raw('}');
    text_.Flush();
  }

 private:
  // The spans, comma-separated. With run_both, a large trace goes in pairs of pieces, the two of
  // a pair at once: the first straight into `out`, the second into a buffer appended after it.
  // Pieces are bounded so that the buffer stays small however large the trace.
  void WriteAllSpans(std::string& out, const SpanBatch& batch, std::span<const Span* const> spans,
                     const TraceStyle& style) {
    const std::span<const uint32_t> numbers(process_numbers_);
    size_t done = 0;
    while (style.run_both && spans.size() - done >= kSplitSpans) {
      const size_t piece = std::min(kMostPieceSpans, (spans.size() - done) / 2);
      const size_t second = done + piece;
      second_piece_text_.clear();
      style.run_both(
          [&] {
            first_pieces_.WriteSpans(out, batch, spans.subspan(done, piece),
                                     numbers.subspan(done, piece), done > 0, style);
          },
          [&] {
            second_pieces_.WriteSpans(second_piece_text_, batch, spans.subspan(second, piece),
                                      numbers.subspan(second, piece), true, style);
          });
      out += second_piece_text_;
      done = second + piece;
    }
    first_pieces_.WriteSpans(out, batch, spans.subspan(done), numbers.subspan(done), done > 0,
                             style);
  }

  // Fills process_numbers_: the 1-based process number of each span. Spans of one resource share
  // a number without re-rendering, and different resources whose processes render identically
  // share one too; numbers go in order of first appearance.
  void NumberProcesses(const SpanBatch& batch, std::span<const Span* const> spans) {
    processes_.clear();
    process_of_resource_.clear();
    process_numbers_.resize(spans.size());
    for (size_t i = 0; i < spans.size(); ++i) {
      const uint32_t resource_index = spans[i]->resource_index;
      auto known = process_of_resource_.find(resource_index);
      if (known == process_of_resource_.end()) {
        known = process_of_resource_
                    .emplace(resource_index, ProcessNumber(batch.resources()[resource_index]))
                    .first;
      }
      process_numbers_[i] = known->second;
    }
  }

  uint32_t ProcessNumber(const Resource& resource) {
    rendered_.clear();
    first_pieces_.WriteProcess(rendered_, resource);
    for (size_t i = 0; i < processes_.size(); ++i) {
      if (processes_[i] == rendered_) return static_cast<uint32_t>(i + 1);
    }
    processes_.push_back(rendered_);
    return static_cast<uint32_t>(processes_.size());
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

  json::JsonAppender text_;   // the trace's head and tail, into the caller's output
  SpanWriter first_pieces_;   // the spans written straight into the output (and the processes)
  SpanWriter second_pieces_;  // the second piece of each pair, on whichever thread run_both gives
  std::string second_piece_text_;
  std::vector<uint32_t> process_numbers_;  // of each span
  std::vector<std::string> processes_;     // rendered Process objects; index + 1 = process number
  std::unordered_map<uint32_t, uint32_t> process_of_resource_;
  std::string rendered_;
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
