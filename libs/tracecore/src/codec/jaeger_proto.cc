#include "tracecore/codec/jaeger_proto.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "../translate/jaeger_span_tags.h"
#include "tracecore/translate/jaeger_translation.h"
#include "tracecore/wire/proto_reader.h"
#include "tracecore/wire/proto_writer.h"

namespace ariadne::tracecore::jaeger_proto {
namespace {

using wire::CountField;
using wire::ProtoReader;

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
  event.attributes.reserve(CountField(r, field::kLogFields));
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
    // Sized once: growing them one push at a time cost 4% of Jaeger gRPC ingest (and arena memory
    // for every outgrown buffer).
    span.attributes.reserve(CountField(r, field::kSpanTags));
    span.events.reserve(CountField(r, field::kSpanLogs));
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
//
// One pass through a raw writer (ProtoRawWriter) into `out`, which grows when a message needs
// more room than is left. Messages whose size is known before they are written (KeyValue,
// Timestamp, SpanRef) get their exact length up front; spans, logs, processes and the batch get a
// length slot of a fixed width that is filled once their payload is written (see Output). Tags,
// log fields, references and the process come from the model through the visitors of
// jaeger_span_tags.h, as jaeger::SpanView would give them, without SpanView's copies. Field
// order: as libprotobuf writes (field number order); proto3 defaults are left out.

using wire::ProtoDelimitedSize;
using wire::ProtoRawWriter;
using wire::ProtoVarintSize;
using wire::ProtoWireType;

constexpr size_t kTraceIdFieldSize = 2 + 16;
constexpr size_t kSpanIdFieldSize = 2 + 8;
constexpr size_t kMaxVarint = 10;

// Length slot widths: the varint width of the typical length, so that the payload rarely moves.
constexpr size_t kSpanSlot = 2;     // spans: 128 bytes .. 16 KiB
constexpr size_t kLogSlot = 1;      // logs: under 128 bytes
constexpr size_t kProcessSlot = 2;  // processes: 128 bytes .. 16 KiB
constexpr size_t kBatchSlot = 3;    // a request's batch: 16 KiB .. 2 MiB

// The most bytes a span writes before its tags, besides its name and references.
constexpr size_t kSpanFixedRoom = 1 + kSpanSlot + kTraceIdFieldSize + kSpanIdFieldSize +
                                  (1 + kMaxVarint) + (1 + 5) + 2 * (2 + 2 * (1 + kMaxVarint));
constexpr size_t kReferenceRoom = 2 + kTraceIdFieldSize + kSpanIdFieldSize + 2;
constexpr size_t kLogFixedRoom = 1 + kLogSlot + 2 + 2 * (1 + kMaxVarint);

bool HasDouble(double value) {
  return value != 0 || std::signbit(value);  // -0.0 is not the default; NaN != 0
}

[[gnu::always_inline]] inline size_t NanosSize(uint64_t nanos) {
  uint64_t seconds = nanos / kNanosPerSecond;
  uint64_t rest = nanos - seconds * kNanosPerSecond;
  return (seconds != 0 ? 1 + ProtoVarintSize(seconds) : 0) +
         (rest != 0 ? 1 + ProtoVarintSize(rest) : 0);
}

// The writers take and return the writer by value: its cursor stays in a register, where a
// reference would make the compiler store it back after every byte (char stores may alias it).
ProtoRawWriter WriteNanos(ProtoRawWriter w, uint32_t field_number, uint64_t nanos) {
  uint64_t seconds = nanos / kNanosPerSecond;
  uint64_t rest = nanos - seconds * kNanosPerSecond;
  w.WriteLengthDelimitedHeader(field_number, NanosSize(nanos));
  w.WriteVarintIfSet(field::kTimestampSeconds, seconds);
  w.WriteVarintIfSet(field::kTimestampNanos, rest);
  return w;
}

// The most bytes WriteKeyValue writes for a Jaeger value (see jaeger::IsJaegerValue).
size_t KeyValueRoom(std::string_view key, const AnyValue& value) {
  bool has_bytes = value.type() == ValueType::kString || value.type() == ValueType::kBytes;
  return key.size() + (has_bytes ? value.string_value().size() : 0) + 4 * (1 + kMaxVarint) + 2;
}

// Writes a KeyValue field for a Jaeger value: the length first, computed from the parts.
ProtoRawWriter WriteKeyValue(ProtoRawWriter w, uint32_t field_number, std::string_view key,
                             const AnyValue& value) {
  const size_t key_size = key.empty() ? 0 : ProtoDelimitedSize(key.size());
  if (value.type() == ValueType::kString) [[likely]] {  // most tags: a branch, not a jump table
    std::string_view text = value.string_value();       // (v_type STRING is the default)
    w.WriteLengthDelimitedHeader(field_number,
                                 key_size + (text.empty() ? 0 : ProtoDelimitedSize(text.size())));
    w.WriteBytesIfSet(field::kKeyValueKey, key);
    w.WriteBytesIfSet(field::kKeyValueString, text);
    return w;
  }
  switch (value.type()) {
    case ValueType::kBool: {
      bool set = value.bool_value();
      w.WriteLengthDelimitedHeader(field_number, key_size + 2 + (set ? 2 : 0));
      w.WriteBytesIfSet(field::kKeyValueKey, key);
      w.WriteVarintField(field::kKeyValueType, kBool);
      w.WriteVarintIfSet(field::kKeyValueBool, set ? 1 : 0);
      return w;
    }
    case ValueType::kInt: {
      auto number = static_cast<uint64_t>(value.int_value());
      w.WriteLengthDelimitedHeader(field_number,
                                   key_size + 2 + (number != 0 ? 1 + ProtoVarintSize(number) : 0));
      w.WriteBytesIfSet(field::kKeyValueKey, key);
      w.WriteVarintField(field::kKeyValueType, kInt64);
      w.WriteVarintIfSet(field::kKeyValueInt64, number);
      return w;
    }
    case ValueType::kDouble: {
      double number = value.double_value();
      bool set = HasDouble(number);
      w.WriteLengthDelimitedHeader(field_number, key_size + 2 + (set ? 9 : 0));
      w.WriteBytesIfSet(field::kKeyValueKey, key);
      w.WriteVarintField(field::kKeyValueType, kFloat64);
      if (set) {
        uint64_t bits;
        std::memcpy(&bits, &number, 8);
        w.WriteFixed64Field(field::kKeyValueFloat64, bits);
      }
      return w;
    }
    default: {  // bytes
      std::string_view bytes = value.bytes_value();
      w.WriteLengthDelimitedHeader(
          field_number, key_size + 2 + (bytes.empty() ? 0 : ProtoDelimitedSize(bytes.size())));
      w.WriteBytesIfSet(field::kKeyValueKey, key);
      w.WriteVarintField(field::kKeyValueType, kBinary);
      w.WriteBytesIfSet(field::kKeyValueBinary, bytes);
      return w;
    }
  }
}

size_t ReferenceSize(const jaeger::Reference& ref) {
  return kTraceIdFieldSize + kSpanIdFieldSize + (ref.type == jaeger::RefType::kFollowsFrom ? 2 : 0);
}

// The output of one encode call: `out` from its size at construction on, with a raw writer's room
// made on demand (the string grows; writers taken before are then invalid, so callers carry the
// one Room returns). Not thread-safe; one per call.
class Output {
 public:
  Output(std::string& out, size_t expected_bytes) : out_(out) {
    size_t start = out_.size();
    out_.resize(start + expected_bytes);
    Rebase();
    start_ = base_ + start;
  }

