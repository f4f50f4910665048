#include "grpc_receivers.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <fstream>
#include <sstream>

#include "jaeger/api_v2/collector.grpc.pb.h"
#include "jaeger/api_v2/sampling.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "otlp_responses.h"
#include "runtime/log.h"
#include "tracecore/codec/jaeger_proto.h"
#include "tracecore/codec/otlp_proto.h"

namespace ariadne::collector {
namespace {

using tracecore::SpanBatch;

constexpr uint32_t kRetryAfterSeconds = 1;
constexpr const char* kServiceNames[] = {
    "opentelemetry.proto.collector.trace.v1.TraceService",
    "jaeger.api_v2.CollectorService",
    "jaeger.api_v2.SamplingManager",
};

// Copies the (possibly sliced) request into one string.
std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

grpc::Status ToGrpcStatus(const IngestResult& result) {
  switch (result.outcome) {
    case IngestResult::Outcome::kAccepted: return grpc::Status::OK;
    case IngestResult::Outcome::kTooLarge:
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, result.message};
    case IngestResult::Outcome::kQueueFull:
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, result.message,
              EncodeRetryableStatus(grpc::StatusCode::RESOURCE_EXHAUSTED, result.message,
                                    kRetryAfterSeconds)};
    case IngestResult::Outcome::kShuttingDown:
      return {grpc::StatusCode::UNAVAILABLE, result.message};
  }
  return {grpc::StatusCode::INTERNAL, "unknown ingest outcome"};
}

// Decodes `request` with `decode` and submits it; returns the status to answer with.
template <typename Decode>
grpc::Status DecodeAndSubmit(const grpc::ByteBuffer& request, Ingester& ingester, Format format,
                             tracecore::TextCheck text, Decode&& decode, IngestResult& result) {
  SpanBatch batch;
  const std::string_view bytes = batch.Retain(Flatten(request));
  const tracecore::Status decoded = decode(bytes, batch);
  if (!decoded.ok()) return {grpc::StatusCode::INVALID_ARGUMENT, decoded.message()};
  result = ingester.Submit(std::move(batch), bytes.size(), format, Transport::kGrpc, text);
  return ToGrpcStatus(result);
}

class OtlpTraceService final
    : public opentelemetry::proto::collector::trace::v1::TraceService::WithRawCallbackMethod_Export<
          opentelemetry::proto::collector::trace::v1::TraceService::Service> {
 public:
  explicit OtlpTraceService(Ingester& ingester) : ingester_(ingester) {}

  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    IngestResult result;
    const grpc::Status status =
        DecodeAndSubmit(*request, ingester_, Format::kOtlp, tracecore::TextCheck::kAlreadyValid,
                        tracecore::otlp::DecodeExportRequest, result);
    if (status.ok()) {
      std::string body;
      EncodeExportResponse(result.rejected_spans, result.message, /*json=*/false, body);
      *response = ToByteBuffer(body);
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
  }

 private:
  Ingester& ingester_;
};

