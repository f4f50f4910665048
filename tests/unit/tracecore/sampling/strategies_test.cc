// Strategies: the seed's sampling.json served as Jaeger serves it (JSON bytes written by hand from
// Jaeger's handler and converter tests; protobuf checked with the generated classes), Jaeger's
// merge rules, the validation messages, and the gRPC request and response codecs in both
// directions (the agent decodes the collector's answers).
#include "tracecore/sampling/strategies.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "jaeger/api_v2/sampling.pb.h"
#include "test_support.h"
#include "tracecore/wire/proto_writer.h"

namespace ariadne::tracecore::sampling {
namespace {

std::string Json(const StrategyResponse& response) {
  std::string out;
  EncodeJson(response, out);
  return out;
}

std::string LegacyJson(const StrategyResponse& response) {
  std::string out;
  EncodeLegacyJson(response, out);
  return out;
}

Strategies MustParse(std::string_view json, const ParseOptions& options = {}) {
  Strategies strategies;
  Status status = Strategies::Parse(json, strategies, options);
  INFO(status.message());
  REQUIRE(status.ok());
  return strategies;
}

Status ParseError(std::string_view json) {
  Strategies strategies;
  return Strategies::Parse(json, strategies);
}

// Parses EncodeProto's bytes with libprotobuf, and checks that libprotobuf writes the same bytes.
jaeger::api_v2::SamplingStrategyResponse ParseProto(const StrategyResponse& response) {
  std::string bytes;
  EncodeProto(response, bytes);
  jaeger::api_v2::SamplingStrategyResponse message;
  REQUIRE(message.ParseFromString(bytes));
  CHECK(message.SerializeAsString() == bytes);
  return message;
}

const char kModelRouterJson[] =
    R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":1},)"
    R"("operationSampling":{"defaultSamplingProbability":1,"defaultLowerBoundTracesPerSecond":0,)"
    R"("perOperationStrategies":[{"operation":"health_check","probabilisticSampling":)"
    R"({"samplingRate":0.01}}],"defaultUpperBoundTracesPerSecond":0}})";
const char kWorkflowOrchestratorJson[] =
    R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.5},)"
    R"("operationSampling":{"defaultSamplingProbability":0.5,"defaultLowerBoundTracesPerSecond":0,)"
    R"("perOperationStrategies":[{"operation":"workflow_execution","probabilisticSampling":)"
    R"({"samplingRate":1}}],"defaultUpperBoundTracesPerSecond":0}})";
const char kAgentCollaborationJson[] =
    R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":1}})";
const char kFrontendJson[] =
    R"({"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":100}})";
const char kSeedDefaultJson[] =
    R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.1}})";

TEST_CASE("the seed's sampling.json is served as Jaeger serves it") {
  Strategies strategies = MustParse(testing::ReadWireFixture("../seed/sampling.json"));
  CHECK(strategies.ServiceCount() == 4);
  CHECK(strategies.warnings().empty());

  CHECK(Json(strategies.For("model-router")) == kModelRouterJson);
  CHECK(Json(strategies.For("workflow-orchestrator")) == kWorkflowOrchestratorJson);
  CHECK(Json(strategies.For("agent-collaboration")) == kAgentCollaborationJson);
  // The seed spells the type "rate_limiting"; Jaeger knows only "ratelimiting".
  CHECK(Json(strategies.For("frontend")) == kFrontendJson);
  CHECK(Json(strategies.For("some-unknown-service")) == kSeedDefaultJson);
  CHECK(Json(strategies.For("")) == kSeedDefaultJson);
  CHECK(&strategies.For("some-unknown-service") == &strategies.Default());

  std::vector<std::string> services;
  strategies.ForEachService([&](std::string_view service, const StrategyResponse& response) {
    services.emplace_back(service);
    CHECK(&response == &strategies.For(service));
  });
  std::sort(services.begin(), services.end());
  CHECK(services == std::vector<std::string>{"agent-collaboration", "frontend", "model-router",
                                             "workflow-orchestrator"});
}

TEST_CASE("the legacy agent endpoint writes strategyType as an integer") {
  Strategies strategies = MustParse(testing::ReadWireFixture("../seed/sampling.json"));
  CHECK(LegacyJson(strategies.For("agent-collaboration")) ==
        R"({"strategyType":0,"probabilisticSampling":{"samplingRate":1}})");
  CHECK(LegacyJson(strategies.For("frontend")) ==
        R"({"strategyType":1,"rateLimitingSampling":{"maxTracesPerSecond":100}})");
  std::string model_router = kModelRouterJson;
  model_router.replace(model_router.find("\"PROBABILISTIC\""), 15, "0");
  CHECK(LegacyJson(strategies.For("model-router")) == model_router);
}

