#include "json_appender.h"

#include <charconv>
#include <cmath>

#include "tracecore/text.h"

namespace ariadne::tracecore::json {

void JsonAppender::AppendLong(std::string_view text) {
  Flush();
  if (text.size() <= kBufferBytes) {
    std::memcpy(buffer_, text.data(), text.size());
    used_ = text.size();
  } else {
    out_->append(text);
  }
}

void JsonAppender::AppendScratch() {
  Raw(scratch_);
}

void JsonAppender::EscapedString(std::string_view text) {
  scratch_.clear();
  writer_.Reset(scratch_);
  writer_.String(text);
  AppendScratch();
}

void JsonAppender::Base64String(std::string_view bytes) {
  scratch_.clear();
  scratch_.push_back('"');
  AppendBase64(bytes, scratch_);
  scratch_.push_back('"');
  AppendScratch();
}

void JsonAppender::Int64(int64_t value) {
  constexpr size_t kMaxDigits = 20;  // "-9223372036854775808"
  char* text = Room(kMaxDigits);
  const auto result = std::to_chars(text, text + kMaxDigits, value);
  used_ -= kMaxDigits - static_cast<size_t>(result.ptr - text);
}

void JsonAppender::Uint64(uint64_t value) {
  constexpr size_t kMaxDigits = 20;  // "18446744073709551615"
  char* text = Room(kMaxDigits);
  const auto result = std::to_chars(text, text + kMaxDigits, value);
  used_ -= kMaxDigits - static_cast<size_t>(result.ptr - text);
}

void JsonAppender::Double(double value, NonFiniteStyle non_finite) {
  if (!std::isfinite(value)) {
    Raw('"');
    Raw(NonFiniteName(value, non_finite));
    Raw('"');
    return;
  }
  char text[40];
  Raw(std::string_view(text, FormatGoFloat(value, FloatForm::kShortest, text)));
}

}  // namespace ariadne::tracecore::json
