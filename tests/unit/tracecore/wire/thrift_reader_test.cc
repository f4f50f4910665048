// ThriftBinaryReader / ThriftCompactReader and their writers, cross-checked against libthrift's
// TBinaryProtocol and TCompactProtocol: bytes libthrift writes must read back to the same values,
// our writers must produce the same bytes for the same calls, and malformed input must fail
// cleanly.
#include "tracecore/wire/thrift_reader.h"

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tracecore/wire/thrift_writer.h"

namespace {

using ariadne::tracecore::wire::kMaxThriftDepth;
using ariadne::tracecore::wire::ThriftBinaryReader;
using ariadne::tracecore::wire::ThriftBinaryWriter;
using ariadne::tracecore::wire::ThriftCompactReader;
using ariadne::tracecore::wire::ThriftCompactWriter;
using ariadne::tracecore::wire::ThriftListHeader;
using ariadne::tracecore::wire::ThriftMapHeader;
using ariadne::tracecore::wire::ThriftMessageHeader;
using ariadne::tracecore::wire::ThriftMessageType;
using ariadne::tracecore::wire::ThriftType;
namespace lt = apache::thrift;

struct Binary {
  using Reader = ThriftBinaryReader;
  using Writer = ThriftBinaryWriter;
  static std::unique_ptr<lt::protocol::TProtocol> Make(
      std::shared_ptr<lt::transport::TMemoryBuffer> b) {
    return std::make_unique<lt::protocol::TBinaryProtocol>(b);
  }
};
struct Compact {
  using Reader = ThriftCompactReader;
  using Writer = ThriftCompactWriter;
  static std::unique_ptr<lt::protocol::TProtocol> Make(
      std::shared_ptr<lt::transport::TMemoryBuffer> b) {
    return std::make_unique<lt::protocol::TCompactProtocol>(b);
  }
};

const std::string kLongString(300, 'x');  // needs a multi-byte varint length in compact

// Writes, with libthrift, one message whose args struct holds a field of every type, including
// ids that need the long compact field header and a nested struct whose ids restart.
template <typename P>
std::string WriteEverythingWithLibthrift() {
  auto buffer = std::make_shared<lt::transport::TMemoryBuffer>();
  auto proto = P::Make(buffer);
  proto->writeMessageBegin("emitBatch", lt::protocol::T_ONEWAY, 7);
  proto->writeStructBegin("args");
  proto->writeFieldBegin("t", lt::protocol::T_BOOL, 1);
  proto->writeBool(true);
  proto->writeFieldEnd();
  proto->writeFieldBegin("f", lt::protocol::T_BOOL, 2);
  proto->writeBool(false);
  proto->writeFieldEnd();
  proto->writeFieldBegin("i8", lt::protocol::T_BYTE, 3);
  proto->writeByte(-7);
  proto->writeFieldEnd();
  proto->writeFieldBegin("i16", lt::protocol::T_I16, 4);
  proto->writeI16(-300);
  proto->writeFieldEnd();
  proto->writeFieldBegin("i32", lt::protocol::T_I32, 5);
  proto->writeI32(std::numeric_limits<int32_t>::min());
  proto->writeFieldEnd();
  proto->writeFieldBegin("i64", lt::protocol::T_I64, 6);
  proto->writeI64(std::numeric_limits<int64_t>::min());
  proto->writeFieldEnd();
  proto->writeFieldBegin("i64b", lt::protocol::T_I64, 7);
  proto->writeI64(-4539648215598759935LL);
  proto->writeFieldEnd();
  proto->writeFieldBegin("d", lt::protocol::T_DOUBLE, 8);
  proto->writeDouble(0.25);
  proto->writeFieldEnd();
  proto->writeFieldBegin("s", lt::protocol::T_STRING, 9);
  proto->writeString("żółw 🐢");
  proto->writeFieldEnd();
  proto->writeFieldBegin("long", lt::protocol::T_STRING, 40);  // delta 31: long header
  proto->writeString(kLongString);
  proto->writeFieldEnd();
  proto->writeFieldBegin("empty", lt::protocol::T_STRING, 41);
  proto->writeBinary("");
  proto->writeFieldEnd();
  proto->writeFieldBegin("nested", lt::protocol::T_STRUCT, 42);
  proto->writeStructBegin("nested");
  proto->writeFieldBegin("a", lt::protocol::T_I32, 1);
  proto->writeI32(12345);
  proto->writeFieldEnd();
  proto->writeFieldBegin("b", lt::protocol::T_BOOL, 3);
  proto->writeBool(true);
  proto->writeFieldEnd();
  proto->writeFieldStop();
  proto->writeStructEnd();
  proto->writeFieldEnd();
  proto->writeFieldBegin("list", lt::protocol::T_LIST, 43);  // ids continue after the nested struct
  proto->writeListBegin(lt::protocol::T_I64, 20);
  for (int64_t i = 0; i < 20; ++i) proto->writeI64(i * -1000);
  proto->writeListEnd();
  proto->writeFieldEnd();
  proto->writeFieldBegin("bools", lt::protocol::T_LIST, 44);
  proto->writeListBegin(lt::protocol::T_BOOL, 3);
  proto->writeBool(true);
  proto->writeBool(false);
  proto->writeBool(true);
  proto->writeListEnd();
  proto->writeFieldEnd();
  proto->writeFieldBegin("set", lt::protocol::T_SET, 45);
  proto->writeSetBegin(lt::protocol::T_STRING, 2);
  proto->writeString("a");
  proto->writeString("b");
  proto->writeSetEnd();
  proto->writeFieldEnd();
  proto->writeFieldBegin("map", lt::protocol::T_MAP, 46);
  proto->writeMapBegin(lt::protocol::T_STRING, lt::protocol::T_DOUBLE, 2);
  proto->writeString("k1");
  proto->writeDouble(-1.5);
  proto->writeString("k2");
  proto->writeDouble(1e300);
  proto->writeMapEnd();
  proto->writeFieldEnd();
  proto->writeFieldBegin("emptymap", lt::protocol::T_MAP, 47);
  proto->writeMapBegin(lt::protocol::T_STRING, lt::protocol::T_STRING, 0);
  proto->writeMapEnd();
  proto->writeFieldEnd();
  proto->writeFieldBegin("emptylist", lt::protocol::T_LIST, 48);
  proto->writeListBegin(lt::protocol::T_STRUCT, 0);
  proto->writeListEnd();
  proto->writeFieldEnd();
  proto->writeFieldBegin("lower", lt::protocol::T_I32, 10);  // id goes down: long header
  proto->writeI32(-1);
  proto->writeFieldEnd();
  proto->writeFieldBegin("neg", lt::protocol::T_I16, -3);  // negative ids exist (implicit ids)
  proto->writeI16(32767);
  proto->writeFieldEnd();
  proto->writeFieldStop();
  proto->writeStructEnd();
  proto->writeMessageEnd();
  return buffer->getBufferAsString();
}

// The same calls on our writer.
template <typename P>
std::string WriteEverythingWithOurWriter() {
  std::string out;
  typename P::Writer w(out);
  w.WriteMessageBegin("emitBatch", ThriftMessageType::kOneway, 7);
  w.BeginStruct();
  w.WriteBoolField(1, true);
  w.WriteFieldBegin(2, ThriftType::kBool);  // the generic form must match WriteBoolField
  w.WriteBool(false);
  w.WriteI8Field(3, -7);
  w.WriteI16Field(4, -300);
  w.WriteI32Field(5, std::numeric_limits<int32_t>::min());
  w.WriteI64Field(6, std::numeric_limits<int64_t>::min());
  w.WriteI64Field(7, -4539648215598759935LL);
  w.WriteDoubleField(8, 0.25);
  w.WriteBinaryField(9, "żółw 🐢");
  w.WriteBinaryField(40, kLongString);
  w.WriteBinaryField(41, "");
  w.WriteFieldBegin(42, ThriftType::kStruct);
  w.BeginStruct();
  w.WriteI32Field(1, 12345);
  w.WriteBoolField(3, true);
  w.EndStruct();
  w.WriteFieldBegin(43, ThriftType::kList);
  w.WriteListBegin(ThriftType::kI64, 20);
  for (int64_t i = 0; i < 20; ++i) w.WriteI64(i * -1000);
  w.WriteFieldBegin(44, ThriftType::kList);
  w.WriteListBegin(ThriftType::kBool, 3);
  w.WriteBool(true);
  w.WriteBool(false);
  w.WriteBool(true);
  w.WriteFieldBegin(45, ThriftType::kSet);
  w.WriteSetBegin(ThriftType::kString, 2);
  w.WriteBinary("a");
  w.WriteBinary("b");
  w.WriteFieldBegin(46, ThriftType::kMap);
  w.WriteMapBegin(ThriftType::kString, ThriftType::kDouble, 2);
  w.WriteBinary("k1");
  w.WriteDouble(-1.5);
  w.WriteBinary("k2");
  w.WriteDouble(1e300);
  w.WriteFieldBegin(47, ThriftType::kMap);
  w.WriteMapBegin(ThriftType::kString, ThriftType::kString, 0);
  w.WriteFieldBegin(48, ThriftType::kList);
  w.WriteListBegin(ThriftType::kStruct, 0);
  w.WriteI32Field(10, -1);
  w.WriteI16Field(-3, 32767);
  w.EndStruct();
  return out;
}

template <typename Reader>
void ReadEverything(const std::string& bytes) {
  Reader r(bytes);
  ThriftMessageHeader header;
  REQUIRE(r.ReadMessageBegin(header));
  CHECK(header.name == "emitBatch");
  CHECK(header.type == ThriftMessageType::kOneway);
  CHECK(header.seq_id == 7);
  REQUIRE(r.BeginStruct());
  std::vector<int16_t> ids;
  while (r.NextField()) {
    ids.push_back(r.field_id());
    switch (r.field_id()) {
      case 1:
        CHECK(r.field_type() == ThriftType::kBool);
        CHECK(r.ReadBool() == true);
        break;
      case 2:
        CHECK(r.field_type() == ThriftType::kBool);
        CHECK(r.ReadBool() == false);
        break;
      case 3:
        CHECK(r.field_type() == ThriftType::kI8);
        CHECK(r.ReadI8() == -7);
        break;
      case 4:
        CHECK(r.field_type() == ThriftType::kI16);
        CHECK(r.ReadI16() == -300);
        break;
      case 5:
        CHECK(r.field_type() == ThriftType::kI32);
        CHECK(r.ReadI32() == std::numeric_limits<int32_t>::min());
        break;
      case 6:
        CHECK(r.field_type() == ThriftType::kI64);
        CHECK(r.ReadI64() == std::numeric_limits<int64_t>::min());
        break;
      case 7: CHECK(r.ReadI64() == -4539648215598759935LL); break;
      case 8:
        CHECK(r.field_type() == ThriftType::kDouble);
        CHECK(r.ReadDouble() == 0.25);
        break;
      case 9:
        CHECK(r.field_type() == ThriftType::kString);
        CHECK(r.ReadBinary() == "żółw 🐢");
        break;
      case 40: CHECK(r.ReadBinary() == kLongString); break;
      case 41: CHECK(r.ReadBinary().empty()); break;
      case 42: {
        CHECK(r.field_type() == ThriftType::kStruct);
        REQUIRE(r.BeginStruct());
        REQUIRE(r.NextField());
        CHECK(r.field_id() == 1);
        CHECK(r.ReadI32() == 12345);
        REQUIRE(r.NextField());
        CHECK(r.field_id() == 3);
        CHECK(r.ReadBool() == true);
        CHECK_FALSE(r.NextField());
        CHECK(r.ok());
        r.EndStruct();
        break;
      }
      case 43: {
        CHECK(r.field_type() == ThriftType::kList);
        ThriftListHeader list = r.ReadListBegin();
        CHECK(list.element_type == ThriftType::kI64);
        REQUIRE(list.size == 20);
        for (int64_t i = 0; i < 20; ++i) CHECK(r.ReadI64() == i * -1000);
        break;
      }
      case 44: {
        ThriftListHeader list = r.ReadListBegin();
        CHECK(list.element_type == ThriftType::kBool);
        REQUIRE(list.size == 3);
        CHECK(r.ReadBool() == true);
        CHECK(r.ReadBool() == false);
        CHECK(r.ReadBool() == true);
        break;
      }
      case 45: {
        CHECK(r.field_type() == ThriftType::kSet);
        ThriftListHeader set = r.ReadSetBegin();
        CHECK(set.element_type == ThriftType::kString);
        REQUIRE(set.size == 2);
        CHECK(r.ReadBinary() == "a");
        CHECK(r.ReadBinary() == "b");
        break;
      }
      case 46: {
        CHECK(r.field_type() == ThriftType::kMap);
        ThriftMapHeader map = r.ReadMapBegin();
        CHECK(map.key_type == ThriftType::kString);
        CHECK(map.value_type == ThriftType::kDouble);
        REQUIRE(map.size == 2);
        CHECK(r.ReadBinary() == "k1");
        CHECK(r.ReadDouble() == -1.5);
        CHECK(r.ReadBinary() == "k2");
        CHECK(r.ReadDouble() == 1e300);
        break;
      }
      case 47: CHECK(r.ReadMapBegin().size == 0); break;
      case 48: CHECK(r.ReadListBegin().size == 0); break;
      case 10:
        CHECK(r.field_type() == ThriftType::kI32);
        CHECK(r.ReadI32() == -1);
        break;
      case -3:
        CHECK(r.field_type() == ThriftType::kI16);
        CHECK(r.ReadI16() == 32767);
        break;
      default: FAIL("unexpected field id " << r.field_id());
    }
  }
  REQUIRE(r.ok());
  r.EndStruct();
  CHECK(r.at_end());
  CHECK(ids == std::vector<int16_t>{1,  2,  3,  4,  5,  6,  7,  8,  9,  40,
                                    41, 42, 43, 44, 45, 46, 47, 48, 10, -3});
}

}  // namespace