TEST_CASE("the seed's strategies in protobuf, read by libprotobuf") {
  using jaeger::api_v2::PROBABILISTIC;
  using jaeger::api_v2::RATE_LIMITING;
  Strategies strategies = MustParse(testing::ReadWireFixture("../seed/sampling.json"));

  SECTION("model-router: 1.0 with health_check at 0.01") {
    auto message = ParseProto(strategies.For("model-router"));
    CHECK(message.strategytype() == PROBABILISTIC);
    REQUIRE(message.has_probabilisticsampling());
    CHECK(message.probabilisticsampling().samplingrate() == 1.0);
    CHECK_FALSE(message.has_ratelimitingsampling());
    REQUIRE(message.has_operationsampling());
    const auto& operations = message.operationsampling();
    CHECK(operations.defaultsamplingprobability() == 1.0);
    CHECK(operations.defaultlowerboundtracespersecond() == 0);
    CHECK(operations.defaultupperboundtracespersecond() == 0);
    REQUIRE(operations.peroperationstrategies_size() == 1);
    CHECK(operations.peroperationstrategies(0).operation() == "health_check");
    CHECK(operations.peroperationstrategies(0).probabilisticsampling().samplingrate() == 0.01);
  }
  SECTION("workflow-orchestrator: 0.5 with workflow_execution at 1.0") {
    auto message = ParseProto(strategies.For("workflow-orchestrator"));
    CHECK(message.strategytype() == PROBABILISTIC);
    CHECK(message.probabilisticsampling().samplingrate() == 0.5);
    REQUIRE(message.operationsampling().peroperationstrategies_size() == 1);
    const auto& operation = message.operationsampling().peroperationstrategies(0);
    CHECK(operation.operation() == "workflow_execution");
    CHECK(operation.probabilisticsampling().samplingrate() == 1.0);
    CHECK(message.operationsampling().defaultsamplingprobability() == 0.5);
  }
  SECTION("agent-collaboration: 1.0") {
    auto message = ParseProto(strategies.For("agent-collaboration"));
    CHECK(message.strategytype() == PROBABILISTIC);
    CHECK(message.probabilisticsampling().samplingrate() == 1.0);
    CHECK_FALSE(message.has_operationsampling());
  }
  SECTION("frontend: 100 traces per second") {
    auto message = ParseProto(strategies.For("frontend"));
    CHECK(message.strategytype() == RATE_LIMITING);
    CHECK_FALSE(message.has_probabilisticsampling());
    REQUIRE(message.has_ratelimitingsampling());
    CHECK(message.ratelimitingsampling().maxtracespersecond() == 100);
  }
  SECTION("an unknown service: the default, 0.1") {
    auto message = ParseProto(strategies.For("unknown"));
    CHECK(message.strategytype() == PROBABILISTIC);
    CHECK(message.probabilisticsampling().samplingrate() == 0.1);
    CHECK_FALSE(message.has_operationsampling());
  }
}

TEST_CASE("protobuf keeps present sub-messages whose fields are all zero") {
  StrategyResponse response;
  response.probabilistic_sampling_rate = 0.0;
  response.operation_sampling.emplace().per_operation_strategies.push_back({"", 0.0});
  std::string bytes;
  EncodeProto(response, bytes);
  // probabilisticSampling {} and operationSampling { perOperationStrategies { probabilistic {} } }
  CHECK(bytes == std::string("\x12\x00\x22\x04\x1a\x02\x12\x00", 8));
  auto message = ParseProto(response);
  CHECK(message.has_probabilisticsampling());
  CHECK(message.operationsampling().peroperationstrategies(0).has_probabilisticsampling());
}

