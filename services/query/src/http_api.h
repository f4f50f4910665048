// The Jaeger query HTTP API (reference §4) on an HttpRouter, under the base path:
//
//   GET /api/services                         data: ["svc", ...]
//   GET /api/services/{service}/operations    data: ["op", ...] (every kind, names once)
//   GET /api/operations?service=&spanKind=    data: [{"name","spanKind"}, ...]
//   GET /api/traces?service=...|traceID=...   data: [Trace, ...] (search or multi-get)
//   GET /api/traces/{traceID}                 data: [Trace]; 404 "trace not found"
//   GET /api/dependencies?endTs=&lookback=    data: [{"parent","child","callCount"}, ...]
//   POST /api/archive/{traceID}               data: [], errors: []; copies the trace into the
//                                             --query.archive store (501 without one)
//   POST /api/transform                       data: [Trace, ...] from an OTLP JSON body, as
//                                             stored (no adjusters), nothing is stored
//
// Answers are Jaeger's envelope (application/json; prettyPrint indents it); errors are the
// envelope with one {"code","msg"} as text/plain with a trailing newline, as Go's http.Error
// sends it: 400 for bad parameters, 404 for an unknown trace, 503 for --query.timeout and for
// storage that is unavailable (retrying may work), 500 for other storage failures. Handlers run on
// the HTTP threads and read storage there.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "query_metrics.h"
#include "query_service.h"
#include "runtime/http_server.h"

namespace ariadne::query {

struct ApiOptions {
  std::string base_path;                     // "" or "/x" (normalized)
  std::chrono::nanoseconds lookback{0};      // search window without `start`
  std::chrono::nanoseconds max_lookback{0};  // 0: none
  uint32_t max_limit = 100'000;              // largest `limit`
};

// Route pattern (as HttpServer's on_response reports it) -> the operation it serves.
using RouteOperations = std::map<std::string, Operation, std::less<>>;

// The status of an answer that failed with `status`: 400 for bad parameters, 503 for a timeout or
// storage that is unavailable, 501 for what is not implemented, 500 for anything else.
unsigned HttpStatusFor(const tracecore::Status& status);

// One route of an API object: its path (the base path is added), whether it is a prefix, the
// operation it is counted as, the member function that answers it and its method.
template <typename Api>
struct ApiRoute {
  std::string_view path;
  bool prefix = false;
  Operation operation;
  void (Api::*handler)(const runtime::HttpRequest&, runtime::HttpResponse&);
  boost::beast::http::verb method = boost::beast::http::verb::get;
};

// Adds `routes` of `api` (which their handlers share) to `router` under `api->Path(route.path)`,
// and records their operations in `operations`.
template <typename Api, size_t N>
void AddApiObjectRoutes(const std::shared_ptr<Api>& api, const ApiRoute<Api> (&routes)[N],
                        runtime::HttpRouter& router, RouteOperations& operations) {
  for (const ApiRoute<Api>& route : routes) {
    const std::string path = api->Path(route.path);
    auto handler = [api, method = route.handler](const runtime::HttpRequest& request,
                                                 runtime::HttpResponse& response) {
      ((*api).*method)(request, response);
    };
    if (route.prefix) {
      router.AddPrefix(route.method, path, handler);
    } else {
      router.Add(route.method, path, handler);
    }
    operations.emplace(path, route.operation);
  }
}

// The largest request body the API takes (POST /api/transform): a trace file of a few hundred
// thousand spans.
inline constexpr size_t kMaxRequestBodyBytes = 16 << 20;

// Adds every route to `router` and records them in `operations`. `service` must outlive the
// router.
void AddApiRoutes(const ApiOptions& options, QueryService& service, runtime::HttpRouter& router,
                  RouteOperations& operations);

}  // namespace ariadne::query
