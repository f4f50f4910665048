#include "thrift_processor.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <vector>

#include "runtime/metrics.h"
#include "test_support.h"

namespace ariadne::agent {
namespace {

namespace jaeger_thrift = tracecore::jaeger_thrift;

// Records what the processor hands on: a seam of ours, so a fake is the right tool here.
class RecordingReporter final : public Reporter {
 public:
  struct Submitted {
    size_t spans = 0;
    SpanFormat format = SpanFormat::kJaeger;
    std::vector<std::string> service_names;
    std::vector<std::pair<std::string, std::string>> last_resource_tags;
  };
  void Submit(const tracecore::SpanBatch& batch, SpanFormat format) override {
    Submitted submitted{.spans = batch.spans().size(), .format = format};
    for (const tracecore::Resource& resource : batch.resources()) {
      submitted.service_names.emplace_back(resource.ServiceName());
    }
    for (const tracecore::Attribute& attribute : batch.resources().back().attributes) {
      submitted.last_resource_tags.emplace_back(attribute.key, attribute.value.string_value());
    }
    std::lock_guard lock(mutex_);
    submitted_.push_back(std::move(submitted));
  }
  std::vector<Submitted> submitted() {
    std::lock_guard lock(mutex_);
    return submitted_;
  }

 private:
  std::mutex mutex_;
  std::vector<Submitted> submitted_;
};

double MetricValue(const prometheus::Registry& registry, const std::string& line_prefix) {
  const std::string text = runtime::SerializeMetrics(registry);
  const size_t at = text.find(line_prefix);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + line_prefix.size()));
}

struct Fixture {
  prometheus::Registry registry;
  RecordingReporter reporter;
  ClientMetrics client_metrics{registry};
  ProcessTags tags = {{"node", "node-7"}};
};

TEST_CASE("a captured emitBatch datagram reaches the reporter with the agent's tags") {
  Fixture fixture;
  ThriftProcessor processor("jaeger", jaeger_thrift::Protocol::kBinary, "binary", fixture.reporter,
                            fixture.client_metrics, fixture.tags, fixture.registry);
  processor.Handle(testing::ReadWireFixture("jaeger-thrift-binary-udp-emitBatch.bin"));
  const auto submitted = fixture.reporter.submitted();
  REQUIRE(submitted.size() == 1);
  CHECK(submitted[0].spans == 4);
  CHECK(submitted[0].format == SpanFormat::kJaeger);
  CHECK(submitted[0].service_names == std::vector<std::string>{"frontend"});
  REQUIRE_FALSE(submitted[0].last_resource_tags.empty());
  CHECK(submitted[0].last_resource_tags.back() ==
        std::pair<std::string, std::string>("node", "node-7"));
  CHECK(MetricValue(fixture.registry,
                    "jaeger_agent_thrift_udp_t_processor_handler_errors_total{model=\"jaeger\","
                    "protocol=\"binary\"} ") == 0);
}

TEST_CASE("a datagram that does not decode is counted as a handler error and goes nowhere") {
  Fixture fixture;
  ThriftProcessor processor("jaeger", jaeger_thrift::Protocol::kCompact, "compact",
                            fixture.reporter, fixture.client_metrics, fixture.tags,
                            fixture.registry);
  const std::string valid = testing::ReadWireFixture("jaeger-thrift-binary-udp-emitBatch.bin");
  processor.Handle(valid);  // binary bytes on the compact port
  processor.Handle(valid.substr(0, 10));
  processor.Handle("");
  CHECK(fixture.reporter.submitted().empty());
  CHECK(MetricValue(fixture.registry,
                    "jaeger_agent_thrift_udp_t_processor_handler_errors_total{model=\"jaeger\","
                    "protocol=\"compact\"} ") == 3);
}

TEST_CASE("an emitZipkinBatch datagram is forwarded with the zipkin format") {
  Fixture fixture;
  ThriftProcessor processor("zipkin", jaeger_thrift::Protocol::kCompact, "compact",
                            fixture.reporter, fixture.client_metrics, fixture.tags,
                            fixture.registry);
  // Compact: ONEWAY emitZipkinBatch, args field 1 = list of one Span{trace_id 1, name "op",
  // id 2}, written byte by byte from the Thrift compact rules (reference §1.2).
  using namespace std::string_literals;
  const std::string datagram = "\x82\x81\x00\x0f"s + "emitZipkinBatch" +
                               "\x19\x1c\x16\x02\x28\x02"s + "op" + "\x16\x04\x00\x00"s;
  processor.Handle(datagram);
  const auto submitted = fixture.reporter.submitted();
  REQUIRE(submitted.size() == 1);
  CHECK(submitted[0].spans == 1);
  CHECK(submitted[0].format == SpanFormat::kZipkin);
}

}  // namespace
}  // namespace ariadne::agent
