#include "client_metrics.h"

#include <algorithm>
#include <utility>

namespace ariadne::agent {
namespace {

using tracecore::jaeger_thrift::BatchInfo;
using tracecore::jaeger_thrift::ClientStats;

int64_t ToNs(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
}

// How much a cumulative counter grew; 0 when it did not (or went down).
uint64_t Growth(int64_t before, int64_t after) {
  if (after <= before) return 0;
  return static_cast<uint64_t>(after) - static_cast<uint64_t>(before);  // exact, even at the ends
}

prometheus::Family<prometheus::Counter>& SpansDropped(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("jaeger_agent_client_stats_spans_dropped_total")
      .Help(
          "Spans dropped by clients, as their Batch.stats report: full-queue (the client's "
          "queue was full), too-large (larger than the client's max packet size), "
          "send-failure (encoding or sending failed)")
      .Register(registry);
}

}  // namespace

ClientMetrics::ClientMetrics(prometheus::Registry& registry, ClientMetricsOptions options,
                             Clock clock)
    : options_(options),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      ttl_ns_(ToNs(options.expire_ttl)),
      interval_ns_(std::max<int64_t>(1, ToNs(options.expire_interval))),
      batches_received_(prometheus::BuildCounter()
                            .Name("jaeger_agent_client_stats_batches_received_total")
                            .Help("Batches received from clients that send a client-uuid and a "
                                  "seqNo")
                            .Register(registry)
                            .Add({})),
      batches_sent_(prometheus::BuildCounter()
                        .Name("jaeger_agent_client_stats_batches_sent_total")
                        .Help("Batches clients say they sent (from their seqNo), counted from "
                              "the second batch of each client on")
                        .Register(registry)
                        .Add({})),
      connected_clients_(prometheus::BuildGauge()
                             .Name("jaeger_agent_client_stats_connected_clients")
                             .Help("Clients (client-uuid) heard from within the expiry time")
                             .Register(registry)
                             .Add({})),
      full_queue_dropped_(SpansDropped(registry).Add({{"cause", "full-queue"}})),
      too_large_dropped_(SpansDropped(registry).Add({{"cause", "too-large"}})),
      failed_to_emit_(SpansDropped(registry).Add({{"cause", "send-failure"}})),
      untracked_batches_(prometheus::BuildCounter()
                             .Name("ariadne_agent_client_stats_batches_untracked_total")
                             .Help("Batches whose client stats were not counted: the agent "
                                   "already tracked its maximum of clients, or the client-uuid "
                                   "was too long")
                             .Register(registry)
                             .Add({})),
      untracked_episode_("agent", "client stats: not tracking some clients (at most " +
                                      std::to_string(options.max_clients) +
                                      " clients, uuids of at most " +
                                      std::to_string(kMaxClientUuidBytes) +
                                      " bytes); their stats are not counted"),
      next_expiry_ns_(NowNs() + interval_ns_) {}

int64_t ClientMetrics::NowNs() const {
  return ToNs(clock_().time_since_epoch());
}

void ClientMetrics::Record(std::string_view client_uuid, const BatchInfo& info) {
  if (client_uuid.empty() || !info.seq_no) return;
  const int64_t now_ns = NowNs();
  batches_received_.Increment();
  Deltas deltas;
  if (client_uuid.size() > kMaxClientUuidBytes) {
    CountUntracked("a client-uuid of " + std::to_string(client_uuid.size()) + " bytes");
  } else if (!Update(client_uuid, *info.seq_no, info.stats, now_ns, deltas)) {
    CountUntracked(std::to_string(tracked_clients()) + " clients tracked");
  } else {
    Apply(deltas);
  }
  MaybeExpire(now_ns);
}

bool ClientMetrics::Update(std::string_view client_uuid, int64_t seq_no,
                           const std::optional<ClientStats>& stats, int64_t now_ns,
                           Deltas& deltas) {
  const size_t hash = StringHash{}(client_uuid);
  Shard& shard = shards_[hash % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.clients.find(client_uuid);
  if (it == shard.clients.end()) {
    if (tracked_.fetch_add(1, std::memory_order_relaxed) >= options_.max_clients) {
      tracked_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    it = shard.clients.emplace(std::string(client_uuid), ClientState{}).first;
    connected_clients_.Increment();
  }
  ClientState& state = it->second;
  state.last_heard_ns = now_ns;
  if (seq_no <= state.last_seq_no) return true;  // out of order: only received
  if (state.last_seq_no > 0) {
    deltas.batches_sent = Growth(state.last_seq_no, seq_no);
    if (stats) {
      deltas.full_queue_dropped = Growth(state.full_queue_dropped, stats->full_queue_dropped_spans);
      deltas.too_large_dropped = Growth(state.too_large_dropped, stats->too_large_dropped_spans);
      deltas.failed_to_emit = Growth(state.failed_to_emit, stats->failed_to_emit_spans);
    }
  }
  state.last_seq_no = seq_no;
  if (stats) {
    state.full_queue_dropped = stats->full_queue_dropped_spans;
    state.too_large_dropped = stats->too_large_dropped_spans;
    state.failed_to_emit = stats->failed_to_emit_spans;
  }
  return true;
}

void ClientMetrics::Apply(const Deltas& deltas) {
  if (deltas.batches_sent > 0) batches_sent_.Increment(static_cast<double>(deltas.batches_sent));
  if (deltas.full_queue_dropped > 0) {
    full_queue_dropped_.Increment(static_cast<double>(deltas.full_queue_dropped));
  }
  if (deltas.too_large_dropped > 0) {
    too_large_dropped_.Increment(static_cast<double>(deltas.too_large_dropped));
  }
  if (deltas.failed_to_emit > 0) {
    failed_to_emit_.Increment(static_cast<double>(deltas.failed_to_emit));
  }
  untracked_episode_.Leave();
}

void ClientMetrics::CountUntracked(const std::string& detail) {
  untracked_batches_.Increment();
  untracked_episode_.Enter(detail);
}

void ClientMetrics::MaybeExpire(int64_t now_ns) {
  int64_t due = next_expiry_ns_.load(std::memory_order_relaxed);
  if (now_ns < due) return;
  // One caller wins the sweep; the others go on.
  if (!next_expiry_ns_.compare_exchange_strong(due, now_ns + interval_ns_,
                                               std::memory_order_relaxed)) {
    return;
  }
  ExpireAt(now_ns);
}

void ClientMetrics::ExpireIdle() {
  ExpireAt(NowNs());
}

void ClientMetrics::ExpireAt(int64_t now_ns) {
  size_t expired = 0;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    expired += std::erase_if(shard.clients, [&](const auto& entry) {
      return now_ns - entry.second.last_heard_ns > ttl_ns_;
    });
  }
  if (expired == 0) return;
  tracked_.fetch_sub(expired, std::memory_order_relaxed);
  connected_clients_.Decrement(static_cast<double>(expired));
}

}  // namespace ariadne::agent
