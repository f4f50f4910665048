#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "test_support.h"
#include "tracecore/codec/zipkin.h"
#include "zipkin_test_support.h"

namespace ariadne::tracecore::zipkin {
namespace {

using testing::ReadWireFixture;
using testing::zipkin::ExpectFixtureBatch;
using testing::zipkin::ExpectSameSpans;
using testing::zipkin::Flatten;
using testing::zipkin::Id;
using testing::zipkin::kMicros;
using testing::zipkin::Pairs;

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(document.HasParseError());
  return document;
}

Status Decode(const std::string& json, SpanBatch& batch) {
  return DecodeV2Json(json, batch);
}

// Decodes `json` (one span) and returns the batch; the test fails when decoding fails.
SpanBatch DecodeOk(const std::string& json) {
  SpanBatch batch;
  Status status = DecodeV2Json(batch.Retain(json), batch);
  INFO(status.message());
  REQUIRE(status.ok());
  return batch;
}

// A minimal span with the given extra members.
std::string OneSpan(const std::string& members) {
  return R"([{"traceId":"0000000000000001000000000000000a","id":"00000000000000bb")" +
         (members.empty() ? "" : "," + members) + "}]";
}

std::string ErrorOf(const std::string& json) {
  SpanBatch batch;
  Status status = Decode(json, batch);
  CHECK_FALSE(status.ok());
  return status.message();
}

TEST_CASE("zipkin v2 json: the fixture decodes with every field as Zipkin carries it") {
  std::string bytes = ReadWireFixture("zipkin-v2-spans.json");
  SpanBatch batch;
  Status status = DecodeV2Json(bytes, batch);
  INFO(status.message());
  REQUIRE(status.ok());
  ExpectFixtureBatch(batch);
}

TEST_CASE("zipkin v2 json: strings without escapes are views into the input") {
  std::string bytes = ReadWireFixture("zipkin-v2-spans.json");
  SpanBatch batch;
  REQUIRE(DecodeV2Json(bytes, batch).ok());
  const char* name = batch.spans()[0].name.data();
  CHECK(name >= bytes.data());
  CHECK(name < bytes.data() + bytes.size());
}

TEST_CASE("zipkin v2 json: key order does not matter") {
  SpanBatch a = DecodeOk(
      R"([{"traceId":"a1","id":"b2","parentId":"c3","name":"op","kind":"SERVER","timestamp":10,)"
      R"("duration":5,"localEndpoint":{"serviceName":"svc","port":80},"tags":{"k":"v"},)"
      R"("annotations":[{"timestamp":12,"value":"x"}],"debug":true}])");
  SpanBatch b =
      DecodeOk(R"([{"debug":true,"annotations":[{"value":"x","timestamp":12}],"tags":{"k":"v"},)"
               R"("localEndpoint":{"port":80,"serviceName":"svc"},"duration":5,"timestamp":10,)"
               R"("kind":"SERVER","name":"op","parentId":"c3","id":"b2","traceId":"a1"}])");
  ExpectSameSpans(a, b);
  const Span& span = b.spans()[0];
  CHECK(span.trace_id == TraceId{0, 0xa1});
  CHECK(span.span_id == SpanId{0xb2});
  CHECK(span.parent_span_id == SpanId{0xc3});
  CHECK(span.start_time_unix_nano == 10 * kMicros);
  CHECK(span.end_time_unix_nano == 15 * kMicros);
  CHECK(span.flags == 3);  // sampled + debug
  CHECK(Flatten(span.attributes) == Pairs{{"k", "v"}, {"net.host.port", "int:80"}});
}

TEST_CASE("zipkin v2 json: ids of 16 and 32 hex chars") {
  SpanBatch batch =
      DecodeOk(R"([{"traceId":"463ac35c9f6413ad","id":"463ac35c9f6413ad"},)"
               R"({"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"48485A3953BB6124"}])");
  CHECK(batch.spans()[0].trace_id == TraceId{0, 0x463ac35c9f6413adULL});
  CHECK(batch.spans()[1].trace_id == TraceId{0x463ac35c9f6413adULL, 0x48485a3953bb6124ULL});
  CHECK(batch.spans()[1].span_id == SpanId{0x48485a3953bb6124ULL});
}

