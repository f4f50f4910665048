// Fuzz target: Jaeger Elasticsearch span document decode, then re-encode what decoded in both
// value styles (with and without tags-as-fields) and check that the encoder's output decodes again.
#include <cstdlib>

#include "fuzz_target.h"
#include "tracecore/codec/es_span_document.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::tracecore;
  SpanBatch batch;
  if (!es::DecodeSpanDocument(ariadne::fuzz::AsView(data, size), batch).ok()) return 0;
  for (es::ValueStyle style : {es::ValueStyle::kStrings, es::ValueStyle::kNative}) {
    for (bool all_tags_as_fields : {false, true}) {
      es::EncodeOptions options;
      options.value_style = style;
      options.all_tags_as_fields = all_tags_as_fields;
      std::string out;
      es::EncodeSpanDocument(batch, batch.spans().back(), options, out);
      SpanBatch again;
      if (!es::DecodeSpanDocument(out, again).ok()) std::abort();
    }
  }
  return 0;
}
