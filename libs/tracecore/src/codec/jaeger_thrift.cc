#include "tracecore/codec/jaeger_thrift.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <optional>
#include <span>
#include <utility>

#include "tracecore/codec/zipkin_thrift.h"
#include "tracecore/translate/jaeger_translation.h"
#include "tracecore/wire/thrift_writer.h"

namespace ariadne::tracecore::jaeger_thrift {
namespace {

using wire::ThriftBinaryReader;
using wire::ThriftBinaryWriter;
using wire::ThriftCompactReader;
using wire::ThriftCompactWriter;
using wire::ThriftListHeader;
using wire::ThriftMessageHeader;
using wire::ThriftMessageType;
using wire::ThriftType;

// Field ids of jaeger.thrift and agent.thrift.
namespace field {
constexpr int16_t kTagKey = 1, kTagType = 2, kTagString = 3, kTagDouble = 4, kTagBool = 5,
                  kTagLong = 6, kTagBinary = 7;
constexpr int16_t kLogTimestamp = 1, kLogFields = 2;
constexpr int16_t kRefType = 1, kRefTraceIdLow = 2, kRefTraceIdHigh = 3, kRefSpanId = 4;
constexpr int16_t kSpanTraceIdLow = 1, kSpanTraceIdHigh = 2, kSpanSpanId = 3, kSpanParentSpanId = 4,
                  kSpanOperationName = 5, kSpanReferences = 6, kSpanFlags = 7, kSpanStartTime = 8,
                  kSpanDuration = 9, kSpanTags = 10, kSpanLogs = 11;
constexpr int16_t kProcessServiceName = 1, kProcessTags = 2;
constexpr int16_t kStatsFullQueue = 1, kStatsTooLarge = 2, kStatsFailedToEmit = 3;
constexpr int16_t kBatchProcess = 1, kBatchSpans = 2, kBatchSeqNo = 3, kBatchStats = 4;
constexpr int16_t kArgsFirst = 1;  // emitBatch(1: Batch batch), emitZipkinBatch(1: list<Span>)
}  // namespace field

// jaeger.thrift TagType.
enum TagType : int32_t { kString = 0, kDouble = 1, kBool = 2, kLong = 3, kBinary = 4 };

constexpr std::string_view kEmitBatch = "emitBatch";
constexpr std::string_view kEmitZipkinBatch = "emitZipkinBatch";

// The fewest input bytes one Span / Tag / Log can take in either protocol (their required fields
// in compact form). Reservations are capped by remaining input / these, so a lying list size
// cannot make us allocate more than a small multiple of the input.
constexpr size_t kMinSpanBytes = 16;
constexpr size_t kMinTagBytes = 5;
constexpr size_t kMinLogBytes = 4;

// ----------------------------------------------------------------------------------------------
// Tags in the layout Jaeger clients write them: key (1), vType (2), the one value field vType
// selects, STOP. ReadLaidOutTag decodes such a tag straight from the bytes, just after
// BeginStruct(): true with `tag` set and the reader past the STOP; false, having consumed nothing,
// for any other layout or malformed bytes, and the general field loop then decides (errors
// included), so both paths accept the same input and build the same attribute.

#define ARIADNE_TAG_INLINE [[gnu::always_inline]] inline

ARIADNE_TAG_INLINE uint32_t LoadBigEndian32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}

ARIADNE_TAG_INLINE uint64_t LoadBigEndian64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

// The bytes of a tag being read by a fast path: [p, end).
struct TagCursor {
  const uint8_t* p;
  const uint8_t* end;

  size_t left() const { return static_cast<size_t>(end - p); }
  // Consumes `byte` if it is next.
  ARIADNE_TAG_INLINE bool Take(uint8_t byte) {
    if (p == end || *p != byte) return false;
    ++p;
    return true;
  }
  // Binary: a field header with `type` and `id`, followed by at least `value_bytes` bytes.
  ARIADNE_TAG_INLINE bool TakeBinaryHeader(ThriftType type, int16_t id, size_t value_bytes) {
    if (left() < 3 + value_bytes) return false;
    if (p[0] != static_cast<uint8_t>(type) || p[1] != 0 || p[2] != id) return false;
    p += 3;
    return true;
  }
  // Binary: an i32 length (checked to be there) and that many bytes.
  ARIADNE_TAG_INLINE bool TakeBinaryString(std::string_view& out) {
    uint32_t length = LoadBigEndian32(p);
    p += 4;
    if (length > 0x7FFFFFFF || length > left()) return false;
    out = {reinterpret_cast<const char*>(p), length};
    p += length;
    return true;
  }
  // Compact: a varint of at most 10 bytes, decoded as ThriftCompactReader does.
  ARIADNE_TAG_INLINE bool TakeVarint(uint64_t& value) {
    if (p != end && *p < 0x80) {
      value = *p++;
      return true;
    }
    uint64_t result = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p == end) return false;
      uint64_t byte = *p++;
      result |= (byte & 0x7F) << shift;
      if (byte < 0x80) {
        value = result;
        return true;
      }
    }
    return false;
  }
  // Compact: a varint length and that many bytes.
  ARIADNE_TAG_INLINE bool TakeCompactString(std::string_view& out) {
    uint64_t length = 0;
    if (!TakeVarint(length) || length > left()) return false;
    out = {reinterpret_cast<const char*>(p), static_cast<size_t>(length)};
    p += length;
    return true;
  }
};

ARIADNE_TAG_INLINE int64_t ZigZagDecode(uint64_t n) {
  return static_cast<int64_t>(n >> 1) ^ -static_cast<int64_t>(n & 1);
}

// Ends a fast-path tag: consumes its STOP and moves the reader past it; the caller then builds
// the attribute (in place: a copied temporary stalls store forwarding, once per tag).
template <typename Reader>
ARIADNE_TAG_INLINE bool FinishLaidOutTag(Reader& reader, const uint8_t* begin, TagCursor& in) {
  if (!in.Take(0)) [[unlikely]] {
    return false;
  }
  reader.Advance(static_cast<size_t>(in.p - begin));
  return true;
}

