// Thrift protocol writers: ThriftBinaryWriter (TBinaryProtocol, strict message headers) and
// ThriftCompactWriter (TCompactProtocol), appending to a std::string.
//
// Both have the same member functions (see thrift_reader.h for the reading side), so an encoder is
// written once as a template over the writer type. The output is canonical: it is byte for byte
// what libthrift's C++ protocols write for the same calls (short field headers whenever the id
// delta is 1..15, minimal varints, bool fields folded into the compact field header, list element
// type 1 for bool as libthrift C++, Go and Java write it).
//
// Writing a struct:
//   writer.BeginStruct();
//   writer.WriteI64Field(1, value);
//   writer.WriteFieldBegin(2, ThriftType::kList);  writer.WriteListBegin(ThriftType::kStruct, n);
//   ... writer.EndStruct();  // writes the STOP byte
// Writers cannot fail; nesting deeper than kMaxThriftDepth is a caller bug (it is clamped).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tracecore/wire/thrift_reader.h"

namespace ariadne::tracecore::wire {

class ThriftBinaryWriter {
 public:
  explicit ThriftBinaryWriter(std::string& out) : out_(out) {}

  // Strict header: i32 0x80010000 | type, name, i32 seqid.
  void WriteMessageBegin(std::string_view name, ThriftMessageType type, int32_t seq_id) {
    WriteI32(static_cast<int32_t>(0x80010000u | static_cast<uint32_t>(type)));
    WriteBinary(name);
    WriteI32(seq_id);
  }

  void BeginStruct() {}
  void EndStruct() { out_.push_back('\0'); }

  void WriteFieldBegin(int16_t id, ThriftType type) {
    char bytes[3] = {static_cast<char>(type), static_cast<char>(static_cast<uint16_t>(id) >> 8),
                     static_cast<char>(id & 0xFF)};
    out_.append(bytes, 3);
  }

  void WriteBool(bool value) { out_.push_back(value ? '\1' : '\0'); }
  void WriteI8(int8_t value) { out_.push_back(static_cast<char>(value)); }
  void WriteI16(int16_t value) {
    uint16_t v = thrift_internal::ByteSwap16(static_cast<uint16_t>(value));
    Append(&v, 2);
  }
  void WriteI32(int32_t value) {
    uint32_t v = thrift_internal::ByteSwap32(static_cast<uint32_t>(value));
    Append(&v, 4);
  }
  void WriteI64(int64_t value) {
    uint64_t v = thrift_internal::ByteSwap64(static_cast<uint64_t>(value));
    Append(&v, 8);
  }
  void WriteDouble(double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, 8);
    WriteI64(static_cast<int64_t>(bits));
  }
  void WriteBinary(std::string_view bytes) {
    WriteI32(static_cast<int32_t>(bytes.size()));
    out_.append(bytes);
  }

  void WriteListBegin(ThriftType element_type, uint32_t size) {
    out_.push_back(static_cast<char>(element_type));
    WriteI32(static_cast<int32_t>(size));
  }
  void WriteSetBegin(ThriftType element_type, uint32_t size) { WriteListBegin(element_type, size); }
  void WriteMapBegin(ThriftType key_type, ThriftType value_type, uint32_t size) {
    out_.push_back(static_cast<char>(key_type));
    out_.push_back(static_cast<char>(value_type));
    WriteI32(static_cast<int32_t>(size));
  }

  // Field header and value in one call.
  void WriteBoolField(int16_t id, bool value) {
    WriteFieldBegin(id, ThriftType::kBool);
    WriteBool(value);
  }
  void WriteI8Field(int16_t id, int8_t value) {
    WriteFieldBegin(id, ThriftType::kI8);
    WriteI8(value);
  }
  void WriteI16Field(int16_t id, int16_t value) {
    WriteFieldBegin(id, ThriftType::kI16);
    WriteI16(value);
  }
  void WriteI32Field(int16_t id, int32_t value) {
    WriteFieldBegin(id, ThriftType::kI32);
    WriteI32(value);
  }
  void WriteI64Field(int16_t id, int64_t value) {
    WriteFieldBegin(id, ThriftType::kI64);
    WriteI64(value);
  }
  void WriteDoubleField(int16_t id, double value) {
    WriteFieldBegin(id, ThriftType::kDouble);
    WriteDouble(value);
  }
  void WriteBinaryField(int16_t id, std::string_view bytes) {
    WriteFieldBegin(id, ThriftType::kString);
    WriteBinary(bytes);
  }

 private:
  void Append(const void* bytes, size_t n) { out_.append(static_cast<const char*>(bytes), n); }

  std::string& out_;
};

class ThriftCompactWriter {
 public:
  explicit ThriftCompactWriter(std::string& out) : out_(out) {}

  // 0x82, (type << 5) | version 1, varint seqid, varint name length, name.
  void WriteMessageBegin(std::string_view name, ThriftMessageType type, int32_t seq_id) {
    out_.push_back(static_cast<char>(0x82));
    out_.push_back(static_cast<char>((static_cast<uint32_t>(type) << 5) | 0x01));
    WriteVarint(static_cast<uint32_t>(seq_id));
    WriteBinary(name);
  }

