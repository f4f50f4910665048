// TLS options: validation messages, HTTPS (gzip responses and max_connections included) and mutual
// TLS between HttpServer and HttpClient, with a throwaway CA and certificates made at test time
// (OpenSSL API) in a temporary directory.
#include "runtime/tls.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "runtime/http_client.h"
#include "runtime/http_server.h"

namespace ariadne::runtime {
namespace {

namespace http = boost::beast::http;
namespace fs = std::filesystem;

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

KeyPtr NewKey() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) throw std::runtime_error("cannot generate a key");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) throw std::runtime_error("bad extension");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for `key` named `common_name`, signed by `issuer`/`issuer_key` (self-signed when
// they are null). A CA when `ca`; otherwise valid for 127.0.0.1 and localhost, as server or client.
CertPtr NewCertificate(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key,
                       bool ca) {
  static long serial = 1;
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (ca) {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
    AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
    AddExtension(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  }
  X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256());
  return cert;
}

void WriteCertificate(const fs::path& path, X509* cert) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  PEM_write_X509(file, cert);
  std::fclose(file);
}

void WriteKey(const fs::path& path, EVP_PKEY* key) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(file);
}

// ca.pem; server.pem/server.key and client.pem/client.key signed by it; other-ca.pem and
// stranger.pem/stranger.key signed by that other CA. Removed with the object.
class TestPki {
 public:
  TestPki() {
    char pattern[] = "/tmp/ariadne-tls-test-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    const KeyPtr ca_key = NewKey();
    const CertPtr ca = NewCertificate(ca_key.get(), "Ariadne test CA", nullptr, nullptr, true);
    WriteCertificate(Path("ca.pem"), ca.get());
    Issue("server", ca.get(), ca_key.get());
    Issue("client", ca.get(), ca_key.get());
    const KeyPtr other_key = NewKey();
    const CertPtr other = NewCertificate(other_key.get(), "Other CA", nullptr, nullptr, true);
    WriteCertificate(Path("other-ca.pem"), other.get());
    Issue("stranger", other.get(), other_key.get());
    std::ofstream(Path("garbage.pem")) << "this is not PEM\n";
  }
  ~TestPki() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  TlsOptions Server() const {
    TlsOptions tls;
    tls.enabled = true;
    tls.cert_file = Path("server.pem");
    tls.key_file = Path("server.key");
    return tls;
  }

  // A client that trusts our CA, with the client certificate `name` ("" for none).
  TlsOptions Client(const std::string& name = "") const {
    TlsOptions tls;
    tls.enabled = true;
    tls.client_ca_file = Path("ca.pem");
    if (!name.empty()) {
      tls.cert_file = Path(name + ".pem");
      tls.key_file = Path(name + ".key");
    }
    return tls;
  }

 private:
  void Issue(const std::string& name, X509* issuer, EVP_PKEY* issuer_key) {
    const KeyPtr key = NewKey();
    const CertPtr cert = NewCertificate(key.get(), name.c_str(), issuer, issuer_key, false);
    WriteCertificate(Path(name + ".pem"), cert.get());
    WriteKey(Path(name + ".key"), key.get());
  }

  fs::path dir_;
};

const TestPki& Pki() {
  static const TestPki pki;
  return pki;
}

// 64 KiB of text that compresses well.
std::string LargeText() {
  std::string text;
  for (int i = 0; text.size() < (64u << 10); ++i) text += "span " + std::to_string(i) + "; ";
  return text;
}

// POST /echo answers the body; GET /text answers LargeText().
std::unique_ptr<HttpServer> StartServer(const TlsOptions& tls, size_t max_connections = 0) {
  auto router = std::make_shared<HttpRouter>();
  router->Add(http::verb::post, "/echo", [](const HttpRequest& request, HttpResponse& response) {
    response.body = std::string(request.body);
  });
  router->Add(http::verb::get, "/text",
              [](const HttpRequest&, HttpResponse& response) { response.body = LargeText(); });
  HttpServerOptions options;
  options.name = "tls-test";
  options.host_port = "127.0.0.1:0";
  options.tls = tls;
  options.tls_flag_prefix = "--test.tls";
  options.max_connections = max_connections;
  options.max_connections_flag = "--test.max-connections";
  std::unique_ptr<HttpServer> server;
  const tracecore::Status status = HttpServer::Start(options, router, server);
  INFO(status.message());
  REQUIRE(status.ok());
  return server;
}

tracecore::Status Echo(HttpClient& client, std::string_view body, HttpClientResponse& response) {
  return client.Request(http::verb::post, "/echo", {}, body, response, std::chrono::seconds(5));
}

