// Appending JSON text whose shape the caller knows (punctuation and member names given as
// literals) to a std::string. Internal to libtracecore.
//
// Why not JsonWriter (RapidJSON) here: an encoder that writes fixed shapes gains nothing from
// RapidJSON's per-value bookkeeping (a level stack, a comma decision and a type check per value),
// and that bookkeeping was a large part of rendering. Measured on a query_bench trace (1,000
// spans, 1.6 MB of Jaeger UI JSON), the UI codec rendered it in about 3.1 ms through JsonWriter
// and jaeger::SpanView, and in about 1.4 ms with this class writing straight from the model (same
// machine, alternating runs). Only the common pieces are hand-written: text that needs no
// escaping, integers, floating-point numbers (JsonWriter's own formatter) and hex ids; strings
// that need escaping or UTF-8 repair still go through a JsonWriter, so every value comes out
// byte for byte as JsonWriter writes it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "json_writer.h"

namespace ariadne::tracecore::json {

// Contract:
// - The caller writes well-formed JSON: Raw takes punctuation, member names with their quotes and
//   already-rendered values as they are; the value functions write one complete value each.
// - Text is collected in a small buffer; `out` receives it on Flush (and whenever the buffer
//   fills). `out` must outlive the appender's use and receive nothing else between Reset and
//   Flush. Read `out` only after Flush.
// - One thread at a time; reuse one appender across calls (Reset keeps its buffers).
class JsonAppender {
 public:
  JsonAppender() = default;
  JsonAppender(const JsonAppender&) = delete;
  JsonAppender& operator=(const JsonAppender&) = delete;

  // Appends to `out` from now on; text not yet flushed to an earlier output is discarded.
  void Reset(std::string& out) {
    out_ = &out;
    used_ = 0;
  }
  // Moves the buffered text to the end of `out`.
  void Flush() {
    out_->append(buffer_, used_);
    used_ = 0;
  }

  // JSON text as it is.
  void Raw(std::string_view text) {
    if (text.size() <= kBufferBytes - used_) {
      std::memcpy(buffer_ + used_, text.data(), text.size());
      used_ += text.size();
    } else {
      AppendLong(text);
    }
  }
  void Raw(char c) {
    if (used_ == kBufferBytes) Flush();
    buffer_[used_++] = c;
  }

  // A JSON string of `text`, the same bytes as JsonWriter::String writes.
  void String(std::string_view text) {
    if (IsPlainText(text)) {
      Raw('"');
      Raw(text);
      Raw('"');
    } else {
      EscapedString(text);
    }
  }
  // A JSON string of the standard base64 (padded) of `bytes`.
  void Base64String(std::string_view bytes);

  // Decimal integers, as JsonWriter::Int64 / Uint64 write them.
  void Int64(int64_t value);
  void Uint64(uint64_t value);
  // As JsonWriter::Double(value, non_finite, FloatForm::kShortest) writes it.
  void Double(double value, NonFiniteStyle non_finite);
  // 16 lower-case hex digits (no quotes).
  void Hex64(uint64_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    char* text = Room(16);
    for (int i = 15; i >= 0; --i) {
      text[i] = kDigits[value & 0xF];
      value >>= 4;
    }
  }

 private:
  static constexpr size_t kBufferBytes = 8192;

  // `bytes` (at most kBufferBytes) free bytes at the end of the buffer, counted as written.
  char* Room(size_t bytes) {
    if (bytes > kBufferBytes - used_) Flush();
    char* at = buffer_ + used_;
    used_ += bytes;
    return at;
  }
  // Raw for text that does not fit the buffer's free room.
  void AppendLong(std::string_view text);
  // String for text that is not plain: written by JsonWriter.
  void EscapedString(std::string_view text);
  // Appends what `scratch_` holds after JsonWriter wrote one value into it.
  void AppendScratch();

  std::string* out_ = nullptr;
  size_t used_ = 0;
  char buffer_[kBufferBytes];  // NOLINT(*-avoid-c-arrays): text not yet appended to out_
  JsonWriter writer_;          // for the values written through JsonWriter, into scratch_
  std::string scratch_;
};

}  // namespace ariadne::tracecore::json
