// HttpClient: a small blocking HTTP/1.1 client over one keep-alive connection, for tests, the load
// generator and storage backends that speak HTTP.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/tls.h"
#include "tracecore/status.h"

namespace ariadne::runtime {

struct HttpClientResponse {
  unsigned status = 0;
  std::string body;  // as received (Content-Encoding is not undone)
  boost::beast::http::fields headers;
};

// Not thread-safe: one client per thread. The connection is opened on the first request, kept
// open while the server keeps it alive, and reopened when the server has closed it; a request
// that finds its reused connection closed before any response byte arrived is sent once more on
// a new connection (so a POST may, rarely, reach the server twice).
class HttpClient {
 public:
  // tls.enabled: HTTPS. tls.cert_file/key_file: the client certificate for mutual TLS;
  // tls.client_ca_file: the CAs that verify the server (empty: the system's trust store). The
  // server's certificate must name `host` (DNS name or IP address). Bad TLS files are reported by
  // every Request().
  HttpClient(std::string host, uint16_t port, const TlsOptions& tls = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and waits for the whole response, at most `timeout` in all (connect, TLS
  // handshake, write, read). Adds Host, User-Agent and Content-Length (headers given here come
  // in addition; do not pass those three). Any HTTP status is OK; a connection, TLS or protocol
  // failure, a timeout, or a response body over max_response_bytes() is an error status naming
  // host:port and what failed, and closes the connection.
  tracecore::Status Request(boost::beast::http::verb method, std::string_view target,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            std::string_view body, HttpClientResponse& out,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

  size_t max_response_bytes() const { return max_response_bytes_; }
  void set_max_response_bytes(size_t bytes) { max_response_bytes_ = bytes; }

  // Closes the connection (the next request opens a new one).
  void Close();

 private:
  class Connection;
  std::unique_ptr<Connection> connection_;
  size_t max_response_bytes_ = 64 << 20;
};

}  // namespace ariadne::runtime
