// Trace and span identifiers and their text and byte forms.
//
// Text rules (Jaeger's, which every format we speak accepts):
//   - output is lower-case hex; a span id is always 16 chars; a trace id is 16 chars when its high
//     half is zero and 32 chars otherwise (ToJaegerHex), or always 32 chars (ToHex, OTLP's form);
//   - input is 1..32 hex chars, either case, leading zeros optional; for a trace id the last 16
//     chars are the low half and any before them the high half.
// Byte rules: a trace id is 16 bytes big-endian (high then low); 8 bytes means the low half only.
// A span id is exactly 8 bytes big-endian. The all-zero id is "absent".
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ariadne::tracecore {

struct TraceId {
  uint64_t high = 0;
  uint64_t low = 0;

  bool empty() const { return high == 0 && low == 0; }
  auto operator<=>(const TraceId&) const = default;

  // 32 lower-case hex chars.
  std::string ToHex() const;
  // 16 chars when high == 0, else 32 (Jaeger's v1 text form).
  std::string ToJaegerHex() const;
  // Parses 1..32 hex chars; nullopt for anything else (including the empty string).
  static std::optional<TraceId> FromHex(std::string_view text);
  // Parses 16 bytes (high, low) or 8 bytes (low); nullopt for other lengths.
  static std::optional<TraceId> FromBytes(std::string_view bytes);
  // Writes 16 big-endian bytes into out[0..16).
  void ToBytes(char out[16]) const;
};

struct SpanId {
  uint64_t value = 0;

  bool empty() const { return value == 0; }
  auto operator<=>(const SpanId&) const = default;

  std::string ToHex() const;  // 16 lower-case hex chars
  static std::optional<SpanId> FromHex(std::string_view text);
  static std::optional<SpanId> FromBytes(std::string_view bytes);  // exactly 8 bytes
  void ToBytes(char out[8]) const;
};

// Appends `value` as 16 lower-case hex chars.
void AppendHex64(uint64_t value, std::string& out);
// Parses 1..16 hex chars into a uint64; nullopt on any other input.
std::optional<uint64_t> ParseHex64(std::string_view text);

uint64_t LoadBigEndian64(const char* bytes);
void StoreBigEndian64(uint64_t value, char* out);

}  // namespace ariadne::tracecore
