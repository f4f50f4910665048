// Thrift protocol readers: ThriftBinaryReader (TBinaryProtocol) and ThriftCompactReader
// (TCompactProtocol) over a byte view.
//
// Both readers have the same member functions, so that a decoder is written once as a template over
// the reader type and compiled for each protocol without virtual calls. Types are reported in one
// numbering, the binary protocol's (ThriftType), whatever the protocol carries on the wire.
//
// Why not libthrift: its generated code copies every string into std::string and builds one heap
// object per struct, behind a virtual call per primitive; our codecs keep views into the datagram
// or request body and fill the arena model directly. tests/bench/codec_bench (docs/benchmarks.md):
// Jaeger Thrift compact decode into the model, 1.22 M spans/s, runs at 4.5x libthrift's
// generated Batch::read alone.
//
// Errors are sticky, as in ProtoReader: the first malformed byte puts the reader in a failed state,
// every later read returns zero values, NextField() returns false, and the decoder checks ok() once
// where it matters. Every length and container size is checked against the bytes that remain, so a
// lying size fails at once instead of looping or allocating. Structs and containers nest at most
// `depth_budget` levels (Skip included), so deep nesting cannot exhaust the stack.
//
// Reading a struct:
//   if (!reader.BeginStruct()) return;          // false: depth budget spent (reader failed)
//   while (reader.NextField()) {                // false at STOP or on error
//     switch (reader.field_id()) { ... default: reader.Skip(reader.field_type()); }
//   }
//   reader.EndStruct();
// A field that is not consumed must be skipped with Skip(field_type()) before the next NextField().
//
// Writers put fields in id order, so a decoder may first take the fields it expects, in that
// order, with NextFieldIs(id, type) (a compare instead of a dispatch per field), then finish with
// the loop above for whatever did not match (STOP, unknown, repeated or mistyped fields): the
// fields are still handled one by one in wire order, so the result is the loop's alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tracecore/status.h"

// The per-value reads are forced inline: they are a few instructions each, and a decoder calls
// them millions of times per second; the compiler's heuristics otherwise leave some as calls.
#define ARIADNE_THRIFT_INLINE [[gnu::always_inline]] inline

namespace ariadne::tracecore::wire {

// Thrift value types, numbered as the binary protocol numbers them (TType).
enum class ThriftType : uint8_t {
  kStop = 0,
  kVoid = 1,
  kBool = 2,
  kI8 = 3,
  kDouble = 4,
  kI16 = 6,
  kI32 = 8,
  kI64 = 10,
  kString = 11,  // string and binary
  kStruct = 12,
  kMap = 13,
  kSet = 14,
  kList = 15,
  kUuid = 16,
};

enum class ThriftMessageType : uint8_t { kCall = 1, kReply = 2, kException = 3, kOneway = 4 };

// Deepest nesting of structs and containers a reader accepts.
inline constexpr int kMaxThriftDepth = 32;

struct ThriftMessageHeader {
  std::string_view name;
  ThriftMessageType type = ThriftMessageType::kCall;
  int32_t seq_id = 0;
};

struct ThriftListHeader {  // also sets
  ThriftType element_type = ThriftType::kStop;
  uint32_t size = 0;
};

struct ThriftMapHeader {
  ThriftType key_type = ThriftType::kStop;
  ThriftType value_type = ThriftType::kStop;
  uint32_t size = 0;
};

// "i64", "struct", ...; "invalid" for values outside the enum.
std::string_view ThriftTypeName(ThriftType type);

namespace thrift_internal {

// Which ThriftType values are valid field or element types (kStop and kVoid are not).
inline bool IsValueType(ThriftType type) {
  constexpr uint32_t kValid = (1u << 2) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 8) |
                              (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 14) |
                              (1u << 15) | (1u << 16);
  auto bit = static_cast<uint32_t>(type);
  return bit < 32 && ((kValid >> bit) & 1u) != 0;
}

inline uint64_t ByteSwap64(uint64_t v) {
  return __builtin_bswap64(v);
}
inline uint32_t ByteSwap32(uint32_t v) {
  return __builtin_bswap32(v);
}
inline uint16_t ByteSwap16(uint16_t v) {
  return __builtin_bswap16(v);
}

// Shared state and logic of both readers; `Derived` supplies the protocol's primitives (CRTP).
template <typename Derived>
class ReaderBase {
 public:
  bool ok() const { return !failed_; }
  bool at_end() const { return cur_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - cur_); }
  // Bytes consumed so far (the error position after a failure).
  size_t offset() const { return failed_ ? error_offset_ : static_cast<size_t>(cur_ - begin_); }

