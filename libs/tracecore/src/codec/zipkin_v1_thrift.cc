// Zipkin v1 Thrift: the /api/v1/spans body, and the typed values of binary annotations.
#include <cstring>

#include "tracecore/codec/zipkin_thrift.h"

namespace ariadne::tracecore::zipkin {
namespace {

uint64_t LoadBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char byte : bytes) value = (value << 8) | static_cast<unsigned char>(byte);
  return value;
}

}  // namespace

const char* V1BinaryAnnotationValue(int32_t type, std::string_view bytes, AnyValue& out) {
  switch (static_cast<V1AnnotationType>(type)) {
    case V1AnnotationType::kBool:
      if (bytes.size() != 1) return "binary_annotation.value: BOOL must be 1 byte";
      out = AnyValue::Bool(bytes[0] == 1);
      return nullptr;
    case V1AnnotationType::kBytes: out = AnyValue::Bytes(bytes); return nullptr;
    case V1AnnotationType::kI16:
      if (bytes.size() != 2) return "binary_annotation.value: I16 must be 2 bytes";
      out = AnyValue::Int(static_cast<int16_t>(LoadBigEndian(bytes)));
      return nullptr;
    case V1AnnotationType::kI32:
      if (bytes.size() != 4) return "binary_annotation.value: I32 must be 4 bytes";
      out = AnyValue::Int(static_cast<int32_t>(LoadBigEndian(bytes)));
      return nullptr;
    case V1AnnotationType::kI64:
      if (bytes.size() != 8) return "binary_annotation.value: I64 must be 8 bytes";
      out = AnyValue::Int(static_cast<int64_t>(LoadBigEndian(bytes)));
      return nullptr;
    case V1AnnotationType::kDouble: {
      if (bytes.size() != 8) return "binary_annotation.value: DOUBLE must be 8 bytes";
      uint64_t bits = LoadBigEndian(bytes);
      double value;
      std::memcpy(&value, &bits, sizeof(value));
      out = AnyValue::Double(value);
      return nullptr;
    }
    case V1AnnotationType::kString: out = AnyValue::String(bytes); return nullptr;
  }
  return "binary_annotation.annotation_type: unknown type";
}

Status DecodeV1ThriftList(std::string_view bytes, SpanBatch& batch) {
  wire::ThriftBinaryReader reader(bytes);
  ARIADNE_RETURN_IF_ERROR(DecodeV1ThriftSpans(reader, batch));
  if (!reader.at_end()) {
    return Status::InvalidArgument("zipkin v1 thrift: byte " + std::to_string(reader.offset()) +
                                   ": unexpected bytes after the list");
  }
  return Status::Ok();
}

}  // namespace ariadne::tracecore::zipkin