  ProtoRawWriter Start() const { return ProtoRawWriter(start_); }

  // `w`, or where it now is in the grown string, with room for `n` more bytes.
  ProtoRawWriter Room(ProtoRawWriter w, size_t n) {
    if (static_cast<size_t>(limit_ - w.cursor()) >= n) [[likely]]
      return w;
    return Grow(w, n);
  }

  // Writes the tag of a length-delimited field and a length slot of `slot` bytes (room for both
  // must have been made); returns where its payload starts (an offset: the string may grow).
  size_t BeginMessage(ProtoRawWriter& w, uint32_t field_number, size_t slot) const {
    w.WriteTag(field_number, ProtoWireType::kLengthDelimited);
    w.SkipBytes(slot);
    return static_cast<size_t>(w.cursor() - base_);
  }

  // Fills the slot of the message whose payload started at `payload` and ends at `w`. A length
  // whose varint is not `slot` bytes wide moves the payload so that the output stays canonical.
  ProtoRawWriter EndMessage(ProtoRawWriter w, size_t payload, size_t slot) {
    size_t length = static_cast<size_t>(w.cursor() - base_) - payload;
    size_t width = ProtoVarintSize(length);
    if (width != slot) [[unlikely]] {
      if (width > slot) w = Room(w, width - slot);
      char* from = base_ + payload;
      char* to = from + width - slot;  // width < slot moves it back
      std::memmove(to, from, length);
      w = ProtoRawWriter(to + length);
    }
    ProtoRawWriter::WriteVarintAt(base_ + payload - slot, length);
    return w;
  }