  int16_t field_id() const { return field_id_; }
  ThriftType field_type() const { return field_type_; }

  // For a decoder's fast path over one exact byte layout: the bytes not read yet (empty after an
  // error), and Advance() past the first `n` of them (n <= remaining()) once the fast path has
  // decoded them. The fast path must leave the reader where the reads above would have left it
  // after the same bytes: whole values and, in the compact protocol, whole structs up to and
  // including their STOP (field-id deltas are tracked per struct). On anything else it consumes
  // nothing and lets the general reads decide, errors included.
  std::string_view unread() const {
    return {reinterpret_cast<const char*>(cur_), static_cast<size_t>(end_ - cur_)};
  }
  void Advance(size_t n) { cur_ += n; }

  // OK, or the first error with its byte offset, e.g. "byte 17: string length runs past the end".
  Status status() const {
    if (!failed_) return Status::Ok();
    return Status::InvalidArgument("byte " + std::to_string(error_offset_) + ": " + error_);
  }

  // Marks the reader failed (also for semantic errors the decoder finds). Returns false.
  bool Fail(const char* what) {
    if (!failed_) {
      failed_ = true;
      error_ = what;
      error_offset_ = static_cast<size_t>(cur_ - begin_);
    }
    cur_ = end_;
    return false;
  }

  // Skips one value of `type` (a struct, container, or primitive), nesting included.
  void Skip(ThriftType type) {
    Derived& self = static_cast<Derived&>(*this);
    switch (type) {
      case ThriftType::kBool: self.ReadBool(); return;
      case ThriftType::kI8: self.ReadI8(); return;
      case ThriftType::kI16: self.ReadI16(); return;
      case ThriftType::kI32: self.ReadI32(); return;
      case ThriftType::kI64: self.ReadI64(); return;
      case ThriftType::kDouble: self.ReadDouble(); return;
      case ThriftType::kString: self.ReadBinary(); return;
      case ThriftType::kUuid: SkipRaw(16); return;
      case ThriftType::kStruct:
        if (!self.BeginStruct()) return;
        while (self.NextField()) Skip(field_type_);
        self.EndStruct();
        return;
      case ThriftType::kList:
      case ThriftType::kSet: {
        ThriftListHeader header = self.ReadListBegin();
        if (!Enter()) return;
        for (uint32_t i = 0; i < header.size && !failed_; ++i) Skip(header.element_type);
        Leave();
        return;
      }
      case ThriftType::kMap: {
        ThriftMapHeader header = self.ReadMapBegin();
        if (!Enter()) return;
        for (uint32_t i = 0; i < header.size && !failed_; ++i) {
          Skip(header.key_type);
          Skip(header.value_type);
        }
        Leave();
        return;
      }
      default: Fail("cannot skip a value of an invalid type"); return;
    }
  }

 protected:
  ReaderBase(std::string_view data, int depth_budget)
      : begin_(reinterpret_cast<const uint8_t*>(data.data())),
        cur_(begin_),
        end_(begin_ + data.size()),
        depth_budget_(depth_budget < kMaxThriftDepth ? depth_budget : kMaxThriftDepth) {}

  ARIADNE_THRIFT_INLINE bool Need(size_t n) {
    if (static_cast<size_t>(end_ - cur_) < n) return Fail("value runs past the end of the input");
    return true;
  }
  void SkipRaw(size_t n) {
    if (Need(n)) cur_ += n;
  }
  ARIADNE_THRIFT_INLINE std::string_view TakeBytes(uint64_t length) {
    if (length > static_cast<uint64_t>(end_ - cur_)) {
      Fail("string length runs past the end of the input");
      return {};
    }
    std::string_view bytes(reinterpret_cast<const char*>(cur_), static_cast<size_t>(length));
    cur_ += length;
    return bytes;
  }
  template <typename T>
  T FailWith(const char* what) {
    Fail(what);
    return T{};
  }
  ARIADNE_THRIFT_INLINE bool Enter() {
    if (failed_) return false;
    if (depth_ >= depth_budget_) return Fail("structs or containers nested too deeply");
    ++depth_;
    return true;
  }
  ARIADNE_THRIFT_INLINE void Leave() {
    if (depth_ > 0) --depth_;
  }
  // Checks a container of `size` elements of at least `min_element_bytes` bytes each against the
  // input left; element types are checked only for non-empty containers.
  bool CheckContainer(uint64_t size, size_t min_element_bytes) {
    if (size > static_cast<uint64_t>(end_ - cur_) / min_element_bytes) {
      return Fail("container size exceeds the remaining input");
    }
    return true;
  }

