// RunLoad end to end on loopback: tracegen sends to a tiny HTTP server, a gRPC generic server and
// a UDP socket, each of which decodes what it gets with tracecore's decoders and counts spans.
// Checks that what tracegen reports is what the receivers saw, and that backpressure and partial
// success are counted as rejected.
#include "tracegen/tracegen.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <zlib.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "tracegen/protocol.h"

namespace ariadne::tracegen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// What a receiver saw: spans decoded, and the distinct trace ids.
struct Received {
  std::atomic<uint64_t> spans{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> decode_errors{0};
  std::mutex mutex;
  std::set<tracecore::TraceId> traces;

  void Count(Protocol protocol, std::string_view body) {
    tracecore::SpanBatch batch;
    if (!DecodeRequest(protocol, body, batch).ok()) {
      ++decode_errors;
      return;
    }
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& span : batch.spans()) traces.insert(span.trace_id);
    spans += batch.spans().size();
    ++requests;
  }
};

std::string Gunzip(const std::string& compressed) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(16 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = inflate(&stream, Z_FINISH);
  out.resize(result == Z_STREAM_END ? stream.total_out : 0);
  inflateEnd(&stream);
  return out;
}

// A keep-alive HTTP/1.1 server on 127.0.0.1:0, one thread per connection, answering every
// request with `status` (and `body`) after counting its spans.
class TestHttpServer {
 public:
  TestHttpServer(Protocol protocol, int status, std::string body = {})
      : protocol_(protocol),
        status_(status),
        body_(std::move(body)),
        acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~TestHttpServer() {
    stopping_ = true;
    // A blocked accept() does not notice close(): wake it with one last connection.
    beast::error_code ignored;
    asio::ip::tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ignored);
    accept_thread_.join();
    acceptor_.close(ignored);
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& socket : sockets_) socket->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    for (std::thread& thread : connections_) thread.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  Received& received() { return received_; }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      auto socket = std::make_shared<asio::ip::tcp::socket>(io_);
      beast::error_code error;
      acceptor_.accept(*socket, error);
      if (error || stopping_) return;
      std::lock_guard<std::mutex> lock(mutex_);
      sockets_.push_back(socket);
      connections_.emplace_back([this, socket] { Serve(*socket); });
    }
  }
  void Serve(asio::ip::tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      beast::error_code error;
      http::read(socket, buffer, parser, error);
      if (error) return;
      auto request = parser.release();
      std::string body = request.body();
      if (request[http::field::content_encoding] == "gzip") {
        ++gzipped_;
        body = Gunzip(body);
      }
      received_.Count(protocol_, body);
      http::response<http::string_body> response(static_cast<http::status>(status_), 11);
      response.body() = body_;
      response.keep_alive(true);
      response.prepare_payload();
      http::write(socket, response, error);
      if (error) return;
    }
  }

  Protocol protocol_;
  int status_;
  std::string body_;
  std::atomic<bool> stopping_{false};
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread accept_thread_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<asio::ip::tcp::socket>> sockets_;
  std::vector<std::thread> connections_;
  Received received_;

 public:
  std::atomic<int> gzipped_{0};
};

// A gRPC server on 127.0.0.1:0 with one generic service that decodes every call as `protocol`,
// counts its spans and answers with `code` (and `response` on OK).
class TestGrpcServer {
 public:
  TestGrpcServer(Protocol protocol, grpc::StatusCode code, std::string response = {})
      : service_(protocol, code, std::move(response), received_) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterCallbackGenericService(&service_);
    builder.SetMaxReceiveMessageSize(64 << 20);
    server_ = builder.BuildAndStart();
  }
  ~TestGrpcServer() { server_->Shutdown(); }
  int port() const { return port_; }
  Received& received() { return received_; }
  std::string last_method() {
    std::lock_guard<std::mutex> lock(service_.mutex);
    return service_.method;
  }

 private:
  struct Service : grpc::CallbackGenericService {
    Service(Protocol p, grpc::StatusCode c, std::string r, Received& counts)
        : protocol(p), code(c), response(std::move(r)), received(counts) {}
    grpc::ServerGenericBidiReactor* CreateReactor(
        grpc::GenericCallbackServerContext* context) override {
      {
        std::lock_guard<std::mutex> lock(mutex);
        method = context->method();
      }
      return new Reactor(*this);
    }
    Protocol protocol;
    grpc::StatusCode code;
    std::string response;
    Received& received;
    std::mutex mutex;
    std::string method;
  };
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    explicit Reactor(Service& service) : service_(service) { StartRead(&request_); }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status::OK);
        return;
      }
      std::vector<grpc::Slice> slices;
      std::string body;
      if (request_.Dump(&slices).ok()) {
        for (const auto& slice : slices) {
          body.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
        }
      }
      service_.received.Count(service_.protocol, body);
      if (service_.code != grpc::StatusCode::OK) {
        Finish(grpc::Status(service_.code, "test server says no"));
        return;
      }
      grpc::Slice slice(service_.response);
      response_ = grpc::ByteBuffer(&slice, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnWriteDone(bool /*ok*/) override {}
    void OnDone() override { delete this; }

   private:
    Service& service_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };

  Received received_;
  Service service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TracegenOptions Options(const std::string& protocol, int port, int64_t traces) {
  TracegenOptions options;
  options.protocol = protocol;
  options.endpoint = "127.0.0.1:" + std::to_string(port);
  options.traces = traces;
  options.duration = {};
  options.workers = 2;
  options.batch_size = 50;
  options.pool_size = 2;
  options.timeout = std::chrono::seconds(20);
  return options;
}

