#include "runtime/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_cat.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <charconv>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "body_decoder.h"
#include "host_port.h"
#include "response_compression.h"
#include "runtime/degraded_episode.h"
#include "runtime/log.h"
#include "tls_context.h"

namespace ariadne::runtime {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using tracecore::Status;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kHeaderLimit = 32 << 10;       // request line and header fields
constexpr size_t kRetainedBufferBytes = 1 << 20;  // per connection, between requests
// Reads of a body ask the socket for up to this much at once (Beast reads only as much as its
// buffer's free capacity, which the header alone leaves at a few hundred bytes).
constexpr size_t kBodyReadBytes = 64 << 10;
constexpr size_t kLingerBytes = 64 << 20;  // discarded after an early error response
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr auto kLogInterval = std::chrono::seconds(10);
// Refusals (max_connections) in progress at once, and the bound on each of their waits: enough to
// answer a burst of clients politely, too few for a flood to cost much.
constexpr size_t kMaxPendingRefusals = 64;
constexpr auto kRefusalTimeout = std::chrono::seconds(5);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Lets one message through per interval and counts the ones held back. Thread-safe.
class LogLimiter {
 public:
  // True when a message may be logged now; `suppressed` is how many were held back before it.
  bool Allow(uint64_t& suppressed) {
    std::lock_guard lock(mutex_);
    const Clock::time_point now = Clock::now();
    if (logged_once_ && now - last_ < kLogInterval) {
      ++suppressed_;
      return false;
    }
    logged_once_ = true;
    last_ = now;
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }

 private:
  std::mutex mutex_;
  bool logged_once_ = false;
  Clock::time_point last_;
  uint64_t suppressed_ = 0;
};

std::string Suppressed(uint64_t count) {
  return count == 0 ? "" : " (" + std::to_string(count) + " similar messages suppressed)";
}

// A connection as the server sees it when it stops.
class Connection {
 public:
  virtual ~Connection() = default;
  // Both may be called from any thread; they act on the connection's strand.
  virtual void CloseIfIdle() = 0;  // no request in flight: close now
  virtual void ForceClose() = 0;
};

// Large body buffers that connections hand back after a response, lent to the next response on
// any connection. Rendering a multi-megabyte body into fresh memory costs a page fault for every
// 4 KiB, and freeing it returns the pages to the kernel (query_bench, a 1.6 MB get-trace: 8% of
// the request's CPU went to page faults before this pool). Bounded: at most kMaxBuffers buffers of
// at most kMaxBufferBytes each. Thread-safe.
class BufferPool {
 public:
  static constexpr size_t kMaxBuffers = 4;
  static constexpr size_t kMaxBufferBytes = 8 << 20;

  // Swaps a pooled buffer, emptied, into `buffer` when there is one; else leaves it as it is.
  void Lend(std::string& buffer) {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return;
    buffer.swap(free_.back());
    free_.pop_back();
    buffer.clear();
  }
  // Takes `buffer`'s memory when the pool has room and the buffer is not too large; leaves
  // `buffer` empty, without capacity, either way.
  void Return(std::string& buffer) {
    std::string taken;
    taken.swap(buffer);
    if (taken.capacity() > kMaxBufferBytes) return;
    std::lock_guard lock(mutex_);
    if (free_.size() < kMaxBuffers) free_.push_back(std::move(taken));
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> free_;
};

// What the acceptor and every connection of one server share. Outlives all of them.
struct ServerState {
  HttpServerOptions options;
  std::shared_ptr<const HttpRouter> router;
  std::shared_ptr<net::ssl::context> ssl;  // null without TLS
  std::shared_ptr<spdlog::logger> log = Logger("http");
  std::atomic<bool> draining{false};  // StopAccepting: close connections after their response
  std::atomic<bool> stopping{false};  // Stop: close idle connections too
  LogLimiter handler_errors, response_errors, tls_errors, accept_errors;
  // Served connections (counted against max_connections) and refusals in progress: each session
  // counts itself from its construction, on the acceptor strand, to its destruction.
  std::atomic<size_t> open_connections{0};
  std::atomic<size_t> refusing{0};
  BufferPool large_buffers;     // response bodies beyond kRetainedBufferBytes, between requests
  std::string refusal_message;  // the body of a 503 for max_connections
  std::optional<DegradedEpisode> refusals;  // set by HttpServer::Impl before the first accept