  const uint8_t* begin_;
  const uint8_t* cur_;
  const uint8_t* end_;
  int depth_budget_;
  int depth_ = 0;
  int16_t field_id_ = 0;
  ThriftType field_type_ = ThriftType::kStop;
  bool failed_ = false;
  const char* error_ = "";
  size_t error_offset_ = 0;
};

}  // namespace thrift_internal

// TBinaryProtocol: big-endian fixed-width integers and doubles, i32 length prefixes.
class ThriftBinaryReader : public thrift_internal::ReaderBase<ThriftBinaryReader> {
 public:
  explicit ThriftBinaryReader(std::string_view data, int depth_budget = kMaxThriftDepth)
      : ReaderBase(data, depth_budget) {}

  // Reads a strict (versioned) or old non-strict message header. False on error.
  bool ReadMessageBegin(ThriftMessageHeader& header) {
    int32_t first = ReadI32();
    if (failed_) return false;
    if (first < 0) {
      if ((static_cast<uint32_t>(first) & 0xFFFF0000u) != 0x80010000u) {
        return Fail("bad binary protocol version in message header");
      }
      header.name = ReadBinary();
      header.seq_id = ReadI32();
      return SetMessageType(static_cast<uint32_t>(first) & 0xFF, header);
    }
    header.name = TakeBytes(static_cast<uint32_t>(first));
    uint8_t type = static_cast<uint8_t>(ReadI8());
    header.seq_id = ReadI32();
    return SetMessageType(type, header);
  }

  ARIADNE_THRIFT_INLINE bool BeginStruct() { return Enter(); }
  ARIADNE_THRIFT_INLINE void EndStruct() { Leave(); }

  // Reads the next field header; false at STOP and on error (check ok()).
  ARIADNE_THRIFT_INLINE bool NextField() {
    if (cur_ == end_) return Fail("struct runs past the end of the input (missing STOP)");
    auto type = static_cast<ThriftType>(*cur_++);
    if (type == ThriftType::kStop) return false;
    if (!thrift_internal::IsValueType(type)) return Fail("invalid field type");
    field_type_ = type;
    field_id_ = ReadI16();
    return !failed_;
  }

  // Reads the next field header only if it is field `id` of wire type `type` (see the file
  // comment); otherwise, at STOP, on another field or on malformed bytes, consumes nothing.
  ARIADNE_THRIFT_INLINE bool NextFieldIs(int16_t id, ThriftType type) {
    if (end_ - cur_ < 3 || cur_[0] != static_cast<uint8_t>(type)) return false;
    uint16_t wire_id;
    std::memcpy(&wire_id, cur_ + 1, 2);
    if (thrift_internal::ByteSwap16(wire_id) != static_cast<uint16_t>(id)) return false;
    cur_ += 3;
    field_type_ = type;
    field_id_ = id;
    return true;
  }

