#include "json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "tracecore/text.h"

namespace ariadne::tracecore::json {
namespace {

rapidjson::SizeType SizeOf(std::string_view text) {
  return static_cast<rapidjson::SizeType>(text.size());
}

// True when `text` holds a byte JSON strings must escape: a control character, '"' or '\\'.
bool NeedsEscape(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') return true;
  }
  return false;
}

}  // namespace

std::string_view NonFiniteName(double value, NonFiniteStyle style) {
  if (std::isnan(value)) return "NaN";
  bool js = style == NonFiniteStyle::kJavaScript;
  if (value > 0) return js ? "Infinity" : "+Inf";
  return js ? "-Infinity" : "-Inf";
}

size_t FormatGoFloat(double value, FloatForm form, char (&text)[40]) {
  double magnitude = std::fabs(value);
  bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  auto result = std::to_chars(text, text + sizeof(text) - 2, value,
                              exponent ? std::chars_format::scientific : std::chars_format::fixed);
  size_t length = static_cast<size_t>(result.ptr - text);
  // "1e-07" -> "1e-7": Go trims the leading zero of a negative two-digit exponent.
  if (exponent && length >= 4 && text[length - 4] == 'e' && text[length - 3] == '-' &&
      text[length - 2] == '0') {
    text[length - 2] = text[length - 1];
    --length;
  }
  if (form == FloatForm::kKeepFraction && !exponent && std::memchr(text, '.', length) == nullptr) {
    text[length++] = '.';
    text[length++] = '0';
  }
  return length;
}

#if defined(__SSE2__)
namespace {

// A bit per byte of `bytes` that is below 0x20 or from 0x80 up (as signed bytes, both compare less
// than 0x20), '"' or '\\'.
unsigned SpecialBytes(__m128i bytes) {
  const __m128i special = _mm_or_si128(_mm_cmplt_epi8(bytes, _mm_set1_epi8(0x20)),
                                       _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(special));
}

}  // namespace

// Sixteen bytes at a time. Most tag keys and values are plain; checking this first spares them
// the UTF-8 validator's dispatch and a second pass for escapes (query_bench: a fifth of rendering
// a 1,000-span trace went to the byte loop this replaced). Reads up to 15 bytes past the end of
// `text` within the same page (see below), so it is exempt from AddressSanitizer, which cannot
// tell that from an overflow.
__attribute__((no_sanitize("address"))) bool IsPlainText(std::string_view text) {
  size_t i = 0;
  for (; i + 16 <= text.size(); i += 16) {
    if (SpecialBytes(_mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i))) != 0) {
      return false;
    }
  }
  const size_t rest = text.size() - i;
  if (rest == 0) return true;
  // The last few bytes (all of a short key). A 16-byte load that stays within the page of its
  // first byte cannot fault, so it may read past the text; the bytes beyond it are masked off.
  // Copying them to a padded buffer instead cost a store-forwarding stall on every short string.
  const char* last = text.data() + i;
  constexpr uintptr_t kPageBytes = 4096;
  if ((reinterpret_cast<uintptr_t>(last) % kPageBytes) <= kPageBytes - 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(last));
    return (SpecialBytes(bytes) & ((1U << rest) - 1)) == 0;
  }
  alignas(16) char tail[16];
  std::memset(tail, 'a', sizeof(tail));
  std::memcpy(tail, last, rest);
  return SpecialBytes(_mm_load_si128(reinterpret_cast<const __m128i*>(tail))) == 0;
}
#else
bool IsPlainText(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x80 || byte == '"' || byte == '\\') return false;
  }
  return true;
}
#endif

JsonWriter::JsonWriter() : writer_(output_) {}

JsonWriter::JsonWriter(std::string& out) : writer_(output_) {
  output_.Reset(out);
}

void JsonWriter::Reset(std::string& out) {
  output_.Reset(out);
  writer_.Reset(output_);
}

std::string_view JsonWriter::ValidUtf8(std::string_view text) {
  if (IsValidUtf8(text)) return text;
  valid_.clear();
  AppendValidUtf8(text, valid_);
  return valid_;
}

void JsonWriter::WriteString(std::string_view text) {
  if (NeedsEscape(text)) {
    writer_.String(text.data(), SizeOf(text));
  } else {
    writer_.PlainString(text);
  }
}

void JsonWriter::Key(std::string_view key) {
  String(key);
}

void JsonWriter::String(std::string_view text) {
  if (IsPlainText(text)) {
    writer_.PlainString(text);
  } else {
    WriteString(ValidUtf8(text));
  }
}

void JsonWriter::Int64String(int64_t value) {
  char text[24];
  auto result = std::to_chars(text, text + sizeof(text), value);
  writer_.PlainString(std::string_view(text, static_cast<size_t>(result.ptr - text)));
}

void JsonWriter::Uint64String(uint64_t value) {
  char text[24];
  auto result = std::to_chars(text, text + sizeof(text), value);
  writer_.PlainString(std::string_view(text, static_cast<size_t>(result.ptr - text)));
}

void JsonWriter::Double(double value, NonFiniteStyle non_finite, FloatForm form) {
  if (!std::isfinite(value)) {
    std::string_view name = NonFiniteName(value, non_finite);
    writer_.String(name.data(), SizeOf(name));
    return;
  }
  char text[40];
  size_t length = FormatGoFloat(value, form, text);
  writer_.BulkRawValue(std::string_view(text, length), rapidjson::kNumberType);
}

void JsonWriter::RawValue(std::string_view json) {
  writer_.BulkRawValue(json, rapidjson::kObjectType);
}

}  // namespace ariadne::tracecore::json