  std::mutex mutex;
  std::condition_variable connections_changed;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;

  void Register(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(mutex);
    connections.emplace(connection.get(), connection);
  }
  void Unregister(Connection* connection) {
    std::lock_guard lock(mutex);
    connections.erase(connection);
    connections_changed.notify_all();
  }
  std::vector<std::shared_ptr<Connection>> Snapshot() {
    std::lock_guard lock(mutex);
    std::vector<std::shared_ptr<Connection>> open;
    for (const auto& entry : connections) {
      if (auto connection = entry.second.lock()) open.push_back(std::move(connection));
    }
    return open;
  }
  // True when every connection has ended before `deadline`.
  bool WaitForNoConnections(Clock::time_point deadline) {
    std::unique_lock lock(mutex);
    return connections_changed.wait_until(lock, deadline, [&] { return connections.empty(); });
  }
};

bool IsParseError(const beast::error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return false;
  switch (static_cast<http::error>(ec.value())) {
    case http::error::end_of_stream:
    case http::error::partial_message:
    case http::error::body_limit:
    case http::error::header_limit:
    case http::error::stale_parser:
    case http::error::short_read: return false;
    default: return true;
  }
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsValidHeader(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) return false;
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool IsReservedHeader(std::string_view name) {
  const auto field = http::string_to_field(name);
  return field == http::field::content_length || field == http::field::connection ||
         field == http::field::transfer_encoding;
}

void AppendNumber(std::string& out, uint64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, result.ptr);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

unsigned StatusForDecodeError(const Status& status) {
  switch (status.code()) {
    case tracecore::StatusCode::kUnimplemented: return 415;
    case tracecore::StatusCode::kResourceExhausted: return 413;
    default: return 400;
  }
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

// True for media types whose data is compressed already, so that gzip would only cost time.
bool IsCompressedType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  if (StartsWithIgnoreCase(type, "image/")) return !EqualsIgnoreCase(type, "image/svg+xml");
  if (StartsWithIgnoreCase(type, "audio/") || StartsWithIgnoreCase(type, "video/")) return true;
  constexpr std::array<std::string_view, 6> kCompressed = {"font/woff",        "font/woff2",
                                                           "application/gzip", "application/x-gzip",
                                                           "application/zip",  "application/zstd"};
  return std::any_of(kCompressed.begin(), kCompressed.end(), [&](std::string_view compressed) {
    return EqualsIgnoreCase(type, compressed);
  });
}

bool HasHeader(const HttpResponse& response, std::string_view name) {
  return std::any_of(response.headers.begin(), response.headers.end(),
                     [&](const auto& header) { return EqualsIgnoreCase(header.first, name); });
}

// True when a Vary header of the handler lists Accept-Encoding or "*".
bool VariesOnEncoding(const HttpResponse& response) {
  for (const auto& [name, value] : response.headers) {
    if (!EqualsIgnoreCase(name, "Vary")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::string_view token = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
      if (token == "*" || EqualsIgnoreCase(token, "Accept-Encoding")) return true;
    }
  }
  return false;
}

// The rules of HttpServerOptions::compress_responses that depend on the response alone.
bool MayGzip(const HttpResponse& response) {
  return response.body.size() >= HttpServerOptions::kMinGzipBodyBytes && response.status != 204 &&
         response.status != 304 && !HasHeader(response, "Content-Encoding") &&
         !HasHeader(response, "Content-Range") && !IsCompressedType(response.content_type);
}

// A strong validator names the identity body; the gzip-coded one shares it only weakly.
void WeakenEtags(HttpResponse& response) {
  for (auto& [name, value] : response.headers) {
    if (EqualsIgnoreCase(name, "ETag") && !value.starts_with("W/")) value.insert(0, "W/");
  }
}

// One connection: reads requests one after another, answers each, and reuses its buffers.
// All its work runs on its strand (the executor of its socket).
template <class Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  // `refuse`: answer the first request 503 (max_connections) and close.
  template <class... StreamArgs>
  explicit Session(std::shared_ptr<ServerState> state, bool refuse, StreamArgs&&... stream_args)
      : state_(std::move(state)),
        stream_(std::forward<StreamArgs>(stream_args)...),
        refuse_(refuse) {
    (refuse_ ? state_->refusing : state_->open_connections).fetch_add(1);
  }
  ~Session() override {
    state_->Unregister(this);
    (refuse_ ? state_->refusing : state_->open_connections).fetch_sub(1);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->ReadHeader();
      }
    });
  }

  void CloseIfIdle() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->idle_) self->CloseSocket();
    });
  }

  void ForceClose() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->CloseSocket(); });
  }

 private:
  const HttpServerOptions& options() const { return state_->options; }
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }
  void ArmTimeout() {
    tcp().expires_after(refuse_ ? std::min<std::chrono::steady_clock::duration>(
                                      options().idle_timeout, kRefusalTimeout)
                                : options().idle_timeout);
  }

  void Handshake() {
    if constexpr (kTls) {
      ArmTimeout();
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  self->LogTlsFailure(ec);
                                  self->CloseSocket();
                                  return;
                                }
                                self->ReadHeader();
                              });
    }
  }

  void LogTlsFailure(const beast::error_code& ec) {
    if (ec == net::error::operation_aborted || ec == net::error::eof) return;
    uint64_t suppressed = 0;
    if (!state_->tls_errors.Allow(suppressed)) return;
    beast::error_code ignored;
    const auto peer = tcp().socket().remote_endpoint(ignored);
    state_->log->warn("{}: TLS handshake with {}:{} failed: {}{}", options().name,
                      peer.address().to_string(), peer.port(), ec.message(),
                      Suppressed(suppressed));
  }

  void ReadHeader() {
    if (state_->stopping) {
      Shutdown();
      return;
    }
    idle_ = true;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(options().max_body_bytes);
    parser_->get().body() = std::move(body_storage_);
    ArmTimeout();
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(const beast::error_code& ec) {
    idle_ = false;
    started_ = Clock::now();
    if (ec) {
      OnReadError(ec);
      return;
    }
    if (refuse_) {
      AnswerEarly(503, state_->refusal_message, {{"Retry-After", "1"}});
      return;
    }
    if (parser_->is_done()) {
      Handle();
      return;
    }
    const auto& message = parser_->get();
    if (message.version() >= 11 && EqualsIgnoreCase(message[http::field::expect], "100-continue")) {
      ArmTimeout();
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = this->shared_from_this()](beast::error_code write_ec, size_t) {
                         if (write_ec) {
                           self->CloseSocket();
                           return;
                         }
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (buffer_.capacity() < kBodyReadBytes) buffer_.reserve(kBodyReadBytes);
    ArmTimeout();
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) {
                         self->OnReadError(ec);
                         return;
                       }
                       self->Handle();
                     });
  }

  void OnReadError(const beast::error_code& ec) {
    if (ec == http::error::body_limit) {
      AnswerEarly(413, "request body exceeds the limit of " +
                           std::to_string(options().max_body_bytes) + " bytes" + LimitHint());
    } else if (ec == http::error::header_limit) {
      AnswerEarly(431,
                  "request header exceeds the limit of " + std::to_string(kHeaderLimit) + " bytes");
    } else if (IsParseError(ec)) {
      AnswerEarly(400, "malformed HTTP request: " + ec.message());
    } else {
      CloseSocket();  // the client left, timed out or broke TLS: nobody to answer
    }
  }

  std::string LimitHint() const {
    return options().body_limit_hint.empty() ? "" : "; " + options().body_limit_hint;
  }

  // Answers a request that was not read to its end, then closes the connection.
  void AnswerEarly(unsigned status, std::string message,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    ResetResponse();
    response_.status = status;
    response_.content_type = "text/plain";
    response_.body = std::move(message);
    response_.headers = std::move(headers);
    route_ = "other";
    close_after_response_ = true;
    linger_ = true;
    const bool head_only = parser_.has_value() && parser_->is_header_done() &&
                           parser_->get().method() == http::verb::head;
    WriteResponse(head_only, /*http10_keep_alive=*/false);
  }

  void ResetResponse() {
    response_.status = 200;
    response_.content_type.clear();
    response_.body.clear();
    if (response_.body.capacity() <= kRetainedBufferBytes) {
      state_->large_buffers.Lend(response_.body);
    }
    response_.headers.clear();
  }

  void Handle() {
    auto& message = parser_->get();
    ResetResponse();
    HttpRequest request;
    request.method = message.method();
    const std::string_view target = message.target();
    const size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string_view::npos) request.query = target.substr(question + 1);
    request.headers = &message;
    route_ = "other";
    const Status decoded = decoder_.Decode(message[http::field::content_encoding], message.body(),
                                           options().max_decoded_body_bytes, request.body);
    if (!decoded.ok()) {
      response_.status = StatusForDecodeError(decoded);
      response_.content_type = "text/plain";
      response_.body = decoded.message();
      if (response_.status == 413) response_.body += LimitHint();
    } else {
      RunHandler(request);
    }
    close_after_response_ = !message.keep_alive() || state_->draining;
    const bool head_only = request.method == http::verb::head;
    EncodeResponse(message, head_only);
    WriteResponse(head_only, message.version() < 11 && !close_after_response_);
  }

  // Applies HttpServerOptions::compress_responses to the response.
  void EncodeResponse(const http::fields& request_headers, bool head_only) {
    if (!options().compress_responses || !MayGzip(response_)) return;
    if (!VariesOnEncoding(response_)) response_.headers.emplace_back("Vary", "Accept-Encoding");
    if (head_only || !http_internal::AcceptsGzip(request_headers)) return;
    if (!http_internal::GzipBody(response_.body, coded_body_)) return;
    response_.body.swap(coded_body_);  // coded_body_ keeps the handler's buffer for reuse
    response_.headers.emplace_back("Content-Encoding", "gzip");
    WeakenEtags(response_);
  }

  void RunHandler(const HttpRequest& request) {
    try {
      const HttpHandler* handler = state_->router->Find(request, response_, route_);
      if (handler != nullptr) (*handler)(request, response_);
      return;
    } catch (const std::exception& e) {
      LogHandlerError(request, e.what());
    } catch (...) {
      LogHandlerError(request, "an exception that is not a std::exception");
    }
    ResetResponse();
    response_.status = 500;
    response_.content_type = "text/plain";
    response_.body = "internal error while handling the request; the server log has the details";
  }

  void LogHandlerError(const HttpRequest& request, std::string_view what) {
    uint64_t suppressed = 0;
    if (!state_->handler_errors.Allow(suppressed)) return;
    state_->log->error("{}: the handler of {} {} threw: {}{}", options().name,
                       parser_->get().method_string(), request.path.substr(0, 200), what,
                       Suppressed(suppressed));
  }

  void LogResponseError(std::string_view what) {
    uint64_t suppressed = 0;
    if (!state_->response_errors.Allow(suppressed)) return;
    state_->log->error("{}: the handler of {} answered {}; fix the handler{}", options().name,
                       route_, what, Suppressed(suppressed));
  }

  void AppendHeader(std::string_view name, std::string_view value) {
    head_ += name;
    head_ += ": ";
    head_ += value;
    head_ += "\r\n";
  }

  void BuildHead(bool http10_keep_alive) {
    if (response_.status < 200 || response_.status > 599) {
      LogResponseError("status " + std::to_string(response_.status));
      response_.status = 500;
    }
    head_.clear();
    head_ += "HTTP/1.1 ";
    AppendNumber(head_, response_.status);
    head_ += ' ';
    head_ += http::obsolete_reason(http::int_to_status(response_.status));
    head_ += "\r\n";
    if (!response_.content_type.empty()) {
      if (IsValidHeader("Content-Type", response_.content_type)) {
        AppendHeader("Content-Type", response_.content_type);
      } else {
        LogResponseError("an invalid Content-Type");
      }
    }
    for (const auto& [name, value] : response_.headers) {
      if (!IsValidHeader(name, value) || IsReservedHeader(name)) {
        LogResponseError("the header \"" + name.substr(0, 100) + "\", which it may not set");
        continue;
      }
      AppendHeader(name, value);
    }
    head_ += "Content-Length: ";
    AppendNumber(head_, response_.body.size());
    head_ += "\r\n";
    if (close_after_response_) {
      head_ += "Connection: close\r\n";
    } else if (http10_keep_alive) {
      head_ += "Connection: keep-alive\r\n";
    }
    head_ += "\r\n";
  }

  void WriteResponse(bool head_only, bool http10_keep_alive) {
    BuildHead(http10_keep_alive);
    // Not a std::array of two buffers: Asio's special case for that type hands the stream an empty
    // first buffer once the head is written, and Beast 1.74's TLS stream (flat_stream) then writes
    // 0 bytes, which ends async_write early: every HTTPS body that did not fit one 16 KiB record
    // with the head was never sent. buffers_cat skips written and empty buffers.
    const auto buffers = beast::buffers_cat(
        net::buffer(head_), head_only ? net::const_buffer() : net::buffer(response_.body));
    ArmTimeout();
    net::async_write(
        stream_, buffers,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnWritten(ec); });
  }

  void OnWritten(const beast::error_code& ec) {
    if (options().on_response) {
      options().on_response(parser_->get().method_string(), route_, response_.status,
                            Clock::now() - started_);
    }
    if (ec) {
      CloseSocket();
      return;
    }
    if (close_after_response_) {
      Shutdown();
      return;
    }
    Recycle();
    ReadHeader();
  }

  // Keeps the buffers of this request for the next one, unless they grew large.
  void Recycle() {
    body_storage_ = std::move(parser_->get().body());
    body_storage_.clear();
    if (body_storage_.capacity() > kRetainedBufferBytes) std::string().swap(body_storage_);
    if (response_.body.capacity() > kRetainedBufferBytes) {
      state_->large_buffers.Return(response_.body);
    }
    if (coded_body_.capacity() > kRetainedBufferBytes) state_->large_buffers.Return(coded_body_);
    decoder_.Trim(kRetainedBufferBytes);
    if (buffer_.capacity() > kRetainedBufferBytes) {
      // Keep bytes of a pipelined next request.
      beast::flat_buffer smaller;
      const auto pending = buffer_.data();
      smaller.commit(net::buffer_copy(smaller.prepare(pending.size()), pending));
      buffer_ = std::move(smaller);
    }
  }

  // Ends the connection politely: TLS close_notify, or a TCP half-close that first lets a client
  // still sending a rejected body finish, so that it reads the answer instead of a reset.
  void Shutdown() {
    if constexpr (kTls) {
      tcp().expires_after(kLingerTime);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->CloseSocket(); });
    } else {
      beast::error_code ignored;
      tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
      if (!linger_) {
        CloseSocket();
        return;
      }
      tcp().expires_after(kLingerTime);
      Linger();
    }
  }

  void Linger() {
    stream_.async_read_some(buffer_.prepare(64 << 10),
                            [self = this->shared_from_this()](beast::error_code ec, size_t read) {
                              self->lingered_ += read;
                              if (ec || self->lingered_ > kLingerBytes) {
                                self->CloseSocket();
                                return;
                              }
                              self->Linger();
                            });
  }

  void CloseSocket() {
    beast::error_code ignored;
    tcp().socket().close(ignored);
  }

  std::shared_ptr<ServerState> state_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string body_storage_;  // handed to each request's parser, taken back after it
  http_internal::BodyDecoder decoder_;
  HttpResponse response_;
  std::string coded_body_;  // gzip output, swapped with response_.body
  std::string head_;        // the response's status line and header
  std::string_view route_ = "other";
  Clock::time_point started_;
  bool idle_ = true;  // waiting for a request (or the TLS handshake)
  bool close_after_response_ = false;
  bool linger_ = false;
  size_t lingered_ = 0;
  const bool refuse_;  // max_connections were open when it was accepted
};

