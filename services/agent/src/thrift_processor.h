// ThriftProcessor: what the agent does with one UDP datagram. It decodes the Thrift message
// (Agent.emitBatch or Agent.emitZipkinBatch, reference §1.2; either method on any port, as
// Jaeger's agent accepts), records the client's own statistics (Batch.seqNo and Batch.stats),
// adds --agent.tags to the process and hands the spans to the reporter.
//
// A datagram that does not decode (random bytes, truncated Thrift, another method, a declared
// length beyond the datagram) is counted in
// jaeger_agent_thrift_udp_t_processor_handler_errors_total{model,protocol} and logged once per
// episode with the decoder's message; it never reaches the reporter.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <string>
#include <string_view>

#include "client_metrics.h"
#include "grpc_reporter.h"
#include "process_tags.h"
#include "runtime/degraded_episode.h"
#include "tracecore/codec/jaeger_thrift.h"

namespace ariadne::agent {

class ThriftProcessor {
 public:
  // `model` and `protocol_name` label the metrics ("jaeger", "compact"). `reporter`,
  // `client_metrics`, `tags` and `registry` must outlive the processor.
  ThriftProcessor(const std::string& model, tracecore::jaeger_thrift::Protocol protocol,
                  const std::string& protocol_name, Reporter& reporter,
                  ClientMetrics& client_metrics, const ProcessTags& tags,
                  prometheus::Registry& registry);

  // Handles one datagram; thread-safe (the UDP server's workers call it concurrently). The
  // datagram is only read during the call.
  void Handle(std::string_view datagram);

 private:
  const tracecore::jaeger_thrift::Protocol protocol_;
  Reporter& reporter_;
  ClientMetrics& client_metrics_;
  const ProcessTags& tags_;
  prometheus::Counter& handler_errors_;
  runtime::DegradedEpisode malformed_;
};

}  // namespace ariadne::agent
