// Jaeger Thrift: jaeger.thrift Batch (the collector's POST /api/traces body, binary protocol) and
// the agent's UDP messages (Agent.emitBatch on 6831 compact / 6832 binary, Agent.emitZipkinBatch
// on 5775 compact), in both the binary and the compact protocol.
//
// Spans go through the Jaeger rules of tracecore/translate/jaeger_translation.h (FinishSpan on the
// way in, SpanView on the way out); emitZipkinBatch spans go through the Zipkin v1 Thrift decoder
// (tracecore/codec/zipkin_thrift.h).
//
// Decoders keep views into their input: the caller keeps `bytes` alive as long as the batch (for
// example with SpanBatch::Retain). They append to the batch; on failure they remove everything they
// appended (spans, resources, scopes), so a batch that collects many datagrams stays consistent.
// Every decoder reads the whole input: trailing bytes after the Batch or message are an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracecore/model.h"
#include "tracecore/status.h"
#include "tracecore/wire/thrift_reader.h"

namespace ariadne::tracecore::jaeger_thrift {

enum class Protocol { kBinary, kCompact };

// jaeger.thrift ClientStats (Batch field 4): what a client dropped before sending.
struct ClientStats {
  int64_t full_queue_dropped_spans = 0;
  int64_t too_large_dropped_spans = 0;
  int64_t failed_to_emit_spans = 0;
  bool operator==(const ClientStats&) const = default;
};

// The Batch fields that are not spans: the agent's client metrics read them (with the process tag
// `client-uuid`, which arrives as a resource attribute).
struct BatchInfo {
  std::optional<int64_t> seq_no;     // Batch field 3
  std::optional<ClientStats> stats;  // Batch field 4
};

enum class AgentMethod { kEmitBatch, kEmitZipkinBatch };

struct AgentMessageInfo {
  AgentMethod method = AgentMethod::kEmitBatch;
  wire::ThriftMessageType message_type = wire::ThriftMessageType::kOneway;  // CALL or ONEWAY
  int32_t seq_id = 0;     // the message header's seqid
  BatchInfo batch;        // emitBatch only
  size_t span_count = 0;  // spans appended to the batch
};

// Decodes a bare jaeger.thrift Batch struct (no message envelope) and appends its spans, with the
// batch's process as one new resource (service.name, then the process tags). The process may come
// before or after the spans on the wire. `info`, when given, receives seqNo and stats.
//
// Required fields (Batch.process/spans, Process.serviceName, Span ids/operationName/flags/times,
// Tag.key/vType, Log.timestamp/fields, SpanRef fields) must be present, as libthrift's generated
// code demands; a field whose type differs from the IDL's is skipped, as generated code does. Tag
// values are taken from the field vType selects (clients write every optional v* field). Unknown
// vType or refType values and list elements of the wrong type are errors.
Status DecodeBatch(std::string_view bytes, Protocol protocol, SpanBatch& batch,
                   BatchInfo* info = nullptr);

// Decodes one agent UDP datagram: a Thrift message (CALL or ONEWAY) calling Agent.emitBatch
// (args field 1 = Batch) or Agent.emitZipkinBatch (args field 1 = list<zipkincore.Span>). Any
// other method or message type is an error that names it. `info`, when given, receives the method,
// the message header and, for emitBatch, seqNo and stats.
Status DecodeAgentMessage(std::string_view datagram, Protocol protocol, SpanBatch& batch,
                          AgentMessageInfo* info = nullptr);

// Appends one Batch holding, in batch order, the spans of `batch` whose resource is
// `resource_index`, with that resource as the Batch's process (a Jaeger Batch has one process).
//
// Per span: parentSpanId is the model parent (0 for a root) and the parent is ALSO the first
// reference (CHILD_OF), followed by one reference per link, as Jaeger clients send both; readers
// that look at either see the parent. Tags, logs and the process follow jaeger::SpanView; a tag
// writes only the v* field of its vType. Optional lists (references, tags, logs, process tags) are
// written only when non-empty; seqNo and stats only when `info` has them.
void EncodeBatch(const SpanBatch& batch, uint32_t resource_index, Protocol protocol,
                 std::string& out, const BatchInfo* info = nullptr);

// One encoded Batch per resource that has spans, in resource index order.
std::vector<std::string> EncodeBatches(const SpanBatch& batch, Protocol protocol);

// Appends an Agent.emitBatch ONEWAY message (what a Jaeger client sends to the agent over UDP)
// whose Batch is EncodeBatch(batch, resource_index, protocol, info).
void EncodeAgentEmitBatch(const SpanBatch& batch, uint32_t resource_index, Protocol protocol,
                          int32_t seq_id, std::string& out, const BatchInfo* info = nullptr);

}  // namespace ariadne::tracecore::jaeger_thrift