std::string RefusalMessage(const HttpServerOptions& options) {
  std::string message = "too many open connections (" + std::to_string(options.max_connections);
  if (options.max_connections_flag.empty()) return message + "): retry later";
  return message + ", " + options.max_connections_flag + "): retry later or raise " +
         options.max_connections_flag;
}

std::string ListenerName(const HttpServerOptions& options) {
  std::string name = options.name.empty() ? "http" : options.name;
  name += " listener on \"" + options.host_port + "\"";
  if (!options.host_port_flag.empty()) name += " (" + options.host_port_flag + ")";
  return name;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, std::shared_ptr<const HttpRouter> router)
      : state_(std::make_shared<ServerState>()) {
    state_->options = std::move(options);
    state_->router = std::move(router);
    state_->refusal_message = RefusalMessage(state_->options);
    state_->refusals.emplace(
        "http", state_->options.name + ": too many open connections: new ones are answered 503");
  }
  ~Impl() {
    try {
      Stop();
    } catch (const std::exception& e) {  // a failed join or lock: nothing left to do but report
      state_->log->error("{}: stopping failed: {}", state_->options.name, e.what());
    }
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Status Start();
  uint16_t port() const { return port_; }
  size_t open_connections() const { return state_->open_connections.load(); }
  void StopAccepting();
  void Stop();

 private:
  Status Listen(const http_internal::HostPort& address);
  void Accept();
  void OnAccept(const beast::error_code& ec, tcp::socket socket);
  enum class Admission { kServe, kRefuse, kClose };
  Admission Admit();
  void StartSession(tcp::socket socket, bool refuse);
  void RunIoThread();

  // Declared first: destroyed last, after everything that uses it.
  net::io_context io_;
  std::shared_ptr<ServerState> state_;
  net::strand<net::io_context::executor_type> acceptor_strand_{net::make_strand(io_)};
  tcp::acceptor acceptor_{acceptor_strand_};
  net::steady_timer accept_retry_{acceptor_strand_};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::mutex stop_mutex_;
  bool accepting_ = false;
  bool stopped_ = false;
};