TEST_CASE("protobuf of long operation lists and every field, against libprotobuf") {
  StrategyResponse response;
  response.strategy_type = StrategyType::kRateLimiting;
  response.max_traces_per_second = 32767;
  response.probabilistic_sampling_rate = 0.25;
  PerOperationStrategies& operations = response.operation_sampling.emplace();
  operations.default_sampling_probability = 0.001;
  operations.default_lower_bound_traces_per_second = 1.0 / 60;
  operations.default_upper_bound_traces_per_second = 11.2;
  for (int i = 0; i < 40; ++i) {
    operations.per_operation_strategies.push_back(
        {"GET /api/endpoint/" + std::to_string(i), i / 40.0});
  }
  auto message = ParseProto(response);  // lengths over 127 take two-byte prefixes
  CHECK(message.strategytype() == jaeger::api_v2::RATE_LIMITING);
  CHECK(message.ratelimitingsampling().maxtracespersecond() == 32767);
  CHECK(message.probabilisticsampling().samplingrate() == 0.25);
  CHECK(message.operationsampling().defaultlowerboundtracespersecond() == 1.0 / 60);
  CHECK(message.operationsampling().defaultupperboundtracespersecond() == 11.2);
  REQUIRE(message.operationsampling().peroperationstrategies_size() == 40);
  CHECK(message.operationsampling().peroperationstrategies(39).operation() ==
        "GET /api/endpoint/39");
}

TEST_CASE("without a file every service gets Jaeger's default, 0.001") {
  const char kDefault[] =
      R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.001}})";
  Strategies none;
  CHECK(Json(none.For("anything")) == kDefault);
  CHECK(none.ServiceCount() == 0);
  CHECK(Json(MustParse("null").For("x")) == kDefault);
  CHECK(Json(MustParse("{}").For("x")) == kDefault);
  CHECK(Json(MustParse(R"({"service_strategies":null,"default_strategy":null})").For("x")) ==
        kDefault);
  ParseOptions options;
  options.default_sampling_probability = 1;
  CHECK(Json(MustParse("{}", options).For("x")) ==
        R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":1}})");
  CHECK(Json(Strategies(0.5).For("x")) ==
        R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.5}})");
}

// Jaeger's documented example (reference §6.1) with its merge of the default's operations.
TEST_CASE("default operation strategies are merged into every service") {
  Strategies strategies = MustParse(R"({
    "service_strategies": [
      {"service": "foo", "type": "probabilistic", "param": 0.8,
       "operation_strategies": [{"operation": "op1", "type": "probabilistic", "param": 0.2},
                                {"operation": "/health", "type": "probabilistic", "param": 0.9}]},
      {"service": "bar", "type": "ratelimiting", "param": 5},
      {"service": "baz", "type": "probabilistic", "param": 0.3}
    ],
    "default_strategy": {"type": "probabilistic", "param": 0.5,
      "operation_strategies": [{"operation": "/health", "type": "probabilistic", "param": 0.0},
                               {"operation": "/metrics", "type": "probabilistic", "param": 0.01}]}
  })");
  // foo's own /health wins; the default's /metrics is appended.
  CHECK(Json(strategies.For("foo")) ==
        R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.8},)"
        R"("operationSampling":{"defaultSamplingProbability":0.8,)"
        R"("defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[)"
        R"({"operation":"op1","probabilisticSampling":{"samplingRate":0.2}},)"
        R"({"operation":"/health","probabilisticSampling":{"samplingRate":0.9}},)"
        R"({"operation":"/metrics","probabilisticSampling":{"samplingRate":0.01}}],)"
        R"("defaultUpperBoundTracesPerSecond":0}})");
  // A rate-limited service keeps the default's defaultSamplingProbability.
  CHECK(Json(strategies.For("bar")) ==
        R"({"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":5},)"
        R"("operationSampling":{"defaultSamplingProbability":0.5,)"
        R"("defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[)"
        R"({"operation":"/health","probabilisticSampling":{"samplingRate":0}},)"
        R"({"operation":"/metrics","probabilisticSampling":{"samplingRate":0.01}}],)"
        R"("defaultUpperBoundTracesPerSecond":0}})");
  // A probabilistic service without operations gets the default's, at its own probability.
  CHECK(Json(strategies.For("baz")) ==
        R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.3},)"
        R"("operationSampling":{"defaultSamplingProbability":0.3,)"
        R"("defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[)"
        R"({"operation":"/health","probabilisticSampling":{"samplingRate":0}},)"
        R"({"operation":"/metrics","probabilisticSampling":{"samplingRate":0.01}}],)"
        R"("defaultUpperBoundTracesPerSecond":0}})");
  CHECK(Json(strategies.For("other")) ==
        R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.5},)"
        R"("operationSampling":{"defaultSamplingProbability":0.5,)"
        R"("defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[)"
        R"({"operation":"/health","probabilisticSampling":{"samplingRate":0}},)"
        R"({"operation":"/metrics","probabilisticSampling":{"samplingRate":0.01}}],)"
        R"("defaultUpperBoundTracesPerSecond":0}})");
}

