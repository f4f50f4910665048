// udp_receive_baseline: the physical baseline of the agent's UDP receive path (docs/benchmarks.md,
// "Agent"). It receives datagrams the way the agent's UdpServer does (recvmmsg, 64 datagrams per
// call, buffers of max-packet-size + 1 bytes, a 32 MiB receive buffer through SO_RCVBUFFORCE or
// SO_RCVBUF, SO_RXQ_OVFL) and does nothing else with them, so the same datagrams sent here and to
// the agent show what the agent's own work costs.
//
//   udp_receive_baseline [--host H] [--port P] [--idle-seconds S] [--max-seconds S]
//                        [--buffer-bytes B] [--max-packet-size M]
//
// --port 0 (the default) binds an ephemeral port; the port is printed on stderr. The run ends
// --idle-seconds (2) after the last datagram once the first has arrived, after --max-seconds
// (0: no limit), or on SIGINT/SIGTERM. On exit it prints one JSON line on stdout:
//   {"datagrams":N,"bytes":B,"seconds":S,"datagrams_per_second":R,"kernel_drops":K,...}
// where seconds run from the first datagram to the last, and kernel_drops are the datagrams the
// kernel dropped because the receive buffer was full (SO_RXQ_OVFL, and /proc/net/udp{,6} at exit
// for drops after the last datagram), cpu_seconds the process's CPU while receiving and
// datagrams_per_cpu_second what one core could receive. Exit code 0, or 2 for bad flags or a socket
// error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kReceiveBatch = 64;                    // as UdpServer
constexpr int64_t kDefaultBufferBytes = 32ll << 20;  // as agent::kDefaultSocketBufferBytes
constexpr int kReceiveTimeoutMs = 100;

volatile std::sig_atomic_t stop_requested = 0;

void OnSignal(int /*signal*/) {
  stop_requested = 1;
}

struct Options {
  std::string host = "0.0.0.0";
  int port = 0;
  double idle_seconds = 2;
  double max_seconds = 0;
  int64_t buffer_bytes = kDefaultBufferBytes;
  int64_t max_packet_size = 65000;
};

bool ParseNumber(std::string_view text, double& out) {
  try {
    size_t used = 0;
    out = std::stod(std::string(text), &used);
    return used == text.size() && out >= 0;
  } catch (...) {
    return false;
  }
}

bool ParseInteger(std::string_view text, int64_t& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && out >= 0;
}

bool ParseFlags(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    std::string_view value;
    const size_t equals = flag.find('=');
    if (equals != std::string_view::npos) {
      value = flag.substr(equals + 1);
      flag = flag.substr(0, equals);
    } else if (i + 1 < argc) {
      value = argv[++i];
    }
    int64_t integer = 0;
    bool ok = true;
    if (flag == "--host") {
      options.host = std::string(value);
      ok = !value.empty();
    } else if (flag == "--port") {
      ok = ParseInteger(value, integer) && integer <= 65535;
      options.port = static_cast<int>(integer);
    } else if (flag == "--idle-seconds") {
      ok = ParseNumber(value, options.idle_seconds) && options.idle_seconds > 0;
    } else if (flag == "--max-seconds") {
      ok = ParseNumber(value, options.max_seconds);
    } else if (flag == "--buffer-bytes") {
      ok = ParseInteger(value, options.buffer_bytes) && options.buffer_bytes <= (1 << 30);
    } else if (flag == "--max-packet-size") {
      ok = ParseInteger(value, options.max_packet_size) && options.max_packet_size >= 1 &&
           options.max_packet_size <= 65535;
    } else {
      std::fprintf(stderr, "udp_receive_baseline: unknown flag %s\n", argv[i]);
      return false;
    }
    if (!ok) {
      std::fprintf(stderr, "udp_receive_baseline: bad value for %.*s\n",
                   static_cast<int>(flag.size()), flag.data());
      return false;
    }
  }
  return true;
}

