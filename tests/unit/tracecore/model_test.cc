#include "tracecore/model.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "test_support.h"
#include "tracecore/codec/otlp_proto.h"

namespace ariadne::tracecore {
namespace {

TEST_CASE("SpanBatch::Retain keeps every earlier view valid, small strings included") {
  SpanBatch batch;
  std::vector<std::string_view> views;
  for (int i = 0; i < 1000; ++i) views.push_back(batch.Retain("s" + std::to_string(i)));
  for (int i = 0; i < 1000; ++i) CHECK(views[i] == "s" + std::to_string(i));
}

TEST_CASE("SpanBatch moves without moving its data") {
  SpanBatch batch;
  uint32_t r = batch.AddResource();
  Span& span = batch.AddSpan(r, batch.AddScope());
  span.name = batch.Copy("operation");
  span.attributes.push_back({"k", AnyValue::String(batch.Copy("v"))});
  const char* name_before = span.name.data();
  SpanBatch moved = std::move(batch);
  CHECK(moved.spans()[0].name.data() == name_before);
  CHECK(moved.spans()[0].name == "operation");
  moved.spans()[0].attributes.push_back({"k2", AnyValue::Int(2)});  // the arena is still alive
  CHECK(moved.spans()[0].attributes.size() == 2);
}

TEST_CASE("SpanBatch::Append moves spans, resources and scopes over without copying their bytes") {
  // The OTLP fixture has every field of the model: resources, scopes, events, links, arrays and
  // maps, status.
  const std::string request = testing::ReadWireFixture("otlp-http-export-request.bin");
  SpanBatch decoded_once;
  REQUIRE(otlp::DecodeExportRequest(request, decoded_once).ok());
  std::string once;
  otlp::EncodeExportRequest(decoded_once, once);

  SpanBatch joined;
  REQUIRE(otlp::DecodeExportRequest(joined.Retain(request), joined).ok());
  {
    SpanBatch second;
    REQUIRE(otlp::DecodeExportRequest(second.Retain(request), second).ok());
    const char* second_name = second.spans()[0].name.data();
    joined.Append(std::move(second));
    CHECK(second.spans().empty());
    CHECK(second.resources().empty());
    // The appended span views the bytes `second` decoded, now kept alive by `joined`.
    CHECK(joined.spans()[decoded_once.spans().size()].name.data() == second_name);
    // `second` stays usable, and what it holds from now on is its own.
    REQUIRE(otlp::DecodeExportRequest(second.Retain(request), second).ok());
    CHECK(second.spans().size() == decoded_once.spans().size());
  }
  REQUIRE(joined.spans().size() == 2 * decoded_once.spans().size());
  CHECK(joined.resources().size() == 2 * decoded_once.resources().size());
  CHECK(joined.scopes().size() == 2 * decoded_once.scopes().size());
  // Repeated fields concatenate: the join encodes as the request twice over.
  std::string twice;
  otlp::EncodeExportRequest(joined, twice);
  CHECK(twice == once + once);
}

TEST_CASE("SpanBatch::KeepAlive holds its owner until the batch, or one it was appended to, goes") {
  auto owner = std::make_shared<std::string>("block");
  const std::weak_ptr<std::string> watch = owner;
  SpanBatch joined;
  {
    SpanBatch batch;
    batch.KeepAlive(std::move(owner));
    CHECK_FALSE(watch.expired());
    joined.Append(std::move(batch));
  }
  CHECK_FALSE(watch.expired());
  joined = SpanBatch();
  CHECK(watch.expired());
}

TEST_CASE("AnyValue equality is deep for arrays and maps") {
  SpanBatch batch;
  AnyValue* a = batch.AllocateArray<AnyValue>(2);
  AnyValue* b = batch.AllocateArray<AnyValue>(2);
  a[0] = b[0] = AnyValue::String("x");
  a[1] = AnyValue::Int(1);
  b[1] = AnyValue::Int(1);
  CHECK(AnyValue::Array(a, 2) == AnyValue::Array(b, 2));
  b[1] = AnyValue::Int(2);
  CHECK_FALSE(AnyValue::Array(a, 2) == AnyValue::Array(b, 2));
  CHECK_FALSE(AnyValue::Int(1) == AnyValue::Double(1));
}

TEST_CASE("StableSortByKey sorts by key and keeps the order of equal keys, short lists or long") {
  for (const size_t count : {0, 1, 2, 7, 32, 33, 100}) {
    CAPTURE(count);
    std::vector<std::string> keys;
    std::vector<Attribute> attributes;
    keys.reserve(count);
    for (size_t i = 0; i < count; ++i) keys.push_back("k" + std::to_string((i * 7919) % 13));
    for (size_t i = 0; i < count; ++i) {
      attributes.push_back({keys[i], AnyValue::Int(static_cast<int64_t>(i))});
    }
    StableSortByKey(attributes);
    for (size_t i = 1; i < attributes.size(); ++i) {
      const Attribute& before = attributes[i - 1];
      const Attribute& after = attributes[i];
      REQUIRE(before.key <= after.key);
      if (before.key == after.key) REQUIRE(before.value.int_value() < after.value.int_value());
    }
    REQUIRE(attributes.size() == count);
  }
}

TEST_CASE("StableSortByKey orders keys byte by byte: prefixes, zero and high bytes, long shares") {
  // Keys that differ only past their 8th byte, keys that are prefixes of others, keys holding a
  // zero byte (where a shorter key ends) and bytes from 0x80 up (unsigned order).
  const std::vector<std::string> keys = {"z",
                                         "span.kind",
                                         "",
                                         "a",
                                         std::string("a\0", 2),
                                         std::string("a\0b", 3),
                                         "ab",
                                         "http.request.method",
                                         "http.request.header",
                                         "http.req",
                                         "http.re",
                                         "\xc3\xa9t\xc3\xa9",
                                         "\x7f",
                                         "abcdefgh",
                                         "abcdefg",
                                         "abcdefghi",
                                         "span.kind",
                                         "http.request.method"};
  for (const size_t count : {keys.size(), size_t{40}}) {
    CAPTURE(count);
    std::vector<Attribute> attributes;
    for (size_t i = 0; i < count; ++i) {
      attributes.push_back({keys[(i * 5) % keys.size()], AnyValue::Int(static_cast<int64_t>(i))});
    }
    std::vector<Attribute> expected = attributes;
    std::stable_sort(expected.begin(), expected.end(),
                     [](const Attribute& a, const Attribute& b) { return a.key < b.key; });
    StableSortByKey(attributes);
    REQUIRE(attributes == expected);
  }
}

}  // namespace
}  // namespace ariadne::tracecore
