#include "tracecore/codec/jaeger_proto.h"

#include <catch2/catch.hpp>

#include "jaeger/api_v2/collector.pb.h"
#include "jaeger/api_v2/query.pb.h"
#include "test_support.h"
#include "tracecore/codec/otlp_proto.h"

namespace ariadne::tracecore {
namespace {

namespace pb = jaeger::api_v2;
using ariadne::testing::kFixtureT0Nanos;
using ariadne::testing::kMillis;
using ariadne::testing::ReadWireFixture;

std::string Bytes16(uint64_t high, uint64_t low) {
  char bytes[16];
  TraceId{high, low}.ToBytes(bytes);
  return {bytes, 16};
}
std::string Bytes8(uint64_t value) {
  char bytes[8];
  SpanId{value}.ToBytes(bytes);
  return {bytes, 8};
}

const pb::KeyValue* FindTag(const google::protobuf::RepeatedPtrField<pb::KeyValue>& tags,
                            const std::string& key) {
  for (const auto& tag : tags) {
    if (tag.key() == key) return &tag;
  }
  return nullptr;
}

// A Jaeger-native span, as a Jaeger SDK would send it through the agent.
pb::PostSpansRequest JaegerNativeRequest() {
  pb::PostSpansRequest request;
  pb::Batch* batch = request.mutable_batch();
  batch->mutable_process()->set_service_name("checkout");
  auto* host = batch->mutable_process()->add_tags();
  host->set_key("hostname");
  host->set_v_str("box-1");

  pb::Span* span = batch->add_spans();
  span->set_trace_id(Bytes16(0, 0x42));
  span->set_span_id(Bytes8(7));
  span->set_operation_name("charge");
  span->set_flags(3);
  span->mutable_start_time()->set_seconds(1764240000);
  span->mutable_start_time()->set_nanos(1500);
  span->mutable_duration()->set_nanos(2000000);
  auto* parent = span->add_references();
  parent->set_trace_id(Bytes16(0, 0x42));
  parent->set_span_id(Bytes8(5));
  auto* follows = span->add_references();
  follows->set_trace_id(Bytes16(9, 9));
  follows->set_span_id(Bytes8(11));
  follows->set_ref_type(pb::FOLLOWS_FROM);
  auto add_tag = [span](const std::string& key) {
    auto* tag = span->add_tags();
    tag->set_key(key);
    return tag;
  };
  add_tag("span.kind")->set_v_str("server");
  add_tag("error")->set_v_type(pb::BOOL);
  span->mutable_tags(1)->set_v_bool(true);
  auto* count = add_tag("count");
  count->set_v_type(pb::INT64);
  count->set_v_int64(-12);
  auto* ratio = add_tag("ratio");
  ratio->set_v_type(pb::FLOAT64);
  ratio->set_v_float64(0.5);
  auto* blob = add_tag("blob");
  blob->set_v_type(pb::BINARY);
  blob->set_v_binary(std::string("\x00\x01", 2));
  add_tag("otel.scope.name")->set_v_str("lib");
  auto* log = span->add_logs();
  log->mutable_timestamp()->set_seconds(1764240000);
  log->mutable_timestamp()->set_nanos(900000);
  auto* event = log->add_fields();
  event->set_key("event");
  event->set_v_str("retry");
  auto* attempt = log->add_fields();
  attempt->set_key("attempt");
  attempt->set_v_type(pb::INT64);
  attempt->set_v_int64(2);

  // A second span with its own process, which wins over the batch process.
  pb::Span* other = batch->add_spans();
  other->set_trace_id(Bytes16(0, 0x42));
  other->set_span_id(Bytes8(8));
  other->set_operation_name("audit");
  other->mutable_process()->set_service_name("auditor");
  return request;
}

TEST_CASE(
    "Jaeger api_v2 PostSpansRequest from libprotobuf decodes with every Jaeger rule applied") {
  std::string bytes = JaegerNativeRequest().SerializeAsString();
  SpanBatch batch;
  REQUIRE(jaeger_proto::DecodePostSpansRequest(bytes, batch).ok());
  REQUIRE(batch.spans().size() == 2);

  const Span& span = batch.spans()[0];
  CHECK(span.trace_id == TraceId{0, 0x42});
  CHECK(span.span_id.value == 7);
  CHECK(span.name == "charge");
  CHECK(span.flags == 3);
  CHECK(span.start_time_unix_nano == kFixtureT0Nanos + 1500);
  CHECK(span.end_time_unix_nano == kFixtureT0Nanos + 1500 + 2 * kMillis);
  CHECK(span.kind == SpanKind::kServer);
  CHECK(span.status.code == SpanStatusCode::kError);
  CHECK(span.parent_span_id.value == 5);
  REQUIRE(span.links.size() == 1);
  CHECK(span.links[0].trace_id == TraceId{9, 9});
  CHECK(span.links[0].span_id.value == 11);
  CHECK(FindAttribute(span.links[0].attributes, "opentracing.ref_type")->value.string_value() ==
        "follows_from");
  REQUIRE(span.attributes.size() == 3);
  CHECK(FindAttribute(span.attributes, "count")->value.int_value() == -12);
  CHECK(FindAttribute(span.attributes, "ratio")->value.double_value() == 0.5);
  CHECK(FindAttribute(span.attributes, "blob")->value.bytes_value() ==
        std::string_view("\x00\x01", 2));
  CHECK(batch.scope_of(span).name == "lib");
  REQUIRE(span.events.size() == 1);
  CHECK(span.events[0].name == "retry");
  CHECK(span.events[0].time_unix_nano == kFixtureT0Nanos + 900000);
  REQUIRE(span.events[0].attributes.size() == 1);
  CHECK(span.events[0].attributes[0].key == "attempt");

  const Resource& process = batch.resource_of(span);
  CHECK(process.ServiceName() == "checkout");
  CHECK(FindAttribute(process.attributes, "hostname")->value.string_value() == "box-1");
  CHECK(batch.resource_of(batch.spans()[1]).ServiceName() == "auditor");
}

TEST_CASE("Jaeger api_v2 encoding of the OTLP fixture is what libprotobuf reads, and round-trips") {
  std::string fixture = ReadWireFixture("otlp-grpc-export-request.bin");
  SpanBatch batch;
  REQUIRE(otlp::DecodeExportRequest(fixture, batch).ok());

  std::string encoded;
  jaeger_proto::EncodePostSpansRequest(batch, 0, encoded);
  pb::PostSpansRequest parsed;
  REQUIRE(parsed.ParseFromString(encoded));
  CHECK(parsed.batch().process().service_name() == "frontend");
  REQUIRE(parsed.batch().process().tags_size() == 2);
  CHECK(parsed.batch().process().tags(0).key() == "host.name");
  REQUIRE(parsed.batch().spans_size() == 4);
  for (const pb::Span& span : parsed.batch().spans()) {
    CHECK(span.trace_id() == Bytes16(0xa1b2c3d4e5f60718ULL, 1));
    CHECK(span.flags() == 1);  // the W3C sampled bit; OTLP's remote-parent bits are not Jaeger's
    CHECK(FindTag(span.tags(), "otel.scope.name")->v_str() == "capture");
    CHECK(FindTag(span.tags(), "otel.scope.version")->v_str() == "1.0.0");
  }
  const pb::Span& sql = parsed.batch().spans(1);
  CHECK(sql.operation_name() == "SQL SELECT");
  CHECK(sql.start_time().seconds() == 1764240000);
  CHECK(sql.start_time().nanos() == 13000000);
  CHECK(sql.duration().nanos() == 8000000);
  CHECK(FindTag(sql.tags(), "span.kind")->v_str() == "client");
  CHECK(FindTag(sql.tags(), "otel.status_code")->v_str() == "ERROR");
  CHECK(FindTag(sql.tags(), "error")->v_bool());
  CHECK(FindTag(sql.tags(), "otel.status_description")->v_str() == "connection reset");
  REQUIRE(sql.references_size() == 1);
  CHECK(sql.references(0).ref_type() == pb::CHILD_OF);
  CHECK(sql.references(0).span_id() == Bytes8(0xc0ffee0000000001ULL));
  REQUIRE(sql.logs_size() == 1);
  CHECK(sql.logs(0).fields(0).key() == "event");
  CHECK(sql.logs(0).fields(0).v_str() == "exception");
  const pb::Span& publish = parsed.batch().spans(2);
  REQUIRE(publish.references_size() == 2);
  CHECK(publish.references(1).ref_type() == pb::FOLLOWS_FROM);
  CHECK(publish.references(1).trace_id() == Bytes16(0xffeeddccbbaa9988ULL, 0x7766554433221100ULL));
  const pb::Span& root = parsed.batch().spans(3);
  CHECK(FindTag(root.tags(), "http.status_code")->v_type() == pb::INT64);
  CHECK(FindTag(root.tags(), "tags.array")->v_str() == R"(["a","b"])");
  CHECK(FindTag(root.tags(), "ratio.double")->v_float64() == 0.25);
  CHECK(FindTag(root.tags(), "sampled.bool")->v_bool());
  CHECK(encoded == parsed.SerializeAsString());

  SpanBatch again;
  REQUIRE(jaeger_proto::DecodePostSpansRequest(encoded, again).ok());
  REQUIRE(again.spans().size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    const Span& a = batch.spans()[i];
    const Span& b = again.spans()[i];
    CHECK(a.span_id == b.span_id);
    CHECK(a.parent_span_id == b.parent_span_id);
    CHECK(a.kind == b.kind);
    CHECK(a.status.code == b.status.code);
    CHECK(a.status.message == b.status.message);
    CHECK(a.start_time_unix_nano == b.start_time_unix_nano);
    CHECK(a.end_time_unix_nano == b.end_time_unix_nano);
    CHECK(a.events.size() == b.events.size());
    CHECK(a.links.size() == b.links.size());
    CHECK(again.scope_of(b).name == "capture");
  }
}

TEST_CASE("Jaeger api_v2 SpansResponseChunk embeds each span's process") {
  std::string bytes = JaegerNativeRequest().SerializeAsString();
  SpanBatch batch;
  REQUIRE(jaeger_proto::DecodePostSpansRequest(bytes, batch).ok());
  std::vector<const Span*> spans{&batch.spans()[0], &batch.spans()[1]};
  std::string encoded;
  jaeger_proto::EncodeSpansResponseChunk(batch, spans, encoded);
  pb::SpansResponseChunk chunk;
  REQUIRE(chunk.ParseFromString(encoded));
  REQUIRE(chunk.spans_size() == 2);
  CHECK(chunk.spans(0).process().service_name() == "checkout");
  CHECK(chunk.spans(1).process().service_name() == "auditor");
}

TEST_CASE("Jaeger api_v2 rejects malformed input") {
  std::string bytes = JaegerNativeRequest().SerializeAsString();
  for (size_t length = 0; length < bytes.size(); ++length) {
    SpanBatch batch;
    Status status =
        jaeger_proto::DecodePostSpansRequest(std::string_view(bytes).substr(0, length), batch);
    if (!status.ok()) CHECK(status.code() == StatusCode::kInvalidArgument);
  }
  pb::PostSpansRequest bad_id;
  bad_id.mutable_batch()->add_spans()->set_span_id("abc");
  SpanBatch batch;
  Status status = jaeger_proto::DecodePostSpansRequest(bad_id.SerializeAsString(), batch);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message().find("span_id must be 8 bytes") != std::string::npos);
}

}  // namespace
}  // namespace ariadne::tracecore
