// The collector in-process: every receiver, the status codes of reference §1.4-1.6, limits,
// backpressure with its accounting, partial success, sampling endpoints, hostile bodies.
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <zlib.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "collector_test_support.h"
#include "jaeger/api_v2/collector.grpc.pb.h"
#include "jaeger/api_v2/sampling.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "test_support.h"
#include "tracecore/codec/jaeger_proto.h"
#include "tracecore/codec/otlp_proto.h"

namespace ariadne::testing {
namespace {

using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;
using opentelemetry::proto::collector::trace::v1::TraceService;

const tracecore::TraceId kFixtureTrace =
    *tracecore::TraceId::FromHex("a1b2c3d4e5f607180000000000000001");
constexpr size_t kFixtureSpans = 4;

// Spans of `trace` in the store.
size_t StoredSpans(storage::MemoryStore& store, const tracecore::TraceId& trace) {
  size_t count = 0;
  bool found = false;
  const tracecore::Status read = store.GetTrace(
      trace, 1000,
      [&count](const tracecore::SpanBatch& chunk) {
        count += chunk.spans().size();
        return tracecore::Status();
      },
      found);
  REQUIRE(read.ok());
  return count;
}

std::shared_ptr<grpc::Channel> Channel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

grpc::Status ExportOtlp(int port, const std::string& request_bytes,
                        ExportTraceServiceResponse* response = nullptr) {
  ExportTraceServiceRequest request;
  REQUIRE(request.ParseFromString(request_bytes));
  ExportTraceServiceResponse ignored;
  grpc::ClientContext context;
  return TraceService::NewStub(Channel(port))
      ->Export(&context, request, response ? response : &ignored);
}

grpc::Status PostJaegerSpans(int port, const std::string& otlp_fixture) {
  tracecore::SpanBatch batch;
  REQUIRE(tracecore::otlp::DecodeExportRequest(otlp_fixture, batch).ok());
  std::string bytes;
  tracecore::jaeger_proto::EncodePostSpansRequest(batch, 0, bytes);
  jaeger::api_v2::PostSpansRequest request;
  REQUIRE(request.ParseFromString(bytes));
  jaeger::api_v2::PostSpansResponse response;
  grpc::ClientContext context;
  return jaeger::api_v2::CollectorService::NewStub(Channel(port))
      ->PostSpans(&context, request, &response);
}

// This process's resident memory in KiB.
uint64_t ResidentKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

std::string Gzip(const std::string& input) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&stream, input.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// A writer that holds every WriteBatch until Release(), to fill the queue on purpose.
class BlockingWriter final : public storage::SpanWriter {
 public:
  tracecore::Status WriteBatch(const tracecore::SpanBatch& batch) override {
    std::unique_lock lock(mutex_);
    ++writes_started_;
    started_.notify_all();
    released_.wait(lock, [this] { return released_flag_; });
    spans_written_ += batch.spans().size();
    return {};
  }
  tracecore::Status Flush() override { return {}; }

