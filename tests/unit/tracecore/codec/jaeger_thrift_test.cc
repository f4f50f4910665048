// Jaeger Thrift codec: the captured fixtures, round trips through both protocols, cross-checks
// against libthrift's generated jaeger.thrift / agent.thrift classes, and malformed input.
#include "tracecore/codec/jaeger_thrift.h"

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "Agent.h"
#include "jaeger_types.h"
#include "test_support.h"
#include "tracecore/wire/thrift_writer.h"
#include "zipkincore_types.h"

namespace {

using ariadne::testing::kFixtureT0Nanos;
using ariadne::testing::kMillis;
using ariadne::testing::ReadWireFixture;
using namespace ariadne::tracecore;  // NOLINT: test brevity
using jaeger_thrift::AgentMessageInfo;
using jaeger_thrift::AgentMethod;
using jaeger_thrift::BatchInfo;
using jaeger_thrift::ClientStats;
using jaeger_thrift::Protocol;
using wire::ThriftMessageType;
using wire::ThriftType;
namespace jt = jaegertracing::thrift;
namespace lt = apache::thrift;

constexpr TraceId kTraceId{0xa1b2c3d4e5f60718ULL, 0x0000000000000001ULL};
constexpr uint64_t kRootId = 0xc0ffee0000000001ULL;
constexpr TraceId kLinkTraceId{0xffeeddccbbaa9988ULL, 0x7766554433221100ULL};
constexpr uint64_t kLinkSpanId = 0xabcdef0123456789ULL;

// ------------------------------------------------------------------------------------------------
// Readable descriptions, so that failures print what differs.

std::string Describe(const AnyValue& value) {
  char number[64];
  switch (value.type()) {
    case ValueType::kEmpty: return "empty";
    case ValueType::kString: return "string:" + std::string(value.string_value());
    case ValueType::kBool: return value.bool_value() ? "bool:true" : "bool:false";
    case ValueType::kInt: return "int:" + std::to_string(value.int_value());
    case ValueType::kDouble:
      std::snprintf(number, sizeof(number), "double:%.17g", value.double_value());
      return number;
    case ValueType::kBytes: return "bytes:" + std::string(value.bytes_value());
    case ValueType::kArray: return "array";
    case ValueType::kMap: return "map";
  }
  return "?";
}

std::string Describe(const Attribute& attribute) {
  return std::string(attribute.key) + "=" + Describe(attribute.value);
}

std::vector<std::string> Describe(const Attributes& attributes) {
  std::vector<std::string> out;
  for (const Attribute& a : attributes) out.push_back(Describe(a));
  return out;
}

std::vector<std::string> Describe(const Span& span, const SpanBatch& batch) {
  std::vector<std::string> out;
  out.push_back("trace=" + span.trace_id.ToHex() + " span=" + span.span_id.ToHex() +
                " parent=" + span.parent_span_id.ToHex());
  out.push_back("name=" + std::string(span.name) + " kind=" +
                std::string(SpanKindUpperName(span.kind)) + " flags=" + std::to_string(span.flags));
  out.push_back("start=" + std::to_string(span.start_time_unix_nano) +
                " end=" + std::to_string(span.end_time_unix_nano));
  out.push_back("status=" + std::to_string(static_cast<int>(span.status.code)) + ":" +
                std::string(span.status.message) + " tracestate=" + std::string(span.trace_state));
  for (const std::string& a : Describe(span.attributes)) out.push_back("attr " + a);
  for (const Event& e : span.events) {
    out.push_back("event " + std::string(e.name) + "@" + std::to_string(e.time_unix_nano));
    for (const std::string& a : Describe(e.attributes)) out.push_back("  " + a);
  }
  for (const Link& l : span.links) {
    out.push_back("link " + l.trace_id.ToHex() + "/" + l.span_id.ToHex());
    for (const std::string& a : Describe(l.attributes)) out.push_back("  " + a);
  }
  const Scope& scope = batch.scope_of(span);
  out.push_back("scope=" + std::string(scope.name) + "@" + std::string(scope.version));
  for (const std::string& a : Describe(batch.resource_of(span).attributes))
    out.push_back("resource " + a);
  return out;
}

// Same spans, in the same order, with the same resources and scopes (by content, not index).
void CheckSameModel(const SpanBatch& expected, const SpanBatch& actual) {
  REQUIRE(actual.spans().size() == expected.spans().size());
  for (size_t i = 0; i < expected.spans().size(); ++i) {
    INFO("span " << i);
    CHECK(Describe(actual.spans()[i], actual) == Describe(expected.spans()[i], expected));
  }
}

std::vector<std::string> Strings(std::initializer_list<const char*> items) {
  return {items.begin(), items.end()};
}

// ------------------------------------------------------------------------------------------------
// The fixture trace as it arrives via Jaeger Thrift from @opentelemetry/exporter-jaeger: numbers as
// DOUBLE, the string array as "a,b", resource attributes as span tags, otel.library.*, status as
// otel.status_code/description + error=true, logs with `event`, the link as a FOLLOWS_FROM
// reference without its attributes.

void CheckFixtureSpanCommon(const SpanBatch& batch, const Span& span) {
  CHECK(span.trace_id == kTraceId);
  CHECK(span.flags == 1);
  const Resource& resource = batch.resource_of(span);
  CHECK(Describe(resource.attributes) == Strings({"service.name=string:frontend"}));
  CHECK(resource.ServiceName() == "frontend");
  const Scope& scope = batch.scope_of(span);
  CHECK(scope.name == "capture");
  CHECK(scope.version == "1.0.0");
}

void CheckFixtureBatch(const SpanBatch& batch) {
  REQUIRE(batch.spans().size() == 4);
  CHECK(batch.resources().size() == 1);
  CHECK(batch.scopes().size() == 1);
  const auto& spans = batch.spans();
  // Wire order: the exporter sends children first.
  const Span& redis = spans[0];
  const Span& sql = spans[1];
  const Span& publish = spans[2];
  const Span& root = spans[3];
  for (const Span& span : spans) CheckFixtureSpanCommon(batch, span);

  CHECK(root.span_id.value == kRootId);
  CHECK(root.parent_span_id.empty());
  CHECK(root.name == "HTTP GET /dispatch");
  CHECK(root.kind == SpanKind::kServer);
  CHECK(root.start_time_unix_nano == kFixtureT0Nanos);
  CHECK(root.end_time_unix_nano == kFixtureT0Nanos + 30 * kMillis);
  CHECK(root.status.code == SpanStatusCode::kUnset);
  CHECK(Describe(root.attributes) ==
        Strings({"http.method=string:GET", "http.status_code=double:200",
                 "http.url=string:http://frontend:8080/dispatch?customer=123",
                 "sampled.bool=bool:true", "ratio.double=double:0.25", "tags.array=string:a,b",
                 "unicode.str=string:żółw 🐢", "big.int=double:9007199254740991",
                 "service.name=string:frontend", "host.name=string:node-1",
                 "service.version=string:1.2.3"}));
  CHECK(root.events.empty());
  CHECK(root.links.empty());

  CHECK(redis.span_id.value == 0xc0ffee0000000002ULL);
  CHECK(redis.parent_span_id.value == kRootId);
  CHECK(redis.name == "redis GET");
  CHECK(redis.kind == SpanKind::kClient);
  CHECK(redis.start_time_unix_nano == kFixtureT0Nanos + 5 * kMillis);
  CHECK(redis.end_time_unix_nano == kFixtureT0Nanos + 12 * kMillis);
  CHECK(Describe(redis.attributes) ==
        Strings({"db.system=string:redis", "peer.service=string:redis",
                 "service.name=string:frontend", "host.name=string:node-1",
                 "service.version=string:1.2.3"}));
  REQUIRE(redis.events.size() == 1);
  CHECK(redis.events[0].name == "cache miss");
  CHECK(redis.events[0].time_unix_nano == kFixtureT0Nanos + 7 * kMillis);
  CHECK(Describe(redis.events[0].attributes) ==
        Strings({"cache.key=string:customer:123", "retry=double:2"}));
  CHECK(redis.links.empty());
  CHECK(redis.status.code == SpanStatusCode::kUnset);

  CHECK(sql.span_id.value == 0xc0ffee0000000003ULL);
  CHECK(sql.parent_span_id.value == kRootId);
  CHECK(sql.name == "SQL SELECT");
  CHECK(sql.kind == SpanKind::kClient);
  CHECK(sql.start_time_unix_nano == kFixtureT0Nanos + 13 * kMillis);
  CHECK(sql.end_time_unix_nano == kFixtureT0Nanos + 21 * kMillis);
  CHECK(sql.status.code == SpanStatusCode::kError);
  CHECK(sql.status.message == "connection reset");
  CHECK(Describe(sql.attributes) ==
        Strings({"service.name=string:frontend", "host.name=string:node-1",
                 "service.version=string:1.2.3"}));
  REQUIRE(sql.events.size() == 1);
  const Event& exception = sql.events[0];
  CHECK(exception.name == "exception");
  CHECK(exception.time_unix_nano == kFixtureT0Nanos + 20 * kMillis);
  REQUIRE(exception.attributes.size() == 3);
  CHECK(Describe(exception.attributes[0]) == "exception.type=string:IOError");
  CHECK(Describe(exception.attributes[1]) == "exception.message=string:connection reset");
  CHECK(exception.attributes[2].key == "exception.stacktrace");
  CHECK(exception.attributes[2].value.string_value().rfind("IOError: connection reset\n    at ",
                                                           0) == 0);
  CHECK(sql.links.empty());

  CHECK(publish.span_id.value == 0xc0ffee0000000004ULL);
  CHECK(publish.parent_span_id.value == kRootId);
  CHECK(publish.name == "async publish");
  CHECK(publish.kind == SpanKind::kProducer);
  CHECK(publish.start_time_unix_nano == kFixtureT0Nanos + 22 * kMillis);
  CHECK(publish.end_time_unix_nano == kFixtureT0Nanos + 25 * kMillis);
  CHECK(publish.events.empty());
  REQUIRE(publish.links.size() == 1);
  CHECK(publish.links[0].trace_id == kLinkTraceId);
  CHECK(publish.links[0].span_id.value == kLinkSpanId);
  // link.kind="batch" cannot travel in a Jaeger reference; the reference type becomes an attribute.
  CHECK(Describe(publish.links[0].attributes) ==
        Strings({"opentracing.ref_type=string:follows_from"}));
}

// ------------------------------------------------------------------------------------------------
// libthrift helpers.

std::unique_ptr<lt::protocol::TProtocol> MakeProtocol(
    Protocol protocol, std::shared_ptr<lt::transport::TMemoryBuffer> buffer) {
  if (protocol == Protocol::kCompact)
    return std::make_unique<lt::protocol::TCompactProtocol>(buffer);
  return std::make_unique<lt::protocol::TBinaryProtocol>(buffer);
}

template <typename T>
std::string Serialize(const T& value, Protocol protocol) {
  auto buffer = std::make_shared<lt::transport::TMemoryBuffer>();
  value.write(MakeProtocol(protocol, buffer).get());
  return buffer->getBufferAsString();
}

// Parses a bare struct with the generated code; requires that every byte was consumed.
template <typename T>
T Parse(std::string bytes, Protocol protocol) {
  auto buffer = std::make_shared<lt::transport::TMemoryBuffer>(
      reinterpret_cast<uint8_t*>(bytes.data()), static_cast<uint32_t>(bytes.size()),
      lt::transport::TMemoryBuffer::COPY);
  T value;
  value.read(MakeProtocol(protocol, buffer).get());
  CHECK(buffer->available_read() == 0);
  return value;
}

jt::Batch FixtureAsGenerated() {
  return Parse<jt::Batch>(ReadWireFixture("jaeger-thrift-binary-http-batch.bin"),
                          Protocol::kBinary);
}

std::string EmitBatchMessage(const jt::Batch& batch, Protocol protocol,
                             lt::protocol::TMessageType type, int32_t seq_id,
                             const std::string& method = "emitBatch") {
  auto buffer = std::make_shared<lt::transport::TMemoryBuffer>();
  auto proto = MakeProtocol(protocol, buffer);
  proto->writeMessageBegin(method, type, seq_id);
  jaegertracing::agent::thrift::Agent_emitBatch_args args;
  args.batch = batch;
  args.write(proto.get());
  proto->writeMessageEnd();
  return buffer->getBufferAsString();
}

// A model with every Jaeger-representable feature, in two resources.
SpanBatch RichModel() {
  SpanBatch batch;
  uint32_t r0 = batch.AddResource();
  batch.resources()[r0].attributes.push_back({"service.name", AnyValue::String("checkout")});
  batch.resources()[r0].attributes.push_back({"client-uuid", AnyValue::String("4f2a")});
  batch.resources()[r0].attributes.push_back({"ip", AnyValue::Int(167772161)});
  uint32_t r1 = batch.AddResource();
  batch.resources()[r1].attributes.push_back({"service.name", AnyValue::String("payments")});
  uint32_t s0 = batch.AddScope();
  batch.scopes()[s0].name = "io.opentelemetry.grpc";
  batch.scopes()[s0].version = "2.1";
  uint32_t s1 = batch.AddScope();  // no scope name: no otel.scope.* tags

  Span& a = batch.AddSpan(r0, s0);
  a.trace_id = {0, 0x1234};  // 64-bit trace id
  a.span_id = {0x1};
  a.name = "POST /pay";
  a.kind = SpanKind::kServer;
  a.flags = 1 | 2;  // sampled + debug
  a.start_time_unix_nano = 1700000000123456000ULL;
  a.end_time_unix_nano = 1700000000123999000ULL;
  a.attributes.push_back({"http.status_code", AnyValue::Int(-200)});
  a.attributes.push_back({"ratio", AnyValue::Double(-0.5)});
  a.attributes.push_back({"ok", AnyValue::Bool(false)});
  a.attributes.push_back({"blob", AnyValue::Bytes(std::string_view("\0\1\2\xff", 4))});
  a.attributes.push_back({"empty", AnyValue::String("")});
  a.status = {SpanStatusCode::kOk, ""};
  a.trace_state = "vendor=x";
  Event& e = a.events.emplace_back(batch.arena());
  e.name = "retry";
  e.time_unix_nano = 1700000000123500000ULL;
  e.attributes.push_back({"attempt", AnyValue::Int(3)});
  Event& unnamed = a.events.emplace_back(batch.arena());  // a log without `event`
  unnamed.time_unix_nano = 1700000000123600000ULL;
  unnamed.attributes.push_back({"message", AnyValue::String("hello")});
  Event& empty_event = a.events.emplace_back(batch.arena());  // a log with no fields at all
  empty_event.time_unix_nano = 1700000000123700000ULL;

  Span& b = batch.AddSpan(r1, s1);
  b.trace_id = {0xfedcba9876543210ULL, 0x0123456789abcdefULL};
  b.span_id = {0xffffffffffffffffULL};  // negative as a Thrift i64
  b.parent_span_id = {0x8000000000000000ULL};
  b.name = "";
  b.kind = SpanKind::kConsumer;
  b.start_time_unix_nano = 1000;
  b.end_time_unix_nano = 1000;
  b.status = {SpanStatusCode::kError, "boom"};
  Link& child_of = b.links.emplace_back(batch.arena());
  child_of.trace_id = {0, 7};
  child_of.span_id = {8};
  child_of.attributes.push_back({"opentracing.ref_type", AnyValue::String("child_of")});
  Link& follows = b.links.emplace_back(batch.arena());
  follows.trace_id = {9, 10};
  follows.span_id = {11};
  follows.attributes.push_back({"opentracing.ref_type", AnyValue::String("follows_from")});

  Span& c = batch.AddSpan(r0, s0);  // back to the first resource
  c.trace_id = {0, 0x1234};
  c.span_id = {0x2};
  c.parent_span_id = {0x1};
  c.name = "SELECT";
  c.kind = SpanKind::kClient;
  c.flags = 1;
  c.start_time_unix_nano = 1700000000123460000ULL;
  c.end_time_unix_nano = 1700000000123470000ULL;
  return batch;
}

SpanBatch DecodeAll(const std::vector<std::string>& encoded, Protocol protocol) {
  SpanBatch out;
  for (const std::string& bytes : encoded) {
    Status status = jaeger_thrift::DecodeBatch(out.Retain(bytes), protocol, out);
    REQUIRE(status.ok());
  }
  return out;
}

// Keeps RichModel's spans grouped by resource, as EncodeBatches emits them.
SpanBatch RichModelGrouped() {
  SpanBatch rich = RichModel();
  std::vector<std::string> encoded = jaeger_thrift::EncodeBatches(rich, Protocol::kBinary);
  SpanBatch grouped = DecodeAll(encoded, Protocol::kBinary);
  return grouped;
}

Status DecodeBinary(const std::string& bytes, SpanBatch& batch) {
  return jaeger_thrift::DecodeBatch(bytes, Protocol::kBinary, batch);
}

bool Contains(const Status& status, std::string_view text) {
  return status.message().find(text) != std::string::npos;
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Fixtures

TEST_CASE("jaeger thrift: HTTP batch fixture decodes every field", "[jaeger_thrift]") {
  std::string bytes = ReadWireFixture("jaeger-thrift-binary-http-batch.bin");
  SpanBatch batch;
  BatchInfo info;
  Status status = jaeger_thrift::DecodeBatch(bytes, Protocol::kBinary, batch, &info);
  REQUIRE(status.message() == "");
  REQUIRE(status.ok());
  CheckFixtureBatch(batch);
  CHECK_FALSE(info.seq_no.has_value());
  CHECK_FALSE(info.stats.has_value());
}

TEST_CASE("jaeger thrift: UDP emitBatch fixture decodes every field", "[jaeger_thrift]") {
  std::string bytes = ReadWireFixture("jaeger-thrift-binary-udp-emitBatch.bin");
  SpanBatch batch;
  AgentMessageInfo info;
  Status status = jaeger_thrift::DecodeAgentMessage(bytes, Protocol::kBinary, batch, &info);
  REQUIRE(status.message() == "");
  CHECK(info.method == AgentMethod::kEmitBatch);
  CHECK(info.message_type == ThriftMessageType::kOneway);
  CHECK(info.seq_id == 0);
  CHECK(info.span_count == 4);
  CHECK_FALSE(info.batch.seq_no.has_value());
  CHECK_FALSE(info.batch.stats.has_value());
  CheckFixtureBatch(batch);
}

TEST_CASE("jaeger thrift: the UDP fixture is not a bare Batch and the HTTP one not a message",
          "[jaeger_thrift]") {
  SpanBatch batch;
  CHECK_FALSE(DecodeBinary(ReadWireFixture("jaeger-thrift-binary-udp-emitBatch.bin"), batch).ok());
  Status status = jaeger_thrift::DecodeAgentMessage(
      ReadWireFixture("jaeger-thrift-binary-http-batch.bin"), Protocol::kBinary, batch, nullptr);
  CHECK_FALSE(status.ok());
  CHECK(Contains(status, "jaeger agent thrift: "));
  CHECK(batch.spans().empty());
  CHECK(batch.resources().empty());
}

TEST_CASE("jaeger thrift: generated Batch in either protocol decodes like the fixture",
          "[jaeger_thrift]") {
  jt::Batch generated = FixtureAsGenerated();
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    std::string bytes = Serialize(generated, protocol);
    SpanBatch batch;
    REQUIRE(jaeger_thrift::DecodeBatch(bytes, protocol, batch).message() == "");
    CheckFixtureBatch(batch);
  }
}

// ------------------------------------------------------------------------------------------------
// Round trips

TEST_CASE("jaeger thrift: fixture round trip through both protocols keeps the model",
          "[jaeger_thrift]") {
  std::string bytes = ReadWireFixture("jaeger-thrift-binary-http-batch.bin");
  SpanBatch original;
  REQUIRE(DecodeBinary(bytes, original).ok());
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    std::string encoded;
    jaeger_thrift::EncodeBatch(original, 0, protocol, encoded);
    SpanBatch decoded;
    REQUIRE(jaeger_thrift::DecodeBatch(encoded, protocol, decoded).message() == "");
    CheckFixtureBatch(decoded);
    CheckSameModel(original, decoded);
  }
}