// Binary protocol: a field header is the type byte and the big-endian i16 id.
ARIADNE_TAG_INLINE bool ReadLaidOutTag(ThriftBinaryReader& reader, Attribute& tag) {
  const std::string_view unread = reader.unread();
  const auto* const begin = reinterpret_cast<const uint8_t*>(unread.data());
  TagCursor in{begin, begin + unread.size()};
  std::string_view key;
  if (!in.TakeBinaryHeader(ThriftType::kString, field::kTagKey, 4) || !in.TakeBinaryString(key) ||
      !in.TakeBinaryHeader(ThriftType::kI32, field::kTagType, 4)) [[unlikely]] {
    return false;
  }
  const auto type = static_cast<int32_t>(LoadBigEndian32(in.p));
  in.p += 4;
  if (type == kString) [[likely]] {  // most tags: a branch, not a jump table
    std::string_view text;
    if (!in.TakeBinaryHeader(ThriftType::kString, field::kTagString, 4) ||
        !in.TakeBinaryString(text) || !FinishLaidOutTag(reader, begin, in)) [[unlikely]] {
      return false;
    }
    ::new (&tag) Attribute{key, AnyValue::String(text)};
    return true;
  }
  switch (type) {
    case kDouble: {
      if (!in.TakeBinaryHeader(ThriftType::kDouble, field::kTagDouble, 8)) [[unlikely]] {
        return false;
      }
      uint64_t bits = LoadBigEndian64(in.p);
      in.p += 8;
      if (!FinishLaidOutTag(reader, begin, in)) [[unlikely]] {
        return false;
      }
      double number;
      std::memcpy(&number, &bits, 8);
      ::new (&tag) Attribute{key, AnyValue::Double(number)};
      return true;
    }
    case kBool: {
      if (!in.TakeBinaryHeader(ThriftType::kBool, field::kTagBool, 1)) [[unlikely]] {
        return false;
      }
      bool value = *in.p++ != 0;
      if (!FinishLaidOutTag(reader, begin, in)) [[unlikely]] {
        return false;
      }
      ::new (&tag) Attribute{key, AnyValue::Bool(value)};
      return true;
    }
    case kLong: {
      if (!in.TakeBinaryHeader(ThriftType::kI64, field::kTagLong, 8)) [[unlikely]] {
        return false;
      }
      auto value = static_cast<int64_t>(LoadBigEndian64(in.p));
      in.p += 8;
      if (!FinishLaidOutTag(reader, begin, in)) [[unlikely]] {
        return false;
      }
      ::new (&tag) Attribute{key, AnyValue::Int(value)};
      return true;
    }
    case kBinary: {
      std::string_view binary;
      if (!in.TakeBinaryHeader(ThriftType::kString, field::kTagBinary, 4) ||
          !in.TakeBinaryString(binary) || !FinishLaidOutTag(reader, begin, in)) [[unlikely]] {
        return false;
      }
      ::new (&tag) Attribute{key, AnyValue::Bytes(binary)};
      return true;
    }
    default: return false;
  }
}

// Compact protocol: a field header is one byte, (id delta from the previous field << 4) | type
// nibble; a bool field carries its value in the nibble (1 true, 2 false).
ARIADNE_TAG_INLINE bool ReadLaidOutTag(ThriftCompactReader& reader, Attribute& tag) {
  constexpr uint8_t kKeyHeader = 0x18;     // id 1 (delta 1), binary
  constexpr uint8_t kTypeHeader = 0x15;    // id 2 (delta 1), i32
  constexpr uint8_t kStringHeader = 0x18;  // id 3 (delta 1), binary
  constexpr uint8_t kDoubleHeader = 0x27;  // id 4 (delta 2), double
  constexpr uint8_t kTrueHeader = 0x31;    // id 5 (delta 3), bool true
  constexpr uint8_t kFalseHeader = 0x32;   // id 5 (delta 3), bool false
  constexpr uint8_t kLongHeader = 0x46;    // id 6 (delta 4), i64
  constexpr uint8_t kBinaryHeader = 0x58;  // id 7 (delta 5), binary
  const std::string_view unread = reader.unread();
  const auto* const begin = reinterpret_cast<const uint8_t*>(unread.data());
  TagCursor in{begin, begin + unread.size()};
  std::string_view key;
  uint64_t raw_type = 0;
  if (!in.Take(kKeyHeader) || !in.TakeCompactString(key) || !in.Take(kTypeHeader) ||
      !in.TakeVarint(raw_type)) [[unlikely]] {
    return false;
  }
  const auto type = static_cast<int32_t>(ZigZagDecode(raw_type));
  if (type == kString) [[likely]] {  // most tags: a branch, not a jump table
    std::string_view text;
    if (!in.Take(kStringHeader) || !in.TakeCompactString(text) ||
        !FinishLaidOutTag(reader, begin, in)) [[unlikely]] {
      return false;
    }
    ::new (&tag) Attribute{key, AnyValue::String(text)};
    return true;
  }
  switch (type) {
    case kDouble: {
      if (!in.Take(kDoubleHeader) || in.left() < 8) [[unlikely]] {
        return false;
      }
      double number;
      std::memcpy(&number, in.p, 8);  // little-endian on the wire and on the host
      in.p += 8;
      if (!FinishLaidOutTag(reader, begin, in)) [[unlikely]] {
        return false;
      }
      ::new (&tag) Attribute{key, AnyValue::Double(number)};
      return true;
    }
    case kBool: {
      bool value = in.p != in.end && *in.p == kTrueHeader;
      if (!in.Take(value ? kTrueHeader : kFalseHeader) || !FinishLaidOutTag(reader, begin, in))
          [[unlikely]] {
        return false;
      }
      ::new (&tag) Attribute{key, AnyValue::Bool(value)};
      return true;
    }
    case kLong: {
      uint64_t raw = 0;
      if (!in.Take(kLongHeader) || !in.TakeVarint(raw) || !FinishLaidOutTag(reader, begin, in))
          [[unlikely]] {
        return false;
      }
      ::new (&tag) Attribute{key, AnyValue::Int(ZigZagDecode(raw))};
      return true;
    }
    case kBinary: {
      std::string_view binary;
      if (!in.Take(kBinaryHeader) || !in.TakeCompactString(binary) ||
          !FinishLaidOutTag(reader, begin, in)) [[unlikely]] {
        return false;
      }
      ::new (&tag) Attribute{key, AnyValue::Bytes(binary)};
      return true;
    }
    default: return false;
  }
}

