// ClientMetrics: what Jaeger clients say they lost, read from the emitBatch datagrams they send.
//
// A conforming client (jaeger-client-*, OpenTelemetry's Jaeger Thrift exporters) tags its process
// with a unique `client-uuid`, numbers its batches (Batch.seqNo, from 1) and sends cumulative
// drop counts (Batch.stats). Per client the agent keeps the last seqNo and counts, and turns them
// into deltas, as Jaeger's agent does (J1 cmd/agent/app/reporter/client_metrics.go):
//   - a batch without a client uuid or a seqNo is ignored;
//   - every other batch counts in batches_received;
//   - a batch whose seqNo is not above the last one seen is out of order: it only counts as
//     received (its cumulative counts come again, larger, in a later batch);
//   - the first batch of a client only sets the baseline (a client that ran before the agent
//     started would otherwise show its whole history as one spike); each later batch adds
//     seqNo - last seqNo to batches_sent, and each stat's increase to spans_dropped{cause}.
//     A counter that went down (a restarted client reusing its uuid) adds nothing.
//   - clients not heard from for `expire_ttl` are forgotten (Jaeger: 1 h, checked every 15 min).
//
// Unlike Jaeger, the number of tracked clients is bounded: the uuid comes from the network, so a
// sender inventing uuids must not grow memory without bound. Batches of clients beyond the bound,
// or with a uuid longer than kMaxClientUuidBytes, are counted in
// ariadne_agent_client_stats_batches_untracked_total (and in batches_received), and the first one
// of an episode is logged at warn.
//
// Metrics: jaeger_agent_client_stats_batches_received_total, _batches_sent_total,
// _connected_clients (gauge: clients tracked now), _spans_dropped_total{cause=full-queue|
// too-large|send-failure}, and ariadne_agent_client_stats_batches_untracked_total.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "runtime/degraded_episode.h"
#include "tracecore/codec/jaeger_thrift.h"

namespace ariadne::agent {

struct ClientMetricsOptions {
  std::chrono::steady_clock::duration expire_ttl = std::chrono::hours(1);
  // How often Record() sweeps out expired clients (ExpireIdle can also be called directly).
  std::chrono::steady_clock::duration expire_interval = std::chrono::minutes(15);
  size_t max_clients = 10000;  // clients tracked at once; must be at least 1
};

class ClientMetrics {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // A uuid longer than this is not tracked (UUIDs have 36 characters).
  static constexpr size_t kMaxClientUuidBytes = 128;

  // Registers the metric families on `registry`, which must outlive this object. `clock` (for
  // tests) defaults to std::chrono::steady_clock::now.
  explicit ClientMetrics(prometheus::Registry& registry, ClientMetricsOptions options = {},
                         Clock clock = nullptr);
  ClientMetrics(const ClientMetrics&) = delete;
  ClientMetrics& operator=(const ClientMetrics&) = delete;

  // Accounts one emitBatch: `client_uuid` is the process tag client-uuid ("" when absent), `info`
  // the batch's seqNo and stats. Thread-safe; every expire_interval one caller also runs
  // ExpireIdle().
  void Record(std::string_view client_uuid, const tracecore::jaeger_thrift::BatchInfo& info);

  // Forgets clients not heard from for longer than expire_ttl. Thread-safe.
  void ExpireIdle();

  // Clients tracked now (what the connected_clients gauge shows). Thread-safe.
  size_t tracked_clients() const { return tracked_.load(std::memory_order_relaxed); }

 private:
  // What the last in-order batch of a client said; Thrift's i64 kept as is.
  struct ClientState {
    int64_t last_seq_no = 0;
    int64_t full_queue_dropped = 0;
    int64_t too_large_dropped = 0;
    int64_t failed_to_emit = 0;
    int64_t last_heard_ns = 0;  // clock time of the last batch of any order
  };
  // What one batch adds to the counters, worked out under the shard lock and applied after.
  struct Deltas {
    uint64_t batches_sent = 0;
    uint64_t full_queue_dropped = 0;
    uint64_t too_large_dropped = 0;
    uint64_t failed_to_emit = 0;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, ClientState, StringHash, std::equal_to<>> clients;
  };
  static constexpr size_t kShards = 16;  // worker threads rarely wait for each other

  int64_t NowNs() const;
  // False when the client is new and the table is full.
  bool Update(std::string_view client_uuid, int64_t seq_no,
              const std::optional<tracecore::jaeger_thrift::ClientStats>& stats, int64_t now_ns,
              Deltas& deltas);
  void Apply(const Deltas& deltas);
  void CountUntracked(const std::string& detail);
  void MaybeExpire(int64_t now_ns);
  void ExpireAt(int64_t now_ns);

  const ClientMetricsOptions options_;
  const Clock clock_;
  const int64_t ttl_ns_;
  const int64_t interval_ns_;

  prometheus::Counter& batches_received_;
  prometheus::Counter& batches_sent_;
  prometheus::Gauge& connected_clients_;
  prometheus::Counter& full_queue_dropped_;
  prometheus::Counter& too_large_dropped_;
  prometheus::Counter& failed_to_emit_;
  prometheus::Counter& untracked_batches_;
  runtime::DegradedEpisode untracked_episode_;

  std::array<Shard, kShards> shards_;
  std::atomic<size_t> tracked_{0};
  std::atomic<int64_t> next_expiry_ns_;
};

}  // namespace ariadne::agent
