#include "udp_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/degraded_episode.h"
#include "runtime/log.h"

namespace ariadne::agent {
namespace {

using tracecore::Status;

// Datagrams per recvmmsg call. tests/bench/udp_receive_baseline.cc uses the same number.
constexpr int kReceiveBatch = 64;
// How often a blocked receive wakes up to refresh the queue gauge and end degraded episodes.
constexpr int kReceiveTimeoutMs = 100;
constexpr int64_t kMaxDatagramBytes = 65535;
constexpr int64_t kMaxQueueSize = int64_t{1} << 24;
constexpr int64_t kMaxWorkers = 1024;
constexpr int64_t kMaxSocketBufferBytes = INT_MAX / 2;  // the kernel doubles what it is asked
const char kLogComponent[] = "agent";

std::string ErrnoText(int error) {
  char buffer[128];
  return strerror_r(error, buffer, sizeof(buffer));  // the GNU variant: returns the text
}

Status CheckRange(const std::string& flag, int64_t value, int64_t min, int64_t max) {
  if (value >= min && value <= max) return {};
  return Status::InvalidArgument(flag + ": " + std::to_string(value) + " is out of range; use " +
                                 std::to_string(min) + " to " + std::to_string(max));
}

Status ValidateOptions(const UdpServerOptions& options, const std::string& prefix) {
  ARIADNE_RETURN_IF_ERROR(CheckRange(prefix + ".server-max-packet-size", options.max_packet_size, 1,
                                     kMaxDatagramBytes));
  ARIADNE_RETURN_IF_ERROR(
      CheckRange(prefix + ".server-queue-size", options.queue_size, 1, kMaxQueueSize));
  ARIADNE_RETURN_IF_ERROR(CheckRange(prefix + ".server-socket-buffer-size",
                                     options.socket_buffer_size, 0, kMaxSocketBufferBytes));
  return CheckRange(prefix + ".workers", options.workers, 1, kMaxWorkers);
}

struct HostPort {
  std::string host;  // empty: every interface
  uint16_t port = 0;
};

// "host:port", "[v6]:port" or ":port".
Status ParseHostPort(std::string_view text, HostPort& out) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::InvalidArgument("an IPv6 address in brackets must be followed by :port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Status::InvalidArgument("no :port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Status::InvalidArgument("put an IPv6 address in brackets");
    }
  }
  unsigned value = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || value > 65535) {
    return Status::InvalidArgument("the port must be a number from 0 to 65535");
  }
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(value);
  return {};
}

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  bool wildcard_v6 = false;  // "[::]": also serves IPv4 (dual stack)
};

SocketAddress MakeV6(const in6_addr& address, uint16_t port, bool wildcard) {
  SocketAddress out;
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_addr = address;
  v6.sin6_port = htons(port);
  std::memcpy(&out.storage, &v6, sizeof(v6));
  out.length = sizeof(v6);
  out.wildcard_v6 = wildcard;
  return out;
}

SocketAddress MakeV4(const in_addr& address, uint16_t port) {
  SocketAddress out;
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_addr = address;
  v4.sin_port = htons(port);
  std::memcpy(&out.storage, &v4, sizeof(v4));
  out.length = sizeof(v4);
  return out;
}

// The addresses to try, in order: for an empty host the IPv6 wildcard (dual stack) then the IPv4
// one; for an IP literal that address; for a name what the resolver answers.
Status ResolveListenAddress(const HostPort& address, std::vector<SocketAddress>& out) {
  out.clear();
  if (address.host.empty()) {
    out.push_back(MakeV6(in6addr_any, address.port, true));
    out.push_back(MakeV4(in_addr{htonl(INADDR_ANY)}, address.port));
    return {};
  }
  in_addr v4{};
  if (inet_pton(AF_INET, address.host.c_str(), &v4) == 1) {
    out.push_back(MakeV4(v4, address.port));
    return {};
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.host.c_str(), &v6) == 1) {
    out.push_back(MakeV6(v6, address.port, false));
    return {};
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* results = nullptr;
  const int error =
      getaddrinfo(address.host.c_str(), std::to_string(address.port).c_str(), &hints, &results);
  if (error != 0) {
    return Status::InvalidArgument("cannot resolve host \"" + address.host +
                                   "\": " + gai_strerror(error) +
                                   "; use an IP address, a resolvable name, or :port");
  }
  for (const addrinfo* entry = results; entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_addrlen > sizeof(sockaddr_storage)) continue;
    SocketAddress resolved;
    std::memcpy(&resolved.storage, entry->ai_addr, entry->ai_addrlen);
    resolved.length = entry->ai_addrlen;
    out.push_back(resolved);
  }
  freeaddrinfo(results);
  if (out.empty()) {
    return Status::InvalidArgument("host \"" + address.host + "\" has no IPv4 or IPv6 address");
  }
  return {};
}

