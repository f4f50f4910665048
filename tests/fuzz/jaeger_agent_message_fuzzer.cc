// Fuzz target: one agent UDP datagram (Agent.emitBatch / emitZipkinBatch message; the first byte
// picks the protocol: even = binary, odd = compact), then re-encode what decoded as emitBatch
// messages and check that they decode again.
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
  jaeger_thrift::AgentMessageInfo info;
  if (!jaeger_thrift::DecodeAgentMessage(ariadne::fuzz::AsView(data + 1, size - 1), protocol, batch,
                                         &info)
           .ok()) {
    return 0;
  }
  if (info.span_count != batch.spans().size()) std::abort();
  for (uint32_t r = 0; r < batch.resources().size(); ++r) {
    std::string out;
    jaeger_thrift::EncodeAgentEmitBatch(batch, r, protocol, info.seq_id, out, &info.batch);
    SpanBatch again;
    if (!jaeger_thrift::DecodeAgentMessage(out, protocol, again).ok()) std::abort();
  }
  return 0;
}