TEST_CASE("zipkin v2 json: endpoints become resource and peer attributes") {
  SpanBatch batch = DecodeOk(OneSpan(
      R"("kind":"CLIENT","localEndpoint":{"serviceName":"front","ipv4":"10.0.0.1","port":8080},)"
      R"("remoteEndpoint":{"serviceName":"db","ipv4":"192.168.1.2","ipv6":"2001:db8::1","port":5432})"));
  const Span& span = batch.spans()[0];
  CHECK(batch.resource_of(span).ServiceName() == "front");
  CHECK(Flatten(span.attributes) == Pairs{{"net.host.ip", "10.0.0.1"},
                                          {"net.host.port", "int:8080"},
                                          {"peer.service", "db"},
                                          {"net.peer.ip", "2001:db8::1"},  // IPv6 wins, as in OTel
                                          {"net.peer.port", "int:5432"}});
}

TEST_CASE("zipkin v2 json: a peer.service tag wins over remoteEndpoint.serviceName") {
  SpanBatch batch = DecodeOk(
      OneSpan(R"("tags":{"peer.service":"tagged"},"remoteEndpoint":{"serviceName":"ep"})"));
  CHECK(Flatten(batch.spans()[0].attributes) == Pairs{{"peer.service", "tagged"}});
}

TEST_CASE("zipkin v2 json: shared server spans keep their id and are marked zipkin.shared") {
  SpanBatch batch = DecodeOk(
      R"([{"traceId":"1","id":"2","kind":"CLIENT","localEndpoint":{"serviceName":"a"}},)"
      R"({"traceId":"1","id":"2","kind":"SERVER","shared":true,"localEndpoint":{"serviceName":"b"}}])");
  REQUIRE(batch.spans().size() == 2);
  const Span& server = batch.spans()[1];
  CHECK(server.span_id == SpanId{2});
  CHECK(server.kind == SpanKind::kServer);
  CHECK(Flatten(server.attributes) == Pairs{{"zipkin.shared", "bool:true"}});
  CHECK(batch.spans()[0].attributes.empty());
}

TEST_CASE("zipkin v2 json: status tags") {
  SECTION("otel.status_code and otel.status_description") {
    SpanBatch batch = DecodeOk(
        OneSpan(R"("tags":{"otel.status_description":"bad","otel.status_code":"ERROR","x":"y"})"));
    const Span& span = batch.spans()[0];
    CHECK(span.status.code == SpanStatusCode::kError);
    CHECK(span.status.message == "bad");
    CHECK(Flatten(span.attributes) == Pairs{{"x", "y"}});
  }
  SECTION("OK") {
    SpanBatch batch = DecodeOk(OneSpan(R"("tags":{"otel.status_code":"OK"})"));
    CHECK(batch.spans()[0].status.code == SpanStatusCode::kOk);
    CHECK(batch.spans()[0].attributes.empty());
  }
  SECTION("error=true: ERROR without a message") {
    SpanBatch batch = DecodeOk(OneSpan(R"("tags":{"error":"true"})"));
    CHECK(batch.spans()[0].status.code == SpanStatusCode::kError);
    CHECK(batch.spans()[0].status.message.empty());
    CHECK(batch.spans()[0].attributes.empty());
  }
  SECTION("error=<message>: ERROR with the message") {
    SpanBatch batch = DecodeOk(OneSpan(R"("tags":{"error":"timeout"})"));
    CHECK(batch.spans()[0].status.code == SpanStatusCode::kError);
    CHECK(batch.spans()[0].status.message == "timeout");
  }
  SECTION("error=false is dropped") {
    SpanBatch batch = DecodeOk(OneSpan(R"("tags":{"error":"false"})"));
    CHECK(batch.spans()[0].status.code == SpanStatusCode::kUnset);
    CHECK(batch.spans()[0].attributes.empty());
  }
  SECTION("a description alone stays a tag; an unknown code stays a tag") {
    SpanBatch batch =
        DecodeOk(OneSpan(R"("tags":{"otel.status_description":"d","otel.status_code":"MAYBE"})"));
    CHECK(batch.spans()[0].status.code == SpanStatusCode::kUnset);
    CHECK(Flatten(batch.spans()[0].attributes) ==
          Pairs{{"otel.status_description", "d"}, {"otel.status_code", "MAYBE"}});
  }
}

