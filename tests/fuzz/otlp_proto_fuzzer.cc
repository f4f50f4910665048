// Fuzz target: OTLP protobuf ExportTraceServiceRequest decode, then re-encode what decoded.
#include "fuzz_target.h"
#include "tracecore/codec/otlp_proto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::tracecore;
  SpanBatch batch;
  if (otlp::DecodeExportRequest(ariadne::fuzz::AsView(data, size), batch).ok()) {
    std::string out;
    otlp::EncodeExportRequest(batch, out);
  }
  return 0;
}
