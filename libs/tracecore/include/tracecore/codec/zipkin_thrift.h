// Zipkin v1 Thrift: list<zipkincore.Span>, as POSTed to /api/v1/spans (binary protocol, a bare
// list: list header, then the structs) and as carried by the agent's emitZipkinBatch on UDP 5775
// (compact protocol, args field 1).
//
// The struct walking is written once, as a template over the Thrift protocol readers of
// tracecore/wire/thrift_reader.h, so that the binary and the compact protocol share it. Every span
// goes through the Zipkin v1 -> model rules of tracecore/translate/zipkin_translation.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tracecore/model.h"
#include "tracecore/status.h"
#include "tracecore/translate/zipkin_translation.h"
#include "tracecore/wire/thrift_reader.h"

namespace ariadne::tracecore::zipkin {

// Decodes a bare Thrift-binary list<zipkincore.Span> (the /api/v1/spans body with Content-Type
// application/x-thrift) and appends its spans to `batch`. Strings in the batch are views into
// `bytes`: the caller keeps `bytes` alive as long as the batch (e.g. batch.Retain). The whole input
// must be consumed: trailing bytes are an error.
Status DecodeV1ThriftList(std::string_view bytes, SpanBatch& batch);

// Reads ONE list<zipkincore.Span> value from `reader` and appends its spans to `batch`.
//
// `reader` is wire::ThriftBinaryReader or wire::ThriftCompactReader positioned at the start of the
// list value: for the agent's emitZipkinBatch, just after the header of args field 1 (type LIST)
// has been read. On return (OK) the reader is positioned just after the list, so the caller
// continues with the next field of the args struct. On error the status says
// "zipkin v1 thrift: span[i]: byte N: what" and the reader is failed. Views into the reader's
// input are kept in the batch (same lifetime contract as above).
template <typename ThriftReader>
Status DecodeV1ThriftSpans(ThriftReader& reader, SpanBatch& batch);

// zipkincore.AnnotationType.
enum class V1AnnotationType : int32_t {
  kBool = 0,
  kBytes = 1,
  kI16 = 2,
  kI32 = 3,
  kI64 = 4,
  kDouble = 5,
  kString = 6,
};

// The typed value of a Thrift BinaryAnnotation: BOOL is one byte (1 = true), I16/I32/I64/DOUBLE
// are big-endian of their width, BYTES stays bytes, STRING a string. Returns nullptr, or what is
// wrong (a width that does not match the type, an unknown type).
const char* V1BinaryAnnotationValue(int32_t type, std::string_view bytes, AnyValue& out);

// ---------------------------------------------------------------------------------------------
// Implementation.

namespace thrift_internal {

using wire::ThriftType;

template <typename Reader>
bool ExpectType(Reader& reader, ThriftType type, const char* error) {
  if (reader.field_type() == type) return true;
  reader.Fail(error);
  return false;
}

// Zipkin v1 times are signed; zero and negative mean absent.
inline uint64_t V1Micros(int64_t value) {
  return value > 0 ? static_cast<uint64_t>(value) : 0;
}

template <typename Reader>
void ReadV1Endpoint(Reader& reader, ZipkinEndpoint& endpoint) {
  if (!reader.BeginStruct()) return;
  while (reader.NextField()) {
    switch (reader.field_id()) {
      case 1:
        if (ExpectType(reader, ThriftType::kI32, "endpoint.ipv4: expected i32")) {
          endpoint.ipv4 = static_cast<uint32_t>(reader.ReadI32());
        }
        break;
      case 2:
        if (ExpectType(reader, ThriftType::kI16, "endpoint.port: expected i16")) {
          endpoint.port = static_cast<uint16_t>(reader.ReadI16());
        }
        break;
      case 3:
        if (ExpectType(reader, ThriftType::kString, "endpoint.service_name: expected string")) {
          endpoint.service_name = reader.ReadBinary();
        }
        break;
      case 4:
        if (ExpectType(reader, ThriftType::kString, "endpoint.ipv6: expected binary")) {
          std::string_view ipv6 = reader.ReadBinary();
          if (ipv6.size() == 16) {
            for (size_t i = 0; i < 16; ++i) endpoint.ipv6[i] = static_cast<uint8_t>(ipv6[i]);
            endpoint.has_ipv6 = true;
          } else if (!ipv6.empty()) {
            reader.Fail("endpoint.ipv6: expected 16 bytes");
          }
        }
        break;
      default: reader.Skip(reader.field_type()); break;
    }
  }
  reader.EndStruct();
}

template <typename Reader>
void ReadV1Annotation(Reader& reader, V1Annotation& annotation) {
  if (!reader.BeginStruct()) return;
  while (reader.NextField()) {
    switch (reader.field_id()) {
      case 1:
        if (ExpectType(reader, ThriftType::kI64, "annotation.timestamp: expected i64")) {
          annotation.timestamp_us = V1Micros(reader.ReadI64());
        }
        break;
      case 2:
        if (ExpectType(reader, ThriftType::kString, "annotation.value: expected string")) {
          annotation.value = reader.ReadBinary();
        }
        break;
      case 3:
        if (ExpectType(reader, ThriftType::kStruct, "annotation.host: expected struct")) {
          ReadV1Endpoint(reader, annotation.endpoint);
          annotation.has_endpoint = true;
        }
        break;
      default: reader.Skip(reader.field_type()); break;
    }
  }
  reader.EndStruct();
}

template <typename Reader>
void ReadV1BinaryAnnotation(Reader& reader, V1BinaryAnnotation& annotation) {
  if (!reader.BeginStruct()) return;
  std::string_view bytes;
  int32_t type = static_cast<int32_t>(V1AnnotationType::kString);
  while (reader.NextField()) {
    switch (reader.field_id()) {
      case 1:
        if (ExpectType(reader, ThriftType::kString, "binary_annotation.key: expected string")) {
          annotation.key = reader.ReadBinary();
        }
        break;
      case 2:
        if (ExpectType(reader, ThriftType::kString, "binary_annotation.value: expected binary")) {
          bytes = reader.ReadBinary();
        }
        break;
      case 3:
        if (ExpectType(reader, ThriftType::kI32,
                       "binary_annotation.annotation_type: expected i32")) {
          type = reader.ReadI32();
        }
        break;
      case 4:
        if (ExpectType(reader, ThriftType::kStruct, "binary_annotation.host: expected struct")) {
          ReadV1Endpoint(reader, annotation.endpoint);
          annotation.has_endpoint = true;
        }
        break;
      default: reader.Skip(reader.field_type()); break;
    }
  }
  reader.EndStruct();
  if (!reader.ok()) return;
  annotation.is_address =
      type == static_cast<int32_t>(V1AnnotationType::kBool) && IsAddressKey(annotation.key);
  if (const char* error = V1BinaryAnnotationValue(type, bytes, annotation.value))
    reader.Fail(error);
}

// Reads a list<Annotation> or list<BinaryAnnotation> field into `items`.
template <typename Reader, typename Item, typename ReadItem>
void ReadV1List(Reader& reader, std::vector<Item>& items, const char* type_error,
                ReadItem read_item) {
  if (!ExpectType(reader, ThriftType::kList, type_error)) return;
  wire::ThriftListHeader header = reader.ReadListBegin();
  if (header.size > 0 && header.element_type != ThriftType::kStruct) {
    reader.Fail(type_error);
    return;
  }
  for (uint32_t i = 0; i < header.size && reader.ok(); ++i) read_item(reader, items.emplace_back());
}

template <typename Reader>
void ReadV1Span(Reader& reader, V1Span& span) {
  if (!reader.BeginStruct()) return;
  int64_t trace_id_low = 0;
  int64_t trace_id_high = 0;
  while (reader.NextField()) {
    switch (reader.field_id()) {
      case 1:
        if (ExpectType(reader, ThriftType::kI64, "trace_id: expected i64")) {
          trace_id_low = reader.ReadI64();
        }
        break;
      case 3:
        if (ExpectType(reader, ThriftType::kString, "name: expected string")) {
          span.name = reader.ReadBinary();
        }
        break;
      case 4:
        if (ExpectType(reader, ThriftType::kI64, "id: expected i64")) {
          span.id.value = static_cast<uint64_t>(reader.ReadI64());
        }
        break;
      case 5:
        if (ExpectType(reader, ThriftType::kI64, "parent_id: expected i64")) {
          span.parent_id.value = static_cast<uint64_t>(reader.ReadI64());
        }
        break;
      case 6:
        ReadV1List(reader, span.annotations, "annotations: expected list<Annotation>",
                   [](Reader& r, V1Annotation& a) { ReadV1Annotation(r, a); });
        break;
      case 8:
        ReadV1List(reader, span.binary_annotations,
                   "binary_annotations: expected list<BinaryAnnotation>",
                   [](Reader& r, V1BinaryAnnotation& a) { ReadV1BinaryAnnotation(r, a); });
        break;
      case 9:
        if (ExpectType(reader, ThriftType::kBool, "debug: expected bool")) {
          span.debug = reader.ReadBool();
        }
        break;
      case 10:
        if (ExpectType(reader, ThriftType::kI64, "timestamp: expected i64")) {
          span.timestamp_us = V1Micros(reader.ReadI64());
        }
        break;
      case 11:
        if (ExpectType(reader, ThriftType::kI64, "duration: expected i64")) {
          span.duration_us = V1Micros(reader.ReadI64());
        }
        break;
      case 12:
        if (ExpectType(reader, ThriftType::kI64, "trace_id_high: expected i64")) {
          trace_id_high = reader.ReadI64();
        }
        break;
      default: reader.Skip(reader.field_type()); break;
    }
  }
  reader.EndStruct();
  span.trace_id = {static_cast<uint64_t>(trace_id_high), static_cast<uint64_t>(trace_id_low)};
  if (!reader.ok()) return;
  if (span.trace_id.empty()) {
    reader.Fail("trace_id: missing or zero");
  } else if (span.id.empty()) {
    reader.Fail("id: missing or zero");
  }
}

}  // namespace thrift_internal

template <typename ThriftReader>
Status DecodeV1ThriftSpans(ThriftReader& reader, SpanBatch& batch) {
  wire::ThriftListHeader header = reader.ReadListBegin();
  if (reader.ok() && header.size > 0 && header.element_type != wire::ThriftType::kStruct) {
    reader.Fail("expected a list of Span structs");
  }
  if (!reader.ok()) return reader.status().WithContext("zipkin v1 thrift");
  ModelBuilder builder(batch);
  V1SpanConverter converter;
  V1Span span;
  for (uint32_t i = 0; i < header.size; ++i) {
    span.Clear();
    thrift_internal::ReadV1Span(reader, span);
    Status status = reader.ok() ? converter.Convert(span, builder) : reader.status();
    if (!status.ok()) {
      if (reader.ok()) reader.Fail("invalid span");
      return status.WithContext("zipkin v1 thrift: span[" + std::to_string(i) + "]");
    }
  }
  builder.Finish();
  return Status::Ok();
}

}  // namespace ariadne::tracecore::zipkin
