#include "runtime/http_client.h"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffer_traits.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cerrno>
#include <optional>

#include "tls_context.h"

namespace ariadne::runtime {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using tracecore::Status;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kResponseHeaderLimit = 64 << 10;
constexpr size_t kBodyReadBytes = 64 << 10;

// Errors that mean "the server closed the connection", as a reused connection may find it.
bool IsClosedByPeer(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::ssl::error::stream_truncated;
}

// A std::string body whose reader appends what arrives. Beast's string_body grows the string with
// resize(), zero-filling every new byte before copying over it: for the 1.6 MB responses of
// query_bench that was a second pass over each response (memset was 2.5% of its CPU).
struct AppendingStringBody {
  using value_type = std::string;

  static uint64_t size(const value_type& body) { return body.size(); }

  class reader {  // NOLINT(readability-identifier-naming): the name Beast's Body concept requires
   public:
    template <bool kIsRequest, class Fields>
    reader(http::header<kIsRequest, Fields>& /*header*/, value_type& body) : body_(body) {}

    // `length` is within the parser's body limit (checked when the header was parsed).
    void init(const boost::optional<uint64_t>& length, beast::error_code& ec) {
      if (length) body_.reserve(static_cast<size_t>(*length));
      ec = {};
    }

    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      for (const auto buffer : beast::buffers_range_ref(buffers)) {
        body_.append(static_cast<const char*>(buffer.data()), buffer.size());
      }
      ec = {};
      return beast::buffer_bytes(buffers);
    }

    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace

class HttpClient::Connection {
 public:
  Connection(std::string host, uint16_t port, const TlsOptions& tls)
      : host_(std::move(host)), port_(port) {
    name_ = (tls.enabled ? "https://" : "http://") + host_ + ":" + std::to_string(port_);
    if (tls.enabled) {
      tls_status_ = http_internal::MakeClientSslContext(tls, "http client tls", ssl_);
    }
  }

  Status Request(http::verb method, std::string_view target,
                 const std::vector<std::pair<std::string, std::string>>& headers,
                 std::string_view body, size_t max_response_bytes, HttpClientResponse& out,
                 std::chrono::milliseconds timeout) {
    ARIADNE_RETURN_IF_ERROR(tls_status_);
    deadline_ = Clock::now() + timeout;
    timeout_ = timeout;
    http::request<http::span_body<const char>> request{method, target, 11};
    request.set(http::field::host, host_ + ":" + std::to_string(port_));
    request.set(http::field::user_agent, "ariadne");
    for (const auto& [name, value] : headers) request.insert(name, value);
    request.body() = beast::span<const char>(body.data(), body.size());
    request.prepare_payload();
    for (int attempt = 0;; ++attempt) {
      bool retry = false;
      Status status = Exchange(request, max_response_bytes, attempt == 0, out, retry);
      if (!retry) return status;
    }
  }

  void Close() {
    plain_.reset();
    secure_.reset();
    buffer_.clear();
  }

 private:
  bool connected() const { return plain_.has_value() || secure_.has_value(); }

  beast::tcp_stream& Lowest() { return plain_ ? *plain_ : beast::get_lowest_layer(*secure_); }

  template <class Body>
  Status Exchange(http::request<Body>& request, size_t max_response_bytes, bool may_retry,
                  HttpClientResponse& out, bool& retry) {
    retry = false;
    const bool reused = connected() && StillOpen();
    if (!reused) {
      Close();
      ARIADNE_RETURN_IF_ERROR(Connect());
    }
    beast::error_code ec = Run([&](auto& stream, auto handler) {
      http::async_write(stream, request, std::move(handler));
    });
    const bool write_failed = static_cast<bool>(ec);
    // Even after a failed write the server may have answered (e.g. 413 before the whole body).
    http::response_parser<AppendingStringBody> parser;
    parser.body_limit(max_response_bytes);
    parser.header_limit(kResponseHeaderLimit);
    if (request.method() == http::verb::head) parser.skip(true);
    // The header first: Beast 1.74 checks a Content-Length against the body limit only when the
    // header is parsed on its own (http::async_read's eager parsing skips the check).
    ec = Run([&](auto& stream, auto handler) {
      http::async_read_header(stream, buffer_, parser, std::move(handler));
    });
    if (!ec && !parser.is_done()) {
      // Beast reads only as much as the buffer's free capacity: make it worth a system call.
      if (buffer_.capacity() < kBodyReadBytes) buffer_.reserve(kBodyReadBytes);
      ec = Run([&](auto& stream, auto handler) {
        http::async_read(stream, buffer_, parser, std::move(handler));
      });
    }
    if (ec) {
      Close();
      if (reused && may_retry && !parser.got_some() && (write_failed || IsClosedByPeer(ec))) {
        retry = true;
        return {};
      }
      return Failure(write_failed ? "send the request" : "read the response", ec);
    }
    auto& message = parser.get();
    out.status = message.result_int();
    out.body = std::move(message.body());
    out.headers = std::move(static_cast<http::fields&>(message));
    if (!message.keep_alive() || write_failed) Close();
    return {};
  }