// Jaeger's fixtures service_no_per_operation.json and TestServiceNoPerOperationStrategies_ServiceB.
TEST_CASE("Jaeger's service_no_per_operation fixture") {
  Strategies strategies = MustParse(R"({
    "service_strategies": [
      {"service": "ServiceA", "type": "probabilistic", "param": 1.0},
      {"service": "ServiceB", "type": "ratelimiting", "param": 3}],
    "default_strategy": {"type": "probabilistic", "param": 0.2,
      "operation_strategies": [{"operation": "/health", "type": "probabilistic", "param": 0.1}]}
  })");
  CHECK(LegacyJson(strategies.For("ServiceB")) ==
        R"({"strategyType":1,"rateLimitingSampling":{"maxTracesPerSecond":3},)"
        R"("operationSampling":{"defaultSamplingProbability":0.2,)"
        R"("defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[)"
        R"({"operation":"/health","probabilisticSampling":{"samplingRate":0.1}}],)"
        R"("defaultUpperBoundTracesPerSecond":0}})");
  const StrategyResponse& service_a = strategies.For("ServiceA");
  REQUIRE(service_a.operation_sampling);
  CHECK(service_a.operation_sampling->default_sampling_probability == 1.0);
  CHECK(service_a.operation_sampling->per_operation_strategies ==
        std::vector<OperationStrategy>{{"/health", 0.1}});
}

TEST_CASE("per-operation rate limiting is dropped with a warning") {
  Strategies strategies = MustParse(R"({"service_strategies": [
    {"service": "s", "type": "ratelimiting", "param": 2.9,
     "operation_strategies": [{"operation": "a", "type": "ratelimiting", "param": 1},
                              {"operation": "b", "type": "probabilistic", "param": 0.4}]}]})");
  // The rate is truncated (Go's int32(param)); the service's operations default to 0.001.
  CHECK(Json(strategies.For("s")) ==
        R"({"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":2},)"
        R"("operationSampling":{"defaultSamplingProbability":0.001,)"
        R"("defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[)"
        R"({"operation":"b","probabilisticSampling":{"samplingRate":0.4}}],)"
        R"("defaultUpperBoundTracesPerSecond":0}})");
  REQUIRE(strategies.warnings().size() == 1);
  CHECK(strategies.warnings()[0] ==
        "service_strategies[0].operation_strategies[0]: per-operation strategies can only be "
        "probabilistic; entry for \"a\" ignored");
}

TEST_CASE("an empty operation list after dropping is written as []") {
  Strategies strategies = MustParse(R"({"default_strategy": {"type": "probabilistic",
    "param": 0.2, "operation_strategies": [{"operation": "a", "type": "ratelimiting"}]}})");
  CHECK(Json(strategies.Default()) ==
        R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.2},)"
        R"("operationSampling":{"defaultSamplingProbability":0.2,)"
        R"("defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[],)"
        R"("defaultUpperBoundTracesPerSecond":0}})");
  auto message = ParseProto(strategies.Default());
  CHECK(message.has_operationsampling());
  CHECK(message.operationsampling().peroperationstrategies_size() == 0);
}

TEST_CASE("missing fields take Jaeger's values, with warnings") {
  Strategies strategies = MustParse(R"({"service_strategies": [
    {"service": "no-type", "param": 0.7},
    {"service": "no-param", "type": "probabilistic"},
    {"type": "ratelimiting", "param": 4},
    {"service": "dup", "type": "probabilistic", "param": 0.1},
    {"service": "dup", "type": "probabilistic", "param": 0.2, "servce": 1}],
    "comment": "kept for people"})");
  CHECK(strategies.For("no-type").probabilistic_sampling_rate == 0.001);
  CHECK(strategies.For("no-param").probabilistic_sampling_rate == 0.0);
  CHECK(strategies.For("").max_traces_per_second == 4);
  CHECK(strategies.For("dup").probabilistic_sampling_rate == 0.2);
  CHECK(strategies.warnings() ==
        std::vector<std::string>{
            "service_strategies[2]: no \"service\"; this entry applies to the service named \"\"",
            "service_strategies[4]: unknown key \"servce\" ignored",
            "unknown key \"comment\" ignored",
            "service_strategies[0]: no \"type\"; serving probabilistic sampling at 0.001",
            "service_strategies[4]: service \"dup\" appears more than once; this later entry wins",
        });
}

