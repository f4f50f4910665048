// Fuzz target: the `local` store's span blocks (libs/storage/local/span_block.h), which a damaged
// disk or another program may have changed. The input is tried twice: as a whole block, and as
// a block's payload (compressed here and given a header, so that the column decoder sees more
// than zstd's frame checks). A block that decodes is written again, and that must read back
// with the same spans.
#include <zstd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_target.h"
#include "local/span_block.h"

namespace {

using ariadne::tracecore::Span;
using ariadne::tracecore::SpanBatch;

void Rewrite(const SpanBatch& batch) {
  std::vector<const Span*> spans;
  for (const Span& span : batch.spans()) spans.push_back(&span);
  std::string again;
  if (!ariadne::storage::local::EncodeSpanBlock(batch, spans, again).ok()) std::abort();
  SpanBatch reread;
  if (!ariadne::storage::local::DecodeSpanBlock(again, reread).ok() ||
      reread.spans().size() != batch.spans().size()) {
    std::abort();
  }
  if (!batch.spans().empty()) {
    const ariadne::tracecore::TraceId first = batch.spans().front().trace_id;
    SpanBatch one;
    if (!ariadne::storage::local::DecodeSpanBlockTraces(again, {&first, 1}, one).ok()) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::storage::local;
  const std::string_view bytes = ariadne::fuzz::AsView(data, size);
  SpanBatch from_block;
  if (DecodeSpanBlock(bytes, from_block).ok()) Rewrite(from_block);

  // The input as a payload: the first byte says how many spans the header claimed.
  if (bytes.empty()) return 0;
  SpanBlockReader reader;
  SpanBatch from_payload;
  if (reader.OpenPayload(std::string(bytes.substr(1)), static_cast<uint8_t>(bytes[0])).ok() &&
      reader.Read(nullptr, from_payload).ok()) {
    Rewrite(from_payload);
  }
  return 0;
}