  ARIADNE_THRIFT_INLINE bool ReadBool() { return ReadI8() != 0; }
  ARIADNE_THRIFT_INLINE int8_t ReadI8() {
    if (!Need(1)) return 0;
    return static_cast<int8_t>(*cur_++);
  }
  ARIADNE_THRIFT_INLINE int16_t ReadI16() {
    if (!Need(2)) return 0;
    uint16_t v;
    std::memcpy(&v, cur_, 2);
    cur_ += 2;
    return static_cast<int16_t>(thrift_internal::ByteSwap16(v));
  }
  ARIADNE_THRIFT_INLINE int32_t ReadI32() {
    if (!Need(4)) return 0;
    uint32_t v;
    std::memcpy(&v, cur_, 4);
    cur_ += 4;
    return static_cast<int32_t>(thrift_internal::ByteSwap32(v));
  }
  ARIADNE_THRIFT_INLINE int64_t ReadI64() { return static_cast<int64_t>(RawU64()); }
  ARIADNE_THRIFT_INLINE double ReadDouble() {
    uint64_t bits = RawU64();
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  // A string or binary value: a view into the input.
  ARIADNE_THRIFT_INLINE std::string_view ReadBinary() {
    int32_t length = ReadI32();
    if (length < 0) {
      Fail("negative string length");
      return {};
    }
    return TakeBytes(static_cast<uint32_t>(length));
  }

  ARIADNE_THRIFT_INLINE ThriftListHeader ReadListBegin() {
    ThriftListHeader header;
    auto type = static_cast<ThriftType>(ReadI8());
    int32_t size = ReadI32();
    if (failed_) return {};
    if (size < 0) return FailWith<ThriftListHeader>("negative container size");
    if (size > 0 && !thrift_internal::IsValueType(type)) {
      return FailWith<ThriftListHeader>("invalid container element type");
    }
    if (!CheckContainer(static_cast<uint32_t>(size), MinBytes(type))) return {};
    header.element_type = type;
    header.size = static_cast<uint32_t>(size);
    return header;
  }
  ThriftListHeader ReadSetBegin() { return ReadListBegin(); }
  ThriftMapHeader ReadMapBegin() {
    ThriftMapHeader header;
    auto key = static_cast<ThriftType>(ReadI8());
    auto value = static_cast<ThriftType>(ReadI8());
    int32_t size = ReadI32();
    if (failed_) return {};
    if (size < 0) return FailWith<ThriftMapHeader>("negative container size");
    if (size > 0 && (!thrift_internal::IsValueType(key) || !thrift_internal::IsValueType(value))) {
      return FailWith<ThriftMapHeader>("invalid container element type");
    }
    if (!CheckContainer(static_cast<uint32_t>(size), MinBytes(key) + MinBytes(value))) return {};
    header.key_type = key;
    header.value_type = value;
    header.size = static_cast<uint32_t>(size);
    return header;
  }

 private:
  ARIADNE_THRIFT_INLINE uint64_t RawU64() {
    if (!Need(8)) return 0;
    uint64_t v;
    std::memcpy(&v, cur_, 8);
    cur_ += 8;
    return thrift_internal::ByteSwap64(v);
  }
  bool SetMessageType(uint32_t type, ThriftMessageHeader& header) {
    if (failed_) return false;
    if (type < 1 || type > 4) return Fail("invalid message type");
    header.type = static_cast<ThriftMessageType>(type);
    return true;
  }
  // The fewest bytes a value of `type` takes in the binary protocol.
  static size_t MinBytes(ThriftType type) {
    switch (type) {
      case ThriftType::kI16: return 2;
      case ThriftType::kI32:
      case ThriftType::kString: return 4;
      case ThriftType::kI64:
      case ThriftType::kDouble: return 8;
      case ThriftType::kList:
      case ThriftType::kSet: return 5;
      case ThriftType::kMap: return 6;
      case ThriftType::kUuid: return 16;
      default: return 1;
    }
  }
};

// TCompactProtocol: zigzag varints, field-id deltas, bools in the field header's type nibble,
// little-endian doubles.
class ThriftCompactReader : public thrift_internal::ReaderBase<ThriftCompactReader> {
 public:
  explicit ThriftCompactReader(std::string_view data, int depth_budget = kMaxThriftDepth)
      : ReaderBase(data, depth_budget) {}

  bool ReadMessageBegin(ThriftMessageHeader& header) {
    if (!Need(2)) return false;
    if (cur_[0] != 0x82) return Fail("bad compact protocol id in message header");
    uint8_t version_and_type = cur_[1];
    cur_ += 2;
    if ((version_and_type & 0x1F) != 1)
      return Fail("bad compact protocol version in message header");
    uint32_t type = (version_and_type >> 5) & 0x07;
    header.seq_id = static_cast<int32_t>(RawVarint());  // seqid is a plain (not zigzag) varint
    header.name = ReadBinary();
    if (failed_) return false;
    if (type < 1 || type > 4) return Fail("invalid message type");
    header.type = static_cast<ThriftMessageType>(type);
    return true;
  }

