// SamplingProxy: the agent's /sampling and legacy / endpoints against a loopback gRPC
// SamplingManager (a generic service answering with tracecore's EncodeProto) through a real HTTP
// server and client: Jaeger's JSON and error texts, caching per service, the background refresh,
// the last known strategy while the collector is down, and the metrics.
#include "sampling_proxy.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/http_client.h"
#include "runtime/http_server.h"
#include "tracecore/sampling/strategies.h"

namespace ariadne::agent {
namespace {

namespace http = boost::beast::http;
namespace sampling = tracecore::sampling;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr char kMethod[] = "/jaeger.api_v2.SamplingManager/GetSamplingStrategy";

// Polls `condition` until it holds or 30 s pass.
template <typename Condition>
bool Eventually(Condition condition) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// A free loopback port: bound once by the kernel's choice, then released.
int ReservePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  socklen_t length = sizeof(address);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

// The value of one series, or -1 when it does not exist.
double Metric(const prometheus::Registry& registry, const std::string& name,
              const std::map<std::string, std::string>& labels = {}) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> found;
      for (const auto& label : metric.label) found[label.name] = label.value;
      if (found == labels) return metric.counter.value;
    }
  }
  return -1;
}

sampling::StrategyResponse Probabilistic(double rate) {
  sampling::StrategyResponse response;
  response.probabilistic_sampling_rate = rate;
  return response;
}

sampling::StrategyResponse RateLimiting(int32_t traces_per_second) {
  sampling::StrategyResponse response;
  response.strategy_type = sampling::StrategyType::kRateLimiting;
  response.max_traces_per_second = traces_per_second;
  return response;
}

sampling::StrategyResponse PerOperation() {
  sampling::StrategyResponse response = Probabilistic(1);
  response.operation_sampling.emplace();
  response.operation_sampling->default_sampling_probability = 1;
  response.operation_sampling->per_operation_strategies.push_back({"/health", 0.1});
  return response;
}

