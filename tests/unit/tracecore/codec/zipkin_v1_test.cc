// Zipkin v1: JSON and Thrift (binary and compact) into the model, through V1SpanConverter.
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tracecore/codec/zipkin.h"
#include "tracecore/codec/zipkin_thrift.h"
#include "zipkin_test_support.h"
#include "zipkincore_types.h"

namespace ariadne::tracecore::zipkin {
namespace {

namespace zt = ::twitter::zipkin::thrift;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::protocol::TCompactProtocol;
using apache::thrift::transport::TMemoryBuffer;
using testing::zipkin::ExpectSameSpans;
using testing::zipkin::Flatten;
using testing::zipkin::kMicros;
using testing::zipkin::Pairs;

// ---------------------------------------------------------------------------------------------
// Building v1 Thrift spans with the generated classes.

constexpr int32_t kFrontendIp = 0x0a000001;  // 10.0.0.1
constexpr int32_t kBackendIp = 0x0a000002;   // 10.0.0.2

zt::Endpoint MakeEndpoint(const std::string& service, int32_t ipv4, int16_t port) {
  zt::Endpoint endpoint;
  endpoint.__set_service_name(service);
  endpoint.__set_ipv4(ipv4);
  endpoint.__set_port(port);
  return endpoint;
}

zt::Endpoint Frontend() {
  return MakeEndpoint("frontend", kFrontendIp, 0);
}
zt::Endpoint Backend() {
  return MakeEndpoint("backend", kBackendIp, 8080);
}

zt::Annotation MakeAnnotation(int64_t timestamp, const std::string& value,
                              const zt::Endpoint* host) {
  zt::Annotation annotation;
  annotation.__set_timestamp(timestamp);
  annotation.__set_value(value);
  if (host != nullptr) annotation.__set_host(*host);
  return annotation;
}

zt::BinaryAnnotation MakeBinary(const std::string& key, const std::string& value,
                                zt::AnnotationType::type type, const zt::Endpoint* host) {
  zt::BinaryAnnotation annotation;
  annotation.__set_key(key);
  annotation.__set_value(value);
  annotation.__set_annotation_type(type);
  if (host != nullptr) annotation.__set_host(*host);
  return annotation;
}

zt::BinaryAnnotation Address(const std::string& key, const zt::Endpoint& host) {
  return MakeBinary(key, std::string(1, '\x01'), zt::AnnotationType::BOOL, &host);
}

zt::Span BaseSpan(int64_t id) {
  zt::Span span;
  span.__set_trace_id(0x1);
  span.__set_id(id);
  span.__set_name("op");
  return span;
}

template <typename Protocol>
std::string SerializeList(const std::vector<zt::Span>& spans) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  Protocol protocol(buffer);
  protocol.writeListBegin(apache::thrift::protocol::T_STRUCT, static_cast<uint32_t>(spans.size()));
  for (const zt::Span& span : spans) span.write(&protocol);
  protocol.writeListEnd();
  return buffer->getBufferAsString();
}

std::string BinaryList(const std::vector<zt::Span>& spans) {
  return SerializeList<TBinaryProtocol>(spans);
}

SpanBatch DecodeThriftOk(const std::string& bytes) {
  SpanBatch batch;
  Status status = DecodeV1ThriftList(bytes, batch);
  INFO(status.message());
  REQUIRE(status.ok());
  return batch;
}

SpanBatch DecodeJsonOk(const std::string& json) {
  SpanBatch batch;
  Status status = DecodeV1Json(batch.Retain(json), batch);
  INFO(status.message());
  REQUIRE(status.ok());
  return batch;
}

// One v1 span holding both sides of an RPC, as Finagle-era tracers reported them.
zt::Span SharedRpcSpan() {
  zt::Endpoint frontend = Frontend();
  zt::Endpoint backend = Backend();
  zt::Span span;
  span.__set_trace_id(0x1);
  span.__set_trace_id_high(0x2);
  span.__set_id(0x10);
  span.__set_parent_id(0x9);
  span.__set_name("get /user");
  span.__set_timestamp(1000);
  span.__set_duration(500);
  span.__set_debug(true);
  span.__set_annotations(
      {MakeAnnotation(1000, "cs", &frontend), MakeAnnotation(1100, "sr", &backend),
       MakeAnnotation(1200, "cache hit", &backend), MakeAnnotation(1400, "ss", &backend),
       MakeAnnotation(1500, "cr", &frontend)});
  span.__set_binary_annotations(
      {Address("sa", backend), Address("ca", MakeEndpoint("frontend", kFrontendIp, 5555)),
       MakeBinary("http.path", "/user", zt::AnnotationType::STRING, &frontend)});
  return span;
}

void ExpectSharedRpc(const SpanBatch& batch) {
  REQUIRE(batch.spans().size() == 2);
  REQUIRE(batch.resources().size() == 2);
  const Span& client = batch.spans()[0];
  const Span& server = batch.spans()[1];
  for (const Span* span : {&client, &server}) {
    CHECK(span->trace_id == TraceId{0x2, 0x1});
    CHECK(span->span_id == SpanId{0x10});  // Zipkin's shared span id: both halves keep it
    CHECK(span->parent_span_id == SpanId{0x9});
    CHECK(span->name == "get /user");
    CHECK(span->flags == 3);  // debug
  }
  CHECK(batch.resource_of(client).ServiceName() == "frontend");
  CHECK(client.kind == SpanKind::kClient);
  CHECK(client.start_time_unix_nano == 1000 * kMicros);
  CHECK(client.end_time_unix_nano == 1500 * kMicros);
  CHECK(client.events.empty());
  CHECK(Flatten(client.attributes) == Pairs{{"http.path", "/user"},
                                            {"net.host.ip", "10.0.0.1"},
                                            {"peer.service", "backend"},
                                            {"net.peer.ip", "10.0.0.2"},
                                            {"net.peer.port", "int:8080"}});

  CHECK(batch.resource_of(server).ServiceName() == "backend");
  CHECK(server.kind == SpanKind::kServer);
  CHECK(server.start_time_unix_nano == 1100 * kMicros);
  CHECK(server.end_time_unix_nano == 1400 * kMicros);
  REQUIRE(server.events.size() == 1);
  CHECK(server.events[0].name == "cache hit");
  CHECK(server.events[0].time_unix_nano == 1200 * kMicros);
  CHECK(Flatten(server.attributes) == Pairs{{"net.host.ip", "10.0.0.2"},
                                            {"net.host.port", "int:8080"},
                                            {"peer.service", "frontend"},
                                            {"net.peer.ip", "10.0.0.1"},
                                            {"net.peer.port", "int:5555"},
                                            {"zipkin.shared", "bool:true"}});
}

// The same span in Zipkin v1 JSON.
constexpr const char* kSharedRpcJson = R"([{
  "traceId": "00000000000000020000000000000001", "id": "0000000000000010",
  "parentId": "0000000000000009", "name": "get /user", "timestamp": 1000, "duration": 500,
  "debug": true,
  "annotations": [
    {"timestamp": 1000, "value": "cs", "endpoint": {"serviceName": "frontend", "ipv4": "10.0.0.1"}},
    {"timestamp": 1100, "value": "sr",
     "endpoint": {"serviceName": "backend", "ipv4": "10.0.0.2", "port": 8080}},
    {"timestamp": 1200, "value": "cache hit",
     "endpoint": {"serviceName": "backend", "ipv4": "10.0.0.2", "port": 8080}},
    {"timestamp": 1400, "value": "ss",
     "endpoint": {"serviceName": "backend", "ipv4": "10.0.0.2", "port": 8080}},
    {"timestamp": 1500, "value": "cr", "endpoint": {"serviceName": "frontend", "ipv4": "10.0.0.1"}}
  ],
  "binaryAnnotations": [
    {"key": "sa", "value": true,
     "endpoint": {"serviceName": "backend", "ipv4": "10.0.0.2", "port": 8080}},
    {"key": "ca", "value": true,
     "endpoint": {"serviceName": "frontend", "ipv4": "10.0.0.1", "port": 5555}},
    {"key": "http.path", "value": "/user", "endpoint": {"serviceName": "frontend", "ipv4": "10.0.0.1"}}
  ]
}])";

