#include "tracecore/translate/sanitizer.h"

#include <catch2/catch.hpp>

namespace ariadne::tracecore {
namespace {

TEST_CASE("Sanitize names a resource without service.name OTLPResourceNoServiceName") {
  SpanBatch batch;
  batch.AddResource();
  SanitizeCounts counts = Sanitize(batch);
  CHECK(batch.resources()[0].ServiceName() == "OTLPResourceNoServiceName");
  CHECK(counts.service_names_fixed == 1);
}

TEST_CASE("Sanitize names an empty service empty-service-name") {
  SpanBatch batch;
  uint32_t r = batch.AddResource();
  batch.resources()[r].attributes.push_back({"service.name", AnyValue::String("")});
  Sanitize(batch);
  CHECK(batch.resources()[0].ServiceName() == "empty-service-name");
}

TEST_CASE("Sanitize replaces an invalid UTF-8 service name and keeps its bytes") {
  SpanBatch batch;
  uint32_t r = batch.AddResource();
  batch.resources()[r].attributes.push_back({"service.name", AnyValue::String("bad\xff")});
  Sanitize(batch);
  const Resource& resource = batch.resources()[0];
  CHECK(resource.ServiceName() == "InvalidServiceName");
  const Attribute* kept = FindAttribute(resource.attributes, "InvalidServiceName");
  REQUIRE(kept != nullptr);
  CHECK(kept->value.type() == ValueType::kBytes);
  CHECK(kept->value.bytes_value() == "bad\xff");
}

TEST_CASE("Sanitize repairs invalid UTF-8 span names, keys and values") {
  SpanBatch batch;
  uint32_t r = batch.AddResource();
  batch.resources()[r].attributes.push_back({"service.name", AnyValue::String("svc")});
  Span& span = batch.AddSpan(r, batch.AddScope());
  span.name = "op\xc3\x28";
  span.attributes.push_back({"key\xfe", AnyValue::String("fine")});
  span.attributes.push_back({"value", AnyValue::String("\xed\xa0\x80")});  // a UTF-16 surrogate
  span.attributes.push_back({"good", AnyValue::String("żółw")});
  Event& event = span.events.emplace_back(batch.arena());
  event.attributes.push_back({"e\xff", AnyValue::Int(1)});

  SanitizeCounts counts = Sanitize(batch);
  CHECK(counts.invalid_utf8_fixed == 4);
  CHECK(counts.service_names_fixed == 0);
  CHECK(span.name == "InvalidOperationName");
  CHECK(span.attributes[0].key == "InvalidTagKey");
  CHECK(span.attributes[0].value.bytes_value() == "key\xfe");
  CHECK(span.attributes[1].key == "value");
  CHECK(span.attributes[1].value.type() == ValueType::kBytes);
  CHECK(span.attributes[2].value.string_value() == "żółw");
  CHECK(span.attributes[3].key == "InvalidOperationName");
  CHECK(span.attributes[3].value.bytes_value() == "op\xc3\x28");
  CHECK(event.attributes[0].key == "InvalidTagKey");
}

TEST_CASE("Sanitize leaves a clean batch untouched") {
  SpanBatch batch;
  uint32_t r = batch.AddResource();
  batch.resources()[r].attributes.push_back({"service.name", AnyValue::String("svc")});
  Span& span = batch.AddSpan(r, batch.AddScope());
  span.name = "GET /";
  span.attributes.push_back({"k", AnyValue::String("v")});
  SanitizeCounts counts = Sanitize(batch);
  CHECK(counts.invalid_utf8_fixed == 0);
  CHECK(counts.service_names_fixed == 0);
  CHECK(span.name == "GET /");
  CHECK(span.attributes.size() == 1);
}

}  // namespace
}  // namespace ariadne::tracecore

namespace ariadne::tracecore {
namespace {

TEST_CASE("Sanitize with TextCheck::kAlreadyValid applies the service-name rules only") {
  SpanBatch batch;
  const uint32_t missing = batch.AddResource();
  const uint32_t empty = batch.AddResource();
  batch.resources()[empty].attributes.push_back({"service.name", AnyValue::String("")});
  const uint32_t scope = batch.AddScope();
  Span& span = batch.AddSpan(missing, scope);
  span.name = "checkout";
  span.attributes.push_back({"http.route", AnyValue::String("/cart")});

  const SanitizeCounts counts = Sanitize(batch, TextCheck::kAlreadyValid);
  CHECK(batch.resources()[missing].ServiceName() == kMissingServiceName);
  CHECK(batch.resources()[empty].ServiceName() == kEmptyServiceName);
  CHECK(counts.service_names_fixed == 2);
  CHECK(counts.invalid_utf8_fixed == 0);
  CHECK(batch.spans()[0].name == "checkout");
  CHECK(batch.spans()[0].attributes.size() == 1);
}

}  // namespace
}  // namespace ariadne::tracecore
