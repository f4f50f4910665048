#include "sampling_endpoints.h"

#include <string>
#include <utility>

namespace ariadne::collector {

namespace http = boost::beast::http;
namespace sampling = tracecore::sampling;

namespace {

// GET `path`?service=<name>: the strategy of that service as JSON; `legacy` writes the agent's old
// form with an integer strategyType (reference §1.3).
void AddSamplingHandler(runtime::HttpRouter& router, const std::string& path, bool legacy,
                        CurrentStrategies current, CollectorMetrics& metrics) {
  router.Add(http::verb::get, path,
             [current = std::move(current), legacy, &metrics](const runtime::HttpRequest& request,
                                                              runtime::HttpResponse& response) {
               const std::string* service = nullptr;
               int count = 0;
               const auto parameters = runtime::ParseQuery(request.query);
               for (const auto& [key, value] : parameters) {
                 if (key == "service") {
                   service = &value;
                   ++count;
                 }
               }
               response.content_type = "application/json";
               if (count != 1) {
                 // Jaeger's message, byte for byte.
                 response.status = 400;
                 response.content_type = "text/plain; charset=utf-8";
                 response.body = "'service' parameter must be provided once\n";
                 metrics.SamplingRequest(response.status);
                 return;
               }
               const std::shared_ptr<const sampling::Strategies> strategies = current();
               const sampling::StrategyResponse& strategy = strategies->For(*service);
               if (legacy) {
                 sampling::EncodeLegacyJson(strategy, response.body);
               } else {
                 sampling::EncodeJson(strategy, response.body);
               }
               metrics.SamplingRequest(response.status);
             });
}

}  // namespace

void AddSamplingRoute(runtime::HttpRouter& router, CurrentStrategies current,
                      CollectorMetrics& metrics) {
  AddSamplingHandler(router, "/api/sampling", false, std::move(current), metrics);
}

void AddAgentSamplingRoutes(runtime::HttpRouter& router, const CurrentStrategies& current,
                            CollectorMetrics& metrics) {
  AddSamplingHandler(router, "/sampling", false, current, metrics);
  AddSamplingHandler(router, "/", true, current, metrics);
}

SamplingLookup MakeSamplingLookup(CurrentStrategies current) {
  return [current = std::move(current)](std::string_view request, std::string& response) {
    std::string service;
    ARIADNE_RETURN_IF_ERROR(sampling::DecodeSamplingParameters(request, service));
    const std::shared_ptr<const sampling::Strategies> strategies = current();
    sampling::EncodeProto(strategies->For(service), response);
    return tracecore::Status();
  };
}

}  // namespace ariadne::collector
