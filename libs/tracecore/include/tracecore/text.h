// Text helpers shared by the codecs: base64, hex, UTF-8 validation and repair.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ariadne::tracecore {

// Standard base64 with padding (Go's encoding/base64.StdEncoding, used for Jaeger binary tags).
void AppendBase64(std::string_view bytes, std::string& out);
// Decodes standard or URL-safe base64, padded or not. False on any invalid character or length.
bool DecodeBase64(std::string_view text, std::string& out);

// Lower-case hex of every byte (Jaeger's Elasticsearch form of binary values).
void AppendHexBytes(std::string_view bytes, std::string& out);
// Decodes an even number of hex chars; false otherwise.
bool DecodeHexBytes(std::string_view text, std::string& out);

namespace text_internal {
bool IsValidUtf8NotAscii(std::string_view text);  // simdjson's validator
}  // namespace text_internal

// True when `text` is valid UTF-8. ASCII, what nearly every key, name and value of a span is, is
// recognised inline 8 bytes at a time: for such short strings that is several times faster than
// calling simdjson's validator (query: the OTLP decoder; collector: the sanitizer, where the
// validator's calls were 8% of the CPU of Jaeger gRPC ingest).
inline bool IsValidUtf8(std::string_view text) {
  uint64_t high_bits = 0;
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, text.data() + i, 8);
    high_bits |= chunk;
  }
  for (; i < text.size(); ++i) high_bits |= static_cast<unsigned char>(text[i]);
  return (high_bits & 0x8080808080808080ULL) == 0 || text_internal::IsValidUtf8NotAscii(text);
}
// Appends `text` with each byte that does not begin a valid UTF-8 sequence (including overlong
// forms, surrogates and truncated sequences) replaced by U+FFFD, as Go's encoding/json does.
void AppendValidUtf8(std::string_view text, std::string& out);

}  // namespace ariadne::tracecore