#undef ARIADNE_TAG_INLINE

// Where in the Batch the decoder is, for error messages ("spans[3].tags[1]").
struct Position {
  int64_t span = -1;
  const char* list = nullptr;  // "tags", "logs", "references", "process.tags"
  int64_t item = -1;
  int64_t field = -1;  // a log's fields[i]

  std::string Describe() const {
    std::string text = "batch";
    if (span >= 0) text += ".spans[" + std::to_string(span) + "]";
    if (list != nullptr) {
      text += ".";
      text += list;
      if (item >= 0) text += "[" + std::to_string(item) + "]";
    }
    if (field >= 0) text += ".fields[" + std::to_string(field) + "]";
    return text;
  }
};

// Walks a Batch struct with a protocol reader and appends to the model. Semantic errors fail the
// reader (so they carry a byte offset); Status objects are built once, at the end.
template <typename Reader>
class BatchDecoder {
 public:
  BatchDecoder(Reader& reader, SpanBatch& batch) : r_(reader), batch_(batch) {}

  // Reads the Batch struct the reader is positioned at.
  Status Decode(BatchInfo* info) {
    ReadBatch(info);
    if (!r_.ok()) return r_.status().WithContext(position_.Describe());
    return Status::Ok();
  }

 private:
  // True when the current field has wire type `type` (the caller then reads it); otherwise skips
  // the field's value and returns false, as libthrift's generated readers do.
  bool IsOrSkip(ThriftType type) {
    if (r_.field_type() == type) return true;
    r_.Skip(r_.field_type());
    return false;
  }

  // Reads a list header and checks its element type; returns the size (0 on error).
  uint32_t ReadListOf(ThriftType element_type, const char* error) {
    ThriftListHeader header = r_.ReadListBegin();
    if (header.size > 0 && header.element_type != element_type) {
      r_.Fail(error);
      return 0;
    }
    return header.size;
  }

  size_t ReserveCap(uint32_t size, size_t min_bytes) const {
    return std::min<size_t>(size, r_.remaining() / min_bytes);
  }

  // The hottest code of the decoder (a span has tens of tags and log fields). Marked hot: GCC
  // otherwise deems the fast path's deeply nested success blocks cold and clears each AnyValue
  // with a slow `rep stos`.
  [[gnu::hot]] void ReadTag(Attribute& tag) {
    if (!r_.BeginStruct()) return;
    if (ReadLaidOutTag(r_, tag)) {
      r_.EndStruct();
      return;
    }
    // Any other layout, field by field. An if-chain in wire order rather than a switch: clients
    // write key, vType, then the values, so the branches predict well.
    unsigned seen = 0;
    int32_t type = -1;
    std::string_view key, text, binary;
    double double_value = 0;
    bool bool_value = false;
    int64_t long_value = 0;
    while (r_.NextField()) {
      int16_t id = r_.field_id();
      ThriftType wire_type = r_.field_type();
      if (id == field::kTagKey && wire_type == ThriftType::kString) {
        key = r_.ReadBinary();
        seen |= 1;
      } else if (id == field::kTagType && wire_type == ThriftType::kI32) {
        type = r_.ReadI32();
        seen |= 2;
      } else if (id == field::kTagString && wire_type == ThriftType::kString) {
        text = r_.ReadBinary();
      } else if (id == field::kTagDouble && wire_type == ThriftType::kDouble) {
        double_value = r_.ReadDouble();
      } else if (id == field::kTagBool && wire_type == ThriftType::kBool) {
        bool_value = r_.ReadBool();
      } else if (id == field::kTagLong && wire_type == ThriftType::kI64) {
        long_value = r_.ReadI64();
      } else if (id == field::kTagBinary && wire_type == ThriftType::kString) {
        binary = r_.ReadBinary();
      } else {
        r_.Skip(wire_type);  // unknown field, or a known one of the wrong type
      }
    }
    r_.EndStruct();
    if (!r_.ok()) return;
    if (seen != 3) {
      r_.Fail((seen & 1) == 0 ? "Tag.key (1) is required" : "Tag.vType (2) is required");
      return;
    }
    // Constructed in place (Attribute is trivially destructible): assigning a temporary makes
    // GCC copy it through the stack in a way that stalls store forwarding, once per tag.
    switch (type) {
      case kString: ::new (&tag) Attribute{key, AnyValue::String(text)}; break;
      case kDouble: ::new (&tag) Attribute{key, AnyValue::Double(double_value)}; break;
      case kBool: ::new (&tag) Attribute{key, AnyValue::Bool(bool_value)}; break;
      case kLong: ::new (&tag) Attribute{key, AnyValue::Int(long_value)}; break;
      case kBinary: ::new (&tag) Attribute{key, AnyValue::Bytes(binary)}; break;
      default: r_.Fail("Tag.vType is not a known TagType (0..4)"); break;
    }
  }

  // Reads the value of a list<Tag> field into `into`.
  void ReadTags(Attributes& into) {
    uint32_t size = ReadListOf(ThriftType::kStruct, "expected list<Tag>");
    ReadTagList(size, into, position_.item);
    if (r_.ok()) position_.item = -1;
  }

  // Appends `size` tags to `into`, setting `index` to each one's index first (for errors). The
  // room the input can fill is made in one go (one call, not one per tag); on error what was
  // appended does not matter: the decode rolls the batch back.
  void ReadTagList(uint32_t size, Attributes& into, int64_t& index) {
    const size_t base = into.size();
    const size_t room = ReserveCap(size, kMinTagBytes);
    into.resize(base + room);
    for (uint32_t i = 0; i < size && r_.ok(); ++i) {
      index = i;
      ReadTag(i < room ? into[base + i] : into.emplace_back());
    }
  }