  // Whether a kept-alive connection is still usable: nothing (or, with TLS, only TLS records
  // such as session tickets) has arrived on it since the last response.
  bool StillOpen() {
    if (buffer_.size() > 0) return false;
    char byte = 0;
    const ssize_t peeked =
        ::recv(Lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    return peeked > 0 && secure_.has_value();
  }

  Status Connect() {
    tcp::resolver resolver(io_);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
    if (ec) return Failure("resolve the host", ec);
    beast::tcp_stream stream(io_);
    stream.expires_at(deadline_);
    ec = RunOp([&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
    if (ec) return Failure("connect", ec);
    beast::error_code ignored;
    stream.socket().set_option(tcp::no_delay(true), ignored);
    if (!ssl_) {
      plain_.emplace(std::move(stream));
      return {};
    }
    secure_.emplace(std::move(stream), *ssl_);
    beast::error_code address_ec;
    net::ip::make_address(host_, address_ec);
    if (address_ec) {  // a name, not an IP address: send it as SNI
      SSL_ctrl(secure_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               host_.data());
    }
    secure_->set_verify_callback(net::ssl::host_name_verification(host_));
    ec = RunOp([&](auto handler) {
      secure_->async_handshake(net::ssl::stream_base::client, std::move(handler));
    });
    if (ec) {
      Close();
      return Failure("complete the TLS handshake", ec);
    }
    return {};
  }

  // Runs one asynchronous operation on the connection's stream until it completes or the
  // request's deadline passes.
  template <class Initiate>
  beast::error_code Run(Initiate&& initiate) {
    Lowest().expires_at(deadline_);
    if (plain_) return RunOp([&](auto handler) { initiate(*plain_, std::move(handler)); });
    return RunOp([&](auto handler) { initiate(*secure_, std::move(handler)); });
  }

  template <class Initiate>
  beast::error_code RunOp(Initiate&& initiate) {
    beast::error_code result = net::error::operation_aborted;
    initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  Status Failure(std::string_view what, const beast::error_code& ec) const {
    std::string message = "http client " + name_ + ": cannot " + std::string(what) + ": ";
    if (ec == beast::error::timeout) {
      message += "timed out after " + std::to_string(timeout_.count()) + " ms";
    } else {
      message += ec.message();
    }
    if (ec == http::error::body_limit) return Status::ResourceExhausted(message);
    return Status::Internal(message);
  }

  std::string host_;
  uint16_t port_;
  std::string name_;
  Status tls_status_;
  net::io_context io_;
  std::unique_ptr<net::ssl::context> ssl_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure_;
  beast::flat_buffer buffer_;
  Clock::time_point deadline_;
  std::chrono::milliseconds timeout_{0};
};

HttpClient::HttpClient(std::string host, uint16_t port, const TlsOptions& tls)
    : connection_(std::make_unique<Connection>(std::move(host), port, tls)) {}

HttpClient::~HttpClient() = default;

tracecore::Status HttpClient::Request(
    http::verb method, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
    HttpClientResponse& out, std::chrono::milliseconds timeout) {
  return connection_->Request(method, target, headers, body, max_response_bytes_, out, timeout);
}

void HttpClient::Close() {
  connection_->Close();
}

}  // namespace ariadne::runtime
