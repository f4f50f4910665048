// Span blocks (libs/storage/local/span_block.h): every field of every span reads back, one trace
// reads back without the others, and damaged blocks are refused without crashing. Spans are
// compared through their OTLP protobuf encoding (each span with its resource and scope), which
// carries every field of the model.
#include "local/span_block.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tracecore/codec/otlp_proto.h"

namespace ariadne::storage::local {
namespace {

using tracecore::AnyValue;
using tracecore::Attribute;
using tracecore::Span;
using tracecore::SpanBatch;
using tracecore::TraceId;

constexpr uint64_t kT0 = 1'767'225'600'000'000'000ULL;  // 2026-01-01T00:00:00Z

// Two traces in two resources and scopes, interleaved, with every kind of value and field.
SpanBatch RichBatch() {
  SpanBatch batch;
  for (int i = 0; i < 2; ++i) {
    const uint32_t r = batch.AddResource();
    auto& resource = batch.resources()[r];
    resource.attributes.push_back(
        {"service.name", AnyValue::String(i == 0 ? "frontend" : "checkout")});
    resource.attributes.push_back({"host.name", AnyValue::String("node-7")});
    resource.dropped_attributes_count = static_cast<uint32_t>(i);
    resource.schema_url = i == 0 ? "https://opentelemetry.io/schemas/1.21.0" : "";
    const uint32_t s = batch.AddScope();
    auto& scope = batch.scopes()[s];
    scope.name = "io.opentelemetry.http";
    scope.version = i == 0 ? "1.2.3" : "";
    scope.attributes.push_back({"scope.attr", AnyValue::Int(-i)});
    scope.dropped_attributes_count = 3;
    scope.schema_url = "https://example.com/scope";
  }
  auto* array = batch.AllocateArray<AnyValue>(4);
  array[0] = AnyValue::String("a");
  array[1] = AnyValue::Int(-9'000'000'000LL);
  array[2] = AnyValue::Double(-0.0);
  array[3] = AnyValue::Bool(true);
  auto* inner = batch.AllocateArray<Attribute>(1);
  inner[0] = {"deep", AnyValue::Array(array, 2)};
  auto* map = batch.AllocateArray<Attribute>(3);
  map[0] = {"nested", AnyValue::Map(inner, 1)};
  map[1] = {"empty", AnyValue()};
  map[2] = {"bytes", AnyValue::Bytes(std::string_view("\0\xff\x01", 3))};

  const TraceId first{0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL};
  const TraceId second{0, 42};
  for (uint64_t n = 0; n < 6; ++n) {
    Span& span = batch.AddSpan(static_cast<uint32_t>(n % 2), static_cast<uint32_t>(n % 2));
    span.trace_id = n % 2 == 0 ? first : second;  // the traces alternate
    span.span_id.value = 0xA000 + n;
    // Parents: none, the previous span of the trace, or one the block does not hold.
    if (n >= 2) span.parent_span_id.value = 0xA000 + n - 2;
    if (n == 5) span.parent_span_id.value = 0xFFFF'FFFF'FFFF'FFFFULL;
    span.trace_state = n == 0 ? "congo=t61rcWkgMzE" : "";
    span.name = n % 3 == 0 ? "GET /cart" : "SELECT orders";
    span.kind = static_cast<tracecore::SpanKind>(n % 6);
    span.flags = n == 1 ? 0x301 : 1;
    span.start_time_unix_nano = kT0 + n * 1'000'000;
    // An end before the start must survive as it is.
    span.end_time_unix_nano = n == 3 ? span.start_time_unix_nano - 5 : kT0 + n * 3'000'000 + 7;
    span.attributes.push_back({"http.status_code", AnyValue::Int(200 + static_cast<int64_t>(n))});
    span.attributes.push_back({"ratio", AnyValue::Double(0.1 * static_cast<double>(n))});
    span.attributes.push_back({"cache.hit", AnyValue::Bool(n % 2 == 0)});
    span.attributes.push_back({"list", AnyValue::Array(array, 4)});
    span.attributes.push_back({"map", AnyValue::Map(map, 3)});
    span.attributes.push_back({"", AnyValue::String("")});
    span.dropped_attributes_count = static_cast<uint32_t>(n);
    tracecore::Event& event = span.events.emplace_back(batch.arena());
    event.time_unix_nano = n == 4 ? 0 : span.start_time_unix_nano + 10;  // 0: before the start
    event.name = "exception";
    event.attributes.push_back({"exception.type", AnyValue::String("IOError")});
    event.dropped_attributes_count = 1;
    span.dropped_events_count = 2;
    if (n == 2) {
      tracecore::Link& link = span.links.emplace_back(batch.arena());
      link.trace_id = TraceId{7, 8};
      link.span_id.value = 9;
      link.trace_state = "a=b";
      link.attributes.push_back({"link.reason", AnyValue::String("batched_request")});
      link.dropped_attributes_count = 4;
      link.flags = 0x100;
      span.dropped_links_count = 5;
    }
    span.status.code = n == 3 ? tracecore::SpanStatusCode::kError : tracecore::SpanStatusCode::kOk;
    span.status.message = n == 3 ? "connection reset" : "";
  }
  return batch;
}

std::vector<const Span*> Pointers(const SpanBatch& batch) {
  std::vector<const Span*> spans;
  for (const Span& span : batch.spans()) spans.push_back(&span);
  return spans;
}

// A span with its resource and scope, as OTLP protobuf: equal bytes mean equal fields.
std::string Otlp(const SpanBatch& batch, const Span& span) {
  std::string out;
  const Span* one = &span;
  tracecore::otlp::EncodeExportRequest(batch, {&one, 1}, out);
  return out;
}

std::vector<std::string> OtlpOfTrace(const SpanBatch& batch, const TraceId& trace) {
  std::vector<std::string> out;
  for (const Span& span : batch.spans()) {
    if (span.trace_id == trace) out.push_back(Otlp(batch, span));
  }
  return out;
}

std::string Encode(const SpanBatch& batch) {
  std::string block;
  REQUIRE(EncodeSpanBlock(batch, Pointers(batch), block).ok());
  return block;
}

TEST_CASE("span block: every field of every span reads back") {
  const SpanBatch batch = RichBatch();
  const std::string block = Encode(batch);
  uint64_t count = 0;
  REQUIRE(SpanBlockSpanCount(block, count).ok());
  CHECK(count == 6);

  SpanBatch decoded;
  REQUIRE(DecodeSpanBlock(block, decoded).ok());
  REQUIRE(decoded.spans().size() == 6);
  // The interleaved traces were stored as four runs, and read back in that order.
  for (const TraceId& trace : {batch.spans()[0].trace_id, batch.spans()[1].trace_id}) {
    CHECK(OtlpOfTrace(decoded, trace) == OtlpOfTrace(batch, trace));
  }
  // Only the resources and scopes the spans use are in the output, once each.
  CHECK(decoded.resources().size() == 2);
  CHECK(decoded.scopes().size() == 2);
}

TEST_CASE("span block: one trace reads back without the others") {
  const SpanBatch batch = RichBatch();
  const std::string block = Encode(batch);
  const TraceId wanted = batch.spans()[1].trace_id;
  SpanBatch decoded;
  REQUIRE(DecodeSpanBlockTraces(block, {&wanted, 1}, decoded).ok());
  CHECK(decoded.spans().size() == 3);
  CHECK(OtlpOfTrace(decoded, wanted) == OtlpOfTrace(batch, wanted));
  CHECK(decoded.resources().size() == 1);

  const TraceId absent{99, 99};
  SpanBatch none;
  REQUIRE(DecodeSpanBlockTraces(block, {&absent, 1}, none).ok());
  CHECK(none.spans().empty());
}

TEST_CASE("span block: an opened block reads many times") {
  const SpanBatch batch = RichBatch();
  SpanBlockReader reader;
  REQUIRE(reader.Open(Encode(batch)).ok());
  CHECK(reader.span_count() == 6);
  for (int round = 0; round < 2; ++round) {
    for (const Span* span : {&batch.spans()[0], &batch.spans()[1]}) {
      SpanBatch decoded;
      const std::span<const TraceId> wanted(&span->trace_id, 1);
      REQUIRE(reader.Read(&wanted, decoded).ok());
      CHECK(OtlpOfTrace(decoded, span->trace_id) == OtlpOfTrace(batch, span->trace_id));
    }
  }
}

TEST_CASE("span block: an empty list of spans is a valid block") {
  const SpanBatch batch;
  std::string block;
  REQUIRE(EncodeSpanBlock(batch, {}, block).ok());
  SpanBatch decoded;
  REQUIRE(DecodeSpanBlock(block, decoded).ok());
  CHECK(decoded.spans().empty());
}

TEST_CASE("span block: a damaged block is refused with DataLoss, never misread or crashed on") {
  const SpanBatch batch = RichBatch();
  const std::string block = Encode(batch);

  SECTION("every truncation") {
    for (size_t size = 0; size < block.size(); ++size) {
      SpanBatch decoded;
      const auto status = DecodeSpanBlock(block.substr(0, size), decoded);
      REQUIRE_FALSE(status.ok());
      CHECK(status.code() == tracecore::StatusCode::kDataLoss);
    }
  }
  SECTION("an unknown version and a wrong span count") {
    std::string other = block;
    other[0] = 1;
    SpanBatch decoded;
    CHECK_THAT(DecodeSpanBlock(other, decoded).message(),
               Catch::Contains("corrupt span block (unknown block version)"));
    other = block;
    other[1] = 7;  // the span count (6) is one varint byte
    CHECK_THAT(DecodeSpanBlock(other, decoded).message(), Catch::Contains("span count"));
  }
  SECTION("every byte of the payload changed") {
    SpanBlockReader intact;
    REQUIRE(intact.Open(block).ok());
    size_t refused = 0;
    for (size_t i = 0; i < intact.payload().size(); ++i) {
      for (const uint8_t value : {0x00, 0x7f, 0xff}) {
        std::string payload = intact.payload();
        if (static_cast<uint8_t>(payload[i]) == value) continue;
        payload[i] = static_cast<char>(value);
        SpanBlockReader reader;
        SpanBatch decoded;
        auto status = reader.OpenPayload(std::move(payload), intact.span_count());
        if (status.ok()) status = reader.Read(nullptr, decoded);
        // A changed value (a time, an id) may still read; a broken structure must not.
        if (!status.ok()) {
          ++refused;
          CHECK_THAT(status.message(), Catch::Contains("corrupt span block"));
        }
      }
    }
    CHECK(refused > intact.payload().size());
  }
}

// Spans with arrays nested `levels` deep.
SpanBatch Nested(int levels) {
  SpanBatch batch;
  batch.AddResource();
  batch.AddScope();
  AnyValue value = AnyValue::Int(1);
  for (int level = 0; level < levels; ++level) {
    auto* array = batch.AllocateArray<AnyValue>(1);
    array[0] = value;
    value = AnyValue::Array(array, 1);
  }
  Span& span = batch.AddSpan(0, 0);
  span.trace_id = TraceId{1, 1};
  span.span_id.value = 1;
  span.attributes.push_back({"deep", value});
  return batch;
}

TEST_CASE("span block: values nest up to the bound, and deeper is refused when written") {
  const SpanBatch deepest = Nested(kMaxSpanBlockValueDepth);
  SpanBatch decoded;
  REQUIRE(DecodeSpanBlock(Encode(deepest), decoded).ok());
  CHECK(Otlp(decoded, decoded.spans()[0]) == Otlp(deepest, deepest.spans()[0]));

  const SpanBatch deeper = Nested(kMaxSpanBlockValueDepth + 1);
  std::string block;
  const auto status = EncodeSpanBlock(deeper, Pointers(deeper), block);
  CHECK(status.code() == tracecore::StatusCode::kInvalidArgument);
  CHECK_THAT(status.message(), Catch::Contains("more than 32 deep"));
}

}  // namespace
}  // namespace ariadne::storage::local
