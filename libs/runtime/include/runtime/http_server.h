// HttpServer: the HTTP/1.1 listener every service uses (Boost.Beast over Asio, TLS via OpenSSL).
//
// One server per port; one HttpRouter may serve several ports. The server owns its io threads;
// handlers run on them, so a handler must not block for long (no disk or network waits, no waits
// on a full queue): it answers from memory or hands the work off and answers 429/503 when it
// cannot. A handler that throws is answered with 500; the server never crashes on input.
//
// What the server does before a handler runs:
//   - keep-alive per HTTP/1.1 (and HTTP/1.0 "Connection: keep-alive"); "Connection: close"
//   honoured;
//   - "Expect: 100-continue" answered with 100 before the body is read (or with 413 instead when
//     the announced body is too large);
//   - the body is limited while it is read (max_body_bytes, 413), then its Content-Encoding
//     (gzip, x-gzip, deflate as zlib or raw, identity) is undone within max_decoded_body_bytes
//     (413); a corrupt body is 400, an unknown encoding 415;
//   - malformed HTTP is answered with 400 and the connection closed; oversized headers with 431;
//   - a client that sends nothing, or too slowly, for idle_timeout is disconnected;
//   - with max_connections, a connection beyond it is answered 503 and closed (see the option).
// And after it:
//   - a response of at least 1 KiB is gzip-coded when the request accepts gzip (see
//     compress_responses);
//   - every response carries Content-Length.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/tls.h"
#include "tracecore/status.h"

namespace ariadne::runtime {

// One request as a handler sees it. Every view points into buffers of the connection and is valid
// only while the handler runs.
struct HttpRequest {
  boost::beast::http::verb method = boost::beast::http::verb::unknown;
  std::string_view path;   // request target before '?', as sent (not percent-decoded)
  std::string_view query;  // raw text after '?' (empty when there is none)
  const boost::beast::http::fields* headers = nullptr;
  std::string_view body;  // Content-Encoding already undone

  // The value of header `name` (case-insensitive), "" when absent.
  std::string_view Header(std::string_view name) const;
};

// Percent-decoded query parameters in order: "a=1&a=2&b" -> {a,1},{a,2},{b,""}. '+' is a space;
// a '%' not followed by two hex digits stays as it is; empty parameters ("a=1&&b") are skipped.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

// What a handler answers. The server adds Content-Length (and Connection when it closes).
struct HttpResponse {
  unsigned status = 200;
  std::string content_type;  // empty: no Content-Type header
  std::string body;
  // Further headers, e.g. {"Retry-After", "5"}. Names or values holding CR, LF or NUL, and the
  // names Content-Length, Connection and Transfer-Encoding, are dropped (and logged).
  std::vector<std::pair<std::string, std::string>> headers;
};

// Runs on an io thread of the server; see the top of this file.
using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;

// Maps (method, path) to a handler. Built at start-up, then immutable once given to a server;
// several servers may share one router and call it from all their threads.
//
// Lookup: the most specific route whose path fits decides: the exact path, else the longest
// prefix. When that route has no handler for the method, the answer is 405 with an Allow header
// (a shorter prefix, such as a UI's catch-all "/", does not take the request instead). HEAD is
// served by the GET handler when no HEAD handler is registered (the server sends no body). A
// path no route fits is answered 404 "no route for GET /x".
class HttpRouter {
 public:
  // Registering the same (method, path) twice is a programming error: throws std::logic_error.
  void Add(boost::beast::http::verb method, std::string path, HttpHandler handler);
  void AddPrefix(boost::beast::http::verb method, std::string prefix, HttpHandler handler);

  // The handler for `request`, with `route` set to its pattern (the path or prefix given to
  // Add/AddPrefix). When no route fits: answers 404/405 into `response`, sets `route` to "other"
  // and returns nullptr. The pointer stays valid as long as the router.
  const HttpHandler* Find(const HttpRequest& request, HttpResponse& response,
                          std::string_view& route) const;

  // Find, then runs the handler (exceptions from it propagate). Returns the route pattern or
  // "other". The server calls Find and the handler itself; tests call Dispatch.
  std::string_view Dispatch(const HttpRequest& request, HttpResponse& response) const;

 private:
  struct Route {
    std::string pattern;
    std::vector<std::pair<boost::beast::http::verb, HttpHandler>> handlers;
    const HttpHandler* Find(boost::beast::http::verb method) const;
  };
  static void AddTo(Route& route, boost::beast::http::verb method, HttpHandler handler);
  static void AnswerMethodNotAllowed(const HttpRequest& request, const Route& route,
                                     HttpResponse& response);

