// Fuzz target: a sampling strategies file. What parses is encoded in every wire form, and the JSON
// forms must parse again (the encoders must always write valid JSON). The same bytes also go to
// the gRPC request decoder.
#include <simdjson.h>

#include <cstdlib>
#include <string>

#include "fuzz_target.h"
#include "tracecore/sampling/strategies.h"

namespace {

void CheckJson(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root)) std::abort();
}

void EncodeAll(const ariadne::tracecore::sampling::StrategyResponse& response) {
  using namespace ariadne::tracecore::sampling;
  std::string json;
  EncodeJson(response, json);
  CheckJson(json);
  std::string legacy;
  EncodeLegacyJson(response, legacy);
  CheckJson(legacy);
  std::string proto;
  EncodeProto(response, proto);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::tracecore::sampling;
  std::string_view input = ariadne::fuzz::AsView(data, size);
  Strategies strategies;
  if (Strategies::Parse(input, strategies).ok()) {
    EncodeAll(strategies.Default());
    strategies.ForEachService(
        [](std::string_view, const StrategyResponse& response) { EncodeAll(response); });
  }
  std::string service;
  (void)DecodeSamplingParameters(input, service);
  return 0;
}
