// Writing JSON text for the codecs: RapidJSON's Writer appending straight into the caller's
// std::string. Internal to libtracecore.
//
// RapidJSON 1.1's internal stack adds 0 to a null pointer on its first push (undefined behaviour
// that UBSan reports; fixed upstream after 1.1). Its functions are exempted from that one check
// here, the one place that includes the Writer.
#pragma once

#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("pointer-overflow"))), apply_to = function)
#endif
#include <rapidjson/writer.h>
#if defined(__clang__)
#pragma clang attribute pop
#endif

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

namespace ariadne::tracecore::json {

// How Double writes the values a JSON number cannot hold, as a string of the format's choosing.
enum class NonFiniteStyle {
  kJavaScript,  // "NaN", "Infinity", "-Infinity": proto3 JSON (OTLP), the Jaeger UI
  kGo,          // "NaN", "+Inf", "-Inf": Go's strconv, as Jaeger's Elasticsearch documents hold
};

// Whether Double keeps an integral value visibly a float.
enum class FloatForm {
  kShortest,      // 2 -> "2", as Go's encoding/json writes it
  kKeepFraction,  // 2 -> "2.0", for readers that type a number by its JSON form
};

// True when every byte of `text` is printable ASCII other than '"' and '\\': text that goes into
// a JSON string exactly as it is.
bool IsPlainText(std::string_view text);

// The pieces of JsonWriter::Double, for writers that place numbers themselves:
// the string naming a non-finite `value` in `style`,
std::string_view NonFiniteName(double value, NonFiniteStyle style);
// and the number text of a finite `value` as Go's encoding/json writes it (see JsonWriter's
// contract) into `text`; returns its length.
size_t FormatGoFloat(double value, FloatForm form, char (&text)[40]);

// Writes one JSON value (a root object, array or scalar) by appending to a std::string.
//
// Contract:
// - Calls must form one well-formed value: Key only directly inside an object and before each
//   member's value; every Start has its End. The writer places commas and colons; the output is
//   compact (no whitespace).
// - String and Key take any bytes: control characters, '"' and '\\' are escaped (\u plus four
//   upper-case hex digits for the controls without a short escape), and each byte that does not
//   begin a valid UTF-8 sequence becomes U+FFFD, as Go's encoding/json does; so the output is
//   always valid UTF-8 JSON.
// - Numbers: Int64/Uint64 in decimal; Double as Go's encoding/json writes a float64 (the shortest
//   text that reads back to the same value; fixed notation for magnitudes in [1e-6, 1e21), else
//   exponent form such as "1e-7" or "1e+21"), non-finite values as the style's strings.
// - The writer owns no output: `out` must outlive it (or the next Reset). Text reaches `out` in
//   pieces and is complete once the root value is (its last End, or the scalar): read `out` then.
class JsonWriter {
 public:
  // A writer with no output yet; call Reset before writing.
  JsonWriter();
  explicit JsonWriter(std::string& out);
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  // Starts a new value appended to `out`, keeping the buffers of earlier use.
  void Reset(std::string& out);

  void StartObject() { writer_.StartObject(); }
  void EndObject() { writer_.EndObject(); }
  void StartArray() { writer_.StartArray(); }
  void EndArray() { writer_.EndArray(); }

  void Key(std::string_view key);
  void String(std::string_view text);
  // A string whose text `fill(std::string&)` appends to an empty buffer the writer reuses (hex
  // ids, base64, a number in quotes), so that no temporary string is allocated per value.
  template <typename Fill>
  void StringFrom(Fill&& fill) {
    built_.clear();
    fill(built_);
    String(built_);
  }
  // The decimal text of an integer as a JSON string (proto3 JSON's 64-bit integers; integers
  // beyond what a JavaScript number holds exactly).
  void Int64String(int64_t value);
  void Uint64String(uint64_t value);

  void Int64(int64_t value) { writer_.Int64(value); }
  void Uint64(uint64_t value) { writer_.Uint64(value); }
  void Double(double value, NonFiniteStyle non_finite, FloatForm form = FloatForm::kShortest);
  void Bool(bool value) { writer_.Bool(value); }
  void Null() { writer_.Null(); }
  // Text that is already one complete JSON value (e.g. rendered earlier by another JsonWriter),
  // copied as it is.
  void RawValue(std::string_view json);
  // The same for a value given as consecutive pieces of its text.
  void RawValueOf(std::initializer_list<std::string_view> pieces) {
    writer_.BulkRawValue(pieces, rapidjson::kObjectType);
  }

 private:
  // RapidJSON output stream appending to a std::string through a small buffer. RapidJSON puts
  // punctuation one character at a time, and std::string's push_back is an out-of-line call
  // (libstdc++ instantiates the class explicitly): query_bench measured it at 8% of rendering a
  // 1,000-span trace before this buffer. RapidJSON flushes when a root value ends, so `out_` holds
  // every complete value.
  class StringOutput {
   public:
    using Ch = char;
    void Put(char c) {
      if (used_ == kBufferBytes) Flush();
      buffer_[used_++] = c;
    }
    void Append(std::string_view text) {
      if (text.empty()) return;  // its data() may be null, which memcpy must not see
      if (text.size() > kBufferBytes - used_) {
        Flush();
        if (text.size() > kBufferBytes) {
          out_->append(text);
          return;
        }
      }
      std::memcpy(buffer_ + used_, text.data(), text.size());
      used_ += text.size();
    }
    void Flush() {
      out_->append(buffer_, used_);
      used_ = 0;
    }
    void Reset(std::string& out) {
      out_ = &out;
      used_ = 0;
    }

   private:
    static constexpr size_t kBufferBytes = 512;
    std::string* out_ = nullptr;
    char buffer_[kBufferBytes];  // NOLINT(*-avoid-c-arrays): bytes not yet appended to out_
    size_t used_ = 0;
  };

  // RapidJSON's Writer with bulk appends where its one-call-per-character stream dominated:
  // strings that need no escaping and raw values are appended whole. Measured with query_bench
  // (a 1,000-span trace as Jaeger UI JSON): the per-character Put was about 40% of rendering.
  class BulkWriter : public rapidjson::Writer<StringOutput> {
   public:
    using rapidjson::Writer<StringOutput>::Writer;
    // A string or key of bytes that need no escaping (no control character, '"' or '\\').
    void PlainString(std::string_view text) {
      Prefix(rapidjson::kStringType);
      os_->Put('"');
      os_->Append(text);
      os_->Put('"');
      EndValue(true);
    }
    // Text that is already one complete JSON value of `type`, in one piece or several.
    void BulkRawValue(std::string_view json, rapidjson::Type type) {
      Prefix(type);
      os_->Append(json);
      EndValue(true);
    }
    void BulkRawValue(std::initializer_list<std::string_view> pieces, rapidjson::Type type) {
      Prefix(type);
      for (std::string_view piece : pieces) os_->Append(piece);
      EndValue(true);
    }
  };

  // Points text at valid UTF-8: `text` itself, or its repair in valid_.
  std::string_view ValidUtf8(std::string_view text);
  // Writes valid UTF-8 `text` as a string or key, escaping only when it has to.
  void WriteString(std::string_view text);

  StringOutput output_;
  BulkWriter writer_;
  std::string built_;  // StringFrom's buffer
  std::string valid_;  // U+FFFD-repaired text
};

}  // namespace ariadne::tracecore::json
