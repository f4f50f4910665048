#include "body_decoder.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace ariadne::runtime::http_internal {
namespace {

using tracecore::Status;

constexpr size_t kInitialBuffer = 64 << 10;

enum class Coding { kIdentity, kGzip, kDeflate };

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

Status Unsupported(std::string_view header) {
  return Status::Unimplemented("unsupported Content-Encoding \"" +
                               std::string(header.substr(0, 100)) +
                               "\"; send the body with gzip, deflate or identity");
}

// The one non-identity coding of a Content-Encoding value.
Status ParseCoding(std::string_view header, Coding& coding) {
  coding = Coding::kIdentity;
  std::string_view rest = header;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view token = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (token.empty() || EqualsIgnoreCase(token, "identity")) continue;
    Coding found;
    if (EqualsIgnoreCase(token, "gzip") || EqualsIgnoreCase(token, "x-gzip")) {
      found = Coding::kGzip;
    } else if (EqualsIgnoreCase(token, "deflate")) {
      found = Coding::kDeflate;
    } else {
      return Unsupported(header);
    }
    if (coding != Coding::kIdentity) return Unsupported(header);  // stacked codings
    coding = found;
  }
  return {};
}

// RFC 1950: a zlib stream starts with CMF (method 8, window <= 32K) and FLG, CMF*256+FLG % 31 == 0.
bool LooksLikeZlib(std::string_view body) {
  if (body.size() < 2) return false;
  const auto cmf = static_cast<unsigned char>(body[0]);
  const auto flg = static_cast<unsigned char>(body[1]);
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

bool LooksLikeGzip(std::string_view body) {
  return body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
         static_cast<unsigned char>(body[1]) == 0x8b;
}

}  // namespace

BodyDecoder::~BodyDecoder() {
  if (stream_ != nullptr) inflateEnd(stream_.get());
}

void BodyDecoder::Trim(size_t keep) {
  if (buffer_.size() > keep) std::string().swap(buffer_);
}

Status BodyDecoder::Decode(std::string_view content_encoding, std::string_view body,
                           size_t max_decoded, std::string_view& out) {
  Coding coding = Coding::kIdentity;
  ARIADNE_RETURN_IF_ERROR(ParseCoding(content_encoding, coding));
  if (coding == Coding::kIdentity || body.empty()) {
    out = body;
    return {};
  }
  const bool gzip = coding == Coding::kGzip;
  Status status = Inflate(body, gzip, max_decoded, out);
  if (status.ok() || status.code() != tracecore::StatusCode::kInvalidArgument) return status;
  return status.WithContext(gzip ? "cannot decompress gzip body"
                                 : "cannot decompress deflate body");
}

Status BodyDecoder::Reset(int window_bits) {
  if (stream_ == nullptr) {
    stream_ = std::make_unique<z_stream>();
    std::memset(stream_.get(), 0, sizeof(z_stream));
    if (inflateInit2(stream_.get(), window_bits) != Z_OK) {
      stream_.reset();
      return Status::ResourceExhausted("cannot allocate a zlib stream");
    }
    return {};
  }
  if (inflateReset2(stream_.get(), window_bits) != Z_OK) {
    return Status::Internal("zlib: inflateReset2 failed");
  }
  return {};
}

Status BodyDecoder::Inflate(std::string_view input, bool gzip, size_t max_decoded,
                            std::string_view& out) {
  if (input.size() > std::numeric_limits<uInt>::max()) {
    return Status::ResourceExhausted("compressed body larger than 4 GiB");
  }
  // 16+: gzip only; positive: zlib; negative: raw deflate.
  const int window_bits = gzip ? 16 + MAX_WBITS : (LooksLikeZlib(input) ? MAX_WBITS : -MAX_WBITS);
  ARIADNE_RETURN_IF_ERROR(Reset(window_bits));
  z_stream& stream = *stream_;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): zlib's input pointer is not const.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  const size_t bound = max_decoded + 1;  // one byte past the limit tells "too large"
  size_t produced = 0;
  for (;;) {
    if (produced == std::min(buffer_.size(), bound)) {
      if (produced >= bound) break;
      const size_t wanted = std::max({buffer_.size() * 2, input.size() * 4, kInitialBuffer});
      buffer_.resize(std::min(wanted, bound));
    }
    const size_t room = std::min(std::min(buffer_.size(), bound) - produced,
                                 size_t{std::numeric_limits<uInt>::max()});
    stream.next_out = reinterpret_cast<Bytef*>(buffer_.data() + produced);
    stream.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&stream, Z_NO_FLUSH);
    produced += room - stream.avail_out;
    if (produced > max_decoded) break;
    if (rc == Z_STREAM_END) {
      if (stream.avail_in == 0) {
        out = std::string_view(buffer_.data(), produced);
        return {};
      }
      const std::string_view rest(reinterpret_cast<const char*>(stream.next_in), stream.avail_in);
      if (!gzip || !LooksLikeGzip(rest)) {
        return Status::InvalidArgument(std::to_string(rest.size()) +
                                       " bytes follow the end of the compressed stream");
      }
      inflateReset(&stream);  // the next member of a multi-member gzip file
      continue;
    }
    if (rc == Z_BUF_ERROR && stream.avail_in == 0) {
      return Status::InvalidArgument("the compressed stream is truncated");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Status::InvalidArgument(stream.msg != nullptr ? stream.msg
                                                           : "zlib error " + std::to_string(rc));
    }
  }
  return Status::ResourceExhausted("the decompressed body exceeds the limit of " +
                                   std::to_string(max_decoded) + " bytes");
}

}  // namespace ariadne::runtime::http_internal
