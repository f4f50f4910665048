#include "tracecore/ids.h"

#include <catch2/catch.hpp>

namespace ariadne::tracecore {
namespace {

TEST_CASE("trace id text input") {
  CHECK(TraceId::FromHex("1") == TraceId{0, 1});
  CHECK(TraceId::FromHex("0000000000000001") == TraceId{0, 1});
  CHECK(TraceId::FromHex("ABCDEF") == TraceId{0, 0xabcdef});
  CHECK(TraceId::FromHex("a1b2c3d4e5f607180000000000000001") == TraceId{0xa1b2c3d4e5f60718ULL, 1});
  CHECK(TraceId::FromHex("10000000000000002") == TraceId{1, 2});  // 17 chars: high is "1"
  CHECK_FALSE(TraceId::FromHex(""));
  CHECK_FALSE(TraceId::FromHex("g"));
  CHECK_FALSE(TraceId::FromHex("0x12"));
  CHECK_FALSE(TraceId::FromHex(std::string(33, 'a')));
}

TEST_CASE("trace id text output") {
  CHECK(TraceId{0, 1}.ToHex() == "00000000000000000000000000000001");
  CHECK(TraceId{0, 1}.ToJaegerHex() == "0000000000000001");
  CHECK(TraceId{0xa1b2c3d4e5f60718ULL, 1}.ToJaegerHex() == "a1b2c3d4e5f607180000000000000001");
  CHECK(TraceId{0xABULL, 0}.ToHex() == "00000000000000ab0000000000000000");
}

TEST_CASE("span id text") {
  CHECK(SpanId{0xc0ffee}.ToHex() == "0000000000c0ffee");
  CHECK(SpanId::FromHex("C0FFEE0000000001") == SpanId{0xc0ffee0000000001ULL});
  CHECK(SpanId::FromHex("7") == SpanId{7});
  CHECK_FALSE(SpanId::FromHex("00000000000000001"));
  CHECK_FALSE(SpanId::FromHex("xyz"));
}

TEST_CASE("id bytes") {
  char bytes[16];
  TraceId{0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL}.ToBytes(bytes);
  CHECK(std::string_view(bytes, 16) ==
        "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10");
  CHECK(TraceId::FromBytes(std::string_view(bytes, 16)) ==
        TraceId{0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL});
  CHECK(TraceId::FromBytes(std::string_view(bytes, 8)) == TraceId{0, 0x0102030405060708ULL});
  CHECK_FALSE(TraceId::FromBytes(std::string_view(bytes, 12)));
  char span[8];
  SpanId{0xabcdef0123456789ULL}.ToBytes(span);
  CHECK(SpanId::FromBytes(std::string_view(span, 8)) == SpanId{0xabcdef0123456789ULL});
  CHECK_FALSE(SpanId::FromBytes(std::string_view(span, 7)));
}

}  // namespace
}  // namespace ariadne::tracecore
