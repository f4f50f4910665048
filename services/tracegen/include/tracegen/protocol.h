// Protocol: the wire formats tracegen speaks, what each needs from a transport, and how a batch
// becomes request bodies (tracecore's encoders) and back (tracecore's decoders).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::tracegen {

enum class Protocol : uint8_t {
  kOtlpGrpc,          // opentelemetry.proto.collector.trace.v1.TraceService/Export
  kOtlpHttp,          // POST /v1/traces, application/x-protobuf
  kOtlpHttpJson,      // POST /v1/traces, application/json
  kJaegerGrpc,        // jaeger.api_v2.CollectorService/PostSpans
  kJaegerThriftHttp,  // POST /api/traces, application/x-thrift (binary Batch)
  kZipkinJson,        // POST /api/v2/spans, application/json
  kZipkinProto,       // POST /api/v2/spans, application/x-protobuf
  kJaegerCompactUdp,  // Agent.emitBatch, Thrift compact, UDP (agent port 6831)
  kJaegerBinaryUdp,   // Agent.emitBatch, Thrift binary, UDP (agent port 6832)
};

enum class TransportKind : uint8_t { kGrpc, kHttp, kUdp };

// How ids look in a protocol's bodies, for re-stamping them in place (request_template.h).
enum class IdForm : uint8_t {
  kBigEndian,  // 8-byte big-endian halves: protobuf bytes, Thrift binary i64
  kHex,        // 16 lower-case hex chars per half, inside JSON strings
  kVarint,     // Thrift compact zigzag varints: not re-stampable in place; bodies are re-encoded
};

struct ProtocolInfo {
  Protocol protocol;
  std::string_view name;  // the --protocol value
  TransportKind transport;
  uint16_t default_port;
  // HTTP: the request path. gRPC: the full method name. UDP: empty.
  std::string_view path;
  std::string_view content_type;  // HTTP only
  // Jaeger batches carry one process: one request per resource.
  bool one_resource_per_request;
  IdForm id_form;
};

const ProtocolInfo& InfoOf(Protocol protocol);
// Every protocol, in the order of the enum.
const std::vector<ProtocolInfo>& AllProtocols();
// Parses a --protocol value; the error lists the valid names.
tracecore::Status ParseProtocol(std::string_view name, Protocol& out);
// "otlp-grpc, otlp-http, ..." for help and error texts.
std::string ProtocolNames();

// The largest datagram the UDP protocols send (Jaeger's agent reads at most 65000 bytes).
inline constexpr size_t kMaxUdpDatagram = 65000;

struct EncodedRequest {
  std::string body;
  uint32_t spans = 0;
};

// Encodes every span of `batch` as request bodies of `protocol` and appends them to `out`: one body
// for OTLP and Zipkin; one per resource with spans for Jaeger (a Jaeger Batch has one process),
// and for UDP as many datagrams per resource as needed to keep each within kMaxUdpDatagram (a
// single span larger than that is still sent alone). The batch is only read.
void EncodeRequests(Protocol protocol, const tracecore::SpanBatch& batch,
                    std::vector<EncodedRequest>& out);

// UDP protocols: the spans of `batch` cut into batches of one resource each (index 0) whose
// datagrams stay within kMaxUdpDatagram with kUdpDatagramSlack to spare (re-stamped ids may take a
// few more bytes in the compact protocol). The slices keep views into `batch`, which must outlive
// them. A single span larger than the limit gets a slice of its own.
inline constexpr size_t kUdpDatagramSlack = 2048;
std::vector<tracecore::SpanBatch> SliceForDatagrams(Protocol protocol,
                                                    const tracecore::SpanBatch& batch);
// Appends the Agent.emitBatch datagram of a slice (resource 0).
void EncodeDatagram(Protocol protocol, const tracecore::SpanBatch& slice, std::string& out);

// Decodes one body of `protocol` into `batch` with tracecore's decoders (the receiving side: tests
// and the in-test servers use it). The batch keeps views into `body`.
tracecore::Status DecodeRequest(Protocol protocol, std::string_view body,
                                tracecore::SpanBatch& batch);

}  // namespace ariadne::tracegen