// A collector's SamplingManager on 127.0.0.1: answers each service with the strategy set for it
// (or the default), counts the calls, and can instead answer with raw bytes, or hold its answers
// until Release().
class TestCollector {
 public:
  explicit TestCollector(int port = 0) : service_(*this) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
    REQUIRE(server_ != nullptr);
  }
  ~TestCollector() { server_->Shutdown(std::chrono::system_clock::now()); }

  int port() const { return port_; }
  int calls() const { return calls_.load(); }
  std::vector<std::string> services() {
    std::lock_guard lock(mutex_);
    return services_;
  }
  void Set(const std::string& service, const sampling::StrategyResponse& strategy) {
    std::lock_guard lock(mutex_);
    strategies_[service] = strategy;
  }
  void AnswerWith(std::string raw_bytes) {
    std::lock_guard lock(mutex_);
    raw_answer_ = std::move(raw_bytes);
  }
  void Hold() {
    std::lock_guard lock(mutex_);
    holding_ = true;
  }
  size_t held() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  // Answers the calls held so far (a call the client gave up on just ends).
  void Release() {
    std::vector<Reactor*> held;
    {
      std::lock_guard lock(mutex_);
      holding_ = false;
      held.swap(held_);
    }
    for (Reactor* reactor : held) reactor->Reply();
  }

 private:
  // The bytes to answer `request` with; INVALID_ARGUMENT for a request that does not decode.
  grpc::Status Answer(const std::string& method, const std::string& request, std::string& out) {
    if (method != kMethod) return {grpc::StatusCode::UNIMPLEMENTED, method};
    std::string service;
    if (!sampling::DecodeSamplingParameters(request, service).ok()) {
      return {grpc::StatusCode::INVALID_ARGUMENT, "bad request"};
    }
    std::lock_guard lock(mutex_);
    ++calls_;
    services_.push_back(service);
    if (raw_answer_) {
      out = *raw_answer_;
    } else {
      auto found = strategies_.find(service);
      sampling::EncodeProto(found == strategies_.end() ? Probabilistic(0.001) : found->second, out);
    }
    return grpc::Status::OK;
  }

  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    Reactor(TestCollector& collector, std::string method)
        : collector_(collector), method_(std::move(method)) {
      StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish({grpc::StatusCode::INVALID_ARGUMENT, "no request"});
        return;
      }
      std::vector<grpc::Slice> slices;
      if (request_.Length() > 0 && request_.Dump(&slices).ok()) {
        for (const auto& slice : slices) {
          body_.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
        }
      }
      if (!collector_.Held(this)) Reply();
    }
    void Reply() {
      std::string answer;
      const grpc::Status status = collector_.Answer(method_, body_, answer);
      if (!status.ok()) {
        Finish(status);
        return;
      }
      grpc::Slice slice(answer);
      response_ = grpc::ByteBuffer(&slice, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnDone() override { delete this; }

   private:
    TestCollector& collector_;
    const std::string method_;
    std::string body_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };

  struct Service : grpc::CallbackGenericService {
    explicit Service(TestCollector& owner) : collector(owner) {}
    grpc::ServerGenericBidiReactor* CreateReactor(
        grpc::GenericCallbackServerContext* context) override {
      return new Reactor(collector, context->method());
    }
    TestCollector& collector;
  };

  // Keeps `reactor` for Release() when holding; returns whether it did.
  bool Held(Reactor* reactor) {
    std::lock_guard lock(mutex_);
    if (holding_) held_.push_back(reactor);
    return holding_;
  }

  std::mutex mutex_;
  bool holding_ = false;
  std::vector<Reactor*> held_;
  std::map<std::string, sampling::StrategyResponse> strategies_;
  std::optional<std::string> raw_answer_;
  std::vector<std::string> services_;
  std::atomic<int> calls_{0};
  Service service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

std::shared_ptr<grpc::Channel> ChannelTo(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

// A SamplingProxy behind a real HTTP server on 127.0.0.1:0, and a client of it.
struct Endpoint {
  Endpoint(SamplingProxy::ChannelSource channel, std::chrono::nanoseconds ttl)
      : proxy(std::move(channel), ttl, std::chrono::seconds(5), registry) {
    auto router = std::make_shared<runtime::HttpRouter>();
    proxy.AddRoutes(*router);
    runtime::HttpServerOptions options;
    options.name = "agent-sampling";
    options.host_port = "127.0.0.1:0";
    options.threads = 1;  // as the agent runs it
    REQUIRE(runtime::HttpServer::Start(options, router, server).ok());
    client = std::make_unique<runtime::HttpClient>("127.0.0.1", server->port());
  }
  ~Endpoint() { server->Stop(); }

  runtime::HttpClientResponse Get(const std::string& target) {
    runtime::HttpClientResponse response;
    const tracecore::Status status = client->Request(http::verb::get, target, {}, "", response);
    INFO(status.message());
    REQUIRE(status.ok());
    return response;
  }

  double Requests(const std::string& type) const {
    return Metric(registry, "jaeger_agent_http_server_requests_total", {{"type", type}});
  }
  double Errors(const std::string& status, const std::string& source) const {
    return Metric(registry, "jaeger_agent_http_server_errors_total",
                  {{"status", status}, {"source", source}});
  }
  double Stale() const { return Metric(registry, "jaeger_agent_sampling_stale_served_total"); }

  prometheus::Registry registry;
  SamplingProxy proxy;
  std::unique_ptr<runtime::HttpServer> server;
  std::unique_ptr<runtime::HttpClient> client;
};

const char kModelRouterJson[] =
    R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":1},)"
    R"("operationSampling":{"defaultSamplingProbability":1,"defaultLowerBoundTracesPerSecond":0,)"
    R"("perOperationStrategies":[{"operation":"/health","probabilisticSampling":)"
    R"({"samplingRate":0.1}}],"defaultUpperBoundTracesPerSecond":0}})";
const char kFrontendJson[] =
    R"({"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":100}})";
const char kDefaultJson[] =
    R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.001}})";

constexpr auto kLongTtl = std::chrono::hours(1);

TEST_CASE("/sampling and the legacy / answer the collector's strategy in Jaeger's JSON") {
  TestCollector collector;
  collector.Set("model-router", PerOperation());
  collector.Set("frontend", RateLimiting(100));
  const auto channel = ChannelTo(collector.port());
  Endpoint agent([channel] { return channel; }, kLongTtl);

  auto response = agent.Get("/sampling?service=model-router");
  CHECK(response.status == 200);
  CHECK(response.headers[http::field::content_type] == "application/json");
  CHECK(response.body == kModelRouterJson);

  response = agent.Get("/?service=frontend");
  CHECK(response.status == 200);
  CHECK(response.headers[http::field::content_type] == "application/json");
  CHECK(response.body == R"({"strategyType":1,"rateLimitingSampling":{"maxTracesPerSecond":100}})");

  // Cached as both forms: the other form of a known service makes no call.
  CHECK(agent.Get("/sampling?service=frontend").body == kFrontendJson);
  std::string legacy_model_router = kModelRouterJson;
  legacy_model_router.replace(legacy_model_router.find("\"PROBABILISTIC\""), 15, "0");
  CHECK(agent.Get("/?service=model-router").body == legacy_model_router);

  // A service the collector does not know gets its default; the name is percent-decoded.
  CHECK(agent.Get("/sampling?service=caf%C3%A9+bar").body == kDefaultJson);

  CHECK(collector.calls() == 3);
  CHECK(collector.services() ==
        std::vector<std::string>{"model-router", "frontend", "caf\xc3\xa9 bar"});
  CHECK(agent.Requests("sampling") == 3);
  CHECK(agent.Requests("sampling-legacy") == 2);
  CHECK(agent.Stale() == 0);
}