class JaegerCollectorService final
    : public jaeger::api_v2::CollectorService::WithRawCallbackMethod_PostSpans<
          jaeger::api_v2::CollectorService::Service> {
 public:
  explicit JaegerCollectorService(Ingester& ingester) : ingester_(ingester) {}

  grpc::ServerUnaryReactor* PostSpans(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override {
    IngestResult result;
    grpc::Status status =
        DecodeAndSubmit(*request, ingester_, Format::kProto, tracecore::TextCheck::kValidate,
                        tracecore::jaeger_proto::DecodePostSpansRequest, result);
    if (status.ok() && result.rejected_spans > 0) {
      // api_v2 has no partial success: invalid spans make the call fail, valid ones are kept.
      status = {grpc::StatusCode::INVALID_ARGUMENT, result.message};
    }
    if (status.ok()) *response = ToByteBuffer(std::string());  // PostSpansResponse{}
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
  }

 private:
  Ingester& ingester_;
};

class SamplingManagerService final
    : public jaeger::api_v2::SamplingManager::WithRawCallbackMethod_GetSamplingStrategy<
          jaeger::api_v2::SamplingManager::Service> {
 public:
  explicit SamplingManagerService(SamplingLookup lookup) : lookup_(std::move(lookup)) {}

  grpc::ServerUnaryReactor* GetSamplingStrategy(grpc::CallbackServerContext* context,
                                                const grpc::ByteBuffer* request,
                                                grpc::ByteBuffer* response) override {
    std::string body;
    const tracecore::Status looked_up = lookup_(Flatten(*request), body);
    grpc::Status status = grpc::Status::OK;
    if (looked_up.ok()) {
      *response = ToByteBuffer(body);
    } else {
      status = {grpc::StatusCode::INVALID_ARGUMENT, looked_up.message()};
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
  }

 private:
  SamplingLookup lookup_;
};

tracecore::Status ReadFile(const std::string& path, std::string_view flag, std::string& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return tracecore::Status::InvalidArgument(std::string(flag) + ": cannot read " + path);
  }
  std::ostringstream content;
  content << file.rdbuf();
  out = content.str();
  return {};
}

tracecore::Status MakeCredentials(const GrpcListenerOptions& options,
                                  std::shared_ptr<grpc::ServerCredentials>& out) {
  if (!options.tls.enabled) {
    out = grpc::InsecureServerCredentials();
    return {};
  }
  const std::string& prefix = options.tls_flag;
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ARIADNE_RETURN_IF_ERROR(ReadFile(options.tls.cert_file, prefix + ".cert", pair.cert_chain));
  ARIADNE_RETURN_IF_ERROR(ReadFile(options.tls.key_file, prefix + ".key", pair.private_key));
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  if (!options.tls.client_ca_file.empty()) {
    ARIADNE_RETURN_IF_ERROR(
        ReadFile(options.tls.client_ca_file, prefix + ".client-ca", ssl.pem_root_certs));
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  out = grpc::SslServerCredentials(ssl);
  return {};
}

// ":4317" -> "0.0.0.0:4317"; gRPC needs a host.
std::string GrpcAddress(const std::string& host_port) {
  return !host_port.empty() && host_port.front() == ':' ? "0.0.0.0" + host_port : host_port;
}

}  // namespace

class GrpcListener::Services {
 public:
  Services(Ingester& ingester, SamplingLookup lookup)
      : otlp(ingester), jaeger(ingester), sampling(std::move(lookup)) {}
  OtlpTraceService otlp;
  JaegerCollectorService jaeger;
  SamplingManagerService sampling;
};

tracecore::Status GrpcListener::Start(const GrpcListenerOptions& options, Ingester& ingester,
                                      SamplingLookup sampling, std::unique_ptr<GrpcListener>& out) {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  ARIADNE_RETURN_IF_ERROR(MakeCredentials(options, credentials));

  static const bool kPluginsInstalled = [] {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    return true;
  }();
  (void)kPluginsInstalled;

  auto listener = std::unique_ptr<GrpcListener>(new GrpcListener());
  listener->services_ = std::make_unique<Services>(ingester, std::move(sampling));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(GrpcAddress(options.host_port), credentials, &listener->port_);
  // Without this gRPC binds with SO_REUSEPORT, and a second collector on a port in use would
  // start and share the port instead of failing.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.RegisterService(&listener->services_->otlp);
  builder.RegisterService(&listener->services_->jaeger);
  builder.RegisterService(&listener->services_->sampling);
  listener->server_ = builder.BuildAndStart();
  if (!listener->server_ || listener->port_ == 0) {
    return tracecore::Status::InvalidArgument(options.host_port_flag + ": cannot listen on \"" +
                                              options.host_port + "\" for " + options.name +
                                              " (address in use, or not host:port / :port)");
  }
  grpc::HealthCheckServiceInterface* health = listener->server_->GetHealthCheckService();
  if (health != nullptr) {
    health->SetServingStatus(true);
    for (const char* service : kServiceNames) health->SetServingStatus(service, true);
  }
  runtime::Logger("collector")->info("{} listening on {} (gRPC)", options.name, options.host_port);
  out = std::move(listener);
  return {};
}

GrpcListener::~GrpcListener() {
  Shutdown();
}

void GrpcListener::Shutdown() {
  if (!server_) return;
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(false);
  }
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server_.reset();
}

}  // namespace ariadne::collector