TEMPLATE_TEST_CASE("thrift reader reads every type libthrift writes", "[thrift][wire]", Binary,
                   Compact) {
  ReadEverything<typename TestType::Reader>(WriteEverythingWithLibthrift<TestType>());
}

TEMPLATE_TEST_CASE("thrift writer output is byte-identical to libthrift", "[thrift][wire]", Binary,
                   Compact) {
  std::string ours = WriteEverythingWithOurWriter<TestType>();
  CHECK(ours == WriteEverythingWithLibthrift<TestType>());
  ReadEverything<typename TestType::Reader>(ours);
}

TEMPLATE_TEST_CASE("thrift writer output reads back with libthrift", "[thrift][wire]", Binary,
                   Compact) {
  std::string ours = WriteEverythingWithOurWriter<TestType>();
  auto buffer = std::make_shared<lt::transport::TMemoryBuffer>(
      reinterpret_cast<uint8_t*>(ours.data()), static_cast<uint32_t>(ours.size()));
  auto proto = TestType::Make(buffer);
  std::string name;
  lt::protocol::TMessageType type;
  int32_t seq_id = 0;
  proto->readMessageBegin(name, type, seq_id);
  CHECK(name == "emitBatch");
  CHECK(type == lt::protocol::T_ONEWAY);
  CHECK(seq_id == 7);
  // libthrift's generic skip walks the whole struct: every header and length must be right.
  proto->skip(lt::protocol::T_STRUCT);
  CHECK(buffer->available_read() == 0);
}