  // Handles field `id` of a Log, whose header was just read. Inlined: with a constant id (the
  // in-order reads) the switch folds away.
  [[gnu::always_inline]] void ReadLogField(int16_t id, Event& event, unsigned& seen) {
    switch (id) {
      case field::kLogTimestamp:
        if (IsOrSkip(ThriftType::kI64)) {
          event.time_unix_nano = static_cast<uint64_t>(r_.ReadI64()) * 1000;
          seen |= 1;
        }
        break;
      case field::kLogFields:
        if (IsOrSkip(ThriftType::kList)) {
          uint32_t size = ReadListOf(ThriftType::kStruct, "expected list<Tag>");
          ReadTagList(size, event.attributes, position_.field);
          if (r_.ok()) position_.field = -1;
          seen |= 2;
        }
        break;
      default: r_.Skip(r_.field_type());
    }
  }

  void ReadLog(Event& event) {
    if (!r_.BeginStruct()) return;
    unsigned seen = 0;
    // The fields in the order clients write them, then the general loop (see NextFieldIs).
    if (r_.NextFieldIs(field::kLogTimestamp, ThriftType::kI64)) {
      ReadLogField(field::kLogTimestamp, event, seen);
    }
    if (r_.NextFieldIs(field::kLogFields, ThriftType::kList)) {
      ReadLogField(field::kLogFields, event, seen);
    }
    while (r_.NextField()) ReadLogField(r_.field_id(), event, seen);
    r_.EndStruct();
    if (r_.ok() && seen != 3) {
      r_.Fail((seen & 1) == 0 ? "Log.timestamp (1) is required" : "Log.fields (2) is required");
    }
  }

  [[gnu::always_inline]] void ReadReferenceField(int16_t id, jaeger::Reference& ref,
                                                 unsigned& seen) {
    switch (id) {
      case field::kRefType:
        if (IsOrSkip(ThriftType::kI32)) {
          int32_t type = r_.ReadI32();
          if (type != 0 && type != 1) {
            r_.Fail("SpanRef.refType is not a known SpanRefType (0..1)");
            break;
          }
          ref.type = type == 0 ? jaeger::RefType::kChildOf : jaeger::RefType::kFollowsFrom;
          seen |= 1;
        }
        break;
      case field::kRefTraceIdLow:
        if (IsOrSkip(ThriftType::kI64)) {
          ref.trace_id.low = static_cast<uint64_t>(r_.ReadI64());
          seen |= 2;
        }
        break;
      case field::kRefTraceIdHigh:
        if (IsOrSkip(ThriftType::kI64)) {
          ref.trace_id.high = static_cast<uint64_t>(r_.ReadI64());
          seen |= 4;
        }
        break;
      case field::kRefSpanId:
        if (IsOrSkip(ThriftType::kI64)) {
          ref.span_id.value = static_cast<uint64_t>(r_.ReadI64());
          seen |= 8;
        }
        break;
      default: r_.Skip(r_.field_type());
    }
  }

  void ReadReference(jaeger::Reference& ref) {
    if (!r_.BeginStruct()) return;
    unsigned seen = 0;
    if (r_.NextFieldIs(field::kRefType, ThriftType::kI32)) {
      ReadReferenceField(field::kRefType, ref, seen);
    }
    if (r_.NextFieldIs(field::kRefTraceIdLow, ThriftType::kI64)) {
      ReadReferenceField(field::kRefTraceIdLow, ref, seen);
    }
    if (r_.NextFieldIs(field::kRefTraceIdHigh, ThriftType::kI64)) {
      ReadReferenceField(field::kRefTraceIdHigh, ref, seen);
    }
    if (r_.NextFieldIs(field::kRefSpanId, ThriftType::kI64)) {
      ReadReferenceField(field::kRefSpanId, ref, seen);
    }
    while (r_.NextField()) ReadReferenceField(r_.field_id(), ref, seen);
    r_.EndStruct();
    if (r_.ok() && seen != 15) {
      r_.Fail("SpanRef.refType, traceIdLow, traceIdHigh and spanId (1..4) are required");
    }
  }

  // What ReadSpan collects besides the span itself.
  struct SpanFields {
    SpanId parent;
    uint64_t start_us = 0;
    uint64_t duration_us = 0;
    unsigned seen = 0;  // bit i: required field i was read
  };

  // Handles field `id` of a Span, whose header was just read. Inlined: with a constant id (the
  // in-order reads) the switch folds away.
  [[gnu::always_inline]] void ReadSpanField(int16_t id, Span& span, SpanFields& f) {
    switch (id) {
      case field::kSpanTraceIdLow:
        if (IsOrSkip(ThriftType::kI64)) {
          span.trace_id.low = static_cast<uint64_t>(r_.ReadI64());
          f.seen |= 1u << 1;
        }
        break;
      case field::kSpanTraceIdHigh:
        if (IsOrSkip(ThriftType::kI64)) {
          span.trace_id.high = static_cast<uint64_t>(r_.ReadI64());
          f.seen |= 1u << 2;
        }
        break;
      case field::kSpanSpanId:
        if (IsOrSkip(ThriftType::kI64)) {
          span.span_id.value = static_cast<uint64_t>(r_.ReadI64());
          f.seen |= 1u << 3;
        }
        break;
      case field::kSpanParentSpanId:
        if (IsOrSkip(ThriftType::kI64)) {
          f.parent.value = static_cast<uint64_t>(r_.ReadI64());
          f.seen |= 1u << 4;
        }
        break;
      case field::kSpanOperationName:
        if (IsOrSkip(ThriftType::kString)) {
          span.name = r_.ReadBinary();
          f.seen |= 1u << 5;
        }
        break;
      case field::kSpanReferences:
        if (IsOrSkip(ThriftType::kList)) {
          position_.list = "references";
          uint32_t size = ReadListOf(ThriftType::kStruct, "expected list<SpanRef>");
          for (uint32_t i = 0; i < size && r_.ok(); ++i) {
            position_.item = i;
            ReadReference(references_.emplace_back());
          }
          if (r_.ok()) position_ = {position_.span};
        }
        break;
      case field::kSpanFlags:
        if (IsOrSkip(ThriftType::kI32)) {
          // Jaeger's flags (sampled 1, debug 2, firehose 8) are the model flags' low byte; the
          // higher model bits are OTLP's and mean nothing in Jaeger.
          span.flags = static_cast<uint32_t>(r_.ReadI32()) & 0xFF;
          f.seen |= 1u << 7;
        }
        break;
      case field::kSpanStartTime:
        if (IsOrSkip(ThriftType::kI64)) {
          f.start_us = static_cast<uint64_t>(r_.ReadI64());
          f.seen |= 1u << 8;
        }
        break;
      case field::kSpanDuration:
        if (IsOrSkip(ThriftType::kI64)) {
          f.duration_us = static_cast<uint64_t>(r_.ReadI64());
          f.seen |= 1u << 9;
        }
        break;
      case field::kSpanTags:
        if (IsOrSkip(ThriftType::kList)) {
          position_.list = "tags";
          ReadTags(span.attributes);
          if (r_.ok()) position_.list = nullptr;  // on error, keep where it happened
        }
        break;
      case field::kSpanLogs:
        if (IsOrSkip(ThriftType::kList)) {
          position_.list = "logs";
          uint32_t size = ReadListOf(ThriftType::kStruct, "expected list<Log>");
          span.events.reserve(ReserveCap(size, kMinLogBytes));
          for (uint32_t i = 0; i < size && r_.ok(); ++i) {
            position_.item = i;
            ReadLog(span.events.emplace_back(batch_.arena()));
          }
          if (r_.ok()) position_ = {position_.span};
        }
        break;
      default: r_.Skip(r_.field_type());
    }
  }

