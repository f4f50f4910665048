// Fuzz target: Zipkin v1 JSON decode, then re-encode what decoded as v2 JSON and check that it
// decodes again.
#include <cstdlib>
#include <string>

#include "fuzz_target.h"
#include "tracecore/codec/zipkin.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::tracecore;
  SpanBatch batch;
  if (!zipkin::DecodeV1Json(ariadne::fuzz::AsView(data, size), batch).ok()) return 0;
  std::string json;
  zipkin::EncodeV2Json(batch, json);
  SpanBatch again;
  if (!zipkin::DecodeV2Json(json, again).ok()) std::abort();
  if (again.spans().size() != batch.spans().size()) std::abort();
  return 0;
}