TEST_CASE("ValidateTlsOptions accepts good files and disabled options") {
  const TestPki& pki = Pki();
  CHECK(ValidateTlsOptions(TlsOptions{}, "--x.tls").ok());
  CHECK(ValidateTlsOptions(pki.Server(), "--x.tls").ok());
  TlsOptions mutual = pki.Server();
  mutual.client_ca_file = pki.Path("ca.pem");
  mutual.min_version = "1.3";
  CHECK(ValidateTlsOptions(mutual, "--x.tls").ok());
  CHECK(ValidateTlsClientOptions(pki.Client(), "--x.tls").ok());
  CHECK(ValidateTlsClientOptions(pki.Client("client"), "--x.tls").ok());
}

TEST_CASE("ValidateTlsOptions names the flag and says what is wrong") {
  const TestPki& pki = Pki();
  const auto message = [](const TlsOptions& options) {
    const tracecore::Status status = ValidateTlsOptions(options, "--collector.http.tls");
    CHECK_FALSE(status.ok());
    return status.message();
  };
  TlsOptions tls = pki.Server();
  tls.cert_file = "/nonexistent/cert.pem";
  CHECK(message(tls) ==
        "--collector.http.tls.cert: cannot read /nonexistent/cert.pem: No such file or directory");

  tls = pki.Server();
  tls.key_file = pki.Path("garbage.pem");
  CHECK_THAT(message(tls), Catch::StartsWith("--collector.http.tls.key: ") &&
                               Catch::Contains("no unencrypted PEM private key"));

  tls = pki.Server();
  tls.cert_file = pki.Path("garbage.pem");
  CHECK_THAT(message(tls), Catch::StartsWith("--collector.http.tls.cert: ") &&
                               Catch::Contains("no PEM certificate"));

  tls = pki.Server();
  tls.key_file = pki.Path("client.key");
  CHECK_THAT(message(tls), Catch::StartsWith("--collector.http.tls.key: ") &&
                               Catch::Contains("does not belong to the certificate"));

  tls = pki.Server();
  tls.client_ca_file = pki.Path("garbage.pem");
  CHECK_THAT(message(tls), Catch::StartsWith("--collector.http.tls.client-ca: "));

  tls = pki.Server();
  tls.min_version = "1.1";
  CHECK(message(tls) ==
        "--collector.http.tls.min-version: unknown TLS version \"1.1\"; use 1.2 or 1.3");

  tls = TlsOptions{};
  tls.enabled = true;
  CHECK(message(tls) ==
        "--collector.http.tls.cert: required when --collector.http.tls.enabled=true");

  tls = pki.Server();
  tls.enabled = false;
  CHECK_THAT(message(tls), Catch::Contains("--collector.http.tls.enabled=true"));
}

TEST_CASE("a server with bad TLS files does not start and names the flag") {
  TlsOptions tls = Pki().Server();
  tls.cert_file = "/nonexistent.pem";
  HttpServerOptions options;
  options.host_port = "127.0.0.1:0";
  options.tls = tls;
  options.tls_flag_prefix = "--collector.otlp.http.tls";
  std::unique_ptr<HttpServer> server;
  const tracecore::Status status =
      HttpServer::Start(options, std::make_shared<HttpRouter>(), server);
  CHECK_THAT(status.message(), Catch::StartsWith("--collector.otlp.http.tls.cert: cannot read"));
  CHECK(server == nullptr);
}

TEST_CASE("HTTPS: a client that trusts the CA is served, on one connection") {
  const std::unique_ptr<HttpServer> server = StartServer(Pki().Server());
  HttpClient client("127.0.0.1", server->port(), Pki().Client());
  for (int i = 0; i < 3; ++i) {
    HttpClientResponse response;
    const tracecore::Status status = Echo(client, "secret " + std::to_string(i), response);
    INFO(status.message());
    REQUIRE(status.ok());
    CHECK(response.status == 200);
    CHECK(response.body == "secret " + std::to_string(i));
  }
  SECTION("also by host name") {
    HttpClient by_name("localhost", server->port(), Pki().Client());
    HttpClientResponse response;
    const tracecore::Status status = Echo(by_name, "named", response);
    INFO(status.message());
    CHECK(status.ok());
  }
}