  template <int16_t kId, ThriftType kType>
  [[gnu::always_inline]] void ReadSpanFieldIfNext(Span& span, SpanFields& f) {
    if (r_.NextFieldIs(kId, kType)) ReadSpanField(kId, span, f);
  }

  void ReadSpan(uint32_t resource_index) {
    Span& span = batch_.AddSpan(resource_index, 0);
    references_.clear();
    SpanFields f;
    if (!r_.BeginStruct()) return;
    // The fields in the order clients write them, then the general loop (see NextFieldIs).
    ReadSpanFieldIfNext<field::kSpanTraceIdLow, ThriftType::kI64>(span, f);
    ReadSpanFieldIfNext<field::kSpanTraceIdHigh, ThriftType::kI64>(span, f);
    ReadSpanFieldIfNext<field::kSpanSpanId, ThriftType::kI64>(span, f);
    ReadSpanFieldIfNext<field::kSpanParentSpanId, ThriftType::kI64>(span, f);
    ReadSpanFieldIfNext<field::kSpanOperationName, ThriftType::kString>(span, f);
    ReadSpanFieldIfNext<field::kSpanReferences, ThriftType::kList>(span, f);
    ReadSpanFieldIfNext<field::kSpanFlags, ThriftType::kI32>(span, f);
    ReadSpanFieldIfNext<field::kSpanStartTime, ThriftType::kI64>(span, f);
    ReadSpanFieldIfNext<field::kSpanDuration, ThriftType::kI64>(span, f);
    ReadSpanFieldIfNext<field::kSpanTags, ThriftType::kList>(span, f);
    ReadSpanFieldIfNext<field::kSpanLogs, ThriftType::kList>(span, f);
    while (r_.NextField()) ReadSpanField(r_.field_id(), span, f);
    r_.EndStruct();
    if (!r_.ok()) return;
    constexpr unsigned kRequired = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) |
                                   (1u << 7) | (1u << 8) | (1u << 9);
    if (f.seen != kRequired) {
      r_.Fail(MissingSpanField(f.seen, kRequired));
      return;
    }
    span.start_time_unix_nano = f.start_us * 1000;
    span.end_time_unix_nano = (f.start_us + f.duration_us) * 1000;
    jaeger::FinishSpan(batch_, span, f.parent, references_, scopes_);
  }

  static const char* MissingSpanField(unsigned seen, unsigned required) {
    unsigned missing = required & ~seen;
    if (missing & (1u << 1)) return "Span.traceIdLow (1) is required";
    if (missing & (1u << 2)) return "Span.traceIdHigh (2) is required";
    if (missing & (1u << 3)) return "Span.spanId (3) is required";
    if (missing & (1u << 4)) return "Span.parentSpanId (4) is required";
    if (missing & (1u << 5)) return "Span.operationName (5) is required";
    if (missing & (1u << 7)) return "Span.flags (7) is required";
    if (missing & (1u << 8)) return "Span.startTime (8) is required";
    return "Span.duration (9) is required";
  }

  // The resource of this Batch, created by whichever of process / spans comes first.
  uint32_t Resource() {
    if (!resource_index_) {
      resource_index_ = jaeger::AddProcessResource(batch_, {});
      placeholder_attributes_ = batch_.resources()[*resource_index_].attributes.size();
    }
    return *resource_index_;
  }

  void ReadProcess() {
    if (process_seen_) {
      r_.Fail("Batch.process (1) appears twice");
      return;
    }
    process_seen_ = true;
    if (!r_.BeginStruct()) return;
    bool has_service_name = false;
    while (r_.NextField()) {
      switch (r_.field_id()) {
        case field::kProcessServiceName:
          if (IsOrSkip(ThriftType::kString)) {
            std::string_view service_name = r_.ReadBinary();
            has_service_name = true;
            SetServiceName(service_name);
          }
          break;
        case field::kProcessTags:
          if (IsOrSkip(ThriftType::kList)) {
            position_.list = "process.tags";
            Attributes& attributes = batch_.resources()[Resource()].attributes;
            ReadTags(attributes);
            if (r_.ok()) position_.list = nullptr;
          }
          break;
        default: r_.Skip(r_.field_type());
      }
    }
    r_.EndStruct();
    if (r_.ok() && !has_service_name) r_.Fail("Process.serviceName (1) is required");
  }

  // The resource gets what jaeger::AddProcessResource(service_name) gives, whether it is created
  // now or was created earlier, with an empty name, for spans that preceded the process (then the
  // service.name attribute that call added is filled in, or inserted first if it added none).
  void SetServiceName(std::string_view service_name) {
    if (!resource_index_) {
      resource_index_ = jaeger::AddProcessResource(batch_, service_name);
      return;
    }
    Attributes& attributes = batch_.resources()[*resource_index_].attributes;
    if (placeholder_attributes_ > 0 && attributes[0].key == "service.name") {
      attributes[0].value = AnyValue::String(service_name);
    } else if (!service_name.empty()) {
      attributes.insert(attributes.begin(), {"service.name", AnyValue::String(service_name)});
    }
  }

  void ReadStats(ClientStats& stats) {
    if (!r_.BeginStruct()) return;
    while (r_.NextField()) {
      switch (r_.field_id()) {
        case field::kStatsFullQueue:
          if (IsOrSkip(ThriftType::kI64)) stats.full_queue_dropped_spans = r_.ReadI64();
          break;
        case field::kStatsTooLarge:
          if (IsOrSkip(ThriftType::kI64)) stats.too_large_dropped_spans = r_.ReadI64();
          break;
        case field::kStatsFailedToEmit:
          if (IsOrSkip(ThriftType::kI64)) stats.failed_to_emit_spans = r_.ReadI64();
          break;
        default: r_.Skip(r_.field_type());
      }
    }
    r_.EndStruct();
  }

  void ReadBatch(BatchInfo* info) {
    if (!r_.BeginStruct()) return;
    bool has_spans = false;
    while (r_.NextField()) {
      switch (r_.field_id()) {
        case field::kBatchProcess:
          if (IsOrSkip(ThriftType::kStruct)) ReadProcess();
          break;
        case field::kBatchSpans:
          if (IsOrSkip(ThriftType::kList)) {
            has_spans = true;
            uint32_t size = ReadListOf(ThriftType::kStruct, "expected list<Span>");
            uint32_t resource_index = Resource();
            auto& spans = batch_.spans();
            spans.reserve(spans.size() + ReserveCap(size, kMinSpanBytes));
            for (uint32_t i = 0; i < size && r_.ok(); ++i) {
              position_.span = i;
              ReadSpan(resource_index);
            }
            if (r_.ok()) position_.span = -1;
          }
          break;
        case field::kBatchSeqNo:
          if (IsOrSkip(ThriftType::kI64)) {
            int64_t seq_no = r_.ReadI64();
            if (info != nullptr) info->seq_no = seq_no;
          }
          break;
        case field::kBatchStats:
          if (IsOrSkip(ThriftType::kStruct)) {
            ClientStats stats;
            ReadStats(stats);
            if (info != nullptr) info->stats = stats;
          }
          break;
        default: r_.Skip(r_.field_type());
      }
    }
    r_.EndStruct();
    if (!r_.ok()) return;
    if (!process_seen_) {
      r_.Fail("Batch.process (1) is required");
    } else if (!has_spans) {
      r_.Fail("Batch.spans (2) is required");
    }
  }

  Reader& r_;
  SpanBatch& batch_;
  jaeger::ScopeCache scopes_;
  std::vector<jaeger::Reference> references_;
  std::optional<uint32_t> resource_index_;
  size_t placeholder_attributes_ = 0;  // attributes AddProcessResource gave the resource
  bool process_seen_ = false;
  Position position_;
};