// ---------------------------------------------------------------------------------------------
// Thrift

TEST_CASE("zipkin v1 thrift: a v1 span with both RPC sides becomes a client and a shared server") {
  ExpectSharedRpc(DecodeThriftOk(BinaryList({SharedRpcSpan()})));
}

TEST_CASE("zipkin v1 thrift: the compact protocol reads the same through the template") {
  std::string bytes = SerializeList<TCompactProtocol>({SharedRpcSpan(), BaseSpan(0x20)});
  bytes += "\x7f";  // what follows the list belongs to the caller
  wire::ThriftCompactReader reader(bytes);
  SpanBatch batch;
  Status status = DecodeV1ThriftSpans(reader, batch);
  INFO(status.message());
  REQUIRE(status.ok());
  CHECK(reader.remaining() == 1);
  SpanBatch binary = DecodeThriftOk(BinaryList({SharedRpcSpan(), BaseSpan(0x20)}));
  ExpectSameSpans(binary, batch);
}

TEST_CASE("zipkin v1 thrift: client side only, timing from the span or from cs/cr") {
  zt::Endpoint frontend = Frontend();
  zt::Endpoint backend = Backend();
  zt::Span span = BaseSpan(0x11);
  span.__set_annotations(
      {MakeAnnotation(2000, "cs", &frontend), MakeAnnotation(2300, "cr", &frontend)});
  span.__set_binary_annotations({Address("sa", backend)});
  SpanBatch batch = DecodeThriftOk(BinaryList({span}));
  REQUIRE(batch.spans().size() == 1);
  const Span& client = batch.spans()[0];
  CHECK(client.kind == SpanKind::kClient);
  CHECK(client.start_time_unix_nano == 2000 * kMicros);
  CHECK(client.end_time_unix_nano == 2300 * kMicros);
  CHECK(client.events.empty());
  CHECK(client.flags == 1);
  CHECK(client.parent_span_id.empty());
  CHECK(Flatten(client.attributes) == Pairs{{"net.host.ip", "10.0.0.1"},
                                            {"peer.service", "backend"},
                                            {"net.peer.ip", "10.0.0.2"},
                                            {"net.peer.port", "int:8080"}});

  // The span's own timestamp and duration win over the annotations.
  span.__set_timestamp(1990);
  span.__set_duration(400);
  SpanBatch timed = DecodeThriftOk(BinaryList({span}));
  CHECK(timed.spans()[0].start_time_unix_nano == 1990 * kMicros);
  CHECK(timed.spans()[0].end_time_unix_nano == 2390 * kMicros);
}