TEST_CASE("warnings are capped") {
  std::string json = R"({"service_strategies": [)";
  for (int i = 0; i < 50; ++i) {
    if (i > 0) json += ",";
    json += R"({"service": "s)" + std::to_string(i) + R"("})";
  }
  json += "]}";
  Strategies strategies = MustParse(json);
  REQUIRE(strategies.warnings().size() == Strategies::kMaxWarnings);
  CHECK(strategies.warnings().back() == "... and 31 more");
}

TEST_CASE("invalid strategies files name the JSON path and what would be accepted") {
  struct Case {
    std::string json;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"service_strategies":[{},{},{},{"service":"x","type":"probabilistic","param":1.5}]})",
       "service_strategies[3].param: expected a number in [0, 1], got 1.5"},
      {R"({"default_strategy":{"type":"probabilistic","param":-0.1}})",
       "default_strategy.param: expected a number in [0, 1], got -0.1"},
      {R"({"service_strategies":[{"service":"x","type":"ratelimiting","param":-1}]})",
       "service_strategies[0].param: expected traces per second in [0, 32767], got -1"},
      {R"({"service_strategies":[{"service":"x","type":"ratelimiting","param":32768}]})",
       "service_strategies[0].param: expected traces per second in [0, 32767], got 32768"},
      {R"({"service_strategies":[{"service":"x","type":"ratelimiting","param":1e300}]})",
       "service_strategies[0].param: expected traces per second in [0, 32767], got 1e+300"},
      {R"({"service_strategies":[{"service":"x","type":"Probabilistic","param":0.1}]})",
       R"(service_strategies[0].type: expected "probabilistic" or "ratelimiting", got "Probabilistic")"},
      {R"({"service_strategies":[{"service":"x","type":"probabilistic","param":"0.5"}]})",
       "service_strategies[0].param: expected a number, got a string"},
      {R"({"service_strategies":[{"service":7}]})",
       "service_strategies[0].service: expected a string, got a number"},
      {R"({"service_strategies":[{"service":"x","type":["probabilistic"]}]})",
       "service_strategies[0].type: expected a string, got an array"},
      {R"({"service_strategies":{"service":"x"}})",
       "service_strategies: expected an array, got an object"},
      {R"({"service_strategies":["x"]})",
       "service_strategies[0]: expected an object, got a string"},
      {R"({"default_strategy":true})", "default_strategy: expected an object, got a boolean"},
      {R"({"default_strategy":{"type":"probabilistic","param":0.5,"operation_strategies":[)"
       R"({"operation":"a","type":"probabilistic","param":0.1},)"
       R"({"operation":"b","type":"probabilistic","param":2}]}})",
       "default_strategy.operation_strategies[1].param: expected a number in [0, 1], got 2"},
      {R"({"default_strategy":{"operation_strategies":{}}})",
       "default_strategy.operation_strategies: expected an array, got an object"},
      {R"({"service_strategies":[{"operation_strategies":[{"operation":1}]}]})",
       "service_strategies[0].operation_strategies[0].operation: expected a string, got a number"},
      {R"([])",
       R"(expected a JSON object with "service_strategies" and "default_strategy", got an array)"},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    Status status = ParseError(c.json);
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.message() == c.message);
  }
}

TEST_CASE("malformed JSON is rejected, even in parts that would be ignored") {
  for (std::string_view json : {R"({"service_strategies":[)", R"({"x": [1,,2]})", R"({} x)",
                                "{\"service_strategies\":[{\"service\":\"\xff\"}]}", "{'a':1}"}) {
    INFO(json);
    Status status = ParseError(json);
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.message().starts_with("invalid JSON: "));
  }
  CHECK(ParseError("").message() ==
        "the strategies file is empty; write {} (or null) for the default strategy");
  CHECK(ParseError(" \n").code() == StatusCode::kInvalidArgument);
}

TEST_CASE("size and nesting are bounded") {
  std::string deep = R"({"x":)" + std::string(40, '[') + std::string(40, ']') + "}";
  Status status = ParseError(deep);
  CHECK(status.code() == StatusCode::kResourceExhausted);
  CHECK(status.message() == "invalid strategies file: JSON nested deeper than 16 levels");

  std::string large(kMaxStrategiesBytes + 1, ' ');
  status = ParseError(large);
  CHECK(status.code() == StatusCode::kResourceExhausted);
  CHECK(status.message() == "the strategies file is 4194305 bytes; at most 4194304 are accepted");
}