std::string BindAdvice(int error, uint16_t port, const std::string& flag) {
  switch (error) {
    case EADDRINUSE:
      return "; another process already uses UDP port " + std::to_string(port) +
             " (another agent?): stop it, or pick another port with " + flag;
    case EACCES:
      return "; ports below 1024 need privileges (CAP_NET_BIND_SERVICE): pick a port from 1024 up "
             "with " +
             flag;
    case EADDRNOTAVAIL:
      return "; the address does not belong to this host: use one of its addresses, or :port for "
             "every interface, in " +
             flag;
    default: return "";
  }
}

void NameThread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

// The counters and gauges of one server, resolved once: the receive loop only touches these.
struct ServerMetrics {
  prometheus::Counter* processed = nullptr;
  prometheus::Counter* dropped_queue_full = nullptr;
  prometheus::Counter* dropped_too_large = nullptr;
  prometheus::Counter* dropped_socket_buffer_full = nullptr;
  prometheus::Counter* read_errors = nullptr;
  prometheus::Gauge* queue_size = nullptr;
  prometheus::Gauge* packet_size = nullptr;
};

ServerMetrics RegisterMetrics(prometheus::Registry& registry, const UdpServerIdentity& identity) {
  const prometheus::Labels labels{{"model", identity.model}, {"protocol", identity.protocol}};
  auto with_cause = [&labels](const char* cause) {
    prometheus::Labels out = labels;
    out.emplace("cause", cause);
    return out;
  };
  auto& processed = prometheus::BuildCounter()
                        .Name("jaeger_agent_thrift_udp_server_packets_processed_total")
                        .Help("UDP datagrams queued for decoding, by model and protocol")
                        .Register(registry);
  auto& dropped =
      prometheus::BuildCounter()
          .Name("jaeger_agent_thrift_udp_server_packets_dropped_total")
          .Help(
              "UDP datagrams dropped before decoding, by cause: queue-full (the decode queue "
              "was full), too-large (over server-max-packet-size), socket-buffer-full (the "
              "kernel dropped them: the socket receive buffer was full)")
          .Register(registry);
  auto& read_errors = prometheus::BuildCounter()
                          .Name("jaeger_agent_thrift_udp_server_read_errors_total")
                          .Help("Errors reading from the UDP socket")
                          .Register(registry);
  auto& queue_size = prometheus::BuildGauge()
                         .Name("jaeger_agent_thrift_udp_server_queue_size")
                         .Help("UDP datagrams waiting for a decoding worker")
                         .Register(registry);
  auto& packet_size = prometheus::BuildGauge()
                          .Name("jaeger_agent_thrift_udp_server_packet_size")
                          .Help("Size in bytes of the last UDP datagram received")
                          .Register(registry);
  ServerMetrics metrics;
  metrics.processed = &processed.Add(labels);
  metrics.dropped_queue_full = &dropped.Add(with_cause("queue-full"));
  metrics.dropped_too_large = &dropped.Add(with_cause("too-large"));
  metrics.dropped_socket_buffer_full = &dropped.Add(with_cause("socket-buffer-full"));
  metrics.read_errors = &read_errors.Add(labels);
  metrics.queue_size = &queue_size.Add(labels);
  metrics.packet_size = &packet_size.Add(labels);
  return metrics;
}

// Room for one SO_RXQ_OVFL control message per received datagram.
struct ControlBuffer {
  alignas(cmsghdr) char bytes[CMSG_SPACE(sizeof(uint32_t))];
};

}  // namespace

