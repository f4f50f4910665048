// Fuzz target: Jaeger api_v2 PostSpansRequest decode, then re-encode every resource's batch.
#include "fuzz_target.h"
#include "tracecore/codec/jaeger_proto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::tracecore;
  SpanBatch batch;
  if (jaeger_proto::DecodePostSpansRequest(ariadne::fuzz::AsView(data, size), batch).ok()) {
    std::string out;
    for (uint32_t r = 0; r < batch.resources().size(); ++r) {
      jaeger_proto::EncodePostSpansRequest(batch, r, out);
    }
  }
  return 0;
}