TEST_CASE("a failed parse leaves the defaults") {
  Strategies strategies = MustParse(R"({"default_strategy":{"type":"probabilistic","param":0.3}})");
  CHECK_FALSE(Strategies::Parse(R"({"default_strategy":{"type":"x"}})", strategies).ok());
  CHECK(strategies.Default().probabilistic_sampling_rate == 0.001);
  CHECK(strategies.warnings().empty());
}

TEST_CASE("numbers are written as Go writes them") {
  auto rate = [](double value) {
    StrategyResponse response;
    response.probabilistic_sampling_rate = value;
    std::string json = Json(response);
    std::string_view prefix =
        R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":)";
    REQUIRE(json.starts_with(prefix));
    return json.substr(prefix.size(), json.size() - prefix.size() - 2);
  };
  CHECK(rate(1) == "1");
  CHECK(rate(0) == "0");
  CHECK(rate(0.001) == "0.001");
  CHECK(rate(0.01) == "0.01");
  CHECK(rate(0.1) == "0.1");
  CHECK(rate(1e-7) == "1e-7");
  CHECK(rate(0.000001) == "0.000001");
  CHECK(rate(1.0 / 3) == "0.3333333333333333");
  // "-0" in a file is read as 0.
  Strategies strategies =
      MustParse(R"({"default_strategy":{"type":"probabilistic","param":-0.0}})");
  CHECK(Json(strategies.Default()) ==
        R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0}})");
}

TEST_CASE("operation names are escaped as Go's encoding/json escapes them") {
  StrategyResponse response;
  response.operation_sampling.emplace().per_operation_strategies.push_back(
      {"GET /a?b=<c>&d=\"e\"\\\n\t\x01\x7f \xe2\x80\xa8 \xc3\xa9 \xff", 1});
  CHECK(Json(response) ==
        R"({"strategyType":"PROBABILISTIC","operationSampling":{"defaultSamplingProbability":0,)"
        R"("defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[{"operation":)"
        R"("GET /a?b=\u003cc\u003e\u0026d=\"e\"\\\n\t\u0001)"
        "\x7f"
        R"( \u2028 )"
        "\xc3\xa9"
        R"( \ufffd","probabilisticSampling":{"samplingRate":1}}],)"
        R"("defaultUpperBoundTracesPerSecond":0}})");
}

TEST_CASE("escaped names in the file are unescaped") {
  Strategies strategies = MustParse(
      R"({"service_strategies":[{"service":"caf\u00e9","type":"probabilistic","param":0.2}]})");
  CHECK(strategies.For("caf\xc3\xa9").probabilistic_sampling_rate == 0.2);
}

TEST_CASE("SamplingStrategyParameters from a gRPC request") {
  jaeger::api_v2::SamplingStrategyParameters request;
  request.set_servicename("frontend");
  std::string service;
  REQUIRE(DecodeSamplingParameters(request.SerializeAsString(), service).ok());
  CHECK(service == "frontend");

  REQUIRE(DecodeSamplingParameters("", service).ok());
  CHECK(service.empty());

  // Unknown fields are skipped; the last serviceName wins.
  std::string bytes = std::string(
      "\x0a\x01"
      "a"
      "\x10\x05"
      "\x0a\x02"
      "bc",
      9);
  REQUIRE(DecodeSamplingParameters(bytes, service).ok());
  CHECK(service == "bc");

  Status truncated = DecodeSamplingParameters(std::string("\x0a\x05"
                                                          "ab",
                                                          4),
                                              service);
  CHECK(truncated.code() == StatusCode::kInvalidArgument);
  CHECK(truncated.message() ==
        "SamplingStrategyParameters: byte 2: length prefix runs past the end of the input");
  Status wrong_type = DecodeSamplingParameters(std::string("\x08\x01", 2), service);
  CHECK(wrong_type.message() ==
        "SamplingStrategyParameters: byte 1: wrong wire type: expected length-delimited");
  Status not_utf8 = DecodeSamplingParameters(std::string("\x0a\x01\xff", 3), service);
  CHECK(not_utf8.message() == "SamplingStrategyParameters.serviceName: not valid UTF-8");
}

StrategyResponse RoundTrip(const StrategyResponse& response) {
  std::string bytes;
  EncodeProto(response, bytes);
  StrategyResponse decoded;
  Status status = DecodeProto(bytes, decoded);
  INFO(status.message());
  REQUIRE(status.ok());
  return decoded;
}

