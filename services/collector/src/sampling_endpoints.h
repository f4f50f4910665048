// The sampling strategy endpoints the collector serves (reference §1.3, §3.3, §6.2):
//   HTTP GET /api/sampling?service=<name>   JSON, as Jaeger's collector on 14268
//   HTTP GET /sampling?service=<name>       JSON, and GET /?service= in the legacy form, as
//                                           Jaeger's agent on 5778 (served by the all-in-one)
//   gRPC jaeger.api_v2.SamplingManager/GetSamplingStrategy
// Both answer from the strategies current at the time of the call, so a reloaded file changes the
// answer without a restart.
#pragma once

#include <functional>
#include <memory>

#include "collector_metrics.h"
#include "grpc_receivers.h"
#include "runtime/http_server.h"
#include "tracecore/sampling/strategies.h"

namespace ariadne::collector {

// Returns the strategies in force. Thread-safe; called once per request.
using CurrentStrategies = std::function<std::shared_ptr<const tracecore::sampling::Strategies>()>;

// Adds GET /api/sampling to `router`. `metrics` must outlive the servers using the router.
void AddSamplingRoute(runtime::HttpRouter& router, CurrentStrategies current,
                      CollectorMetrics& metrics);

// Adds the agent's GET /sampling and legacy GET / to `router`.
void AddAgentSamplingRoutes(runtime::HttpRouter& router, const CurrentStrategies& current,
                            CollectorMetrics& metrics);

// The gRPC GetSamplingStrategy answer, for GrpcListener.
SamplingLookup MakeSamplingLookup(CurrentStrategies current);

}  // namespace ariadne::collector
