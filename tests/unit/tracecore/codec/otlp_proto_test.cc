#include "tracecore/codec/otlp_proto.h"

#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp_fixture_check.h"
#include "test_support.h"
#include "tracecore/span_lookup.h"

namespace ariadne::tracecore {
namespace {

using ariadne::testing::Attr;
using ariadne::testing::CheckOtlpFixtureTrace;
using ariadne::testing::FindSpan;
using ariadne::testing::kFixtureT0Nanos;
using ariadne::testing::kMillis;
using ariadne::testing::ReadWireFixture;
namespace otlp_pb = opentelemetry::proto::collector::trace::v1;

TEST_CASE("OTLP protobuf fixtures from the OpenTelemetry JS exporters decode field for field") {
  for (const char* name : {"otlp-grpc-export-request.bin", "otlp-http-export-request.bin"}) {
    INFO(name);
    std::string bytes = ReadWireFixture(name);
    SpanBatch batch;
    Status status = otlp::DecodeExportRequest(batch.Retain(bytes), batch);
    REQUIRE(status.ok());
    CheckOtlpFixtureTrace(batch);
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
  CheckOtlpFixtureTrace(again);

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