// Binds an IPv4 or IPv6 literal; returns the socket, or -1 after printing why.
int BindSocket(const Options& options) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, options.host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<uint16_t>(options.port));
    std::memcpy(&storage, &v4, sizeof(v4));
    length = sizeof(v4);
  } else if (inet_pton(AF_INET6, options.host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<uint16_t>(options.port));
    std::memcpy(&storage, &v6, sizeof(v6));
    length = sizeof(v6);
  } else {
    std::fprintf(stderr, "udp_receive_baseline: --host must be an IPv4 or IPv6 address\n");
    return -1;
  }
  const int fd = socket(storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    std::fprintf(stderr, "udp_receive_baseline: cannot bind %s:%d: %s\n", options.host.c_str(),
                 options.port, std::strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  const int buffer = static_cast<int>(options.buffer_bytes);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof(buffer)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  }
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
  timeval timeout{};
  timeout.tv_usec = kReceiveTimeoutMs * 1000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  return ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

// The socket's drop counter from /proc/net/udp{,6} (last column), found by inode; 0 if absent.
uint64_t ProcDrops(int fd) {
  struct stat info {};
  if (fstat(fd, &info) != 0) return 0;
  const std::string inode = std::to_string(info.st_ino);
  for (const char* path : {"/proc/net/udp", "/proc/net/udp6"}) {
    std::ifstream file(path);
    std::string line;
    std::getline(file, line);  // header
    while (std::getline(file, line)) {
      std::istringstream fields(line);
      std::vector<std::string> columns;
      for (std::string column; fields >> column;) columns.push_back(column);
      // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
      if (columns.size() >= 13 && columns[9] == inode) return std::stoull(columns.back());
    }
  }
  return 0;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct ControlBuffer {
  alignas(cmsghdr) char bytes[CMSG_SPACE(sizeof(uint32_t))];
};

struct Result {
  uint64_t datagrams = 0;
  uint64_t bytes = 0;
  uint32_t kernel_drops = 0;  // SO_RXQ_OVFL: cumulative since the socket was made
  Clock::time_point first;
  Clock::time_point last;
};

void Receive(int fd, const Options& options, Result& result) {
  const size_t buffer_bytes = static_cast<size_t>(options.max_packet_size) + 1;
  std::vector<std::unique_ptr<char[]>> buffers;
  buffers.reserve(kReceiveBatch);
  std::vector<mmsghdr> messages(kReceiveBatch);
  std::vector<iovec> iovecs(kReceiveBatch);
  std::vector<ControlBuffer> controls(kReceiveBatch);
  for (int i = 0; i < kReceiveBatch; ++i) {
    buffers.push_back(std::make_unique_for_overwrite<char[]>(buffer_bytes));
  }
  const Clock::time_point start = Clock::now();
  const auto idle = std::chrono::duration<double>(options.idle_seconds);
  const auto limit = std::chrono::duration<double>(options.max_seconds);
  while (stop_requested == 0) {
    for (int i = 0; i < kReceiveBatch; ++i) {
      iovecs[i] = iovec{buffers[i].get(), buffer_bytes};
      messages[i].msg_hdr = msghdr{};
      messages[i].msg_hdr.msg_iov = &iovecs[i];
      messages[i].msg_hdr.msg_iovlen = 1;
      messages[i].msg_hdr.msg_control = controls[i].bytes;
      messages[i].msg_hdr.msg_controllen = sizeof(controls[i].bytes);
    }
    const int received =
        recvmmsg(fd, messages.data(), kReceiveBatch, MSG_WAITFORONE | MSG_TRUNC, nullptr);
    const Clock::time_point now = Clock::now();
    if (received > 0) {
      if (result.datagrams == 0) result.first = now;
      result.last = now;
      result.datagrams += received;
      for (int i = 0; i < received; ++i) {
        result.bytes += messages[i].msg_len;
        msghdr& header = messages[i].msg_hdr;
        for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
            std::memcpy(&result.kernel_drops, CMSG_DATA(c), sizeof(uint32_t));
          }
        }
      }
    }
    if (options.max_seconds > 0 && now - start >= limit) break;
    if (result.datagrams > 0 && now - result.last >= idle) break;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseFlags(argc, argv, options)) return 2;
  const int fd = BindSocket(options);
  if (fd < 0) return 2;
  int granted = 0;
  socklen_t length = sizeof(granted);
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &length);
  std::fprintf(stderr, "udp_receive_baseline: listening on UDP port %d (receive buffer %d bytes)\n",
               BoundPort(fd), granted);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  const double cpu_before = CpuSeconds();
  Result result;
  Receive(fd, options, result);
  const double cpu_seconds = CpuSeconds() - cpu_before;
  const uint64_t kernel_drops = std::max<uint64_t>(result.kernel_drops, ProcDrops(fd));
  close(fd);

  const double seconds = std::chrono::duration<double>(result.last - result.first).count();
  const double rate = seconds > 0 ? static_cast<double>(result.datagrams) / seconds : 0;
  std::printf(
      "{\"datagrams\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"datagrams_per_second\":%.1f,"
      "\"kernel_drops\":%llu,\"cpu_seconds\":%.3f,\"datagrams_per_cpu_second\":%.1f,"
      "\"receive_buffer_bytes\":%d}\n",
      static_cast<unsigned long long>(result.datagrams),
      static_cast<unsigned long long>(result.bytes), seconds, rate,
      static_cast<unsigned long long>(kernel_drops), cpu_seconds,
      cpu_seconds > 0 ? static_cast<double>(result.datagrams) / cpu_seconds : 0, granted);
  return 0;
}