  std::map<std::string, Route, std::less<>> exact_;
  std::vector<Route> prefixes_;  // longest first
};

struct HttpServerOptions {
  std::string name;       // "otlp-http": in logs and error messages
  std::string host_port;  // "host:port", "[v6]:port" or ":port" (all interfaces); port 0: ephemeral
  // Flags named in start-up errors, e.g. "--collector.otlp.http.host-port" and
  // "--collector.otlp.http.tls"; empty: messages name the listener only.
  std::string host_port_flag;
  std::string tls_flag_prefix;
  int threads = 2;                           // io threads, which also run the handlers
  size_t max_body_bytes = 4 << 20;           // as received; larger -> 413
  size_t max_decoded_body_bytes = 16 << 20;  // after gunzip/inflate; larger -> 413
  std::string
      body_limit_hint;  // appended to 413 messages: "raise --collector.http.max-request-size"
  TlsOptions tls;
  // Bound on each wait for the client: for the next request (idle keep-alive), for a request's
  // header, for its body, for the client to take the response; and for the TLS handshake.
  std::chrono::seconds idle_timeout{60};
  // How long Stop() waits for requests in flight before closing their connections.
  std::chrono::milliseconds stop_timeout{5000};
  // Called after each response is written, on the io thread: the method, the matched route
  // pattern or "other", the status, and the time from the end of the request header to the end
  // of the response. Must be cheap and must not throw. Refusals (max_connections) are reported
  // too, as "other" with 503.
  std::function<void(std::string_view method, std::string_view route, unsigned status,
                     std::chrono::nanoseconds elapsed)>
      on_response;

  // gzip responses. A response is gzip-coded when all of these hold: the request's
  // Accept-Encoding accepts gzip (q-values honoured: "gzip;q=0" or "identity" alone say no, "*"
  // says yes; no header says no); the body has at least kMinGzipBodyBytes; the method is not
  // HEAD; the status is not 204 or 304; the handler set no Content-Encoding (its opt-out) and no
  // Content-Range; the Content-Type is not already compressed (image/* but SVG, audio/*, video/*,
  // font/woff(2), application/gzip, application/zip, application/zstd); and gzip makes the body
  // smaller. The coding runs on the io thread at zlib level 1 (about 10 ms per MB). Such a response
  // then gets "Content-Encoding: gzip", a strong ETag becomes weak, and Content-Length is the coded
  // size. Every response that could have been coded, coded or not, carries "Vary: Accept-Encoding"
  // (unless the handler's Vary already names it or "*").
  bool compress_responses = true;
  static constexpr size_t kMinGzipBodyBytes = 1024;

  // The most connections served at once; 0: no bound. A connection is open from its accept to
  // its close, idle keep-alive connections included (they hold a slot until the client closes
  // them or idle_timeout passes). A connection accepted while max_connections are open is not
  // served: the server reads its request header (no handler, no body), answers 503 "too many
  // open connections (N, <max_connections_flag>): retry later or raise <max_connections_flag>"
  // with "Retry-After: 1" and "Connection: close", and closes it; up to 64 such refusals are in
  // progress at once (each bounded by 5 s or idle_timeout if shorter), beyond that a connection
  // is closed at once without an answer. The first refusal of an episode is logged at warn.
  size_t max_connections = 0;
  std::string max_connections_flag;  // "--query.max-connections"; empty: messages name no flag
  // Called once per refused connection, on an io thread, when it is accepted (before it is
  // answered). Must be cheap and must not throw; services move a counter.
  std::function<void()> on_refused;
};

class HttpServer {
 public:
  // Binds and starts serving. Errors name the listener and say how to fix them (bad address, port
  // in use, unreadable or mismatched TLS files). On error `out` is left unchanged.
  static tracecore::Status Start(HttpServerOptions options,
                                 std::shared_ptr<const HttpRouter> router,
                                 std::unique_ptr<HttpServer>& out);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the ephemeral one when host_port asked for port 0).
  uint16_t port() const;

  // Connections open now and counted against max_connections (served ones, idle keep-alive
  // connections included; not those being refused). Any thread; for a gauge or a test.
  size_t open_connections() const;

  // Closes the listener: new connections are refused. Open connections are served on: each is
  // closed after its next response, which says "Connection: close" (a request in flight finishes;
  // idle keep-alive connections stay open until they send one more request, or until Stop()).
  // Idempotent. Call from any thread but the server's io threads (not from a handler); it waits
  // for an io thread to close the listener.
  void StopAccepting();

  // StopAccepting, close idle connections, wait up to stop_timeout for requests in flight, close
  // whatever is left and join the io threads. Idempotent; the destructor calls it. Same thread
  // rule as StopAccepting.
  void Stop();

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ariadne::runtime
