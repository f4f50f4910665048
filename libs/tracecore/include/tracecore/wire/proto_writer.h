// ProtoWriter: appends protobuf wire format to a std::string.
//
// Embedded messages are written in place: BeginMessage() reserves one byte for the length,
// EndMessage() writes the real length and, when it needs more than one byte, shifts the payload.
// The output is canonical (minimal varints, fields in the order written), so it matches what
// libprotobuf produces for the same field order. Default values are written only when the caller
// writes them; the Write*IfSet helpers skip proto3 defaults.
//
// ProtoRawWriter: the same wire format through a raw cursor into memory the caller has made room
// in beforehand (ProtoVarintSize and ProtoDelimitedSize size what it writes), for encoders that
// check room once per message rather than once per byte (jaeger_proto's). A length that is not
// known before its payload goes into a slot the caller reserves (SkipBytes) and fills afterwards
// (WriteVarintAt).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tracecore/wire/proto_reader.h"

namespace ariadne::tracecore::wire {

class ProtoWriter {
 public:
  explicit ProtoWriter(std::string& out) : out_(out) {}

  void WriteVarintField(uint32_t field, uint64_t value) {
    WriteTag(field, ProtoWireType::kVarint);
    WriteVarint(value);
  }
  void WriteVarintIfSet(uint32_t field, uint64_t value) {
    if (value != 0) WriteVarintField(field, value);
  }
  void WriteFixed64Field(uint32_t field, uint64_t value) {
    WriteTag(field, ProtoWireType::kFixed64);
    char bytes[8];
    std::memcpy(bytes, &value, 8);  // little-endian host
    out_.append(bytes, 8);
  }
  void WriteFixed64IfSet(uint32_t field, uint64_t value) {
    if (value != 0) WriteFixed64Field(field, value);
  }
  void WriteDoubleField(uint32_t field, double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, 8);
    WriteFixed64Field(field, bits);
  }
  void WriteFixed32Field(uint32_t field, uint32_t value) {
    WriteTag(field, ProtoWireType::kFixed32);
    char bytes[4];
    std::memcpy(bytes, &value, 4);
    out_.append(bytes, 4);
  }
  void WriteFixed32IfSet(uint32_t field, uint32_t value) {
    if (value != 0) WriteFixed32Field(field, value);
  }
  void WriteBytesField(uint32_t field, std::string_view bytes) {
    WriteTag(field, ProtoWireType::kLengthDelimited);
    WriteVarint(bytes.size());
    out_.append(bytes);
  }
  void WriteBytesIfSet(uint32_t field, std::string_view bytes) {
    if (!bytes.empty()) WriteBytesField(field, bytes);
  }

  // Starts an embedded message; returns a mark to pass to EndMessage.
  size_t BeginMessage(uint32_t field) {
    WriteTag(field, ProtoWireType::kLengthDelimited);
    out_.push_back('\0');
    return out_.size();
  }
  void EndMessage(size_t mark) {
    size_t length = out_.size() - mark;
    if (length < 0x80) {
      out_[mark - 1] = static_cast<char>(length);
      return;
    }
    char prefix[10];
    size_t prefix_size = EncodeVarint(length, prefix);
    out_.insert(mark, prefix_size - 1, '\0');
    std::memcpy(&out_[mark - 1], prefix, prefix_size);
  }

 private:
  void WriteTag(uint32_t field, ProtoWireType type) {
    WriteVarint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(type));
  }
  void WriteVarint(uint64_t value) {
    char bytes[10];
    out_.append(bytes, EncodeVarint(value, bytes));
  }
  static size_t EncodeVarint(uint64_t value, char* out) {
    size_t n = 0;
    while (value >= 0x80) {
      out[n++] = static_cast<char>((value & 0x7F) | 0x80);
      value >>= 7;
    }
    out[n++] = static_cast<char>(value);
    return n;
  }

  std::string& out_;
};

// Bytes of `value` as a varint (1..10): one for most lengths; else ceil(significant bits / 7),
// as (bits * 9 + 64) / 64, which is exact for 1..64 bits and cheaper than a division by 7.
constexpr size_t ProtoVarintSize(uint64_t value) {
  if (value < 0x80) return 1;
  return (static_cast<size_t>(std::bit_width(value)) * 9 + 64) / 64;
}

// Bytes of a length-delimited field of `length` bytes whose field number is below 16 (a one-byte
// tag): tag, length varint, payload.
constexpr size_t ProtoDelimitedSize(size_t length) {
  return 1 + ProtoVarintSize(length) + length;
}

