#include "http_receivers.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "otlp_responses.h"
#include "tracecore/codec/jaeger_thrift.h"
#include "tracecore/codec/otlp_json.h"
#include "tracecore/codec/otlp_proto.h"
#include "tracecore/codec/zipkin.h"
#include "tracecore/codec/zipkin_thrift.h"

namespace ariadne::collector {
namespace {

namespace http = boost::beast::http;
using runtime::HttpRequest;
using runtime::HttpResponse;
using tracecore::SpanBatch;
using tracecore::Status;

constexpr const char* kRetryAfterSeconds = "1";
constexpr int kRpcInvalidArgument = 3;
constexpr int kRpcResourceExhausted = 8;
constexpr int kRpcUnavailable = 14;

// The media type without parameters, lower case: "Application/JSON; charset=utf-8" ->
// "application/json".
std::string MediaType(const HttpRequest& request) {
  std::string_view value = request.Header("Content-Type");
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  std::string type(value);
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

void PlainText(HttpResponse& response, unsigned status, std::string message) {
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(message);
  response.body += '\n';
}

// The answer every non-OTLP span route gives for an ingest result: 202 or an error.
void AnswerIngest(const IngestResult& result, HttpResponse& response) {
  switch (result.outcome) {
    case IngestResult::Outcome::kAccepted: response.status = 202; return;
    case IngestResult::Outcome::kTooLarge: PlainText(response, 413, result.message); return;
    case IngestResult::Outcome::kQueueFull:
      PlainText(response, 429, result.message);
      response.headers.emplace_back("Retry-After", kRetryAfterSeconds);
      return;
    case IngestResult::Outcome::kShuttingDown:
      PlainText(response, 503, result.message);
      response.headers.emplace_back("Retry-After", kRetryAfterSeconds);
      return;
  }
}

// Decodes `request.body` with `decode` into a batch that owns a copy of the body, and submits it.
template <typename Decode>
bool DecodeAndSubmit(const HttpRequest& request, Ingester& ingester, Format format,
                     tracecore::TextCheck text, Decode&& decode, IngestResult& result,
                     Status& error) {
  SpanBatch batch;
  const std::string_view bytes = batch.Retain(std::string(request.body));
  error = decode(bytes, batch);
  if (!error.ok()) return false;
  result = ingester.Submit(std::move(batch), bytes.size(), format, Transport::kHttp, text);
  return true;
}

void HandleOtlp(Ingester& ingester, const HttpRequest& request, HttpResponse& response) {
  const std::string type = MediaType(request);
  const bool json = type == "application/json";
  if (!json && type != "application/x-protobuf") {
    PlainText(response, 415,
              "Unsupported Content-Type \"" + type +
                  "\": POST /v1/traces takes application/x-protobuf or application/json "
                  "(an OTLP ExportTraceServiceRequest)");
    return;
  }
  response.content_type = json ? "application/json" : "application/x-protobuf";
  IngestResult result;
  Status error;
  const bool decoded =
      json ? DecodeAndSubmit(request, ingester, Format::kOtlp, tracecore::TextCheck::kAlreadyValid,
                             tracecore::otlp::DecodeExportRequestJson, result, error)
           : DecodeAndSubmit(request, ingester, Format::kOtlp, tracecore::TextCheck::kAlreadyValid,
                             tracecore::otlp::DecodeExportRequest, result, error);
  if (!decoded) {
    response.status = 400;
    EncodeRpcStatus(kRpcInvalidArgument, error.message(), json, response.body);
    return;
  }
  switch (result.outcome) {
    case IngestResult::Outcome::kAccepted:
      response.status = 200;
      EncodeExportResponse(result.rejected_spans, result.message, json, response.body);
      return;
    case IngestResult::Outcome::kTooLarge:
      response.status = 413;
      EncodeRpcStatus(kRpcResourceExhausted, result.message, json, response.body);
      return;
    case IngestResult::Outcome::kQueueFull:
      response.status = 429;
      response.headers.emplace_back("Retry-After", kRetryAfterSeconds);
      EncodeRpcStatus(kRpcResourceExhausted, result.message, json, response.body);
      return;
    case IngestResult::Outcome::kShuttingDown:
      response.status = 503;
      response.headers.emplace_back("Retry-After", kRetryAfterSeconds);
      EncodeRpcStatus(kRpcUnavailable, result.message, json, response.body);
      return;
  }
}

void HandleJaegerThrift(Ingester& ingester, const HttpRequest& request, HttpResponse& response) {
  const std::string type = MediaType(request);
  if (type != "application/x-thrift" && type != "application/vnd.apache.thrift.binary") {
    PlainText(response, 400,
              "Unsupported content type: " + type +
                  ". POST /api/traces takes a Thrift binary jaeger.Batch with Content-Type "
                  "application/x-thrift or application/vnd.apache.thrift.binary; send OTLP/JSON "
                  "to POST /v1/traces instead");
    return;
  }
  IngestResult result;
  Status error;
  auto decode = [](std::string_view bytes, SpanBatch& batch) {
    return tracecore::jaeger_thrift::DecodeBatch(bytes, tracecore::jaeger_thrift::Protocol::kBinary,
                                                 batch);
  };
  if (!DecodeAndSubmit(request, ingester, Format::kJaeger, tracecore::TextCheck::kValidate, decode,
                       result, error)) {
    PlainText(response, 400, "Unable to process request body: " + error.message());
    return;
  }
  AnswerIngest(result, response);
}

void HandleZipkinV1(Ingester& ingester, const HttpRequest& request, HttpResponse& response) {
  const bool thrift = MediaType(request) == "application/x-thrift";
  IngestResult result;
  Status error;
  const bool decoded =
      thrift ? DecodeAndSubmit(request, ingester, Format::kZipkin, tracecore::TextCheck::kValidate,
                               tracecore::zipkin::DecodeV1ThriftList, result, error)
             : DecodeAndSubmit(request, ingester, Format::kZipkin, tracecore::TextCheck::kValidate,
                               tracecore::zipkin::DecodeV1Json, result, error);
  if (!decoded) {
    PlainText(response, 400, "Unable to process request body: " + error.message());
    return;
  }
  AnswerIngest(result, response);
}

void HandleZipkinV2(Ingester& ingester, const HttpRequest& request, HttpResponse& response) {
  const bool proto = MediaType(request) == "application/x-protobuf";
  IngestResult result;
  Status error;
  const bool decoded =
      proto
          ? DecodeAndSubmit(request, ingester, Format::kZipkin, tracecore::TextCheck::kAlreadyValid,
                            tracecore::zipkin::DecodeV2Proto, result, error)
          : DecodeAndSubmit(request, ingester, Format::kZipkin, tracecore::TextCheck::kAlreadyValid,
                            tracecore::zipkin::DecodeV2Json, result, error);
  if (!decoded) {
    PlainText(response, 400, "Unable to process request body: " + error.message());
    return;
  }
  AnswerIngest(result, response);
}

}  // namespace

void AddSpanRoutes(runtime::HttpRouter& router, Ingester& ingester) {
  router.Add(http::verb::post, "/v1/traces",
             [&ingester](const HttpRequest& request, HttpResponse& response) {
               HandleOtlp(ingester, request, response);
             });
  router.Add(http::verb::post, "/api/traces",
             [&ingester](const HttpRequest& request, HttpResponse& response) {
               HandleJaegerThrift(ingester, request, response);
             });
  router.Add(http::verb::post, "/api/v1/spans",
             [&ingester](const HttpRequest& request, HttpResponse& response) {
               HandleZipkinV1(ingester, request, response);
             });
  router.Add(http::verb::post, "/api/v2/spans",
             [&ingester](const HttpRequest& request, HttpResponse& response) {
               HandleZipkinV2(ingester, request, response);
             });
}

}  // namespace ariadne::collector
