#include "tracecore/ids.h"

namespace ariadne::tracecore {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void AppendHex64(uint64_t value, std::string& out) {
  char text[16];
  for (int i = 15; i >= 0; --i) {
    text[i] = kHexDigits[value & 0xF];
    value >>= 4;
  }
  out.append(text, 16);
}

std::optional<uint64_t> ParseHex64(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    int digit = HexDigitValue(c);
    if (digit < 0) return std::nullopt;
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  return value;
}

uint64_t LoadBigEndian64(const char* bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

void StoreBigEndian64(uint64_t value, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
}

std::string TraceId::ToHex() const {
  std::string out;
  out.reserve(32);
  AppendHex64(high, out);
  AppendHex64(low, out);
  return out;
}

std::string TraceId::ToJaegerHex() const {
  std::string out;
  out.reserve(32);
  if (high != 0) AppendHex64(high, out);
  AppendHex64(low, out);
  return out;
}

std::optional<TraceId> TraceId::FromHex(std::string_view text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  TraceId id;
  if (text.size() > 16) {
    auto high = ParseHex64(text.substr(0, text.size() - 16));
    if (!high) return std::nullopt;
    id.high = *high;
    text.remove_prefix(text.size() - 16);
  }
  auto low = ParseHex64(text);
  if (!low) return std::nullopt;
  id.low = *low;
  return id;
}

std::optional<TraceId> TraceId::FromBytes(std::string_view bytes) {
  if (bytes.size() == 16)
    return TraceId{LoadBigEndian64(bytes.data()), LoadBigEndian64(bytes.data() + 8)};
  if (bytes.size() == 8) return TraceId{0, LoadBigEndian64(bytes.data())};
  return std::nullopt;
}

void TraceId::ToBytes(char out[16]) const {
  StoreBigEndian64(high, out);
  StoreBigEndian64(low, out + 8);
}

std::string SpanId::ToHex() const {
  std::string out;
  out.reserve(16);
  AppendHex64(value, out);
  return out;
}

std::optional<SpanId> SpanId::FromHex(std::string_view text) {
  auto value = ParseHex64(text);
  if (!value) return std::nullopt;
  return SpanId{*value};
}

std::optional<SpanId> SpanId::FromBytes(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  return SpanId{LoadBigEndian64(bytes.data())};
}

void SpanId::ToBytes(char out[8]) const {
  StoreBigEndian64(value, out);
}

}  // namespace ariadne::tracecore