  void WaitForWrites(int count) {
    std::unique_lock lock(mutex_);
    REQUIRE(started_.wait_for(lock, std::chrono::seconds(10),
                              [&] { return writes_started_ >= count; }));
  }
  void Release() {
    std::lock_guard lock(mutex_);
    released_flag_ = true;
    released_.notify_all();
  }
  uint64_t spans_written() {
    std::lock_guard lock(mutex_);
    return spans_written_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable started_, released_;
  int writes_started_ = 0;
  bool released_flag_ = false;
  uint64_t spans_written_ = 0;
};

TEST_CASE("every receiver stores the spans of the real-client fixtures") {
  RunningCollector collector;
  const auto& c = *collector.instance;

  SECTION("OTLP/HTTP protobuf") {
    const auto response = Post(c.otlp_http_port(), "/v1/traces", "application/x-protobuf",
                               ReadWireFixture("otlp-http-export-request.bin"));
    CHECK(response.status == 200);
    CHECK(response.headers[boost::beast::http::field::content_type] == "application/x-protobuf");
    CHECK(response.body.empty());  // ExportTraceServiceResponse{} without partial success
  }
  SECTION("OTLP/HTTP JSON, gzip") {
    const auto response = Post(c.otlp_http_port(), "/v1/traces", "application/json",
                               Gzip(ReadWireFixture("otlp-http-export-request.json")),
                               {{"Content-Encoding", "gzip"}});
    CHECK(response.status == 200);
    CHECK(response.body == "{}");
  }
  SECTION("OTLP gRPC") {
    const grpc::Status status =
        ExportOtlp(c.otlp_grpc_port(), ReadWireFixture("otlp-grpc-export-request.bin"));
    CHECK(status.ok());
  }
  SECTION("Jaeger gRPC api_v2 PostSpans") {
    CHECK(PostJaegerSpans(c.jaeger_grpc_port(), ReadWireFixture("otlp-grpc-export-request.bin"))
              .ok());
  }
  SECTION("Jaeger Thrift over HTTP, with the ?format= old clients add") {
    const auto response =
        Post(c.http_port(), "/api/traces?format=jaeger.thrift", "application/x-thrift",
             ReadWireFixture("jaeger-thrift-binary-http-batch.bin"));
    CHECK(response.status == 202);
    CHECK(response.body.empty());
  }
  SECTION("Zipkin v2 JSON") {
    const auto response = Post(c.zipkin_port(), "/api/v2/spans", "application/json",
                               ReadWireFixture("zipkin-v2-spans.json"));
    CHECK(response.status == 202);
  }
  collector.Drain();
  CHECK(StoredSpans(collector.store, kFixtureTrace) == kFixtureSpans);
  CHECK(collector.store.span_count() == kFixtureSpans);
  const std::string metrics = collector.Metrics();
  CHECK(MetricValue(metrics, "jaeger_collector_spans_received_total") == kFixtureSpans);
  CHECK(MetricValue(metrics, "jaeger_collector_spans_processed_total") == kFixtureSpans);
  CHECK(MetricValue(metrics, "jaeger_collector_traces_received_total") == 1);
}

TEST_CASE("every gRPC port serves every gRPC service, every HTTP port every route") {
  RunningCollector collector;
  const auto& c = *collector.instance;
  CHECK(ExportOtlp(c.jaeger_grpc_port(), ReadWireFixture("otlp-grpc-export-request.bin")).ok());
  CHECK(PostJaegerSpans(c.otlp_grpc_port(), ReadWireFixture("otlp-grpc-export-request.bin")).ok());
  CHECK(Post(c.http_port(), "/v1/traces", "application/x-protobuf",
             ReadWireFixture("otlp-http-export-request.bin"))
            .status == 200);
  CHECK(Post(c.otlp_http_port(), "/api/traces", "application/x-thrift",
             ReadWireFixture("jaeger-thrift-binary-http-batch.bin"))
            .status == 202);
  collector.Drain();
  CHECK(StoredSpans(collector.store, kFixtureTrace) == 4 * kFixtureSpans);
}

TEST_CASE("a gRPC port in use fails the start with the option that names it") {
  RunningCollector first;
  for (const bool otlp : {false, true}) {
    collector::CollectorOptions options = LoopbackOptions();
    const int taken = otlp ? first.instance->otlp_grpc_port() : first.instance->jaeger_grpc_port();
    (otlp ? options.otlp_grpc_host_port : options.grpc_host_port) =
        "127.0.0.1:" + std::to_string(taken);
    storage::MemoryStore store;
    std::unique_ptr<collector::Collector> second;
    const tracecore::Status started = collector::Collector::Start(
        options, store, std::make_shared<prometheus::Registry>(), second);
    CHECK_FALSE(started.ok());
    CHECK_THAT(started.message(),
               Catch::Contains(otlp ? "collector.otlp.grpc.host-port" : "grpc-server.host-port"));
    CHECK_THAT(started.message(), Catch::Contains("in use"));
  }
}

TEST_CASE("the seed's curl with a JSON body gets a 400 that explains the content type") {
  RunningCollector collector;
  const auto response =
      Post(collector.instance->http_port(), "/api/traces", "application/json", "{}");
  CHECK(response.status == 400);
  CHECK_THAT(response.body, Catch::Contains("Unsupported content type: application/json"));
  CHECK_THAT(response.body, Catch::Contains("application/x-thrift"));
  CHECK_THAT(response.body, Catch::Contains("/v1/traces"));
}

TEST_CASE("malformed bodies and wrong content types get 4xx with the decoder's message") {
  RunningCollector collector;
  const auto& c = *collector.instance;
  const std::string garbage = "\x0a\xff\xff\xff\xff\x0f not a message";

  auto otlp = Post(c.otlp_http_port(), "/v1/traces", "application/x-protobuf", garbage);
  CHECK(otlp.status == 400);
  otlp = Post(c.otlp_http_port(), "/v1/traces", "application/json", "{\"resourceSpans\": [");
  CHECK(otlp.status == 400);
  CHECK_THAT(otlp.body, Catch::Contains("\"code\":3"));
  otlp = Post(c.otlp_http_port(), "/v1/traces", "text/plain", "hello");
  CHECK(otlp.status == 415);
  CHECK_THAT(otlp.body, Catch::Contains("application/x-protobuf or application/json"));

  const auto thrift = Post(c.http_port(), "/api/traces", "application/x-thrift", garbage);
  CHECK(thrift.status == 400);
  CHECK_THAT(thrift.body, Catch::StartsWith("Unable to process request body: "));

  CHECK(Post(c.zipkin_port(), "/api/v2/spans", "application/json", "[{\"traceId\": 5}]").status ==
        400);
  CHECK(Post(c.zipkin_port(), "/api/v2/spans", "application/x-protobuf", garbage).status == 400);
  CHECK(Post(c.zipkin_port(), "/api/v1/spans", "application/x-thrift", garbage).status == 400);
  CHECK(Post(c.zipkin_port(), "/api/v1/spans", "application/json", "nope").status == 400);
  CHECK(Post(c.otlp_http_port(), "/v1/traces", "application/json", "not gzip",
             {{"Content-Encoding", "gzip"}})
            .status == 400);
  // A gzip bomb: 256 MiB of zeros in about 256 KiB; refused once it inflates past the bound
  // (4 x --collector.max-request-size).
  const auto bomb =
      Post(c.otlp_http_port(), "/v1/traces", "application/x-protobuf",
           Gzip(std::string(size_t{256} << 20, '\0')), {{"Content-Encoding", "gzip"}});
  CHECK(bomb.status == 413);

  grpc::GenericStub stub(Channel(c.otlp_grpc_port()));
  grpc::ClientContext context;
  grpc::Slice slice(garbage);
  grpc::ByteBuffer request(&slice, 1), response;
  std::mutex mutex;
  std::condition_variable done;
  bool finished = false;
  grpc::Status status;
  stub.UnaryCall(&context, "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                 grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
                   std::lock_guard lock(mutex);
                   status = s;
                   finished = true;
                   done.notify_all();
                 });
  std::unique_lock lock(mutex);
  REQUIRE(done.wait_for(lock, std::chrono::seconds(10), [&] { return finished; }));
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_FALSE(status.error_message().empty());
}

TEST_CASE("requests over the limits get 413 or RESOURCE_EXHAUSTED with a message") {
  auto options = LoopbackOptions();
  options.max_spans_per_request = 3;  // the fixtures carry 4
  options.max_request_bytes = 8192;   // above every fixture
  RunningCollector collector(options);
  const auto& c = *collector.instance;

  const auto spans = Post(c.otlp_http_port(), "/v1/traces", "application/x-protobuf",
                          ReadWireFixture("otlp-http-export-request.bin"));
  CHECK(spans.status == 413);
  const auto thrift = Post(c.http_port(), "/api/traces", "application/x-thrift",
                           ReadWireFixture("jaeger-thrift-binary-http-batch.bin"));
  CHECK(thrift.status == 413);
  CHECK_THAT(thrift.body, Catch::Contains("--collector.max-spans-per-request"));
  const grpc::Status grpc_status =
      ExportOtlp(c.otlp_grpc_port(), ReadWireFixture("otlp-grpc-export-request.bin"));
  CHECK(grpc_status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK_THAT(grpc_status.error_message(), Catch::Contains("limit is 3"));

  const auto bytes = Post(c.zipkin_port(), "/api/v2/spans", "application/json",
                          "[" + std::string(10000, ' ') + "]");
  CHECK(bytes.status == 413);
  CHECK_THAT(bytes.body, Catch::Contains("--collector.max-request-size"));

  collector.Drain();
  CHECK(collector.store.span_count() == 0);
  const std::string metrics = collector.Metrics();
  CHECK(MetricValue(metrics, "jaeger_collector_spans_received_total") == 3 * kFixtureSpans);
  CHECK(MetricValue(metrics, "jaeger_collector_spans_rejected_total") == 3 * kFixtureSpans);
}

TEST_CASE("gRPC messages over the receive limit get RESOURCE_EXHAUSTED") {
  auto options = LoopbackOptions();
  options.otlp_grpc_max_message_bytes = 1024;  // the fixture is 1,709 bytes
  RunningCollector collector(options);
  const grpc::Status status = ExportOtlp(collector.instance->otlp_grpc_port(),
                                         ReadWireFixture("otlp-grpc-export-request.bin"));
  CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  collector.Drain();
  CHECK(collector.store.span_count() == 0);
}

TEST_CASE("a full queue answers with backpressure, and every span is accounted for") {
  auto options = LoopbackOptions();
  options.num_workers = 1;
  options.queue_size = kFixtureSpans;  // one request's worth
  BlockingWriter writer;
  RunningCollector collector(options, &writer);
  const auto& c = *collector.instance;
  const std::string body = ReadWireFixture("otlp-http-export-request.bin");

  // The first batch occupies the only worker, the second fills the queue.
  CHECK(Post(c.otlp_http_port(), "/v1/traces", "application/x-protobuf", body).status == 200);
  writer.WaitForWrites(1);
  CHECK(Post(c.otlp_http_port(), "/v1/traces", "application/x-protobuf", body).status == 200);

  const auto http = Post(c.otlp_http_port(), "/v1/traces", "application/x-protobuf", body);
  CHECK(http.status == 429);
  CHECK(http.headers["Retry-After"] == "1");
  CHECK(Post(c.http_port(), "/api/traces", "application/x-thrift",
             ReadWireFixture("jaeger-thrift-binary-http-batch.bin"))
            .status == 429);
  const grpc::Status grpc_status =
      ExportOtlp(c.otlp_grpc_port(), ReadWireFixture("otlp-grpc-export-request.bin"));
  CHECK(grpc_status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK_FALSE(grpc_status.error_details().empty());  // google.rpc.Status with RetryInfo

  writer.Release();
  collector.Drain();
  CHECK(writer.spans_written() == 2 * kFixtureSpans);
  const std::string metrics = collector.Metrics();
  const double received = MetricValue(metrics, "jaeger_collector_spans_received_total");
  const double rejected = MetricValue(metrics, "jaeger_collector_spans_rejected_total");
  const double dropped = MetricValue(metrics, "jaeger_collector_spans_dropped_total");
  const double saved =
      MetricValue(metrics, "jaeger_collector_spans_saved_by_svc_total", {"result=\"ok\""});
  CHECK(received == 5 * kFixtureSpans);
  CHECK(rejected == 3 * kFixtureSpans);
  CHECK(dropped == 0);
  CHECK(received == saved + rejected + dropped);
  CHECK(MetricValue(metrics, "ariadne_collector_requests_refused_total",
                    {"reason=\"queue_full\""}) == 3);
}

TEST_CASE("spans with all-zero ids are rejected one by one: OTLP partial success") {
  ExportTraceServiceRequest request;
  REQUIRE(request.ParseFromString(ReadWireFixture("otlp-http-export-request.bin")));
  auto* spans = request.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans();
  REQUIRE(spans->size() >= 2);
  spans->Mutable(0)->set_span_id(std::string(8, '\0'));

  RunningCollector collector;
  const auto response = Post(collector.instance->otlp_http_port(), "/v1/traces",
                             "application/x-protobuf", request.SerializeAsString());
  CHECK(response.status == 200);
  ExportTraceServiceResponse parsed;
  REQUIRE(parsed.ParseFromString(response.body));
  CHECK(parsed.partial_success().rejected_spans() == 1);
  CHECK_THAT(parsed.partial_success().error_message(), Catch::Contains("all-zero"));

  ExportTraceServiceResponse grpc_response;
  CHECK(
      ExportOtlp(collector.instance->otlp_grpc_port(), request.SerializeAsString(), &grpc_response)
          .ok());
  CHECK(grpc_response.partial_success().rejected_spans() == 1);
  collector.Drain();
  CHECK(collector.store.span_count() == 2 * (kFixtureSpans - 1));
}

TEST_CASE("sampling strategies over HTTP and gRPC follow the file, reloaded on change") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("ariadne-collector-sampling-" + std::to_string(::getpid()) + ".json");
  std::filesystem::copy_file(std::string(ARIADNE_WIRE_FIXTURES) + "/../seed/sampling.json", path,
                             std::filesystem::copy_options::overwrite_existing);
  auto options = LoopbackOptions();
  options.sampling_strategies_file = path.string();
  options.sampling_reload_interval = std::chrono::milliseconds(20);
  RunningCollector collector(options);
  const auto& c = *collector.instance;

  CHECK(Get(c.http_port(), "/api/sampling?service=frontend").body ==
        R"({"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":100}})");
  CHECK(Get(c.http_port(), "/api/sampling?service=unknown-service").body ==
        R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.1}})");
  const auto missing = Get(c.http_port(), "/api/sampling");
  CHECK(missing.status == 400);
  CHECK(missing.body == "'service' parameter must be provided once\n");

