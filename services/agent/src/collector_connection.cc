#include "collector_connection.h"

#include <arpa/inet.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/support/channel_arguments.h>
#include <netdb.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "runtime/degraded_episode.h"
#include "runtime/log.h"

namespace ariadne::agent {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kComponent[] = "agent";
constexpr char kHostPortFlag[] = "--reporter.grpc.host-port";
constexpr char kTlsFlag[] = "--reporter.grpc.tls";
// How often the background thread looks at the channel state (it also wakes on every change).
constexpr auto kStatePollInterval = std::chrono::milliseconds(200);
// How often names are retried while none has ever resolved.
constexpr auto kUnresolvedRetryInterval = std::chrono::seconds(1);
// gRPC reconnects to an unreachable collector with backoff up to this (its default is 120 s, too
// long for a collector that restarts in seconds).
constexpr int kMaxReconnectBackoffMs = 5000;
constexpr int kInitialReconnectBackoffMs = 100;

// One --reporter.grpc.host-port entry, split.
struct Endpoint {
  std::string entry;  // as written
  std::string host;   // brackets removed
  std::string port;
};

tracecore::Status SyntaxError(const std::string& entry, const std::string& why) {
  return tracecore::Status::InvalidArgument(std::string(kHostPortFlag) + ": \"" + entry + "\" " +
                                            why +
                                            " (expected host:port, e.g. jaeger-collector:14250 "
                                            "or [::1]:14250)");
}

tracecore::Status ParseEndpoint(const std::string& entry, Endpoint& out) {
  out.entry = entry;
  size_t colon = 0;
  if (!entry.empty() && entry.front() == '[') {
    const size_t close = entry.find(']');
    if (close == std::string::npos || close + 1 >= entry.size() || entry[close + 1] != ':') {
      return SyntaxError(entry, "has an unterminated [IPv6] host or no port");
    }
    out.host = entry.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = entry.rfind(':');
    if (colon == std::string::npos) return SyntaxError(entry, "has no port");
    out.host = entry.substr(0, colon);
    if (out.host.find(':') != std::string::npos) {
      return SyntaxError(entry, "has an IPv6 host without [brackets]");
    }
  }
  out.port = entry.substr(colon + 1);
  int port = 0;
  const char* end = out.port.data() + out.port.size();
  const auto parsed = std::from_chars(out.port.data(), end, port);
  if (out.port.empty() || parsed.ec != std::errc() || parsed.ptr != end || port < 1 ||
      port > 65535) {
    return SyntaxError(entry, "has no valid port (1-65535)");
  }
  // Go's dialer, which Jaeger's agent uses, reads an empty host as the local system.
  if (out.host.empty()) out.host = "localhost";
  return {};
}

// "host:port", with brackets around an IPv6 host.
std::string Authority(const Endpoint& endpoint) {
  const bool ipv6 = endpoint.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + endpoint.port;
}

tracecore::Status GetAddrInfo(const std::string& host, const std::string& port,
                              std::vector<std::string>& addresses) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int error = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
  if (error != 0) {
    return tracecore::Status::Unavailable("cannot resolve " + host + ": " + gai_strerror(error));
  }
  for (const addrinfo* info = found; info != nullptr; info = info->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    if (info->ai_family == AF_INET) {
      const auto* address = reinterpret_cast<const sockaddr_in*>(info->ai_addr);
      ::inet_ntop(AF_INET, &address->sin_addr, text, sizeof(text));
      addresses.push_back(std::string(text) + ":" + port);
    } else if (info->ai_family == AF_INET6) {
      const auto* address = reinterpret_cast<const sockaddr_in6*>(info->ai_addr);
      ::inet_ntop(AF_INET6, &address->sin6_addr, text, sizeof(text));
      addresses.push_back("[" + std::string(text) + "]:" + port);
    }
  }
  ::freeaddrinfo(found);
  return {};
}

tracecore::Status ReadPem(const std::string& path, const std::string& flag, std::string& out) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream content;
  content << file.rdbuf();
  if (!file || content.str().empty()) {
    return tracecore::Status::InvalidArgument(flag + ": cannot read " + path +
                                              " (a PEM file is expected)");
  }
  out = content.str();
  return {};
}

// The credentials and channel arguments every channel of the connection shares.
struct ChannelSettings {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  std::string authority;  // with TLS: the name the collectors' certificates are checked against
  std::string server_name_override;
};

