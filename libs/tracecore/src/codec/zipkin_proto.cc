// Zipkin v2 protobuf: zipkin.proto3.ListOfSpans, with wire::ProtoReader / ProtoWriter.
#include <cstring>

#include "tracecore/codec/zipkin.h"
#include "tracecore/text.h"
#include "tracecore/translate/zipkin_translation.h"
#include "tracecore/wire/proto_reader.h"
#include "tracecore/wire/proto_writer.h"

namespace ariadne::tracecore::zipkin {
namespace {

using wire::ProtoReader;
using wire::ProtoWriter;

// Field numbers of zipkin.proto3 (reference §3.7).
namespace list_of_spans {
constexpr uint32_t kSpans = 1;
}
namespace span_field {
constexpr uint32_t kTraceId = 1;
constexpr uint32_t kParentId = 2;
constexpr uint32_t kId = 3;
constexpr uint32_t kKind = 4;
constexpr uint32_t kName = 5;
constexpr uint32_t kTimestamp = 6;
constexpr uint32_t kDuration = 7;
constexpr uint32_t kLocalEndpoint = 8;
constexpr uint32_t kRemoteEndpoint = 9;
constexpr uint32_t kAnnotations = 10;
constexpr uint32_t kTags = 11;
constexpr uint32_t kDebug = 12;
constexpr uint32_t kShared = 13;
}  // namespace span_field
namespace endpoint_field {
constexpr uint32_t kServiceName = 1;
constexpr uint32_t kIpv4 = 2;
constexpr uint32_t kIpv6 = 3;
constexpr uint32_t kPort = 4;
}  // namespace endpoint_field
namespace annotation_field {
constexpr uint32_t kTimestamp = 1;
constexpr uint32_t kValue = 2;
}  // namespace annotation_field
namespace map_entry {
constexpr uint32_t kKey = 1;
constexpr uint32_t kValue = 2;
}  // namespace map_entry

// Span.Kind values.
constexpr uint64_t kProtoClient = 1;
constexpr uint64_t kProtoServer = 2;
constexpr uint64_t kProtoProducer = 3;
constexpr uint64_t kProtoConsumer = 4;

SpanKind KindFromProto(uint64_t value) {
  switch (value) {
    case kProtoClient: return SpanKind::kClient;
    case kProtoServer: return SpanKind::kServer;
    case kProtoProducer: return SpanKind::kProducer;
    case kProtoConsumer: return SpanKind::kConsumer;
    default: return SpanKind::kUnspecified;  // proto3 enums are open: unknown values read as 0
  }
}

uint64_t KindToProto(SpanKind kind) {
  switch (kind) {
    case SpanKind::kClient: return kProtoClient;
    case SpanKind::kServer: return kProtoServer;
    case SpanKind::kProducer: return kProtoProducer;
    case SpanKind::kConsumer: return kProtoConsumer;
    default: return 0;
  }
}

// A proto3 string: must be UTF-8.
std::string_view ReadText(ProtoReader& reader, const char* error) {
  std::string_view text = reader.ReadBytes();
  if (reader.ok() && !IsValidUtf8(text)) reader.Fail(error);
  return text;
}

uint32_t LoadBigEndian32(const char* bytes) {
  return (uint32_t{static_cast<unsigned char>(bytes[0])} << 24) |
         (uint32_t{static_cast<unsigned char>(bytes[1])} << 16) |
         (uint32_t{static_cast<unsigned char>(bytes[2])} << 8) |
         uint32_t{static_cast<unsigned char>(bytes[3])};
}

void ReadEndpoint(ProtoReader& reader, ZipkinEndpoint& endpoint) {
  while (reader.Next()) {
    switch (reader.field()) {
      case endpoint_field::kServiceName:
        endpoint.service_name = ReadText(reader, "serviceName: invalid UTF-8");
        break;
      case endpoint_field::kIpv4: {
        std::string_view bytes = reader.ReadBytes();
        if (bytes.size() == 4) {
          endpoint.ipv4 = LoadBigEndian32(bytes.data());
        } else if (!bytes.empty()) {
          reader.Fail("ipv4: expected 4 bytes");
        }
        break;
      }
      case endpoint_field::kIpv6: {
        std::string_view bytes = reader.ReadBytes();
        if (bytes.size() == 16) {
          std::memcpy(endpoint.ipv6.data(), bytes.data(), 16);
          endpoint.has_ipv6 = true;
        } else if (!bytes.empty()) {
          reader.Fail("ipv6: expected 16 bytes");
        }
        break;
      }
      case endpoint_field::kPort: {
        auto port = static_cast<int32_t>(reader.ReadVarint());
        if (port < 0 || port > 65535) {
          reader.Fail("port: expected 0 to 65535");
        } else {
          endpoint.port = static_cast<uint16_t>(port);
        }
        break;
      }
      default: reader.Skip(); break;
    }
  }
}

void ReadAnnotation(ProtoReader& reader, ZipkinAnnotation& annotation) {
  while (reader.Next()) {
    switch (reader.field()) {
      case annotation_field::kTimestamp: annotation.timestamp_us = reader.ReadFixed64(); break;
      case annotation_field::kValue:
        annotation.value = ReadText(reader, "value: invalid UTF-8");
        break;
      default: reader.Skip(); break;
    }
  }
}

void ReadTag(ProtoReader& reader, Attribute& tag) {
  std::string_view value;
  while (reader.Next()) {
    switch (reader.field()) {
      case map_entry::kKey: tag.key = ReadText(reader, "key: invalid UTF-8"); break;
      case map_entry::kValue: value = ReadText(reader, "value: invalid UTF-8"); break;
      default: reader.Skip(); break;
    }
  }
  tag.value = AnyValue::String(value);
}

// Reads one Span message into `span`. Returns the first failure, naming the field.
Status ReadSpan(ProtoReader& reader, ZipkinSpan& span) {
  // A failed embedded message: its error, prefixed with the field that holds it.
  auto nested = [](std::string_view field, const ProtoReader& child) {
    return child.status().WithContext(field);
  };
  while (reader.Next()) {
    switch (reader.field()) {
      case span_field::kTraceId: {
        auto id = TraceId::FromBytes(reader.ReadBytes());
        if (reader.ok() && !id) reader.Fail("traceId: expected 8 or 16 bytes");
        if (id) span.trace_id = *id;
        break;
      }
      case span_field::kParentId: {
        std::string_view bytes = reader.ReadBytes();
        auto id = SpanId::FromBytes(bytes);
        if (reader.ok() && !id && !bytes.empty()) reader.Fail("parentId: expected 8 bytes");
        if (id) span.parent_id = *id;
        break;
      }
      case span_field::kId: {
        auto id = SpanId::FromBytes(reader.ReadBytes());
        if (reader.ok() && !id) reader.Fail("id: expected 8 bytes");
        if (id) span.id = *id;
        break;
      }
      case span_field::kKind: span.kind = KindFromProto(reader.ReadVarint()); break;
      case span_field::kName: span.name = ReadText(reader, "name: invalid UTF-8"); break;
      case span_field::kTimestamp: span.timestamp_us = reader.ReadFixed64(); break;
      case span_field::kDuration: span.duration_us = reader.ReadVarint(); break;
      case span_field::kLocalEndpoint:
      case span_field::kRemoteEndpoint: {
        bool local = reader.field() == span_field::kLocalEndpoint;
        ProtoReader child = reader.ReadMessage();
        ReadEndpoint(child, local ? span.local_endpoint : span.remote_endpoint);
        if (!child.ok()) return nested(local ? "localEndpoint" : "remoteEndpoint", child);
        break;
      }
      case span_field::kAnnotations: {
        ProtoReader child = reader.ReadMessage();
        ReadAnnotation(child, span.annotations.emplace_back());
        if (!child.ok()) {
          return nested("annotations[" + std::to_string(span.annotations.size() - 1) + "]", child);
        }
        break;
      }
      case span_field::kTags: {
        ProtoReader child = reader.ReadMessage();
        ReadTag(child, span.tags.emplace_back());
        if (!child.ok()) return nested("tags", child);
        break;
      }
      case span_field::kDebug: span.debug = reader.ReadBool(); break;
      case span_field::kShared: span.shared = reader.ReadBool(); break;
      default: reader.Skip(); break;
    }
  }
  if (!reader.ok()) return reader.status();
  if (span.trace_id.empty()) return Status::InvalidArgument("traceId: missing or zero");
  if (span.id.empty()) return Status::InvalidArgument("id: missing or zero");
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Encoding

void WriteEndpoint(ProtoWriter& writer, uint32_t field, const ZipkinEndpoint& endpoint) {
  if (endpoint.empty()) return;
  size_t mark = writer.BeginMessage(field);
  writer.WriteBytesIfSet(endpoint_field::kServiceName, endpoint.service_name);
  if (endpoint.ipv4 != 0) {
    char bytes[4] = {static_cast<char>(endpoint.ipv4 >> 24), static_cast<char>(endpoint.ipv4 >> 16),
                     static_cast<char>(endpoint.ipv4 >> 8), static_cast<char>(endpoint.ipv4)};
    writer.WriteBytesField(endpoint_field::kIpv4, std::string_view(bytes, 4));
  }
  if (endpoint.has_ipv6) {
    writer.WriteBytesField(
        endpoint_field::kIpv6,
        std::string_view(reinterpret_cast<const char*>(endpoint.ipv6.data()), 16));
  }
  writer.WriteVarintIfSet(endpoint_field::kPort, endpoint.port);
  writer.EndMessage(mark);
}

void WriteSpan(ProtoWriter& writer, const ZipkinSpan& span) {
  size_t mark = writer.BeginMessage(list_of_spans::kSpans);
  char trace_id[16];
  span.trace_id.ToBytes(trace_id);
  // Eight bytes for a 64-bit trace id, as zipkin2 writes it.
  std::string_view trace_id_bytes(trace_id, 16);
  if (span.trace_id.high == 0) trace_id_bytes.remove_prefix(8);
  writer.WriteBytesField(span_field::kTraceId, trace_id_bytes);
  if (!span.parent_id.empty()) {
    char parent_id[8];
    span.parent_id.ToBytes(parent_id);
    writer.WriteBytesField(span_field::kParentId, std::string_view(parent_id, 8));
  }
  char id[8];
  span.id.ToBytes(id);
  writer.WriteBytesField(span_field::kId, std::string_view(id, 8));
  writer.WriteVarintIfSet(span_field::kKind, KindToProto(span.kind));
  writer.WriteBytesIfSet(span_field::kName, span.name);
  writer.WriteFixed64IfSet(span_field::kTimestamp, span.timestamp_us);
  writer.WriteVarintIfSet(span_field::kDuration, span.duration_us);
  WriteEndpoint(writer, span_field::kLocalEndpoint, span.local_endpoint);
  WriteEndpoint(writer, span_field::kRemoteEndpoint, span.remote_endpoint);
  for (const ZipkinAnnotation& annotation : span.annotations) {
    size_t annotation_mark = writer.BeginMessage(span_field::kAnnotations);
    writer.WriteFixed64IfSet(annotation_field::kTimestamp, annotation.timestamp_us);
    writer.WriteBytesIfSet(annotation_field::kValue, annotation.value);
    writer.EndMessage(annotation_mark);
  }
  for (const Attribute& tag : span.tags) {
    // Map entries carry both fields, as libprotobuf writes them.
    size_t tag_mark = writer.BeginMessage(span_field::kTags);
    writer.WriteBytesField(map_entry::kKey, tag.key);
    writer.WriteBytesField(map_entry::kValue, tag.value.string_value());
    writer.EndMessage(tag_mark);
  }
  writer.WriteVarintIfSet(span_field::kDebug, span.debug ? 1 : 0);
  writer.WriteVarintIfSet(span_field::kShared, span.shared ? 1 : 0);
  writer.EndMessage(mark);
}

}  // namespace

Status DecodeV2Proto(std::string_view bytes, SpanBatch& batch) {
  ProtoReader reader(bytes);
  ModelBuilder builder(batch);
  ZipkinSpan span;
  size_t index = 0;
  while (reader.Next()) {
    if (reader.field() != list_of_spans::kSpans) {
      reader.Skip();
      continue;
    }
    ProtoReader child = reader.ReadMessage();
    if (!reader.ok()) break;
    span.Clear();
    Status status = ReadSpan(child, span);
    if (status.ok()) status = builder.Append(span);
    if (!status.ok()) {
      return status.WithContext("zipkin v2 proto: span[" + std::to_string(index) + "]");
    }
    ++index;
  }
  if (!reader.ok()) return reader.status().WithContext("zipkin v2 proto");
  builder.Finish();
  return Status::Ok();
}

void EncodeV2Proto(const SpanBatch& batch, std::string& out) {
  ProtoWriter writer(out);
  ZipkinSpanView view;
  for (const Span& span : batch.spans()) {
    view.Load(batch, span);
    WriteSpan(writer, view.span);
  }
}

}  // namespace ariadne::tracecore::zipkin
