#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>

#include "test_support.h"
#include "tracecore/codec/zipkin.h"
#include "zipkin/zipkin.pb.h"
#include "zipkin_test_support.h"

namespace ariadne::tracecore::zipkin {
namespace {

namespace pb = ::zipkin::proto3;

using testing::ReadWireFixture;
using testing::zipkin::ExpectFixtureBatch;
using testing::zipkin::ExpectSameSpans;
using testing::zipkin::Flatten;
using testing::zipkin::kMicros;
using testing::zipkin::Pairs;

// The fixture, decoded from its JSON form (the proto form carries the same fields).
SpanBatch FixtureBatch(std::string& bytes) {
  bytes = ReadWireFixture("zipkin-v2-spans.json");
  SpanBatch batch;
  REQUIRE(DecodeV2Json(bytes, batch).ok());
  return batch;
}

std::string BigEndian64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8)
    bytes[static_cast<size_t>(i)] = static_cast<char>(value);
  return bytes;
}

std::string ErrorOf(std::string_view bytes) {
  SpanBatch batch;
  Status status = DecodeV2Proto(bytes, batch);
  CHECK_FALSE(status.ok());
  return status.message();
}

// A span that libprotobuf serializes, with every field set.
pb::ListOfSpans FullList() {
  pb::ListOfSpans list;
  pb::Span* span = list.add_spans();
  span->set_trace_id(BigEndian64(0x1111) + BigEndian64(0x2222));
  span->set_parent_id(BigEndian64(0x3333));
  span->set_id(BigEndian64(0x4444));
  span->set_kind(pb::Span_Kind_SERVER);
  span->set_name("get /users");
  span->set_timestamp(1700000000000001ULL);
  span->set_duration(250);
  span->mutable_local_endpoint()->set_service_name("users");
  span->mutable_local_endpoint()->set_ipv4(std::string("\x0a\x00\x00\x07", 4));
  span->mutable_local_endpoint()->set_port(9000);
  span->mutable_remote_endpoint()->set_service_name("gateway");
  span->mutable_remote_endpoint()->set_ipv6(
      std::string("\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16));
  span->mutable_remote_endpoint()->set_port(51000);
  pb::Annotation* annotation = span->add_annotations();
  annotation->set_timestamp(1700000000000100ULL);
  annotation->set_value("wire receive");
  (*span->mutable_tags())["http.path"] = "/users";
  span->set_debug(true);
  span->set_shared(true);
  pb::Span* second = list.add_spans();
  second->set_trace_id(BigEndian64(0x55));  // 8-byte (64-bit) trace id
  second->set_id(BigEndian64(0x66));
  return list;
}

TEST_CASE("zipkin v2 proto: bytes libprotobuf serialized decode field by field") {
  std::string bytes = FullList().SerializeAsString();
  SpanBatch batch;
  Status status = DecodeV2Proto(bytes, batch);
  INFO(status.message());
  REQUIRE(status.ok());
  REQUIRE(batch.spans().size() == 2);
  const Span& span = batch.spans()[0];
  CHECK(span.trace_id == TraceId{0x1111, 0x2222});
  CHECK(span.parent_span_id == SpanId{0x3333});
  CHECK(span.span_id == SpanId{0x4444});
  CHECK(span.kind == SpanKind::kServer);
  CHECK(span.name == "get /users");
  CHECK(span.start_time_unix_nano == 1700000000000001ULL * kMicros);
  CHECK(span.end_time_unix_nano == 1700000000000251ULL * kMicros);
  CHECK(span.flags == 3);
  CHECK(batch.resource_of(span).ServiceName() == "users");
  CHECK(Flatten(span.attributes) == Pairs{{"http.path", "/users"},
                                          {"net.host.ip", "10.0.0.7"},
                                          {"net.host.port", "int:9000"},
                                          {"peer.service", "gateway"},
                                          {"net.peer.ip", "fe80::1"},
                                          {"net.peer.port", "int:51000"},
                                          {"zipkin.shared", "bool:true"}});
  REQUIRE(span.events.size() == 1);
  CHECK(span.events[0].name == "wire receive");
  CHECK(span.events[0].time_unix_nano == 1700000000000100ULL * kMicros);
  const Span& second = batch.spans()[1];
  CHECK(second.trace_id == TraceId{0, 0x55});
  CHECK(second.span_id == SpanId{0x66});
  CHECK(second.kind == SpanKind::kUnspecified);
  CHECK(second.start_time_unix_nano == 0);
  CHECK(batch.resource_of(second).attributes.empty());
}

TEST_CASE("zipkin v2 proto: the encoder's bytes parse with libprotobuf") {
  std::string json;
  SpanBatch batch = FixtureBatch(json);
  std::string bytes;
  EncodeV2Proto(batch, bytes);
  pb::ListOfSpans list;
  REQUIRE(list.ParseFromString(bytes));
  REQUIRE(list.spans_size() == 4);

  const pb::Span& redis = list.spans(0);
  CHECK(redis.trace_id() == BigEndian64(0xa1b2c3d4e5f60718ULL) + BigEndian64(1));
  CHECK(redis.id() == BigEndian64(0xc0ffee0000000002ULL));
  CHECK(redis.parent_id() == BigEndian64(0xc0ffee0000000001ULL));
  CHECK(redis.kind() == pb::Span_Kind_CLIENT);
  CHECK(redis.name() == "redis GET");
  CHECK(redis.timestamp() == 1764240000005000ULL);
  CHECK(redis.duration() == 7000);
  CHECK(redis.local_endpoint().service_name() == "frontend");
  CHECK(redis.remote_endpoint().service_name() == "redis");
  REQUIRE(redis.annotations_size() == 1);
  CHECK(redis.annotations(0).timestamp() == 1764240000007000ULL);
  CHECK(redis.annotations(0).value() == "cache miss");
  std::map<std::string, std::string> tags(redis.tags().begin(), redis.tags().end());
  CHECK(tags == std::map<std::string, std::string>{{"db.system", "redis"},
                                                   {"service.name", "frontend"},
                                                   {"host.name", "node-1"},
                                                   {"service.version", "1.2.3"}});
  CHECK_FALSE(redis.debug());
  CHECK_FALSE(redis.shared());

  const pb::Span& sql = list.spans(1);
  CHECK(sql.tags().at("otel.status_code") == "ERROR");
  CHECK(sql.tags().at("error") == "connection reset");
  CHECK(list.spans(2).kind() == pb::Span_Kind_PRODUCER);
  const pb::Span& root = list.spans(3);
  CHECK(root.kind() == pb::Span_Kind_SERVER);
  CHECK(root.parent_id().empty());
  CHECK_FALSE(root.has_remote_endpoint());
  CHECK(root.tags().at("http.status_code") == "200");
  CHECK(root.tags().at("unicode.str") == "\xC5\xBC\xC3\xB3\xC5\x82w \xF0\x9F\x90\xA2");

  // And libprotobuf writes the same message back to bytes our decoder reads identically.
  SpanBatch from_ours, from_theirs;
  REQUIRE(DecodeV2Proto(bytes, from_ours).ok());
  std::string theirs = list.SerializeAsString();
  REQUIRE(DecodeV2Proto(theirs, from_theirs).ok());
  ExpectFixtureBatch(from_ours);
  // libprotobuf writes map entries in its own order.
  ExpectSameSpans(from_ours, from_theirs, /*attribute_order_matters=*/false);
}

TEST_CASE("zipkin v2 proto: 64-bit trace ids are written as 8 bytes, debug and shared as bools") {
  SpanBatch batch;
  uint32_t resource = batch.AddResource();
  uint32_t scope = batch.AddScope();
  Span& span = batch.AddSpan(resource, scope);
  span.trace_id = {0, 0xabc};
  span.span_id = {0xdef};
  span.flags = 3;
  span.kind = SpanKind::kConsumer;
  span.attributes.push_back({"zipkin.shared", AnyValue::String("true")});
  span.attributes.push_back({"net.peer.ip", AnyValue::String("1.2.3.4")});
  std::string bytes;
  EncodeV2Proto(batch, bytes);
  pb::ListOfSpans list;
  REQUIRE(list.ParseFromString(bytes));
  const pb::Span& out = list.spans(0);
  CHECK(out.trace_id() == BigEndian64(0xabc));
  CHECK(out.kind() == pb::Span_Kind_CONSUMER);
  CHECK(out.debug());
  CHECK(out.shared());
  CHECK(out.remote_endpoint().ipv4() == std::string("\x01\x02\x03\x04", 4));
  CHECK(out.tags().empty());
  CHECK_FALSE(out.has_local_endpoint());
}

TEST_CASE("zipkin v2 proto: invalid UTF-8 in the model is repaired, as proto3 strings need") {
  SpanBatch batch;
  uint32_t resource = batch.AddResource();
  batch.resources()[resource].attributes.push_back({"service.name", AnyValue::String("s\xff")});
  Span& span = batch.AddSpan(resource, batch.AddScope());
  span.trace_id = {0, 1};
  span.span_id = {2};
  span.name =
      "a\xff"
      "b";
  span.attributes.push_back({"k\xfe", AnyValue::String("v\xc3")});
  Event& event = span.events.emplace_back(batch.arena());
  event.name = "\xe2\x82";
  std::string bytes;
  EncodeV2Proto(batch, bytes);
  pb::ListOfSpans list;
  REQUIRE(list.ParseFromString(bytes));
  const pb::Span& out = list.spans(0);
  const std::string replacement = "\xEF\xBF\xBD";
  CHECK(out.name() == "a" + replacement + "b");
  CHECK(out.local_endpoint().service_name() == "s" + replacement);
  CHECK(out.tags().at("k" + replacement) == "v" + replacement);
  CHECK(out.annotations(0).value() == replacement + replacement);
  SpanBatch decoded;
  CHECK(DecodeV2Proto(bytes, decoded).ok());
}

TEST_CASE("zipkin v2 proto: round trip keeps the fixture") {
  std::string json;
  SpanBatch first = FixtureBatch(json);
  std::string bytes;
  EncodeV2Proto(first, bytes);
  SpanBatch second;
  Status status = DecodeV2Proto(bytes, second);
  INFO(status.message());
  REQUIRE(status.ok());
  ExpectFixtureBatch(second);
  ExpectSameSpans(first, second);

  // proto -> json -> proto is stable too.
  std::string json_again;
  EncodeV2Json(second, json_again);
  SpanBatch third;
  REQUIRE(DecodeV2Json(json_again, third).ok());
  std::string bytes_again;
  EncodeV2Proto(third, bytes_again);
  CHECK(bytes_again == bytes);
}

TEST_CASE("zipkin v2 proto: unknown fields are skipped, unknown kinds read as unspecified") {
  pb::ListOfSpans list = FullList();
  list.mutable_spans(0)->set_kind(static_cast<pb::Span_Kind>(9));
  std::string bytes = list.SerializeAsString();
  bytes += std::string("\x10\x05", 2);  // ListOfSpans field 2 (varint)
  bytes += std::string(
      "\x1a\x03"
      "abc",
      5);  // ListOfSpans field 3 (bytes)
  SpanBatch batch;
  REQUIRE(DecodeV2Proto(bytes, batch).ok());
  CHECK(batch.spans()[0].kind == SpanKind::kUnspecified);
  CHECK(batch.spans().size() == 2);
}

TEST_CASE("zipkin v2 proto: bad input fails with a message that says where") {
  auto with_span = [](auto mutate) {
    pb::ListOfSpans list;
    pb::Span* span = list.add_spans();
    span->set_trace_id(BigEndian64(1));
    span->set_id(BigEndian64(2));
    mutate(*span);
    return list.SerializeAsString();
  };
  CHECK(ErrorOf(with_span([](pb::Span& s) { s.set_trace_id("1234567"); })) ==
        "zipkin v2 proto: span[0]: byte 11: traceId: expected 8 or 16 bytes");
  CHECK(ErrorOf(with_span([](pb::Span& s) { s.set_id("12"); })).find("id: expected 8 bytes") !=
        std::string::npos);
  CHECK(ErrorOf(with_span([](pb::Span& s) { s.clear_id(); })) ==
        "zipkin v2 proto: span[0]: id: missing or zero");
  CHECK(ErrorOf(with_span([](pb::Span& s) { s.clear_trace_id(); })) ==
        "zipkin v2 proto: span[0]: traceId: missing or zero");
  CHECK(ErrorOf(with_span([](pb::Span& s) {
          s.set_parent_id("123");
        })).find("parentId: expected 8 bytes") != std::string::npos);
  CHECK(ErrorOf(with_span([](pb::Span& s) {
          s.mutable_local_endpoint()->set_ipv4("123");
        })).find("localEndpoint: byte") != std::string::npos);
  CHECK(ErrorOf(with_span([](pb::Span& s) {
          s.mutable_remote_endpoint()->set_ipv6("123");
        })).find("ipv6: expected 16 bytes") != std::string::npos);
  CHECK(ErrorOf(with_span([](pb::Span& s) {
          s.mutable_local_endpoint()->set_port(70000);
        })).find("port: expected 0 to 65535") != std::string::npos);
  CHECK(ErrorOf(with_span([](pb::Span& s) {
          s.mutable_local_endpoint()->set_port(-1);
        })).find("port: expected 0 to 65535") != std::string::npos);
  // Invalid UTF-8 in proto3 strings (libprotobuf's serializer refuses to write it; splice it).
  std::string bad_name = with_span([](pb::Span& s) { s.set_name("ab"); });
  bad_name[bad_name.find("ab")] = '\xff';
  CHECK(ErrorOf(bad_name).find("name: invalid UTF-8") != std::string::npos);
  // Wrong wire type: trace_id as a varint.
  CHECK(ErrorOf(std::string("\x0a\x02\x08\x01", 4)).find("wrong wire type") != std::string::npos);
  // A length prefix that lies.
  CHECK(ErrorOf(std::string("\x0a\x7f\x0a\x08", 4)).find("runs past the end") != std::string::npos);
  std::string lying = with_span([](pb::Span&) {});
  lying[1] = static_cast<char>(lying[1] + 5);
  CHECK_FALSE(ErrorOf(lying).empty());
  CHECK(ErrorOf(std::string("\x0a", 1)).find("truncated varint") != std::string::npos);
  CHECK(ErrorOf(std::string("\x0b", 1)).find("wrong wire type") != std::string::npos);
  CHECK(ErrorOf(std::string("\x13", 1)).find("groups are not supported") != std::string::npos);
  // Times that do not fit the model.
  CHECK(ErrorOf(with_span([](pb::Span& s) { s.set_timestamp(~0ULL); })).find("out of range") !=
        std::string::npos);
}

TEST_CASE("zipkin v2 proto: truncation at every byte fails or yields whole spans only") {
  std::string bytes = FullList().SerializeAsString();
  pb::ListOfSpans first_only = FullList();
  first_only.mutable_spans()->RemoveLast();
  size_t first_span_end = first_only.SerializeAsString().size();
  for (size_t cut = 1; cut < bytes.size(); ++cut) {
    SpanBatch batch;
    Status status = DecodeV2Proto(std::string_view(bytes).substr(0, cut), batch);
    if (cut != first_span_end) {
      INFO("cut " << cut);
      CHECK_FALSE(status.ok());
    }
  }
}

TEST_CASE("zipkin v2 proto: random bytes never crash") {
  std::mt19937 random(11);
  std::string valid = FullList().SerializeAsString();
  for (int round = 0; round < 3000; ++round) {
    std::string input = valid;
    int flips = 1 + static_cast<int>(random() % 6);
    for (int i = 0; i < flips; ++i) input[random() % input.size()] = static_cast<char>(random());
    SpanBatch batch;
    if (DecodeV2Proto(input, batch).ok()) {
      std::string out;
      EncodeV2Proto(batch, out);
    }
  }
  for (int round = 0; round < 1000; ++round) {
    std::string input(random() % 96, '\0');
    for (char& c : input) c = static_cast<char>(random());
    SpanBatch batch;
    (void)DecodeV2Proto(input, batch);
  }
}

}  // namespace
}  // namespace ariadne::tracecore::zipkin