  ARIADNE_THRIFT_INLINE bool BeginStruct() {
    if (!Enter()) return false;
    last_field_ids_[depth_] = last_field_id_;
    last_field_id_ = 0;
    return true;
  }
  ARIADNE_THRIFT_INLINE void EndStruct() {
    if (depth_ > 0) last_field_id_ = last_field_ids_[depth_];
    Leave();
  }

  ARIADNE_THRIFT_INLINE bool NextField() {
    if (cur_ == end_) return Fail("struct runs past the end of the input (missing STOP)");
    uint8_t byte = *cur_++;
    if (byte == 0) return false;
    ThriftType type = kTypeOfNibble[byte & 0x0F];
    if (type == ThriftType::kStop) return Fail("invalid field type");
    uint8_t delta = byte >> 4;
    if (delta != 0) {
      field_id_ = static_cast<int16_t>(last_field_id_ + delta);
    } else {
      field_id_ = ReadI16();
      if (failed_) return false;
    }
    last_field_id_ = field_id_;
    field_type_ = type;
    pending_bool_ = type == ThriftType::kBool;
    bool_value_ = (byte & 0x0F) == 1;
    return true;
  }

  // Reads the next field header only if it is field `id` of wire type `type` written as a delta
  // from the previous field (see the file comment); otherwise consumes nothing. Always false for
  // kBool (its value rides in the header: read bool fields with NextField).
  ARIADNE_THRIFT_INLINE bool NextFieldIs(int16_t id, ThriftType type) {
    int delta = id - last_field_id_;
    uint8_t nibble = kNibbleOfType[static_cast<uint8_t>(type) & 0x1F];
    if (cur_ == end_ || delta <= 0 || delta > 15 || nibble == 0) return false;
    if (*cur_ != ((delta << 4) | nibble)) return false;
    ++cur_;
    last_field_id_ = id;
    field_id_ = id;
    field_type_ = type;
    pending_bool_ = false;
    return true;
  }

  // In a bool field the value was in the field header; elsewhere (list elements) it is a byte.
  ARIADNE_THRIFT_INLINE bool ReadBool() {
    if (pending_bool_) {
      pending_bool_ = false;
      return bool_value_;
    }
    if (!Need(1)) return false;
    return *cur_++ == 1;
  }
  ARIADNE_THRIFT_INLINE int8_t ReadI8() {
    if (!Need(1)) return 0;
    return static_cast<int8_t>(*cur_++);
  }
  ARIADNE_THRIFT_INLINE int16_t ReadI16() { return static_cast<int16_t>(ZigZag(RawVarint())); }
  ARIADNE_THRIFT_INLINE int32_t ReadI32() { return static_cast<int32_t>(ZigZag(RawVarint())); }
  ARIADNE_THRIFT_INLINE int64_t ReadI64() { return ZigZag(RawVarint()); }
  ARIADNE_THRIFT_INLINE double ReadDouble() {
    if (!Need(8)) return 0;
    double v;
    std::memcpy(&v, cur_, 8);  // little-endian on the wire and on the host (x86-64, aarch64)
    cur_ += 8;
    return v;
  }
  ARIADNE_THRIFT_INLINE std::string_view ReadBinary() { return TakeBytes(RawVarint()); }

  ARIADNE_THRIFT_INLINE ThriftListHeader ReadListBegin() {
    if (!Need(1)) return {};
    uint8_t byte = *cur_++;
    uint64_t size = byte >> 4;
    if (size == 15) {
      size = RawVarint();
      if (failed_) return {};
      if (size > 0x7FFFFFFF) return FailWith<ThriftListHeader>("negative container size");
    }
    ThriftType type = kTypeOfNibble[byte & 0x0F];
    if (size > 0 && type == ThriftType::kStop) {
      return FailWith<ThriftListHeader>("invalid container element type");
    }
    if (!CheckContainer(size, MinBytes(type))) return {};
    return {type, static_cast<uint32_t>(size)};
  }
  ThriftListHeader ReadSetBegin() { return ReadListBegin(); }
  ThriftMapHeader ReadMapBegin() {
    uint64_t size = RawVarint();
    if (failed_) return {};
    if (size == 0) return {};
    if (size > 0x7FFFFFFF) return FailWith<ThriftMapHeader>("negative container size");
    if (!Need(1)) return {};
    uint8_t types = *cur_++;
    ThriftType key = kTypeOfNibble[types >> 4];
    ThriftType value = kTypeOfNibble[types & 0x0F];
    if (key == ThriftType::kStop || value == ThriftType::kStop) {
      return FailWith<ThriftMapHeader>("invalid container element type");
    }
    if (!CheckContainer(size, MinBytes(key) + MinBytes(value))) return {};
    return {key, value, static_cast<uint32_t>(size)};
  }