// Removes what a failed decode appended, so the batch is as the caller handed it over.
class Rollback {
 public:
  explicit Rollback(SpanBatch& batch)
      : batch_(batch),
        resources_(batch.resources().size()),
        scopes_(batch.scopes().size()),
        spans_(batch.spans().size()) {}

  Status Finish(Status status) {
    if (!status.ok()) {
      auto& resources = batch_.resources();
      resources.erase(resources.begin() + static_cast<std::ptrdiff_t>(resources_), resources.end());
      auto& scopes = batch_.scopes();
      scopes.erase(scopes.begin() + static_cast<std::ptrdiff_t>(scopes_), scopes.end());
      auto& spans = batch_.spans();
      spans.erase(spans.begin() + static_cast<std::ptrdiff_t>(spans_), spans.end());
    }
    return status;
  }
  size_t spans_added() const { return batch_.spans().size() - spans_; }

 private:
  SpanBatch& batch_;
  size_t resources_;
  size_t scopes_;
  size_t spans_;
};

template <typename Reader>
Status DecodeBatchWith(std::string_view bytes, SpanBatch& batch, BatchInfo* info) {
  Reader reader(bytes);
  Status status = BatchDecoder<Reader>(reader, batch).Decode(info);
  if (status.ok() && !reader.at_end()) {
    status = Status::InvalidArgument("byte " + std::to_string(reader.offset()) +
                                     ": trailing bytes after the Batch");
  }
  return status.WithContext("jaeger thrift");
}

const char* MessageTypeName(ThriftMessageType type) {
  switch (type) {
    case ThriftMessageType::kCall: return "CALL";
    case ThriftMessageType::kReply: return "REPLY";
    case ThriftMessageType::kException: return "EXCEPTION";
    case ThriftMessageType::kOneway: return "ONEWAY";
  }
  return "?";
}

