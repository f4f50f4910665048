// Fuzz target: Zipkin v2 JSON decode, then re-encode what decoded as v2 JSON and v2 proto and
// check that both encodings decode again.
#include <cstdlib>
#include <string>

#include "fuzz_target.h"
#include "tracecore/codec/zipkin.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::tracecore;
  SpanBatch batch;
  if (!zipkin::DecodeV2Json(ariadne::fuzz::AsView(data, size), batch).ok()) return 0;
  std::string json;
  zipkin::EncodeV2Json(batch, json);
  SpanBatch from_json;
  if (!zipkin::DecodeV2Json(json, from_json).ok()) std::abort();
  std::string proto;
  zipkin::EncodeV2Proto(batch, proto);
  SpanBatch from_proto;
  if (!zipkin::DecodeV2Proto(proto, from_proto).ok()) std::abort();
  if (from_json.spans().size() != batch.spans().size()) std::abort();
  return 0;
}