Status DecodeError(std::string_view bytes) {
  StrategyResponse decoded;
  Status status = DecodeProto(bytes, decoded);
  REQUIRE_FALSE(status.ok());
  return status;
}

TEST_CASE("DecodeProto reads what EncodeProto writes") {
  SECTION("probabilistic") {
    StrategyResponse response;
    response.probabilistic_sampling_rate = 0.001;
    CHECK(RoundTrip(response) == response);
  }
  SECTION("rate limiting") {
    StrategyResponse response;
    response.strategy_type = StrategyType::kRateLimiting;
    response.max_traces_per_second = 100;
    CHECK(RoundTrip(response) == response);
  }
  SECTION("per operation, every field") {
    StrategyResponse response;
    response.probabilistic_sampling_rate = 0.5;
    PerOperationStrategies& operations = response.operation_sampling.emplace();
    operations.default_sampling_probability = 0.5;
    operations.default_lower_bound_traces_per_second = 1.0 / 60;
    operations.default_upper_bound_traces_per_second = 11.2;
    for (int i = 0; i < 40; ++i) {
      operations.per_operation_strategies.push_back({"GET /api/" + std::to_string(i), i / 40.0});
    }
    operations.per_operation_strategies.push_back({"caf\xc3\xa9", 1});
    CHECK(RoundTrip(response) == response);
  }
  SECTION("the seed's strategies") {
    Strategies strategies = MustParse(testing::ReadWireFixture("../seed/sampling.json"));
    CHECK(RoundTrip(strategies.Default()) == strategies.Default());
    strategies.ForEachService([](std::string_view service, const StrategyResponse& response) {
      INFO(service);
      CHECK(RoundTrip(response) == response);
    });
  }
  SECTION("present sub-messages whose fields are all zero stay present") {
    StrategyResponse response;
    response.probabilistic_sampling_rate = 0.0;
    response.max_traces_per_second = 0;
    response.operation_sampling.emplace().per_operation_strategies.push_back({"", 0.0});
    CHECK(RoundTrip(response) == response);
  }
  SECTION("negative and unknown numbers are kept") {
    StrategyResponse response;
    response.strategy_type = static_cast<StrategyType>(7);
    response.max_traces_per_second = -5;
    CHECK(RoundTrip(response) == response);
    CHECK(Json(RoundTrip(response)) ==
          R"({"strategyType":7,"rateLimitingSampling":{"maxTracesPerSecond":-5}})");
  }
  SECTION("nothing: proto3's defaults") {
    StrategyResponse decoded;
    decoded.max_traces_per_second = 3;  // replaced
    REQUIRE(DecodeProto("", decoded).ok());
    CHECK(decoded == StrategyResponse());
  }
}

TEST_CASE("DecodeProto reads libprotobuf's bytes: unknown fields skipped, repeats merged") {
  jaeger::api_v2::SamplingStrategyResponse message;
  message.set_strategytype(jaeger::api_v2::RATE_LIMITING);
  message.mutable_ratelimitingsampling()->set_maxtracespersecond(25);
  auto* operations = message.mutable_operationsampling();
  operations->set_defaultsamplingprobability(0.2);
  auto* operation = operations->add_peroperationstrategies();
  operation->set_operation("/health");
  operation->mutable_probabilisticsampling()->set_samplingrate(0.01);
  std::string bytes = message.SerializeAsString();
  // Unknown fields of every wire type, at the top and inside a sub-message.
  bytes += std::string(
      "\x28\x01"                              // 5: varint
      "\x31\x01\x02\x03\x04\x05\x06\x07\x08"  // 6: fixed64
      "\x3a\x02zz"                            // 7: length-delimited
      "\x45\x01\x02\x03\x04"                  // 8: fixed32
      "\x22\x02\x28\x01",                     // operationSampling {5: 1}
      24);
  // operationSampling again: merged (its scalar replaces, its list appends).
  bytes += std::string("\x22\x0f\x09\x00\x00\x00\x00\x00\x00\xe0\x3f\x1a\x04\x0a\x02op", 17);
  StrategyResponse decoded;
  Status status = DecodeProto(bytes, decoded);
  INFO(status.message());
  REQUIRE(status.ok());
  CHECK(decoded.strategy_type == StrategyType::kRateLimiting);
  CHECK(decoded.max_traces_per_second == 25);
  CHECK_FALSE(decoded.probabilistic_sampling_rate.has_value());
  REQUIRE(decoded.operation_sampling.has_value());
  CHECK(decoded.operation_sampling->default_sampling_probability == 0.5);
  CHECK(decoded.operation_sampling->per_operation_strategies ==
        std::vector<OperationStrategy>{{"/health", 0.01}, {"op", 0}});
}

