// RequestTemplate: re-stamping ids in encoded bodies gives the bodies the re-stamped spans would
// encode to: every id XORed with the salt, consistently, in every protocol.
#include "tracegen/request_template.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "tracegen/protocol.h"
#include "tracegen/trace_generator.h"

namespace ariadne::tracegen {
namespace {

using tracecore::SpanBatch;

constexpr uint64_t kNow = 1764240000000000000ULL;
constexpr uint64_t kSalt = 0x0123456789ABCDEFULL;

SpanBatch Generate(uint64_t seed) {
  static const ServiceGraph graph = DefaultServiceGraph();
  GeneratorOptions options;
  options.seed = seed;
  options.link_rate = 0.3;
  TraceGenerator generator(graph, options);
  SpanBatch batch;
  generator.Generate(30, kNow, batch);
  return batch;
}

TEST_CASE("CollectIds finds every id half, once, sorted") {
  const SpanBatch batch = Generate(1);
  const std::vector<uint64_t> ids = CollectIds(batch);
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  for (const auto& span : batch.spans()) {
    CHECK(std::binary_search(ids.begin(), ids.end(), span.trace_id.high));
    CHECK(std::binary_search(ids.begin(), ids.end(), span.trace_id.low));
    CHECK(std::binary_search(ids.begin(), ids.end(), span.span_id.value));
  }
}

TEST_CASE("stamped bodies equal the bodies of the spans with stamped ids") {
  for (const ProtocolInfo& info : AllProtocols()) {
    if (info.id_form == IdForm::kVarint) continue;  // re-encoded, not stamped
    DYNAMIC_SECTION(info.name) {
      SpanBatch batch = Generate(9);
      const std::vector<uint64_t> ids = CollectIds(batch);
      std::vector<EncodedRequest> requests;
      EncodeRequests(info.protocol, batch, requests);

      // What the encoder writes for the same spans with every id XORed.
      XorIds(kSalt, batch);
      std::vector<EncodedRequest> expected;
      EncodeRequests(info.protocol, batch, expected);
      REQUIRE(expected.size() == requests.size());

      for (size_t i = 0; i < requests.size(); ++i) {
        const RequestTemplate stamped =
            RequestTemplate::Build(requests[i].body, requests[i].spans, ids, info.id_form);
        CHECK(stamped.patch_count() >= 3 * stamped.spans());  // trace halves + span id at least
        std::string body;
        stamped.Stamp(kSalt, body);
        CHECK(body == expected[i].body);
        // Stamping twice with the same salt: the same body; salt 0: the original.
        std::string again;
        stamped.Stamp(kSalt, again);
        CHECK(again == body);
        stamped.Stamp(0, again);
        CHECK(again == requests[i].body);
      }
    }
  }
}

TEST_CASE("stamped requests decode to spans whose ids are all new and still consistent") {
  SpanBatch batch = Generate(4);
  const std::vector<uint64_t> ids = CollectIds(batch);
  std::vector<EncodedRequest> requests;
  EncodeRequests(Protocol::kOtlpHttpJson, batch, requests);
  const RequestTemplate stamped =
      RequestTemplate::Build(requests[0].body, requests[0].spans, ids, IdForm::kHex);
  std::string body;
  stamped.Stamp(kSalt, body);
  SpanBatch decoded;
  REQUIRE(DecodeRequest(Protocol::kOtlpHttpJson, body, decoded).ok());
  REQUIRE(decoded.spans().size() == batch.spans().size());
  std::map<uint64_t, tracecore::TraceId> trace_of_span;
  for (const auto& span : decoded.spans()) {
    CHECK_FALSE(std::binary_search(ids.begin(), ids.end(), span.span_id.value));
    CHECK_FALSE(std::binary_search(ids.begin(), ids.end(), span.trace_id.low));
    trace_of_span[span.span_id.value] = span.trace_id;
  }
  for (const auto& span : decoded.spans()) {
    if (span.parent_span_id.empty()) continue;
    REQUIRE(trace_of_span.count(span.parent_span_id.value) == 1);
    CHECK(trace_of_span[span.parent_span_id.value] == span.trace_id);
  }
}

TEST_CASE("a body without ids has no patches") {
  const RequestTemplate plain =
      RequestTemplate::Build("no ids in here, just text", 0, {1, 2, 3}, IdForm::kBigEndian);
  CHECK(plain.patch_count() == 0);
  std::string body;
  plain.Stamp(kSalt, body);
  CHECK(body == "no ids in here, just text");
}

}  // namespace
}  // namespace ariadne::tracegen
