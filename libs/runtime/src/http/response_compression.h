// Private to the HTTP server: gzip for responses (content negotiation and the encoder).
#pragma once

#include <boost/beast/http/fields.hpp>
#include <string>
#include <string_view>

namespace ariadne::runtime::http_internal {

// True when the request's Accept-Encoding header(s) make gzip the coding to answer with
// (RFC 9110 §12.5.3): gzip (or x-gzip; when neither is listed, "*") has a q-value above 0, and
// not below the q-value the header gives identity (itself or through "*"; when neither is listed,
// identity does not compete). So "gzip;q=0", "identity" alone, "gzip;q=0.5, identity", an empty
// header and no header at all mean no gzip. Several Accept-Encoding lines count as one list; the
// highest q-value of a coding listed twice counts; an element with a malformed q-value is ignored.
bool AcceptsGzip(const boost::beast::http::fields& request_headers);

// Replaces `out` with `body` gzip-coded (one member, level kGzipLevel of the .cc). False, with
// `out` unspecified, when zlib fails or the result would not be smaller than `body`: send `body`
// as it is then. Keeps one zlib stream per calling thread (about 256 KiB, freed when the thread
// ends), so any thread may call; `out`'s capacity is reused.
bool GzipBody(std::string_view body, std::string& out);

}  // namespace ariadne::runtime::http_internal
