#include "tracecore/codec/jaeger_proto.h"

#include <cmath>
#include <optional>
#include <vector>

#include "tracecore/translate/jaeger_translation.h"
#include "tracecore/wire/proto_reader.h"
#include "tracecore/wire/proto_writer.h"

namespace ariadne::tracecore::jaeger_proto {
namespace {

using wire::ProtoReader;
using wire::ProtoWriter;

// Field numbers of jaeger/api_v2/model.proto and collector.proto.
namespace field {
constexpr uint32_t kRequestBatch = 1;
constexpr uint32_t kBatchSpans = 1, kBatchProcess = 2;
constexpr uint32_t kChunkSpans = 1;
constexpr uint32_t kProcessServiceName = 1, kProcessTags = 2;
constexpr uint32_t kSpanTraceId = 1, kSpanSpanId = 2, kSpanOperationName = 3, kSpanReferences = 4,
                   kSpanFlags = 5, kSpanStartTime = 6, kSpanDuration = 7, kSpanTags = 8,
                   kSpanLogs = 9, kSpanProcess = 10;
constexpr uint32_t kRefTraceId = 1, kRefSpanId = 2, kRefType = 3;
constexpr uint32_t kLogTimestamp = 1, kLogFields = 2;
constexpr uint32_t kKeyValueKey = 1, kKeyValueType = 2, kKeyValueString = 3, kKeyValueBool = 4,
                   kKeyValueInt64 = 5, kKeyValueFloat64 = 6, kKeyValueBinary = 7;
constexpr uint32_t kTimestampSeconds = 1, kTimestampNanos = 2;  // also Duration
}  // namespace field

// jaeger.api_v2.ValueType.
enum ProtoValueType : uint64_t { kString = 0, kBool = 1, kInt64 = 2, kFloat64 = 3, kBinary = 4 };

constexpr int64_t kNanosPerSecond = 1000000000;

// ----------------------------------------------------------------------------------------------
// Decoding

Attribute ReadKeyValue(ProtoReader r) {
  Attribute tag;
  uint64_t type = kString;
  std::string_view text, binary;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  while (r.Next()) {
    switch (r.field()) {
      case field::kKeyValueKey: tag.key = r.ReadBytes(); break;
      case field::kKeyValueType: type = r.ReadVarint(); break;
      case field::kKeyValueString: text = r.ReadBytes(); break;
      case field::kKeyValueBool: bool_value = r.ReadBool(); break;
      case field::kKeyValueInt64: int_value = r.ReadInt64(); break;
      case field::kKeyValueFloat64: double_value = r.ReadDouble(); break;
      case field::kKeyValueBinary: binary = r.ReadBytes(); break;
      default: r.Skip();
    }
  }
  switch (type) {
    case kString: tag.value = AnyValue::String(text); break;
    case kBool: tag.value = AnyValue::Bool(bool_value); break;
    case kInt64: tag.value = AnyValue::Int(int_value); break;
    case kFloat64: tag.value = AnyValue::Double(double_value); break;
    case kBinary: tag.value = AnyValue::Bytes(binary); break;
    default: r.Fail("KeyValue.v_type is not a known ValueType"); break;
  }
  return tag;
}

// google.protobuf.Timestamp / Duration as nanoseconds; negative results read as 0.
uint64_t ReadNanos(ProtoReader r) {
  int64_t seconds = 0;
  int64_t nanos = 0;
  while (r.Next()) {
    switch (r.field()) {
      case field::kTimestampSeconds: seconds = r.ReadInt64(); break;
      case field::kTimestampNanos: nanos = static_cast<int32_t>(r.ReadVarint()); break;
      default: r.Skip();
    }
  }
  // Beyond year 2262 nanoseconds overflow 64 bits; such times are clamped rather than wrapped.
  constexpr int64_t kMaxSeconds = INT64_MAX / kNanosPerSecond - 1;
  if (seconds < 0 || nanos < 0) return 0;
  if (seconds > kMaxSeconds) seconds = kMaxSeconds;
  return static_cast<uint64_t>(seconds) * kNanosPerSecond + static_cast<uint64_t>(nanos);
}

TraceId ReadTraceId(ProtoReader& r) {
  std::string_view bytes = r.ReadBytes();
  if (bytes.empty()) return {};
  auto id = TraceId::FromBytes(bytes);
  if (!id) r.Fail("trace_id must be 16 (or 8) bytes");
  return id.value_or(TraceId{});
}

SpanId ReadSpanId(ProtoReader& r) {
  std::string_view bytes = r.ReadBytes();
  if (bytes.empty()) return {};
  auto id = SpanId::FromBytes(bytes);
  if (!id) r.Fail("span_id must be 8 bytes");
  return id.value_or(SpanId{});
}

jaeger::Reference ReadReference(ProtoReader r) {
  jaeger::Reference ref;
  while (r.Next()) {
    switch (r.field()) {
      case field::kRefTraceId: ref.trace_id = ReadTraceId(r); break;
      case field::kRefSpanId: ref.span_id = ReadSpanId(r); break;
      case field::kRefType:
        ref.type = r.ReadVarint() == 1 ? jaeger::RefType::kFollowsFrom : jaeger::RefType::kChildOf;
        break;
      default: r.Skip();
    }
  }
  return ref;
}

void ReadLog(ProtoReader r, Event& event) {
  while (r.Next()) {
    switch (r.field()) {
      case field::kLogTimestamp: event.time_unix_nano = ReadNanos(r.ReadMessage()); break;
      case field::kLogFields: event.attributes.push_back(ReadKeyValue(r.ReadMessage())); break;
      default: r.Skip();
    }
  }
}

// Reads a Process message into a new resource.
uint32_t ReadProcess(ProtoReader r, SpanBatch& batch) {
  std::string_view service_name;
  {
    ProtoReader scan(r);
    while (scan.Next()) {
      if (scan.field() == field::kProcessServiceName) {
        service_name = scan.ReadBytes();
      } else {
        scan.Skip();
      }
    }
  }
  uint32_t index = jaeger::AddProcessResource(batch, service_name);
  while (r.Next()) {
    if (r.field() == field::kProcessTags) {
      batch.resources()[index].attributes.push_back(ReadKeyValue(r.ReadMessage()));
    } else {
      r.Skip();
    }
  }
  return index;
}

// Decodes Batch (or a SpansResponseChunk, whose spans field is also 1 and has no process).
class BatchDecoder {
 public:
  explicit BatchDecoder(SpanBatch& batch) : batch_(batch) {}