TEST_CASE("zipkin v1 thrift: a server side without a span timestamp is shared") {
  zt::Endpoint backend = Backend();
  zt::Span span = BaseSpan(0x12);
  span.__set_annotations(
      {MakeAnnotation(100, "sr", &backend), MakeAnnotation(300, "ss", &backend)});
  span.__set_binary_annotations({Address("ca", Frontend())});
  SpanBatch batch = DecodeThriftOk(BinaryList({span}));
  REQUIRE(batch.spans().size() == 1);
  const Span& server = batch.spans()[0];
  CHECK(server.kind == SpanKind::kServer);
  CHECK(server.start_time_unix_nano == 100 * kMicros);
  CHECK(server.end_time_unix_nano == 300 * kMicros);
  CHECK(Flatten(server.attributes) == Pairs{{"net.host.ip", "10.0.0.2"},
                                            {"net.host.port", "int:8080"},
                                            {"peer.service", "frontend"},
                                            {"net.peer.ip", "10.0.0.1"},
                                            {"zipkin.shared", "bool:true"}});

  // With its own timestamp and duration, the server side owns its span: not shared.
  span.__set_timestamp(100);
  span.__set_duration(200);
  SpanBatch owned = DecodeThriftOk(BinaryList({span}));
  CHECK(FindAttribute(owned.spans()[0].attributes, "zipkin.shared") == nullptr);
}

TEST_CASE("zipkin v1 thrift: loopback RPCs still make two spans") {
  zt::Endpoint loop = MakeEndpoint("loop", kFrontendIp, 0);
  zt::Span span = BaseSpan(0x13);
  span.__set_annotations({MakeAnnotation(10, "cs", &loop), MakeAnnotation(11, "sr", &loop),
                          MakeAnnotation(18, "ss", &loop), MakeAnnotation(20, "cr", &loop)});
  SpanBatch batch = DecodeThriftOk(BinaryList({span}));
  REQUIRE(batch.spans().size() == 2);
  CHECK(batch.spans()[0].kind == SpanKind::kClient);
  CHECK(batch.spans()[0].start_time_unix_nano == 10 * kMicros);
  CHECK(batch.spans()[0].end_time_unix_nano == 20 * kMicros);
  CHECK(batch.spans()[1].kind == SpanKind::kServer);
  CHECK(batch.spans()[1].start_time_unix_nano == 11 * kMicros);
  CHECK(batch.spans()[1].end_time_unix_nano == 18 * kMicros);
  CHECK(FindAttribute(batch.spans()[1].attributes, "zipkin.shared") != nullptr);
  CHECK(batch.resources().size() == 1);
}

