// CollectorConnection: --reporter.grpc.host-port syntax, resolution into a round-robin target,
// channel replacement, the connection-status metrics, and TLS (CA, server name, skip host verify,
// mutual TLS) against loopback gRPC servers.
#include "collector_connection.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace ariadne::agent {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double MetricValue(const prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name || family.metric.empty()) continue;
    return family.type == prometheus::MetricType::Counter ? family.metric[0].counter.value
                                                          : family.metric[0].gauge.value;
  }
  return -1;
}

// Polls `condition` until it holds or 30 s pass.
template <typename Condition>
bool Eventually(Condition condition) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// A free loopback port: bound once by the kernel's choice, then released.
int ReservePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  socklen_t length = sizeof(address);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

// A gRPC server on 127.0.0.1 whose only service is gRPC's default generic one: every method
// answers UNIMPLEMENTED, which tells a client that the connection (and TLS handshake) worked.
class TestServer {
 public:
  explicit TestServer(int port = 0, std::shared_ptr<grpc::ServerCredentials> credentials =
                                        grpc::InsecureServerCredentials()) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), std::move(credentials), &port_);
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
    REQUIRE(server_ != nullptr);
    REQUIRE(port_ > 0);
  }
  ~TestServer() { server_->Shutdown(std::chrono::system_clock::now()); }
  int port() const { return port_; }

 private:
  grpc::CallbackGenericService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// One unary call of an arbitrary method; returns its status code.
grpc::StatusCode CallOnce(const std::shared_ptr<grpc::Channel>& channel) {
  static const std::string method = "/ariadne.test.Probe/Call";
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::Slice empty;
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&done](const grpc::Status& status) { done.set_value(status); });
  return done.get_future().get().error_code();
}

ReporterOptions OptionsFor(std::vector<std::string> host_ports) {
  ReporterOptions options;
  options.host_ports = std::move(host_ports);
  return options;
}

// A resolver the test controls: host -> addresses; a missing host does not resolve.
class FakeDns {
 public:
  void Set(const std::string& host, std::vector<std::string> addresses) {
    std::lock_guard lock(mutex_);
    table_[host] = std::move(addresses);
  }
  void Remove(const std::string& host) {
    std::lock_guard lock(mutex_);
    table_.erase(host);
  }
  CollectorConnection::Resolver resolver() {
    return [this](const std::string& host, const std::string& port,
                  std::vector<std::string>& addresses) {
      std::lock_guard lock(mutex_);
      auto found = table_.find(host);
      if (found == table_.end()) return tracecore::Status::Unavailable(host + ": unknown name");
      for (const std::string& address : found->second) {
        addresses.push_back(address);
        addresses.back().append(":").append(port);
      }
      return tracecore::Status();
    };
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::string>> table_;
};

TEST_CASE("host:port entries that are not host:port are errors naming the flag and the entry") {
  prometheus::Registry registry;
  for (const std::string entry :
       {"collector", "collector:", "collector:0", "collector:65536", "collector:14250x",
        "::1:14250", "[::1]", "[::1:14250", "[::1]14250"}) {
    INFO(entry);
    std::unique_ptr<CollectorConnection> connection;
    const auto status = CollectorConnection::Start(OptionsFor({entry}), registry, connection);
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.message(), Catch::Contains("--reporter.grpc.host-port"));
    CHECK_THAT(status.message(), Catch::Contains("\"" + entry + "\""));
    CHECK(connection == nullptr);
  }
  std::unique_ptr<CollectorConnection> connection;
  const auto status = CollectorConnection::Start(OptionsFor({}), registry, connection);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.message(), Catch::Contains("--reporter.grpc.host-port"));
}