Status HttpServer::Impl::Start() {
  const HttpServerOptions& options = state_->options;
  http_internal::HostPort address;
  ARIADNE_RETURN_IF_ERROR(
      http_internal::ParseHostPort(options.host_port, address).WithContext(ListenerName(options)));
  if (options.tls.enabled) {
    std::unique_ptr<net::ssl::context> ssl;
    const std::string prefix =
        options.tls_flag_prefix.empty() ? options.name + ".tls" : options.tls_flag_prefix;
    ARIADNE_RETURN_IF_ERROR(http_internal::MakeServerSslContext(options.tls, prefix, ssl));
    state_->ssl = std::move(ssl);
  }
  ARIADNE_RETURN_IF_ERROR(Listen(address));
  work_.emplace(io_.get_executor());
  accepting_ = true;
  net::dispatch(acceptor_strand_, [this] { Accept(); });
  const int threads = std::max(1, options.threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { RunIoThread(); });
  state_->log->info("{}: serving HTTP{} on port {}", options.name, state_->ssl ? "S" : "", port_);
  return {};
}

Status HttpServer::Impl::Listen(const http_internal::HostPort& address) {
  const HttpServerOptions& options = state_->options;
  std::vector<tcp::endpoint> endpoints;
  ARIADNE_RETURN_IF_ERROR(http_internal::ResolveListenAddress(io_, address, endpoints)
                              .WithContext(ListenerName(options)));
  beast::error_code ec;
  for (const tcp::endpoint& endpoint : endpoints) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) continue;
    acceptor_.set_option(net::socket_base::reuse_address(true), ignored);
    if (endpoint.address().is_v6() && endpoint.address().is_unspecified()) {
      acceptor_.set_option(net::ip::v6_only(false), ignored);  // ":port" serves IPv4 too
    }
    acceptor_.bind(endpoint, ec);
    if (ec) continue;
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) continue;
    port_ = acceptor_.local_endpoint().port();
    return {};
  }
  beast::error_code ignored;
  acceptor_.close(ignored);
  return Status::InvalidArgument(ListenerName(options) + ": cannot listen: " + ec.message() +
                                 http_internal::ListenErrorAdvice(ec, address.port));
}