FinalReport Run(const TracegenOptions& options) {
  std::ostringstream progress;
  FinalReport report;
  const tracecore::Status status = RunLoad(options, progress, nullptr, report);
  INFO(status.message());
  REQUIRE(status.ok());
  return report;
}

TEST_CASE("HTTP protocols: the server receives exactly the spans tracegen reports accepted") {
  for (const char* name :
       {"otlp-http", "otlp-http-json", "jaeger-thrift-http", "zipkin-json", "zipkin-proto"}) {
    DYNAMIC_SECTION(name) {
      Protocol protocol = Protocol::kOtlpHttp;
      REQUIRE(ParseProtocol(name, protocol).ok());
      TestHttpServer server(protocol, 202);
      const FinalReport report = Run(Options(name, server.port(), 300));
      CHECK(server.received().decode_errors == 0);
      CHECK(report.totals.traces == 300);
      CHECK(server.received().traces.size() == 300);  // re-stamped ids: 300 distinct traces
      CHECK(report.totals.spans_sent == server.received().spans);
      CHECK(report.totals.spans_accepted == server.received().spans);
      CHECK(report.totals.requests == server.received().requests);
      CHECK(report.totals.spans_rejected == 0);
      CHECK(report.totals.spans_failed == 0);
      CHECK(report.protocol == name);
      CHECK(ExitCodeFor(report) == 0);
    }
  }
}

TEST_CASE("HTTP with gzip bodies") {
  TestHttpServer server(Protocol::kOtlpHttp, 200);
  TracegenOptions options = Options("otlp-http", server.port(), 50);
  options.compression = "gzip";
  const FinalReport report = Run(options);
  CHECK(server.gzipped_ > 0);
  CHECK(report.totals.spans_accepted == server.received().spans);
  CHECK(server.received().decode_errors == 0);
}

TEST_CASE("HTTP backpressure (429) counts as rejected and the run fails") {
  TestHttpServer server(Protocol::kZipkinJson, 429);
  const FinalReport report = Run(Options("zipkin-json", server.port(), 40));
  CHECK(report.totals.spans_accepted == 0);
  CHECK(report.totals.spans_rejected == report.totals.spans_sent);
  CHECK(report.totals.errors_by_status.at("429") == report.totals.requests);
  CHECK(ExitCodeFor(report) == 1);
}

TEST_CASE("gRPC protocols: the server receives exactly the spans tracegen reports accepted") {
  for (const char* name : {"otlp-grpc", "jaeger-grpc"}) {
    DYNAMIC_SECTION(name) {
      Protocol protocol = Protocol::kOtlpGrpc;
      REQUIRE(ParseProtocol(name, protocol).ok());
      TestGrpcServer server(protocol, grpc::StatusCode::OK);
      const FinalReport report = Run(Options(name, server.port(), 500));
      CHECK(server.last_method() == InfoOf(protocol).path);
      CHECK(server.received().decode_errors == 0);
      CHECK(server.received().traces.size() == 500);
      CHECK(report.totals.spans_sent == server.received().spans);
      CHECK(report.totals.spans_accepted == server.received().spans);
      CHECK(report.totals.spans_failed == 0);
    }
  }
}

