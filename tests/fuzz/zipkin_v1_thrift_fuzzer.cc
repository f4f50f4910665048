// Fuzz target: Zipkin v1 Thrift list<Span>, read as the /api/v1/spans body (binary protocol) and
// through the template with the compact reader (as the agent's emitZipkinBatch does); whatever
// decodes is re-encoded as v2 JSON and v2 proto, which must decode again.
#include <cstdlib>
#include <string>

#include "fuzz_target.h"
#include "tracecore/codec/zipkin.h"
#include "tracecore/codec/zipkin_thrift.h"

namespace {

void CheckReencodes(const ariadne::tracecore::SpanBatch& batch) {
  using namespace ariadne::tracecore;
  std::string json;
  zipkin::EncodeV2Json(batch, json);
  SpanBatch from_json;
  if (!zipkin::DecodeV2Json(json, from_json).ok()) std::abort();
  std::string proto;
  zipkin::EncodeV2Proto(batch, proto);
  SpanBatch from_proto;
  if (!zipkin::DecodeV2Proto(proto, from_proto).ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::tracecore;
  std::string_view bytes = ariadne::fuzz::AsView(data, size);
  SpanBatch binary;
  if (zipkin::DecodeV1ThriftList(bytes, binary).ok()) CheckReencodes(binary);
  wire::ThriftCompactReader reader(bytes);
  SpanBatch compact;
  if (zipkin::DecodeV1ThriftSpans(reader, compact).ok()) CheckReencodes(compact);
  return 0;
}