  // Cuts `out` at `w`, the end of what was written.
  void Finish(ProtoRawWriter w) { out_.resize(static_cast<size_t>(w.cursor() - base_)); }

 private:
  [[gnu::noinline]] ProtoRawWriter Grow(ProtoRawWriter w, size_t n) {
    size_t used = static_cast<size_t>(w.cursor() - base_);
    size_t start = static_cast<size_t>(start_ - base_);
    out_.resize(std::max(out_.size() * 2, used + n));
    Rebase();
    start_ = base_ + start;
    return ProtoRawWriter(base_ + used);
  }
  void Rebase() {
    base_ = out_.data();
    limit_ = base_ + out_.size();
  }

  std::string& out_;
  char* base_ = nullptr;
  char* limit_ = nullptr;
  char* start_ = nullptr;
};

// Writes the messages of one encode call through an Output. Not thread-safe; one per call.
class ApiV2Encoder {
 public:
  explicit ApiV2Encoder(Output& output) : output_(output) {}

  // A first guess at the bytes of `spans` spans with `tags` tags and log fields in all, so that
  // the output rarely grows (each growth copies what was written) nor is much too large.
  static size_t ExpectedBytes(size_t spans, size_t tags) { return 100 * spans + 36 * tags + 256; }
  static size_t TagsOf(const Span& span) {
    size_t tags = span.attributes.size() + 4;  // scope, kind, status: a few
    for (const Event& event : span.events) tags += event.attributes.size() + 1;
    return tags;
  }

  ProtoRawWriter WriteProcess(ProtoRawWriter w, uint32_t field_number, const Resource& resource) {
    std::string_view service_name = resource.ServiceName();
    w = output_.Room(w, 1 + kProcessSlot + 1 + kMaxVarint + service_name.size());
    size_t payload = output_.BeginMessage(w, field_number, kProcessSlot);
    w.WriteBytesIfSet(field::kProcessServiceName, service_name);
    jaeger::ForEachProcessTag(
        resource, [&](const Attribute& tag) { w = WriteTag(w, field::kProcessTags, tag); });
    return output_.EndMessage(w, payload, kProcessSlot);
  }

  // Embeds the span's process (field 10) when `embed_process`.
  ProtoRawWriter WriteSpan(ProtoRawWriter w, uint32_t field_number, const SpanBatch& batch,
                           const Span& span, bool embed_process) {
    size_t references = (span.parent_span_id.empty() ? 0 : 1) + span.links.size();
    w = output_.Room(w, kSpanFixedRoom + span.name.size() + kReferenceRoom * references);
    size_t payload = output_.BeginMessage(w, field_number, kSpanSlot);
    w.WriteBigEndianField(field::kSpanTraceId, span.trace_id.high, span.trace_id.low);
    w.WriteBigEndianField(field::kSpanSpanId, span.span_id.value);
    w.WriteBytesIfSet(field::kSpanOperationName, span.name);
    jaeger::ForEachReference(span, [&](const jaeger::Reference& ref) {
      w.WriteLengthDelimitedHeader(field::kSpanReferences, ReferenceSize(ref));
      w.WriteBigEndianField(field::kRefTraceId, ref.trace_id.high, ref.trace_id.low);
      w.WriteBigEndianField(field::kRefSpanId, ref.span_id.value);
      w.WriteVarintIfSet(field::kRefType, ref.type == jaeger::RefType::kFollowsFrom ? 1 : 0);
    });
    w.WriteVarintIfSet(field::kSpanFlags, span.flags & 0xFF);
    w = WriteNanos(w, field::kSpanStartTime, span.start_time_unix_nano);
    w = WriteNanos(w, field::kSpanDuration, jaeger::DurationNanos(span));
    jaeger::ForEachSpanTag(batch.scope_of(span), span,
                           [&](const Attribute& tag) { w = WriteTag(w, field::kSpanTags, tag); });
    for (const Event& event : span.events) {
      w = output_.Room(w, kLogFixedRoom);
      size_t log_payload = output_.BeginMessage(w, field::kSpanLogs, kLogSlot);
      w = WriteNanos(w, field::kLogTimestamp, event.time_unix_nano);
      jaeger::ForEachLogField(
          event, [&](const Attribute& tag) { w = WriteTag(w, field::kLogFields, tag); });
      w = output_.EndMessage(w, log_payload, kLogSlot);
    }
    if (embed_process) w = WriteProcess(w, field::kSpanProcess, batch.resource_of(span));
    return output_.EndMessage(w, payload, kSpanSlot);
  }