TEMPLATE_TEST_CASE("thrift reader skips every type", "[thrift][wire]", Binary, Compact) {
  std::string bytes = WriteEverythingWithLibthrift<TestType>();
  typename TestType::Reader r(bytes);
  ThriftMessageHeader header;
  REQUIRE(r.ReadMessageBegin(header));
  r.Skip(ThriftType::kStruct);
  CHECK(r.ok());
  CHECK(r.at_end());
}

TEST_CASE("thrift binary reader accepts the old non-strict message header", "[thrift][wire]") {
  auto buffer = std::make_shared<lt::transport::TMemoryBuffer>();
  lt::protocol::TBinaryProtocol proto(buffer, 0, 0, /*strict_read=*/false, /*strict_write=*/false);
  proto.writeMessageBegin("emitZipkinBatch", lt::protocol::T_CALL, -5);
  proto.writeStructBegin("args");
  proto.writeFieldStop();
  proto.writeStructEnd();
  std::string bytes = buffer->getBufferAsString();
  REQUIRE(bytes[0] == 0);  // name length first: no version word
  ThriftBinaryReader r(bytes);
  ThriftMessageHeader header;
  REQUIRE(r.ReadMessageBegin(header));
  CHECK(header.name == "emitZipkinBatch");
  CHECK(header.type == ThriftMessageType::kCall);
  CHECK(header.seq_id == -5);
  r.Skip(ThriftType::kStruct);
  CHECK(r.ok());
  CHECK(r.at_end());
}

