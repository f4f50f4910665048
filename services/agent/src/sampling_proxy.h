// SamplingProxy: the agent's sampling endpoint (reference §1.3, §6.2). Local clients poll
//   GET /sampling?service=<name>   JSON, "strategyType":"PROBABILISTIC"
//   GET /?service=<name>           the same with "strategyType":0 (Thrift 0.9.2 clients)
// and the agent asks a collector, over gRPC jaeger.api_v2.SamplingManager/GetSamplingStrategy.
//
// Answers are cached per service. The HTTP server's handlers must not wait on the network, so the
// cache is kept fresh in the background: a refresher thread asks again for every service that a
// client asked for within kActiveWindow once its answer is 3/4 of the TTL old. A request then
//   - is answered from the cache when the answer is younger than the TTL (no call);
//   - otherwise (a service not known yet or not asked for lately, or an old answer because the
//     collector has been failing) makes a call, unless one for that service failed within
//     max(TTL, 1 s), and waits for it at most min(call timeout, kMaxRequestWait). A successful
//     answer is served; else the last known strategy (counted in
//     jaeger_agent_sampling_stale_served_total); with nothing known, Jaeger's 500
//     "collector error: rpc error: code = Unavailable desc = ..." (Go's form of a gRPC error).
// A collector that fails logs one warning per episode (runtime::DegradedEpisode).
//
// The cache holds at most kMaxServices services and kMaxCachedBytes of answers (service names
// come from the network); beyond that the service asked for least recently is forgotten.
//
// Metrics (Jaeger's names, reference §7.3, every series created at 0):
//   jaeger_agent_http_server_requests_total{type=sampling|sampling-legacy}: answered with 200
//   jaeger_agent_http_server_errors_total{status=4xx,source=all}: no single ?service=
//   jaeger_agent_http_server_errors_total{status=5xx,source=collector-proxy}: the call failed
//   jaeger_agent_http_server_errors_total{status=5xx,source=proto}: the answer did not decode
//   jaeger_agent_http_server_errors_total{status=5xx,source=write}: kept for Jaeger's dashboards;
//     the HTTP server writes responses, so it stays 0
//   jaeger_agent_sampling_stale_served_total: 200 with the last known strategy
#pragma once

#include <prometheus/registry.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "runtime/http_server.h"

namespace grpc {
class Channel;
}  // namespace grpc

namespace ariadne::agent {

class SamplingProxy {
 public:
  // The channel to a collector, asked once per call; any thread. A null channel fails the call
  // ("no collector connection").
  using ChannelSource = std::function<std::shared_ptr<grpc::Channel>()>;

  // Most services cached at once.
  static constexpr size_t kMaxServices = 1024;
  // Most bytes of answers (both JSON forms) and service names cached at once.
  static constexpr size_t kMaxCachedBytes = size_t{32} << 20;
  // A service is kept fresh in the background while a client asked for it this recently (Jaeger
  // clients poll every 60 s by default).
  static constexpr std::chrono::seconds kActiveWindow{300};
  // The longest an HTTP request waits for a call; a slower call goes on, and its answer serves
  // later requests.
  static constexpr std::chrono::seconds kMaxRequestWait{1};

  // `cache_ttl` (AgentOptions::sampling_cache_ttl): how long an answer is served without asking
  // again; 0 or less: every request asks (no background refresh), the cache only serves as the
  // last known strategy. `call_timeout`: the deadline of each call. Metrics are registered on
  // `registry`, which must outlive this. Starts the refresher thread when cache_ttl > 0.
  SamplingProxy(ChannelSource channel, std::chrono::nanoseconds cache_ttl,
                std::chrono::nanoseconds call_timeout, prometheus::Registry& registry);
  // Stops the refresher, cancels calls in flight and waits for them. Every server using the
  // routes must be stopped first.
  ~SamplingProxy();
  SamplingProxy(const SamplingProxy&) = delete;
  SamplingProxy& operator=(const SamplingProxy&) = delete;

  // Adds GET /sampling and GET / (legacy) to `router`, before the router is given to a server.
  // The handlers refer to this proxy, which must outlive the servers.
  void AddRoutes(runtime::HttpRouter& router);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ariadne::agent