// Writes through a raw cursor into memory the caller owns and has made room in for everything it
// writes; nothing is checked. Field numbers must be below 16 (one-byte tags). Little-endian hosts.
// Pass it by value (it is one pointer): a reference makes the compiler store the cursor back to
// memory after every byte, since char stores may alias it.
class ProtoRawWriter {
 public:
  explicit ProtoRawWriter(char* cursor) : cursor_(cursor) {}

  // Where the next byte goes (the end of what was written).
  char* cursor() const { return cursor_; }

  void WriteVarintField(uint32_t field, uint64_t value) {
    WriteTag(field, ProtoWireType::kVarint);
    WriteVarint(value);
  }
  void WriteVarintIfSet(uint32_t field, uint64_t value) {
    if (value != 0) WriteVarintField(field, value);
  }
  void WriteFixed64Field(uint32_t field, uint64_t value) {
    WriteTag(field, ProtoWireType::kFixed64);
    std::memcpy(cursor_, &value, 8);
    cursor_ += 8;
  }
  void WriteBytesField(uint32_t field, std::string_view bytes) {
    WriteLengthDelimitedHeader(field, bytes.size());
    CopyBytes(cursor_, bytes.data(), bytes.size());
    cursor_ += bytes.size();
  }
  void WriteBytesIfSet(uint32_t field, std::string_view bytes) {
    if (!bytes.empty()) WriteBytesField(field, bytes);
  }
  // A 16-byte field: `first`, then `second`, each big-endian (a TraceId: high, low).
  void WriteBigEndianField(uint32_t field, uint64_t first, uint64_t second) {
    WriteTag(field, ProtoWireType::kLengthDelimited);
    *cursor_++ = 16;
    StoreBigEndian(first);
    StoreBigEndian(second);
  }
  // An 8-byte field: `value` big-endian (a SpanId).
  void WriteBigEndianField(uint32_t field, uint64_t value) {
    WriteTag(field, ProtoWireType::kLengthDelimited);
    *cursor_++ = 8;
    StoreBigEndian(value);
  }
  // The tag and length of an embedded message (or bytes) whose `length` bytes follow.
  void WriteLengthDelimitedHeader(uint32_t field, size_t length) {
    WriteTag(field, ProtoWireType::kLengthDelimited);
    WriteVarint(length);
  }
  void WriteTag(uint32_t field, ProtoWireType type) {
    *cursor_++ = static_cast<char>((field << 3) | static_cast<uint32_t>(type));
  }
  // Leaves `n` bytes to be written later (a length slot).
  void SkipBytes(size_t n) { cursor_ += n; }
  // Writes `value` as a varint at `at` (ProtoVarintSize(value) bytes); the cursor does not move.
  static void WriteVarintAt(char* at, uint64_t value) { ProtoRawWriter(at).WriteVarint(value); }

 private:
  void WriteVarint(uint64_t value) {
    while (value >= 0x80) {
      *cursor_++ = static_cast<char>(value | 0x80);
      value >>= 7;
    }
    *cursor_++ = static_cast<char>(value);
  }
  // memcpy, with copies of up to 32 bytes (most keys and values) done inline by overlapping word
  // moves that stay inside both ranges: a call per short string costs more than the copy.
  static void CopyBytes(char* to, const char* from, size_t n) {
    if (n > 32) {
      std::memcpy(to, from, n);
    } else if (n >= 16) {
      CopyWords<16>(to, from, n);
    } else if (n >= 8) {
      CopyWords<8>(to, from, n);
    } else if (n >= 4) {
      uint32_t head, tail;
      std::memcpy(&head, from, 4);
      std::memcpy(&tail, from + n - 4, 4);
      std::memcpy(to, &head, 4);
      std::memcpy(to + n - 4, &tail, 4);
    } else if (n > 0) {
      to[0] = from[0];
      to[n / 2] = from[n / 2];
      to[n - 1] = from[n - 1];
    }
  }
  // n in [kWidth, 2 * kWidth]: the first and the last kWidth bytes.
  template <size_t kWidth>
  static void CopyWords(char* to, const char* from, size_t n) {
    char head[kWidth], tail[kWidth];
    std::memcpy(head, from, kWidth);
    std::memcpy(tail, from + n - kWidth, kWidth);
    std::memcpy(to, head, kWidth);
    std::memcpy(to + n - kWidth, tail, kWidth);
  }
  void StoreBigEndian(uint64_t value) {
    value = __builtin_bswap64(value);
    std::memcpy(cursor_, &value, 8);
    cursor_ += 8;
  }

  char* cursor_;
};

}  // namespace ariadne::tracecore::wire