TEST_CASE("gRPC RESOURCE_EXHAUSTED counts as rejected, OTLP partial success as partly rejected") {
  SECTION("RESOURCE_EXHAUSTED") {
    TestGrpcServer server(Protocol::kOtlpGrpc, grpc::StatusCode::RESOURCE_EXHAUSTED);
    const FinalReport report = Run(Options("otlp-grpc", server.port(), 30));
    CHECK(report.totals.spans_rejected == report.totals.spans_sent);
    CHECK(report.totals.errors_by_status.at("RESOURCE_EXHAUSTED") == report.totals.requests);
  }
  SECTION("partial success") {
    // ExportTraceServiceResponse{partial_success{rejected_spans: 3}}
    const std::string response("\x0a\x02\x08\x03", 4);
    TestGrpcServer server(Protocol::kOtlpGrpc, grpc::StatusCode::OK, response);
    const FinalReport report = Run(Options("otlp-grpc", server.port(), 30));
    CHECK(report.totals.spans_rejected == 3 * report.totals.requests);
    CHECK(report.totals.spans_accepted == report.totals.spans_sent - 3 * report.totals.requests);
    CHECK(report.totals.errors_by_status.at("partial_success") == report.totals.requests);
  }
}

TEST_CASE("UDP agent protocols: every datagram decodes as Agent.emitBatch") {
  for (const char* name : {"jaeger-compact-udp", "jaeger-binary-udp"}) {
    DYNAMIC_SECTION(name) {
      Protocol protocol = Protocol::kJaegerCompactUdp;
      REQUIRE(ParseProtocol(name, protocol).ok());
      asio::io_context io;
      asio::ip::udp::socket socket(io, {asio::ip::make_address("127.0.0.1"), 0});
      socket.set_option(asio::socket_base::receive_buffer_size(8 << 20));
      Received received;
      std::atomic<bool> done{false};
      std::thread reader([&] {
        std::string datagram(65536, '\0');
        while (!done) {
          beast::error_code error;
          const size_t size = socket.receive(asio::buffer(datagram), 0, error);
          if (error || done) return;  // shutdown() wakes the receive with an empty datagram
          received.Count(protocol, std::string_view(datagram.data(), size));
        }
      });
      TracegenOptions options = Options(name, socket.local_endpoint().port(), 60);
      options.rate = 20000;  // gentle: UDP drops what a full socket buffer cannot take
      const FinalReport report = Run(options);
      // Await the last datagrams (bounded), then stop the reader.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (received.spans < report.totals.spans_sent &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      done = true;
      beast::error_code ignored;
      socket.shutdown(asio::socket_base::shutdown_both, ignored);
      socket.close(ignored);
      reader.join();
      CHECK(received.decode_errors == 0);
      CHECK(received.spans == report.totals.spans_sent);
      CHECK(report.totals.spans_accepted == report.totals.spans_sent);
      CHECK(received.traces.size() == 60);
    }
  }
}

TEST_CASE("bad options stop the run before any traffic, naming the flag") {
  FinalReport report;
  std::ostringstream progress;
  TracegenOptions options;
  options.protocol = "smoke-signals";
  CHECK(RunLoad(options, progress, nullptr, report).message().find("--protocol") !=
        std::string::npos);
  options = {};
  options.compression = "brotli";
  CHECK(RunLoad(options, progress, nullptr, report).message().find("--compression") !=
        std::string::npos);
  options = {};
  options.services = {"a"};
  options.graph_file = "graph.yaml";
  CHECK(RunLoad(options, progress, nullptr, report).message().find("--services") !=
        std::string::npos);
  options = {};
  options.tls.cert_file = "client.pem";
  CHECK(RunLoad(options, progress, nullptr, report).message().find("--tls.key") !=
        std::string::npos);
}

TEST_CASE("a stop request ends an unbounded run, and progress lines were printed") {
  TestGrpcServer server(Protocol::kOtlpGrpc, grpc::StatusCode::OK);
  TracegenOptions options = Options("otlp-grpc", server.port(), 0);
  options.rate = 2000;
  options.report_interval = std::chrono::milliseconds(50);
  std::atomic<bool> stop{false};
  std::ostringstream progress;
  FinalReport report;
  std::thread stopper([&] {
    // Stop once traffic has arrived (bounded wait).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (server.received().spans < 500 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    stop = true;
  });
  REQUIRE(RunLoad(options, progress, &stop, report).ok());
  stopper.join();
  CHECK(report.totals.spans_accepted >= 500);
  CHECK(report.totals.spans_accepted == server.received().spans);
  CHECK(progress.str().find("t=") != std::string::npos);
}

}  // namespace
}  // namespace ariadne::tracegen