TEST_CASE("zipkin v2 json: scope, trace state and span.kind tags") {
  SECTION("otel.scope.*") {
    SpanBatch batch = DecodeOk(OneSpan(
        R"("tags":{"otel.scope.name":"lib","otel.scope.version":"2.0","w3c.tracestate":"a=b"})"));
    const Span& span = batch.spans()[0];
    CHECK(batch.scope_of(span).name == "lib");
    CHECK(batch.scope_of(span).version == "2.0");
    CHECK(span.trace_state == "a=b");
    CHECK(span.attributes.empty());
  }
  SECTION("otel.library.*") {
    SpanBatch batch =
        DecodeOk(OneSpan(R"("tags":{"otel.library.name":"old","otel.library.version":"1"})"));
    CHECK(batch.scope_of(batch.spans()[0]).name == "old");
    CHECK(batch.scope_of(batch.spans()[0]).version == "1");
  }
  SECTION("span.kind=internal without a Zipkin kind") {
    SpanBatch batch = DecodeOk(OneSpan(R"("tags":{"span.kind":"internal"})"));
    CHECK(batch.spans()[0].kind == SpanKind::kInternal);
    CHECK(batch.spans()[0].attributes.empty());
  }
  SECTION("no kind at all stays unspecified") {
    SpanBatch batch = DecodeOk(OneSpan(""));
    CHECK(batch.spans()[0].kind == SpanKind::kUnspecified);
  }
}

TEST_CASE("zipkin v2 json: spans are grouped by service into resources and scopes") {
  SpanBatch batch = DecodeOk(
      R"([{"traceId":"1","id":"1","localEndpoint":{"serviceName":"a"}},)"
      R"({"traceId":"1","id":"2","localEndpoint":{"serviceName":"b"},"tags":{"otel.scope.name":"s"}},)"
      R"({"traceId":"1","id":"3","localEndpoint":{"serviceName":"a"}},)"
      R"({"traceId":"1","id":"4","localEndpoint":{"serviceName":"a"},"tags":{"host.name":"h2"}},)"
      R"({"traceId":"1","id":"5"}])");
  REQUIRE(batch.resources().size() == 4);
  REQUIRE(batch.spans().size() == 5);
  // Stable grouping: a's spans first (in input order), then b, then a with another host, then none.
  CHECK(batch.spans()[0].span_id == SpanId{1});
  CHECK(batch.spans()[1].span_id == SpanId{3});
  CHECK(batch.spans()[0].resource_index == batch.spans()[1].resource_index);
  CHECK(batch.spans()[2].span_id == SpanId{2});
  CHECK(batch.resource_of(batch.spans()[2]).ServiceName() == "b");
  CHECK(batch.scope_of(batch.spans()[2]).name == "s");
  CHECK(batch.spans()[3].span_id == SpanId{4});
  CHECK(Flatten(batch.resource_of(batch.spans()[3]).attributes) ==
        Pairs{{"service.name", "a"}, {"host.name", "h2"}});
  CHECK(batch.spans()[4].span_id == SpanId{5});
  CHECK(batch.resource_of(batch.spans()[4]).attributes.empty());
}

TEST_CASE("zipkin v2 json: a service.name tag names the service when localEndpoint does not") {
  SpanBatch batch = DecodeOk(OneSpan(R"("tags":{"service.name":"from-tag"})"));
  CHECK(Flatten(batch.resources()[0].attributes) == Pairs{{"service.name", "from-tag"}});
  CHECK(batch.spans()[0].attributes.empty());
}

TEST_CASE("zipkin v2 json: parentId equal to id, nulls, and number forms") {
  SpanBatch batch = DecodeOk(OneSpan(
      R"("parentId":"00000000000000bb","name":null,"kind":null,"timestamp":1.5e3,"duration":null,)"
      R"("localEndpoint":null,"annotations":[{"timestamp":2000,"value":"a"}],"shared":null)"));
  const Span& span = batch.spans()[0];
  CHECK(span.parent_span_id.empty());
  CHECK(span.name.empty());
  CHECK(span.start_time_unix_nano == 1500 * kMicros);
  CHECK(span.end_time_unix_nano == 1500 * kMicros);
  REQUIRE(span.events.size() == 1);
  CHECK(span.events[0].time_unix_nano == 2000 * kMicros);
  CHECK(span.events[0].attributes.empty());
}

