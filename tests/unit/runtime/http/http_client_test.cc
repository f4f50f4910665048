// HttpClient against scripted loopback servers: reconnecting after the server closed a kept-alive
// connection, timeouts, refused connections and the response size limit.
#include "runtime/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>
#include <stdexcept>
#include <thread>

namespace ariadne::runtime {
namespace {

namespace http = boost::beast::http;

// A loopback listener whose thread serves connections with a script, one connection at a time.
class ScriptedServer {
 public:
  // `script(fd, index)` handles the index-th accepted connection; the server closes it after.
  ScriptedServer(int connections, std::function<void(int, int)> script)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, connections, script = std::move(script)] {
      for (int i = 0; i < connections; ++i) {
        const int connection = ::accept(fd_, nullptr, nullptr);
        if (connection < 0) return;
        timeval timeout{};
        timeout.tv_sec = 10;
        ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
        script(connection, i);
        ::close(connection);
      }
    });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);  // ends a pending accept()
    thread_.join();
    ::close(fd_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  uint16_t port() const { return port_; }

 private:
  int fd_;
  uint16_t port_ = 0;
  std::thread thread_;
};

// Reads one request header (these tests send no bodies). False on EOF or timeout.
bool ReadRequest(int fd, std::string& request) {
  request.clear();
  char chunk[4096];
  while (request.find("\r\n\r\n") == std::string::npos) {
    const ssize_t got = ::recv(fd, chunk, sizeof(chunk), 0);
    if (got <= 0) return false;
    request.append(chunk, static_cast<size_t>(got));
  }
  return true;
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
}

std::string Ok(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

TEST_CASE("a request after the server closed the kept-alive connection goes on a new one") {
  // Each connection answers one request with a keep-alive response, then the server closes it.
  ScriptedServer server(2, [](int fd, int index) {
    std::string request;
    if (ReadRequest(fd, request)) SendAll(fd, Ok("connection " + std::to_string(index)));
  });
  HttpClient client("127.0.0.1", server.port());
  HttpClientResponse first, second;
  REQUIRE(client.Request(http::verb::get, "/a", {}, "", first).ok());
  CHECK(first.body == "connection 0");
  const tracecore::Status status = client.Request(http::verb::get, "/b", {}, "", second);
  INFO(status.message());
  REQUIRE(status.ok());
  CHECK(second.body == "connection 1");
}

TEST_CASE("the client sends Host, User-Agent, Content-Length and the caller's headers") {
  std::string seen;
  {
    ScriptedServer server(1, [&seen](int fd, int) {
      if (ReadRequest(fd, seen)) SendAll(fd, "HTTP/1.1 204 No Content\r\nX-Reply: yes\r\n\r\n");
    });
    HttpClient client("127.0.0.1", server.port());
    HttpClientResponse response;
    REQUIRE(client.Request(http::verb::get, "/path?q=1", {{"X-Custom", "v"}}, "", response).ok());
    CHECK(response.status == 204);
    CHECK(response.headers["X-Reply"] == "yes");
  }
  CHECK_THAT(seen, Catch::StartsWith("GET /path?q=1 HTTP/1.1\r\n") &&
                       Catch::Contains("Host: 127.0.0.1:") &&
                       Catch::Contains("User-Agent: ariadne\r\n") &&
                       Catch::Contains("X-Custom: v\r\n"));
}

TEST_CASE("a server that never answers makes the request time out") {
  ScriptedServer server(1, [](int fd, int) {
    std::string request;
    ReadRequest(fd, request);
    char byte;
    ::recv(fd, &byte, 1, 0);  // until the client gives up and closes
  });
  HttpClient client("127.0.0.1", server.port());
  HttpClientResponse response;
  const tracecore::Status status =
      client.Request(http::verb::get, "/", {}, "", response, std::chrono::milliseconds(200));
  CHECK_FALSE(status.ok());
  CHECK_THAT(status.message(),
             Catch::Contains("http://127.0.0.1:") && Catch::Contains("timed out after 200 ms"));
}

TEST_CASE("a refused connection is an error naming the address") {
  uint16_t port = 0;
  {
    ScriptedServer closed(0, [](int, int) {});
    port = closed.port();
  }  // nothing listens on `port` any more
  HttpClient client("127.0.0.1", port);
  HttpClientResponse response;
  const tracecore::Status status = client.Request(http::verb::get, "/", {}, "", response);
  CHECK_FALSE(status.ok());
  CHECK_THAT(status.message(),
             Catch::Contains("127.0.0.1:" + std::to_string(port)) && Catch::Contains("connect"));
}

TEST_CASE("a response larger than max_response_bytes is refused") {
  ScriptedServer server(1, [](int fd, int) {
    std::string request;
    if (ReadRequest(fd, request)) SendAll(fd, Ok(std::string(4096, 'r')));
  });
  HttpClient client("127.0.0.1", server.port());
  client.set_max_response_bytes(1024);
  HttpClientResponse response;
  const tracecore::Status status = client.Request(http::verb::get, "/", {}, "", response);
  CHECK(status.code() == tracecore::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace ariadne::runtime
