#include "codec_bench_formats.h"

#include <google/protobuf/arena.h>
#include <simdjson.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "jaeger/api_v2/collector.pb.h"
#include "jaeger_types.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tracecore/codec/jaeger_proto.h"
#include "tracecore/codec/jaeger_thrift.h"
#include "tracecore/codec/otlp_json.h"
#include "tracecore/codec/otlp_proto.h"
#include "tracecore/codec/zipkin.h"
#include "zipkin/zipkin.pb.h"

namespace ariadne::bench {
namespace {

using tracecore::SpanBatch;

// libprotobuf's arena parse: the fastest way the library offers to read these bytes.
template <typename Message>
std::function<bool(std::string_view)> ProtobufArenaParse() {
  return [](std::string_view bytes) {
    google::protobuf::Arena arena;
    auto* message = google::protobuf::Arena::CreateMessage<Message>(&arena);
    return message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  };
}

// simdjson's DOM parse (structure and strings, no model): the raw JSON parse speed.
std::function<bool(std::string_view)> SimdjsonParse() {
  auto parser = std::make_shared<simdjson::dom::parser>();
  return [parser](std::string_view bytes) {
    simdjson::dom::element root;
    return parser->parse(bytes.data(), bytes.size(), true).get(root) == simdjson::SUCCESS;
  };
}

// libthrift's generated jaeger Batch::read over a non-owning memory buffer.
template <typename Protocol>
std::function<bool(std::string_view)> ThriftGeneratedParse() {
  return [](std::string_view bytes) {
    auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>(
        reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data())),
        static_cast<uint32_t>(bytes.size()), apache::thrift::transport::TMemoryBuffer::OBSERVE);
    Protocol protocol(buffer);
    jaegertracing::thrift::Batch batch;
    try {
      batch.read(&protocol);
    } catch (const std::exception&) {
      return false;
    }
    return batch.spans.size() > 0;
  };
}

template <typename DecodeFn>
std::function<bool(std::string_view)> OurDecode(DecodeFn decode) {
  return [decode](std::string_view bytes) {
    SpanBatch batch;
    return decode(bytes, batch).ok();
  };
}

}  // namespace

std::vector<Format> AllFormats(const SpanBatch& batch) {
  std::vector<Format> formats;
  auto add = [&](Format format) {
    format.spans = batch.spans().size();
    formats.push_back(std::move(format));
  };

  {
    Format f;
    f.name = "otlp-proto";
    tracecore::otlp::EncodeExportRequest(batch, f.bytes);
    f.decode = OurDecode(tracecore::otlp::DecodeExportRequest);
    f.encode = [](const tracecore::SpanBatch& b, std::string& out) {
      tracecore::otlp::EncodeExportRequest(b, out);
    };
    f.baseline_name = "libprotobuf arena parse";
    f.baseline =
        ProtobufArenaParse<opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest>();
    add(std::move(f));
  }
  {
    Format f;
    f.name = "jaeger-proto";
    tracecore::jaeger_proto::EncodePostSpansRequest(batch, 0, f.bytes);
    f.decode = OurDecode(tracecore::jaeger_proto::DecodePostSpansRequest);
    f.encode = [](const SpanBatch& b, std::string& out) {
      tracecore::jaeger_proto::EncodePostSpansRequest(b, 0, out);
    };
    f.baseline_name = "libprotobuf arena parse";
    f.baseline = ProtobufArenaParse<jaeger::api_v2::PostSpansRequest>();
    add(std::move(f));
  }
  using tracecore::jaeger_thrift::Protocol;
  for (auto [name, protocol] : {std::pair{"jaeger-thrift-compact", Protocol::kCompact},
                                std::pair{"jaeger-thrift-binary", Protocol::kBinary}}) {
    Format f;
    f.name = name;
    tracecore::jaeger_thrift::EncodeBatch(batch, 0, protocol, f.bytes);
    f.decode = [protocol](std::string_view bytes) {
      SpanBatch decoded;
      return tracecore::jaeger_thrift::DecodeBatch(bytes, protocol, decoded).ok();
    };
    f.encode = [protocol](const SpanBatch& b, std::string& out) {
      tracecore::jaeger_thrift::EncodeBatch(b, 0, protocol, out);
    };
    f.baseline_name = "libthrift generated read";
    if (protocol == Protocol::kCompact) {
      f.baseline = ThriftGeneratedParse<
          apache::thrift::protocol::TCompactProtocolT<apache::thrift::transport::TMemoryBuffer>>();
    } else {
      f.baseline = ThriftGeneratedParse<
          apache::thrift::protocol::TBinaryProtocolT<apache::thrift::transport::TMemoryBuffer>>();
    }
    add(std::move(f));
  }
  {
    Format f;
    f.name = "otlp-json";
    tracecore::otlp::EncodeExportRequestJson(batch, f.bytes);
    f.decode = OurDecode(tracecore::otlp::DecodeExportRequestJson);
    f.encode = tracecore::otlp::EncodeExportRequestJson;
    f.baseline_name = "simdjson DOM parse";
    f.baseline = SimdjsonParse();
    add(std::move(f));
  }
  {
    Format f;
    f.name = "zipkin-v2-json";
    tracecore::zipkin::EncodeV2Json(batch, f.bytes);
    f.decode = OurDecode(tracecore::zipkin::DecodeV2Json);
    f.encode = tracecore::zipkin::EncodeV2Json;
    f.baseline_name = "simdjson DOM parse";
    f.baseline = SimdjsonParse();
    add(std::move(f));
  }
  {
    Format f;
    f.name = "zipkin-v2-proto";
    tracecore::zipkin::EncodeV2Proto(batch, f.bytes);
    f.decode = OurDecode(tracecore::zipkin::DecodeV2Proto);
    f.encode = tracecore::zipkin::EncodeV2Proto;
    f.baseline_name = "libprotobuf arena parse";
    f.baseline = ProtobufArenaParse<zipkin::proto3::ListOfSpans>();
    add(std::move(f));
  }
  return formats;
}

}  // namespace ariadne::bench
