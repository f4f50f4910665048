#include "thrift_processor.h"

namespace ariadne::agent {
namespace {

namespace jaeger_thrift = tracecore::jaeger_thrift;

constexpr std::string_view kClientUuidTag = "client-uuid";

// The `client-uuid` process tag Jaeger clients send (reference §1.2), or "" without one.
std::string_view ClientUuid(const tracecore::SpanBatch& batch) {
  for (const tracecore::Resource& resource : batch.resources()) {
    for (const tracecore::Attribute& attribute : resource.attributes) {
      if (attribute.key == kClientUuidTag &&
          attribute.value.type() == tracecore::ValueType::kString) {
        return attribute.value.string_value();
      }
    }
  }
  return {};
}

prometheus::Counter& HandlerErrors(prometheus::Registry& registry, const std::string& model,
                                   const std::string& protocol) {
  return prometheus::BuildCounter()
      .Name("jaeger_agent_thrift_udp_t_processor_handler_errors_total")
      .Help("Datagrams that did not decode as an Agent.emitBatch or emitZipkinBatch message")
      .Register(registry)
      .Add({{"model", model}, {"protocol", protocol}});
}

}  // namespace

ThriftProcessor::ThriftProcessor(const std::string& model, jaeger_thrift::Protocol protocol,
                                 const std::string& protocol_name, Reporter& reporter,
                                 ClientMetrics& client_metrics, const ProcessTags& tags,
                                 prometheus::Registry& registry)
    : protocol_(protocol),
      reporter_(reporter),
      client_metrics_(client_metrics),
      tags_(tags),
      handler_errors_(HandlerErrors(registry, model, protocol_name)),
      malformed_("agent", "datagrams on the " + model + "-" + protocol_name +
                              " port do not decode: they are counted and dropped") {}

void ThriftProcessor::Handle(std::string_view datagram) {
  tracecore::SpanBatch batch;
  jaeger_thrift::AgentMessageInfo info;
  const tracecore::Status decoded =
      jaeger_thrift::DecodeAgentMessage(datagram, protocol_, batch, &info);
  if (!decoded.ok()) {
    handler_errors_.Increment();
    malformed_.Enter(decoded.message());
    return;
  }
  malformed_.Leave();
  const bool zipkin = info.method == jaeger_thrift::AgentMethod::kEmitZipkinBatch;
  if (!zipkin) client_metrics_.Record(ClientUuid(batch), info.batch);
  if (batch.spans().empty()) return;
  AddProcessTags(tags_, batch);
  reporter_.Submit(batch, zipkin ? SpanFormat::kZipkin : SpanFormat::kJaeger);
}

}  // namespace ariadne::agent
