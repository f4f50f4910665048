// The formats codec_bench measures: for each, the encoded realistic batch, our decoder and
// encoder, and the reference parser of the same bytes.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tracecore/model.h"

namespace ariadne::bench {

struct Format {
  std::string name;
  std::string bytes;  // the realistic batch in this format
  size_t spans = 0;
  std::function<bool(std::string_view)> decode;                           // ours, into the model
  std::function<void(const tracecore::SpanBatch&, std::string&)> encode;  // ours; may be empty
  std::string baseline_name;
  std::function<bool(std::string_view)> baseline;  // raw parse by the reference library
};

std::vector<Format> AllFormats(const tracecore::SpanBatch& batch);

}  // namespace ariadne::bench