  jaeger::api_v2::SamplingStrategyParameters parameters;
  parameters.set_servicename("model-router");
  jaeger::api_v2::SamplingStrategyResponse strategy;
  grpc::ClientContext context;
  REQUIRE(jaeger::api_v2::SamplingManager::NewStub(Channel(c.jaeger_grpc_port()))
              ->GetSamplingStrategy(&context, parameters, &strategy)
              .ok());
  CHECK(strategy.probabilisticsampling().samplingrate() == 1.0);
  REQUIRE(strategy.operationsampling().peroperationstrategies_size() == 1);
  CHECK(strategy.operationsampling().peroperationstrategies(0).operation() == "health_check");

  {
    std::ofstream file(path, std::ios::trunc);
    file << R"({"default_strategy": {"type": "probabilistic", "param": 0.25}})";
  }
  const std::string changed =
      R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.25}})";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string answer;
  while (std::chrono::steady_clock::now() < deadline) {
    answer = Get(c.http_port(), "/api/sampling?service=frontend").body;
    if (answer == changed) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(answer == changed);
  std::filesystem::remove(path);
}

TEST_CASE("thousands of random bodies on every route: 4xx answers, and the collector stays up") {
  RunningCollector collector;
  const auto& c = *collector.instance;
  struct Route {
    int port;
    const char* target;
    const char* content_type;
  };
  const Route routes[] = {
      {c.otlp_http_port(), "/v1/traces", "application/x-protobuf"},
      {c.otlp_http_port(), "/v1/traces", "application/json"},
      {c.http_port(), "/api/traces", "application/x-thrift"},
      {c.zipkin_port(), "/api/v1/spans", "application/x-thrift"},
      {c.zipkin_port(), "/api/v1/spans", "application/json"},
      {c.zipkin_port(), "/api/v2/spans", "application/json"},
      {c.zipkin_port(), "/api/v2/spans", "application/x-protobuf"},
  };
  std::mt19937 random(20261127);
  const std::string seeds[] = {ReadWireFixture("otlp-http-export-request.bin"),
                               ReadWireFixture("otlp-http-export-request.json"),
                               ReadWireFixture("jaeger-thrift-binary-http-batch.bin"),
                               ReadWireFixture("zipkin-v2-spans.json")};
  std::map<unsigned, int> statuses;
  uint64_t resident_after_warm_up = 0;
  for (int i = 0; i < 3000; ++i) {
    if (i == 500) resident_after_warm_up = ResidentKib();
    const Route& route = routes[static_cast<size_t>(i) % std::size(routes)];
    // Half pure noise, half a real body with a few bytes flipped.
    std::string body = seeds[random() % std::size(seeds)];
    if (i % 2 == 0) {
      body.resize(random() % 512);
      for (char& ch : body) ch = static_cast<char>(random());
    } else {
      for (int flips = 0; flips < 4; ++flips)
        body[random() % body.size()] = static_cast<char>(random());
    }
    const auto response = Post(route.port, route.target, route.content_type, body);
    ++statuses[response.status];
    INFO(route.target << " " << route.content_type << " -> " << response.status << " "
                      << response.body);
    REQUIRE(response.status < 500);
  }
  CHECK(statuses.count(400) == 1);
  // Flat memory: 2,500 more hostile requests leave the resident set where warm-up put it.
  const uint64_t growth_kib = ResidentKib() - std::min(ResidentKib(), resident_after_warm_up);
  CHECK(growth_kib < 16 * 1024);
  CHECK(Post(c.otlp_http_port(), "/v1/traces", "application/x-protobuf",
             ReadWireFixture("otlp-http-export-request.bin"))
            .status == 200);
}

}  // namespace
}  // namespace ariadne::testing
