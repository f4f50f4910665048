#include "codec_bench_formats.h"

#include <google/protobuf/arena.h>
#include <simdjson.h>

#include "jaeger/api_v2/collector.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tracecore/codec/jaeger_proto.h"
#include "tracecore/codec/otlp_proto.h"

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
    Format f{.name = "otlp-proto"};
    tracecore::otlp::EncodeExportRequest(batch, f.bytes);
    f.decode = OurDecode(tracecore::otlp::DecodeExportRequest);
    f.encode = tracecore::otlp::EncodeExportRequest;
    f.baseline_name = "libprotobuf arena parse";
    f.baseline =
        ProtobufArenaParse<opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest>();
    add(std::move(f));
  }
  {
    Format f{.name = "jaeger-proto"};
    tracecore::jaeger_proto::EncodePostSpansRequest(batch, 0, f.bytes);
    f.decode = OurDecode(tracecore::jaeger_proto::DecodePostSpansRequest);
    f.encode = [](const SpanBatch& b, std::string& out) {
      tracecore::jaeger_proto::EncodePostSpansRequest(b, 0, out);
    };
    f.baseline_name = "libprotobuf arena parse";
    f.baseline = ProtobufArenaParse<jaeger::api_v2::PostSpansRequest>();
    add(std::move(f));
  }
  (void)SimdjsonParse;
  return formats;
}

}  // namespace ariadne::bench