tracecore::Status MakeTlsCredentials(const ReporterOptions& options,
                                     std::shared_ptr<grpc::ChannelCredentials>& out) {
  const runtime::TlsOptions& tls = options.tls;
  std::string roots, cert, key;
  const std::string prefix = kTlsFlag;
  if (!tls.client_ca_file.empty()) {
    ARIADNE_RETURN_IF_ERROR(ReadPem(tls.client_ca_file, prefix + ".ca", roots));
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return tracecore::Status::InvalidArgument(prefix + ".cert and " + prefix +
                                              ".key: give both (mutual TLS) or neither");
  }
  if (!tls.cert_file.empty()) {
    ARIADNE_RETURN_IF_ERROR(ReadPem(tls.cert_file, prefix + ".cert", cert));
    ARIADNE_RETURN_IF_ERROR(ReadPem(tls.key_file, prefix + ".key", key));
  }
  if (!options.tls_skip_host_verify) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = roots;
    ssl.pem_cert_chain = cert;
    ssl.pem_private_key = key;
    out = grpc::SslCredentials(ssl);
    return {};
  }
  // The chain is still verified (against `roots`, or the system's trust store when empty), but
  // the certificate verifier that checks the host name is replaced by one that checks nothing
  // more, and the per-call host check is off.
  grpc::experimental::TlsChannelCredentialsOptions tls_options;
  std::vector<grpc::experimental::IdentityKeyCertPair> pairs;
  if (!cert.empty()) pairs.push_back({.private_key = key, .certificate_chain = cert});
  if (!roots.empty() || !pairs.empty()) {
    tls_options.set_certificate_provider(
        std::make_shared<grpc::experimental::StaticDataCertificateProvider>(roots, pairs));
    if (!roots.empty()) tls_options.watch_root_certs();
    if (!pairs.empty()) tls_options.watch_identity_key_cert_pairs();
  }
  tls_options.set_verify_server_certs(true);
  tls_options.set_check_call_host(false);
  tls_options.set_certificate_verifier(
      std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
  out = grpc::experimental::TlsCredentials(tls_options);
  if (out == nullptr) {
    return tracecore::Status::InvalidArgument(prefix + ": gRPC refused the TLS settings");
  }
  return {};
}

}  // namespace

class CollectorConnection::Impl {
 public:
  Impl(const ReporterOptions& options, std::vector<Endpoint> endpoints, ChannelSettings settings,
       prometheus::Registry& registry, Resolver resolver)
      : endpoints_(std::move(endpoints)),
        settings_(std::move(settings)),
        resolve_interval_(options.resolve_interval),
        resolver_(std::move(resolver)),
        unresolved_(kComponent, "a collector name does not resolve: keeping its last addresses"),
        connected_(prometheus::BuildGauge()
                       .Name("jaeger_agent_connection_status_collector_connected")
                       .Help("1 while the gRPC channel to the collectors is ready, else 0")
                       .Register(registry)
                       .Add({})),
        reconnects_(prometheus::BuildCounter()
                        .Name("jaeger_agent_connection_status_collector_reconnects_total")
                        .Help("Times the gRPC channel to the collectors became ready")
                        .Register(registry)
                        .Add({})) {}

  ~Impl() { Stop(); }

  void StartThread() {
    thread_ = std::thread([this] { Run(); });
  }

  std::shared_ptr<grpc::Channel> channel() const {
    std::lock_guard lock(channel_mutex_);
    return channel_;
  }

  std::string target() const {
    std::lock_guard lock(channel_mutex_);
    return target_;
  }

  // Serialised: the background thread and ResolveNow() callers take turns.
  void Resolve() {
    std::lock_guard resolve_lock(resolve_mutex_);
    std::string failures;
    for (const Endpoint& endpoint : endpoints_) {
      std::vector<std::string> found;
      const tracecore::Status status = resolver_(endpoint.host, endpoint.port, found);
      if (status.ok() && !found.empty()) {
        std::sort(found.begin(), found.end());
        found.erase(std::unique(found.begin(), found.end()), found.end());
        known_[endpoint.entry] = std::move(found);
      } else {
        failures += (failures.empty() ? "" : "; ") + endpoint.entry + ": " +
                    (status.ok() ? "no addresses" : status.message());
      }
    }
    if (failures.empty()) {
      unresolved_.Leave();
    } else {
      unresolved_.Enter(failures);
    }
    std::vector<std::string> all;
    for (const auto& [entry, addresses] : known_)
      all.insert(all.end(), addresses.begin(), addresses.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    std::string target = TargetFor(all);
    // Nothing resolved yet: let gRPC's own DNS resolver try the first entry meanwhile.
    if (target.empty()) target = "dns:///" + Authority(endpoints_.front());
    UpdateChannel(target);
  }

  void Stop() {
    stopping_.store(true);
    std::lock_guard join_lock(join_mutex_);
    if (thread_.joinable()) thread_.join();
  }

 private:
  void UpdateChannel(const std::string& target) {
    {
      std::lock_guard lock(channel_mutex_);
      if (target == target_ && channel_ != nullptr) return;
    }
    grpc::ChannelArguments arguments;
    arguments.SetLoadBalancingPolicyName("round_robin");
    arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, kInitialReconnectBackoffMs);
    arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
    arguments.SetMaxSendMessageSize(-1);
    if (!settings_.authority.empty()) {
      arguments.SetString(GRPC_ARG_DEFAULT_AUTHORITY, settings_.authority);
    }
    if (!settings_.server_name_override.empty()) {
      arguments.SetSslTargetNameOverride(settings_.server_name_override);
    }
    auto channel = grpc::CreateCustomChannel(target, settings_.credentials, arguments);
    runtime::Logger(kComponent)->info("collectors: sending to {}", target);
    std::lock_guard lock(channel_mutex_);
    channel_ = std::move(channel);
    target_ = target;
  }