TEST_CASE("jaeger thrift: rich model round trip through both protocols", "[jaeger_thrift]") {
  SpanBatch expected = RichModelGrouped();  // spans in the order EncodeBatches writes them
  SpanBatch rich = RichModel();
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    std::vector<std::string> encoded = jaeger_thrift::EncodeBatches(rich, protocol);
    REQUIRE(encoded.size() == 2);  // one Batch per resource
    SpanBatch decoded = DecodeAll(encoded, protocol);
    CHECK(decoded.resources().size() == 2);
    CheckSameModel(expected, decoded);
  }
  // And the grouped model equals the original span by span (order: resource 0's spans, then 1's).
  const Span* order[] = {&rich.spans()[0], &rich.spans()[2], &rich.spans()[1]};
  for (size_t i = 0; i < 3; ++i) {
    INFO("span " << i);
    CHECK(Describe(expected.spans()[i], expected) == Describe(*order[i], rich));
  }
}

TEST_CASE("jaeger thrift: arrays and maps travel as JSON strings", "[jaeger_thrift]") {
  SpanBatch batch;
  uint32_t r = batch.AddResource();
  batch.resources()[r].attributes.push_back({"service.name", AnyValue::String("svc")});
  batch.AddScope();
  Span& span = batch.AddSpan(r, 0);
  span.trace_id = {0, 1};
  span.span_id = {2};
  AnyValue* items = batch.AllocateArray<AnyValue>(2);
  items[0] = AnyValue::String("a");
  items[1] = AnyValue::Int(2);
  span.attributes.push_back({"list", AnyValue::Array(items, 2)});
  Attribute* entries = batch.AllocateArray<Attribute>(1);
  entries[0] = {"k", AnyValue::Bool(true)};
  span.attributes.push_back({"map", AnyValue::Map(entries, 1)});
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    std::string encoded;
    jaeger_thrift::EncodeBatch(batch, r, protocol, encoded);
    SpanBatch decoded;
    REQUIRE(jaeger_thrift::DecodeBatch(encoded, protocol, decoded).ok());
    REQUIRE(decoded.spans().size() == 1);
    CHECK(Describe(decoded.spans()[0].attributes) ==
          Strings({"list=string:[\"a\",2]", "map=string:{\"k\":true}"}));
  }
}