void HttpServer::Impl::RunIoThread() {
  for (;;) {
    try {
      io_.run();
      return;
    } catch (const std::exception& e) {
      state_->log->error("{}: unexpected exception on an io thread: {}", state_->options.name,
                         e.what());
    }
  }
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(const beast::error_code& ec, tcp::socket socket) {
  if (!acceptor_.is_open()) return;  // StopAccepting closed it
  if (ec) {
    uint64_t suppressed = 0;
    if (state_->accept_errors.Allow(suppressed)) {
      state_->log->warn("{}: cannot accept a connection: {}{}", state_->options.name, ec.message(),
                        Suppressed(suppressed));
    }
    // Out of file descriptors and the like: wait a little rather than spin.
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) Accept();
    });
    return;
  }
  const Admission admission = Admit();
  if (admission == Admission::kClose) {
    Accept();
    return;  // `socket` closes as it goes
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  try {
    StartSession(std::move(socket), admission == Admission::kRefuse);
  } catch (const std::exception& e) {  // no memory for the session or its TLS state
    uint64_t suppressed = 0;
    if (state_->accept_errors.Allow(suppressed)) {
      state_->log->warn("{}: cannot serve a new connection: {}{}", state_->options.name, e.what(),
                        Suppressed(suppressed));
    }
  }
  Accept();
}

