#include "udp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ariadne::agent {
namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;

UdpServerIdentity CompactIdentity() {
  return {"jaeger", "compact", "--processor.jaeger-compact"};
}

UdpServerOptions LoopbackOptions() {
  UdpServerOptions options;
  options.host_port = "127.0.0.1:0";
  options.workers = 2;
  return options;
}

// A value of the series `name` with exactly `labels`; -1 when there is no such series.
double MetricValue(prometheus::Registry& registry, const std::string& name,
                   const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::map<std::string, std::string> found;
      for (const auto& label : metric.label) found[label.name] = label.value;
      if (found != labels) continue;
      return family.type == prometheus::MetricType::Gauge ? metric.gauge.value
                                                          : metric.counter.value;
    }
  }
  return -1;
}

std::map<std::string, std::string> Labels(const std::string& cause = "") {
  std::map<std::string, std::string> labels{{"model", "jaeger"}, {"protocol", "compact"}};
  if (!cause.empty()) labels["cause"] = cause;
  return labels;
}

double Processed(prometheus::Registry& registry) {
  return MetricValue(registry, "jaeger_agent_thrift_udp_server_packets_processed_total", Labels());
}

double Dropped(prometheus::Registry& registry, const std::string& cause) {
  return MetricValue(registry, "jaeger_agent_thrift_udp_server_packets_dropped_total",
                     Labels(cause));
}

double Gauge(prometheus::Registry& registry, const std::string& name) {
  return MetricValue(registry, "jaeger_agent_thrift_udp_server_" + name, Labels());
}

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::steady_clock::duration timeout = kDeadline) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Records what the handler was given; lets a test block the handler until it opens the gate.
class Recorder {
 public:
  DatagramHandler Handler() {
    return [this](std::string_view datagram) {
      std::unique_lock lock(mutex_);
      received_.emplace_back(datagram);
      ++entered_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return open_; });
    };
  }

  void Close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

  // Waits until the handler was entered `count` times in all.
  bool WaitEntered(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return entered_ >= count; });
  }
  // Waits until a datagram equal to `datagram` arrived.
  bool WaitFor(const std::string& datagram) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] {
      return std::find(received_.begin(), received_.end(), datagram) != received_.end();
    });
  }

  std::vector<std::string> Received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> received_;
  size_t entered_ = 0;
  bool open_ = true;
};

class Sender {
 public:
  explicit Sender(int port) : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  }
  ~Sender() { close(fd_); }
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  void Send(const std::string& datagram) const {
    REQUIRE(send(fd_, datagram.data(), datagram.size(), 0) ==
            static_cast<ssize_t>(datagram.size()));
  }

 private:
  int fd_;
};

// A datagram of `size` bytes whose content depends on `seed`.
std::string Pattern(size_t size, int seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 31 + seed) & 0xff);
  return out;
}

TEST_CASE("datagrams reach the handler intact, up to max_packet_size") {
  prometheus::Registry registry;
  Recorder recorder;
  UdpServerOptions options = LoopbackOptions();
  options.max_packet_size = 2000;
  std::unique_ptr<UdpServer> server;
  REQUIRE(UdpServer::Start(options, CompactIdentity(), recorder.Handler(), registry, server).ok());
  REQUIRE(server->port() > 0);

  std::vector<std::string> sent;
  for (size_t size : {0, 1, 100, 1999, 2000}) sent.push_back(Pattern(size, static_cast<int>(size)));
  Sender sender(server->port());
  for (const std::string& datagram : sent) sender.Send(datagram);

  REQUIRE(recorder.WaitEntered(sent.size()));
  std::vector<std::string> received = recorder.Received();
  std::sort(received.begin(), received.end());
  std::sort(sent.begin(), sent.end());
  CHECK(received == sent);
  CHECK(WaitFor([&] { return Processed(registry) == 5; }));
  CHECK(Gauge(registry, "packet_size") == 2000);  // the last one sent
  CHECK(Dropped(registry, "too-large") == 0);
}

TEST_CASE("a datagram longer than max_packet_size is dropped and counted as too-large") {
  prometheus::Registry registry;
  Recorder recorder;
  UdpServerOptions options = LoopbackOptions();
  options.max_packet_size = 1000;
  std::unique_ptr<UdpServer> server;
  REQUIRE(UdpServer::Start(options, CompactIdentity(), recorder.Handler(), registry, server).ok());

  Sender sender(server->port());
  sender.Send(Pattern(1001, 1));  // one byte over: fits the buffer, still too large
  sender.Send(Pattern(5000, 2));  // truncated by the kernel
  sender.Send("marker");
  REQUIRE(recorder.WaitFor("marker"));
  REQUIRE(WaitFor([&] { return Dropped(registry, "too-large") == 2; }));
  CHECK(recorder.Received() == std::vector<std::string>{"marker"});
  CHECK(WaitFor([&] { return Processed(registry) == 1; }));
  CHECK(Dropped(registry, "queue-full") == 0);
}