  void Decode(ProtoReader r) {
    // The batch process (field 2) follows the spans in canonical field order; read it first.
    {
      ProtoReader scan(r);
      while (scan.Next()) {
        if (scan.field() == field::kBatchProcess) {
          batch_process_ = ResourceFor(scan.ReadMessage());
        } else {
          scan.Skip();
        }
      }
    }
    while (r.Next()) {
      if (r.field() == field::kBatchSpans) {
        ReadSpan(r.ReadMessage());
      } else {
        r.Skip();
      }
    }
  }

 private:
  // Resource for a Process message; processes with identical bytes share one resource.
  uint32_t ResourceFor(const ProtoReader& process) {
    for (const auto& [seen, index] : processes_) {
      if (seen == process.data()) return index;
    }
    uint32_t index = ReadProcess(process, batch_);
    processes_.emplace_back(process.data(), index);
    return index;
  }

  void ReadSpan(ProtoReader r) {
    Span& span = batch_.AddSpan(0, 0);
    std::optional<uint32_t> process;
    uint64_t duration = 0;
    references_.clear();
    while (r.Next()) {
      switch (r.field()) {
        case field::kSpanTraceId: span.trace_id = ReadTraceId(r); break;
        case field::kSpanSpanId: span.span_id = ReadSpanId(r); break;
        case field::kSpanOperationName: span.name = r.ReadBytes(); break;
        case field::kSpanReferences: references_.push_back(ReadReference(r.ReadMessage())); break;
        case field::kSpanFlags: span.flags = r.ReadUint32(); break;
        case field::kSpanStartTime: span.start_time_unix_nano = ReadNanos(r.ReadMessage()); break;
        case field::kSpanDuration: duration = ReadNanos(r.ReadMessage()); break;
        case field::kSpanTags: span.attributes.push_back(ReadKeyValue(r.ReadMessage())); break;
        case field::kSpanLogs:
          ReadLog(r.ReadMessage(), span.events.emplace_back(batch_.arena()));
          break;
        case field::kSpanProcess: process = ResourceFor(r.ReadMessage()); break;
        default: r.Skip();
      }
    }
    span.end_time_unix_nano = span.start_time_unix_nano + duration;
    if (process) {
      span.resource_index = *process;
    } else {
      if (!batch_process_) batch_process_ = jaeger::AddProcessResource(batch_, {});
      span.resource_index = *batch_process_;
    }
    jaeger::FinishSpan(batch_, span, SpanId{}, references_, scopes_);
  }