TEST_CASE("zipkin v2 json: escaped strings are unescaped into the batch") {
  SpanBatch batch =
      DecodeOk(OneSpan(R"("name":"a\"b\\c\n\u00e9\ud83d\udc22","tags":{"k\u0041":"v\/"})"));
  const Span& span = batch.spans()[0];
  CHECK(span.name == "a\"b\\c\n\xC3\xA9\xF0\x9F\x90\xA2");
  CHECK(Flatten(span.attributes) == Pairs{{"kA", "v/"}});
}

TEST_CASE("zipkin v2 json: round trip through the encoder") {
  std::string bytes = ReadWireFixture("zipkin-v2-spans.json");
  SpanBatch first;
  REQUIRE(DecodeV2Json(bytes, first).ok());
  std::string encoded;
  EncodeV2Json(first, encoded);
  SpanBatch second;
  Status status = DecodeV2Json(encoded, second);
  INFO(status.message() << "\n" << encoded);
  REQUIRE(status.ok());
  ExpectFixtureBatch(second);
  ExpectSameSpans(first, second);

  // What the encoder wrote, as Zipkin reads it.
  rapidjson::Document document = ParseJson(encoded);
  REQUIRE(document.IsArray());
  REQUIRE(document.Size() == 4);
  const auto& redis = document[0];
  CHECK(std::string(redis["traceId"].GetString()) == "a1b2c3d4e5f607180000000000000001");
  CHECK(std::string(redis["id"].GetString()) == "c0ffee0000000002");
  CHECK(std::string(redis["parentId"].GetString()) == "c0ffee0000000001");
  CHECK(std::string(redis["kind"].GetString()) == "CLIENT");
  CHECK(std::string(redis["name"].GetString()) == "redis GET");
  CHECK(redis["timestamp"].GetUint64() == 1764240000005000ULL);
  CHECK(redis["duration"].GetUint64() == 7000);
  CHECK(std::string(redis["localEndpoint"]["serviceName"].GetString()) == "frontend");
  CHECK(std::string(redis["remoteEndpoint"]["serviceName"].GetString()) == "redis");
  CHECK_FALSE(redis["tags"].HasMember("peer.service"));
  CHECK(std::string(redis["tags"]["db.system"].GetString()) == "redis");
  CHECK(std::string(redis["tags"]["service.name"].GetString()) == "frontend");
  CHECK(std::string(redis["tags"]["host.name"].GetString()) == "node-1");
  CHECK(std::string(redis["tags"]["service.version"].GetString()) == "1.2.3");
  CHECK(redis["annotations"][0]["timestamp"].GetUint64() == 1764240000007000ULL);
  CHECK(std::string(redis["annotations"][0]["value"].GetString()) == "cache miss");
  CHECK_FALSE(redis.HasMember("debug"));
  CHECK_FALSE(redis.HasMember("shared"));
  const auto& sql = document[1];
  CHECK(std::string(sql["tags"]["otel.status_code"].GetString()) == "ERROR");
  CHECK(std::string(sql["tags"]["error"].GetString()) == "connection reset");
  const auto& root = document[3];
  CHECK_FALSE(root.HasMember("parentId"));
  CHECK_FALSE(root.HasMember("remoteEndpoint"));
  CHECK(std::string(root["tags"]["unicode.str"].GetString()) ==
        "\xC5\xBC\xC3\xB3\xC5\x82w \xF0\x9F\x90\xA2");
}

// A model span with everything Zipkin has a rule for.
SpanBatch RichModelBatch() {
  SpanBatch batch;
  uint32_t resource = batch.AddResource();
  batch.resources()[resource].attributes.push_back({"service.name", AnyValue::String("checkout")});
  batch.resources()[resource].attributes.push_back({"process.pid", AnyValue::Int(42)});
  uint32_t scope = batch.AddScope();
  batch.scopes()[scope].name = "io.lib";
  batch.scopes()[scope].version = "3.1";
  Span& span = batch.AddSpan(resource, scope);
  span.trace_id = {0x1122334455667788ULL, 0x99aabbccddeeff00ULL};
  span.span_id = {0x0102030405060708ULL};
  span.parent_span_id = {0x1112131415161718ULL};
  span.name = "charge";
  span.kind = SpanKind::kInternal;
  span.flags = 1 | 2;
  span.trace_state = "k=v";
  span.start_time_unix_nano = 1000000000123456789ULL;
  span.end_time_unix_nano = 1000000000223456789ULL;
  span.status = {SpanStatusCode::kError, "declined"};
  AnyValue* array = batch.AllocateArray<AnyValue>(3);
  array[0] = AnyValue::String("x");
  array[1] = AnyValue::Int(7);
  array[2] = AnyValue::Bool(false);
  Attribute* map = batch.AllocateArray<Attribute>(1);
  map[0] = {"inner", AnyValue::Double(1.5)};
  auto& attributes = span.attributes;
  attributes.push_back({"b", AnyValue::Bool(true)});
  attributes.push_back({"i", AnyValue::Int(-12)});
  attributes.push_back({"d", AnyValue::Double(0.1)});
  attributes.push_back({"arr", AnyValue::Array(array, 3)});
  attributes.push_back({"map", AnyValue::Map(map, 1)});
  attributes.push_back({"bytes", AnyValue::Bytes("\x01\x02")});
  attributes.push_back({"bad.utf8", AnyValue::String("a\xFF"
                                                     "b")});
  attributes.push_back({"peer.service", AnyValue::String("bank")});
  attributes.push_back({"net.peer.ip", AnyValue::String("10.1.2.3")});
  attributes.push_back({"net.peer.port", AnyValue::Int(443)});
  attributes.push_back({"net.host.ip", AnyValue::String("::1")});
  attributes.push_back({"net.host.port", AnyValue::String("8443")});
  attributes.push_back({"zipkin.shared", AnyValue::Bool(true)});
  attributes.push_back({"error", AnyValue::Bool(true)});  // the status is what counts
  Event& event = span.events.emplace_back(batch.arena());
  event.name = "retry";
  event.time_unix_nano = 1000000000150000000ULL;
  event.attributes.push_back({"attempt", AnyValue::Int(2)});
  Link& link = span.links.emplace_back(batch.arena());
  link.trace_id = {1, 2};
  link.span_id = {3};
  return batch;
}

TEST_CASE("zipkin v2 json: the encoder maps every model field as the OTel exporters do") {
  SpanBatch batch = RichModelBatch();
  std::string encoded;
  EncodeV2Json(batch, encoded);
  INFO(encoded);
  rapidjson::Document document = ParseJson(encoded);
  REQUIRE(document.Size() == 1);
  const auto& span = document[0];
  CHECK(std::string(span["traceId"].GetString()) == "112233445566778899aabbccddeeff00");
  CHECK(std::string(span["id"].GetString()) == "0102030405060708");
  CHECK(std::string(span["parentId"].GetString()) == "1112131415161718");
  CHECK_FALSE(span.HasMember("kind"));  // INTERNAL has no Zipkin kind
  CHECK(span["timestamp"].GetUint64() == 1000000000123456ULL);
  CHECK(span["duration"].GetUint64() == 100000);
  CHECK(span["debug"].GetBool());
  CHECK(span["shared"].GetBool());
  CHECK(std::string(span["localEndpoint"]["serviceName"].GetString()) == "checkout");
  CHECK(std::string(span["localEndpoint"]["ipv6"].GetString()) == "::1");
  CHECK(span["localEndpoint"]["port"].GetUint() == 8443);
  CHECK(std::string(span["remoteEndpoint"]["serviceName"].GetString()) == "bank");
  CHECK(std::string(span["remoteEndpoint"]["ipv4"].GetString()) == "10.1.2.3");
  CHECK(span["remoteEndpoint"]["port"].GetUint() == 443);
  REQUIRE(span["annotations"].Size() == 1);
  CHECK(std::string(span["annotations"][0]["value"].GetString()) == "retry");
  CHECK(span["annotations"][0]["timestamp"].GetUint64() == 1000000000150000ULL);
  const auto& tags = span["tags"];
  Pairs written;
  for (auto it = tags.MemberBegin(); it != tags.MemberEnd(); ++it) {
    written.emplace_back(it->name.GetString(), it->value.GetString());
  }
  CHECK(written == Pairs{{"b", "true"},
                         {"i", "-12"},
                         {"d", "0.1"},
                         {"arr", "x,7,false"},
                         {"map", R"({"inner":1.5})"},
                         {"bytes", "AQI="},
                         {"bad.utf8",
                          "a\xEF\xBF\xBD"
                          "b"},
                         {"otel.scope.name", "io.lib"},
                         {"otel.scope.version", "3.1"},
                         {"w3c.tracestate", "k=v"},
                         {"span.kind", "internal"},
                         {"otel.status_code", "ERROR"},
                         {"error", "declined"},
                         {"service.name", "checkout"},
                         {"process.pid", "42"}});
}

TEST_CASE("zipkin v2 json: model -> json -> model keeps what Zipkin can carry") {
  SpanBatch batch = RichModelBatch();
  std::string encoded;
  EncodeV2Json(batch, encoded);
  SpanBatch decoded;
  Status status = DecodeV2Json(encoded, decoded);
  INFO(status.message());
  REQUIRE(status.ok());
  const Span& span = decoded.spans()[0];
  const Span& original = batch.spans()[0];
  CHECK(span.trace_id == original.trace_id);
  CHECK(span.span_id == original.span_id);
  CHECK(span.parent_span_id == original.parent_span_id);
  CHECK(span.kind == SpanKind::kInternal);
  CHECK(span.flags == 3);
  CHECK(span.trace_state == "k=v");
  CHECK(span.start_time_unix_nano == 1000000000123456000ULL);  // µs precision
  CHECK(span.end_time_unix_nano == 1000000000223456000ULL);
  CHECK(span.status.code == SpanStatusCode::kError);
  CHECK(span.status.message == "declined");
  CHECK(decoded.scope_of(span).name == "io.lib");
  CHECK(decoded.scope_of(span).version == "3.1");
  CHECK(Flatten(decoded.resource_of(span).attributes) ==
        Pairs{{"service.name", "checkout"}, {"process.pid", "42"}});
  CHECK(Flatten(span.attributes) == Pairs{{"b", "true"},
                                          {"i", "-12"},
                                          {"d", "0.1"},
                                          {"arr", "x,7,false"},
                                          {"map", R"({"inner":1.5})"},
                                          {"bytes", "AQI="},
                                          {"bad.utf8",
                                           "a\xEF\xBF\xBD"
                                           "b"},
                                          {"net.host.ip", "::1"},
                                          {"net.host.port", "int:8443"},
                                          {"peer.service", "bank"},
                                          {"net.peer.ip", "10.1.2.3"},
                                          {"net.peer.port", "int:443"},
                                          {"zipkin.shared", "bool:true"}});
  REQUIRE(span.events.size() == 1);
  CHECK(span.events[0].attributes.empty());  // event attributes are not carried
  CHECK(span.links.empty());                 // links are not carried
}

TEST_CASE("zipkin v2 json: an empty batch is an empty array, decoding [] adds nothing") {
  SpanBatch empty;
  std::string encoded;
  EncodeV2Json(empty, encoded);
  CHECK(encoded == "[]");
  CHECK(DecodeV2Json(" [ ] ", empty).ok());
  CHECK(empty.spans().empty());
}

TEST_CASE("zipkin v2 json: decoding appends to a batch that already holds spans") {
  SpanBatch batch = RichModelBatch();
  std::string bytes = ReadWireFixture("zipkin-v2-spans.json");
  REQUIRE(DecodeV2Json(bytes, batch).ok());
  REQUIRE(batch.spans().size() == 5);
  CHECK(batch.spans()[0].name == "charge");
  CHECK(batch.spans()[1].name == "redis GET");
  CHECK(batch.resource_of(batch.spans()[1]).ServiceName() == "frontend");
}

TEST_CASE("zipkin v2 json: bad input fails with a message that says where") {
  CHECK(ErrorOf("").find("zipkin v2 json") != std::string::npos);
  CHECK(ErrorOf("{}").find("expected a JSON array") != std::string::npos);
  CHECK(ErrorOf("[1]") == "zipkin v2 json: span[0]: expected an object");
  CHECK(ErrorOf(R"([{"id":"1"}])") == "zipkin v2 json: span[0].traceId: missing or zero");
  CHECK(ErrorOf(R"([{"traceId":"1"}])") == "zipkin v2 json: span[0].id: missing or zero");
  CHECK(ErrorOf(R"([{"traceId":"xyz","id":"1"}])") ==
        "zipkin v2 json: span[0].traceId: expected 1 to 32 hex chars");
  CHECK(ErrorOf(R"([{"traceId":"1","id":"11112222333344445"}])") ==
        "zipkin v2 json: span[0].id: expected 1 to 16 hex chars");
  CHECK(ErrorOf(OneSpan(R"("timestamp":"10")")) ==
        "zipkin v2 json: span[0].timestamp: expected a number");
  CHECK(ErrorOf(OneSpan(R"("timestamp":-1)")) ==
        "zipkin v2 json: span[0].timestamp: expected a non-negative number");
  CHECK(ErrorOf(OneSpan(R"("timestamp":18446744073709552)")) ==
        "zipkin v2 json: span[0]: timestamp or duration out of range");
  CHECK(ErrorOf(OneSpan(R"("kind":"client")")).find("span[0].kind") != std::string::npos);
  CHECK(ErrorOf(OneSpan(R"("tags":{"a":1})")) ==
        "zipkin v2 json: span[0].tags.a: expected a string");
  CHECK(ErrorOf(OneSpan(R"("tags":[])")) == "zipkin v2 json: span[0].tags: expected an object");
  CHECK(ErrorOf(OneSpan(R"("annotations":{})")) ==
        "zipkin v2 json: span[0].annotations: expected an array");
  CHECK(ErrorOf(OneSpan(R"("annotations":[{"timestamp":true}])")) ==
        "zipkin v2 json: span[0].annotations[0].timestamp: expected a number");
  CHECK(ErrorOf(OneSpan(R"("debug":"yes")")) ==
        "zipkin v2 json: span[0].debug: expected true or false");
  CHECK(ErrorOf(OneSpan(R"("localEndpoint":{"ipv4":"1.2.3"})")) ==
        "zipkin v2 json: span[0].localEndpoint.ipv4: expected an IPv4 address");
  CHECK(ErrorOf(OneSpan(R"("remoteEndpoint":{"ipv6":"1.2.3.4"})")) ==
        "zipkin v2 json: span[0].remoteEndpoint.ipv6: expected an IPv6 address");
  CHECK(ErrorOf(OneSpan(R"("localEndpoint":{"port":70000})")) ==
        "zipkin v2 json: span[0].localEndpoint.port: expected a port number (0 to 65535)");
  CHECK(ErrorOf(OneSpan(R"("localEndpoint":"x")")) ==
        "zipkin v2 json: span[0].localEndpoint: expected an object");
  CHECK(ErrorOf(OneSpan(R"("name":"\x")")).find("span[0].name") != std::string::npos);
  CHECK(ErrorOf(OneSpan(R"("name":"\ud800")")) ==
        "zipkin v2 json: span[0].name: invalid escape sequence");
  CHECK(ErrorOf(OneSpan("") + "[]").find("after the array") != std::string::npos);
  CHECK_FALSE(ErrorOf(OneSpan(R"("name":"a)"
                              "\xC3\x28"
                              R"(")"))
                  .empty());  // invalid UTF-8
}

TEST_CASE("zipkin v2 json: truncated input fails at every cut") {
  std::string bytes = ReadWireFixture("zipkin-v2-spans.json");
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    SpanBatch batch;
    CHECK_FALSE(DecodeV2Json(bytes.substr(0, cut), batch).ok());
  }
}

