// The gRPC transport: generic unary calls with raw ByteBuffers (no generated code), up to
// max_in_flight at once per worker on the worker's own channel.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <semaphore>
#include <thread>

#include "tracegen/transport.h"

namespace ariadne::tracegen {
namespace {

// The most concurrent calls one worker may have (std::counting_semaphore's bound).
constexpr int kMaxInFlight = 4096;
// How long a worker waits after an UNAVAILABLE answer (the receiver is down or unreachable).
constexpr auto kUnavailablePause = std::chrono::milliseconds(100);
using Clock = std::chrono::steady_clock;

class GrpcTransport final : public Transport {
 public:
  GrpcTransport(const TransportOptions& options, const std::string& pem_roots,
                const std::string& pem_cert, const std::string& pem_key, LoadCounters& counters)
      : counters_(counters),
        method_(InfoOf(options.protocol).path),
        otlp_(options.protocol == Protocol::kOtlpGrpc),
        timeout_(options.timeout),
        max_in_flight_(std::clamp(options.max_in_flight, 1, kMaxInFlight)),
        slots_(max_in_flight_),
        stub_(MakeChannel(options, pem_roots, pem_cert, pem_key)) {}

  ~GrpcTransport() override { Drain(); }

  void Send(std::string body, uint32_t spans) override {
    // A receiver that is down fails calls at once: pause instead of spinning on failures.
    const auto pause_until = Clock::time_point(Clock::duration(pause_until_.load()));
    if (Clock::now() < pause_until) std::this_thread::sleep_until(pause_until);
    slots_.acquire();
    auto* call = new Call;
    call->spans = spans;
    call->context.set_deadline(std::chrono::system_clock::now() + timeout_);
    // The slice owns the body: no copy on the way to the wire.
    auto* owned = new std::string(std::move(body));
    grpc::Slice slice(
        owned->data(), owned->size(), [](void* text) { delete static_cast<std::string*>(text); },
        owned);
    call->request = grpc::ByteBuffer(&slice, 1);
    counters_.AddSent(spans);
    stub_.UnaryCall(&call->context, method_, grpc::StubOptions(), &call->request, &call->response,
                    [this, call](const grpc::Status& status) { Finish(call, status); });
  }

  void Drain() override {
    for (int i = 0; i < max_in_flight_; ++i) slots_.acquire();
    for (int i = 0; i < max_in_flight_; ++i) slots_.release();
  }

 private:
  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    uint32_t spans = 0;
  };

  static std::shared_ptr<grpc::Channel> MakeChannel(const TransportOptions& options,
                                                    const std::string& pem_roots,
                                                    const std::string& pem_cert,
                                                    const std::string& pem_key) {
    grpc::ChannelArguments arguments;
    // One connection per worker: channels with equal arguments would share a subchannel.
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    arguments.SetInt("ariadne.tracegen.worker", options.worker_index);
    // Straight to the receiver: an http_proxy in the environment must not carry benchmark traffic.
    arguments.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
    arguments.SetMaxSendMessageSize(-1);
    if (options.gzip) arguments.SetCompressionAlgorithm(GRPC_COMPRESS_GZIP);
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    if (options.tls.enabled) {
      grpc::SslCredentialsOptions ssl;
      ssl.pem_root_certs = pem_roots;
      ssl.pem_cert_chain = pem_cert;
      ssl.pem_private_key = pem_key;
      credentials = grpc::SslCredentials(ssl);
      if (!options.tls.server_name.empty()) {
        arguments.SetSslTargetNameOverride(options.tls.server_name);
      }
    } else {
      credentials = grpc::InsecureChannelCredentials();
    }
    const std::string target = options.host.find(':') != std::string::npos
                                   ? "ipv6:[" + options.host + "]:" + std::to_string(options.port)
                                   : options.host + ":" + std::to_string(options.port);
    return grpc::CreateCustomChannel(target, credentials, arguments);
  }

  // Runs on a gRPC thread.
  void Finish(Call* call, const grpc::Status& status) {
    const int code = static_cast<int>(status.error_code());
    uint64_t rejected = 0;
    if (code == 0 && otlp_) {
      std::vector<grpc::Slice> slices;
      if (call->response.Length() > 0 && call->response.Dump(&slices).ok()) {
        std::string body;
        for (const grpc::Slice& slice : slices) {
          body.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
        }
        rejected = OtlpRejectedSpans(body, false);
      }
    }
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      pause_until_.store((Clock::now() + kUnavailablePause).time_since_epoch().count());
    }
    counters_.Record(ClassifyGrpcStatus(code), call->spans, GrpcCodeName(code), rejected);
    delete call;
    slots_.release();
  }

  LoadCounters& counters_;
  const std::string method_;  // outlives every call: RpcMethod keeps a pointer to it
  const bool otlp_;
  const std::chrono::nanoseconds timeout_;
  const int max_in_flight_;
  std::counting_semaphore<kMaxInFlight> slots_;
  std::atomic<Clock::rep> pause_until_{0};
  grpc::GenericStub stub_;
};

}  // namespace

std::unique_ptr<Transport> MakeGrpcTransport(const TransportOptions& options,
                                             const std::string& pem_roots,
                                             const std::string& pem_cert,
                                             const std::string& pem_key, LoadCounters& counters) {
  return std::make_unique<GrpcTransport>(options, pem_roots, pem_cert, pem_key, counters);
}

}  // namespace ariadne::tracegen