void HttpServer::Impl::StartSession(tcp::socket socket, bool refuse) {
  if (state_->ssl) {
    auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
        state_, refuse, std::move(socket), *state_->ssl);
    state_->Register(session);
    session->Start();
  } else {
    auto session = std::make_shared<Session<beast::tcp_stream>>(state_, refuse, std::move(socket));
    state_->Register(session);
    session->Start();
  }
}

// Whether a new connection is served, refused with 503 (max_connections are open) or, when too
// many refusals are in progress already, closed at once. Runs on the acceptor strand, where the
// sessions that the counts include are made, so a count cannot grow between check and use.
HttpServer::Impl::Admission HttpServer::Impl::Admit() {
  const HttpServerOptions& options = state_->options;
  if (options.max_connections == 0 || state_->open_connections.load() < options.max_connections) {
    if (options.max_connections != 0) state_->refusals->Leave();
    return Admission::kServe;
  }
  state_->refusals->Enter(
      "limit " + std::to_string(options.max_connections) +
      (options.max_connections_flag.empty() ? "" : ", " + options.max_connections_flag));
  if (options.on_refused) options.on_refused();
  return state_->refusing.load() < kMaxPendingRefusals ? Admission::kRefuse : Admission::kClose;
}

void HttpServer::Impl::StopAccepting() {
  state_->draining = true;
  {
    std::lock_guard lock(stop_mutex_);
    if (!accepting_) return;
    accepting_ = false;
  }
  std::promise<void> closed;
  net::post(acceptor_strand_, [this, &closed] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
    closed.set_value();
  });
  closed.get_future().wait();
}

