// collector_sink: the cheapest possible receiver of jaeger.api_v2.CollectorService/PostSpans, for
// the agent's benchmark (docs/benchmarks.md, "Agent"). A real collector decodes and stores every
// span and would cost more CPU than the agent it is fed by; this one answers OK to every call
// without decoding it, so the benchmark measures the agent and nothing else.
//
//   collector_sink [--port P]
//
// --port 0 (the default) binds an ephemeral port, printed on stderr as "collector_sink: port N".
// It serves until SIGINT/SIGTERM, then prints one JSON line on stdout:
//   {"requests":N,"bytes":B}
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace {

constexpr char kPostSpans[] = "/jaeger.api_v2.CollectorService/PostSpans";

// Answers every PostSpans call with an empty PostSpansResponse; any other method with
// UNIMPLEMENTED.
class SinkService final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    return new Call(this, context->method() == kPostSpans);
  }

  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> bytes{0};

 private:
  class Call final : public grpc::ServerGenericBidiReactor {
   public:
    Call(SinkService* service, bool known) : service_(service), known_(known) {
      if (!known_) {
        Finish({grpc::StatusCode::UNIMPLEMENTED, "collector_sink serves PostSpans only"});
        return;
      }
      grpc::Slice empty;
      response_ = grpc::ByteBuffer(&empty, 1);  // an empty PostSpansResponse
      StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status::OK);
        return;
      }
      service_->requests.fetch_add(1, std::memory_order_relaxed);
      service_->bytes.fetch_add(request_.Length(), std::memory_order_relaxed);
      StartWrite(&response_);
    }
    void OnWriteDone(bool /*ok*/) override { Finish(grpc::Status::OK); }
    void OnDone() override { delete this; }

   private:
    SinkService* service_;
    const bool known_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };
};

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: collector_sink [--port P]\n");
      return 2;
    }
  }
  // SIGINT/SIGTERM are blocked in every thread (gRPC's inherit the mask) and taken by sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  SinkService service;
  grpc::ServerBuilder builder;
  int bound = 0;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                           &bound);
  builder.SetMaxReceiveMessageSize(64 << 20);
  builder.RegisterCallbackGenericService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound == 0) {
    std::fprintf(stderr, "collector_sink: cannot listen on 127.0.0.1:%d\n", port);
    return 2;
  }
  std::fprintf(stderr, "collector_sink: port %d\n", bound);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server->Shutdown();
  std::printf("{\"requests\":%llu,\"bytes\":%llu}\n",
              static_cast<unsigned long long>(service.requests.load()),
              static_cast<unsigned long long>(service.bytes.load()));
  return 0;
}
