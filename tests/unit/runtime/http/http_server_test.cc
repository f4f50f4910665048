// HttpServer over loopback: keep-alive, 100-continue, limits, Content-Encoding, malformed input,
// handler failures, timeouts, shutdown, gzip responses and max_connections. Raw sockets where the
// exact bytes matter, HttpClient elsewhere.
#include "runtime/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <charconv>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "runtime/http_client.h"

namespace ariadne::runtime {
namespace {

namespace http = boost::beast::http;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr auto kWait = std::chrono::seconds(10);  // bound on every wait of a test

// A one-shot signal between a handler and the test.
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  // False when the gate stayed closed for kWait.
  bool Wait() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWait, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

struct RawResponse {
  unsigned status = 0;
  std::string head;  // status line and header fields
  std::string body;

  bool HasHeader(std::string_view line) const { return head.find(line) != std::string::npos; }
};

// A blocking loopback TCP connection with a receive timeout, for byte-exact exchanges.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    timeval timeout{};
    timeout.tv_sec = kWait.count();
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    connected_ = ::connect(fd_, Address(port), sizeof(sockaddr_in)) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  void Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return;  // the server closed; the test checks the responses
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
  }

  // Reads one response (header, then Content-Length bytes of body). False on EOF or timeout.
  bool Read(RawResponse& out) {
    size_t end = 0;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    out.head = pending_.substr(0, end + 2);
    pending_.erase(0, end + 4);
    out.status = static_cast<unsigned>(std::stoul(out.head.substr(9, 3)));
    size_t length = 0;
    const size_t field = Lower(out.head).find("\r\ncontent-length: ");
    if (field != std::string::npos) length = std::stoul(out.head.substr(field + 18));
    while (pending_.size() < length) {
      if (!Fill()) return false;
    }
    out.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return true;
  }

  // True when the server closes the connection (orderly or by reset) before kWait.
  bool ReadsEof() {
    char chunk[4096];
    for (;;) {
      const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (got == 0) return true;
      if (got < 0) return errno == ECONNRESET;
    }
  }

  static const sockaddr* Address(uint16_t port) {
    static thread_local sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return reinterpret_cast<const sockaddr*>(&address);
  }

 private:
  static std::string Lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }

  bool Fill() {
    char chunk[65536];
    const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (got <= 0) return false;
    pending_.append(chunk, static_cast<size_t>(got));
    return true;
  }

  int fd_;
  bool connected_ = false;
  std::string pending_;
};

// True when a new connection to `port` is refused.
bool Refuses(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const bool refused = ::connect(fd, RawConnection::Address(port), sizeof(sockaddr_in)) != 0;
  ::close(fd);
  return refused;
}

// Waits (bounded) until `port` refuses connections.
bool WaitUntilRefused(uint16_t port) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!Refuses(port)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

std::string Compress(std::string_view data, int window_bits, int level = Z_BEST_SPEED) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}
std::string Gzip(std::string_view data) {
  return Compress(data, 16 + MAX_WBITS);
}
std::string Zlib(std::string_view data) {
  return Compress(data, MAX_WBITS);
}
std::string RawDeflate(std::string_view data) {
  return Compress(data, -MAX_WBITS);
}

// Undoes one gzip member; fails the test on anything else.
std::string Gunzip(std::string_view data) {
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, 16 + MAX_WBITS) == Z_OK);
  std::string out(64 << 10, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (stream.total_out == out.size()) out.resize(out.size() * 2);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + stream.total_out);
    stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
    rc = inflate(&stream, Z_NO_FLUSH);
  }
  CHECK(rc == Z_STREAM_END);
  CHECK(stream.avail_in == 0);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

// `bytes` of text that compresses well, and differs with `bytes`.
std::string TextBody(size_t bytes) {
  std::string body;
  for (size_t i = 0; body.size() < bytes; ++i) {
    body += "{\"spanID\":\"" + std::to_string(i * 7919) + "\",\"operationName\":\"GET /items\"},";
  }
  body.resize(bytes);
  return body;
}

// `bytes` that gzip cannot shrink (a fixed pseudo-random sequence).
std::string RandomBody(size_t bytes) {
  std::string body(bytes, '\0');
  uint32_t state = 12345;
  for (char& c : body) {
    state = state * 1103515245 + 12345;
    c = static_cast<char>(state >> 24);
  }
  return body;
}

// The number in the query "bytes=N", or `fallback`.
size_t BytesParameter(const HttpRequest& request, size_t fallback) {
  for (const auto& [name, value] : ParseQuery(request.query)) {
    size_t bytes = 0;
    if (name == "bytes" &&
        std::from_chars(value.data(), value.data() + value.size(), bytes).ec == std::errc()) {
      return bytes;
    }
  }
  return fallback;
}

