// Sampling strategies: Jaeger's strategies file (--sampling.strategies-file) parsed into an
// immutable lookup table, and the encoders of the answers that clients poll for
// (GET /sampling?service=, the agent's legacy GET /?service=, gRPC SamplingManager).
//
// The file format and its semantics are those of Jaeger's file provider (Jaeger v1.65
// plugin/sampling/strategyprovider/static):
//
//   {"service_strategies": [
//      {"service": "foo", "type": "probabilistic", "param": 0.8,
//       "operation_strategies": [{"operation": "op1", "type": "probabilistic", "param": 0.2}]},
//      {"service": "bar", "type": "ratelimiting", "param": 5}],
//    "default_strategy": {"type": "probabilistic", "param": 0.5,
//       "operation_strategies": [{"operation": "/health", "type": "probabilistic", "param": 0}]}}
//
// - "probabilistic": param is the sampling probability. "ratelimiting" (also spelled
//   "rate_limiting", as the seed's sampling.json does; Jaeger would silently serve 0.001 for that
//   spelling): param is traces per second, truncated to an integer.
// - A service's operation_strategies become operationSampling, whose defaultSamplingProbability is
//   the service's probability (or the default probability for a rate-limited service). Per-
//   operation rate limiting does not exist in the protocol: such entries are dropped (a warning).
// - When the default strategy has operation_strategies, every service gets them: a service
//   without its own receives a copy of the default's operationSampling (with its own probability
//   as defaultSamplingProbability when it is probabilistic); a service with its own gets the
//   default's entries appended for the operations it does not name.
// - A missing field takes Go's zero value ("param" 0, "service" ""); a missing "type" serves the
//   default probability (as Jaeger does), with a warning. A `null` document means "no file".
//
// Stricter than Jaeger (which serves nonsense or 0.001 for some of these), Parse fails with the
// JSON path of the mistake for: a probability outside [0, 1], a rate below 0 or above 32767 (the
// Thrift i16 that older clients decode it into), an unknown "type", invalid JSON (anywhere in the
// document), a value of the wrong JSON type, input over kMaxStrategiesBytes or nested deeper than
// kMaxStrategiesDepth. What is accepted but probably a mistake (unknown keys, a missing "type" or
// "service", a service listed twice, a dropped per-operation rate limit) is listed in warnings().
//
// Pure: no files, no threads. A Strategies is immutable after Parse and safe to share between
// threads (runtime::StrategyFileProvider hands it out as shared_ptr<const Strategies>).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tracecore/status.h"

namespace ariadne::tracecore::sampling {

// jaeger.api_v2.SamplingStrategyType (same numbers in sampling.thrift).
enum class StrategyType : int32_t { kProbabilistic = 0, kRateLimiting = 1 };

// Jaeger's probability when there is no file, and for entries without a usable type.
inline constexpr double kDefaultSamplingProbability = 0.001;
// Largest strategies file accepted, in bytes.
inline constexpr size_t kMaxStrategiesBytes = size_t{4} << 20;
// Deepest JSON nesting accepted (the format itself needs 5 levels).
inline constexpr size_t kMaxStrategiesDepth = 16;
// Largest "ratelimiting" param: maxTracesPerSecond is an i16 in sampling.thrift.
inline constexpr int32_t kMaxTracesPerSecondLimit = 32767;

// OperationSamplingStrategy: a probabilistic strategy for one operation (span name).
struct OperationStrategy {
  std::string operation;
  double sampling_rate = 0;

  bool operator==(const OperationStrategy&) const = default;
};

// PerOperationSamplingStrategies.
struct PerOperationStrategies {
  double default_sampling_probability = 0;
  double default_lower_bound_traces_per_second = 0;
  std::vector<OperationStrategy> per_operation_strategies;
  double default_upper_bound_traces_per_second = 0;

  bool operator==(const PerOperationStrategies&) const = default;
};

// SamplingStrategyResponse. Each optional is a sub-message that is present or absent on the wire
// (the file provider sets probabilistic_sampling_rate for kProbabilistic and
// max_traces_per_second for kRateLimiting).
struct StrategyResponse {
  StrategyType strategy_type = StrategyType::kProbabilistic;
  std::optional<double> probabilistic_sampling_rate;  // ProbabilisticSamplingStrategy
  std::optional<int32_t> max_traces_per_second;       // RateLimitingSamplingStrategy
  std::optional<PerOperationStrategies> operation_sampling;