// ------------------------------------------------------------------------------------------------
// Cross-checks against libthrift's generated code

TEST_CASE("jaeger thrift: our encoding parses with the generated Batch", "[jaeger_thrift]") {
  SpanBatch rich = RichModel();
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    INFO((protocol == Protocol::kBinary ? "binary" : "compact"));
    std::string encoded;
    BatchInfo info;
    info.seq_no = 42;
    info.stats = ClientStats{1, 2, 3};
    jaeger_thrift::EncodeBatch(rich, 0, protocol, encoded, &info);
    jt::Batch batch = Parse<jt::Batch>(encoded, protocol);

    CHECK(batch.process.serviceName == "checkout");
    REQUIRE(batch.process.tags.size() == 2);
    CHECK(batch.process.tags[0].key == "client-uuid");
    CHECK(batch.process.tags[0].vType == jt::TagType::STRING);
    CHECK(batch.process.tags[0].vStr == "4f2a");
    CHECK(batch.process.tags[1].key == "ip");
    CHECK(batch.process.tags[1].vType == jt::TagType::LONG);
    CHECK(batch.process.tags[1].vLong == 167772161);
    CHECK(batch.__isset.seqNo);
    CHECK(batch.seqNo == 42);
    CHECK(batch.__isset.stats);
    CHECK(batch.stats.fullQueueDroppedSpans == 1);
    CHECK(batch.stats.tooLargeDroppedSpans == 2);
    CHECK(batch.stats.failedToEmitSpans == 3);

    REQUIRE(batch.spans.size() == 2);
    const jt::Span& a = batch.spans[0];
    CHECK(a.traceIdLow == 0x1234);
    CHECK(a.traceIdHigh == 0);
    CHECK(a.spanId == 1);
    CHECK(a.parentSpanId == 0);
    CHECK(a.operationName == "POST /pay");
    CHECK_FALSE(a.__isset.references);
    CHECK(a.flags == 3);
    CHECK(a.startTime == 1700000000123456);
    CHECK(a.duration == 543);
    std::vector<std::string> tags;
    for (const jt::Tag& tag : a.tags) {
      std::string text = tag.key + ":" + std::to_string(tag.vType) + ":";
      // Only the field that vType names is set.
      int set = tag.__isset.vStr + tag.__isset.vDouble + tag.__isset.vBool + tag.__isset.vLong +
                tag.__isset.vBinary;
      CHECK(set == 1);
      switch (tag.vType) {
        case jt::TagType::STRING: text += tag.vStr; break;
        case jt::TagType::DOUBLE: text += std::to_string(tag.vDouble); break;
        case jt::TagType::BOOL: text += tag.vBool ? "true" : "false"; break;
        case jt::TagType::LONG: text += std::to_string(tag.vLong); break;
        case jt::TagType::BINARY: text += std::to_string(tag.vBinary.size()) + " bytes"; break;
      }
      tags.push_back(text);
    }
    // In the order of the OpenTelemetry Collector's translator: scope, attributes, kind, status.
    CHECK(tags == Strings({"otel.scope.name:0:io.opentelemetry.grpc", "otel.scope.version:0:2.1",
                           "http.status_code:3:-200", "ratio:1:-0.500000", "ok:2:false",
                           "blob:4:4 bytes", "empty:0:", "span.kind:0:server",
                           "otel.status_code:0:OK", "w3c.tracestate:0:vendor=x"}));
    CHECK(a.tags[5].vBinary == std::string("\0\1\2\xff", 4));
    REQUIRE(a.logs.size() == 3);
    CHECK(a.logs[0].timestamp == 1700000000123500);
    REQUIRE(a.logs[0].fields.size() == 2);
    CHECK(a.logs[0].fields[0].key == "event");
    CHECK(a.logs[0].fields[0].vStr == "retry");
    CHECK(a.logs[0].fields[1].key == "attempt");
    CHECK(a.logs[0].fields[1].vLong == 3);
    REQUIRE(a.logs[1].fields.size() == 1);
    CHECK(a.logs[1].fields[0].key == "message");
    CHECK(a.logs[2].fields.empty());

    const jt::Span& c = batch.spans[1];
    CHECK(c.spanId == 2);
    CHECK(c.parentSpanId == 1);
    // The parent is both parentSpanId and the first (CHILD_OF) reference.
    REQUIRE(c.references.size() == 1);
    CHECK(c.references[0].refType == jt::SpanRefType::CHILD_OF);
    CHECK(c.references[0].traceIdLow == 0x1234);
    CHECK(c.references[0].traceIdHigh == 0);
    CHECK(c.references[0].spanId == 1);
    CHECK_FALSE(c.__isset.logs);

    std::string second;
    jaeger_thrift::EncodeBatch(rich, 1, protocol, second);
    jt::Batch payments = Parse<jt::Batch>(second, protocol);
    CHECK(payments.process.serviceName == "payments");
    CHECK_FALSE(payments.process.__isset.tags);
    CHECK_FALSE(payments.__isset.seqNo);
    REQUIRE(payments.spans.size() == 1);
    const jt::Span& b = payments.spans[0];
    CHECK(b.traceIdHigh == static_cast<int64_t>(0xfedcba9876543210ULL));
    CHECK(b.traceIdLow == 0x0123456789abcdefLL);
    CHECK(b.spanId == -1);
    CHECK(b.parentSpanId == std::numeric_limits<int64_t>::min());
    CHECK(b.operationName.empty());
    CHECK(b.duration == 0);
    REQUIRE(b.references.size() == 3);
    CHECK(b.references[0].refType == jt::SpanRefType::CHILD_OF);
    CHECK(b.references[0].spanId == std::numeric_limits<int64_t>::min());
    CHECK(b.references[1].refType == jt::SpanRefType::CHILD_OF);
    CHECK(b.references[1].traceIdLow == 7);
    CHECK(b.references[1].spanId == 8);
    CHECK(b.references[2].refType == jt::SpanRefType::FOLLOWS_FROM);
    CHECK(b.references[2].traceIdHigh == 9);
    CHECK(b.references[2].traceIdLow == 10);
    CHECK(b.references[2].spanId == 11);
    std::vector<std::string> keys;
    for (const jt::Tag& tag : b.tags) keys.push_back(tag.key);
    CHECK(keys == Strings({"span.kind", "otel.status_code", "error", "otel.status_description"}));
    CHECK(b.tags[2].vType == jt::TagType::BOOL);
    CHECK(b.tags[2].vBool);
  }
}

