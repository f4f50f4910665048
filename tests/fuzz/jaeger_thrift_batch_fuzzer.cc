// Fuzz target: a bare jaeger.thrift Batch (the first byte picks the protocol: even = binary, odd =
// compact), then re-encode every resource's spans and check that our own output decodes again to
// the same number of spans.
#include <cstdlib>
#include <string>

#include "fuzz_target.h"
#include "tracecore/codec/jaeger_thrift.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::tracecore;
  if (size == 0) return 0;
  auto protocol =
      (data[0] & 1) != 0 ? jaeger_thrift::Protocol::kCompact : jaeger_thrift::Protocol::kBinary;
  SpanBatch batch;
  jaeger_thrift::BatchInfo info;
  if (!jaeger_thrift::DecodeBatch(ariadne::fuzz::AsView(data + 1, size - 1), protocol, batch, &info)
           .ok()) {
    return 0;
  }
  for (uint32_t r = 0; r < batch.resources().size(); ++r) {
    std::string out;
    jaeger_thrift::EncodeBatch(batch, r, protocol, out, &info);
    SpanBatch again;
    if (!jaeger_thrift::DecodeBatch(out, protocol, again).ok()) std::abort();
    size_t expected = 0;
    for (const Span& span : batch.spans()) expected += span.resource_index == r ? 1 : 0;
    if (again.spans().size() != expected) std::abort();
  }
  return 0;
}
