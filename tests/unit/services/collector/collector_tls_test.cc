// TLS and mutual TLS on the collector's receivers (--collector.*.tls.*).
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "collector_test_support.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "test_support.h"

namespace ariadne::testing {
namespace {

namespace fs = std::filesystem;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;
using opentelemetry::proto::collector::trace::v1::TraceService;

std::string ReadText(const fs::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, made with the
// openssl command line in a fresh temporary folder.
struct Certificates {
  Certificates() : dir(fs::temp_directory_path() / ("ariadne-tls-" + std::to_string(::getpid()))) {
    fs::create_directories(dir);
    const std::string d = dir.string();
    const std::string script =
        "set -e; cd '" + d +
        "';"
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=test-ca -keyout ca.key "
        "-out ca.pem;"
        "printf 'subjectAltName=IP:127.0.0.1\\n' > server.ext;"
        "openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out "
        "server.csr;"
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
        "-extfile server.ext -out server.pem;"
        "openssl req -newkey rsa:2048 -nodes -subj /CN=client -keyout client.key -out client.csr;"
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
        "-out client.pem";
    const std::string command = "sh -c \"" + script + "\" >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
  }
  ~Certificates() { fs::remove_all(dir); }

  runtime::TlsOptions Server(bool mutual) const {
    return {.enabled = true,
            .cert_file = (dir / "server.pem").string(),
            .key_file = (dir / "server.key").string(),
            .client_ca_file = mutual ? (dir / "ca.pem").string() : ""};
  }
  runtime::TlsOptions Client(bool with_certificate) const {
    return {.enabled = true,
            .cert_file = with_certificate ? (dir / "client.pem").string() : "",
            .key_file = with_certificate ? (dir / "client.key").string() : "",
            .client_ca_file = (dir / "ca.pem").string()};
  }

  fs::path dir;
};

grpc::Status ExportOverTls(int port, const Certificates& certificates, bool with_certificate) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadText(certificates.dir / "ca.pem");
  if (with_certificate) {
    ssl.pem_private_key = ReadText(certificates.dir / "client.key");
    ssl.pem_cert_chain = ReadText(certificates.dir / "client.pem");
  }
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::SslCredentials(ssl));
  ExportTraceServiceRequest request;
  REQUIRE(request.ParseFromString(ReadWireFixture("otlp-grpc-export-request.bin")));
  ExportTraceServiceResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return TraceService::NewStub(channel)->Export(&context, request, &response);
}

tracecore::Status PostOverTls(int port, const runtime::TlsOptions& tls, unsigned& status) {
  runtime::HttpClient client("127.0.0.1", static_cast<uint16_t>(port), tls);
  runtime::HttpClientResponse response;
  const tracecore::Status sent = client.Request(
      boost::beast::http::verb::post, "/v1/traces", {{"Content-Type", "application/x-protobuf"}},
      ReadWireFixture("otlp-http-export-request.bin"), response);
  status = response.status;
  return sent;
}

TEST_CASE("mutual TLS on the OTLP receivers: clients with a certificate from the CA are served") {
  const Certificates certificates;
  auto options = LoopbackOptions();
  options.otlp_grpc_tls = certificates.Server(/*mutual=*/true);
  options.otlp_http_tls = certificates.Server(/*mutual=*/true);
  RunningCollector collector(options);
  const auto& c = *collector.instance;

  CHECK(ExportOverTls(c.otlp_grpc_port(), certificates, /*with_certificate=*/true).ok());
  CHECK_FALSE(ExportOverTls(c.otlp_grpc_port(), certificates, /*with_certificate=*/false).ok());

  unsigned status = 0;
  CHECK(PostOverTls(c.otlp_http_port(), certificates.Client(true), status).ok());
  CHECK(status == 200);
  CHECK_FALSE(PostOverTls(c.otlp_http_port(), certificates.Client(false), status).ok());

  collector.Drain();
  CHECK(collector.store.span_count() == 8);  // one gRPC and one HTTP request got through
}

TEST_CASE("TLS without client certificates, plain clients cannot talk to a TLS port") {
  const Certificates certificates;
  auto options = LoopbackOptions();
  options.http_tls = certificates.Server(/*mutual=*/false);
  RunningCollector collector(options);
  unsigned status = 0;
  CHECK(PostOverTls(collector.instance->http_port(), certificates.Client(false), status).ok());
  CHECK(status == 200);  // every HTTP port serves /v1/traces
  runtime::HttpClient plain("127.0.0.1", static_cast<uint16_t>(collector.instance->http_port()));
  runtime::HttpClientResponse response;
  CHECK_FALSE(
      plain.Request(boost::beast::http::verb::get, "/api/sampling?service=x", {}, {}, response)
          .ok());
}

TEST_CASE("unreadable TLS files stop the collector at start, naming the flag") {
  auto options = LoopbackOptions();
  options.grpc_tls.enabled = true;
  options.grpc_tls.cert_file = "/nonexistent.pem";
  options.grpc_tls.key_file = "/nonexistent.key";
  std::unique_ptr<collector::Collector> instance;
  storage::MemoryStore store;
  const tracecore::Status started = collector::Collector::Start(
      options, store, std::make_shared<prometheus::Registry>(), instance);
  CHECK_FALSE(started.ok());
  CHECK_THAT(started.message(), Catch::Contains("--collector.grpc.tls.cert"));
}

}  // namespace
}  // namespace ariadne::testing