TEST_CASE("jaeger thrift: binary encoding equals libthrift's serialization of what it parsed",
          "[jaeger_thrift]") {
  // Our output is canonical: the generated code writes the same bytes back.
  SpanBatch rich = RichModel();
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    std::string encoded;
    jaeger_thrift::EncodeBatch(rich, 0, protocol, encoded);
    CHECK(Serialize(Parse<jt::Batch>(encoded, protocol), protocol) == encoded);
  }
}

TEST_CASE("jaeger thrift: a process after the spans still names their resource",
          "[jaeger_thrift]") {
  for (bool service_first : {true, false}) {
    std::string bytes;
    wire::ThriftBinaryWriter w(bytes);
    w.BeginStruct();
    w.WriteFieldBegin(2, ThriftType::kList);  // spans first
    w.WriteListBegin(ThriftType::kStruct, 1);
    w.BeginStruct();
    w.WriteI64Field(1, 5);
    w.WriteI64Field(2, 0);
    w.WriteI64Field(3, 6);
    w.WriteI64Field(4, 0);
    w.WriteBinaryField(5, "op");
    w.WriteI32Field(7, 1);
    w.WriteI64Field(8, 10);
    w.WriteI64Field(9, 2);
    w.EndStruct();
    w.WriteFieldBegin(1, ThriftType::kStruct);
    w.BeginStruct();
    auto write_tags = [&] {
      w.WriteFieldBegin(2, ThriftType::kList);
      w.WriteListBegin(ThriftType::kStruct, 1);
      w.BeginStruct();
      w.WriteBinaryField(1, "hostname");
      w.WriteI32Field(2, 0);
      w.WriteBinaryField(3, "h1");
      w.EndStruct();
    };
    if (service_first) w.WriteBinaryField(1, "late");
    write_tags();
    if (!service_first) w.WriteBinaryField(1, "late");
    w.EndStruct();
    w.EndStruct();

    SpanBatch batch;
    REQUIRE(DecodeBinary(bytes, batch).message() == "");
    REQUIRE(batch.resources().size() == 1);
    REQUIRE(batch.spans().size() == 1);
    CHECK(batch.spans()[0].resource_index == 0);
    CHECK(Describe(batch.resources()[0].attributes) ==
          Strings({"service.name=string:late", "hostname=string:h1"}));
    CHECK(batch.spans()[0].start_time_unix_nano == 10000);
    CHECK(batch.spans()[0].end_time_unix_nano == 12000);
  }
}