 private:
  // Compact type nibble -> ThriftType; kStop marks an invalid nibble. Both 1 and 2 are bool
  // (field headers carry the value in them; list headers write either, depending on the library).
  static constexpr ThriftType kTypeOfNibble[16] = {
      ThriftType::kStop,   ThriftType::kBool, ThriftType::kBool, ThriftType::kI8,
      ThriftType::kI16,    ThriftType::kI32,  ThriftType::kI64,  ThriftType::kDouble,
      ThriftType::kString, ThriftType::kList, ThriftType::kSet,  ThriftType::kMap,
      ThriftType::kStruct, ThriftType::kUuid, ThriftType::kStop, ThriftType::kStop,
  };

  // ThriftType -> compact type nibble, for NextFieldIs; 0 for bool and invalid types.
  static constexpr uint8_t kNibbleOfType[32] = {
      0,  0, 0, 3, 7, 0, 4, 0, 5, 0, 6, 8, 12, 11, 10, 9,
      13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0,  0,  0,
  };

  static int64_t ZigZag(uint64_t n) {
    return static_cast<int64_t>(n >> 1) ^ -static_cast<int64_t>(n & 1);
  }
  static size_t MinBytes(ThriftType type) {
    switch (type) {
      case ThriftType::kDouble: return 8;
      case ThriftType::kUuid: return 16;
      default: return 1;
    }
  }

  ARIADNE_THRIFT_INLINE uint64_t RawVarint() {
    if (cur_ != end_ && *cur_ < 0x80) return *cur_++;
    return RawVarintSlow();
  }
  [[gnu::noinline]] uint64_t RawVarintSlow() {
    const uint8_t* p = cur_;
    if (end_ - p >= 10) {  // no bounds checks inside the longest varint
      // The first 8 bytes as one word: the lowest byte without its continuation bit ends the
      // varint; the 7-bit groups are then gathered in three shift-and-mask steps.
      uint64_t word;
      std::memcpy(&word, p, 8);  // little-endian host
      uint64_t ends = ~word & 0x8080808080808080ULL;
      if (ends != 0) {
        int length = (__builtin_ctzll(ends) >> 3) + 1;  // bytes, 1..8
        if (length < 8) word &= (uint64_t{1} << (8 * length)) - 1;
        cur_ = p + length;
        return GatherSevenBitGroups(word);
      }
      uint64_t value = GatherSevenBitGroups(word);  // 56 bits; a 9th and maybe a 10th byte follow
      uint64_t byte = p[8];
      value |= (byte & 0x7F) << 56;
      if (byte < 0x80) {
        cur_ = p + 9;
        return value;
      }
      byte = p[9];
      value |= byte << 63;  // bits beyond 64 are dropped, as the byte-wise loop drops them
      if (byte < 0x80) {
        cur_ = p + 10;
        return value;
      }
      Fail("varint longer than 10 bytes");
      return 0;
    }
    uint64_t value = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p == end_) {
        Fail("truncated varint");
        return 0;
      }
      uint64_t byte = *p++;
      value |= (byte & 0x7F) << shift;
      if (byte < 0x80) {
        cur_ = p;
        return value;
      }
    }
    Fail("varint longer than 10 bytes");
    return 0;
  }

  // The low 7 bits of each of the 8 bytes of `word` (little-endian), packed into 56 bits.
  static uint64_t GatherSevenBitGroups(uint64_t word) {
    word = ((word & 0x7F007F007F007F00ULL) >> 1) | (word & 0x007F007F007F007FULL);
    word = ((word & 0x3FFF00003FFF0000ULL) >> 2) | (word & 0x00003FFF00003FFFULL);
    return ((word & 0x0FFFFFFF00000000ULL) >> 4) | (word & 0x000000000FFFFFFFULL);
  }

  int16_t last_field_id_ = 0;
  int16_t last_field_ids_[kMaxThriftDepth + 1] = {};
  bool pending_bool_ = false;
  bool bool_value_ = false;
};

}  // namespace ariadne::tracecore::wire