 private:
  // A tag as Jaeger has it: arrays and maps as JSON text (in scratch_), empty as "".
  ProtoRawWriter WriteTag(ProtoRawWriter w, uint32_t field_number, const Attribute& tag) {
    if (jaeger::IsJaegerValue(tag.value)) [[likely]] {
      w = output_.Room(w, KeyValueRoom(tag.key, tag.value));
      return WriteKeyValue(w, field_number, tag.key, tag.value);
    }
    return WriteFlattenedTag(w, field_number, tag);
  }
  // Rare (no Jaeger client sends such values): out of line.
  [[gnu::noinline]] ProtoRawWriter WriteFlattenedTag(ProtoRawWriter w, uint32_t field_number,
                                                     const Attribute& tag) {
    AnyValue value = jaeger::ToJaegerValue(tag.value, scratch_);
    w = output_.Room(w, KeyValueRoom(tag.key, value));
    return WriteKeyValue(w, field_number, tag.key, value);
  }

  Output& output_;
  std::string scratch_;
};

// Appends the Batch of the spans of `resource_index` and, when `wrap`, its PostSpansRequest.
void EncodeResourceBatch(const SpanBatch& batch, uint32_t resource_index, bool wrap,
                         std::string& out) {
  const Resource& resource = batch.resources()[resource_index];
  size_t spans = 0;
  size_t tags = resource.attributes.size();
  for (const Span& span : batch.spans()) {
    if (span.resource_index != resource_index) continue;
    ++spans;
    tags += ApiV2Encoder::TagsOf(span);
  }
  Output output(out, ApiV2Encoder::ExpectedBytes(spans, tags));
  ApiV2Encoder encoder(output);
  ProtoRawWriter w = output.Start();
  size_t payload = 0;
  if (wrap) {
    w = output.Room(w, 1 + kBatchSlot);
    payload = output.BeginMessage(w, field::kRequestBatch, kBatchSlot);
  }
  for (const Span& span : batch.spans()) {
    if (span.resource_index != resource_index) continue;
    w = encoder.WriteSpan(w, field::kBatchSpans, batch, span, /*embed_process=*/false);
  }
  w = encoder.WriteProcess(w, field::kBatchProcess, resource);
  if (wrap) w = output.EndMessage(w, payload, kBatchSlot);
  output.Finish(w);
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
  EncodeResourceBatch(batch, resource_index, /*wrap=*/false, out);
}

void EncodePostSpansRequest(const SpanBatch& batch, uint32_t resource_index, std::string& out) {
  EncodeResourceBatch(batch, resource_index, /*wrap=*/true, out);
}

void EncodeSpansResponseChunk(const SpanBatch& batch, std::span<const Span* const> spans,
                              std::string& out) {
  size_t tags = 0;
  for (const Span* span : spans) {
    tags += ApiV2Encoder::TagsOf(*span) + batch.resource_of(*span).attributes.size();
  }
  Output output(out, ApiV2Encoder::ExpectedBytes(spans.size(), tags));
  ApiV2Encoder encoder(output);
  ProtoRawWriter w = output.Start();
  for (const Span* span : spans) {
    w = encoder.WriteSpan(w, field::kChunkSpans, batch, *span, /*embed_process=*/true);
  }
  output.Finish(w);
}

}  // namespace ariadne::tracecore::jaeger_proto