TEST_CASE("jaeger thrift: appends to a batch that already holds spans", "[jaeger_thrift]") {
  std::string bytes = ReadWireFixture("jaeger-thrift-binary-http-batch.bin");
  SpanBatch batch;
  REQUIRE(DecodeBinary(bytes, batch).ok());
  REQUIRE(DecodeBinary(bytes, batch).ok());
  REQUIRE(batch.spans().size() == 8);
  CHECK(batch.resources().size() == 2);
  CHECK(batch.spans()[5].resource_index == 1);
  CHECK(batch.scope_of(batch.spans()[5]).name == "capture");
  CHECK(batch.spans()[5].scope_index != batch.spans()[1].scope_index);
}

TEST_CASE("jaeger thrift: tag value follows vType, not the v* fields present", "[jaeger_thrift]") {
  // Real clients write every optional v* field; a field of the wrong type is skipped.
  jt::Batch generated;
  generated.process.serviceName = "s";
  jt::Span span;
  span.traceIdLow = 1;
  span.spanId = 2;
  span.operationName = "op";
  auto make = [](const std::string& key, jt::TagType::type type) {
    jt::Tag tag;
    tag.key = key;
    tag.vType = type;
    tag.__set_vStr("str");
    tag.__set_vDouble(1.5);
    tag.__set_vBool(true);
    tag.__set_vLong(7);
    tag.__set_vBinary(std::string(8, '\0'));
    return tag;
  };
  span.__set_tags({make("s", jt::TagType::STRING), make("d", jt::TagType::DOUBLE),
                   make("b", jt::TagType::BOOL), make("l", jt::TagType::LONG),
                   make("x", jt::TagType::BINARY)});
  generated.spans = {span};
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    SpanBatch batch;
    REQUIRE(jaeger_thrift::DecodeBatch(Serialize(generated, protocol), protocol, batch).ok());
    CHECK(Describe(batch.spans()[0].attributes) ==
          (std::vector<std::string>{"s=string:str", "d=double:1.5", "b=bool:true", "l=int:7",
                                    std::string("x=bytes:") + std::string(8, '\0')}));
  }
}

