// Fuzz target: a collector's GetSamplingStrategy answer (jaeger.api_v2.SamplingStrategyResponse),
// as the agent decodes it. What decodes is encoded again in every wire form: the protobuf must
// decode to the same response (compared by its encoding, so that NaN rates compare equal), and the
// JSON forms the agent serves must be valid JSON. RapidJSON checks them (with UTF-8 validation):
// any double can arrive here, and simdjson refuses integers beyond 64 bits such as
// 36893488147419103232, which are valid JSON (the strategies-file fuzzer never produces them).
// It parses in place, which keeps it off its internal stack (whose first push offsets a null
// pointer, which UBSan reports).
#include <rapidjson/reader.h>

#include <cstdlib>
#include <string>

#include "fuzz_target.h"
#include "tracecore/sampling/strategies.h"

namespace {

void CheckJson(std::string json) {
  rapidjson::Reader reader;
  rapidjson::InsituStringStream stream(json.data());
  rapidjson::BaseReaderHandler<> ignore;
  constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseValidateEncodingFlag;
  if (reader.Parse<kFlags>(stream, ignore).IsError()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::tracecore::sampling;
  StrategyResponse response;
  if (!DecodeProto(ariadne::fuzz::AsView(data, size), response).ok()) return 0;
  std::string proto;
  EncodeProto(response, proto);
  StrategyResponse again;
  if (!DecodeProto(proto, again).ok()) std::abort();
  std::string proto_again;
  EncodeProto(again, proto_again);
  if (proto_again != proto) std::abort();
  std::string json;
  EncodeJson(response, json);
  CheckJson(json);
  std::string legacy;
  EncodeLegacyJson(response, legacy);
  CheckJson(legacy);
  return 0;
}
