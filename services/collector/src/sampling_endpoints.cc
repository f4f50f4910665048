#include "sampling_endpoints.h"

#include <string>
#include <utility>

namespace ariadne::collector {

namespace http = boost::beast::http;
namespace sampling = tracecore::sampling;

void AddSamplingRoute(runtime::HttpRouter& router, CurrentStrategies current,
                      CollectorMetrics& metrics) {
  router.Add(http::verb::get, "/api/sampling",
             [current = std::move(current), &metrics](const runtime::HttpRequest& request,
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
               sampling::EncodeJson(strategies->For(*service), response.body);
               metrics.SamplingRequest(response.status);
             });
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