template <typename Reader>
Status DecodeAgentMessageWith(std::string_view datagram, SpanBatch& batch, AgentMessageInfo& info) {
  Reader reader(datagram);
  ThriftMessageHeader header;
  if (!reader.ReadMessageBegin(header)) return reader.status().WithContext("message header");
  info.message_type = header.type;
  info.seq_id = header.seq_id;
  if (header.type != ThriftMessageType::kCall && header.type != ThriftMessageType::kOneway) {
    return Status::InvalidArgument(std::string("message type ") + MessageTypeName(header.type) +
                                   ", expected CALL or ONEWAY");
  }
  bool zipkin;
  if (header.name == kEmitBatch) {
    zipkin = false;
    info.method = AgentMethod::kEmitBatch;
  } else if (header.name == kEmitZipkinBatch) {
    zipkin = true;
    info.method = AgentMethod::kEmitZipkinBatch;
  } else {
    std::string name(header.name.substr(0, 64));
    return Status::InvalidArgument("unknown method \"" + name +
                                   "\" (the agent serves emitBatch and emitZipkinBatch)");
  }
  std::string context = std::string(header.name) + " args";
  if (!reader.BeginStruct()) return reader.status().WithContext(context);
  bool has_payload = false;
  while (reader.NextField()) {
    if (reader.field_id() == field::kArgsFirst && !has_payload &&
        reader.field_type() == (zipkin ? ThriftType::kList : ThriftType::kStruct)) {
      has_payload = true;
      if (zipkin) {
        ARIADNE_RETURN_IF_ERROR(zipkin::DecodeV1ThriftSpans(reader, batch).WithContext(context));
      } else {
        ARIADNE_RETURN_IF_ERROR(
            BatchDecoder<Reader>(reader, batch).Decode(&info.batch).WithContext(context));
      }
    } else {
      reader.Skip(reader.field_type());
    }
  }
  reader.EndStruct();
  if (!reader.ok()) return reader.status().WithContext(context);
  if (!has_payload) {
    return Status::InvalidArgument(context + ": field 1 (" +
                                   (zipkin ? "list<Span> spans" : "Batch batch") + ") is missing");
  }
  if (!reader.at_end()) {
    return Status::InvalidArgument("byte " + std::to_string(reader.offset()) +
                                   ": trailing bytes after the message");
  }
  return Status::Ok();
}

// ----------------------------------------------------------------------------------------------
// Encoding

template <typename Writer>
void WriteTag(Writer& w, const Attribute& tag) {
  w.BeginStruct();
  w.WriteBinaryField(field::kTagKey, tag.key);
  const AnyValue& value = tag.value;
  switch (value.type()) {
    case ValueType::kDouble:
      w.WriteI32Field(field::kTagType, kDouble);
      w.WriteDoubleField(field::kTagDouble, value.double_value());
      break;
    case ValueType::kBool:
      w.WriteI32Field(field::kTagType, kBool);
      w.WriteBoolField(field::kTagBool, value.bool_value());
      break;
    case ValueType::kInt:
      w.WriteI32Field(field::kTagType, kLong);
      w.WriteI64Field(field::kTagLong, value.int_value());
      break;
    case ValueType::kBytes:
      w.WriteI32Field(field::kTagType, kBinary);
      w.WriteBinaryField(field::kTagBinary, value.bytes_value());
      break;
    case ValueType::kString:
      w.WriteI32Field(field::kTagType, kString);
      w.WriteBinaryField(field::kTagString, value.string_value());
      break;
    default:  // SpanView has already turned arrays and maps into JSON strings
      w.WriteI32Field(field::kTagType, kString);
      w.WriteBinaryField(field::kTagString, {});
      break;
  }
  w.EndStruct();
}

template <typename Writer, typename Tags>
void WriteTagList(Writer& w, int16_t id, const Tags& tags) {
  if (tags.empty()) return;
  w.WriteFieldBegin(id, ThriftType::kList);
  w.WriteListBegin(ThriftType::kStruct, static_cast<uint32_t>(tags.size()));
  for (const Attribute& tag : tags) WriteTag(w, tag);
}

template <typename Writer>
void WriteProcess(Writer& w, std::string_view service_name, const std::vector<Attribute>& tags) {
  w.WriteFieldBegin(field::kBatchProcess, ThriftType::kStruct);
  w.BeginStruct();
  w.WriteBinaryField(field::kProcessServiceName, service_name);
  WriteTagList(w, field::kProcessTags, tags);
  w.EndStruct();
}

template <typename Writer>
void WriteSpan(Writer& w, const Span& span, const jaeger::SpanView& view) {
  w.BeginStruct();
  w.WriteI64Field(field::kSpanTraceIdLow, static_cast<int64_t>(span.trace_id.low));
  w.WriteI64Field(field::kSpanTraceIdHigh, static_cast<int64_t>(span.trace_id.high));
  w.WriteI64Field(field::kSpanSpanId, static_cast<int64_t>(span.span_id.value));
  w.WriteI64Field(field::kSpanParentSpanId, static_cast<int64_t>(span.parent_span_id.value));
  w.WriteBinaryField(field::kSpanOperationName, span.name);
  if (!view.references.empty()) {
    w.WriteFieldBegin(field::kSpanReferences, ThriftType::kList);
    w.WriteListBegin(ThriftType::kStruct, static_cast<uint32_t>(view.references.size()));
    for (const jaeger::Reference& ref : view.references) {
      w.BeginStruct();
      w.WriteI32Field(field::kRefType, ref.type == jaeger::RefType::kChildOf ? 0 : 1);
      w.WriteI64Field(field::kRefTraceIdLow, static_cast<int64_t>(ref.trace_id.low));
      w.WriteI64Field(field::kRefTraceIdHigh, static_cast<int64_t>(ref.trace_id.high));
      w.WriteI64Field(field::kRefSpanId, static_cast<int64_t>(ref.span_id.value));
      w.EndStruct();
    }
  }
  w.WriteI32Field(field::kSpanFlags, static_cast<int32_t>(view.flags));
  w.WriteI64Field(field::kSpanStartTime, static_cast<int64_t>(view.start_time_us));
  w.WriteI64Field(field::kSpanDuration, static_cast<int64_t>(view.duration_us));
  WriteTagList(w, field::kSpanTags, view.tags);
  if (!view.logs.empty()) {
    w.WriteFieldBegin(field::kSpanLogs, ThriftType::kList);
    w.WriteListBegin(ThriftType::kStruct, static_cast<uint32_t>(view.logs.size()));
    for (const jaeger::Log& log : view.logs) {
      w.BeginStruct();
      w.WriteI64Field(field::kLogTimestamp, static_cast<int64_t>(log.timestamp_us));
      w.WriteFieldBegin(field::kLogFields, ThriftType::kList);  // required: written even if empty
      w.WriteListBegin(ThriftType::kStruct, static_cast<uint32_t>(log.fields.size()));
      for (const Attribute& tag : log.fields) WriteTag(w, tag);
      w.EndStruct();
    }
  }
  w.EndStruct();
}

