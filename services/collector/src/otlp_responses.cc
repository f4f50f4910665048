#include "otlp_responses.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tracecore/wire/proto_writer.h"

namespace ariadne::collector {

using tracecore::wire::ProtoWriter;

void EncodeExportResponse(uint64_t rejected_spans, std::string_view error_message, bool json,
                          std::string& out) {
  if (json) {
    if (rejected_spans == 0) {
      out += "{}";
      return;
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("partialSuccess");
    writer.StartObject();
    writer.Key("rejectedSpans");
    const std::string count = std::to_string(rejected_spans);  // int64 is a string in OTLP/JSON
    writer.String(count.data(), static_cast<rapidjson::SizeType>(count.size()));
    writer.Key("errorMessage");
    writer.String(error_message.data(), static_cast<rapidjson::SizeType>(error_message.size()));
    writer.EndObject();
    writer.EndObject();
    out.append(buffer.GetString(), buffer.GetSize());
    return;
  }
  if (rejected_spans == 0) return;
  ProtoWriter writer(out);
  const size_t partial = writer.BeginMessage(1);
  writer.WriteVarintField(1, rejected_spans);
  writer.WriteBytesIfSet(2, error_message);
  writer.EndMessage(partial);
}

void EncodeRpcStatus(int code, std::string_view message, bool json, std::string& out) {
  if (json) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("code");
    writer.Int(code);
    writer.Key("message");
    writer.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
    writer.EndObject();
    out.append(buffer.GetString(), buffer.GetSize());
    return;
  }
  ProtoWriter writer(out);
  writer.WriteVarintField(1, static_cast<uint64_t>(code));
  writer.WriteBytesIfSet(2, message);
}

std::string EncodeRetryableStatus(int code, std::string_view message,
                                  uint32_t retry_after_seconds) {
  std::string retry_info;
  {
    ProtoWriter writer(retry_info);
    const size_t delay = writer.BeginMessage(1);  // RetryInfo.retry_delay (Duration)
    writer.WriteVarintField(1, retry_after_seconds);
    writer.EndMessage(delay);
  }
  std::string out;
  ProtoWriter writer(out);
  writer.WriteVarintField(1, static_cast<uint64_t>(code));
  writer.WriteBytesIfSet(2, message);
  const size_t any = writer.BeginMessage(3);  // details: google.protobuf.Any
  writer.WriteBytesField(1, "type.googleapis.com/google.rpc.RetryInfo");
  writer.WriteBytesField(2, retry_info);
  writer.EndMessage(any);
  return out;
}

}  // namespace ariadne::collector
