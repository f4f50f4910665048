// GrpcReporter against stand-in collectors on loopback: delivery, round robin, a collector that
// comes up late, the queue bound, rejected batches and shutdown.
#include "grpc_reporter.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tracecore/codec/jaeger_proto.h"

namespace ariadne::agent {
namespace {

using tracecore::AnyValue;
using tracecore::Span;
using tracecore::SpanBatch;
using Clock = std::chrono::steady_clock;
constexpr auto kWaitLimit = std::chrono::seconds(60);

// What the test checks of a span, as one comparable line.
std::string Summary(const SpanBatch& batch, const Span& span) {
  std::string line =
      std::string(batch.resource_of(span).ServiceName()) + "|" + std::string(span.name) + "|" +
      span.trace_id.ToHex() + "|" + span.span_id.ToHex() + "|" + span.parent_span_id.ToHex() + "|" +
      std::to_string(span.start_time_unix_nano) + "|" + std::to_string(span.end_time_unix_nano);
  for (const char* key : {"http.url", "retries", "ratio", "cached"}) {
    const tracecore::Attribute* attribute = tracecore::FindAttribute(span.attributes, key);
    if (attribute == nullptr) continue;
    const AnyValue& value = attribute->value;
    line += std::string("|") + key + "=";
    switch (value.type()) {
      case tracecore::ValueType::kString: line += value.string_value(); break;
      case tracecore::ValueType::kInt: line += std::to_string(value.int_value()); break;
      case tracecore::ValueType::kDouble: line += std::to_string(value.double_value()); break;
      case tracecore::ValueType::kBool: line += value.bool_value() ? "true" : "false"; break;
      default: line += "?";
    }
  }
  return line;
}

// A stand-in collector on 127.0.0.1 answering /jaeger.api_v2.CollectorService/PostSpans: it
// decodes every request and keeps a Summary of each span. Requests holding a span named "bad"
// are answered INVALID_ARGUMENT, as a collector answers a batch it cannot take, and those
// holding one named "huge" RESOURCE_EXHAUSTED, as it answers a message above its size limit.
class TestCollector {
 public:
  explicit TestCollector(int port = 0) : service_(*this) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
    REQUIRE(server_ != nullptr);
    REQUIRE(port_ > 0);
  }
  ~TestCollector() { server_->Shutdown(std::chrono::system_clock::now()); }

  int port() const { return port_; }
  std::string host_port() const { return "127.0.0.1:" + std::to_string(port_); }

  bool WaitForSpans(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWaitLimit, [&] { return spans_.size() >= count; });
  }
  std::multiset<std::string> spans() const {
    std::lock_guard lock(mutex_);
    return spans_;
  }
  size_t accepted_calls() const {
    std::lock_guard lock(mutex_);
    return accepted_calls_;
  }

 private:
  grpc::Status Handle(const std::string& method, const grpc::ByteBuffer& request) {
    if (method != "/jaeger.api_v2.CollectorService/PostSpans") {
      return {grpc::StatusCode::UNIMPLEMENTED, method};
    }
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (request.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
      }
    }
    SpanBatch batch;
    const auto decoded =
        tracecore::jaeger_proto::DecodePostSpansRequest(batch.Retain(std::move(bytes)), batch);
    if (!decoded.ok()) return {grpc::StatusCode::INVALID_ARGUMENT, decoded.message()};
    for (const Span& span : batch.spans()) {
      if (span.name == "bad") return {grpc::StatusCode::INVALID_ARGUMENT, "bad span"};
      if (span.name == "huge") return {grpc::StatusCode::RESOURCE_EXHAUSTED, "too large"};
    }
    std::lock_guard lock(mutex_);
    for (const Span& span : batch.spans()) spans_.insert(Summary(batch, span));
    ++accepted_calls_;
    changed_.notify_all();
    return grpc::Status::OK;
  }

  class Reactor final : public grpc::ServerGenericBidiReactor {
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
      const grpc::Status status = collector_.Handle(method_, request_);
      if (!status.ok()) {
        Finish(status);
        return;
      }
      grpc::Slice empty;  // an empty PostSpansResponse
      response_ = grpc::ByteBuffer(&empty, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), status);
    }
    void OnDone() override { delete this; }

   private:
    TestCollector& collector_;
    const std::string method_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };

  class Service final : public grpc::CallbackGenericService {
   public:
    explicit Service(TestCollector& collector) : collector_(collector) {}
    grpc::ServerGenericBidiReactor* CreateReactor(
        grpc::GenericCallbackServerContext* context) override {
      return new Reactor(collector_, context->method());
    }

   private:
    TestCollector& collector_;
  };

  Service service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::multiset<std::string> spans_;
  size_t accepted_calls_ = 0;
};

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

