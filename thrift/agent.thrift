# Ariadne: Jaeger agent UDP interface (wire-compatible with jaeger-idl
# thrift/agent.thrift). One oneway call message per datagram.

include "jaeger.thrift"
include "zipkincore.thrift"

namespace cpp jaegertracing.agent.thrift
namespace java com.uber.jaeger.agent.thrift

service Agent {
  oneway void emitZipkinBatch(1: list<zipkincore.Span> spans)
  oneway void emitBatch(1: jaeger.Batch batch)
}