  void BeginStruct() {
    if (depth_ < kMaxThriftDepth) last_field_ids_[depth_++] = last_field_id_;
    last_field_id_ = 0;
  }
  void EndStruct() {
    out_.push_back('\0');
    if (depth_ > 0) last_field_id_ = last_field_ids_[--depth_];
  }

  // For kBool the header is deferred to the following WriteBool (it carries the value).
  void WriteFieldBegin(int16_t id, ThriftType type) {
    if (type == ThriftType::kBool) {
      pending_bool_field_ = true;
      pending_bool_id_ = id;
      return;
    }
    WriteFieldHeader(id, CompactType(type));
  }

  void WriteBool(bool value) {
    if (pending_bool_field_) {
      pending_bool_field_ = false;
      WriteFieldHeader(pending_bool_id_, value ? 1 : 2);
      return;
    }
    out_.push_back(value ? '\1' : '\2');
  }
  void WriteI8(int8_t value) { out_.push_back(static_cast<char>(value)); }
  void WriteI16(int16_t value) { WriteVarint(ZigZag(value)); }
  void WriteI32(int32_t value) { WriteVarint(ZigZag(value)); }
  void WriteI64(int64_t value) { WriteVarint(ZigZag(value)); }
  void WriteDouble(double value) {
    char bytes[8];
    std::memcpy(bytes, &value, 8);  // little-endian host and wire
    out_.append(bytes, 8);
  }
  void WriteBinary(std::string_view bytes) {
    WriteVarint(bytes.size());
    out_.append(bytes);
  }

  void WriteListBegin(ThriftType element_type, uint32_t size) {
    uint8_t type = CompactType(element_type);
    if (size < 15) {
      out_.push_back(static_cast<char>((size << 4) | type));
    } else {
      out_.push_back(static_cast<char>(0xF0 | type));
      WriteVarint(size);
    }
  }
  void WriteSetBegin(ThriftType element_type, uint32_t size) { WriteListBegin(element_type, size); }
  void WriteMapBegin(ThriftType key_type, ThriftType value_type, uint32_t size) {
    WriteVarint(size);
    if (size == 0) return;
    out_.push_back(static_cast<char>((CompactType(key_type) << 4) | CompactType(value_type)));
  }

  void WriteBoolField(int16_t id, bool value) { WriteFieldHeader(id, value ? 1 : 2); }
  void WriteI8Field(int16_t id, int8_t value) {
    WriteFieldHeader(id, 3);
    WriteI8(value);
  }
  void WriteI16Field(int16_t id, int16_t value) {
    WriteFieldHeader(id, 4);
    WriteI16(value);
  }
  void WriteI32Field(int16_t id, int32_t value) {
    WriteFieldHeader(id, 5);
    WriteI32(value);
  }
  void WriteI64Field(int16_t id, int64_t value) {
    WriteFieldHeader(id, 6);
    WriteI64(value);
  }
  void WriteDoubleField(int16_t id, double value) {
    WriteFieldHeader(id, 7);
    WriteDouble(value);
  }
  void WriteBinaryField(int16_t id, std::string_view bytes) {
    WriteFieldHeader(id, 8);
    WriteBinary(bytes);
  }

 private:
  static uint8_t CompactType(ThriftType type) {
    switch (type) {
      case ThriftType::kBool: return 1;
      case ThriftType::kI8: return 3;
      case ThriftType::kI16: return 4;
      case ThriftType::kI32: return 5;
      case ThriftType::kI64: return 6;
      case ThriftType::kDouble: return 7;
      case ThriftType::kString: return 8;
      case ThriftType::kList: return 9;
      case ThriftType::kSet: return 10;
      case ThriftType::kMap: return 11;
      case ThriftType::kStruct: return 12;
      case ThriftType::kUuid: return 13;
      default: return 0;
    }
  }
  static uint64_t ZigZag(int64_t n) {
    return (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63);
  }

  void WriteFieldHeader(int16_t id, uint8_t compact_type) {
    if (id > last_field_id_ && id - last_field_id_ <= 15) {
      out_.push_back(static_cast<char>(((id - last_field_id_) << 4) | compact_type));
    } else {
      out_.push_back(static_cast<char>(compact_type));
      WriteI16(id);
    }
    last_field_id_ = id;
  }
  void WriteVarint(uint64_t value) {
    char bytes[10];
    size_t n = 0;
    while (value >= 0x80) {
      bytes[n++] = static_cast<char>((value & 0x7F) | 0x80);
      value >>= 7;
    }
    bytes[n++] = static_cast<char>(value);
    out_.append(bytes, n);
  }

  std::string& out_;
  int16_t last_field_id_ = 0;
  int16_t last_field_ids_[kMaxThriftDepth] = {};
  int depth_ = 0;
  bool pending_bool_field_ = false;
  int16_t pending_bool_id_ = 0;
};

}  // namespace ariadne::tracecore::wire