// Waits (bounded) until `condition` holds.
bool WaitUntil(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

struct ResponseRecord {
  std::string method, route;
  unsigned status;
};

// A server on 127.0.0.1:0 with test routes:
//   POST /echo          answers the (decoded) body, with X-Body-Bytes
//   GET  /items/...     answers "item <path>"
//   GET  /throw         throws std::runtime_error
//   POST /block         opens `entered`, waits for `release`, answers "released"
//   GET, HEAD /text     answers TextBody(bytes=N, default 8 KiB) as text/plain
//   GET  /random        answers RandomBody(bytes=N, default 8 KiB) as text/plain
//   GET  /png           answers 8 KiB of text as image/png
//   GET  /coded         answers 8 KiB of text with its own "Content-Encoding: identity"
//   GET  /etag          answers 8 KiB of text with ETag "v1" and "Vary: Origin"
class TestServer {
 public:
  explicit TestServer(HttpServerOptions options = DefaultOptions()) {
    auto router = std::make_shared<HttpRouter>();
    router->Add(http::verb::post, "/echo", [](const HttpRequest& request, HttpResponse& response) {
      response.content_type = "text/plain";
      response.body = std::string(request.body);
      response.headers.emplace_back("X-Body-Bytes", std::to_string(request.body.size()));
    });
    // Appends to the body it is given, as handlers that render into it do.
    router->Add(http::verb::post, "/append",
                [](const HttpRequest& request, HttpResponse& response) {
                  response.content_type = "text/plain";
                  response.body.append(request.body);
                });
    router->AddPrefix(http::verb::get, "/items/",
                      [](const HttpRequest& request, HttpResponse& response) {
                        response.body = "item " + std::string(request.path);
                      });
    router->Add(http::verb::get, "/throw", [](const HttpRequest&, HttpResponse&) {
      throw std::runtime_error("handler failed on purpose");
    });
    router->Add(http::verb::post, "/block", [this](const HttpRequest&, HttpResponse& response) {
      entered.Open();
      response.body = release.Wait() ? "released" : "timed out";
    });
    AddBodyRoutes(*router);
    options.on_response = [this](std::string_view method, std::string_view route, unsigned status,
                                 std::chrono::nanoseconds) {
      std::lock_guard lock(mutex_);
      responses_.push_back({std::string(method), std::string(route), status});
      responded_.notify_all();
    };
    const tracecore::Status status = HttpServer::Start(std::move(options), router, server);
    INFO(status.message());
    REQUIRE(status.ok());
  }

  static void AddBodyRoutes(HttpRouter& router) {
    const auto text = [](const HttpRequest& request, HttpResponse& response) {
      response.content_type = "text/plain";
      response.body = TextBody(BytesParameter(request, 8 << 10));
    };
    router.Add(http::verb::get, "/text", text);
    router.Add(http::verb::head, "/text", text);
    router.Add(http::verb::get, "/random", [](const HttpRequest& request, HttpResponse& response) {
      response.content_type = "text/plain";
      response.body = RandomBody(BytesParameter(request, 8 << 10));
    });
    router.Add(http::verb::get, "/png", [](const HttpRequest&, HttpResponse& response) {
      response.content_type = "image/png";
      response.body = TextBody(8 << 10);
    });
    router.Add(http::verb::get, "/coded", [](const HttpRequest&, HttpResponse& response) {
      response.body = TextBody(8 << 10);
      response.headers.emplace_back("Content-Encoding", "identity");
    });
    router.Add(http::verb::get, "/etag", [](const HttpRequest&, HttpResponse& response) {
      response.body = TextBody(8 << 10);
      response.headers.emplace_back("ETag", "\"v1\"");
      response.headers.emplace_back("Vary", "Origin");
    });
  }

  static HttpServerOptions DefaultOptions() {
    HttpServerOptions options;
    options.name = "test-http";
    options.host_port = "127.0.0.1:0";
    options.max_body_bytes = 64 << 10;
    options.max_decoded_body_bytes = 256 << 10;
    options.body_limit_hint = "raise --test.max-request-size";
    return options;
  }

  uint16_t port() const { return server->port(); }

  // The responses reported to on_response, once there are `count` (on_response runs after the
  // client may already have read the response).
  std::vector<ResponseRecord> WaitForResponses(size_t count) {
    std::unique_lock lock(mutex_);
    responded_.wait_for(lock, kWait, [&] { return responses_.size() >= count; });
    return responses_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable responded_;
  std::vector<ResponseRecord> responses_;

 public:
  Gate entered, release;
  std::unique_ptr<HttpServer> server;  // last: stopped before the members its callbacks use
};

HttpClientResponse Send(TestServer& server, http::verb method, std::string_view target,
                        std::string_view body = "", const Headers& headers = {}) {
  HttpClient client("127.0.0.1", server.port());
  HttpClientResponse response;
  const tracecore::Status status = client.Request(method, target, headers, body, response);
  INFO(status.message());
  REQUIRE(status.ok());
  return response;
}

TEST_CASE("several requests share one keep-alive connection") {
  TestServer server;
  RawConnection connection(server.port());
  REQUIRE(connection.connected());
  for (int i = 0; i < 3; ++i) {
    const std::string body = "request " + std::to_string(i);
    connection.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body);
    RawResponse response;
    REQUIRE(connection.Read(response));
    CHECK(response.status == 200);
    CHECK(response.body == body);
    CHECK(response.HasHeader("Content-Length: " + std::to_string(body.size()) + "\r\n"));
    CHECK(response.HasHeader("Content-Type: text/plain\r\n"));
    CHECK(response.HasHeader("X-Body-Bytes: " + std::to_string(body.size()) + "\r\n"));
    CHECK_FALSE(response.HasHeader("Connection: close"));
  }
  // Two requests in one write (pipelining) are answered in order.
  connection.Send(
      "GET /items/a HTTP/1.1\r\nHost: x\r\n\r\nGET /items/b HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse first, second;
  REQUIRE(connection.Read(first));
  REQUIRE(connection.Read(second));
  CHECK(first.body == "item /items/a");
  CHECK(second.body == "item /items/b");
}

TEST_CASE("the client keeps its connection across requests") {
  TestServer server;
  HttpClient client("127.0.0.1", server.port());
  for (int i = 0; i < 5; ++i) {
    HttpClientResponse response;
    REQUIRE(client.Request(http::verb::post, "/echo", {}, "x" + std::to_string(i), response).ok());
    CHECK(response.status == 200);
    CHECK(response.body == "x" + std::to_string(i));
  }
}

TEST_CASE("large response buffers pass between connections and carry none of their bytes over") {
  HttpServerOptions options = TestServer::DefaultOptions();
  options.max_body_bytes = 8 << 20;
  options.max_decoded_body_bytes = 8 << 20;
  TestServer server(options);
  HttpClient first("127.0.0.1", server.port());
  HttpClient second("127.0.0.1", server.port());
  const std::string large(3 << 20, 'L');  // beyond what one connection keeps between requests
  HttpClientResponse response;
  REQUIRE(first.Request(http::verb::post, "/append", {}, large, response).ok());
  CHECK(response.body == large);
  // The next responses on either connection may be appended to the buffer `large` filled.
  REQUIRE(second.Request(http::verb::post, "/append", {}, "small", response).ok());
  CHECK(response.body == "small");
  const std::string other(2 << 20, 'o');
  REQUIRE(first.Request(http::verb::post, "/append", {}, other, response).ok());
  CHECK(response.body == other);
  REQUIRE(first.Request(http::verb::post, "/append", {}, "last", response).ok());
  CHECK(response.body == "last");
}

TEST_CASE("Connection: close and HTTP/1.0 end the connection after the response") {
  TestServer server;
  SECTION("HTTP/1.1 with Connection: close") {
    RawConnection connection(server.port());
    connection.Send("GET /items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    RawResponse response;
    REQUIRE(connection.Read(response));
    CHECK(response.body == "item /items/1");
    CHECK(response.HasHeader("Connection: close\r\n"));
    CHECK(connection.ReadsEof());
  }
  SECTION("HTTP/1.0 without keep-alive") {
    RawConnection connection(server.port());
    connection.Send("GET /items/1 HTTP/1.0\r\n\r\n");
    RawResponse response;
    REQUIRE(connection.Read(response));
    CHECK(response.status == 200);
    CHECK(connection.ReadsEof());
  }
  SECTION("HTTP/1.0 with keep-alive stays open") {
    RawConnection connection(server.port());
    for (int i = 0; i < 2; ++i) {
      connection.Send("GET /items/1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      RawResponse response;
      REQUIRE(connection.Read(response));
      CHECK(response.HasHeader("Connection: keep-alive\r\n"));
    }
  }
}

TEST_CASE("Expect: 100-continue is answered before the body is sent") {
  TestServer server;
  RawConnection connection(server.port());
  const std::string body(2000, 'b');
  connection.Send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n");
  RawResponse interim;
  REQUIRE(connection.Read(interim));
  CHECK(interim.status == 100);
  connection.Send(body);
  RawResponse response;
  REQUIRE(connection.Read(response));
  CHECK(response.status == 200);
  CHECK(response.body == body);
}

TEST_CASE("a body over max_body_bytes is 413 and the connection closes") {
  TestServer server;  // max_body_bytes = 64 KiB
  SECTION("announced by Content-Length with Expect: 100-continue: no 100, straight 413") {
    RawConnection connection(server.port());
    connection.Send(
        "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
        "1000000\r\n\r\n");
    RawResponse response;
    REQUIRE(connection.Read(response));
    CHECK(response.status == 413);
    CHECK_THAT(response.body,
               Catch::Contains("65536 bytes") && Catch::Contains("raise --test.max-request-size"));
    CHECK(connection.ReadsEof());
  }
  SECTION("sent in chunks that add up to more than the limit") {
    RawConnection connection(server.port());
    connection.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk(16 << 10, 'c');
    for (int i = 0; i < 5; ++i) connection.Send("4000\r\n" + chunk + "\r\n");
    RawResponse response;
    REQUIRE(connection.Read(response));
    CHECK(response.status == 413);
    CHECK(connection.ReadsEof());
  }
  SECTION("a client that sends the whole body still reads the 413") {
    const HttpClientResponse response =
        Send(server, http::verb::post, "/echo", std::string(1 << 20, 'x'));
    CHECK(response.status == 413);
  }
  SECTION("a body at the limit passes") {
    const HttpClientResponse response =
        Send(server, http::verb::post, "/echo", std::string(64 << 10, 'x'));
    CHECK(response.status == 200);
    CHECK(response.body.size() == (64u << 10));
  }
}

TEST_CASE("gzip and deflate bodies reach the handler decoded") {
  TestServer server;
  std::string payload;
  for (int i = 0; i < 2000; ++i) payload += "span " + std::to_string(i) + ";";
  const auto echoed = [&](std::string_view encoding, const std::string& body) {
    return Send(server, http::verb::post, "/echo", body,
                {{"Content-Encoding", std::string(encoding)}});
  };
  CHECK(echoed("gzip", Gzip(payload)).body == payload);
  CHECK(echoed("x-gzip", Gzip(payload)).body == payload);
  CHECK(echoed("GZIP", Gzip(payload)).body == payload);
  CHECK(echoed("deflate", Zlib(payload)).body == payload);
  CHECK(echoed("deflate", RawDeflate(payload)).body == payload);
  CHECK(echoed("identity", payload).body == payload);
  CHECK(echoed("gzip, identity", Gzip(payload)).body == payload);
  // Two gzip members one after the other decode as their concatenation.
  CHECK(echoed("gzip", Gzip("first,") + Gzip("second")).body == "first,second");
  // A body that decodes to exactly the limit passes.
  CHECK(echoed("gzip", Gzip(std::string(256 << 10, 'z'))).status == 200);
}

TEST_CASE("a body that decodes past max_decoded_body_bytes is 413") {
  TestServer server;  // 256 KiB decoded at most
  const std::string bomb =
      Compress(std::string(16 << 20, '\0'), 16 + MAX_WBITS, Z_BEST_COMPRESSION);
  REQUIRE(bomb.size() < (64u << 10));  // small on the wire
  const HttpClientResponse response =
      Send(server, http::verb::post, "/echo", bomb, {{"Content-Encoding", "gzip"}});
  CHECK(response.status == 413);
  CHECK_THAT(response.body, Catch::Contains("decompressed body exceeds the limit of 262144") &&
                                Catch::Contains("raise --test.max-request-size"));
  // The server goes on serving.
  CHECK(Send(server, http::verb::post, "/echo", "ok").body == "ok");
}

TEST_CASE("a corrupt or truncated compressed body is 400") {
  TestServer server;
  const std::string gzipped = Gzip(std::string(10000, 'a') + "tail");
  SECTION("not gzip at all") {
    const HttpClientResponse response =
        Send(server, http::verb::post, "/echo", "plain text", {{"Content-Encoding", "gzip"}});
    CHECK(response.status == 400);
    CHECK_THAT(response.body, Catch::StartsWith("cannot decompress gzip body: "));
  }
  SECTION("truncated") {
    const HttpClientResponse response =
        Send(server, http::verb::post, "/echo", gzipped.substr(0, gzipped.size() / 2),
             {{"Content-Encoding", "gzip"}});
    CHECK(response.status == 400);
    CHECK(response.body == "cannot decompress gzip body: the compressed stream is truncated");
  }
  SECTION("garbage after the stream") {
    const HttpClientResponse response =
        Send(server, http::verb::post, "/echo", gzipped + "junk", {{"Content-Encoding", "gzip"}});
    CHECK(response.status == 400);
    CHECK_THAT(response.body, Catch::Contains("follow the end of the compressed stream"));
  }
  SECTION("corrupt deflate") {
    const HttpClientResponse response =
        Send(server, http::verb::post, "/echo", std::string(100, '\xff'),
             {{"Content-Encoding", "deflate"}});
    CHECK(response.status == 400);
    CHECK_THAT(response.body, Catch::StartsWith("cannot decompress deflate body: "));
  }
}

TEST_CASE("an unknown Content-Encoding is 415") {
  TestServer server;
  const HttpClientResponse br =
      Send(server, http::verb::post, "/echo", "data", {{"Content-Encoding", "br"}});
  CHECK(br.status == 415);
  CHECK_THAT(br.body, Catch::Contains("\"br\"") && Catch::Contains("gzip, deflate or identity"));
  const HttpClientResponse stacked =
      Send(server, http::verb::post, "/echo", "data", {{"Content-Encoding", "gzip, deflate"}});
  CHECK(stacked.status == 415);
}

TEST_CASE("malformed HTTP is 400 and the connection closes") {
  TestServer server;
  const char* request = GENERATE("GET / HTTP/1.1\r\nBad Header\r\n\r\n", "NOT HTTP AT ALL\r\n\r\n",
                                 "GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                                 "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  RawConnection connection(server.port());
  connection.Send(request);
  RawResponse response;
  REQUIRE(connection.Read(response));
  CHECK(response.status == 400);
  CHECK_THAT(response.body, Catch::StartsWith("malformed HTTP request: "));
  CHECK(response.HasHeader("Connection: close\r\n"));
  CHECK(connection.ReadsEof());
}

TEST_CASE("an oversized request header is 431") {
  TestServer server;
  RawConnection connection(server.port());
  connection.Send("GET /items/x HTTP/1.1\r\nX-Big: " + std::string(40 << 10, 'h') + "\r\n\r\n");
  RawResponse response;
  REQUIRE(connection.Read(response));
  CHECK(response.status == 431);
  CHECK(connection.ReadsEof());
}

TEST_CASE("unknown paths are 404 and other methods 405 over the wire") {
  TestServer server;
  const HttpClientResponse missing = Send(server, http::verb::get, "/nope?x=1");
  CHECK(missing.status == 404);
  CHECK(missing.body == "no route for GET /nope");
  const HttpClientResponse wrong_method = Send(server, http::verb::delete_, "/echo");
  CHECK(wrong_method.status == 405);
  CHECK(wrong_method.headers[http::field::allow] == "POST");
}

TEST_CASE("a handler that throws is answered 500 and the connection goes on") {
  TestServer server;
  RawConnection connection(server.port());
  connection.Send("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse failed;
  REQUIRE(connection.Read(failed));
  CHECK(failed.status == 500);
  CHECK_THAT(failed.body, !Catch::Contains("on purpose"));  // no internals leak to the client
  connection.Send("GET /items/after HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse next;
  REQUIRE(connection.Read(next));
  CHECK(next.status == 200);
}

TEST_CASE("on_response sees the method, the route pattern and the status") {
  TestServer server;
  // on_response runs once the response is sent, possibly after the client has read it: wait for
  // each record before the next request, so that the records come in request order.
  Send(server, http::verb::get, "/items/42");
  REQUIRE(server.WaitForResponses(1).size() == 1);
  Send(server, http::verb::get, "/missing");
  REQUIRE(server.WaitForResponses(2).size() == 2);
  Send(server, http::verb::get, "/throw");
  const std::vector<ResponseRecord> responses = server.WaitForResponses(3);
  REQUIRE(responses.size() == 3);
  CHECK(responses[0].method == "GET");
  CHECK(responses[0].route == "/items/");
  CHECK(responses[0].status == 200);
  CHECK(responses[1].route == "other");
  CHECK(responses[1].status == 404);
  CHECK(responses[2].route == "/throw");
  CHECK(responses[2].status == 500);
}

TEST_CASE("a client that sends nothing is disconnected after idle_timeout") {
  HttpServerOptions options = TestServer::DefaultOptions();
  options.idle_timeout = std::chrono::seconds(1);
  TestServer server(options);
  RawConnection silent(server.port());
  CHECK(silent.ReadsEof());
  RawConnection slow(server.port());
  slow.Send("GET /items/1 HTTP/1.1\r\nHo");  // and never the rest
  CHECK(slow.ReadsEof());
}

TEST_CASE("StopAccepting refuses new connections and lets the request in flight finish") {
  TestServer server;
  RawConnection connection(server.port());
  connection.Send("POST /block HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(server.entered.Wait());
  server.server->StopAccepting();
  CHECK(Refuses(server.port()));
  server.release.Open();
  RawResponse response;
  REQUIRE(connection.Read(response));
  CHECK(response.status == 200);
  CHECK(response.body == "released");
  CHECK(response.HasHeader("Connection: close\r\n"));
  CHECK(connection.ReadsEof());
  server.server->Stop();
  server.server->Stop();  // idempotent
}

TEST_CASE("Stop closes idle connections and waits for the request in flight") {
  TestServer server;
  RawConnection idle(server.port());
  idle.Send("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse first;
  REQUIRE(idle.Read(first));  // now idle on a kept-alive connection
  RawConnection busy(server.port());
  busy.Send("POST /block HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(server.entered.Wait());
  std::thread stopper([&] { server.server->Stop(); });
  const bool refused = WaitUntilRefused(server.port());
  server.release.Open();
  RawResponse response;
  const bool answered = busy.Read(response);
  stopper.join();
  CHECK(refused);
  REQUIRE(answered);
  CHECK(response.status == 200);
  CHECK(response.body == "released");
  CHECK(idle.ReadsEof());
  CHECK(busy.ReadsEof());
}

TEST_CASE("Start reports a port in use and a bad address with the listener's name") {
  TestServer first;
  HttpServerOptions options = TestServer::DefaultOptions();
  options.name = "otlp-http";
  options.host_port_flag = "--collector.otlp.http.host-port";
  options.host_port = "127.0.0.1:" + std::to_string(first.port());
  std::unique_ptr<HttpServer> second;
  const auto router = std::make_shared<HttpRouter>();
  const tracecore::Status in_use = HttpServer::Start(options, router, second);
  CHECK_FALSE(in_use.ok());
  CHECK_THAT(in_use.message(), Catch::Contains("otlp-http") &&
                                   Catch::Contains("--collector.otlp.http.host-port") &&
                                   Catch::Contains("another process already listens"));
  CHECK(second == nullptr);
  for (const char* bad : {"127.0.0.1", "127.0.0.1:99999", "::1:80", "[::1]80", "host:port"}) {
    options.host_port = bad;
    const tracecore::Status status = HttpServer::Start(options, router, second);
    INFO(bad);
    CHECK_FALSE(status.ok());
    CHECK_THAT(status.message(), Catch::Contains("otlp-http") && Catch::Contains(bad));
  }
}

TEST_CASE("a host-port of \":port\" listens on every interface") {
  HttpServerOptions options = TestServer::DefaultOptions();
  options.host_port = ":0";
  TestServer server(options);
  CHECK(server.port() != 0);
  CHECK(Send(server, http::verb::get, "/items/any").status == 200);
}

HttpClientResponse Get(TestServer& server, std::string_view target, const Headers& headers,
                       http::verb method = http::verb::get) {
  return Send(server, method, target, "", headers);
}

bool IsGzipCoded(const HttpClientResponse& response) {
  return response.headers[http::field::content_encoding] == "gzip";
}

TEST_CASE("a response of 1 KiB or more is gzip-coded when the request accepts gzip") {
  TestServer server;
  const char* accept =
      GENERATE("gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.001", "x-gzip", "GZIP;Q=1", "*",
               "deflate;q=0.5, *", "gzip;q=0.5", "identity;q=0.5, gzip",
               "gzip ; q=0.8 , identity;q=0.8", "gzip;q=0.5;level=1");
  INFO("Accept-Encoding: " << accept);
  const size_t bytes = GENERATE(size_t{HttpServerOptions::kMinGzipBodyBytes}, size_t{1} << 20);
  const std::string expected = TextBody(bytes);
  const HttpClientResponse response =
      Get(server, "/text?bytes=" + std::to_string(bytes), {{"Accept-Encoding", accept}});
  CHECK(response.status == 200);
  REQUIRE(IsGzipCoded(response));
  CHECK(response.headers[http::field::vary] == "Accept-Encoding");
  CHECK(response.headers[http::field::content_type] == "text/plain");
  CHECK(response.headers[http::field::content_length] == std::to_string(response.body.size()));
  CHECK(response.body.size() < expected.size());
  CHECK(Gunzip(response.body) == expected);
}

TEST_CASE("gzip is not used when the request does not accept it, and Vary says why") {
  TestServer server;
  const std::string expected = TextBody(8 << 10);
  SECTION("Accept-Encoding that rules gzip out") {
    const char* accept =
        GENERATE("gzip;q=0", "gzip;q=0.000", "identity", "", "br, deflate", "*;q=0", "gzip;q=0, *",
                 "gzip;q=0.5, identity", "*;q=0.9, gzip;q=0.8", "x-gzip;q=0", "gzip;q=2",
                 "gzip;q=0.5x", "gzip;q=", "gzip;q=1.5", "gzip;q=0.1234");
    INFO("Accept-Encoding: " << accept);
    const HttpClientResponse response = Get(server, "/text", {{"Accept-Encoding", accept}});
    CHECK(response.status == 200);
    CHECK_FALSE(response.headers.count(http::field::content_encoding));
    CHECK(response.headers[http::field::vary] == "Accept-Encoding");
    CHECK(response.body == expected);
  }
  SECTION("no Accept-Encoding") {
    const HttpClientResponse response = Get(server, "/text", {});
    CHECK_FALSE(response.headers.count(http::field::content_encoding));
    CHECK(response.headers[http::field::vary] == "Accept-Encoding");
    CHECK(response.body == expected);
  }
  SECTION("several Accept-Encoding lines count as one list") {
    const HttpClientResponse response =
        Get(server, "/text", {{"Accept-Encoding", "br"}, {"Accept-Encoding", "gzip"}});
    REQUIRE(IsGzipCoded(response));
    CHECK(Gunzip(response.body) == expected);
  }
}

TEST_CASE("small bodies, HEAD, compressed types and handler codings are sent as they are") {
  TestServer server;
  const Headers accept = {{"Accept-Encoding", "gzip"}};
  SECTION("a body under kMinGzipBodyBytes: no gzip, no Vary") {
    const size_t bytes = HttpServerOptions::kMinGzipBodyBytes - 1;
    const HttpClientResponse response = Get(server, "/text?bytes=" + std::to_string(bytes), accept);
    CHECK_FALSE(response.headers.count(http::field::content_encoding));
    CHECK_FALSE(response.headers.count(http::field::vary));
    CHECK(response.body == TextBody(bytes));
  }
  SECTION("HEAD: the identity length, and Vary as for GET") {
    const HttpClientResponse response = Get(server, "/text", accept, http::verb::head);
    CHECK(response.status == 200);
    CHECK_FALSE(response.headers.count(http::field::content_encoding));
    CHECK(response.headers[http::field::vary] == "Accept-Encoding");
    CHECK(response.headers[http::field::content_length] == std::to_string(8 << 10));
    CHECK(response.body.empty());
  }
  SECTION("a handler's own Content-Encoding is kept and nothing is added") {
    const HttpClientResponse response = Get(server, "/coded", accept);
    CHECK(response.headers[http::field::content_encoding] == "identity");
    CHECK(response.headers.count(http::field::content_encoding) == 1);
    CHECK_FALSE(response.headers.count(http::field::vary));
    CHECK(response.body == TextBody(8 << 10));
  }
  SECTION("an already compressed media type") {
    const HttpClientResponse response = Get(server, "/png", accept);
    CHECK_FALSE(response.headers.count(http::field::content_encoding));
    CHECK(response.body == TextBody(8 << 10));
  }
  SECTION("a body gzip cannot shrink goes as it is, with Vary") {
    const HttpClientResponse response = Get(server, "/random", accept);
    CHECK_FALSE(response.headers.count(http::field::content_encoding));
    CHECK(response.headers[http::field::vary] == "Accept-Encoding");
    CHECK(response.body == RandomBody(8 << 10));
  }
  SECTION("compress_responses = false") {
    HttpServerOptions options = TestServer::DefaultOptions();
    options.compress_responses = false;
    TestServer plain(options);
    const HttpClientResponse response = Get(plain, "/text", accept);
    CHECK_FALSE(response.headers.count(http::field::content_encoding));
    CHECK_FALSE(response.headers.count(http::field::vary));
    CHECK(response.body == TextBody(8 << 10));
  }
}

TEST_CASE("gzip keeps the handler's Vary and weakens a strong ETag") {
  TestServer server;
  const HttpClientResponse response = Get(server, "/etag", {{"Accept-Encoding", "gzip"}});
  REQUIRE(IsGzipCoded(response));
  CHECK(response.headers[http::field::etag] == "W/\"v1\"");
  std::vector<std::string> vary;
  const auto [begin, end] = response.headers.equal_range(http::field::vary);
  for (auto field = begin; field != end; ++field) vary.emplace_back(field->value());
  CHECK(vary == std::vector<std::string>{"Origin", "Accept-Encoding"});
  CHECK(Gunzip(response.body) == TextBody(8 << 10));
  // Without gzip the validator stays strong.
  CHECK(Get(server, "/etag", {}).headers[http::field::etag] == "\"v1\"");
}

TEST_CASE("coded and plain responses alternate on one keep-alive connection") {
  TestServer server;
  HttpClient client("127.0.0.1", server.port());
  for (int i = 0; i < 6; ++i) {
    const bool gzip = i % 2 == 0;
    const size_t bytes = (size_t{3000} << i) + static_cast<size_t>(i);
    HttpClientResponse response;
    const Headers headers = {{"Accept-Encoding", gzip ? "gzip" : "identity"}};
    REQUIRE(
        client
            .Request(http::verb::get, "/text?bytes=" + std::to_string(bytes), headers, "", response)
            .ok());
    INFO("request " << i);
    CHECK(IsGzipCoded(response) == gzip);
    CHECK((gzip ? Gunzip(response.body) : response.body) == TextBody(bytes));
  }
}

// A test server with max_connections = 2 that counts refusals.
struct LimitedServer {
  static HttpServerOptions Options(std::atomic<int>& refused) {
    HttpServerOptions options = TestServer::DefaultOptions();
    options.max_connections = 2;
    options.max_connections_flag = "--test.max-connections";
    options.on_refused = [&refused] { ++refused; };
    return options;
  }

  std::atomic<int> refused{0};
  TestServer server{Options(refused)};  // after `refused`, which its callback uses
};

constexpr std::string_view kRefusal =
    "too many open connections (2, --test.max-connections): retry later or raise "
    "--test.max-connections";

// Sends GET /items/<name> and reads the answer.
RawResponse GetItem(RawConnection& connection, const std::string& name) {
  connection.Send("GET /items/" + name + " HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse response;
  REQUIRE(connection.Read(response));
  return response;
}

TEST_CASE("max_connections: a connection beyond the limit is answered 503 and closed") {
  LimitedServer limited;
  TestServer& server = limited.server;
  auto first = std::make_unique<RawConnection>(server.port());
  RawConnection second(server.port());
  CHECK(GetItem(*first, "1").status == 200);
  CHECK(GetItem(second, "2").status == 200);
  CHECK(server.server->open_connections() == 2);  // both idle, kept alive

  RawConnection third(server.port());
  const RawResponse refused = GetItem(third, "3");
  CHECK(refused.status == 503);
  CHECK(refused.body == kRefusal);
  CHECK(refused.HasHeader("Retry-After: 1\r\n"));
  CHECK(refused.HasHeader("Connection: close\r\n"));
  CHECK(refused.HasHeader("Content-Type: text/plain\r\n"));
  CHECK(third.ReadsEof());
  CHECK(limited.refused == 1);

  // A body is not waited for: the refusal comes instead of 100 Continue.
  RawConnection uploader(server.port());
  uploader.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 50000\r\n\r\n");
  RawResponse upload;
  REQUIRE(uploader.Read(upload));
  CHECK(upload.status == 503);
  CHECK(uploader.ReadsEof());
  CHECK(limited.refused == 2);

  // The open connections go on being served.
  CHECK(GetItem(*first, "again").body == "item /items/again");
  CHECK(server.server->open_connections() == 2);

  // A connection that closes frees its slot.
  first.reset();
  REQUIRE(WaitUntil([&] { return server.server->open_connections() == 1; }));
  RawConnection fourth(server.port());
  const RawResponse served = GetItem(fourth, "4");
  CHECK(served.status == 200);
  CHECK(served.body == "item /items/4");
  CHECK(limited.refused == 2);
  CHECK(server.server->open_connections() == 2);
}

TEST_CASE("max_connections: refusals reach on_response and leave no slot taken") {
  LimitedServer limited;
  TestServer& server = limited.server;
  HttpClient first("127.0.0.1", server.port());
  HttpClient second("127.0.0.1", server.port());
  HttpClientResponse response;
  REQUIRE(first.Request(http::verb::get, "/items/a", {}, "", response).ok());
  REQUIRE(second.Request(http::verb::get, "/items/b", {}, "", response).ok());
  for (int i = 0; i < 3; ++i) {
    const HttpClientResponse refused = Send(server, http::verb::get, "/items/c");
    CHECK(refused.status == 503);
    CHECK(refused.headers[http::field::retry_after] == "1");
  }
  const std::vector<ResponseRecord> responses = server.WaitForResponses(5);
  REQUIRE(responses.size() == 5);
  const auto refusals = std::count_if(responses.begin(), responses.end(), [](const auto& record) {
    return record.route == "other" && record.status == 503;
  });
  CHECK(refusals == 3);
  CHECK(limited.refused == 3);
  CHECK(server.server->open_connections() == 2);
  first.Close();
  second.Close();
  REQUIRE(WaitUntil([&] { return server.server->open_connections() == 0; }));
  CHECK(Send(server, http::verb::get, "/items/d").status == 200);
}

TEST_CASE("max_connections = 0 does not bound connections") {
  TestServer server;
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < 5; ++i) {
    connections.push_back(std::make_unique<RawConnection>(server.port()));
    CHECK(GetItem(*connections.back(), std::to_string(i)).status == 200);
  }
  CHECK(server.server->open_connections() == 5);
}

}  // namespace
}  // namespace ariadne::runtime
