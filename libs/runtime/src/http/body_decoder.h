// Private to the HTTP server: undoes a request's Content-Encoding within a size bound.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "tracecore/status.h"

namespace ariadne::runtime::http_internal {

// One per connection: keeps its zlib state and output buffer between requests, so that decoding
// allocates only when a body decodes larger than any before it. Used by one thread at a time.
class BodyDecoder {
 public:
  BodyDecoder() = default;
  ~BodyDecoder();
  BodyDecoder(const BodyDecoder&) = delete;
  BodyDecoder& operator=(const BodyDecoder&) = delete;

  // Undoes `content_encoding` (the header's value: "", "identity", "gzip", "x-gzip" or "deflate",
  // the last as zlib or raw deflate; "identity" may also be listed beside one coding). `out` views
  // `body` itself (identity) or the decoder's buffer, valid until the next Decode() or Trim().
  // Errors: Unimplemented for an unknown or stacked coding (answer 415), ResourceExhausted when
  // the decoded body exceeds `max_decoded` bytes (413), InvalidArgument for a corrupt or truncated
  // body (400, "cannot decompress gzip body: ..."). Never writes more than max_decoded + 1 bytes.
  tracecore::Status Decode(std::string_view content_encoding, std::string_view body,
                           size_t max_decoded, std::string_view& out);

  // Frees the output buffer when it is larger than `keep` bytes.
  void Trim(size_t keep);

 private:
  tracecore::Status Inflate(std::string_view input, bool gzip, size_t max_decoded,
                            std::string_view& out);
  tracecore::Status Reset(int window_bits);

  std::unique_ptr<z_stream> stream_;  // initialised on first use
  std::string buffer_;                // its size() is the usable capacity
};

}  // namespace ariadne::runtime::http_internal