// ------------------------------------------------------------------------------------------------
// Agent messages

TEST_CASE("jaeger thrift: agent emitBatch in both protocols, CALL and ONEWAY", "[jaeger_thrift]") {
  jt::Batch generated = FixtureAsGenerated();
  generated.__set_seqNo(99);
  jt::ClientStats stats;
  stats.fullQueueDroppedSpans = 4;
  stats.tooLargeDroppedSpans = 5;
  stats.failedToEmitSpans = 6;
  generated.__set_stats(stats);
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    for (auto type : {lt::protocol::T_ONEWAY, lt::protocol::T_CALL}) {
      std::string datagram = EmitBatchMessage(generated, protocol, type, 12345);
      SpanBatch batch;
      AgentMessageInfo info;
      REQUIRE(jaeger_thrift::DecodeAgentMessage(datagram, protocol, batch, &info).message() == "");
      CheckFixtureBatch(batch);
      CHECK(info.method == AgentMethod::kEmitBatch);
      CHECK(info.message_type == (type == lt::protocol::T_ONEWAY ? ThriftMessageType::kOneway
                                                                 : ThriftMessageType::kCall));
      CHECK(info.seq_id == 12345);
      CHECK(info.span_count == 4);
      CHECK(info.batch.seq_no == 99);
      REQUIRE(info.batch.stats.has_value());
      CHECK(*info.batch.stats == ClientStats{4, 5, 6});
    }
  }
}

TEST_CASE("jaeger thrift: agent emitZipkinBatch delegates to the Zipkin v1 decoder",
          "[jaeger_thrift]") {
  twitter::zipkin::thrift::Span span;
  span.trace_id = 0x1111;
  span.__set_trace_id_high(0x2222);
  span.id = 0x3333;
  span.__set_parent_id(0x4444);
  span.name = "get";
  span.__set_timestamp(1700000000000000);
  span.__set_duration(1500);
  twitter::zipkin::thrift::Annotation cs;
  cs.timestamp = 1700000000000000;
  cs.value = "cs";
  cs.host.service_name = "web";
  cs.__isset.host = true;
  span.annotations = {cs};
  jaegertracing::agent::thrift::Agent_emitZipkinBatch_args args;
  args.spans = {span, span};
  args.spans[1].id = 0x5555;
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    auto buffer = std::make_shared<lt::transport::TMemoryBuffer>();
    auto proto = MakeProtocol(protocol, buffer);
    proto->writeMessageBegin("emitZipkinBatch", lt::protocol::T_ONEWAY, 3);
    args.write(proto.get());
    proto->writeMessageEnd();
    std::string datagram = buffer->getBufferAsString();
    SpanBatch batch;
    AgentMessageInfo info;
    REQUIRE(jaeger_thrift::DecodeAgentMessage(datagram, protocol, batch, &info).message() == "");
    CHECK(info.method == AgentMethod::kEmitZipkinBatch);
    CHECK(info.seq_id == 3);
    CHECK(info.span_count == 2);
    REQUIRE(batch.spans().size() == 2);
    const Span& decoded = batch.spans()[0];
    CHECK(decoded.trace_id == TraceId{0x2222, 0x1111});
    CHECK(decoded.span_id.value == 0x3333);
    CHECK(decoded.parent_span_id.value == 0x4444);
    CHECK(decoded.name == "get");
    CHECK(decoded.kind == SpanKind::kClient);
    CHECK(decoded.start_time_unix_nano == 1700000000000000000ULL);
    CHECK(decoded.end_time_unix_nano == 1700000000001500000ULL);
    CHECK(batch.resource_of(decoded).ServiceName() == "web");
    CHECK(batch.spans()[1].span_id.value == 0x5555);
  }
}

TEST_CASE("jaeger thrift: EncodeAgentEmitBatch writes what libthrift's Agent reads",
          "[jaeger_thrift]") {
  SpanBatch rich = RichModel();
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    std::string datagram;
    BatchInfo batch_info;
    batch_info.seq_no = 5;
    jaeger_thrift::EncodeAgentEmitBatch(rich, 0, protocol, 77, datagram, &batch_info);

    auto buffer = std::make_shared<lt::transport::TMemoryBuffer>(
        reinterpret_cast<uint8_t*>(datagram.data()), static_cast<uint32_t>(datagram.size()),
        lt::transport::TMemoryBuffer::COPY);
    auto proto = MakeProtocol(protocol, buffer);
    std::string name;
    lt::protocol::TMessageType type;
    int32_t seq_id = 0;
    proto->readMessageBegin(name, type, seq_id);
    CHECK(name == "emitBatch");
    CHECK(type == lt::protocol::T_ONEWAY);
    CHECK(seq_id == 77);
    jaegertracing::agent::thrift::Agent_emitBatch_args args;
    args.read(proto.get());
    proto->readMessageEnd();
    CHECK(buffer->available_read() == 0);
    CHECK(args.batch.process.serviceName == "checkout");
    CHECK(args.batch.spans.size() == 2);
    CHECK(args.batch.seqNo == 5);

    SpanBatch decoded;
    AgentMessageInfo info;
    REQUIRE(jaeger_thrift::DecodeAgentMessage(datagram, protocol, decoded, &info).ok());
    CHECK(info.seq_id == 77);
    CHECK(info.batch.seq_no == 5);
    CHECK(info.span_count == 2);
  }
}

