#include "client_metrics.h"

#include <prometheus/registry.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace ariadne::agent {
namespace {

using namespace std::chrono_literals;
using tracecore::jaeger_thrift::BatchInfo;
using tracecore::jaeger_thrift::ClientStats;

// The value of the series `name` with exactly `labels`; -1 when there is no such series.
double MetricValue(prometheus::Registry& registry, const std::string& name,
                   const std::map<std::string, std::string>& labels = {}) {
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

// A clock the test moves by hand.
class FakeClock {
 public:
  ClientMetrics::Clock Function() {
    return [this] { return now_; };
  }
  void Advance(std::chrono::steady_clock::duration by) { now_ += by; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
};

BatchInfo Batch(int64_t seq_no, std::optional<ClientStats> stats = std::nullopt) {
  BatchInfo info;
  info.seq_no = seq_no;
  info.stats = stats;
  return info;
}

ClientStats Stats(int64_t full_queue, int64_t too_large, int64_t send_failure) {
  ClientStats stats;
  stats.full_queue_dropped_spans = full_queue;
  stats.too_large_dropped_spans = too_large;
  stats.failed_to_emit_spans = send_failure;
  return stats;
}

struct Snapshot {
  double received;
  double sent;
  double connected;
  double full_queue;
  double too_large;
  double send_failure;
  double untracked;
  bool operator==(const Snapshot&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Snapshot& s) {
  return out << "{received " << s.received << ", sent " << s.sent << ", connected " << s.connected
             << ", full-queue " << s.full_queue << ", too-large " << s.too_large
             << ", send-failure " << s.send_failure << ", untracked " << s.untracked << "}";
}

Snapshot Read(prometheus::Registry& registry) {
  const std::string prefix = "jaeger_agent_client_stats_";
  const std::string dropped = prefix + "spans_dropped_total";
  return {MetricValue(registry, prefix + "batches_received_total"),
          MetricValue(registry, prefix + "batches_sent_total"),
          MetricValue(registry, prefix + "connected_clients"),
          MetricValue(registry, dropped, {{"cause", "full-queue"}}),
          MetricValue(registry, dropped, {{"cause", "too-large"}}),
          MetricValue(registry, dropped, {{"cause", "send-failure"}}),
          MetricValue(registry, "ariadne_agent_client_stats_batches_untracked_total")};
}

TEST_CASE("every series exists at 0 from the start") {
  prometheus::Registry registry;
  ClientMetrics metrics(registry);
  CHECK(Read(registry) == Snapshot{0, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("batches without a client uuid or a seqNo are ignored") {
  prometheus::Registry registry;
  ClientMetrics metrics(registry);
  metrics.Record("", Batch(1, Stats(1, 1, 1)));
  metrics.Record("client-a", BatchInfo{});
  BatchInfo stats_only;
  stats_only.stats = Stats(5, 5, 5);
  metrics.Record("client-a", stats_only);
  CHECK(Read(registry) == Snapshot{0, 0, 0, 0, 0, 0, 0});
  CHECK(metrics.tracked_clients() == 0);
}

TEST_CASE("the first batch sets the baseline, later batches add the growth of seqNo and stats") {
  prometheus::Registry registry;
  ClientMetrics metrics(registry);
  metrics.Record("client-a", Batch(5, Stats(10, 20, 30)));
  CHECK(Read(registry) == Snapshot{1, 0, 1, 0, 0, 0, 0});

  metrics.Record("client-a", Batch(8, Stats(12, 20, 35)));
  CHECK(Read(registry) == Snapshot{2, 3, 1, 2, 0, 5, 0});

  // Out of order: received, nothing else; its counts come again, larger, in a later batch.
  metrics.Record("client-a", Batch(7, Stats(100, 100, 100)));
  CHECK(Read(registry) == Snapshot{3, 3, 1, 2, 0, 5, 0});
  metrics.Record("client-a", Batch(8, Stats(100, 100, 100)));  // a duplicate is out of order too
  CHECK(Read(registry) == Snapshot{4, 3, 1, 2, 0, 5, 0});

  metrics.Record("client-a", Batch(9, Stats(13, 21, 35)));
  CHECK(Read(registry) == Snapshot{5, 4, 1, 3, 1, 5, 0});

  // A batch without stats counts as sent and keeps the stats baseline.
  metrics.Record("client-a", Batch(10));
  CHECK(Read(registry) == Snapshot{6, 5, 1, 3, 1, 5, 0});
  metrics.Record("client-a", Batch(11, Stats(14, 21, 35)));
  CHECK(Read(registry) == Snapshot{7, 6, 1, 4, 1, 5, 0});
}

TEST_CASE("a stat that goes down adds nothing and becomes the new baseline") {
  prometheus::Registry registry;
  ClientMetrics metrics(registry);
  metrics.Record("client-a", Batch(1, Stats(10, 10, 10)));
  metrics.Record("client-a", Batch(2, Stats(0, 10, 12)));
  CHECK(Read(registry) == Snapshot{2, 1, 1, 0, 0, 2, 0});
  metrics.Record("client-a", Batch(3, Stats(4, 10, 12)));
  CHECK(Read(registry) == Snapshot{3, 2, 1, 4, 0, 2, 0});
}

TEST_CASE("extreme values from the network neither overflow nor go negative") {
  prometheus::Registry registry;
  ClientMetrics metrics(registry);
  const int64_t min = std::numeric_limits<int64_t>::min();
  const int64_t max = std::numeric_limits<int64_t>::max();
  metrics.Record("client-a", Batch(1, Stats(min, min, min)));
  metrics.Record("client-a", Batch(max, Stats(max, max, max)));
  const Snapshot after = Read(registry);
  CHECK(after.sent == static_cast<double>(max - 1));
  CHECK(after.full_queue == static_cast<double>(std::numeric_limits<uint64_t>::max()));
  metrics.Record("client-a", Batch(min, Stats(0, 0, 0)));  // out of order
  CHECK(Read(registry) ==
        Snapshot{3, after.sent, 1, after.full_queue, after.too_large, after.send_failure, 0});
}

TEST_CASE("clients are counted separately") {
  prometheus::Registry registry;
  ClientMetrics metrics(registry);
  metrics.Record("client-a", Batch(1, Stats(0, 0, 0)));
  metrics.Record("client-b", Batch(100, Stats(50, 0, 0)));
  metrics.Record("client-a", Batch(2, Stats(1, 0, 0)));
  metrics.Record("client-b", Batch(102, Stats(51, 0, 0)));
  CHECK(Read(registry) == Snapshot{4, 3, 2, 2, 0, 0, 0});
  CHECK(metrics.tracked_clients() == 2);
}

TEST_CASE("clients not heard from for the TTL are forgotten") {
  prometheus::Registry registry;
  FakeClock clock;
  ClientMetrics metrics(registry, ClientMetricsOptions{}, clock.Function());
  metrics.Record("client-a", Batch(1));
  metrics.Record("client-b", Batch(1));
  clock.Advance(30min);
  metrics.Record("client-b", Batch(2));
  clock.Advance(31min);  // a: 61 min, b: 31 min
  metrics.ExpireIdle();
  CHECK(metrics.tracked_clients() == 1);
  CHECK(Read(registry).connected == 1);

  // Forgotten: its next batch sets a new baseline, as from a new client.
  metrics.Record("client-a", Batch(50));
  CHECK(Read(registry) == Snapshot{4, 1, 2, 0, 0, 0, 0});
}

TEST_CASE("Record sweeps out expired clients every expire_interval") {
  prometheus::Registry registry;
  FakeClock clock;
  ClientMetricsOptions options;
  options.expire_ttl = 10min;
  options.expire_interval = 5min;
  ClientMetrics metrics(registry, options, clock.Function());
  metrics.Record("client-a", Batch(1));
  metrics.Record("client-b", Batch(1));
  clock.Advance(11min);
  metrics.Record("client-c", Batch(1));  // past the interval: a and b go
  CHECK(metrics.tracked_clients() == 1);
  CHECK(Read(registry).connected == 1);
  clock.Advance(1min);
  metrics.Record("client-d", Batch(1));  // within the interval: no sweep
  CHECK(metrics.tracked_clients() == 2);
}

TEST_CASE("the number of tracked clients is bounded and the rest is counted") {
  prometheus::Registry registry;
  FakeClock clock;
  ClientMetricsOptions options;
  options.max_clients = 2;
  options.expire_ttl = 10min;
  ClientMetrics metrics(registry, options, clock.Function());
  metrics.Record("client-a", Batch(1));
  metrics.Record("client-b", Batch(1));
  metrics.Record("client-c", Batch(1, Stats(1, 1, 1)));
  metrics.Record("client-c", Batch(2, Stats(2, 2, 2)));
  CHECK(Read(registry) == Snapshot{4, 0, 2, 0, 0, 0, 2});
  CHECK(metrics.tracked_clients() == 2);

  // Known clients still count while the table is full.
  metrics.Record("client-a", Batch(2));
  CHECK(Read(registry) == Snapshot{5, 1, 2, 0, 0, 0, 2});

  clock.Advance(5min);
  metrics.Record("client-a", Batch(3));
  clock.Advance(6min);  // b is past the TTL, a is not
  metrics.ExpireIdle();
  metrics.Record("client-c", Batch(3, Stats(3, 3, 3)));  // room again: c's baseline
  metrics.Record("client-c", Batch(4, Stats(4, 3, 3)));
  CHECK(Read(registry) == Snapshot{8, 3, 2, 1, 0, 0, 2});
}

TEST_CASE("a client uuid longer than the limit is not tracked") {
  prometheus::Registry registry;
  ClientMetrics metrics(registry);
  const std::string longest(ClientMetrics::kMaxClientUuidBytes, 'u');
  metrics.Record(longest, Batch(1));
  metrics.Record(longest + "u", Batch(1));
  CHECK(Read(registry) == Snapshot{2, 0, 1, 0, 0, 0, 1});
}

TEST_CASE("Record is safe from several threads at once") {
  prometheus::Registry registry;
  ClientMetrics metrics(registry);
  constexpr int kThreads = 4;
  constexpr int kBatches = 2000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      const std::string own = "client-" + std::to_string(t);
      for (int64_t seq = 1; seq <= kBatches; ++seq) {
        metrics.Record(own, Batch(seq, Stats(seq, 0, 0)));
        metrics.Record("shared", Batch(seq));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const Snapshot after = Read(registry);
  CHECK(after.received == 2 * kThreads * kBatches);
  // The shared client's batches interleave: whatever the order, its seqNo went from 1 to
  // kBatches, and the own clients each add kBatches - 1.
  CHECK(after.sent == kThreads * (kBatches - 1) + (kBatches - 1));
  CHECK(after.full_queue == kThreads * (kBatches - 1));
  CHECK(after.connected == kThreads + 1);
  CHECK(after.untracked == 0);
}

}  // namespace
}  // namespace ariadne::agent
