// End-to-end: real OpenTelemetry client libraries (the JS SDK from npm, the Python SDK from PyPI;
// installed by scripts/setup-e2e.sh) send known traces to an in-process collector, directly or
// through an in-process agent over UDP, and the memory store must then hold exactly the spans each
// client's manifest lists, as protocol_rules.h says each protocol carries them (issue 3,
// acceptance point 1; issue 6, acceptance point 1). tests/e2e/README.md describes the
// clients, their manifests and the wire rules.
#include <catch2/catch.hpp>

#include "client_run.h"
#include "protocol_rules.h"

namespace ariadne::e2e {
namespace {

TEST_CASE("node otlp-grpc: the store holds exactly the spans sent") {
  RunClientCase({.client = Client::kNode, .protocol = Protocol::kOtlpGrpc});
}

TEST_CASE("node otlp-grpc gzip: the store holds exactly the spans sent") {
  RunClientCase({.client = Client::kNode, .protocol = Protocol::kOtlpGrpc, .compression = "gzip"});
}

TEST_CASE("node otlp-http-proto: the store holds exactly the spans sent") {
  RunClientCase({.client = Client::kNode, .protocol = Protocol::kOtlpHttpProto});
}

TEST_CASE("node otlp-http-proto gzip: the store holds exactly the spans sent") {
  RunClientCase(
      {.client = Client::kNode, .protocol = Protocol::kOtlpHttpProto, .compression = "gzip"});
}

TEST_CASE("node otlp-http-json: the store holds exactly the spans sent") {
  RunClientCase({.client = Client::kNode, .protocol = Protocol::kOtlpHttpJson});
}

TEST_CASE("node zipkin: the store holds the spans as Zipkin v2 JSON carries them") {
  RunClientCase({.client = Client::kNode, .protocol = Protocol::kZipkin});
}

TEST_CASE("node jaeger-http: the store holds the spans as Jaeger Thrift carries them") {
  RunClientCase({.client = Client::kNode, .protocol = Protocol::kJaegerHttp});
}

TEST_CASE("python otlp-grpc: the store holds exactly the spans sent") {
  RunClientCase({.client = Client::kPython, .protocol = Protocol::kOtlpGrpc});
}

TEST_CASE("python otlp-grpc gzip: the store holds exactly the spans sent") {
  RunClientCase(
      {.client = Client::kPython, .protocol = Protocol::kOtlpGrpc, .compression = "gzip"});
}

TEST_CASE("python otlp-http-proto: the store holds exactly the spans sent") {
  RunClientCase({.client = Client::kPython, .protocol = Protocol::kOtlpHttpProto});
}

TEST_CASE("python otlp-http-proto deflate: the store holds exactly the spans sent") {
  RunClientCase(
      {.client = Client::kPython, .protocol = Protocol::kOtlpHttpProto, .compression = "deflate"});
}

TEST_CASE("the seed's Node.js snippet (section 4.2) works pointed at our collector") {
  RunClientCase({.client = Client::kNode,
                 .protocol = Protocol::kJaegerHttp,
                 .seed_snippet = true,
                 .expected_spans = 1});
}

// Through the agent (issue 6): the clients send UDP datagrams to an in-process agent, which
// forwards them over gRPC to the collector.
TEST_CASE(
    "node jaeger-agent-binary: through the agent, the store holds the spans as Jaeger "
    "Thrift carries them") {
  RunClientCase({.client = Client::kNode, .protocol = Protocol::kJaegerAgentBinary});
}

TEST_CASE(
    "python jaeger-agent-compact: through the agent, the store holds the spans as the "
    "Python Jaeger exporter carries them") {
  RunClientCase({.client = Client::kPython, .protocol = Protocol::kJaegerAgentCompact});
}

TEST_CASE("the seed's Python snippet (section 4.2) works pointed at our agent's compact port") {
  RunClientCase({.client = Client::kPython,
                 .protocol = Protocol::kJaegerAgentCompact,
                 .seed_snippet = true,
                 .expected_spans = 1});
}

// The rules themselves: JavaScript's String() of numbers, which the Zipkin and Jaeger rules use.
TEST_CASE("JsNumberText formats numbers as JavaScript's String() does") {
  CHECK(JsNumberText(42) == "42");
  CHECK(JsNumberText(-7) == "-7");
  CHECK(JsNumberText(9007199254740991.0) == "9007199254740991");
  CHECK(JsNumberText(3.25) == "3.25");
  CHECK(JsNumberText(-0.5) == "-0.5");
  CHECK(JsNumberText(-0.0) == "0");
  CHECK(JsNumberText(0.1) == "0.1");
  CHECK(JsNumberText(1e21) == "1e+21");
  CHECK(JsNumberText(123456789012345680000.0) == "123456789012345680000");
  CHECK(JsNumberText(1.5e-7) == "1.5e-7");
  CHECK(JsNumberText(0.000001) == "0.000001");
  CHECK(JsString({"int[]", {"1", "-2", "3"}}) == "1,-2,3");
  CHECK(JsString({"double[]", {"1.5", "-2.25"}}) == "1.5,-2.25");
  CHECK(JsString({"bool[]", {"true", "false"}}) == "true,false");
  CHECK(JsString({"string[]", {"alpha", "beta"}}) == "alpha,beta");
}

}  // namespace
}  // namespace ariadne::e2e
