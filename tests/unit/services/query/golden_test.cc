// Golden documents: every real-client wire fixture (tests/fixtures/wire), decoded by the codec its
// receiver uses and stored, comes back from GET /api/traces/{id}?prettyPrint=true exactly as the
// checked-in document under tests/golden/query/ says. Each document was checked field by field
// against the fixture's README and the reference's translation rules; tests/golden/query/README.md
// records what each field comes from. After a deliberate change of the output, rewrite them with
// ARIADNE_UPDATE_GOLDEN=1 and check the diff by hand the same way.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "query_test_support.h"
#include "test_support.h"
#include "tracecore/codec/jaeger_thrift.h"
#include "tracecore/codec/otlp_json.h"
#include "tracecore/codec/otlp_proto.h"
#include "tracecore/codec/zipkin.h"

namespace ariadne::testing {
namespace {

using Decoder = std::function<tracecore::Status(std::string_view, tracecore::SpanBatch&)>;

struct Fixture {
  const char* file;  // under tests/fixtures/wire
  Decoder decode;
};

const Fixture kFixtures[] = {
    {"otlp-grpc-export-request.bin", tracecore::otlp::DecodeExportRequest},
    {"otlp-http-export-request.bin", tracecore::otlp::DecodeExportRequest},
    {"otlp-http-export-request.json", tracecore::otlp::DecodeExportRequestJson},
    {"zipkin-v2-spans.json", tracecore::zipkin::DecodeV2Json},
    {"jaeger-thrift-binary-http-batch.bin",
     [](std::string_view bytes, tracecore::SpanBatch& batch) {
       return tracecore::jaeger_thrift::DecodeBatch(
           bytes, tracecore::jaeger_thrift::Protocol::kBinary, batch);
     }},
    {"jaeger-thrift-binary-udp-emitBatch.bin",
     [](std::string_view bytes, tracecore::SpanBatch& batch) {
       return tracecore::jaeger_thrift::DecodeAgentMessage(
           bytes, tracecore::jaeger_thrift::Protocol::kBinary, batch);
     }},
};

std::string GoldenPath(const std::string& fixture) {
  return std::string(ARIADNE_SOURCE_DIR) + "/tests/golden/query/" + fixture + ".json";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  INFO(path);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("golden: each wire fixture, stored, is the checked-in /api/traces/{id} document") {
  const Fixture& fixture = GENERATE(from_range(std::begin(kFixtures), std::end(kFixtures)));
  INFO(fixture.file);
  RunningQuery query;
  tracecore::SpanBatch batch;
  const std::string_view bytes = batch.Retain(ReadWireFixture(fixture.file));
  const tracecore::Status decoded = fixture.decode(bytes, batch);
  INFO(decoded.message());
  REQUIRE(decoded.ok());
  REQUIRE(query.store.WriteBatch(batch).ok());

  const auto response = query.Get("/api/traces/a1b2c3d4e5f607180000000000000001?prettyPrint=true");
  REQUIRE(response.status == 200);
  const std::string body = response.body + "\n";
  if (std::getenv("ARIADNE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(GoldenPath(fixture.file), std::ios::binary) << body;
  }
  CHECK(body == ReadFile(GoldenPath(fixture.file)));
}

}  // namespace
}  // namespace ariadne::testing