TEST_CASE("jaeger thrift: agent messages that are not emitBatch calls are rejected",
          "[jaeger_thrift]") {
  jt::Batch generated = FixtureAsGenerated();
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    SpanBatch batch;
    Status status = jaeger_thrift::DecodeAgentMessage(
        EmitBatchMessage(generated, protocol, lt::protocol::T_CALL, 1, "emitSomething"), protocol,
        batch);
    CHECK(status.message() ==
          "jaeger agent thrift: unknown method \"emitSomething\" (the agent serves emitBatch and "
          "emitZipkinBatch)");
    status = jaeger_thrift::DecodeAgentMessage(
        EmitBatchMessage(generated, protocol, lt::protocol::T_REPLY, 1), protocol, batch);
    CHECK(status.message() == "jaeger agent thrift: message type REPLY, expected CALL or ONEWAY");

    // emitBatch whose args hold no field 1.
    std::string empty_args;
    auto write_empty = [&](auto writer) {
      writer.WriteMessageBegin("emitBatch", ThriftMessageType::kOneway, 0);
      writer.BeginStruct();
      writer.WriteI32Field(2, 5);  // an unknown field is skipped
      writer.EndStruct();
    };
    if (protocol == Protocol::kBinary) {
      write_empty(wire::ThriftBinaryWriter(empty_args));
    } else {
      write_empty(wire::ThriftCompactWriter(empty_args));
    }
    status = jaeger_thrift::DecodeAgentMessage(empty_args, protocol, batch);
    CHECK(status.message() ==
          "jaeger agent thrift: emitBatch args: field 1 (Batch batch) is missing");

    // The other protocol's bytes.
    Protocol other = protocol == Protocol::kBinary ? Protocol::kCompact : Protocol::kBinary;
    status = jaeger_thrift::DecodeAgentMessage(
        EmitBatchMessage(generated, other, lt::protocol::T_ONEWAY, 1), protocol, batch);
    CHECK_FALSE(status.ok());
    CHECK(Contains(status, "jaeger agent thrift: message header: byte "));
    CHECK(batch.spans().empty());

    // Trailing bytes after the message.
    std::string padded = EmitBatchMessage(generated, protocol, lt::protocol::T_ONEWAY, 1) + "x";
    status = jaeger_thrift::DecodeAgentMessage(padded, protocol, batch);
    CHECK(Contains(status, "trailing bytes after the message"));
    CHECK(batch.spans().empty());
  }
}

// ------------------------------------------------------------------------------------------------
// Bad input

TEST_CASE("jaeger thrift: every truncation of the fixtures fails and leaves the batch untouched",
          "[jaeger_thrift]") {
  for (Protocol protocol : {Protocol::kBinary, Protocol::kCompact}) {
    std::string full = Serialize(FixtureAsGenerated(), protocol);
    std::string message =
        EmitBatchMessage(FixtureAsGenerated(), protocol, lt::protocol::T_ONEWAY, 0);
    SpanBatch batch;
    REQUIRE(jaeger_thrift::DecodeBatch(full, protocol, batch).ok());  // one good batch first
    for (size_t n = 0; n < full.size(); ++n) {
      std::string prefix = full.substr(0, n);
      Status status = jaeger_thrift::DecodeBatch(prefix, protocol, batch);
      INFO("prefix " << n);
      REQUIRE_FALSE(status.ok());
      CHECK(status.message().rfind("jaeger thrift: batch", 0) == 0);
    }
    for (size_t n = 0; n < message.size(); ++n) {
      std::string prefix = message.substr(0, n);
      INFO("message prefix " << n);
      REQUIRE_FALSE(jaeger_thrift::DecodeAgentMessage(prefix, protocol, batch).ok());
    }
    CHECK(batch.spans().size() == 4);
    CHECK(batch.resources().size() == 1);
    CHECK(batch.scopes().size() == 1);
    CheckFixtureBatch(batch);
  }
}

TEST_CASE("jaeger thrift: errors say where", "[jaeger_thrift]") {
  jt::Batch generated = FixtureAsGenerated();
  SpanBatch batch;

  jt::Batch bad_type = generated;
  bad_type.spans[1].tags[2].vType = static_cast<jt::TagType::type>(9);
  Status status = DecodeBinary(Serialize(bad_type, Protocol::kBinary), batch);
  CHECK_FALSE(status.ok());
  INFO(status.message());
  CHECK(Contains(status, "jaeger thrift: batch.spans[1].tags[2]: byte "));
  CHECK(Contains(status, "Tag.vType is not a known TagType (0..4)"));

  jt::Batch bad_log = generated;
  bad_log.spans[0].logs[0].fields[1].vType = static_cast<jt::TagType::type>(-1);
  status = DecodeBinary(Serialize(bad_log, Protocol::kBinary), batch);
  CHECK(Contains(status, "jaeger thrift: batch.spans[0].logs[0].fields[1]: byte "));

  jt::Batch bad_ref = generated;
  bad_ref.spans[2].references[0].refType = static_cast<jt::SpanRefType::type>(2);
  status = DecodeBinary(Serialize(bad_ref, Protocol::kBinary), batch);
  CHECK(Contains(status, "batch.spans[2].references[0]: byte "));
  CHECK(Contains(status, "SpanRef.refType is not a known SpanRefType"));

  jt::Batch bad_process = generated;
  bad_process.process.__set_tags({generated.spans[0].tags[0]});
  bad_process.process.tags[0].vType = static_cast<jt::TagType::type>(5);
  status = DecodeBinary(Serialize(bad_process, Protocol::kBinary), batch);
  CHECK(Contains(status, "jaeger thrift: batch.process.tags[0]: byte "));

  std::string padded = Serialize(generated, Protocol::kBinary) + '\0';
  status = DecodeBinary(padded, batch);
  CHECK(status.message() == "jaeger thrift: byte " + std::to_string(padded.size() - 1) +
                                ": trailing bytes after the Batch");
  CHECK(batch.spans().empty());
  CHECK(batch.resources().empty());
  CHECK(batch.scopes().empty());
}