void HttpServer::Impl::Stop() {
  {
    std::lock_guard lock(stop_mutex_);
    if (stopped_ || threads_.empty()) return;
    stopped_ = true;
  }
  StopAccepting();
  state_->stopping = true;
  for (const auto& connection : state_->Snapshot()) connection->CloseIfIdle();
  if (!state_->WaitForNoConnections(Clock::now() + state_->options.stop_timeout)) {
    const auto open = state_->Snapshot();
    state_->log->warn("{}: closing {} connections whose requests did not finish within {} ms",
                      state_->options.name, open.size(), state_->options.stop_timeout.count());
    for (const auto& connection : open) connection->ForceClose();
    static_cast<void>(state_->WaitForNoConnections(Clock::now() + std::chrono::seconds(1)));
  }
  work_.reset();
  io_.stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  state_->log->info("{}: stopped", state_->options.name);
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() = default;  // ~Impl stops

Status HttpServer::Start(HttpServerOptions options, std::shared_ptr<const HttpRouter> router,
                         std::unique_ptr<HttpServer>& out) {
  if (router == nullptr) return Status::Internal("HttpServer::Start: no router");
  auto impl = std::make_unique<Impl>(std::move(options), std::move(router));
  ARIADNE_RETURN_IF_ERROR(impl->Start());
  out.reset(new HttpServer(std::move(impl)));
  return {};
}

uint16_t HttpServer::port() const {
  return impl_->port();
}

size_t HttpServer::open_connections() const {
  return impl_->open_connections();
}

void HttpServer::StopAccepting() {
  impl_->StopAccepting();
}

void HttpServer::Stop() {
  impl_->Stop();
}

}  // namespace ariadne::runtime