TEST_CASE("a full queue drops datagrams and counts them as queue-full") {
  prometheus::Registry registry;
  Recorder recorder;
  UdpServerOptions options = LoopbackOptions();
  options.queue_size = 2;
  options.workers = 1;
  std::unique_ptr<UdpServer> server;
  REQUIRE(UdpServer::Start(options, CompactIdentity(), recorder.Handler(), registry, server).ok());

  recorder.Close();
  Sender sender(server->port());
  sender.Send("a");
  REQUIRE(recorder.WaitEntered(1));  // the only worker is now blocked in the handler
  for (const char* datagram : {"b", "c", "d", "e"}) sender.Send(datagram);
  REQUIRE(WaitFor([&] { return Dropped(registry, "queue-full") == 2; }));
  CHECK(Gauge(registry, "queue_size") == 2);
  CHECK(Processed(registry) == 3);

  recorder.Open();
  REQUIRE(recorder.WaitEntered(3));
  CHECK(recorder.Received() == std::vector<std::string>{"a", "b", "c"});
  CHECK(WaitFor([&] { return Gauge(registry, "queue_size") == 0; }));
  CHECK(Dropped(registry, "queue-full") == 2);
}

TEST_CASE("every datagram of a burst is handled or counted as dropped with its cause") {
  prometheus::Registry registry;
  std::mutex mutex;
  std::vector<std::string> flushes_seen;
  auto handler = [&](std::string_view datagram) {
    if (datagram.substr(0, 6) != "flush-") return;
    std::lock_guard lock(mutex);
    flushes_seen.emplace_back(datagram);
  };
  UdpServerOptions options = LoopbackOptions();
  options.socket_buffer_size = 1;  // the kernel's minimum: the burst overflows it
  options.queue_size = 16;
  options.workers = 1;
  std::unique_ptr<UdpServer> server;
  REQUIRE(UdpServer::Start(options, CompactIdentity(), handler, registry, server).ok());

  Sender sender(server->port());
  const std::string datagram = Pattern(1000, 7);
  int sent = 0;
  for (; sent < 5000; ++sent) sender.Send(datagram);
  // The kernel reports its drop count with the next datagram it queues: send flushes until one
  // gets through.
  auto flush_seen = [&] {
    std::lock_guard lock(mutex);
    return !flushes_seen.empty();
  };
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!flush_seen() && std::chrono::steady_clock::now() < deadline) {
    sender.Send("flush-" + std::to_string(sent++));
    WaitFor(flush_seen, 100ms);
  }
  REQUIRE(flush_seen());
  auto accounted = [&] {
    return Processed(registry) + Dropped(registry, "queue-full") +
           Dropped(registry, "socket-buffer-full") + Dropped(registry, "too-large");
  };
  CHECK(WaitFor([&] { return accounted() == sent; }));
  INFO("processed " << Processed(registry) << ", queue-full " << Dropped(registry, "queue-full")
                    << ", socket-buffer-full " << Dropped(registry, "socket-buffer-full"));
  CHECK(accounted() == sent);
  CHECK(Dropped(registry, "too-large") == 0);
}

TEST_CASE("a port in use fails the start with the flag, the address and what to do") {
  prometheus::Registry registry;
  Recorder recorder;
  std::unique_ptr<UdpServer> first;
  REQUIRE(
      UdpServer::Start(LoopbackOptions(), CompactIdentity(), recorder.Handler(), registry, first)
          .ok());
  UdpServerOptions options = LoopbackOptions();
  options.host_port = "127.0.0.1:" + std::to_string(first->port());
  std::unique_ptr<UdpServer> second;
  const tracecore::Status status =
      UdpServer::Start(options, CompactIdentity(), recorder.Handler(), registry, second);
  REQUIRE_FALSE(status.ok());
  CHECK(second == nullptr);
  const std::string& message = status.message();
  CHECK_THAT(message, Catch::Contains("--processor.jaeger-compact.server-host-port"));
  CHECK_THAT(message, Catch::Contains(options.host_port));
  CHECK_THAT(message, Catch::Contains("Address already in use"));
  CHECK_THAT(message, Catch::Contains("another process"));
  CHECK_THAT(message, Catch::Contains("pick another port"));
}

