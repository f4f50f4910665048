// UdpServer: one of the agent's UDP listeners (6831 Jaeger compact, 6832 Jaeger binary, 5775
// Zipkin compact). It receives datagrams with recvmmsg on one thread, queues them, and hands each
// to a DatagramHandler on a pool of worker threads, so decoding never slows the socket down.
//
// Every datagram is either handed to the handler or counted as dropped with its cause: larger
// than max_packet_size ("too-large"), the queue was full ("queue-full"), or the kernel dropped it
// because the socket's receive buffer was full ("socket-buffer-full", read from SO_RXQ_OVFL).
//
// Memory: datagram buffers of max_packet_size + 1 bytes, allocated when first needed and reused,
// at most queue_size + workers + 64 of them (about 70 MB at the defaults, of which only what
// datagrams filled is resident). Degraded states (queue full, kernel drops, too-large datagrams,
// read errors) log once per episode at warn.
//
// Metrics (labels model, protocol), Jaeger's names (reference §7.3):
//   jaeger_agent_thrift_udp_server_packets_processed_total   datagrams queued for the handler
//   jaeger_agent_thrift_udp_server_packets_dropped_total     + label cause (see above)
//   jaeger_agent_thrift_udp_server_read_errors_total         recvmmsg errors
//   jaeger_agent_thrift_udp_server_queue_size                gauge: datagrams queued now
//   jaeger_agent_thrift_udp_server_packet_size               gauge: size of the last datagram
#pragma once

#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "agent/agent.h"
#include "tracecore/status.h"

namespace ariadne::agent {

// Who a server is, for metric labels, log lines and error messages.
struct UdpServerIdentity {
  std::string model;        // "jaeger" or "zipkin": the metrics' model label
  std::string protocol;     // "compact" or "binary": the metrics' protocol label
  std::string flag_prefix;  // "--processor.jaeger-compact": errors name <flag_prefix>.<option>
};

// Called on a worker thread for each datagram, concurrently from up to options.workers threads.
// `datagram` is valid only during the call (the buffer is reused afterwards). Must not throw.
using DatagramHandler = std::function<void(std::string_view datagram)>;

class UdpServer {
 public:
  // Binds options.host_port and starts the receive thread and options.workers workers. Metric
  // families are registered on (or fetched from) `registry`, which must outlive the server.
  // Errors (bad option values, bad host:port, bind failures) name the flag and say how to fix it;
  // `out` is set only on success.
  static tracecore::Status Start(const UdpServerOptions& options, UdpServerIdentity identity,
                                 DatagramHandler handler, prometheus::Registry& registry,
                                 std::unique_ptr<UdpServer>& out);

  ~UdpServer();  // Calls Shutdown().
  UdpServer(const UdpServer&) = delete;
  UdpServer& operator=(const UdpServer&) = delete;

  // The bound UDP port (the ephemeral one when host_port asked for port 0). Any thread.
  int port() const;

  // Stops receiving, lets the workers hand every queued datagram to the handler, and joins all
  // threads. Idempotent; any thread except a worker (the handler must not call it).
  void Shutdown();

 private:
  class Impl;
  explicit UdpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ariadne::agent
