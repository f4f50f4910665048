# Ariadne: Jaeger remote sampling Thrift model (wire-compatible with
# jaeger-idl thrift/sampling.thrift).

namespace cpp jaegertracing.sampling_manager.thrift
namespace java io.jaegertracing.thrift.sampling_manager

enum SamplingStrategyType { PROBABILISTIC = 0, RATE_LIMITING = 1 }

# Sample a fixed fraction of traces.
struct ProbabilisticSamplingStrategy {
  1: required double samplingRate   # in (0, 1]
}

# Sample at most N traces per second.
struct RateLimitingSamplingStrategy {
  1: required i16 maxTracesPerSecond
}

struct OperationSamplingStrategy {
  1: required string operation
  2: required ProbabilisticSamplingStrategy probabilisticSampling
}

# Per-operation probabilities with a guaranteed lower-bound rate.
struct PerOperationSamplingStrategies {
  1: required double defaultSamplingProbability
  2: required double defaultLowerBoundTracesPerSecond
  3: required list<OperationSamplingStrategy> perOperationStrategies
  4: optional double defaultUpperBoundTracesPerSecond
}

struct SamplingStrategyResponse {
  1: required SamplingStrategyType strategyType
  2: optional ProbabilisticSamplingStrategy probabilisticSampling
  3: optional RateLimitingSamplingStrategy rateLimitingSampling
  4: optional PerOperationSamplingStrategies operationSampling
}

service SamplingManager {
  SamplingStrategyResponse getSamplingStrategy(1: string serviceName)
}
