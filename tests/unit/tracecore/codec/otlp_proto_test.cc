#include "tracecore/codec/otlp_proto.h"

#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "test_support.h"
#include "tracecore/span_lookup.h"

namespace ariadne::tracecore {
namespace {

using ariadne::testing::Attr;
using ariadne::testing::FindSpan;
using ariadne::testing::kFixtureT0Nanos;
using ariadne::testing::kMillis;
using ariadne::testing::ReadWireFixture;
namespace otlp_pb = opentelemetry::proto::collector::trace::v1;

// Asserts every field of the fixture trace (tests/fixtures/wire/README.md) as OTLP carries it.
void CheckFixtureTrace(const SpanBatch& batch) {
  REQUIRE(batch.spans().size() == 4);
  const TraceId trace_id{0xa1b2c3d4e5f60718ULL, 0x0000000000000001ULL};
  for (const Span& span : batch.spans()) {
    CHECK(span.trace_id == trace_id);
    CHECK(span.flags == 257);
    const Resource& resource = batch.resource_of(span);
    CHECK(resource.ServiceName() == "frontend");
    CHECK(Attr(resource.attributes, "host.name").string_value() == "node-1");
    CHECK(Attr(resource.attributes, "service.version").string_value() == "1.2.3");
    CHECK(batch.scope_of(span).name == "capture");
    CHECK(batch.scope_of(span).version == "1.0.0");
  }

  const Span& root = FindSpan(batch, 0xc0ffee0000000001ULL);
  CHECK(root.parent_span_id.empty());
  CHECK(root.name == "HTTP GET /dispatch");
  CHECK(root.kind == SpanKind::kServer);
  CHECK(root.start_time_unix_nano == kFixtureT0Nanos);
  CHECK(root.end_time_unix_nano == kFixtureT0Nanos + 30 * kMillis);
  CHECK(root.status.code == SpanStatusCode::kUnset);
  REQUIRE(root.attributes.size() == 8);
  CHECK(Attr(root.attributes, "http.method").string_value() == "GET");
  CHECK(Attr(root.attributes, "http.status_code").type() == ValueType::kInt);
  CHECK(Attr(root.attributes, "http.status_code").int_value() == 200);
  CHECK(Attr(root.attributes, "http.url").string_value() ==
        "http://frontend:8080/dispatch?customer=123");
  CHECK(Attr(root.attributes, "sampled.bool").type() == ValueType::kBool);
  CHECK(Attr(root.attributes, "sampled.bool").bool_value());
  CHECK(Attr(root.attributes, "ratio.double").type() == ValueType::kDouble);
  CHECK(Attr(root.attributes, "ratio.double").double_value() == 0.25);
  const AnyValue& array = Attr(root.attributes, "tags.array");
  REQUIRE(array.type() == ValueType::kArray);
  REQUIRE(array.size() == 2);
  CHECK(array.array_begin()[0].string_value() == "a");
  CHECK(array.array_begin()[1].string_value() == "b");
  CHECK(Attr(root.attributes, "unicode.str").string_value() ==
        "\xc5\xbc\xc3\xb3\xc5\x82w \xf0\x9f\x90\xa2");
  CHECK(Attr(root.attributes, "big.int").int_value() == 9007199254740991LL);
  CHECK(root.events.empty());
  CHECK(root.links.empty());

  const Span& redis = FindSpan(batch, 0xc0ffee0000000002ULL);
  CHECK(redis.parent_span_id.value == 0xc0ffee0000000001ULL);
  CHECK(redis.name == "redis GET");
  CHECK(redis.kind == SpanKind::kClient);
  CHECK(redis.start_time_unix_nano == kFixtureT0Nanos + 5 * kMillis);
  CHECK(redis.end_time_unix_nano == kFixtureT0Nanos + 12 * kMillis);
  CHECK(Attr(redis.attributes, "db.system").string_value() == "redis");
  CHECK(Attr(redis.attributes, "peer.service").string_value() == "redis");
  REQUIRE(redis.events.size() == 1);
  CHECK(redis.events[0].name == "cache miss");
  CHECK(redis.events[0].time_unix_nano == kFixtureT0Nanos + 7 * kMillis);
  CHECK(Attr(redis.events[0].attributes, "cache.key").string_value() == "customer:123");
  CHECK(Attr(redis.events[0].attributes, "retry").int_value() == 2);

  const Span& sql = FindSpan(batch, 0xc0ffee0000000003ULL);
  CHECK(sql.name == "SQL SELECT");
  CHECK(sql.kind == SpanKind::kClient);
  CHECK(sql.start_time_unix_nano == kFixtureT0Nanos + 13 * kMillis);
  CHECK(sql.end_time_unix_nano == kFixtureT0Nanos + 21 * kMillis);
  CHECK(sql.status.code == SpanStatusCode::kError);
  CHECK(sql.status.message == "connection reset");
  REQUIRE(sql.events.size() == 1);
  CHECK(sql.events[0].name == "exception");
  CHECK(sql.events[0].time_unix_nano == kFixtureT0Nanos + 20 * kMillis);
  CHECK(Attr(sql.events[0].attributes, "exception.type").string_value() == "IOError");
  CHECK(Attr(sql.events[0].attributes, "exception.message").string_value() == "connection reset");
  CHECK(Attr(sql.events[0].attributes, "exception.stacktrace")
            .string_value()
            .rfind("IOError: connection reset", 0) == 0);

  const Span& publish = FindSpan(batch, 0xc0ffee0000000004ULL);
  CHECK(publish.name == "async publish");
  CHECK(publish.kind == SpanKind::kProducer);
  CHECK(publish.start_time_unix_nano == kFixtureT0Nanos + 22 * kMillis);
  CHECK(publish.end_time_unix_nano == kFixtureT0Nanos + 25 * kMillis);
  REQUIRE(publish.links.size() == 1);
  CHECK(publish.links[0].trace_id == TraceId{0xffeeddccbbaa9988ULL, 0x7766554433221100ULL});
  CHECK(publish.links[0].span_id.value == 0xabcdef0123456789ULL);
  CHECK(Attr(publish.links[0].attributes, "link.kind").string_value() == "batch");
}

TEST_CASE("OTLP protobuf fixtures from the OpenTelemetry JS exporters decode field for field") {
  for (const char* name : {"otlp-grpc-export-request.bin", "otlp-http-export-request.bin"}) {
    INFO(name);
    std::string bytes = ReadWireFixture(name);
    SpanBatch batch;
    Status status = otlp::DecodeExportRequest(batch.Retain(bytes), batch);
    REQUIRE(status.ok());
    CheckFixtureTrace(batch);
  }
}

TEST_CASE("OTLP protobuf encoding round-trips and libprotobuf reads it back identically") {
  std::string fixture = ReadWireFixture("otlp-grpc-export-request.bin");
  SpanBatch batch;
  REQUIRE(otlp::DecodeExportRequest(fixture, batch).ok());

  std::string encoded;
  otlp::EncodeExportRequest(batch, encoded);

  SpanBatch again;
  REQUIRE(otlp::DecodeExportRequest(encoded, again).ok());
  CheckFixtureTrace(again);

  // libprotobuf, the independent reference, sees the same message in our bytes as in the client's.
  otlp_pb::ExportTraceServiceRequest from_client;
  otlp_pb::ExportTraceServiceRequest from_us;
  REQUIRE(from_client.ParseFromString(fixture));
  REQUIRE(from_us.ParseFromString(encoded));
  // Equivalent, not Equals: the client writes empty `status {}` messages that proto3 treats as
  // unset.
  CHECK(google::protobuf::util::MessageDifferencer::Equivalent(from_us, from_client));
  // Field order and varint widths are canonical: the bytes are libprotobuf's own serialization.
  CHECK(encoded == from_us.SerializeAsString());
}

TEST_CASE("OTLP protobuf keeps nested maps, bytes and dropped counts") {
  otlp_pb::ExportTraceServiceRequest request;
  auto* resource_spans = request.add_resource_spans();
  resource_spans->set_schema_url("https://schema/1");
  auto* scope_spans = resource_spans->add_scope_spans();
  auto* span = scope_spans->add_spans();
  span->set_trace_id(
      std::string("\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02", 16));
  span->set_span_id(std::string("\x00\x00\x00\x00\x00\x00\x00\x03", 8));
  span->set_trace_state("k=v");
  span->set_dropped_attributes_count(7);
  span->set_dropped_events_count(8);
  span->set_dropped_links_count(9);
  auto* kv = span->add_attributes();
  kv->set_key("map");
  auto* inner = kv->mutable_value()->mutable_kvlist_value()->add_values();
  inner->set_key("bytes");
  inner->mutable_value()->set_bytes_value(std::string("\x00\xff", 2));

  std::string bytes = request.SerializeAsString();
  SpanBatch batch;
  REQUIRE(otlp::DecodeExportRequest(bytes, batch).ok());
  REQUIRE(batch.spans().size() == 1);
  const Span& decoded = batch.spans()[0];
  CHECK(decoded.trace_id == TraceId{1, 2});
  CHECK(decoded.span_id.value == 3);
  CHECK(decoded.trace_state == "k=v");
  CHECK(decoded.dropped_attributes_count == 7);
  CHECK(decoded.dropped_events_count == 8);
  CHECK(decoded.dropped_links_count == 9);
  CHECK(batch.resources()[0].schema_url == "https://schema/1");
  const AnyValue& map = decoded.attributes[0].value;
  REQUIRE(map.type() == ValueType::kMap);
  REQUIRE(map.size() == 1);
  CHECK(map.map_begin()[0].key == "bytes");
  CHECK(map.map_begin()[0].value.bytes_value() == std::string_view("\x00\xff", 2));

  std::string encoded;
  otlp::EncodeExportRequest(batch, encoded);
  CHECK(encoded == bytes);
}

TEST_CASE("OTLP protobuf decodes attributes of every shape, common and rare, alike") {
  otlp_pb::ExportTraceServiceRequest request;
  auto* span = request.add_resource_spans()->add_scope_spans()->add_spans();
  auto add = [span](const std::string& key) {
    auto* kv = span->add_attributes();
    kv->set_key(key);
    return kv->mutable_value();
  };
  add("s")->set_string_value("text");
  add("b")->set_bool_value(true);
  add("i")->set_int_value(-5);
  add("d")->set_double_value(-0.5);
  add("x")->set_bytes_value(std::string("\x00\x01", 2));
  add("empty");                                 // a value message with no field
  span->add_attributes()->set_key("no-value");  // no value message at all
  // A value with a field unknown to this build after its string: the slow path must skip it.
  std::string bytes = request.SerializeAsString();
  auto* unknown = add("u");
  unknown->set_string_value("known");
  unknown->GetReflection()->MutableUnknownFields(unknown)->AddVarint(99, 1);
  bytes = request.SerializeAsString();

  SpanBatch batch;
  REQUIRE(otlp::DecodeExportRequest(bytes, batch).ok());
  const Attributes& attributes = batch.spans()[0].attributes;
  REQUIRE(attributes.size() == 8);
  CHECK(attributes[0].value.string_value() == "text");
  CHECK(attributes[1].value.bool_value());
  CHECK(attributes[2].value.int_value() == -5);
  CHECK(attributes[3].value.double_value() == -0.5);
  CHECK(attributes[4].value.type() == ValueType::kBytes);
  CHECK(attributes[4].value.bytes_value() == std::string_view("\x00\x01", 2));
  CHECK(attributes[5].key == "empty");
  CHECK(attributes[5].value.empty());
  CHECK(attributes[6].key == "no-value");
  CHECK(attributes[6].value.empty());
  CHECK(attributes[7].key == "u");
  CHECK(attributes[7].value.string_value() == "known");
}

TEST_CASE("OTLP protobuf rejects malformed input with a message that says why") {
  std::string fixture = ReadWireFixture("otlp-http-export-request.bin");

  SECTION("every truncation fails cleanly or decodes a prefix") {
    for (size_t length = 0; length < fixture.size(); ++length) {
      SpanBatch batch;
      Status status = otlp::DecodeExportRequest(std::string_view(fixture).substr(0, length), batch);
      if (!status.ok()) CHECK(status.code() == StatusCode::kInvalidArgument);
    }
  }
  SECTION("a length prefix that runs past the end") {
    std::string bytes = "\x0a\xff\xff\x03";
    SpanBatch batch;
    Status status = otlp::DecodeExportRequest(bytes, batch);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message().find("length prefix runs past the end") != std::string::npos);
  }
  SECTION("a field with the wrong wire type") {
    std::string bytes = "\x08\x01";  // resource_spans as a varint
    SpanBatch batch;
    Status status = otlp::DecodeExportRequest(bytes, batch);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message().find("wrong wire type") != std::string::npos);
  }
  SECTION("a trace id of the wrong length") {
    otlp_pb::ExportTraceServiceRequest request;
    request.add_resource_spans()->add_scope_spans()->add_spans()->set_trace_id("short");
    SpanBatch batch;
    Status status = otlp::DecodeExportRequest(request.SerializeAsString(), batch);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message().find("trace_id must be 16 bytes") != std::string::npos);
  }
  SECTION("invalid UTF-8 in a string field") {
    otlp_pb::ExportTraceServiceRequest request;
    auto* span = request.add_resource_spans()->add_scope_spans()->add_spans();
    span->mutable_name()->assign("ok \xc3\x28 bad");
    // libprotobuf logs (but still writes) invalid UTF-8; our decoder must refuse it.
    google::protobuf::LogSilencer silence;
    std::string bytes = request.SerializeAsString();
    SpanBatch batch;
    Status status = otlp::DecodeExportRequest(bytes, batch);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message().find("UTF-8") != std::string::npos);
  }
  SECTION("nesting deeper than the limit") {
    // AnyValue{array_value{values{...}}} nested 60 deep inside one attribute.
    otlp_pb::ExportTraceServiceRequest request;
    auto* kv = request.add_resource_spans()->add_scope_spans()->add_spans()->add_attributes();
    kv->set_key("deep");
    auto* any = kv->mutable_value();
    for (int i = 0; i < 60; ++i) any = any->mutable_array_value()->add_values();
    any->set_string_value("bottom");
    SpanBatch batch;
    Status status = otlp::DecodeExportRequest(request.SerializeAsString(), batch);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message().find("nested too deeply") != std::string::npos);
  }
}

}  // namespace
}  // namespace ariadne::tracecore
