// Text helpers shared by the codecs: base64, hex, UTF-8 validation and repair.
#pragma once

#include <cstdint>
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

bool IsValidUtf8(std::string_view text);
// Appends `text` with each byte that does not begin a valid UTF-8 sequence (including overlong
// forms, surrogates and truncated sequences) replaced by U+FFFD, as Go's encoding/json does.
void AppendValidUtf8(std::string_view text, std::string& out);

}  // namespace ariadne::tracecore