TEST_CASE("a missing or repeated service parameter is Jaeger's 400") {
  TestCollector collector;
  const auto channel = ChannelTo(collector.port());
  Endpoint agent([channel] { return channel; }, kLongTtl);

  for (const std::string target :
       {"/sampling", "/sampling?service=a&service=b", "/?servic=a", "/", "/?service=a&service="}) {
    INFO(target);
    const auto response = agent.Get(target);
    CHECK(response.status == 400);
    CHECK(response.headers[http::field::content_type] == "text/plain; charset=utf-8");
    CHECK(response.body == "'service' parameter must be provided once\n");
  }
  CHECK(agent.Errors("4xx", "all") == 5);
  CHECK(agent.Requests("sampling") == 0);
  CHECK(collector.calls() == 0);
}

TEST_CASE("within the TTL a service is answered from the cache") {
  TestCollector collector;
  collector.Set("frontend", RateLimiting(100));
  const auto channel = ChannelTo(collector.port());
  Endpoint agent([channel] { return channel; }, kLongTtl);

  CHECK(agent.Get("/sampling?service=frontend").body == kFrontendJson);
  CHECK(collector.calls() == 1);
  collector.Set("frontend", RateLimiting(5));  // not asked again within the TTL
  CHECK(agent.Get("/sampling?service=frontend").body == kFrontendJson);
  CHECK(agent.Get("/?service=frontend").status == 200);
  CHECK(collector.calls() == 1);

  CHECK(agent.Get("/sampling?service=other").body == kDefaultJson);
  CHECK(collector.calls() == 2);
}

TEST_CASE("services asked for are refreshed in the background after the TTL") {
  TestCollector collector;
  collector.Set("frontend", RateLimiting(100));
  const auto channel = ChannelTo(collector.port());
  Endpoint agent([channel] { return channel; }, 200ms);

  CHECK(agent.Get("/sampling?service=frontend").body == kFrontendJson);
  collector.Set("frontend", RateLimiting(5));
  // Asked again without a request waiting for it.
  REQUIRE(Eventually([&] { return collector.calls() >= 2; }));
  const char kChangedJson[] =
      R"({"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":5}})";
  REQUIRE(Eventually([&] { return agent.Get("/sampling?service=frontend").body == kChangedJson; }));
  CHECK(agent.Stale() == 0);
}

TEST_CASE("while the collector is down, the last known strategy is served after the TTL") {
  const int port = ReservePort();
  auto collector = std::make_unique<TestCollector>(port);
  collector->Set("frontend", RateLimiting(100));
  const auto channel = ChannelTo(port);
  Endpoint agent([channel] { return channel; }, 100ms);

  REQUIRE(agent.Get("/sampling?service=frontend").body == kFrontendJson);
  collector.reset();

  // Every answer is the last known one: fresh within the TTL, then stale (and counted).
  REQUIRE(Eventually([&] {
    const auto response = agent.Get("/sampling?service=frontend");
    REQUIRE(response.status == 200);
    REQUIRE(response.body == kFrontendJson);
    return agent.Stale() >= 1;
  }));
  const auto legacy = agent.Get("/?service=frontend");
  CHECK(legacy.status == 200);
  CHECK(legacy.body == R"({"strategyType":1,"rateLimitingSampling":{"maxTracesPerSecond":100}})");
  CHECK(agent.Errors("5xx", "collector-proxy") == 0);

  // A service never asked for has nothing to fall back on.
  const auto unknown = agent.Get("/sampling?service=never-asked");
  CHECK(unknown.status == 500);
  CHECK(unknown.body.rfind("collector error: rpc error: code = Unavailable desc = ", 0) == 0);

  // The collector comes back (same address) with a new strategy: served once refreshed.
  collector = std::make_unique<TestCollector>(port);
  collector->Set("frontend", RateLimiting(7));
  REQUIRE(Eventually([&] {
    return agent.Get("/sampling?service=frontend").body ==
           R"({"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":7}})";
  }));
}

