// Transport: how one worker's requests reach the receiver (gRPC, HTTP or UDP) and how their
// outcomes are counted.
//
// One transport per worker; only that worker's thread calls Send and Drain. Outcomes go to the
// shared LoadCounters, from the worker's thread (HTTP, UDP) or from gRPC's completion threads.
// Network errors never throw: they are counted ("connect", "io", "timeout", a status) and the next
// Send tries again (HTTP reconnects; gRPC channels reconnect by themselves).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tracecore/status.h"
#include "tracegen/load_report.h"
#include "tracegen/protocol.h"

namespace ariadne::tracegen {

struct TlsOptions {
  bool enabled = false;
  std::string ca_file;    // PEM roots to verify the server with; empty = the system's
  std::string cert_file;  // PEM client certificate (mTLS), with key_file
  std::string key_file;
  // gRPC only: the name to verify the certificate against; empty = the endpoint's host. (HTTP
  // verifies the endpoint's host.)
  std::string server_name;
};

struct TransportOptions {
  Protocol protocol = Protocol::kOtlpGrpc;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string path;  // HTTP path; empty = the protocol's
  TlsOptions tls;
  bool gzip = false;  // HTTP: Content-Encoding gzip; gRPC: gzip message compression
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);
  int max_in_flight = 32;  // gRPC: concurrent requests per worker
  // Distinguishes the connections of workers (gRPC channels are otherwise shared).
  int worker_index = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Sends `body` carrying `spans` spans and counts it as sent. HTTP and UDP return after the
  // outcome is counted; gRPC returns once the call started, blocking while max_in_flight calls
  // are outstanding.
  virtual void Send(std::string body, uint32_t spans) = 0;

  // Returns when every request sent so far has its outcome counted.
  virtual void Drain() = 0;
};

// Builds the transport of `options.protocol`. Fails (kInvalidArgument, naming the flag) on
// unreadable TLS files or an unresolvable host.
tracecore::Status MakeTransport(const TransportOptions& options, LoadCounters& counters,
                                std::unique_ptr<Transport>& out);

// The rejected_spans of an OTLP ExportTraceServiceResponse (protobuf, or JSON when `json`);
// 0 for an empty or unparsable body (the request itself was accepted).
uint64_t OtlpRejectedSpans(std::string_view body, bool json);

// Compresses `body` into a gzip stream (level 1: tracegen's CPU is the collector's too).
std::string Gzip(std::string_view body);

// Splits "host:port", "[v6]:port" or ":port" (host 127.0.0.1); a missing port is `default_port`.
tracecore::Status ParseEndpoint(std::string_view endpoint, uint16_t default_port, std::string& host,
                                uint16_t& port);

// Reads a whole file (TLS material); the error names `flag`.
tracecore::Status ReadTextFile(const std::string& path, std::string_view flag, std::string& out);

// The transports, for MakeTransport and tests.
std::unique_ptr<Transport> MakeGrpcTransport(const TransportOptions& options,
                                             const std::string& pem_roots,
                                             const std::string& pem_cert,
                                             const std::string& pem_key, LoadCounters& counters);
tracecore::Status MakeHttpTransport(const TransportOptions& options, LoadCounters& counters,
                                    std::unique_ptr<Transport>& out);
tracecore::Status MakeUdpTransport(const TransportOptions& options, LoadCounters& counters,
                                   std::unique_ptr<Transport>& out);

}  // namespace ariadne::tracegen