TEST_CASE("zipkin v1 thrift: incomplete RPCs keep what they have") {
  zt::Endpoint frontend = Frontend();
  SECTION("cs alone: a client span that starts at cs, without duration") {
    zt::Span span = BaseSpan(0x14);
    span.__set_annotations({MakeAnnotation(50, "cs", &frontend)});
    SpanBatch batch = DecodeThriftOk(BinaryList({span}));
    CHECK(batch.spans()[0].kind == SpanKind::kClient);
    CHECK(batch.spans()[0].start_time_unix_nano == 50 * kMicros);
    CHECK(batch.spans()[0].end_time_unix_nano == 50 * kMicros);
  }
  SECTION("cr alone ending exactly at timestamp + duration: cs is rebuilt") {
    zt::Span span = BaseSpan(0x15);
    span.__set_timestamp(40);
    span.__set_duration(20);
    span.__set_annotations({MakeAnnotation(60, "cr", &frontend)});
    SpanBatch batch = DecodeThriftOk(BinaryList({span}));
    CHECK(batch.spans()[0].kind == SpanKind::kClient);
    CHECK(batch.spans()[0].start_time_unix_nano == 40 * kMicros);
    CHECK(batch.spans()[0].end_time_unix_nano == 60 * kMicros);
    CHECK(batch.spans()[0].events.empty());
  }
  SECTION("cr alone otherwise stays an annotation") {
    zt::Span span = BaseSpan(0x16);
    span.__set_annotations({MakeAnnotation(60, "cr", &frontend)});
    SpanBatch batch = DecodeThriftOk(BinaryList({span}));
    CHECK(batch.spans()[0].kind == SpanKind::kClient);
    REQUIRE(batch.spans()[0].events.size() == 1);
    CHECK(batch.spans()[0].events[0].name == "cr");
  }
  SECTION("core annotations without an endpoint are ordinary annotations") {
    zt::Span span = BaseSpan(0x17);
    span.__set_annotations({MakeAnnotation(70, "cs", nullptr)});
    SpanBatch batch = DecodeThriftOk(BinaryList({span}));
    CHECK(batch.spans()[0].kind == SpanKind::kUnspecified);
    REQUIRE(batch.spans()[0].events.size() == 1);
    CHECK(batch.spans()[0].events[0].name == "cs");
  }
}

TEST_CASE("zipkin v1 thrift: messaging spans and the ma broker address") {
  zt::Endpoint producer = MakeEndpoint("producer", kFrontendIp, 0);
  zt::Endpoint broker = MakeEndpoint("kafka", 0, 9092);
  zt::Span span = BaseSpan(0x18);
  span.__set_annotations(
      {MakeAnnotation(10, "ms", &producer), MakeAnnotation(12, "ws", &producer)});
  span.__set_binary_annotations({Address("ma", broker)});
  SpanBatch batch = DecodeThriftOk(BinaryList({span}));
  REQUIRE(batch.spans().size() == 1);
  const Span& out = batch.spans()[0];
  CHECK(out.kind == SpanKind::kProducer);
  CHECK(out.start_time_unix_nano == 10 * kMicros);
  CHECK(out.end_time_unix_nano == 12 * kMicros);
  CHECK(Flatten(out.attributes) == Pairs{{"net.host.ip", "10.0.0.1"},
                                         {"peer.service", "kafka"},
                                         {"net.peer.port", "int:9092"}});

  zt::Endpoint consumer = MakeEndpoint("consumer", 0, 0);
  zt::Span receive = BaseSpan(0x19);
  receive.__set_annotations(
      {MakeAnnotation(30, "wr", &consumer), MakeAnnotation(35, "mr", &consumer)});
  SpanBatch received = DecodeThriftOk(BinaryList({receive}));
  CHECK(received.spans()[0].kind == SpanKind::kConsumer);
  CHECK(received.spans()[0].start_time_unix_nano == 30 * kMicros);
  CHECK(received.spans()[0].end_time_unix_nano == 35 * kMicros);
}