  bool operator==(const StrategyResponse&) const = default;
};

struct ParseOptions {
  // Served when there is no default_strategy, for entries without a type, and as the
  // operationSampling default of rate-limited services (Jaeger's
  // --sampling.default-sampling-probability).
  double default_sampling_probability = kDefaultSamplingProbability;
};

// The strategies of one file: per-service responses and the default for every other service.
class Strategies {
 public:
  // No file: every service gets {PROBABILISTIC, samplingRate = default_sampling_probability}.
  explicit Strategies(double default_sampling_probability = kDefaultSamplingProbability);

  // Parses a strategies file into `out` (replacing its content). On error `out` is left as the
  // defaults and the status is kInvalidArgument (kResourceExhausted when over a limit) with a
  // message such as "service_strategies[3].param: expected a number in [0, 1], got 1.5".
  static Status Parse(std::string_view json, Strategies& out, const ParseOptions& options = {});

  // The response for `service`: its own strategy, or the default one. The reference lives as
  // long as this Strategies.
  const StrategyResponse& For(std::string_view service) const;
  const StrategyResponse& Default() const { return default_; }
  // Number of services with their own strategy.
  size_t ServiceCount() const { return services_.size(); }
  // Calls visit(std::string_view service, const StrategyResponse&) for each service with its own
  // strategy, in no particular order.
  template <typename Visit>
  void ForEachService(Visit&& visit) const {
    for (const auto& [service, response] : services_) visit(std::string_view(service), response);
  }
  // What Parse accepted but a person should look at ("service_strategies[1]: unknown key
  // \"servce\" ignored"); at most kMaxWarnings entries, the last one saying how many were left out.
  const std::vector<std::string>& warnings() const { return warnings_; }

  static constexpr size_t kMaxWarnings = 20;

 private:
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  friend class StrategiesBuilder;

  StrategyResponse default_;
  std::unordered_map<std::string, StrategyResponse, NameHash, std::equal_to<>> services_;
  std::vector<std::string> warnings_;
};

// Appends the /sampling JSON exactly as Jaeger writes it (proto JSON with defaults emitted, absent
// sub-messages left out, numbers as Go prints them, strings escaped as Go does):
//   {"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.001}}
//   {"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":100}}
// An empty perOperationStrategies is written as [].
void EncodeJson(const StrategyResponse& response, std::string& out);
// The same with an integer strategyType ("strategyType":0), for the agent's legacy GET /?service=
// (Thrift 0.9.2 clients).
void EncodeLegacyJson(const StrategyResponse& response, std::string& out);
// Appends jaeger.api_v2.SamplingStrategyResponse in the protobuf wire format (proto3: zero
// scalars omitted, present sub-messages always written), for gRPC GetSamplingStrategy.
void EncodeProto(const StrategyResponse& response, std::string& out);

// Reads jaeger.api_v2.SamplingStrategyParameters{serviceName = 1} (the gRPC request). Unknown
// fields are skipped; the last serviceName wins. kInvalidArgument for malformed bytes or a name
// that is not UTF-8.
Status DecodeSamplingParameters(std::string_view bytes, std::string& service);

// The most perOperationStrategies DecodeProto accepts in one response: each costs about 40 bytes
// of model for as little as 2 bytes of input, so a hostile answer is refused before it grows.
inline constexpr size_t kMaxDecodedOperationStrategies = 65536;

// Reads jaeger.api_v2.SamplingStrategyResponse (a collector's GetSamplingStrategy answer): the
// inverse of EncodeProto, so EncodeProto(r) decodes to r. `out` is reset first. Protobuf
// semantics: a sub-message on the wire sets its optional even when empty, a sub-message sent twice
// is merged, the last scalar wins, unknown fields are skipped, and strategyType numbers other than
// 0 and 1 are kept as they are (EncodeJson writes them as integers). Allocation is bounded by the
// input size and kMaxDecodedOperationStrategies. Errors name the field path, e.g.
// "SamplingStrategyResponse.operationSampling.perOperationStrategies.operation: byte 9: wrong wire
// type: expected length-delimited": kInvalidArgument for malformed bytes, a known field of the
// wrong wire type, or an operation name that is not UTF-8; kResourceExhausted for more than
// kMaxDecodedOperationStrategies operations. After an error `out` is unspecified.
Status DecodeProto(std::string_view bytes, StrategyResponse& out);

// Appends jaeger.api_v2.SamplingStrategyParameters{serviceName = service} (the gRPC request that
// DecodeSamplingParameters reads; an empty name writes no bytes, as proto3 does).
void EncodeSamplingParameters(std::string_view service, std::string& out);

}  // namespace ariadne::tracecore::sampling