  // The background thread: follows the channel state and re-resolves on schedule.
  void Run() {
    Clock::time_point next_resolve = Clock::now() + ResolveInterval();
    std::shared_ptr<grpc::Channel> watched;
    grpc_connectivity_state state = GRPC_CHANNEL_IDLE;
    bool ready = false;
    while (!stopping_.load()) {
      std::shared_ptr<grpc::Channel> current = channel();
      if (current == watched) {
        // Returns early on a change; asking again also wakes an idle channel up.
        watched->WaitForStateChange(state, std::chrono::system_clock::now() + kStatePollInterval);
      } else {
        watched = std::move(current);
      }
      state = watched->GetState(/*try_to_connect=*/true);
      const bool now_ready = state == GRPC_CHANNEL_READY;
      if (now_ready != ready) {
        ready = now_ready;
        connected_.Set(ready ? 1 : 0);
        if (ready) reconnects_.Increment();
      }
      if (Clock::now() >= next_resolve) {
        Resolve();
        next_resolve = Clock::now() + ResolveInterval();
      }
    }
  }

  Clock::duration ResolveInterval() {
    bool any_known = false;
    {
      std::lock_guard lock(resolve_mutex_);
      any_known = !known_.empty();
    }
    if (resolve_interval_ <= std::chrono::nanoseconds::zero()) {
      return any_known ? Clock::duration::max() / 2 : kUnresolvedRetryInterval;
    }
    const auto interval = std::chrono::duration_cast<Clock::duration>(resolve_interval_);
    return any_known ? interval : std::min<Clock::duration>(interval, kUnresolvedRetryInterval);
  }

  const std::vector<Endpoint> endpoints_;
  const ChannelSettings settings_;
  const std::chrono::nanoseconds resolve_interval_;
  const Resolver resolver_;

  std::mutex resolve_mutex_;
  std::map<std::string, std::vector<std::string>> known_;  // entry -> last addresses found
  runtime::DegradedEpisode unresolved_;

  mutable std::mutex channel_mutex_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string target_;

  prometheus::Gauge& connected_;
  prometheus::Counter& reconnects_;

  std::atomic<bool> stopping_{false};
  std::mutex join_mutex_;
  std::thread thread_;
};

tracecore::Status CollectorConnection::Start(const ReporterOptions& options,
                                             prometheus::Registry& registry,
                                             std::unique_ptr<CollectorConnection>& out,
                                             Resolver resolver) {
  if (options.host_ports.empty()) {
    return tracecore::Status::InvalidArgument(
        std::string(kHostPortFlag) +
        ": no collector given (set it to the collectors' gRPC address, e.g. "
        "jaeger-collector:14250)");
  }
  std::vector<Endpoint> endpoints;
  for (const std::string& entry : options.host_ports) {
    Endpoint endpoint;
    ARIADNE_RETURN_IF_ERROR(ParseEndpoint(entry, endpoint));
    endpoints.push_back(std::move(endpoint));
  }
  ChannelSettings settings;
  if (options.tls.enabled) {
    ARIADNE_RETURN_IF_ERROR(MakeTlsCredentials(options, settings.credentials));
    // The round-robin target lists addresses; the certificates name the collectors.
    settings.authority = options.tls_server_name.empty()
                             ? Authority(endpoints.front())
                             : options.tls_server_name + ":" + endpoints.front().port;
    settings.server_name_override = options.tls_server_name;
  } else {
    settings.credentials = grpc::InsecureChannelCredentials();
  }
  if (resolver == nullptr) resolver = GetAddrInfo;
  auto impl = std::make_unique<Impl>(options, std::move(endpoints), std::move(settings), registry,
                                     std::move(resolver));
  impl->Resolve();
  impl->StartThread();
  out.reset(new CollectorConnection(std::move(impl)));
  return {};
}

CollectorConnection::CollectorConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CollectorConnection::~CollectorConnection() = default;

std::shared_ptr<grpc::Channel> CollectorConnection::channel() const {
  return impl_->channel();
}

std::string CollectorConnection::target() const {
  return impl_->target();
}

void CollectorConnection::ResolveNow() {
  impl_->Resolve();
}

void CollectorConnection::Stop() {
  impl_->Stop();
}

std::string CollectorConnection::TargetFor(const std::vector<std::string>& addresses) {
  std::string ipv4, ipv6;
  for (const std::string& address : addresses) {
    std::string& list = address.starts_with('[') ? ipv6 : ipv4;
    list += (list.empty() ? "" : ",") + address;
  }
  if (!ipv4.empty()) return "ipv4:" + ipv4;
  if (!ipv6.empty()) return "ipv6:" + ipv6;
  return {};
}

}  // namespace ariadne::agent