TEST_CASE("thrift compact message header carries a negative seqid as a plain varint",
          "[thrift][wire]") {
  auto buffer = std::make_shared<lt::transport::TMemoryBuffer>();
  lt::protocol::TCompactProtocol proto(buffer);
  proto.writeMessageBegin("m", lt::protocol::T_CALL, -2);
  std::string theirs = buffer->getBufferAsString();
  std::string ours;
  ThriftCompactWriter(ours).WriteMessageBegin("m", ThriftMessageType::kCall, -2);
  CHECK(ours == theirs);
  ThriftCompactReader r(ours);
  ThriftMessageHeader header;
  REQUIRE(r.ReadMessageBegin(header));
  CHECK(header.seq_id == -2);
  CHECK(header.name == "m");
}

TEMPLATE_TEST_CASE("thrift reader fails cleanly on every truncation", "[thrift][wire]", Binary,
                   Compact) {
  std::string bytes = WriteEverythingWithLibthrift<TestType>();
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string prefix = bytes.substr(0, n);  // own buffer, so ASan sees any over-read
    typename TestType::Reader r(prefix);
    ThriftMessageHeader header;
    if (r.ReadMessageBegin(header)) r.Skip(ThriftType::kStruct);
    INFO("prefix length " << n);
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.status().ok());
    CHECK(r.status().message().rfind("byte ", 0) == 0);
  }
}