class UdpServer::Impl {
 public:
  Impl(const UdpServerOptions& options, UdpServerIdentity identity, DatagramHandler handler,
       prometheus::Registry& registry);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Binds the socket and sets its options. Start-up only.
  Status Open();
  void StartThreads();
  int port() const { return port_; }
  void Shutdown();

 private:
  // One datagram buffer of buffer_bytes_; it lives in exactly one place at a time: the receive
  // thread's batch, the queue, a worker, or the free list.
  struct Slot {
    std::unique_ptr<char[]> bytes;
    size_t size = 0;
  };

  Status Bind(const HostPort& address);
  void SetReceiveBuffer();
  void ReceiveLoop();
  void PrepareBatch();
  int RealDatagrams(int received) const;
  void OnDatagrams(int count);
  void CountKernelDrops(int count);
  void OnIdle();
  void OnReadError(int error);
  void WorkerLoop();
  Slot* NewSlot();
  Slot* PopFreeLocked();
  void PushLocked(Slot* slot);
  Slot* PopLocked();
  std::string Flag(const char* option) const { return identity_.flag_prefix + "." + option; }

  const UdpServerOptions options_;
  const UdpServerIdentity identity_;
  const DatagramHandler handler_;
  const size_t buffer_bytes_;  // max_packet_size + 1: a longer datagram shows as too long
  const ServerMetrics metrics_;
  const std::shared_ptr<spdlog::logger> log_;
  runtime::DegradedEpisode queue_full_episode_;
  runtime::DegradedEpisode kernel_drop_episode_;
  runtime::DegradedEpisode too_large_episode_;
  runtime::DegradedEpisode read_error_episode_;

  int fd_ = -1;
  int port_ = 0;

  // Receive thread only (and the destructor, after it ended).
  std::vector<std::unique_ptr<Slot>> all_slots_;
  std::vector<Slot*> receiving_;
  std::vector<mmsghdr> messages_;
  std::vector<iovec> iovecs_;
  std::vector<sockaddr_storage> senders_;  // filled by the kernel; only their presence is used
  std::vector<ControlBuffer> controls_;
  uint32_t kernel_drops_seen_ = 0;

  std::mutex mutex_;  // guards everything below up to work_ready_
  std::vector<Slot*> ring_;
  size_t head_ = 0;
  size_t queued_ = 0;
  std::vector<Slot*> free_;
  int waiting_workers_ = 0;
  bool receiver_stopped_ = false;
  std::condition_variable work_ready_;

  std::atomic<bool> stopping_{false};
  std::thread receiver_;
  std::vector<std::thread> workers_;
  std::mutex shutdown_mutex_;
  bool shut_down_ = false;
};

UdpServer::Impl::Impl(const UdpServerOptions& options, UdpServerIdentity identity,
                      DatagramHandler handler, prometheus::Registry& registry)
    : options_(options),
      identity_(std::move(identity)),
      handler_(std::move(handler)),
      buffer_bytes_(static_cast<size_t>(options.max_packet_size) + 1),
      metrics_(RegisterMetrics(registry, identity_)),
      log_(runtime::Logger(kLogComponent)),
      queue_full_episode_(kLogComponent, identity_.flag_prefix + ": the queue of " +
                                             std::to_string(options.queue_size) +
                                             " datagrams is full, dropping datagrams; raise " +
                                             Flag("server-queue-size") + " or " + Flag("workers")),
      kernel_drop_episode_(kLogComponent,
                           identity_.flag_prefix +
                               ": the kernel dropped datagrams because the socket receive "
                               "buffer was full; raise " +
                               Flag("server-socket-buffer-size") + " (and net.core.rmem_max)"),
      too_large_episode_(kLogComponent, identity_.flag_prefix +
                                            ": dropping datagrams larger than " +
                                            std::to_string(options.max_packet_size) +
                                            " bytes; raise " + Flag("server-max-packet-size") +
                                            " or lower the clients' maximum packet size"),
      read_error_episode_(kLogComponent, identity_.flag_prefix + ": reading the UDP socket fails"),
      ring_(static_cast<size_t>(options.queue_size)) {
  // Every slot is in one of: the receive batch, the queue, a worker, the free list.
  free_.reserve(static_cast<size_t>(options.queue_size + options.workers) + kReceiveBatch);
}

UdpServer::Impl::~Impl() {
  Shutdown();
}

