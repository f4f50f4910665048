// HttpServer over loopback: keep-alive, 100-continue, limits, Content-Encoding, malformed input,
// handler failures, timeouts and shutdown. Raw sockets where the exact bytes matter, HttpClient
// elsewhere.
#include "runtime/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
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

struct ResponseRecord {
  std::string method, route;
  unsigned status;
};

// A server on 127.0.0.1:0 with test routes:
//   POST /echo          answers the (decoded) body, with X-Body-Bytes
//   GET  /items/...     answers "item <path>"
//   GET  /throw         throws std::runtime_error
//   POST /block         opens `entered`, waits for `release`, answers "released"
class TestServer {
 public:
  explicit TestServer(HttpServerOptions options = DefaultOptions()) {
    auto router = std::make_shared<HttpRouter>();
    router->Add(http::verb::post, "/echo", [](const HttpRequest& request, HttpResponse& response) {
      response.content_type = "text/plain";
      response.body = std::string(request.body);
      response.headers.emplace_back("X-Body-Bytes", std::to_string(request.body.size()));
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
  Send(server, http::verb::get, "/items/42");
  Send(server, http::verb::get, "/missing");
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

TEST_CASE("\":port\" listens on every interface") {
  HttpServerOptions options = TestServer::DefaultOptions();
  options.host_port = ":0";
  TestServer server(options);
  CHECK(server.port() != 0);
  CHECK(Send(server, http::verb::get, "/items/any").status == 200);
}

}  // namespace
}  // namespace ariadne::runtime