TEST_CASE("zipkin v1 thrift: lc names the component, its endpoint is the local service") {
  zt::Endpoint batch_host = MakeEndpoint("batch-job", 0, 0);
  zt::Span span = BaseSpan(0x1a);
  span.__set_timestamp(500);
  span.__set_duration(25);
  span.__set_binary_annotations(
      {MakeBinary("lc", "worker", zt::AnnotationType::STRING, &batch_host)});
  SpanBatch batch = DecodeThriftOk(BinaryList({span}));
  const Span& local = batch.spans()[0];
  CHECK(batch.resource_of(local).ServiceName() == "batch-job");
  CHECK(local.kind == SpanKind::kUnspecified);
  CHECK(local.start_time_unix_nano == 500 * kMicros);
  CHECK(local.end_time_unix_nano == 525 * kMicros);
  CHECK(Flatten(local.attributes) == Pairs{{"component", "worker"}});
}

TEST_CASE("zipkin v1 thrift: binary annotations keep their types, error sets the status") {
  auto big_endian = [](uint64_t value, size_t width) {
    std::string bytes(width, '\0');
    for (size_t i = width; i-- > 0; value >>= 8) bytes[i] = static_cast<char>(value);
    return bytes;
  };
  double ratio = 2.5;
  uint64_t ratio_bits;
  std::memcpy(&ratio_bits, &ratio, 8);
  zt::Span span = BaseSpan(0x1b);
  span.__set_binary_annotations({
      MakeBinary("flag", std::string(1, '\x01'), zt::AnnotationType::BOOL, nullptr),
      MakeBinary("off", std::string(1, '\x00'), zt::AnnotationType::BOOL, nullptr),
      MakeBinary("raw", std::string("\x00\xff", 2), zt::AnnotationType::BYTES, nullptr),
      MakeBinary("short", big_endian(0xfffe, 2), zt::AnnotationType::I16, nullptr),
      MakeBinary("int", big_endian(70000, 4), zt::AnnotationType::I32, nullptr),
      MakeBinary("long", big_endian(1ULL << 40, 8), zt::AnnotationType::I64, nullptr),
      MakeBinary("ratio", big_endian(ratio_bits, 8), zt::AnnotationType::DOUBLE, nullptr),
      MakeBinary("text", "hello", zt::AnnotationType::STRING, nullptr),
      MakeBinary("error", "boom", zt::AnnotationType::STRING, nullptr),
  });
  SpanBatch batch = DecodeThriftOk(BinaryList({span}));
  const Span& out = batch.spans()[0];
  CHECK(Flatten(out.attributes) == Pairs{{"flag", "bool:true"},
                                         {"off", "bool:false"},
                                         {"raw", std::string("bytes:\x00\xff", 8)},
                                         {"short", "int:-2"},
                                         {"int", "int:70000"},
                                         {"long", "int:1099511627776"},
                                         {"ratio", "double:2.500000"},
                                         {"text", "hello"}});
  CHECK(out.status.code == SpanStatusCode::kError);
  CHECK(out.status.message == "boom");
  CHECK(batch.resource_of(out).attributes.empty());
}

TEST_CASE("zipkin v1 thrift: strings are views into the input") {
  std::string bytes = BinaryList({SharedRpcSpan()});
  SpanBatch batch = DecodeThriftOk(bytes);
  const char* name = batch.spans()[0].name.data();
  CHECK(name >= bytes.data());
  CHECK(name < bytes.data() + bytes.size());
}

std::string ThriftErrorOf(const std::string& bytes) {
  SpanBatch batch;
  Status status = DecodeV1ThriftList(bytes, batch);
  CHECK_FALSE(status.ok());
  return status.message();
}