Status UdpServer::Impl::Open() {
  const std::string flag = Flag("server-host-port");
  HostPort address;
  if (options_.host_port.empty()) {
    return Status::InvalidArgument(flag + " is empty; use host:port or :port");
  }
  Status parsed = ParseHostPort(options_.host_port, address);
  if (!parsed.ok()) {
    return Status::InvalidArgument(flag + ": bad address \"" + options_.host_port + "\": " +
                                   parsed.message() + "; use host:port, [ipv6]:port or :port");
  }
  ARIADNE_RETURN_IF_ERROR(Bind(address));
  SetReceiveBuffer();
  const int on = 1;
  if (setsockopt(fd_, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on)) != 0) {
    log_->warn("{}: SO_RXQ_OVFL is not available ({}): datagrams the kernel drops are not counted",
               identity_.flag_prefix, ErrnoText(errno));
  }
  timeval timeout{};
  timeout.tv_usec = kReceiveTimeoutMs * 1000;
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0) {
    return Status::Internal(identity_.flag_prefix +
                            ": cannot set SO_RCVTIMEO: " + ErrnoText(errno));
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return Status::Internal(flag + ": getsockname failed: " + ErrnoText(errno));
  }
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return {};
}

Status UdpServer::Impl::Bind(const HostPort& address) {
  const std::string flag = Flag("server-host-port");
  std::vector<SocketAddress> candidates;
  Status resolved = ResolveListenAddress(address, candidates);
  if (!resolved.ok()) return resolved.WithContext(flag);
  int error = 0;
  for (const SocketAddress& candidate : candidates) {
    const int fd = socket(candidate.storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      if (error == 0) error = errno;
      continue;
    }
    if (candidate.wildcard_v6) {
      const int off = 0;  // ":port" serves IPv4 too
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    }
    if (bind(fd, reinterpret_cast<const sockaddr*>(&candidate.storage), candidate.length) == 0) {
      fd_ = fd;
      return {};
    }
    error = errno;
    close(fd);
  }
  return Status::Unavailable(flag + ": cannot bind UDP \"" + options_.host_port +
                             "\": " + ErrnoText(error) + BindAdvice(error, address.port, flag));
}

void UdpServer::Impl::SetReceiveBuffer() {
  const int64_t asked =
      options_.socket_buffer_size > 0 ? options_.socket_buffer_size : kDefaultSocketBufferBytes;
  const int value = static_cast<int>(asked);
  // SO_RCVBUFFORCE goes past net.core.rmem_max when the process has CAP_NET_ADMIN.
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &value, sizeof(value)) != 0) {
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &value, sizeof(value));
  }
  int granted = 0;
  socklen_t length = sizeof(granted);
  getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &granted, &length);
  if (granted < asked) {
    log_->warn(
        "{}: asked the kernel for a UDP receive buffer of {} bytes, got {}: bursts may be dropped "
        "(counted as cause=\"socket-buffer-full\"). Raise net.core.rmem_max (sysctl -w "
        "net.core.rmem_max={}), give the agent CAP_NET_ADMIN, or lower {}",
        identity_.flag_prefix, asked, granted, asked, Flag("server-socket-buffer-size"));
  } else {
    log_->debug("{}: UDP receive buffer of {} bytes (asked {})", identity_.flag_prefix, granted,
                asked);
  }
}

void UdpServer::Impl::StartThreads() {
  messages_.resize(kReceiveBatch);
  iovecs_.resize(kReceiveBatch);
  senders_.resize(kReceiveBatch);
  controls_.resize(kReceiveBatch);
  receiving_.resize(kReceiveBatch);
  for (Slot*& slot : receiving_) slot = NewSlot();
  receiver_ = std::thread([this] {
    NameThread("udp" + std::to_string(port_) + "-recv");
    ReceiveLoop();
  });
  for (int64_t i = 0; i < options_.workers; ++i) {
    workers_.emplace_back([this, i] {
      NameThread("udp" + std::to_string(port_) + "-w" + std::to_string(i));
      WorkerLoop();
    });
  }
  log_->info(
      "{}: receiving {} {} Thrift on UDP port {} (max packet {} bytes, queue {}, {} workers)",
      identity_.flag_prefix, identity_.model, identity_.protocol, port_, options_.max_packet_size,
      options_.queue_size, options_.workers);
}

