#include "tracegen/protocol.h"

#include "tracecore/codec/jaeger_proto.h"
#include "tracecore/codec/jaeger_thrift.h"
#include "tracecore/codec/otlp_json.h"
#include "tracecore/codec/otlp_proto.h"
#include "tracecore/codec/zipkin.h"

namespace ariadne::tracegen {
namespace {

using tracecore::SpanBatch;
using tracecore::Status;

const std::vector<ProtocolInfo>& Table() {
  static const std::vector<ProtocolInfo> table = {
      {Protocol::kOtlpGrpc, "otlp-grpc", TransportKind::kGrpc, 4317,
       "/opentelemetry.proto.collector.trace.v1.TraceService/Export", "", false,
       IdForm::kBigEndian},
      {Protocol::kOtlpHttp, "otlp-http", TransportKind::kHttp, 4318, "/v1/traces",
       "application/x-protobuf", false, IdForm::kBigEndian},
      {Protocol::kOtlpHttpJson, "otlp-http-json", TransportKind::kHttp, 4318, "/v1/traces",
       "application/json", false, IdForm::kHex},
      {Protocol::kJaegerGrpc, "jaeger-grpc", TransportKind::kGrpc, 14250,
       "/jaeger.api_v2.CollectorService/PostSpans", "", true, IdForm::kBigEndian},
      {Protocol::kJaegerThriftHttp, "jaeger-thrift-http", TransportKind::kHttp, 14268,
       "/api/traces", "application/x-thrift", true, IdForm::kBigEndian},
      {Protocol::kZipkinJson, "zipkin-json", TransportKind::kHttp, 9411, "/api/v2/spans",
       "application/json", false, IdForm::kHex},
      {Protocol::kZipkinProto, "zipkin-proto", TransportKind::kHttp, 9411, "/api/v2/spans",
       "application/x-protobuf", false, IdForm::kBigEndian},
      {Protocol::kJaegerCompactUdp, "jaeger-compact-udp", TransportKind::kUdp, 6831, "", "", true,
       IdForm::kVarint},
      {Protocol::kJaegerBinaryUdp, "jaeger-binary-udp", TransportKind::kUdp, 6832, "", "", true,
       IdForm::kBigEndian},
  };
  return table;
}

// A batch with the spans [begin, end) of `source` (all of one resource) and that resource as its
// only resource. Strings stay views into `source`, which must outlive the result.
SpanBatch SliceOfResource(const SpanBatch& source, uint32_t resource_index,
                          const std::vector<const tracecore::Span*>& spans, size_t begin,
                          size_t end) {
  SpanBatch slice;
  slice.resources()[slice.AddResource()] = source.resources()[resource_index];
  for (const tracecore::Scope& scope : source.scopes()) slice.scopes()[slice.AddScope()] = scope;
  for (size_t i = begin; i < end; ++i) {
    tracecore::Span& span = slice.AddSpan(0, spans[i]->scope_index);
    span = *spans[i];
    span.resource_index = 0;
  }
  return slice;
}

// Appends slices for spans [begin, end), halving the range until each datagram fits.
void AppendSlices(Protocol protocol, const SpanBatch& batch, uint32_t resource_index,
                  const std::vector<const tracecore::Span*>& spans, size_t begin, size_t end,
                  std::vector<SpanBatch>& out) {
  SpanBatch slice = SliceOfResource(batch, resource_index, spans, begin, end);
  std::string datagram;
  EncodeDatagram(protocol, slice, datagram);
  if (datagram.size() + kUdpDatagramSlack <= kMaxUdpDatagram || end - begin == 1) {
    out.push_back(std::move(slice));
    return;
  }
  const size_t middle = begin + (end - begin) / 2;
  AppendSlices(protocol, batch, resource_index, spans, begin, middle, out);
  AppendSlices(protocol, batch, resource_index, spans, middle, end, out);
}

// The spans of `resource`, in batch order.
std::vector<const tracecore::Span*> SpansOf(const SpanBatch& batch, uint32_t resource) {
  std::vector<const tracecore::Span*> spans;
  for (const tracecore::Span& span : batch.spans()) {
    if (span.resource_index == resource) spans.push_back(&span);
  }
  return spans;
}

}  // namespace

const std::vector<ProtocolInfo>& AllProtocols() {
  return Table();
}

const ProtocolInfo& InfoOf(Protocol protocol) {
  return Table()[static_cast<size_t>(protocol)];
}

Status ParseProtocol(std::string_view name, Protocol& out) {
  for (const ProtocolInfo& info : Table()) {
    if (info.name == name) {
      out = info.protocol;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("--protocol: unknown protocol '" + std::string(name) +
                                 "'; use one of " + ProtocolNames());
}

std::string ProtocolNames() {
  std::string names;
  for (const ProtocolInfo& info : Table()) {
    if (!names.empty()) names += ", ";
    names += info.name;
  }
  return names;
}

void EncodeRequests(Protocol protocol, const SpanBatch& batch, std::vector<EncodedRequest>& out) {
  const ProtocolInfo& info = InfoOf(protocol);
  if (!info.one_resource_per_request) {
    EncodedRequest request;
    request.spans = static_cast<uint32_t>(batch.spans().size());
    switch (protocol) {
      case Protocol::kOtlpGrpc:
      case Protocol::kOtlpHttp: tracecore::otlp::EncodeExportRequest(batch, request.body); break;
      case Protocol::kOtlpHttpJson:
        tracecore::otlp::EncodeExportRequestJson(batch, request.body);
        break;
      case Protocol::kZipkinJson: tracecore::zipkin::EncodeV2Json(batch, request.body); break;
      case Protocol::kZipkinProto: tracecore::zipkin::EncodeV2Proto(batch, request.body); break;
      default: break;
    }
    out.push_back(std::move(request));
    return;
  }
  if (info.transport == TransportKind::kUdp) {
    for (const SpanBatch& slice : SliceForDatagrams(protocol, batch)) {
      EncodedRequest request;
      request.spans = static_cast<uint32_t>(slice.spans().size());
      EncodeDatagram(protocol, slice, request.body);
      out.push_back(std::move(request));
    }
    return;
  }
  for (uint32_t resource = 0; resource < batch.resources().size(); ++resource) {
    const std::vector<const tracecore::Span*> spans = SpansOf(batch, resource);
    if (spans.empty()) continue;
    EncodedRequest request;
    request.spans = static_cast<uint32_t>(spans.size());
    if (protocol == Protocol::kJaegerGrpc) {
      tracecore::jaeger_proto::EncodePostSpansRequest(batch, resource, request.body);
    } else {
      tracecore::jaeger_thrift::EncodeBatch(
          batch, resource, tracecore::jaeger_thrift::Protocol::kBinary, request.body);
    }
    out.push_back(std::move(request));
  }
}

std::vector<SpanBatch> SliceForDatagrams(Protocol protocol, const SpanBatch& batch) {
  std::vector<SpanBatch> slices;
  for (uint32_t resource = 0; resource < batch.resources().size(); ++resource) {
    const std::vector<const tracecore::Span*> spans = SpansOf(batch, resource);
    if (!spans.empty()) AppendSlices(protocol, batch, resource, spans, 0, spans.size(), slices);
  }
  return slices;
}

void EncodeDatagram(Protocol protocol, const SpanBatch& slice, std::string& out) {
  const auto wire = protocol == Protocol::kJaegerCompactUdp
                        ? tracecore::jaeger_thrift::Protocol::kCompact
                        : tracecore::jaeger_thrift::Protocol::kBinary;
  tracecore::jaeger_thrift::EncodeAgentEmitBatch(slice, 0, wire, 0, out);
}

Status DecodeRequest(Protocol protocol, std::string_view body, SpanBatch& batch) {
  switch (protocol) {
    case Protocol::kOtlpGrpc:
    case Protocol::kOtlpHttp: return tracecore::otlp::DecodeExportRequest(body, batch);
    case Protocol::kOtlpHttpJson: return tracecore::otlp::DecodeExportRequestJson(body, batch);
    case Protocol::kJaegerGrpc: return tracecore::jaeger_proto::DecodePostSpansRequest(body, batch);
    case Protocol::kJaegerThriftHttp:
      return tracecore::jaeger_thrift::DecodeBatch(
          body, tracecore::jaeger_thrift::Protocol::kBinary, batch);
    case Protocol::kZipkinJson: return tracecore::zipkin::DecodeV2Json(body, batch);
    case Protocol::kZipkinProto: return tracecore::zipkin::DecodeV2Proto(body, batch);
    case Protocol::kJaegerCompactUdp:
      return tracecore::jaeger_thrift::DecodeAgentMessage(
          body, tracecore::jaeger_thrift::Protocol::kCompact, batch);
    case Protocol::kJaegerBinaryUdp:
      return tracecore::jaeger_thrift::DecodeAgentMessage(
          body, tracecore::jaeger_thrift::Protocol::kBinary, batch);
  }
  return Status::Internal("tracegen: unknown protocol");
}

}  // namespace ariadne::tracegen