TEST_CASE("a malformed host:port fails the start naming the flag") {
  prometheus::Registry registry;
  Recorder recorder;
  for (const char* bad :
       {"", "6831", "127.0.0.1:", "127.0.0.1:65536", "::1:6831", "[::1]6831", "127.0.0.1:68x"}) {
    UdpServerOptions options = LoopbackOptions();
    options.host_port = bad;
    std::unique_ptr<UdpServer> server;
    const tracecore::Status status =
        UdpServer::Start(options, CompactIdentity(), recorder.Handler(), registry, server);
    INFO(bad << " -> " << status.message());
    CHECK_FALSE(status.ok());
    CHECK_THAT(status.message(), Catch::Contains("--processor.jaeger-compact.server-host-port"));
  }
}

TEST_CASE("option values out of range fail the start naming the flag") {
  prometheus::Registry registry;
  Recorder recorder;
  const std::vector<std::pair<std::function<void(UdpServerOptions&)>, std::string>> cases{
      {[](UdpServerOptions& o) { o.max_packet_size = 0; }, "server-max-packet-size"},
      {[](UdpServerOptions& o) { o.max_packet_size = 70000; }, "server-max-packet-size"},
      {[](UdpServerOptions& o) { o.queue_size = 0; }, "server-queue-size"},
      {[](UdpServerOptions& o) { o.workers = 0; }, "workers"},
      {[](UdpServerOptions& o) { o.socket_buffer_size = -1; }, "server-socket-buffer-size"},
  };
  for (const auto& [change, flag] : cases) {
    UdpServerOptions options = LoopbackOptions();
    change(options);
    std::unique_ptr<UdpServer> server;
    const tracecore::Status status =
        UdpServer::Start(options, CompactIdentity(), recorder.Handler(), registry, server);
    CHECK_FALSE(status.ok());
    CHECK_THAT(status.message(), Catch::Contains("--processor.jaeger-compact." + flag));
  }
}

TEST_CASE("Shutdown hands every queued datagram to the handler, then returns") {
  prometheus::Registry registry;
  Recorder recorder;
  UdpServerOptions options = LoopbackOptions();
  options.workers = 1;
  options.queue_size = 100;
  std::unique_ptr<UdpServer> server;
  REQUIRE(UdpServer::Start(options, CompactIdentity(), recorder.Handler(), registry, server).ok());

  recorder.Close();
  Sender sender(server->port());
  for (int i = 0; i < 20; ++i) sender.Send("datagram-" + std::to_string(i));
  REQUIRE(recorder.WaitEntered(1));
  REQUIRE(WaitFor([&] { return Processed(registry) == 20; }));  // all taken off the socket

  std::thread stopper([&] { server->Shutdown(); });
  recorder.Open();
  stopper.join();
  CHECK(recorder.Received().size() == 20);
  server->Shutdown();  // idempotent
  CHECK(Gauge(registry, "queue_size") == 0);
}

TEST_CASE("Shutdown of an idle server returns, and the destructor after it is harmless") {
  prometheus::Registry registry;
  Recorder recorder;
  std::unique_ptr<UdpServer> server;
  REQUIRE(
      UdpServer::Start(LoopbackOptions(), CompactIdentity(), recorder.Handler(), registry, server)
          .ok());
  server->Shutdown();
  server.reset();
  CHECK(recorder.Received().empty());
}

TEST_CASE("every series exists at 0 from the start, per model and protocol") {
  prometheus::Registry registry;
  Recorder recorder;
  std::unique_ptr<UdpServer> compact;
  std::unique_ptr<UdpServer> zipkin;
  REQUIRE(
      UdpServer::Start(LoopbackOptions(), CompactIdentity(), recorder.Handler(), registry, compact)
          .ok());
  REQUIRE(UdpServer::Start(LoopbackOptions(), {"zipkin", "compact", "--processor.zipkin-compact"},
                           recorder.Handler(), registry, zipkin)
              .ok());
  for (const std::string model : {"jaeger", "zipkin"}) {
    const std::map<std::string, std::string> labels{{"model", model}, {"protocol", "compact"}};
    auto with_cause = [&](const std::string& cause) {
      auto out = labels;
      out["cause"] = cause;
      return out;
    };
    const std::string prefix = "jaeger_agent_thrift_udp_server_";
    CHECK(MetricValue(registry, prefix + "packets_processed_total", labels) == 0);
    CHECK(MetricValue(registry, prefix + "read_errors_total", labels) == 0);
    CHECK(MetricValue(registry, prefix + "queue_size", labels) == 0);
    CHECK(MetricValue(registry, prefix + "packet_size", labels) == 0);
    for (const char* cause : {"queue-full", "too-large", "socket-buffer-full"}) {
      CHECK(MetricValue(registry, prefix + "packets_dropped_total", with_cause(cause)) == 0);
    }
  }
}

}  // namespace
}  // namespace ariadne::agent
