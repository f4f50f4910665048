// CollectorConnection: the agent's gRPC channel to its collectors (--reporter.grpc.*).
//
// Every "host:port" of ReporterOptions.host_ports is resolved with getaddrinfo when the
// connection starts and again every resolve_interval on a background thread. The channel's target
// lists every address found ("ipv4:10.0.0.1:14250,10.0.0.2:14250", or "ipv6:[::1]:14250,..."
// when no name has an IPv4 address) with the round_robin policy: calls go round robin over every
// collector and gRPC skips the ones it cannot reach. When the set of addresses changes, a new
// channel replaces the old one; calls in flight finish on the old one, which lives as long as
// someone holds it. A name that stops resolving keeps its last known addresses. Until some name
// has resolved at least once, the channel targets the first entry through gRPC's own DNS
// resolver (so it connects as soon as that name resolves) and the background thread retries
// every second.
//
// Metrics (registered on the registry given to Start):
//   jaeger_agent_connection_status_collector_connected         gauge, 1 while the channel is READY
//   jaeger_agent_connection_status_collector_reconnects_total  counter, transitions into READY
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "tracecore/status.h"

namespace ariadne::agent {

class CollectorConnection {
 public:
  // Resolves `host` for `port` (both as written in the option); on success `addresses` holds
  // gRPC address literals, "1.2.3.4:14250" or "[::1]:14250". Runs on the caller's thread (Start)
  // and on the background thread. Tests inject one; the default uses getaddrinfo.
  using Resolver = std::function<tracecore::Status(const std::string& host, const std::string& port,
                                                   std::vector<std::string>& addresses)>;

  // Checks the options (an entry that is not "host:port" with a port in 1..65535 is an error
  // naming --reporter.grpc.host-port and the entry; an empty list is an error too; unreadable TLS
  // files name --reporter.grpc.tls.*), resolves every entry once (a name that does not resolve is
  // not an error: collectors may come up later), creates the first channel and starts the
  // background thread. `registry` must outlive the connection. `resolver` null: getaddrinfo.
  static tracecore::Status Start(const ReporterOptions& options, prometheus::Registry& registry,
                                 std::unique_ptr<CollectorConnection>& out,
                                 Resolver resolver = nullptr);

  // Stops the background thread (Stop()). Channels handed out stay usable.
  ~CollectorConnection();
  CollectorConnection(const CollectorConnection&) = delete;
  CollectorConnection& operator=(const CollectorConnection&) = delete;

  // The current channel; never null. Any thread. Hold it for the duration of one call (or a
  // few): a later call to channel() may return a newer one after the addresses change.
  std::shared_ptr<grpc::Channel> channel() const;

  // The target of the current channel, e.g. "ipv4:10.0.0.1:14250,10.0.0.2:14250". Any thread.
  std::string target() const;

  // Resolves every entry now (on the calling thread) and replaces the channel if the addresses
  // changed; the background thread does this every resolve_interval. Any thread.
  void ResolveNow();

  // Stops the background thread; waits for a getaddrinfo in progress. Idempotent; any thread but
  // the background one.
  void Stop();

  // The channel target for `addresses` (gRPC address literals as Resolver produces them): the
  // IPv4 ones if any, else the IPv6 ones; empty when there are none. Exposed for tests.
  static std::string TargetFor(const std::vector<std::string>& addresses);

 private:
  class Impl;
  explicit CollectorConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ariadne::agent