TEST_CASE("zipkin v1 thrift: bad input fails with a message that says where") {
  zt::Span no_id = BaseSpan(0);
  CHECK(ThriftErrorOf(BinaryList({no_id})).find("span[0]: byte") != std::string::npos);
  CHECK(ThriftErrorOf(BinaryList({no_id})).find("id: missing or zero") != std::string::npos);
  zt::Span bad_width = BaseSpan(1);
  bad_width.__set_binary_annotations({MakeBinary("n", "123", zt::AnnotationType::I32, nullptr)});
  CHECK(ThriftErrorOf(BinaryList({bad_width})).find("I32 must be 4 bytes") != std::string::npos);
  zt::Span bad_type = BaseSpan(1);
  bad_type.__set_binary_annotations(
      {MakeBinary("n", "1", static_cast<zt::AnnotationType::type>(9), nullptr)});
  CHECK(ThriftErrorOf(BinaryList({bad_type})).find("unknown type") != std::string::npos);
  zt::Span bad_ipv6 = BaseSpan(1);
  zt::Endpoint host = Frontend();
  host.__set_ipv6("123");
  bad_ipv6.__set_annotations({MakeAnnotation(1, "x", &host)});
  CHECK(ThriftErrorOf(BinaryList({bad_ipv6})).find("ipv6: expected 16 bytes") != std::string::npos);

  // A list of i32 instead of structs.
  CHECK(ThriftErrorOf(std::string("\x08\x00\x00\x00\x01\x00\x00\x00\x05", 9))
            .find("expected a list of Span structs") != std::string::npos);
  // A list size that lies.
  CHECK(ThriftErrorOf(std::string("\x0c\x7f\xff\xff\xff\x00", 6)).find("container size") !=
        std::string::npos);
  // trace_id (field 1) sent as a string.
  CHECK(ThriftErrorOf(std::string("\x0c\x00\x00\x00\x01\x0b\x00\x01\x00\x00\x00\x00\x00", 13))
            .find("trace_id: expected i64") != std::string::npos);
  // Bytes after the list.
  CHECK(ThriftErrorOf(BinaryList({BaseSpan(1)}) + "x").find("after the list") != std::string::npos);
  CHECK_FALSE(ThriftErrorOf("").empty());
}

TEST_CASE("zipkin v1 thrift: truncation at every byte fails") {
  std::string bytes = BinaryList({SharedRpcSpan()});
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    SpanBatch batch;
    INFO("cut " << cut);
    CHECK_FALSE(DecodeV1ThriftList(bytes.substr(0, cut), batch).ok());
  }
}

TEST_CASE("zipkin v1 thrift: deep nesting in an unknown field is refused") {
  // list<Span> of one span whose field 7 is list<list<list<...>>> nested 100 deep.
  std::string bytes("\x0c\x00\x00\x00\x01", 5);
  bytes += std::string("\x0f\x00\x07", 3);
  for (int i = 0; i < 100; ++i) bytes += std::string("\x0f\x00\x00\x00\x01", 5);
  bytes += std::string("\x08\x00\x00\x00\x00", 5);
  SpanBatch batch;
  Status status = DecodeV1ThriftList(bytes, batch);
  CHECK_FALSE(status.ok());
  CHECK(status.message().find("nested too deeply") != std::string::npos);
}

TEST_CASE("zipkin v1 thrift: random bytes and mutations never crash") {
  std::mt19937 random(5);
  std::string valid = BinaryList({SharedRpcSpan(), BaseSpan(3)});
  for (int round = 0; round < 3000; ++round) {
    std::string input = valid;
    int flips = 1 + static_cast<int>(random() % 6);
    for (int i = 0; i < flips; ++i) input[random() % input.size()] = static_cast<char>(random());
    SpanBatch batch;
    (void)DecodeV1ThriftList(input, batch);
    wire::ThriftCompactReader reader(input);
    SpanBatch compact;
    (void)DecodeV1ThriftSpans(reader, compact);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON

TEST_CASE("zipkin v1 json: a v1 span with both RPC sides becomes a client and a shared server") {
  SpanBatch batch = DecodeJsonOk(kSharedRpcJson);
  ExpectSharedRpc(batch);
  ExpectSameSpans(DecodeThriftOk(BinaryList({SharedRpcSpan()})), batch);
}

TEST_CASE("zipkin v1 json: binary annotation values keep their JSON type") {
  SpanBatch batch = DecodeJsonOk(R"([{"traceId":"1","id":"2","name":"n","binaryAnnotations":[
      {"key":"s","value":"text"},{"key":"b","value":false},{"key":"i","value":-3},
      {"key":"d","value":0.5},{"key":"lc","value":""},{"key":"lc2","value":null},
      {"key":"error","value":true},{"key":"otel.scope.name","value":"lib"}]}])");
  const Span& span = batch.spans()[0];
  CHECK(Flatten(span.attributes) == Pairs{{"s", "text"},
                                          {"b", "bool:false"},
                                          {"i", "int:-3"},
                                          {"d", "double:0.500000"},
                                          {"lc2", ""}});
  CHECK(span.status.code == SpanStatusCode::kError);
  CHECK(span.status.message.empty());
  CHECK(batch.scope_of(span).name == "lib");
}

