// ProtoWriter: appends protobuf wire format to a std::string.
//
// Embedded messages are written in place: BeginMessage() reserves one byte for the length,
// EndMessage() writes the real length and, when it needs more than one byte, shifts the payload.
// The output is canonical (minimal varints, fields in the order written), so it matches what
// libprotobuf produces for the same field order. Default values are written only when the caller
// writes them; the Write*IfSet helpers skip proto3 defaults.
#pragma once

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

}  // namespace ariadne::tracecore::wire