TEST_CASE("the target lists the IPv4 addresses, or the IPv6 ones when there is no IPv4 one") {
  CHECK(CollectorConnection::TargetFor({"10.0.0.1:14250", "[::1]:14250", "10.0.0.2:14250"}) ==
        "ipv4:10.0.0.1:14250,10.0.0.2:14250");
  CHECK(CollectorConnection::TargetFor({"[::1]:14250", "[fe80::1]:14251"}) ==
        "ipv6:[::1]:14250,[fe80::1]:14251");
  CHECK(CollectorConnection::TargetFor({}).empty());
}

TEST_CASE("address literals and names resolve with getaddrinfo into one round-robin target") {
  prometheus::Registry registry;
  std::unique_ptr<CollectorConnection> connection;
  REQUIRE(CollectorConnection::Start(OptionsFor({"127.0.0.2:14250", "127.0.0.1:14250"}), registry,
                                     connection)
              .ok());
  CHECK(connection->target() == "ipv4:127.0.0.1:14250,127.0.0.2:14250");
  CHECK(connection->channel() != nullptr);

  REQUIRE(CollectorConnection::Start(OptionsFor({"[::1]:14250"}), registry, connection).ok());
  CHECK(connection->target() == "ipv6:[::1]:14250");

  REQUIRE(CollectorConnection::Start(OptionsFor({"localhost:14250"}), registry, connection).ok());
  CHECK_THAT(connection->target(),
             Catch::Contains("ipv4:127.0.0.1:14250") || Catch::Contains("ipv6:[::1]:14250"));
}

TEST_CASE("a name that does not resolve at start is not fatal, it is retried") {
  prometheus::Registry registry;
  FakeDns dns;
  std::unique_ptr<CollectorConnection> connection;
  REQUIRE(CollectorConnection::Start(OptionsFor({"collector:14250"}), registry, connection,
                                     dns.resolver())
              .ok());
  // Meanwhile gRPC's own resolver tries the name.
  CHECK(connection->target() == "dns:///collector:14250");
  CHECK(connection->channel() != nullptr);

  dns.Set("collector", {"10.1.0.1"});
  // The background thread retries every second while nothing is known.
  CHECK(Eventually([&] { return connection->target() == "ipv4:10.1.0.1:14250"; }));
}

TEST_CASE(
    "a changed address set replaces the channel, a name that stops resolving keeps its "
    "last addresses") {
  prometheus::Registry registry;
  FakeDns dns;
  dns.Set("a", {"10.0.0.1", "10.0.0.2"});
  dns.Set("b", {"10.0.0.3"});
  auto options = OptionsFor({"a:14250", "b:14250"});
  options.resolve_interval = std::chrono::hours(1);  // only ResolveNow re-resolves here
  std::unique_ptr<CollectorConnection> connection;
  REQUIRE(CollectorConnection::Start(options, registry, connection, dns.resolver()).ok());
  CHECK(connection->target() == "ipv4:10.0.0.1:14250,10.0.0.2:14250,10.0.0.3:14250");
  const auto first = connection->channel();

  connection->ResolveNow();  // same addresses: same channel
  CHECK(connection->channel() == first);

  dns.Set("a", {"10.0.0.2", "10.0.0.4"});
  connection->ResolveNow();
  CHECK(connection->target() == "ipv4:10.0.0.2:14250,10.0.0.3:14250,10.0.0.4:14250");
  CHECK(connection->channel() != first);
  CHECK(first->GetState(false) != GRPC_CHANNEL_SHUTDOWN);  // whoever holds it can still call

  dns.Remove("b");
  connection->ResolveNow();
  CHECK(connection->target() == "ipv4:10.0.0.2:14250,10.0.0.3:14250,10.0.0.4:14250");
}

TEST_CASE("names are re-resolved every resolve_interval in the background") {
  prometheus::Registry registry;
  FakeDns dns;
  dns.Set("collector", {"10.0.0.1"});
  auto options = OptionsFor({"collector:14250"});
  options.resolve_interval = std::chrono::milliseconds(20);
  std::unique_ptr<CollectorConnection> connection;
  REQUIRE(CollectorConnection::Start(options, registry, connection, dns.resolver()).ok());
  CHECK(connection->target() == "ipv4:10.0.0.1:14250");
  dns.Set("collector", {"10.0.0.9", "10.0.0.1"});
  CHECK(Eventually([&] { return connection->target() == "ipv4:10.0.0.1:14250,10.0.0.9:14250"; }));
  connection->Stop();
  connection->Stop();  // idempotent
}