TEST_CASE("thrift reader rejects lying sizes and bad headers", "[thrift][wire]") {
  auto expect_failure = [](auto reader, auto&& read, std::string_view message) {
    read(reader);
    CHECK_FALSE(reader.ok());
    CHECK(reader.status().message().find(message) != std::string::npos);
  };
  // Binary list of 1,000,000 i64 in 10 bytes.
  expect_failure(
      ThriftBinaryReader(std::string_view("\x0a\x00\x0f\x42\x40\x00\x00\x00\x00\x00", 10)),
      [](auto& r) { r.ReadListBegin(); }, "container size exceeds");
  // Binary negative list size and string length.
  expect_failure(
      ThriftBinaryReader(std::string_view("\x0a\xff\xff\xff\xff", 5)),
      [](auto& r) { r.ReadListBegin(); }, "negative container size");
  expect_failure(
      ThriftBinaryReader(std::string_view("\xff\xff\xff\xfe", 4)), [](auto& r) { r.ReadBinary(); },
      "negative string length");
  // String longer than the input.
  expect_failure(
      ThriftBinaryReader(std::string_view("\x00\x00\x00\x05"
                                          "abc",
                                          7)),
      [](auto& r) { r.ReadBinary(); }, "string length runs past");
  expect_failure(
      ThriftCompactReader(std::string_view("\x05"
                                           "abc",
                                           4)),
      [](auto& r) { r.ReadBinary(); }, "string length runs past");
  // Compact list: long form with a huge varint size; map of 100 entries in 3 bytes.
  expect_failure(
      ThriftCompactReader(std::string_view("\xf6\xff\xff\xff\xff\x07", 6)),
      [](auto& r) { r.ReadListBegin(); }, "container size exceeds");
  expect_failure(
      ThriftCompactReader(std::string_view("\xf6\xff\xff\xff\xff\x0f", 6)),
      [](auto& r) { r.ReadListBegin(); }, "negative container size");
  expect_failure(
      ThriftCompactReader(std::string_view("\x64\x88\x01", 3)), [](auto& r) { r.ReadMapBegin(); },
      "container size exceeds");
  // Doubles take 8 bytes each in compact: 3 doubles cannot fit in 16 bytes.
  expect_failure(
      ThriftCompactReader(std::string_view("\x37"
                                           "0123456789abcdef",
                                           17)),
      [](auto& r) { r.ReadListBegin(); }, "container size exceeds");
  // Invalid element and field types.
  expect_failure(
      ThriftCompactReader(std::string_view("\x1e\x00", 2)), [](auto& r) { r.ReadListBegin(); },
      "invalid container element type");
  expect_failure(
      ThriftBinaryReader(std::string_view("\x07\x00\x00\x00\x01\x00", 6)),
      [](auto& r) { r.ReadListBegin(); }, "invalid container element type");
  expect_failure(
      ThriftBinaryReader(std::string_view("\x05\x00\x01", 3)), [](auto& r) { r.NextField(); },
      "invalid field type");
  expect_failure(
      ThriftCompactReader(std::string_view("\x1e", 1)), [](auto& r) { r.NextField(); },
      "invalid field type");
  // Struct without STOP.
  expect_failure(
      ThriftCompactReader(std::string_view("\x15\x02", 2)),
      [](auto& r) { r.Skip(ThriftType::kStruct); }, "missing STOP");
  // Varint of 11 bytes.
  expect_failure(
      ThriftCompactReader(std::string_view("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11)),
      [](auto& r) { r.ReadI64(); }, "varint longer than 10 bytes");
  expect_failure(
      ThriftCompactReader(std::string_view("\xff\xff", 2)), [](auto& r) { r.ReadI64(); },
      "truncated varint");
  // Message headers: wrong version, wrong protocol id, invalid type.
  ThriftMessageHeader header;
  expect_failure(
      ThriftBinaryReader(std::string_view("\x80\x02\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00", 12)),
      [&](auto& r) { r.ReadMessageBegin(header); }, "bad binary protocol version");
  expect_failure(
      ThriftBinaryReader(std::string_view("\x80\x01\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00", 12)),
      [&](auto& r) { r.ReadMessageBegin(header); }, "invalid message type");
  expect_failure(
      ThriftCompactReader(std::string_view("\x80\x21\x00\x00", 4)),
      [&](auto& r) { r.ReadMessageBegin(header); }, "bad compact protocol id");
  expect_failure(
      ThriftCompactReader(std::string_view("\x82\x22\x00\x00", 4)),
      [&](auto& r) { r.ReadMessageBegin(header); }, "bad compact protocol version");
  expect_failure(
      ThriftCompactReader(std::string_view("\x82\xe1\x00\x00", 4)),
      [&](auto& r) { r.ReadMessageBegin(header); }, "invalid message type");
}

TEMPLATE_TEST_CASE("thrift reader errors are sticky", "[thrift][wire]", Binary, Compact) {
  typename TestType::Reader r(std::string_view("\x01", 1));
  r.ReadDouble();  // 8 bytes needed: fails
  REQUIRE_FALSE(r.ok());
  size_t error_offset = r.offset();
  CHECK(r.ReadI64() == 0);
  CHECK(r.ReadBinary().empty());
  CHECK_FALSE(r.NextField());
  CHECK(r.ReadListBegin().size == 0);
  CHECK(r.offset() == error_offset);
  CHECK(r.status().message() == "byte 0: value runs past the end of the input");
}

TEMPLATE_TEST_CASE("thrift reader limits nesting depth", "[thrift][wire]", Binary, Compact) {
  // Structs nested 1000 deep: field 1 of type struct, over and over.
  std::string deep;
  typename TestType::Writer w(deep);
  for (int i = 0; i < 1000; ++i) {
    w.BeginStruct();
    w.WriteFieldBegin(1, ThriftType::kStruct);
  }
  for (int i = 0; i < 1001; ++i) deep.push_back('\0');
  typename TestType::Reader r(deep);
  r.Skip(ThriftType::kStruct);
  CHECK_FALSE(r.ok());
  CHECK(r.status().message().find("nested too deeply") != std::string::npos);

  // Lists of lists, 1000 deep.
  std::string lists;
  typename TestType::Writer lw(lists);
  for (int i = 0; i < 1000; ++i) lw.WriteListBegin(ThriftType::kList, 1);
  lw.WriteListBegin(ThriftType::kI32, 0);
  typename TestType::Reader lr(lists);
  lr.Skip(ThriftType::kList);
  CHECK_FALSE(lr.ok());
  CHECK(lr.status().message().find("nested too deeply") != std::string::npos);

  // Exactly the budget is fine.
  std::string ok_depth;
  typename TestType::Writer ow(ok_depth);
  for (int i = 0; i < kMaxThriftDepth - 1; ++i) {
    ow.BeginStruct();
    ow.WriteFieldBegin(1, ThriftType::kStruct);
  }
  ow.BeginStruct();
  for (int i = 0; i < kMaxThriftDepth; ++i) ow.EndStruct();
  typename TestType::Reader okr(ok_depth);
  okr.Skip(ThriftType::kStruct);
  CHECK(okr.ok());
  CHECK(okr.at_end());
}

TEST_CASE("thrift compact reader accepts bool list element type 1 and 2", "[thrift][wire]") {
  for (char type : {'\x21', '\x22'}) {
    std::string bytes{type, '\x01', '\x02'};
    ThriftCompactReader r(bytes);
    ThriftListHeader list = r.ReadListBegin();
    CHECK(list.element_type == ThriftType::kBool);
    CHECK(list.size == 2);
    CHECK(r.ReadBool() == true);
    CHECK(r.ReadBool() == false);
    CHECK(r.at_end());
  }
}

TEST_CASE("thrift compact double is little-endian, binary double big-endian", "[thrift][wire]") {
  std::string compact;
  ThriftCompactWriter(compact).WriteDouble(1.0);
  CHECK(compact == std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8));
  std::string binary;
  ThriftBinaryWriter(binary).WriteDouble(1.0);
  CHECK(binary == std::string("\x3f\xf0\x00\x00\x00\x00\x00\x00", 8));
  CHECK(ThriftCompactReader(compact).ReadDouble() == 1.0);
  CHECK(ThriftBinaryReader(binary).ReadDouble() == 1.0);
  std::string nan;
  ThriftCompactWriter(nan).WriteDouble(std::numeric_limits<double>::quiet_NaN());
  CHECK(std::isnan(ThriftCompactReader(nan).ReadDouble()));
}

TEST_CASE("thrift reader skips uuid values (Thrift 0.19+ type 16 / compact 13)", "[thrift][wire]") {
  std::string compact(
      "\x1d"
      "0123456789abcdef\x00",
      18);
  ThriftCompactReader cr(compact);
  cr.Skip(ThriftType::kStruct);
  CHECK(cr.ok());
  CHECK(cr.at_end());
  std::string binary(
      "\x10\x00\x01"
      "0123456789abcdef\x00",
      20);
  ThriftBinaryReader br(binary);
  br.Skip(ThriftType::kStruct);
  CHECK(br.ok());
  CHECK(br.at_end());
}

TEMPLATE_TEST_CASE("thrift reader survives random bytes", "[thrift][wire]", Binary, Compact) {
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(static_cast<size_t>(round % 97), '\0');
    for (char& c : bytes) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      c = static_cast<char>(state);
    }
    typename TestType::Reader r(bytes);
    ThriftMessageHeader header;
    if (round % 2 == 0) r.ReadMessageBegin(header);
    r.Skip(ThriftType::kStruct);
    CHECK(r.offset() <= bytes.size());
  }
}

TEST_CASE("thrift type names", "[thrift][wire]") {
  using ariadne::tracecore::wire::ThriftTypeName;
  CHECK(ThriftTypeName(ThriftType::kI64) == "i64");
  CHECK(ThriftTypeName(ThriftType::kString) == "string");
  CHECK(ThriftTypeName(ThriftType::kStruct) == "struct");
  CHECK(ThriftTypeName(static_cast<ThriftType>(7)) == "invalid");
}
