// Fuzz target: OTLP/JSON ExportTraceServiceRequest decode, then re-encode what decoded and check
// that the encoder's output decodes again (the encoder must always write valid OTLP/JSON).
#include <cstdlib>

#include "fuzz_target.h"
#include "tracecore/codec/otlp_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::tracecore;
  SpanBatch batch;
  if (otlp::DecodeExportRequestJson(ariadne::fuzz::AsView(data, size), batch).ok()) {
    std::string out;
    otlp::EncodeExportRequestJson(batch, out);
    SpanBatch again;
    if (!otlp::DecodeExportRequestJson(out, again).ok()) std::abort();
  }
  return 0;
}