TEST_CASE("the connected gauge follows the channel, reconnects are counted") {
  const int port = ReservePort();
  prometheus::Registry registry;
  std::unique_ptr<CollectorConnection> connection;
  REQUIRE(CollectorConnection::Start(OptionsFor({"127.0.0.1:" + std::to_string(port)}), registry,
                                     connection)
              .ok());
  constexpr char kConnected[] = "jaeger_agent_connection_status_collector_connected";
  constexpr char kReconnects[] = "jaeger_agent_connection_status_collector_reconnects_total";
  CHECK(MetricValue(registry, kConnected) == 0);
  CHECK(MetricValue(registry, kReconnects) == 0);
  {
    const TestServer server(port);
    CHECK(Eventually([&] { return MetricValue(registry, kConnected) == 1; }));
    CHECK(MetricValue(registry, kReconnects) == 1);
    CHECK(CallOnce(connection->channel()) == grpc::StatusCode::UNIMPLEMENTED);
  }
  CHECK(Eventually([&] { return MetricValue(registry, kConnected) == 0; }));
  const TestServer server(port);
  CHECK(Eventually([&] { return MetricValue(registry, kConnected) == 1; }));
  CHECK(MetricValue(registry, kReconnects) == 2);
}

std::string ReadText(const fs::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Throw-away CAs and certificates, made with the openssl command line in a fresh folder:
//   ca.pem          the collectors' CA
//   ip.pem          server certificate for IP 127.0.0.1
//   named.pem       server certificate for DNS collector.test only
//   stranger.pem    server certificate for IP 127.0.0.1 from another CA
//   client.pem      client certificate from ca.pem
struct Certificates {
  Certificates()
      : dir(fs::temp_directory_path() / ("ariadne-agent-tls-" + std::to_string(::getpid()))) {
    fs::create_directories(dir);
    const std::string script =
        "set -e; cd '" + dir.string() +
        "';"
        "req() { openssl req -newkey rsa:2048 -nodes -subj /CN=\\$1 -keyout \\$1.key -out "
        "\\$1.csr; };"
        "sign() { openssl x509 -req -in \\$1.csr -CA \\$2.pem -CAkey \\$2.key -CAcreateserial "
        "-days 1 "
        "-extfile \\$1.ext -out \\$1.pem; };"
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=ca -keyout ca.key -out ca.pem;"
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other -keyout other.key "
        "-out other.pem;"
        "echo subjectAltName=IP:127.0.0.1 > ip.ext; req ip; sign ip ca;"
        "echo subjectAltName=DNS:collector.test > named.ext; req named; sign named ca;"
        "echo subjectAltName=IP:127.0.0.1 > stranger.ext; req stranger; sign stranger other;"
        "echo basicConstraints=CA:FALSE > client.ext; req client; sign client ca";
    const std::string command = "sh -c \"" + script + "\" >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
  }
  ~Certificates() { fs::remove_all(dir); }

  std::shared_ptr<grpc::ServerCredentials> Server(const std::string& name,
                                                  bool require_client_certificate = false) const {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back(
        {ReadText(dir / (name + ".key")), ReadText(dir / (name + ".pem"))});
    if (require_client_certificate) {
      ssl.pem_root_certs = ReadText(dir / "ca.pem");
      ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    return grpc::SslServerCredentials(ssl);
  }

  ReporterOptions Client(int port, bool with_certificate = false) const {
    ReporterOptions options = OptionsFor({"127.0.0.1:" + std::to_string(port)});
    options.tls.enabled = true;
    options.tls.client_ca_file = (dir / "ca.pem").string();
    if (with_certificate) {
      options.tls.cert_file = (dir / "client.pem").string();
      options.tls.key_file = (dir / "client.key").string();
    }
    return options;
  }

  fs::path dir;
};

// The status of one call through a connection made from `options`.
grpc::StatusCode CallThrough(const ReporterOptions& options) {
  prometheus::Registry registry;
  std::unique_ptr<CollectorConnection> connection;
  const auto started = CollectorConnection::Start(options, registry, connection);
  REQUIRE(started.ok());
  return CallOnce(connection->channel());
}

TEST_CASE("TLS: the collector's certificate is checked against the CA and the name") {
  const Certificates certificates;
  const TestServer ip_server(0, certificates.Server("ip"));
  const TestServer named_server(0, certificates.Server("named"));
  const TestServer stranger_server(0, certificates.Server("stranger"));

  SECTION("a certificate from the CA for the address is accepted") {
    CHECK(CallThrough(certificates.Client(ip_server.port())) == grpc::StatusCode::UNIMPLEMENTED);
  }
  SECTION("a certificate for another name is refused unless server-name names it") {
    auto options = certificates.Client(named_server.port());
    CHECK(CallThrough(options) == grpc::StatusCode::UNAVAILABLE);
    options.tls_server_name = "collector.test";
    CHECK(CallThrough(options) == grpc::StatusCode::UNIMPLEMENTED);
    options.tls_server_name = "elsewhere.test";
    CHECK(CallThrough(options) == grpc::StatusCode::UNAVAILABLE);
  }
  SECTION("skip-host-verify accepts another name but still checks the chain") {
    auto options = certificates.Client(named_server.port());
    options.tls_skip_host_verify = true;
    CHECK(CallThrough(options) == grpc::StatusCode::UNIMPLEMENTED);
    options = certificates.Client(stranger_server.port());
    options.tls_skip_host_verify = true;
    CHECK(CallThrough(options) == grpc::StatusCode::UNAVAILABLE);
  }
  SECTION("a certificate from an unknown CA is refused") {
    CHECK(CallThrough(certificates.Client(stranger_server.port())) ==
          grpc::StatusCode::UNAVAILABLE);
  }
  SECTION("a plain-text client cannot talk to a TLS collector") {
    CHECK(CallThrough(OptionsFor({"127.0.0.1:" + std::to_string(ip_server.port())})) ==
          grpc::StatusCode::UNAVAILABLE);
  }
}

TEST_CASE("mutual TLS: the agent presents its certificate when cert and key are set") {
  const Certificates certificates;
  const TestServer server(0, certificates.Server("ip", /*require_client_certificate=*/true));
  CHECK(CallThrough(certificates.Client(server.port(), /*with_certificate=*/true)) ==
        grpc::StatusCode::UNIMPLEMENTED);
  CHECK(CallThrough(certificates.Client(server.port())) == grpc::StatusCode::UNAVAILABLE);
  auto skip = certificates.Client(server.port(), /*with_certificate=*/true);
  skip.tls_skip_host_verify = true;
  CHECK(CallThrough(skip) == grpc::StatusCode::UNIMPLEMENTED);
}

TEST_CASE("TLS files that cannot be read are start errors naming the flag") {
  prometheus::Registry registry;
  std::unique_ptr<CollectorConnection> connection;
  auto options = OptionsFor({"127.0.0.1:14250"});
  options.tls.enabled = true;
  options.tls.client_ca_file = "/nonexistent/ca.pem";
  auto status = CollectorConnection::Start(options, registry, connection);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.message(), Catch::Contains("--reporter.grpc.tls.ca"));
  CHECK_THAT(status.message(), Catch::Contains("/nonexistent/ca.pem"));

  options.tls.client_ca_file.clear();
  options.tls.cert_file = "/nonexistent/cert.pem";
  status = CollectorConnection::Start(options, registry, connection);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.message(), Catch::Contains("--reporter.grpc.tls"));
}

}  // namespace
}  // namespace ariadne::agent