TEST_CASE("malformed SamplingStrategyResponse bytes name the field") {
  CHECK(DecodeError(std::string("\x08", 1)).message() ==
        "SamplingStrategyResponse.strategyType: byte 1: truncated varint");
  CHECK(DecodeError(std::string("\x0a\x00", 2)).message() ==
        "SamplingStrategyResponse.strategyType: byte 1: wrong wire type: expected varint");
  CHECK(DecodeError(std::string("\x12\x05\x09", 3)).message() ==
        "SamplingStrategyResponse.probabilisticSampling: byte 2: length prefix runs past the end "
        "of the input");
  CHECK(DecodeError(std::string("\x12\x02\x08\x01", 4)).message() ==
        "SamplingStrategyResponse.probabilisticSampling.samplingRate: byte 3: wrong wire type: "
        "expected fixed64");
  CHECK(DecodeError(std::string("\x12\x03\x09\x00\x00", 5)).message() ==
        "SamplingStrategyResponse.probabilisticSampling.samplingRate: byte 3: truncated "
        "fixed-width value");
  CHECK(DecodeError(std::string("\x1a\x02\x09\x01", 4)).message() ==
        "SamplingStrategyResponse.rateLimitingSampling.maxTracesPerSecond: byte 3: wrong wire "
        "type: expected varint");
  CHECK(DecodeError(std::string("\x22\x04\x1a\x02\x08\x01", 6)).message() ==
        "SamplingStrategyResponse.operationSampling.perOperationStrategies.operation: byte 5: "
        "wrong wire type: expected length-delimited");
  CHECK(DecodeError(std::string("\x22\x05\x1a\x03\x0a\x01\xff", 7)).message() ==
        "SamplingStrategyResponse.operationSampling.perOperationStrategies.operation: byte 7: not "
        "valid UTF-8");
  CHECK(DecodeError(std::string("\x22\x02\x10\x01", 4)).message() ==
        "SamplingStrategyResponse.operationSampling.defaultLowerBoundTracesPerSecond: byte 3: "
        "wrong wire type: expected fixed64");
  CHECK(DecodeError(std::string("\x2b", 1)).message() ==
        "SamplingStrategyResponse: byte 1: groups are not supported");
  CHECK(DecodeError(std::string("\x2f", 1)).message() ==
        "SamplingStrategyResponse: byte 1: invalid wire type");
  CHECK(DecodeError(std::string("\x00", 1)).message() ==
        "SamplingStrategyResponse: byte 1: invalid field number");
  CHECK(DecodeError(std::string("\x22\x01", 2)).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("DecodeProto refuses more operations than kMaxDecodedOperationStrategies") {
  auto response_with = [](size_t operations) {
    std::string list;
    for (size_t i = 0; i < operations; ++i) list += std::string("\x1a\x00", 2);
    std::string bytes;
    wire::ProtoWriter writer(bytes);
    writer.WriteBytesField(4, list);
    return bytes;
  };
  StrategyResponse decoded;
  REQUIRE(DecodeProto(response_with(kMaxDecodedOperationStrategies), decoded).ok());
  CHECK(decoded.operation_sampling->per_operation_strategies.size() ==
        kMaxDecodedOperationStrategies);
  Status status = DecodeError(response_with(kMaxDecodedOperationStrategies + 1));
  CHECK(status.code() == StatusCode::kResourceExhausted);
  CHECK(status.message() ==
        "SamplingStrategyResponse.operationSampling.perOperationStrategies: more than 65536 "
        "operations");
}

TEST_CASE("EncodeSamplingParameters writes the gRPC request") {
  std::string bytes;
  EncodeSamplingParameters("frontend", bytes);
  jaeger::api_v2::SamplingStrategyParameters request;
  REQUIRE(request.ParseFromString(bytes));
  CHECK(request.servicename() == "frontend");
  CHECK(request.SerializeAsString() == bytes);
  std::string service;
  REQUIRE(DecodeSamplingParameters(bytes, service).ok());
  CHECK(service == "frontend");

  std::string empty;
  EncodeSamplingParameters("", empty);
  CHECK(empty.empty());
}

}  // namespace
}  // namespace ariadne::tracecore::sampling