// The process of a resource that has no span to load a SpanView from: the same rules as SpanView
// (service.name is the service; the other attributes are tags, arrays and maps as JSON).
void ProcessOfResource(const Resource& resource, std::vector<Attribute>& tags,
                       std::vector<std::string>& scratch) {
  scratch.reserve(resource.attributes.size());
  for (const Attribute& attribute : resource.attributes) {
    if (attribute.key == "service.name" && attribute.value.type() == ValueType::kString) continue;
    tags.push_back({attribute.key, jaeger::ToJaegerValue(attribute.value, scratch.emplace_back())});
  }
}

template <typename Writer>
void WriteBatch(Writer& w, const SpanBatch& batch, uint32_t resource_index,
                std::span<const uint32_t> span_indices, const BatchInfo* info) {
  jaeger::SpanView view;
  w.BeginStruct();
  if (span_indices.empty()) {
    std::vector<Attribute> tags;
    std::vector<std::string> scratch;
    std::string_view service_name;
    if (resource_index < batch.resources().size()) {
      const Resource& resource = batch.resources()[resource_index];
      service_name = resource.ServiceName();
      ProcessOfResource(resource, tags, scratch);
    }
    WriteProcess(w, service_name, tags);
  } else {
    view.Load(batch, batch.spans()[span_indices[0]]);
    WriteProcess(w, view.service_name, view.process_tags);
  }
  w.WriteFieldBegin(field::kBatchSpans, ThriftType::kList);
  w.WriteListBegin(ThriftType::kStruct, static_cast<uint32_t>(span_indices.size()));
  for (size_t i = 0; i < span_indices.size(); ++i) {
    const Span& span = batch.spans()[span_indices[i]];
    if (i > 0) view.Load(batch, span);
    WriteSpan(w, span, view);
  }
  if (info != nullptr && info->seq_no) w.WriteI64Field(field::kBatchSeqNo, *info->seq_no);
  if (info != nullptr && info->stats) {
    w.WriteFieldBegin(field::kBatchStats, ThriftType::kStruct);
    w.BeginStruct();
    w.WriteI64Field(field::kStatsFullQueue, info->stats->full_queue_dropped_spans);
    w.WriteI64Field(field::kStatsTooLarge, info->stats->too_large_dropped_spans);
    w.WriteI64Field(field::kStatsFailedToEmit, info->stats->failed_to_emit_spans);
    w.EndStruct();
  }
  w.EndStruct();
}

std::vector<uint32_t> SpansOf(const SpanBatch& batch, uint32_t resource_index) {
  std::vector<uint32_t> indices;
  const auto& spans = batch.spans();
  for (size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].resource_index == resource_index) indices.push_back(static_cast<uint32_t>(i));
  }
  return indices;
}

void EncodeSpans(const SpanBatch& batch, uint32_t resource_index,
                 std::span<const uint32_t> span_indices, Protocol protocol, std::string& out,
                 const BatchInfo* info) {
  if (protocol == Protocol::kCompact) {
    ThriftCompactWriter w(out);
    WriteBatch(w, batch, resource_index, span_indices, info);
  } else {
    ThriftBinaryWriter w(out);
    WriteBatch(w, batch, resource_index, span_indices, info);
  }
}

}  // namespace

Status DecodeBatch(std::string_view bytes, Protocol protocol, SpanBatch& batch, BatchInfo* info) {
  Rollback rollback(batch);
  BatchInfo scratch;
  BatchInfo& out = info != nullptr ? *info : scratch;
  out = {};
  Status status = protocol == Protocol::kCompact
                      ? DecodeBatchWith<ThriftCompactReader>(bytes, batch, &out)
                      : DecodeBatchWith<ThriftBinaryReader>(bytes, batch, &out);
  return rollback.Finish(std::move(status));
}

Status DecodeAgentMessage(std::string_view datagram, Protocol protocol, SpanBatch& batch,
                          AgentMessageInfo* info) {
  Rollback rollback(batch);
  AgentMessageInfo scratch;
  AgentMessageInfo& out = info != nullptr ? *info : scratch;
  out = {};
  Status status = protocol == Protocol::kCompact
                      ? DecodeAgentMessageWith<ThriftCompactReader>(datagram, batch, out)
                      : DecodeAgentMessageWith<ThriftBinaryReader>(datagram, batch, out);
  out.span_count = status.ok() ? rollback.spans_added() : 0;
  return rollback.Finish(status.WithContext("jaeger agent thrift"));
}

void EncodeBatch(const SpanBatch& batch, uint32_t resource_index, Protocol protocol,
                 std::string& out, const BatchInfo* info) {
  std::vector<uint32_t> indices = SpansOf(batch, resource_index);
  EncodeSpans(batch, resource_index, indices, protocol, out, info);
}

std::vector<std::string> EncodeBatches(const SpanBatch& batch, Protocol protocol) {
  std::vector<std::vector<uint32_t>> by_resource(batch.resources().size());
  const auto& spans = batch.spans();
  for (size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].resource_index < by_resource.size()) {
      by_resource[spans[i].resource_index].push_back(static_cast<uint32_t>(i));
    }
  }
  std::vector<std::string> encoded;
  for (size_t r = 0; r < by_resource.size(); ++r) {
    if (by_resource[r].empty()) continue;
    EncodeSpans(batch, static_cast<uint32_t>(r), by_resource[r], protocol, encoded.emplace_back(),
                nullptr);
  }
  return encoded;
}

void EncodeAgentEmitBatch(const SpanBatch& batch, uint32_t resource_index, Protocol protocol,
                          int32_t seq_id, std::string& out, const BatchInfo* info) {
  std::vector<uint32_t> indices = SpansOf(batch, resource_index);
  auto write = [&](auto& w) {
    w.WriteMessageBegin(kEmitBatch, ThriftMessageType::kOneway, seq_id);
    w.BeginStruct();
    w.WriteFieldBegin(field::kArgsFirst, ThriftType::kStruct);
    WriteBatch(w, batch, resource_index, indices, info);
    w.EndStruct();
  };
  if (protocol == Protocol::kCompact) {
    ThriftCompactWriter w(out);
    write(w);
  } else {
    ThriftBinaryWriter w(out);
    write(w);
  }
}

}  // namespace ariadne::tracecore::jaeger_thrift
