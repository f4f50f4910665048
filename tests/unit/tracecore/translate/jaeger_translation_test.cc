// One TEST_CASE per Jaeger translation rule (docs/translation.md, "Jaeger").
#include "tracecore/translate/jaeger_translation.h"

#include <catch2/catch.hpp>

namespace ariadne::tracecore::jaeger {
namespace {

const TraceId kTrace{0, 0x42};

// A span as a Jaeger decoder leaves it before FinishSpan: tags as attributes, logs as events.
struct JaegerSpanFixture {
  SpanBatch batch;
  ScopeCache scopes;
  Span* span;

  JaegerSpanFixture() {
    uint32_t resource = AddProcessResource(batch, "svc");
    span = &batch.AddSpan(resource, 0);
    span->trace_id = kTrace;
    span->span_id = SpanId{7};
  }
  void Tag(std::string_view key, AnyValue value) { span->attributes.push_back({key, value}); }
  void Finish(SpanId parent = {}, std::vector<Reference> refs = {}) {
    FinishSpan(batch, *span, parent, refs, scopes);
  }
  const Attribute* Find(std::string_view key) const { return FindAttribute(span->attributes, key); }
};

// The Jaeger tags SpanView derives for a model span.
std::vector<std::pair<std::string, std::string>> ViewTags(const SpanBatch& batch,
                                                          const Span& span) {
  SpanView view;
  view.Load(batch, span);
  std::vector<std::pair<std::string, std::string>> tags;
  for (const Attribute& tag : view.tags) {
    std::string text;
    AppendAnyValueJson(tag.value, text);
    tags.emplace_back(std::string(tag.key), text);
  }
  return tags;
}

bool HasTag(const std::vector<std::pair<std::string, std::string>>& tags, const std::string& key,
            const std::string& json_value) {
  for (const auto& [k, v] : tags) {
    if (k == key && v == json_value) return true;
  }
  return false;
}

TEST_CASE("jaeger: process.serviceName and tags become the resource, and back") {
  JaegerSpanFixture f;
  f.batch.resources()[0].attributes.push_back({"hostname", AnyValue::String("box")});
  f.Finish();
  const Resource& resource = f.batch.resource_of(*f.span);
  CHECK(resource.ServiceName() == "svc");
  SpanView view;
  view.Load(f.batch, *f.span);
  CHECK(view.service_name == "svc");
  REQUIRE(view.process_tags.size() == 1);
  CHECK(view.process_tags[0].key == "hostname");
}

TEST_CASE("jaeger: span.kind tag <-> Span::kind, unknown values stay tags") {
  for (auto [text, kind] : {std::pair{"server", SpanKind::kServer},
                            {"client", SpanKind::kClient},
                            {"producer", SpanKind::kProducer},
                            {"consumer", SpanKind::kConsumer},
                            {"internal", SpanKind::kInternal}}) {
    JaegerSpanFixture f;
    f.Tag("span.kind", AnyValue::String(text));
    f.Finish();
    CHECK(f.span->kind == kind);
    CHECK(f.Find("span.kind") == nullptr);
    CHECK(HasTag(ViewTags(f.batch, *f.span), "span.kind", std::string("\"") + text + "\""));
  }
  JaegerSpanFixture odd;
  odd.Tag("span.kind", AnyValue::String("gateway"));
  odd.Finish();
  CHECK(odd.span->kind == SpanKind::kUnspecified);
  CHECK(odd.Find("span.kind") != nullptr);
}

TEST_CASE("jaeger: otel.status_code and otel.status_description <-> Span::status") {
  JaegerSpanFixture f;
  f.Tag("otel.status_code", AnyValue::String("ERROR"));
  f.Tag("otel.status_description", AnyValue::String("boom"));
  f.Tag("error", AnyValue::Bool(true));
  f.Finish();
  CHECK(f.span->status.code == SpanStatusCode::kError);
  CHECK(f.span->status.message == "boom");
  CHECK(f.span->attributes.empty());
  auto tags = ViewTags(f.batch, *f.span);
  CHECK(HasTag(tags, "otel.status_code", "\"ERROR\""));
  CHECK(HasTag(tags, "error", "true"));
  CHECK(HasTag(tags, "otel.status_description", "\"boom\""));

  JaegerSpanFixture ok;
  ok.Tag("otel.status_code", AnyValue::String("OK"));
  ok.Finish();
  CHECK(ok.span->status.code == SpanStatusCode::kOk);
  CHECK(HasTag(ViewTags(ok.batch, *ok.span), "otel.status_code", "\"OK\""));
}

TEST_CASE("jaeger: error=true alone means ERROR, error=false stays a tag") {
  JaegerSpanFixture f;
  f.Tag("error", AnyValue::Bool(true));
  f.Finish();
  CHECK(f.span->status.code == SpanStatusCode::kError);
  CHECK(f.Find("error") == nullptr);

  JaegerSpanFixture string_true;
  string_true.Tag("error", AnyValue::String("true"));
  string_true.Finish();
  CHECK(string_true.span->status.code == SpanStatusCode::kError);

  JaegerSpanFixture no;
  no.Tag("error", AnyValue::Bool(false));
  no.Finish();
  CHECK(no.span->status.code == SpanStatusCode::kUnset);
  CHECK(no.Find("error") != nullptr);
}

TEST_CASE("jaeger: otel.status_description without a status stays a tag") {
  JaegerSpanFixture f;
  f.Tag("otel.status_description", AnyValue::String("just text"));
  f.Finish();
  CHECK(f.span->status.code == SpanStatusCode::kUnset);
  CHECK(f.span->status.message.empty());
  CHECK(f.Find("otel.status_description") != nullptr);
}

TEST_CASE("jaeger: otel.scope.* and the older otel.library.* tags <-> the span's scope") {
  JaegerSpanFixture f;
  f.Tag("otel.library.name", AnyValue::String("lib"));
  f.Tag("otel.library.version", AnyValue::String("1.0"));
  f.Finish();
  CHECK(f.batch.scope_of(*f.span).name == "lib");
  CHECK(f.batch.scope_of(*f.span).version == "1.0");
  CHECK(f.span->attributes.empty());
  auto tags = ViewTags(f.batch, *f.span);
  CHECK(HasTag(tags, "otel.scope.name", "\"lib\""));
  CHECK(HasTag(tags, "otel.scope.version", "\"1.0\""));

  JaegerSpanFixture g;
  g.Tag("otel.scope.name", AnyValue::String("lib"));
  g.Tag("otel.scope.version", AnyValue::String("1.0"));
  g.Finish();
  CHECK(g.batch.scope_of(*g.span).name == "lib");
}

TEST_CASE("jaeger: spans with the same scope in one resource share a Scope") {
  JaegerSpanFixture f;
  f.Tag("otel.scope.name", AnyValue::String("lib"));
  f.Finish();
  Span& second = f.batch.AddSpan(0, 0);
  second.attributes.push_back({"otel.scope.name", AnyValue::String("lib")});
  FinishSpan(f.batch, second, {}, {}, f.scopes);
  CHECK(second.scope_index == f.batch.spans()[0].scope_index);
}

TEST_CASE("jaeger: w3c.tracestate <-> Span::trace_state") {
  JaegerSpanFixture f;
  f.Tag("w3c.tracestate", AnyValue::String("vendor=1"));
  f.Finish();
  CHECK(f.span->trace_state == "vendor=1");
  CHECK(HasTag(ViewTags(f.batch, *f.span), "w3c.tracestate", "\"vendor=1\""));
}

TEST_CASE("jaeger: logs <-> events, the `event` field is the name and comes first") {
  JaegerSpanFixture f;
  Event& log = f.span->events.emplace_back(f.batch.arena());
  log.time_unix_nano = 5000;
  log.attributes.push_back({"level", AnyValue::String("warn")});
  log.attributes.push_back({"event", AnyValue::String("retry")});
  f.Finish();
  REQUIRE(f.span->events.size() == 1);
  CHECK(f.span->events[0].name == "retry");
  REQUIRE(f.span->events[0].attributes.size() == 1);
  CHECK(f.span->events[0].attributes[0].key == "level");

  SpanView view;
  view.Load(f.batch, *f.span);
  REQUIRE(view.logs.size() == 1);
  CHECK(view.logs[0].timestamp_us == 5);
  REQUIRE(view.logs[0].fields.size() == 2);
  CHECK(view.logs[0].fields[0].key == "event");
  CHECK(view.logs[0].fields[0].value.string_value() == "retry");
}

TEST_CASE("jaeger: Thrift parentSpanId is the parent, the identical CHILD_OF ref is not a link") {
  JaegerSpanFixture f;
  f.Finish(SpanId{5}, {{RefType::kChildOf, kTrace, SpanId{5}}});
  CHECK(f.span->parent_span_id.value == 5);
  CHECK(f.span->links.empty());
}

TEST_CASE("jaeger: the first same-trace CHILD_OF ref is the parent, other refs become links") {
  JaegerSpanFixture f;
  f.Finish({}, {{RefType::kFollowsFrom, kTrace, SpanId{3}},
                {RefType::kChildOf, TraceId{1, 1}, SpanId{4}},
                {RefType::kChildOf, kTrace, SpanId{5}},
                {RefType::kChildOf, kTrace, SpanId{6}}});
  CHECK(f.span->parent_span_id.value == 5);
  REQUIRE(f.span->links.size() == 3);
  auto ref_type = [&](size_t i) {
    return FindAttribute(f.span->links[i].attributes, "opentracing.ref_type")->value.string_value();
  };
  CHECK(f.span->links[0].span_id.value == 3);
  CHECK(ref_type(0) == "follows_from");
  CHECK(f.span->links[1].trace_id == TraceId{1, 1});
  CHECK(ref_type(1) == "child_of");
  CHECK(f.span->links[2].span_id.value == 6);

  SpanView view;
  view.Load(f.batch, *f.span);
  REQUIRE(view.references.size() == 4);
  CHECK(view.references[0] == Reference{RefType::kChildOf, kTrace, SpanId{5}});
  CHECK(view.references[1] == Reference{RefType::kFollowsFrom, kTrace, SpanId{3}});
  CHECK(view.references[2] == Reference{RefType::kChildOf, TraceId{1, 1}, SpanId{4}});
  CHECK(view.references[3] == Reference{RefType::kChildOf, kTrace, SpanId{6}});
}

TEST_CASE("jaeger: a span with only FOLLOWS_FROM refs has no parent and keeps the ref type") {
  JaegerSpanFixture f;
  f.Finish({}, {{RefType::kFollowsFrom, kTrace, SpanId{3}}});
  CHECK(f.span->parent_span_id.empty());
  SpanView view;
  view.Load(f.batch, *f.span);
  REQUIRE(view.references.size() == 1);
  CHECK(view.references[0].type == RefType::kFollowsFrom);
}

TEST_CASE("jaeger: OTLP links without opentracing.ref_type are FOLLOWS_FROM") {
  SpanBatch batch;
  uint32_t r = AddProcessResource(batch, "svc");
  Span& span = batch.AddSpan(r, batch.AddScope());
  Link& link = span.links.emplace_back(batch.arena());
  link.trace_id = TraceId{2, 2};
  link.span_id = SpanId{9};
  SpanView view;
  view.Load(batch, span);
  REQUIRE(view.references.size() == 1);
  CHECK(view.references[0].type == RefType::kFollowsFrom);
}

TEST_CASE("jaeger: arrays and maps become JSON strings, bytes stay binary") {
  SpanBatch batch;
  uint32_t r = AddProcessResource(batch, "svc");
  Span& span = batch.AddSpan(r, batch.AddScope());
  AnyValue* items = batch.AllocateArray<AnyValue>(3);
  items[0] = AnyValue::String("a\"b");
  items[1] = AnyValue::Int(2);
  items[2] = AnyValue::Double(0.5);
  Attribute* fields = batch.AllocateArray<Attribute>(1);
  fields[0] = {"k", AnyValue::Bool(true)};
  span.attributes.push_back({"list", AnyValue::Array(items, 3)});
  span.attributes.push_back({"map", AnyValue::Map(fields, 1)});
  span.attributes.push_back({"raw", AnyValue::Bytes("\x01\x02")});
  SpanView view;
  view.Load(batch, span);
  REQUIRE(view.tags.size() == 3);
  CHECK(view.tags[0].value.string_value() == R"(["a\"b",2,0.5])");
  CHECK(view.tags[1].value.string_value() == R"({"k":true})");
  CHECK(view.tags[2].value.type() == ValueType::kBytes);
}

TEST_CASE("jaeger: model nanoseconds <-> Jaeger microseconds, flags keep the low byte") {
  SpanBatch batch;
  uint32_t r = AddProcessResource(batch, "svc");
  Span& span = batch.AddSpan(r, batch.AddScope());
  span.start_time_unix_nano = 1764240000123456789ULL;
  span.end_time_unix_nano = 1764240000123456789ULL + 2500999;
  span.flags = 0x103;
  SpanView view;
  view.Load(batch, span);
  CHECK(view.start_time_us == 1764240000123456ULL);
  CHECK(view.duration_us == 2500);
  CHECK(view.flags == 3);
}

}  // namespace
}  // namespace ariadne::tracecore::jaeger