  SpanBatch& batch_;
  std::optional<uint32_t> batch_process_;
  std::vector<std::pair<std::string_view, uint32_t>> processes_;
  std::vector<jaeger::Reference> references_;
  jaeger::ScopeCache scopes_;
};

// ----------------------------------------------------------------------------------------------
// Encoding

void WriteNanos(ProtoWriter& w, uint32_t field_number, uint64_t nanos) {
  size_t mark = w.BeginMessage(field_number);
  w.WriteVarintIfSet(field::kTimestampSeconds, nanos / kNanosPerSecond);
  w.WriteVarintIfSet(field::kTimestampNanos, nanos % kNanosPerSecond);
  w.EndMessage(mark);
}

void WriteKeyValue(ProtoWriter& w, uint32_t field_number, const Attribute& tag) {
  size_t mark = w.BeginMessage(field_number);
  w.WriteBytesIfSet(field::kKeyValueKey, tag.key);
  const AnyValue& value = tag.value;
  switch (value.type()) {
    case ValueType::kBool:
      w.WriteVarintField(field::kKeyValueType, kBool);
      w.WriteVarintIfSet(field::kKeyValueBool, value.bool_value() ? 1 : 0);
      break;
    case ValueType::kInt:
      w.WriteVarintField(field::kKeyValueType, kInt64);
      w.WriteVarintIfSet(field::kKeyValueInt64, static_cast<uint64_t>(value.int_value()));
      break;
    case ValueType::kDouble:
      w.WriteVarintField(field::kKeyValueType, kFloat64);
      if (value.double_value() != 0 || std::signbit(value.double_value())) {
        w.WriteDoubleField(field::kKeyValueFloat64, value.double_value());
      }
      break;
    case ValueType::kBytes:
      w.WriteVarintField(field::kKeyValueType, kBinary);
      w.WriteBytesIfSet(field::kKeyValueBinary, value.bytes_value());
      break;
    default:  // SpanView renders everything else as a string
      w.WriteBytesIfSet(field::kKeyValueString, value.string_value());
      break;
  }
  w.EndMessage(mark);
}

void WriteProcess(ProtoWriter& w, uint32_t field_number, const jaeger::SpanView& view) {
  size_t mark = w.BeginMessage(field_number);
  w.WriteBytesIfSet(field::kProcessServiceName, view.service_name);
  for (const Attribute& tag : view.process_tags) WriteKeyValue(w, field::kProcessTags, tag);
  w.EndMessage(mark);
}

void WriteIdBytes(ProtoWriter& w, uint32_t field_number, const TraceId& id) {
  char bytes[16];
  id.ToBytes(bytes);
  w.WriteBytesField(field_number, {bytes, 16});
}

void WriteIdBytes(ProtoWriter& w, uint32_t field_number, const SpanId& id) {
  char bytes[8];
  id.ToBytes(bytes);
  w.WriteBytesField(field_number, {bytes, 8});
}

void WriteSpan(ProtoWriter& w, uint32_t field_number, const Span& span,
               const jaeger::SpanView& view, bool embed_process) {
  size_t mark = w.BeginMessage(field_number);
  WriteIdBytes(w, field::kSpanTraceId, span.trace_id);
  WriteIdBytes(w, field::kSpanSpanId, span.span_id);
  w.WriteBytesIfSet(field::kSpanOperationName, span.name);
  for (const jaeger::Reference& ref : view.references) {
    size_t ref_mark = w.BeginMessage(field::kSpanReferences);
    WriteIdBytes(w, field::kRefTraceId, ref.trace_id);
    WriteIdBytes(w, field::kRefSpanId, ref.span_id);
    w.WriteVarintIfSet(field::kRefType, ref.type == jaeger::RefType::kFollowsFrom ? 1 : 0);
    w.EndMessage(ref_mark);
  }
  w.WriteVarintIfSet(field::kSpanFlags, view.flags);
  WriteNanos(w, field::kSpanStartTime, span.start_time_unix_nano);
  WriteNanos(w, field::kSpanDuration,
             span.end_time_unix_nano > span.start_time_unix_nano
                 ? span.end_time_unix_nano - span.start_time_unix_nano
                 : 0);
  for (const Attribute& tag : view.tags) WriteKeyValue(w, field::kSpanTags, tag);
  for (size_t i = 0; i < view.logs.size(); ++i) {
    size_t log_mark = w.BeginMessage(field::kSpanLogs);
    WriteNanos(w, field::kLogTimestamp, span.events[i].time_unix_nano);
    for (const Attribute& tag : view.logs[i].fields) WriteKeyValue(w, field::kLogFields, tag);
    w.EndMessage(log_mark);
  }
  if (embed_process) WriteProcess(w, field::kSpanProcess, view);
  w.EndMessage(mark);
}

}  // namespace

Status DecodeBatch(std::string_view bytes, SpanBatch& batch) {
  ProtoReader r(bytes);
  BatchDecoder(batch).Decode(r);
  return r.status().WithContext("jaeger api_v2 batch");
}

Status DecodePostSpansRequest(std::string_view bytes, SpanBatch& batch) {
  ProtoReader r(bytes);
  while (r.Next()) {
    if (r.field() == field::kRequestBatch) {
      BatchDecoder(batch).Decode(r.ReadMessage());
    } else {
      r.Skip();
    }
  }
  return r.status().WithContext("jaeger api_v2 PostSpansRequest");
}

void EncodeBatch(const SpanBatch& batch, uint32_t resource_index, std::string& out) {
  ProtoWriter w(out);
  jaeger::SpanView view;
  for (const Span& span : batch.spans()) {
    if (span.resource_index != resource_index) continue;
    view.Load(batch, span);
    WriteSpan(w, field::kBatchSpans, span, view, /*embed_process=*/false);
  }
  view.LoadProcess(batch.resources()[resource_index]);
  WriteProcess(w, field::kBatchProcess, view);
}

void EncodePostSpansRequest(const SpanBatch& batch, uint32_t resource_index, std::string& out) {
  ProtoWriter w(out);
  size_t mark = w.BeginMessage(field::kRequestBatch);
  EncodeBatch(batch, resource_index, out);
  w.EndMessage(mark);
}

void EncodeSpansResponseChunk(const SpanBatch& batch, std::span<const Span* const> spans,
                              std::string& out) {
  ProtoWriter w(out);
  jaeger::SpanView view;
  for (const Span* span : spans) {
    view.Load(batch, *span);
    WriteSpan(w, field::kChunkSpans, *span, view, /*embed_process=*/true);
  }
}

}  // namespace ariadne::tracecore::jaeger_proto