// `name` with exactly these labels; -1 when there is no such series.
double MetricValue(const prometheus::Registry& registry, const std::string& name,
                   std::vector<prometheus::ClientMetric::Label> labels = {}) {
  std::sort(labels.begin(), labels.end());
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      auto metric_labels = metric.label;
      std::sort(metric_labels.begin(), metric_labels.end());
      if (metric_labels != labels) continue;
      return family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                            : metric.gauge.value;
    }
  }
  return -1;
}

double Dropped(const prometheus::Registry& registry, const std::string& cause,
               const std::string& format = "jaeger") {
  return MetricValue(registry, "jaeger_agent_reporter_spans_dropped_total",
                     {{"format", format}, {"cause", cause}});
}

double Counter(const prometheus::Registry& registry, const std::string& name,
               const std::string& format = "jaeger") {
  return MetricValue(registry, name, {{"format", format}});
}

// Polls `condition` until it holds or kWaitLimit passes.
template <typename Condition>
bool Eventually(Condition condition) {
  const auto deadline = Clock::now() + kWaitLimit;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Builds batches of distinct spans and remembers the Summary of each.
class SpanFactory {
 public:
  // One resource per service, `spans_per_service` spans each; `padding` bytes in an attribute.
  SpanBatch Make(const std::vector<std::string>& services, int spans_per_service,
                 size_t padding = 0, const std::string& name = "") {
    SpanBatch batch;
    const uint32_t scope = batch.AddScope();
    for (const std::string& service : services) {
      const uint32_t resource = batch.AddResource();
      batch.resources()[resource].attributes.push_back(
          {"service.name", AnyValue::String(batch.Copy(service))});
      for (int i = 0; i < spans_per_service; ++i) {
        ++next_id_;
        Span& span = batch.AddSpan(resource, scope);
        span.trace_id = {0xabcdef, next_id_};
        span.span_id = {next_id_};
        span.parent_span_id = {next_id_ + 1000000};
        span.name = batch.Copy(name.empty() ? "GET /item/" + std::to_string(next_id_) : name);
        span.start_time_unix_nano = 1700000000000000000ULL + next_id_ * 1000;
        span.end_time_unix_nano = span.start_time_unix_nano + 2500;
        span.attributes.push_back(
            {"http.url", AnyValue::String(batch.Copy("/item?" + std::string(padding, 'x')))});
        span.attributes.push_back({"retries", AnyValue::Int(static_cast<int64_t>(next_id_))});
        span.attributes.push_back({"ratio", AnyValue::Double(0.25)});
        span.attributes.push_back({"cached", AnyValue::Bool(next_id_ % 2 == 0)});
      }
    }
    for (const Span& span : batch.spans()) sent_.insert(Summary(batch, span));
    return batch;
  }
  const std::multiset<std::string>& sent() const { return sent_; }

 private:
  uint64_t next_id_ = 0;
  std::multiset<std::string> sent_;
};

// A connection and a reporter for `host_ports`, with metrics in `registry`.
struct TestAgent {
  TestAgent(std::vector<std::string> host_ports, int64_t queue_mib = 128) {
    options.host_ports = std::move(host_ports);
    options.queue_size_memory_mib = queue_mib;
    options.timeout = std::chrono::seconds(10);
    REQUIRE(CollectorConnection::Start(options, registry, connection).ok());
    reporter = std::make_unique<GrpcReporter>(options, *connection, registry);
  }
  ReporterOptions options;
  prometheus::Registry registry;
  std::unique_ptr<CollectorConnection> connection;
  std::unique_ptr<GrpcReporter> reporter;
};

TEST_CASE("spans are delivered intact, one PostSpans request per resource") {
  TestCollector collector;
  TestAgent agent({collector.host_port()});
  SpanFactory factory;
  agent.reporter->Submit(factory.Make({"frontend", "checkout"}, 3), SpanFormat::kJaeger);
  agent.reporter->Submit(factory.Make({"legacy"}, 2), SpanFormat::kZipkin);
  SpanBatch empty;
  agent.reporter->Submit(empty, SpanFormat::kJaeger);  // nothing to send
  REQUIRE(collector.WaitForSpans(8));
  CHECK(collector.spans() == factory.sent());

  const auto& registry = agent.registry;
  CHECK(Eventually([&] {
    return Counter(registry, "jaeger_agent_reporter_batches_submitted_total") == 2 &&
           Counter(registry, "jaeger_agent_reporter_batches_submitted_total", "zipkin") == 1;
  }));
  CHECK(Counter(registry, "jaeger_agent_reporter_spans_submitted_total") == 6);
  CHECK(Counter(registry, "jaeger_agent_reporter_spans_submitted_total", "zipkin") == 2);
  CHECK(Counter(registry, "jaeger_agent_reporter_batch_size", "zipkin") == 2);
  CHECK(Counter(registry, "jaeger_agent_reporter_batch_size") == 3);
  CHECK(Counter(registry, "jaeger_agent_reporter_batches_failures_total") == 0);
  CHECK(Counter(registry, "jaeger_agent_reporter_spans_failures_total", "zipkin") == 0);
  for (const char* format : {"jaeger", "zipkin"}) {
    for (const char* cause : {"queue-full", "rejected", "shutdown"}) {
      CHECK(Dropped(registry, cause, format) == 0);  // the series exist, at 0
    }
  }
  CHECK(Eventually([&] {
    return MetricValue(registry, "jaeger_agent_reporter_queue_bytes") == 0 &&
           MetricValue(registry, "jaeger_agent_reporter_queue_spans") == 0;
  }));
}

TEST_CASE("calls go round robin over every collector") {
  TestCollector first;
  TestCollector second;
  TestAgent agent({first.host_port(), second.host_port()});
  SpanFactory factory;
  size_t sent = 0;
  // Both connect soon; until then the ready one takes every call.
  const auto deadline = Clock::now() + kWaitLimit;
  while ((first.accepted_calls() == 0 || second.accepted_calls() == 0) && Clock::now() < deadline) {
    agent.reporter->Submit(factory.Make({"svc"}, 1), SpanFormat::kJaeger);
    ++sent;
    const auto delivered = [&] { return first.spans().size() + second.spans().size() >= sent; };
    REQUIRE(Eventually(delivered));
  }
  CHECK(first.accepted_calls() > 0);
  CHECK(second.accepted_calls() > 0);
  std::multiset<std::string> received = first.spans();
  received.merge(second.spans());
  CHECK(received == factory.sent());
}

TEST_CASE("a collector that is down at first gets everything once it comes up") {
  const int port = ReservePort();
  TestAgent agent({"127.0.0.1:" + std::to_string(port)});
  SpanFactory factory;
  for (int i = 0; i < 20; ++i) {
    agent.reporter->Submit(factory.Make({"svc-" + std::to_string(i % 3)}, 2), SpanFormat::kJaeger);
  }
  // At least one attempt failed: the collector really was down.
  REQUIRE(Eventually(
      [&] { return Counter(agent.registry, "jaeger_agent_reporter_batches_failures_total") > 0; }));
  CHECK(MetricValue(agent.registry, "jaeger_agent_reporter_queue_spans") == 40);

  TestCollector collector(port);
  REQUIRE(collector.WaitForSpans(40));
  CHECK(collector.spans() == factory.sent());
  CHECK(Eventually([&] {
    return Counter(agent.registry, "jaeger_agent_reporter_spans_submitted_total") == 40;
  }));
  for (const char* cause : {"queue-full", "rejected", "shutdown"}) {
    CHECK(Dropped(agent.registry, cause) == 0);
  }
}

TEST_CASE("what exceeds the queue bound while the collector is down is dropped as queue-full") {
  const int port = ReservePort();
  TestAgent agent({"127.0.0.1:" + std::to_string(port)}, /*queue_mib=*/1);
  SpanFactory factory;
  constexpr int kBatches = 30;  // of ~100 kB each: about ten fit in 1 MiB
  for (int i = 0; i < kBatches; ++i) {
    agent.reporter->Submit(factory.Make({"svc"}, 1, /*padding=*/100000), SpanFormat::kJaeger);
  }
  const double dropped = Dropped(agent.registry, "queue-full");
  CHECK(dropped > 0);
  CHECK(dropped < kBatches);
  CHECK(MetricValue(agent.registry, "jaeger_agent_reporter_queue_spans") == kBatches - dropped);
  CHECK(MetricValue(agent.registry, "jaeger_agent_reporter_queue_bytes") <= 1 << 20);

  TestCollector collector(port);
  const auto kept = static_cast<size_t>(kBatches - dropped);
  REQUIRE(collector.WaitForSpans(kept));
  CHECK(Eventually([&] {
    return Counter(agent.registry, "jaeger_agent_reporter_spans_submitted_total") == kept;
  }));
  CHECK(collector.spans().size() == kept);
  for (const std::string& span : collector.spans()) CHECK(factory.sent().count(span) == 1);
  CHECK(Dropped(agent.registry, "queue-full") == dropped);  // nothing more lost
}

TEST_CASE("a batch the collector rejects is dropped as rejected, later batches still arrive") {
  TestCollector collector;
  TestAgent agent({collector.host_port()});
  SpanFactory good;
  SpanFactory bad;
  agent.reporter->Submit(bad.Make({"svc"}, 3, 0, "bad"), SpanFormat::kZipkin);
  for (int i = 0; i < 5; ++i) agent.reporter->Submit(good.Make({"svc"}, 2), SpanFormat::kZipkin);
  REQUIRE(collector.WaitForSpans(10));
  CHECK(Eventually([&] { return Dropped(agent.registry, "rejected", "zipkin") == 3; }));
  CHECK(collector.spans() == good.sent());
  CHECK(Counter(agent.registry, "jaeger_agent_reporter_batches_failures_total", "zipkin") == 1);
  CHECK(Counter(agent.registry, "jaeger_agent_reporter_spans_failures_total", "zipkin") == 3);
}

TEST_CASE(
    "a batch refused as too large while others get through is dropped, not retried "
    "forever") {
  TestCollector collector;
  TestAgent agent({collector.host_port()});
  SpanFactory good;
  SpanFactory huge;
  agent.reporter->Submit(huge.Make({"svc"}, 2, 0, "huge"), SpanFormat::kJaeger);
  // Each retry of the huge batch comes after delivered ones, until it is given up.
  size_t sent = 0;
  const auto deadline = Clock::now() + kWaitLimit;
  while (Dropped(agent.registry, "rejected") == 0 && Clock::now() < deadline) {
    agent.reporter->Submit(good.Make({"svc"}, 1), SpanFormat::kJaeger);
    REQUIRE(collector.WaitForSpans(++sent));
  }
  CHECK(Dropped(agent.registry, "rejected") == 2);
  CHECK(collector.spans() == good.sent());
  CHECK(Counter(agent.registry, "jaeger_agent_reporter_batches_failures_total") >= 10);
}

TEST_CASE("shutdown delivers what is queued before it returns") {
  TestCollector collector;
  TestAgent agent({collector.host_port()});
  SpanFactory factory;
  for (int i = 0; i < 50; ++i)
    agent.reporter->Submit(factory.Make({"svc"}, 4), SpanFormat::kJaeger);
  agent.reporter->Shutdown(Clock::now() + kWaitLimit);
  CHECK(collector.spans() == factory.sent());
  CHECK(Counter(agent.registry, "jaeger_agent_reporter_spans_submitted_total") == 200);
  CHECK(Dropped(agent.registry, "shutdown") == 0);
}

TEST_CASE("at the shutdown deadline what is undelivered is dropped as shutdown") {
  TestAgent agent({"127.0.0.1:" + std::to_string(ReservePort())});  // nobody listens
  SpanFactory factory;
  for (int i = 0; i < 5; ++i) agent.reporter->Submit(factory.Make({"svc"}, 2), SpanFormat::kJaeger);
  agent.reporter->Shutdown(Clock::now() + std::chrono::milliseconds(300));
  CHECK(Dropped(agent.registry, "shutdown") == 10);
  CHECK(MetricValue(agent.registry, "jaeger_agent_reporter_queue_spans") == 0);
  CHECK(MetricValue(agent.registry, "jaeger_agent_reporter_queue_bytes") == 0);

  agent.reporter->Submit(factory.Make({"svc"}, 1), SpanFormat::kZipkin);  // after shutdown
  CHECK(Dropped(agent.registry, "shutdown", "zipkin") == 1);
  agent.reporter->Shutdown(Clock::now());  // idempotent
  CHECK(Dropped(agent.registry, "shutdown") == 10);
}

}  // namespace
}  // namespace ariadne::agent