TEST_CASE("jaeger thrift: required fields are required", "[jaeger_thrift]") {
  auto encode = [](auto&& body) {
    std::string bytes;
    wire::ThriftBinaryWriter w(bytes);
    body(w);
    return bytes;
  };
  auto span_fields = [](wire::ThriftBinaryWriter& w, int skip) {
    if (skip != 1) w.WriteI64Field(1, 1);
    if (skip != 2) w.WriteI64Field(2, 0);
    if (skip != 3) w.WriteI64Field(3, 2);
    if (skip != 4) w.WriteI64Field(4, 0);
    if (skip != 5) w.WriteBinaryField(5, "op");
    if (skip != 7) w.WriteI32Field(7, 1);
    if (skip != 8) w.WriteI64Field(8, 1);
    if (skip != 9) w.WriteI64Field(9, 1);
  };
  auto batch_with_span = [&](int skip) {
    return encode([&](wire::ThriftBinaryWriter& w) {
      w.BeginStruct();
      w.WriteFieldBegin(1, ThriftType::kStruct);
      w.BeginStruct();
      w.WriteBinaryField(1, "svc");
      w.EndStruct();
      w.WriteFieldBegin(2, ThriftType::kList);
      w.WriteListBegin(ThriftType::kStruct, 1);
      w.BeginStruct();
      span_fields(w, skip);
      w.EndStruct();
      w.EndStruct();
    });
  };
  SpanBatch batch;
  REQUIRE(DecodeBinary(batch_with_span(0), batch).ok());
  const char* names[] = {"",
                         "traceIdLow (1)",
                         "traceIdHigh (2)",
                         "spanId (3)",
                         "parentSpanId (4)",
                         "operationName (5)",
                         "",
                         "flags (7)",
                         "startTime (8)",
                         "duration (9)"};
  for (int skip : {1, 2, 3, 4, 5, 7, 8, 9}) {
    Status status = DecodeBinary(batch_with_span(skip), batch);
    INFO(status.message());
    CHECK(Contains(status, std::string("batch.spans[0]: byte ")));
    CHECK(Contains(status, std::string("Span.") + names[skip] + " is required"));
  }
  // A field of the wrong type is skipped, and then missing: operationName as an i32.
  std::string wrong_type = encode([&](wire::ThriftBinaryWriter& w) {
    w.BeginStruct();
    w.WriteFieldBegin(1, ThriftType::kStruct);
    w.BeginStruct();
    w.WriteBinaryField(1, "svc");
    w.EndStruct();
    w.WriteFieldBegin(2, ThriftType::kList);
    w.WriteListBegin(ThriftType::kStruct, 1);
    w.BeginStruct();
    span_fields(w, 5);
    w.WriteI32Field(5, 12);
    w.EndStruct();
    w.EndStruct();
  });
  CHECK(Contains(DecodeBinary(wrong_type, batch), "Span.operationName (5) is required"));

  std::string no_process = encode([](wire::ThriftBinaryWriter& w) {
    w.BeginStruct();
    w.WriteFieldBegin(2, ThriftType::kList);
    w.WriteListBegin(ThriftType::kStruct, 0);
    w.EndStruct();
  });
  CHECK(Contains(DecodeBinary(no_process, batch), "Batch.process (1) is required"));
  std::string no_spans = encode([](wire::ThriftBinaryWriter& w) {
    w.BeginStruct();
    w.WriteFieldBegin(1, ThriftType::kStruct);
    w.BeginStruct();
    w.WriteBinaryField(1, "svc");
    w.EndStruct();
    w.EndStruct();
  });
  CHECK(Contains(DecodeBinary(no_spans, batch), "Batch.spans (2) is required"));
  std::string no_service = encode([](wire::ThriftBinaryWriter& w) {
    w.BeginStruct();
    w.WriteFieldBegin(1, ThriftType::kStruct);
    w.BeginStruct();
    w.EndStruct();
    w.WriteFieldBegin(2, ThriftType::kList);
    w.WriteListBegin(ThriftType::kStruct, 0);
    w.EndStruct();
  });
  CHECK(Contains(DecodeBinary(no_service, batch), "Process.serviceName (1) is required"));
  std::string two_processes = encode([](wire::ThriftBinaryWriter& w) {
    w.BeginStruct();
    for (int i = 0; i < 2; ++i) {
      w.WriteFieldBegin(1, ThriftType::kStruct);
      w.BeginStruct();
      w.WriteBinaryField(1, "svc");
      w.EndStruct();
    }
    w.EndStruct();
  });
  CHECK(Contains(DecodeBinary(two_processes, batch), "Batch.process (1) appears twice"));
  std::string spans_of_i64 = encode([](wire::ThriftBinaryWriter& w) {
    w.BeginStruct();
    w.WriteFieldBegin(2, ThriftType::kList);
    w.WriteListBegin(ThriftType::kI64, 1);
    w.WriteI64(5);
    w.EndStruct();
  });
  CHECK(Contains(DecodeBinary(spans_of_i64, batch), "expected list<Span>"));
  CHECK(batch.spans().size() == 1);  // only the first, valid batch
}

TEST_CASE("jaeger thrift: lying sizes, deep nesting and random bytes fail cleanly",
          "[jaeger_thrift]") {
  SpanBatch batch;
  // A spans list that claims 2^31-1 elements.
  std::string huge(
      "\x0c\x00\x01\x0b\x00\x01\x00\x00\x00\x01s\x00\x0f\x00\x02\x0c\x7f\xff\xff\xff\x00\x00", 22);
  Status status = DecodeBinary(huge, batch);
  CHECK(Contains(status, "container size exceeds the remaining input"));
  // An unknown Tag field holding structs nested 10,000 deep.
  std::string deep;
  wire::ThriftCompactWriter w(deep);
  w.BeginStruct();
  w.WriteFieldBegin(1, ThriftType::kStruct);
  w.BeginStruct();
  w.WriteBinaryField(1, "svc");
  w.WriteFieldBegin(9, ThriftType::kStruct);
  for (int i = 0; i < 10000; ++i) {
    w.BeginStruct();
    w.WriteFieldBegin(1, ThriftType::kStruct);
  }
  deep.append(10003, '\0');
  status = jaeger_thrift::DecodeBatch(deep, Protocol::kCompact, batch);
  CHECK(Contains(status, "nested too deeply"));
  // Random bytes, and random mutations of a valid batch.
  std::string valid = Serialize(FixtureAsGenerated(), Protocol::kCompact);
  uint64_t state = 88172645463325252ULL;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int round = 0; round < 3000; ++round) {
    std::string bytes;
    if (round % 2 == 0) {
      bytes.resize(next() % 200);
      for (char& c : bytes) c = static_cast<char>(next());
    } else {
      bytes = valid;
      for (int m = 0; m < 4; ++m) bytes[next() % bytes.size()] = static_cast<char>(next());
    }
    Protocol protocol = round % 3 == 0 ? Protocol::kBinary : Protocol::kCompact;
    SpanBatch scratch;
    Status decoded = jaeger_thrift::DecodeBatch(bytes, protocol, scratch);
    if (decoded.ok()) {
      std::vector<std::string> again = jaeger_thrift::EncodeBatches(scratch, protocol);
      CHECK(again.size() <= scratch.resources().size());
    } else {
      CHECK(scratch.spans().empty());
    }
    (void)jaeger_thrift::DecodeAgentMessage(bytes, protocol, scratch);
  }
}
