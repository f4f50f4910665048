// The api_v3 HTTP routes (reference §3.5, Jaeger's hand-written HTTP gateway of
// jaeger.api_v3.QueryService) on the query HTTP port, under the base path:
//
//   GET /api/v3/services                {"services":["svc",...]}
//   GET /api/v3/operations?service=     {"operations":[{"name","spanKind"},...]}
//   GET /api/v3/traces/{trace_id}       {"result":TracesData}; 404 when storage has no span of it
//   GET /api/v3/traces?query.*=         {"result":TracesData} of every trace found, their
//                                       ResourceSpans concatenated; 404 when none is found
//   GET /api/v3/trace-summaries?query.* {"summaries":[TraceSummary,...]} without span bodies
//   GET /api/v3/dependencies?startTime=&endTime=  {"dependencies":[{"parent","child","callCount"}]}
//
// TracesData is OTLP JSON (tracecore::otlp::EncodeExportRequestJson). Traces are adjusted
// (reference §8) unless rawTraces / query.rawTraces is true; each span's adjuster and truncation
// warnings travel as its string-array attribute "@jaeger@warnings", as in Jaeger v2.
//
// Errors are the gateway's GRPCGatewayError, sent as Go's http.Error sends it (text/plain;
// charset=utf-8, a trailing newline): {"error":{"httpCode":400,"message":"malformed parameter
// ..."}}; 400 for bad parameters, 404 for no traces, 503 for --query.timeout and unavailable
// storage, 500 for other storage failures. docs/query.md lists the parameters.
#pragma once

#include "http_api.h"
#include "query_service.h"
#include "runtime/http_server.h"

namespace ariadne::query {

// Adds the api_v3 routes to `router` and records them in `operations` (as the operation label
// of the v1 route that reads storage the same way; trace-summaries counts as find_traces).
// `service` must outlive the router.
void AddApiV3Routes(const ApiOptions& options, QueryService& service, runtime::HttpRouter& router,
                    RouteOperations& operations);

}  // namespace ariadne::query