TEST_CASE("zipkin v1 json: annotations without core values are events, ids and times") {
  SpanBatch batch = DecodeJsonOk(R"([{"traceId":"48485a3953bb6124","id":"1","parentId":"1",
      "timestamp":10,"duration":5,"annotations":[{"timestamp":12,"value":"hello",
      "endpoint":{"serviceName":"svc","ipv6":"::1","port":99}}]}])");
  const Span& span = batch.spans()[0];
  CHECK(span.trace_id == TraceId{0, 0x48485a3953bb6124ULL});
  CHECK(span.parent_span_id.empty());  // parentId == id
  CHECK(span.start_time_unix_nano == 10 * kMicros);
  CHECK(span.end_time_unix_nano == 15 * kMicros);
  CHECK(batch.resource_of(span).ServiceName() == "svc");
  REQUIRE(span.events.size() == 1);
  CHECK(span.events[0].name == "hello");
  CHECK(Flatten(span.attributes) == Pairs{{"net.host.ip", "::1"}, {"net.host.port", "int:99"}});
}

std::string JsonErrorOf(const std::string& json) {
  SpanBatch batch;
  Status status = DecodeV1Json(json, batch);
  CHECK_FALSE(status.ok());
  return status.message();
}

TEST_CASE("zipkin v1 json: bad input fails with a message that says where") {
  CHECK(JsonErrorOf("{}").find("expected a JSON array") != std::string::npos);
  CHECK(JsonErrorOf(R"([{"id":"1"}])") == "zipkin v1 json: span[0].traceId: missing or zero");
  CHECK(JsonErrorOf(R"([{"traceId":"1"}])") == "zipkin v1 json: span[0].id: missing or zero");
  CHECK(JsonErrorOf(R"([{"traceId":"1","id":"1","annotations":[1]}])") ==
        "zipkin v1 json: span[0].annotations[0]: expected an object");
  CHECK(JsonErrorOf(R"([{"traceId":"1","id":"1","annotations":[{"value":1}]}])") ==
        "zipkin v1 json: span[0].annotations[0].value: expected a string");
  CHECK(
      JsonErrorOf(R"([{"traceId":"1","id":"1","binaryAnnotations":[{"key":"k","value":[1]}]}])") ==
      "zipkin v1 json: span[0].binaryAnnotations[0].value: expected a string, boolean or number");
  CHECK(
      JsonErrorOf(
          R"([{"traceId":"1","id":"1","binaryAnnotations":[{"key":"k","endpoint":{"port":-1}}]}])") ==
      "zipkin v1 json: span[0].binaryAnnotations[0].endpoint.port: expected a non-negative number");
  CHECK(JsonErrorOf(R"([{"traceId":"1","id":"1","x":)" + std::string(50, '[') +
                    std::string(50, ']') + "}]") == "zipkin v1 json: span[0].x: nested too deeply");
  CHECK_FALSE(JsonErrorOf(R"([{"traceId":"1","id":"1","name":")"
                          "\xff"
                          R"("}])")
                  .empty());
}

TEST_CASE("zipkin v1 json: truncation and mutations never crash") {
  std::string json = kSharedRpcJson;
  for (size_t cut = 0; cut < json.size(); ++cut) {
    SpanBatch batch;
    CHECK_FALSE(DecodeV1Json(json.substr(0, cut), batch).ok());
  }
  std::mt19937 random(3);
  for (int round = 0; round < 2000; ++round) {
    std::string input = json;
    input[random() % input.size()] = static_cast<char>(random());
    SpanBatch batch;
    (void)DecodeV1Json(input, batch);
  }
}

}  // namespace
}  // namespace ariadne::tracecore::zipkin