void UdpServer::Impl::Shutdown() {
  std::lock_guard shutdown_lock(shutdown_mutex_);
  if (shut_down_) return;
  shut_down_ = true;
  stopping_.store(true, std::memory_order_relaxed);
  if (fd_ >= 0) shutdown(fd_, SHUT_RD);  // wakes a blocked recvmmsg (ENOTCONN is expected)
  if (receiver_.joinable()) receiver_.join();
  {
    std::lock_guard lock(mutex_);
    receiver_stopped_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  metrics_.queue_size->Set(0);
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

UdpServer::Impl::Slot* UdpServer::Impl::NewSlot() {
  auto slot = std::make_unique<Slot>();
  // Not zeroed: pages are touched only as far as datagrams fill them.
  slot->bytes = std::make_unique_for_overwrite<char[]>(buffer_bytes_);
  all_slots_.push_back(std::move(slot));
  return all_slots_.back().get();
}

UdpServer::Impl::Slot* UdpServer::Impl::PopFreeLocked() {
  if (free_.empty()) return nullptr;
  Slot* slot = free_.back();
  free_.pop_back();
  return slot;
}

void UdpServer::Impl::PushLocked(Slot* slot) {
  ring_[(head_ + queued_) % ring_.size()] = slot;
  ++queued_;
}

UdpServer::Impl::Slot* UdpServer::Impl::PopLocked() {
  Slot* slot = ring_[head_];
  head_ = (head_ + 1) % ring_.size();
  --queued_;
  return slot;
}

void UdpServer::Impl::ReceiveLoop() {
  while (!stopping_.load(std::memory_order_relaxed)) {
    PrepareBatch();
    // MSG_WAITFORONE: block (up to SO_RCVTIMEO) for the first datagram, then take what is there.
    // MSG_TRUNC: msg_len is the datagram's real length even when it did not fit.
    const int received =
        recvmmsg(fd_, messages_.data(), kReceiveBatch, MSG_WAITFORONE | MSG_TRUNC, nullptr);
    const int datagrams = received > 0 ? RealDatagrams(received) : 0;
    if (datagrams > 0) {
      OnDatagrams(datagrams);
    } else if (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      OnReadError(errno);
    } else {
      OnIdle();  // timeout, signal, or the socket was shut down
    }
  }
}

void UdpServer::Impl::PrepareBatch() {
  for (int i = 0; i < kReceiveBatch; ++i) {
    iovecs_[i] = iovec{receiving_[i]->bytes.get(), buffer_bytes_};
    msghdr& header = messages_[i].msg_hdr;
    header = msghdr{};
    header.msg_name = &senders_[i];
    header.msg_namelen = sizeof(senders_[i]);
    header.msg_iov = &iovecs_[i];
    header.msg_iovlen = 1;
    header.msg_control = controls_[i].bytes;
    header.msg_controllen = sizeof(controls_[i].bytes);
    messages_[i].msg_len = 0;
  }
}

int UdpServer::Impl::RealDatagrams(int received) const {
  // Once the socket is shut down for reading, each further read "returns" an empty message with
  // no sender; they come after every real datagram.
  int real = 0;
  while (real < received && messages_[real].msg_hdr.msg_namelen > 0) ++real;
  return real;
}

void UdpServer::Impl::OnDatagrams(int count) {
  CountKernelDrops(count);
  int accepted = 0;
  int too_large = 0;
  int queue_full = 0;
  size_t queued_now = 0;
  int waiting = 0;
  {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < count; ++i) {
      const mmsghdr& message = messages_[i];
      if ((message.msg_hdr.msg_flags & MSG_TRUNC) != 0 ||
          message.msg_len > static_cast<unsigned>(options_.max_packet_size)) {
        ++too_large;
        continue;
      }
      if (queued_ == ring_.size()) {
        ++queue_full;
        continue;
      }
      receiving_[i]->size = message.msg_len;
      PushLocked(receiving_[i]);
      receiving_[i] = PopFreeLocked();
      ++accepted;
    }
    queued_now = queued_;
    waiting = waiting_workers_;
  }
  for (int i = std::min(accepted, waiting); i > 0; --i) work_ready_.notify_one();
  for (Slot*& slot : receiving_) {
    if (slot == nullptr) slot = NewSlot();
  }
  metrics_.packet_size->Set(messages_[count - 1].msg_len);
  metrics_.queue_size->Set(static_cast<double>(queued_now));
  if (accepted > 0) metrics_.processed->Increment(accepted);
  if (too_large > 0) {
    metrics_.dropped_too_large->Increment(too_large);
    too_large_episode_.Enter(std::to_string(too_large) + " in one read");
  } else {
    too_large_episode_.Leave();
  }
  if (queue_full > 0) {
    metrics_.dropped_queue_full->Increment(queue_full);
    queue_full_episode_.Enter(std::to_string(queue_full) + " in one read");
  } else {
    queue_full_episode_.Leave();
  }
  read_error_episode_.Leave();
}

void UdpServer::Impl::CountKernelDrops(int count) {
  // SO_RXQ_OVFL: each datagram carries the socket's cumulative drop counter as it was when the
  // datagram was queued (absent while it is 0); the last one in the batch is the newest.
  bool seen = false;
  uint32_t latest = 0;
  for (int i = 0; i < count; ++i) {
    msghdr& header = messages_[i].msg_hdr;
    for (cmsghdr* control = CMSG_FIRSTHDR(&header); control != nullptr;
         control = CMSG_NXTHDR(&header, control)) {
      if (control->cmsg_level == SOL_SOCKET && control->cmsg_type == SO_RXQ_OVFL) {
        std::memcpy(&latest, CMSG_DATA(control), sizeof(latest));
        seen = true;
      }
    }
  }
  const uint32_t dropped = seen ? latest - kernel_drops_seen_ : 0;  // the counter wraps
  if (dropped == 0) {
    kernel_drop_episode_.Leave();
    return;
  }
  kernel_drops_seen_ = latest;
  metrics_.dropped_socket_buffer_full->Increment(dropped);
  kernel_drop_episode_.Enter(std::to_string(dropped) + " since the previous read");
}

void UdpServer::Impl::OnIdle() {
  size_t queued_now = 0;
  {
    std::lock_guard lock(mutex_);
    queued_now = queued_;
  }
  metrics_.queue_size->Set(static_cast<double>(queued_now));
  queue_full_episode_.Leave();
  kernel_drop_episode_.Leave();
  too_large_episode_.Leave();
  read_error_episode_.Leave();
}

void UdpServer::Impl::OnReadError(int error) {
  metrics_.read_errors->Increment();
  read_error_episode_.Enter(ErrnoText(error));
  if (error == EBADF || error == ENOTSOCK) {
    stopping_.store(true, std::memory_order_relaxed);  // the socket is gone: nothing to read
  }
}

void UdpServer::Impl::WorkerLoop() {
  Slot* done = nullptr;
  for (;;) {
    Slot* slot = nullptr;
    {
      std::unique_lock lock(mutex_);
      if (done != nullptr) free_.push_back(done);
      while (queued_ == 0 && !receiver_stopped_) {
        ++waiting_workers_;
        work_ready_.wait(lock);
        --waiting_workers_;
      }
      if (queued_ == 0) return;  // stopped and drained
      slot = PopLocked();
    }
    handler_(std::string_view(slot->bytes.get(), slot->size));
    done = slot;
  }
}

UdpServer::UdpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

UdpServer::~UdpServer() {
  Shutdown();
}

Status UdpServer::Start(const UdpServerOptions& options, UdpServerIdentity identity,
                        DatagramHandler handler, prometheus::Registry& registry,
                        std::unique_ptr<UdpServer>& out) {
  ARIADNE_RETURN_IF_ERROR(ValidateOptions(options, identity.flag_prefix));
  if (!handler) return Status::Internal("UdpServer::Start: no datagram handler");
  auto impl = std::make_unique<Impl>(options, std::move(identity), std::move(handler), registry);
  ARIADNE_RETURN_IF_ERROR(impl->Open());
  impl->StartThreads();
  out.reset(new UdpServer(std::move(impl)));
  return {};
}

int UdpServer::port() const {
  return impl_->port();
}

void UdpServer::Shutdown() {
  if (impl_) impl_->Shutdown();
}

}  // namespace ariadne::agent