std::string Gunzip(std::string_view data) {
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, 16 + MAX_WBITS) == Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  CHECK(inflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

TEST_CASE("HTTPS: responses are gzip-coded when the client accepts gzip") {
  const std::unique_ptr<HttpServer> server = StartServer(Pki().Server());
  HttpClient client("127.0.0.1", server->port(), Pki().Client());
  for (const char* accept : {"gzip", "identity", "gzip"}) {
    HttpClientResponse response;
    const tracecore::Status status =
        client.Request(http::verb::get, "/text", {{"Accept-Encoding", accept}}, "", response);
    INFO(status.message());
    REQUIRE(status.ok());
    CHECK(response.headers[http::field::vary] == "Accept-Encoding");
    if (std::string_view(accept) == "gzip") {
      CHECK(response.headers[http::field::content_encoding] == "gzip");
      CHECK(response.body.size() < LargeText().size());
      CHECK(Gunzip(response.body) == LargeText());
    } else {
      CHECK(response.body == LargeText());
    }
  }
}

TEST_CASE("HTTPS: a connection beyond max_connections is answered 503 after the handshake") {
  const std::unique_ptr<HttpServer> server = StartServer(Pki().Server(), 1);
  HttpClient first("127.0.0.1", server->port(), Pki().Client());
  HttpClientResponse response;
  REQUIRE(Echo(first, "served", response).ok());
  CHECK(response.status == 200);
  HttpClient second("127.0.0.1", server->port(), Pki().Client());
  const tracecore::Status status = Echo(second, "refused", response);
  INFO(status.message());
  REQUIRE(status.ok());
  CHECK(response.status == 503);
  CHECK(response.body ==
        "too many open connections (1, --test.max-connections): retry later or raise "
        "--test.max-connections");
  CHECK(response.headers[http::field::retry_after] == "1");
  REQUIRE(Echo(first, "still served", response).ok());
  CHECK(response.body == "still served");
}

TEST_CASE("HTTPS: bodies larger than one TLS record arrive whole") {
  const std::unique_ptr<HttpServer> server = StartServer(Pki().Server());
  HttpClient client("127.0.0.1", server->port(), Pki().Client());
  for (const size_t bytes : {size_t{16 << 10}, size_t{17000}, size_t{1} << 20}) {
    std::string body(bytes, 'r');
    for (size_t i = 0; i < bytes; i += 1000) body[i] = static_cast<char>('a' + i % 26);
    HttpClientResponse response;
    const tracecore::Status status = Echo(client, body, response);
    INFO(bytes << " bytes: " << status.message());
    REQUIRE(status.ok());
    CHECK(response.body == body);
  }
}

TEST_CASE("HTTPS: TLS 1.3 only") {
  TlsOptions tls = Pki().Server();
  tls.min_version = "1.3";
  const std::unique_ptr<HttpServer> server = StartServer(tls);
  HttpClient client("127.0.0.1", server->port(), Pki().Client());
  HttpClientResponse response;
  CHECK(Echo(client, "v13", response).ok());
  CHECK(response.body == "v13");
}

TEST_CASE("HTTPS: clients that cannot verify the server, or speak plain HTTP, fail") {
  const std::unique_ptr<HttpServer> server = StartServer(Pki().Server());
  HttpClientResponse response;
  SECTION("wrong CA") {
    TlsOptions tls = Pki().Client();
    tls.client_ca_file = Pki().Path("other-ca.pem");
    HttpClient client("127.0.0.1", server->port(), tls);
    const tracecore::Status status = Echo(client, "x", response);
    CHECK_FALSE(status.ok());
    CHECK_THAT(status.message(), Catch::Contains("TLS handshake"));
  }
  SECTION("plain HTTP to the TLS port") {
    HttpClient client("127.0.0.1", server->port());
    CHECK_FALSE(Echo(client, "x", response).ok());
  }
}

TEST_CASE("mutual TLS: only clients with a certificate from the client CA are served") {
  TlsOptions tls = Pki().Server();
  tls.client_ca_file = Pki().Path("ca.pem");
  const std::unique_ptr<HttpServer> server = StartServer(tls);
  HttpClientResponse response;
  SECTION("with a client certificate") {
    HttpClient client("127.0.0.1", server->port(), Pki().Client("client"));
    const tracecore::Status status = Echo(client, "mutual", response);
    INFO(status.message());
    REQUIRE(status.ok());
    CHECK(response.body == "mutual");
  }
  SECTION("without a client certificate") {
    HttpClient client("127.0.0.1", server->port(), Pki().Client());
    CHECK_FALSE(Echo(client, "x", response).ok());
  }
  SECTION("with a certificate from another CA") {
    HttpClient client("127.0.0.1", server->port(), Pki().Client("stranger"));
    CHECK_FALSE(Echo(client, "x", response).ok());
  }
}

TEST_CASE("a client with bad TLS files reports them on every request") {
  TlsOptions tls = Pki().Client();
  tls.client_ca_file = "/nonexistent-ca.pem";
  HttpClient client("127.0.0.1", 1, tls);
  HttpClientResponse response;
  const tracecore::Status status = Echo(client, "x", response);
  CHECK_THAT(status.message(), Catch::Contains("client-ca") && Catch::Contains("cannot read"));
}

}  // namespace
}  // namespace ariadne::runtime