TEST_CASE("with nothing known and the collector down, the answer is Jaeger's 500") {
  const auto channel = ChannelTo(ReservePort());  // nothing listens there
  Endpoint agent([channel] { return channel; }, kLongTtl);

  const auto response = agent.Get("/sampling?service=frontend");
  CHECK(response.status == 500);
  CHECK(response.headers[http::field::content_type] == "text/plain; charset=utf-8");
  INFO(response.body);
  CHECK(response.body.rfind("collector error: rpc error: code = Unavailable desc = ", 0) == 0);
  CHECK(response.body.back() == '\n');
  CHECK(agent.Get("/?service=frontend").status == 500);
  CHECK(agent.Errors("5xx", "collector-proxy") == 2);
  CHECK(agent.Requests("sampling") == 0);
  CHECK(agent.Stale() == 0);
}

TEST_CASE("a request waits at most kMaxRequestWait, the slower answer serves later requests") {
  TestCollector collector;
  collector.Set("frontend", RateLimiting(100));
  collector.Hold();
  const auto channel = ChannelTo(collector.port());
  Endpoint agent([channel] { return channel; }, kLongTtl);

  const auto response = agent.Get("/sampling?service=frontend");
  CHECK(response.status == 500);
  CHECK(response.body ==
        "collector error: no answer from the collector within 1000 ms; retry later\n");
  collector.Release();
  // The call went on: its answer is served, without a second call.
  CHECK(agent.Get("/sampling?service=frontend").body == kFrontendJson);
  CHECK(collector.calls() == 1);
}

TEST_CASE("destroying the proxy cancels its calls in flight") {
  TestCollector collector;
  collector.Hold();
  const auto channel = ChannelTo(collector.port());
  {
    Endpoint agent([channel] { return channel; }, kLongTtl);
    CHECK(agent.Get("/sampling?service=frontend").status == 500);
    REQUIRE(Eventually([&] { return collector.held() == 1; }));
  }  // returns once the held call is cancelled, long before its 5 s deadline
  collector.Release();
}

TEST_CASE("without a collector channel the answer is a 500 that says so") {
  Endpoint agent([] { return std::shared_ptr<grpc::Channel>(); }, kLongTtl);
  const auto response = agent.Get("/sampling?service=frontend");
  CHECK(response.status == 500);
  CHECK(response.body == "collector error: no collector connection\n");
  CHECK(agent.Errors("5xx", "collector-proxy") == 1);
}

TEST_CASE("an answer from the collector that does not decode is a 500 naming the field") {
  TestCollector collector;
  collector.AnswerWith(std::string("\x08", 1));  // strategyType, cut short
  const auto channel = ChannelTo(collector.port());
  Endpoint agent([channel] { return channel; }, kLongTtl);

  const auto response = agent.Get("/sampling?service=frontend");
  CHECK(response.status == 500);
  CHECK(response.body ==
        "collector error: malformed answer: SamplingStrategyResponse.strategyType: byte 1: "
        "truncated varint\n");
  CHECK(agent.Errors("5xx", "proto") == 1);
  CHECK(agent.Errors("5xx", "collector-proxy") == 0);
}

TEST_CASE("the cache holds at most kMaxServices services, forgetting the least recent") {
  TestCollector collector;
  const auto channel = ChannelTo(collector.port());
  Endpoint agent([channel] { return channel; }, kLongTtl);

  for (size_t i = 0; i < SamplingProxy::kMaxServices; ++i) {
    REQUIRE(agent.Get("/sampling?service=s" + std::to_string(i)).status == 200);
  }
  REQUIRE(collector.calls() == static_cast<int>(SamplingProxy::kMaxServices));
  REQUIRE(agent.Get("/sampling?service=s0").status == 200);  // s1 is now the least recent
  REQUIRE(collector.calls() == static_cast<int>(SamplingProxy::kMaxServices));
  REQUIRE(agent.Get("/sampling?service=one-more").status == 200);
  REQUIRE(agent.Get("/sampling?service=s0").status == 200);  // still cached
  CHECK(collector.calls() == static_cast<int>(SamplingProxy::kMaxServices) + 1);
  REQUIRE(agent.Get("/sampling?service=s1").status == 200);  // forgotten: asked again
  CHECK(collector.calls() == static_cast<int>(SamplingProxy::kMaxServices) + 2);
}

TEST_CASE("every metric series exists before the first request") {
  Endpoint agent([] { return std::shared_ptr<grpc::Channel>(); }, kLongTtl);
  CHECK(agent.Requests("sampling") == 0);
  CHECK(agent.Requests("sampling-legacy") == 0);
  CHECK(agent.Errors("4xx", "all") == 0);
  CHECK(agent.Errors("5xx", "collector-proxy") == 0);
  CHECK(agent.Errors("5xx", "proto") == 0);
  CHECK(agent.Errors("5xx", "write") == 0);
  CHECK(agent.Stale() == 0);
}

}  // namespace
}  // namespace ariadne::agent
