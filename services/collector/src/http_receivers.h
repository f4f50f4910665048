// The collector's HTTP routes. Every HTTP port serves all of them (DESIGN.md: the seed's
// production compose puts OTLP/HTTP on 14268 beside /api/traces).
//
//   POST /v1/traces      OTLP/HTTP, protobuf or JSON            200 + ExportTraceServiceResponse
//   POST /api/traces     Jaeger Thrift binary Batch             202, empty
//   POST /api/v1/spans   Zipkin v1 JSON or Thrift list          202
//   POST /api/v2/spans   Zipkin v2 JSON or protobuf ListOfSpans 202
//   GET  /api/sampling   sampling strategy JSON for ?service=   200 (added by the sampling
//   endpoints)
//
// Status codes and bodies follow reference §1.4-1.6: malformed bodies 400 with the decoder's
// message, wrong content types 400/415 with the accepted ones, spans-per-request over the limit
// 413, backpressure 429 with Retry-After (OTLP exporters retry on it), shutting down 503.
#pragma once

#include <memory>

#include "ingester.h"
#include "runtime/http_server.h"

namespace ariadne::collector {

// Adds the span routes to `router`. `ingester` must outlive every server using the router.
void AddSpanRoutes(runtime::HttpRouter& router, Ingester& ingester);

}  // namespace ariadne::collector