TEST_CASE("zipkin v2 json: deep nesting is refused") {
  std::string deep = OneSpan(R"("unknown":)" + std::string(100, '[') + std::string(100, ']'));
  SpanBatch batch;
  Status status = DecodeV2Json(deep, batch);
  CHECK_FALSE(status.ok());
  std::string shallow = OneSpan(R"("unknown":[[{"a":[1]}]])");
  CHECK(DecodeV2Json(shallow, batch).ok());
}

TEST_CASE("zipkin v2 json: random bytes and mutations never crash") {
  std::mt19937 random(7);
  std::string fixture = ReadWireFixture("zipkin-v2-spans.json");
  for (int round = 0; round < 2000; ++round) {
    std::string input = fixture;
    int flips = 1 + static_cast<int>(random() % 8);
    for (int i = 0; i < flips; ++i) input[random() % input.size()] = static_cast<char>(random());
    SpanBatch batch;
    if (DecodeV2Json(input, batch).ok()) {
      std::string encoded;
      EncodeV2Json(batch, encoded);
    }
  }
  for (int round = 0; round < 500; ++round) {
    std::string input(random() % 64, '\0');
    for (char& c : input) c = static_cast<char>(random());
    SpanBatch batch;
    (void)DecodeV2Json(input, batch);
  }
}

}  // namespace
}  // namespace ariadne::tracecore::zipkin
