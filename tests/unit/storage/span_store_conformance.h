// The storage conformance suite: the behaviour every backend of the storage plug point
// (storage/span_writer.h, storage/span_reader.h) must have, written once for all backends.
//
// A backend's test file registers the suite with a factory that opens a fresh, empty store:
//
//   const bool kRegistered = ariadne::testing::RegisterSpanStoreConformance(
//       "memory", [] { return OpenMyStore(); });
//
// Each case becomes a TEST_CASE named "<backend>: <case>" tagged [storage][conformance]. A case
// opens its own store, writes model batches (several batches per trace, several traces and
// services), destroys every batch right after WriteBatch returned (the store must keep its own
// copy), calls Flush() once before it reads, and checks what the readers return. The store is
// released when the Backend's pointers are; a factory that needs clean-up (a temporary
// directory) ties it to the pointers' deleters.
#pragma once

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <charconv>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "storage/factory.h"
#include "storage/span_reader.h"
#include "storage/span_writer.h"
#include "tracecore/ids.h"
#include "tracecore/model.h"
#include "tracecore/status.h"

namespace Catch {

template <>
struct StringMaker<ariadne::tracecore::TraceId> {
  static std::string convert(const ariadne::tracecore::TraceId& id) { return id.ToHex(); }
};

template <>
struct StringMaker<ariadne::storage::Operation> {
  static std::string convert(const ariadne::storage::Operation& operation) {
    return "{" + operation.name + " kind " + std::to_string(static_cast<int>(operation.span_kind)) +
           "}";
  }
};

template <>
struct StringMaker<ariadne::storage::DependencyLink> {
  static std::string convert(const ariadne::storage::DependencyLink& link) {
    return "{" + link.parent + " -> " + link.child + " x" + std::to_string(link.call_count) + "}";
  }
};

}  // namespace Catch

namespace ariadne::testing {

// Opens a fresh, empty store with all three interfaces.
using StoreFactory = std::function<storage::Backend()>;

namespace conformance {

using storage::DependencyLink;
using storage::Operation;
using storage::TraceQuery;
using tracecore::AnyValue;
using tracecore::Attribute;
using tracecore::Attributes;
using tracecore::Span;
using tracecore::SpanBatch;
using tracecore::SpanKind;
using tracecore::SpanStatusCode;
using tracecore::Status;
using tracecore::TraceId;
using tracecore::ValueType;

inline constexpr uint64_t kT0 = 1'700'000'000'000'000'000ULL;  // Unix ns, 2023-11-14
inline constexpr uint64_t kMs = 1'000'000ULL;                  // ns per ms
inline constexpr uint64_t kMinute = 60'000 * kMs;

// Trace number `n` of a fixture. The high half is not zero, so that a backend that keys traces
// by the low half only is caught.
inline TraceId Trace(uint64_t n) {
  return {0xa11ce5eed0000000ULL, n};
}

// ---------------------------------------------------------------------------------------------
// Rendering: a span, its resource and its scope as one text, so that two spans compare field by
// field and a difference shows where it is. Values keep their type ("int:200" differs from
// "string:200", doubles in their shortest round-trip form).

inline void AppendValue(const AnyValue& value, std::string& out);

inline void AppendAttributes(const Attributes& attributes, uint32_t dropped, std::string& out) {
  out += "{";
  for (const Attribute& attribute : attributes) {
    out += attribute.key;
    out += "=";
    AppendValue(attribute.value, out);
    out += "; ";
  }
  out += "} dropped " + std::to_string(dropped);
}

inline void AppendValue(const AnyValue& value, std::string& out) {
  char buffer[64];
  switch (value.type()) {
    case ValueType::kEmpty: out += "empty"; return;
    case ValueType::kString: out += "string:\"" + std::string(value.string_value()) + "\""; return;
    case ValueType::kBool: out += value.bool_value() ? "bool:true" : "bool:false"; return;
    case ValueType::kInt: out += "int:" + std::to_string(value.int_value()); return;
    case ValueType::kDouble: {
      auto result = std::to_chars(buffer, buffer + sizeof(buffer), value.double_value());
      out += "double:" + std::string(buffer, result.ptr);
      return;
    }
    case ValueType::kBytes: {
      out += "bytes:";
      for (unsigned char byte : value.bytes_value()) out += std::to_string(byte) + ".";
      return;
    }
    case ValueType::kArray:
      out += "[";
      for (size_t i = 0; i < value.size(); ++i) {
        AppendValue(value.array_begin()[i], out);
        out += ", ";
      }
      out += "]";
      return;
    case ValueType::kMap:
      out += "map";
      for (size_t i = 0; i < value.size(); ++i) {
        out += (i == 0 ? "{" : "; ");
        out += value.map_begin()[i].key;
        out += "=";
        AppendValue(value.map_begin()[i].value, out);
      }
      out += "}";
      return;
  }
}

inline std::string DescribeSpan(const SpanBatch& batch, const Span& span) {
  std::ostringstream text;
  text << "trace " << span.trace_id.ToHex() << " span " << span.span_id.ToHex() << " parent "
       << span.parent_span_id.ToHex() << " name \"" << span.name << "\" kind "
       << static_cast<int>(span.kind) << " flags " << span.flags << " start "
       << span.start_time_unix_nano << " end " << span.end_time_unix_nano << " trace_state \""
       << span.trace_state << "\"\n";
  std::string attributes;
  AppendAttributes(span.attributes, span.dropped_attributes_count, attributes);
  text << "  attributes " << attributes << "\n";
  for (const tracecore::Event& event : span.events) {
    std::string fields;
    AppendAttributes(event.attributes, event.dropped_attributes_count, fields);
    text << "  event " << event.time_unix_nano << " \"" << event.name << "\" " << fields << "\n";
  }
  text << "  dropped events " << span.dropped_events_count << "\n";
  for (const tracecore::Link& link : span.links) {
    std::string fields;
    AppendAttributes(link.attributes, link.dropped_attributes_count, fields);
    text << "  link " << link.trace_id.ToHex() << " " << link.span_id.ToHex() << " \""
         << link.trace_state << "\" flags " << link.flags << " " << fields << "\n";
  }
  text << "  dropped links " << span.dropped_links_count << "\n";
  text << "  status " << static_cast<int>(span.status.code) << " \"" << span.status.message
       << "\"\n";
  const tracecore::Resource& resource = batch.resource_of(span);
  std::string resource_attributes;
  AppendAttributes(resource.attributes, resource.dropped_attributes_count, resource_attributes);
  text << "  resource " << resource_attributes << " schema \"" << resource.schema_url << "\"\n";
  const tracecore::Scope& scope = batch.scope_of(span);
  std::string scope_attributes;
  AppendAttributes(scope.attributes, scope.dropped_attributes_count, scope_attributes);
  text << "  scope \"" << scope.name << "\" \"" << scope.version << "\" " << scope_attributes
       << " schema \"" << scope.schema_url << "\"\n";
  return text.str();
}

// Span id -> DescribeSpan, for the spans of `trace` in `batch`, added to `out`.
inline void DescribeTrace(const SpanBatch& batch, const TraceId& trace,
                          std::map<uint64_t, std::string>& out) {
  for (const Span& span : batch.spans()) {
    if (span.trace_id == trace) out[span.span_id.value] = DescribeSpan(batch, span);
  }
}

// ---------------------------------------------------------------------------------------------
// Building batches.

// Where a span sits in its trace and in time.
struct SpanShape {
  TraceId trace;
  uint64_t id = 0;
  uint64_t parent = 0;  // 0: a root
  std::string_view name = "op";
  SpanKind kind = SpanKind::kInternal;
  uint64_t start = kT0;
  uint64_t duration = kMs;
};

// One batch under construction: a resource per service (service.name set), one scope. Every text
// is copied into the batch, so that destroying the batch after WriteBatch invalidates it all.
class BatchBuilder {
 public:
  BatchBuilder() : scope_(batch_.AddScope()) {}

  // The resource of `service` in this batch, created on first use.
  uint32_t Resource(std::string_view service) {
    auto it = resources_.find(std::string(service));
    if (it != resources_.end()) return it->second;
    const uint32_t index = batch_.AddResource();
    batch_.resources()[index].attributes.push_back({Text("service.name"), String(service)});
    resources_.emplace(std::string(service), index);
    return index;
  }

  Span& Add(std::string_view service, const SpanShape& shape) {
    Span& span = batch_.AddSpan(Resource(service), scope_);
    span.trace_id = shape.trace;
    span.span_id = {shape.id};
    span.parent_span_id = {shape.parent};
    span.name = Text(shape.name);
    span.kind = shape.kind;
    span.start_time_unix_nano = shape.start;
    span.end_time_unix_nano = shape.start + shape.duration;
    return span;
  }

  // Adds `key` = `value` to `to`; string and bytes values must come from String()/Bytes().
  void Set(Attributes& to, std::string_view key, AnyValue value) {
    to.push_back({Text(key), value});
  }
  void SetResource(std::string_view service, std::string_view key, AnyValue value) {
    Set(batch_.resources()[Resource(service)].attributes, key, value);
  }
  tracecore::Event& AddEvent(Span& span, std::string_view name, uint64_t time) {
    tracecore::Event& event = span.events.emplace_back(batch_.arena());
    event.name = Text(name);
    event.time_unix_nano = time;
    return event;
  }
  void SetError(Span& span, std::string_view message) {
    span.status.code = SpanStatusCode::kError;
    span.status.message = Text(message);
  }

  std::string_view Text(std::string_view text) { return batch_.Copy(text); }
  AnyValue String(std::string_view text) { return AnyValue::String(Text(text)); }
  AnyValue Bytes(std::string_view bytes) { return AnyValue::Bytes(Text(bytes)); }

  SpanBatch& batch() { return batch_; }
  // The finished batch; the builder must not be used afterwards.
  SpanBatch Take() { return std::move(batch_); }

 private:
  SpanBatch batch_;
  uint32_t scope_;
  std::map<std::string, uint32_t> resources_;
};

// A batch of one span per shape, all of `service`.
inline SpanBatch Spans(std::string_view service, const std::vector<SpanShape>& shapes) {
  BatchBuilder builder;
  for (const SpanShape& shape : shapes) builder.Add(service, shape);
  return builder.Take();
}

// ---------------------------------------------------------------------------------------------
// The store under test.

// A store opened by the factory, with helpers that fail the running test on any error. Reads
// first Flush() what was written since the last read. Only the test's thread may use it.
class StoreUnderTest {
 public:
  explicit StoreUnderTest(const StoreFactory& open) : backend_(open()) {
    REQUIRE(backend_.writer != nullptr);
    REQUIRE(backend_.reader != nullptr);
    REQUIRE(backend_.dependencies != nullptr);
  }

  // Writes `batch` and destroys it: the store may keep nothing that points into it.
  void Write(SpanBatch batch) {
    const Status written = backend_.writer->WriteBatch(batch);
    INFO(written.message());
    REQUIRE(written.ok());
    unflushed_ = true;
  }

  // Blocks until everything written is as durable as the backend promises.
  void Flush() {
    unflushed_ = false;
    const Status flushed = backend_.writer->Flush();
    INFO(flushed.message());
    REQUIRE(flushed.ok());
  }

  // The interfaces themselves, for threads (which must not use the helpers: Catch's assertions
  // belong to the test's thread).
  const storage::Backend& backend() const { return backend_; }
  storage::SpanWriter& writer() { return *backend_.writer; }
  storage::SpanReader& reader() {
    if (unflushed_) Flush();
    return *backend_.reader;
  }
  storage::DependencyReader& dependencies() {
    if (unflushed_) Flush();
    return *backend_.dependencies;
  }

  std::vector<TraceId> Find(const TraceQuery& query) {
    std::vector<TraceId> ids;
    const Status found = reader().FindTraceIds(query, ids);
    INFO(found.message());
    REQUIRE(found.ok());
    return ids;
  }

  // Span id -> DescribeSpan of every span of `id`; fails the test when the trace is not found or
  // a chunk breaks the GetTrace contract.
  std::map<uint64_t, std::string> ReadTrace(const TraceId& id, uint32_t max_chunk_spans = 1000) {
    std::map<uint64_t, std::string> spans;
    bool found = false;
    const Status read = reader().GetTrace(
        id, max_chunk_spans,
        [&](const SpanBatch& chunk) {
          // No REQUIRE here: its exception would unwind through the store.
          CHECK(!chunk.spans().empty());
          CHECK(chunk.spans().size() <= max_chunk_spans);
          for (const Span& span : chunk.spans()) {
            const bool self_contained = span.resource_index < chunk.resources().size() &&
                                        span.scope_index < chunk.scopes().size();
            CHECK(self_contained);
            if (!self_contained) return Status::Internal("a chunk's span names a missing resource");
            CHECK(span.trace_id == id);
            const bool inserted =
                spans.emplace(span.span_id.value, DescribeSpan(chunk, span)).second;
            CHECK(inserted);  // each span once
          }
          return Status();
        },
        found);
    INFO(read.message());
    REQUIRE(read.ok());
    REQUIRE(found);
    return spans;
  }

  std::vector<std::string> Services() {
    std::vector<std::string> services;
    const Status listed = reader().GetServices(services);
    INFO(listed.message());
    REQUIRE(listed.ok());
    return services;
  }

  std::vector<Operation> Operations(const std::string& service,
                                    std::optional<SpanKind> kind = std::nullopt) {
    std::vector<Operation> operations;
    const Status listed = reader().GetOperations(service, kind, operations);
    INFO(listed.message());
    REQUIRE(listed.ok());
    return operations;
  }

  // Sorted by (parent, child): the contract does not fix the order.
  std::vector<DependencyLink> Dependencies(uint64_t end_time, uint64_t lookback) {
    std::vector<DependencyLink> links;
    const Status listed = dependencies().GetDependencies(end_time, lookback, links);
    INFO(listed.message());
    REQUIRE(listed.ok());
    std::sort(links.begin(), links.end(), [](const DependencyLink& a, const DependencyLink& b) {
      return std::tie(a.parent, a.child) < std::tie(b.parent, b.child);
    });
    return links;
  }

 private:
  storage::Backend backend_;
  bool unflushed_ = false;
};

inline TraceQuery ServiceQuery(std::string service) {
  TraceQuery query;
  query.service = std::move(service);
  return query;
}

inline TraceQuery TagQuery(std::string service, std::string key, std::string value) {
  TraceQuery query = ServiceQuery(std::move(service));
  query.tags.emplace_back(std::move(key), std::move(value));
  return query;
}

// ---------------------------------------------------------------------------------------------
// GetTrace

// A span that uses every field of the model.
inline void AddRichSpan(BatchBuilder& builder, const SpanShape& shape) {
  const uint32_t resource = builder.Resource("frontend");
  tracecore::Resource& resource_data = builder.batch().resources()[resource];
  builder.Set(resource_data.attributes, "host.name", builder.String("node-1"));
  builder.Set(resource_data.attributes, "process.pid", AnyValue::Int(4242));
  resource_data.dropped_attributes_count = 2;
  resource_data.schema_url = builder.Text("https://opentelemetry.io/schemas/1.21.0");

  SpanBatch& batch = builder.batch();
  const uint32_t scope = batch.AddScope();
  tracecore::Scope& scope_data = batch.scopes()[scope];
  scope_data.name = builder.Text("io.opentelemetry.http");
  scope_data.version = builder.Text("1.2.3");
  builder.Set(scope_data.attributes, "scope.flavour", builder.String("vanilla"));
  scope_data.dropped_attributes_count = 1;
  scope_data.schema_url = builder.Text("https://opentelemetry.io/schemas/1.20.0");

  Span& span = builder.Add("frontend", shape);
  span.scope_index = scope;
  span.trace_state = builder.Text("vendor=abc,other=1");
  span.flags = 0x301;
  auto* items = batch.AllocateArray<AnyValue>(3);
  items[0] = builder.String("a");
  items[1] = AnyValue::Int(-7);
  items[2] = AnyValue::Double(0.5);
  auto* inner = batch.AllocateArray<Attribute>(1);
  inner[0] = {builder.Text("deep"), AnyValue::Bool(false)};
  auto* entries = batch.AllocateArray<Attribute>(2);
  entries[0] = {builder.Text("nested"), AnyValue::Map(inner, 1)};
  entries[1] = {builder.Text("list"), AnyValue::Array(items, 2)};
  builder.Set(span.attributes, "http.method", builder.String("GET"));
  builder.Set(span.attributes, "http.status_code", AnyValue::Int(200));
  builder.Set(span.attributes, "cache.hit", AnyValue::Bool(true));
  builder.Set(span.attributes, "ratio", AnyValue::Double(0.1));
  builder.Set(span.attributes, "negative.zero", AnyValue::Double(-0.0));
  builder.Set(span.attributes, "payload", builder.Bytes(std::string_view("\x00\xff\x10", 3)));
  builder.Set(span.attributes, "mixed", AnyValue::Array(items, 3));
  builder.Set(span.attributes, "empty.list", AnyValue::Array(items, 0));
  builder.Set(span.attributes, "config", AnyValue::Map(entries, 2));
  builder.Set(span.attributes, "nothing", AnyValue());
  builder.Set(span.attributes, "unicode", builder.String("caf\xc3\xa9 \xe2\x9c\x93"));
  span.dropped_attributes_count = 3;
  tracecore::Event& event = builder.AddEvent(span, "retry", shape.start + 10);
  builder.Set(event.attributes, "attempt", AnyValue::Int(2));
  event.dropped_attributes_count = 4;
  builder.AddEvent(span, "", shape.start + 20);  // nameless, no attributes
  span.dropped_events_count = 5;
  tracecore::Link& link = span.links.emplace_back(batch.arena());
  link.trace_id = Trace(999);
  link.span_id = {0x77};
  link.trace_state = builder.Text("k=v");
  builder.Set(link.attributes, "opentracing.ref_type", builder.String("follows_from"));
  link.dropped_attributes_count = 6;
  link.flags = 0x101;
  span.dropped_links_count = 7;
  builder.SetError(span, "upstream timed out");
}

inline void GetTraceKeepsEveryField(const StoreFactory& open) {
  StoreUnderTest store(open);
  const TraceId a = Trace(1);
  const TraceId b = Trace(2);
  std::map<uint64_t, std::string> want_a;
  std::map<uint64_t, std::string> want_b;

  BatchBuilder first;
  AddRichSpan(first, {.trace = a, .id = 0x10, .name = "GET /checkout", .kind = SpanKind::kServer});
  first.Add("frontend", {.trace = b, .id = 0x20, .name = "GET /other"});
  DescribeTrace(first.batch(), a, want_a);
  DescribeTrace(first.batch(), b, want_b);
  store.Write(first.Take());

  store.Write(SpanBatch());  // an empty batch is accepted and stores nothing

  BatchBuilder second;
  Span& call = second.Add("backend", {.trace = a,
                                      .id = 0x11,
                                      .parent = 0x10,
                                      .name = "charge",
                                      .kind = SpanKind::kClient,
                                      .start = kT0 + 5 * kMs,
                                      .duration = 3 * kMs});
  second.Set(call.attributes, "peer.service", second.String("payments"));
  call.status.code = SpanStatusCode::kOk;
  second.Add("backend", {.trace = a, .id = 0x12, .parent = 0x11, .start = kT0 + 6 * kMs});
  second.Add("db", {.trace = b, .id = 0x21, .parent = 0x20, .kind = SpanKind::kClient});
  DescribeTrace(second.batch(), a, want_a);
  DescribeTrace(second.batch(), b, want_b);
  store.Write(second.Take());

  BatchBuilder third;
  Span& query =
      third.Add("db", {.trace = a, .id = 0x13, .parent = 0x12, .kind = SpanKind::kClient});
  third.SetResource("db", "db.system", third.String("postgresql"));
  third.Set(third.AddEvent(query, "rows", kT0 + kMs).attributes, "count", AnyValue::Int(12));
  DescribeTrace(third.batch(), a, want_a);
  store.Write(third.Take());

  CHECK(store.ReadTrace(a) == want_a);
  CHECK(store.ReadTrace(b) == want_b);
  CHECK(want_a.size() == 4);
  CHECK(want_b.size() == 2);
}

inline void GetTraceStreamsChunks(const StoreFactory& open) {
  StoreUnderTest store(open);
  const TraceId id = Trace(1);
  std::map<uint64_t, std::string> want;
  BatchBuilder first;
  for (uint64_t i = 1; i <= 4; ++i) first.Add("frontend", {.trace = id, .id = i, .parent = 1});
  DescribeTrace(first.batch(), id, want);
  store.Write(first.Take());
  BatchBuilder second;
  for (uint64_t i = 5; i <= 7; ++i) second.Add("backend", {.trace = id, .id = i, .parent = 4});
  DescribeTrace(second.batch(), id, want);
  store.Write(second.Take());

  for (uint32_t max_chunk_spans : {1U, 2U, 3U, 7U, 100U}) {
    INFO("max_chunk_spans " << max_chunk_spans);
    // ReadTrace checks each chunk: not empty, at most max_chunk_spans, self-contained.
    CHECK(store.ReadTrace(id, max_chunk_spans) == want);
  }
  size_t chunks = 0;
  bool found = false;
  const Status read = store.reader().GetTrace(
      id, 1,
      [&](const SpanBatch&) {
        ++chunks;
        return Status();
      },
      found);
  REQUIRE(read.ok());
  CHECK(chunks == 7);
}

inline void GetTraceOfUnknownIdFindsNothing(const StoreFactory& open) {
  StoreUnderTest store(open);
  auto lookup = [&](const TraceId& id) {
    bool found = true;
    size_t chunks = 0;
    const Status read = store.reader().GetTrace(
        id, 10,
        [&](const SpanBatch&) {
          ++chunks;
          return Status();
        },
        found);
    INFO(read.message());
    CHECK(read.ok());
    if (!found) CHECK(chunks == 0);
    return found;
  };
  CHECK_FALSE(lookup(Trace(1)));  // empty store

  store.Write(Spans("frontend", {{.trace = {7, 42}, .id = 1}}));
  CHECK(lookup({7, 42}));
  CHECK_FALSE(lookup({0, 42}));  // same low half
  CHECK_FALSE(lookup({8, 42}));
  CHECK_FALSE(lookup({7, 43}));
  CHECK_FALSE(lookup({42, 7}));
}

inline void GetTraceStopsAtConsumerError(const StoreFactory& open) {
  StoreUnderTest store(open);
  const TraceId id = Trace(1);
  std::vector<SpanShape> shapes;
  for (uint64_t i = 1; i <= 6; ++i) shapes.push_back({.trace = id, .id = i});
  store.Write(Spans("frontend", shapes));

  size_t calls = 0;
  bool found = false;
  const Status read = store.reader().GetTrace(
      id, 2,
      [&](const SpanBatch&) {
        ++calls;
        return calls == 2 ? Status::ResourceExhausted("client went away") : Status();
      },
      found);
  CHECK(read.code() == tracecore::StatusCode::kResourceExhausted);
  CHECK(read.message() == "client went away");
  CHECK(calls == 2);
  CHECK(found);
}

// ---------------------------------------------------------------------------------------------
// FindTraceIds

inline void FindByService(const StoreFactory& open) {
  StoreUnderTest store(open);
  BatchBuilder batch;
  batch.Add("frontend", {.trace = Trace(1), .id = 1, .start = kT0 + 3 * kMs});
  batch.Add("backend", {.trace = Trace(1), .id = 2, .parent = 1, .start = kT0 + 3 * kMs});
  batch.Add("backend", {.trace = Trace(2), .id = 3, .start = kT0 + 2 * kMs});
  store.Write(batch.Take());
  store.Write(Spans("db", {{.trace = Trace(3), .id = 4, .start = kT0 + kMs}}));

  CHECK(store.Find(ServiceQuery("frontend")) == std::vector<TraceId>{Trace(1)});
  CHECK(store.Find(ServiceQuery("backend")) == std::vector<TraceId>{Trace(1), Trace(2)});
  CHECK(store.Find(ServiceQuery("db")) == std::vector<TraceId>{Trace(3)});
  CHECK(store.Find(ServiceQuery("nobody")).empty());
  CHECK(store.Find(ServiceQuery("Frontend")).empty());  // names are case-sensitive

  // FindTraceIds appends: what `out` held stays in front.
  std::vector<TraceId> ids = {Trace(77)};
  REQUIRE(store.reader().FindTraceIds(ServiceQuery("db"), ids).ok());
  CHECK(ids == std::vector<TraceId>{Trace(77), Trace(3)});
}

inline void FindByOperationAndKind(const StoreFactory& open) {
  StoreUnderTest store(open);
  BatchBuilder batch;
  batch.Add("frontend", {.trace = Trace(1),
                         .id = 1,
                         .name = "GET /users",
                         .kind = SpanKind::kServer,
                         .start = kT0 + 2 * kMs});
  batch.Add("backend", {.trace = Trace(1),
                        .id = 2,
                        .name = "SELECT",
                        .kind = SpanKind::kClient,
                        .start = kT0 + 2 * kMs});
  batch.Add("backend", {.trace = Trace(2),
                        .id = 3,
                        .name = "GET /users",
                        .kind = SpanKind::kServer,
                        .start = kT0 + kMs});
  batch.Add("frontend", {.trace = Trace(2), .id = 4, .name = "render", .start = kT0 + kMs});
  store.Write(batch.Take());

  auto find = [&](std::string service, std::string operation, std::optional<SpanKind> kind) {
    TraceQuery query = ServiceQuery(std::move(service));
    query.operation = std::move(operation);
    query.span_kind = kind;
    return store.Find(query);
  };
  using Ids = std::vector<TraceId>;
  CHECK(find("frontend", "GET /users", {}) == Ids{Trace(1)});
  CHECK(find("backend", "GET /users", {}) == Ids{Trace(2)});
  CHECK(find("frontend", "SELECT", {}).empty());  // another service's operation
  CHECK(find("frontend", "get /users", {}).empty());
  CHECK(find("frontend", "", SpanKind::kServer) == Ids{Trace(1)});
  CHECK(find("frontend", "", SpanKind::kInternal) == Ids{Trace(2)});
  CHECK(find("backend", "", SpanKind::kClient) == Ids{Trace(1)});
  CHECK(find("backend", "", SpanKind::kConsumer).empty());
  CHECK(find("backend", "GET /users", SpanKind::kServer) == Ids{Trace(2)});
  CHECK(find("backend", "GET /users", SpanKind::kClient).empty());  // both on one span
}

inline void FindByTagSource(const StoreFactory& open) {
  StoreUnderTest store(open);
  {  // 1: a span attribute
    BatchBuilder batch;
    Span& span = batch.Add("frontend", {.trace = Trace(1), .id = 1});
    batch.Set(span.attributes, "http.method", batch.String("GET"));
    store.Write(batch.Take());
  }
  {  // 2: resource attributes (Jaeger process tags) of the backend
    BatchBuilder batch;
    batch.Add("backend", {.trace = Trace(2), .id = 2});
    batch.SetResource("backend", "host.name", batch.String("node-7"));
    batch.SetResource("backend", "process.pid", AnyValue::Int(1234));
    batch.Add("frontend", {.trace = Trace(2), .id = 3, .parent = 2});
    store.Write(batch.Take());
  }
  {  // 3: an event attribute (a Jaeger log field); the event name is the log field `event`
    BatchBuilder batch;
    Span& span = batch.Add("frontend", {.trace = Trace(3), .id = 4});
    batch.Set(batch.AddEvent(span, "retry", kT0).attributes, "attempt", AnyValue::Int(3));
    store.Write(batch.Take());
  }
  {  // 4: an ERROR status, seen as the tags error=true and otel.status_code=ERROR
    BatchBuilder batch;
    Span& span = batch.Add("frontend", {.trace = Trace(4), .id = 5});
    batch.SetError(span, "boom");
    store.Write(batch.Take());
  }
  // 5: a server span, seen as the tag span.kind=server
  store.Write(Spans("frontend", {{.trace = Trace(5), .id = 6, .kind = SpanKind::kServer}}));

  using Ids = std::vector<TraceId>;
  CHECK(store.Find(TagQuery("frontend", "http.method", "GET")) == Ids{Trace(1)});
  CHECK(store.Find(TagQuery("frontend", "http.method", "POST")).empty());
  CHECK(store.Find(TagQuery("frontend", "HTTP.METHOD", "GET")).empty());
  CHECK(store.Find(TagQuery("backend", "host.name", "node-7")) == Ids{Trace(2)});
  CHECK(store.Find(TagQuery("backend", "process.pid", "1234")) == Ids{Trace(2)});
  // The process tag belongs to the backend's span, not to the frontend's span of the trace.
  CHECK(store.Find(TagQuery("frontend", "host.name", "node-7")).empty());
  CHECK(store.Find(TagQuery("frontend", "attempt", "3")) == Ids{Trace(3)});
  CHECK(store.Find(TagQuery("frontend", "event", "retry")) == Ids{Trace(3)});
  CHECK(store.Find(TagQuery("frontend", "error", "true")) == Ids{Trace(4)});
  CHECK(store.Find(TagQuery("frontend", "otel.status_code", "ERROR")) == Ids{Trace(4)});
  CHECK(store.Find(TagQuery("frontend", "otel.status_description", "boom")) == Ids{Trace(4)});
  CHECK(store.Find(TagQuery("frontend", "error", "false")).empty());
  CHECK(store.Find(TagQuery("frontend", "span.kind", "server")) == Ids{Trace(5)});
  CHECK(store.Find(TagQuery("frontend", "span.kind", "client")).empty());
}

inline void FindComparesTypedTagsAsText(const StoreFactory& open) {
  StoreUnderTest store(open);
  BatchBuilder batch;
  Span& typed = batch.Add("frontend", {.trace = Trace(1), .id = 1, .start = kT0 + kMs});
  batch.Set(typed.attributes, "http.status_code", AnyValue::Int(200));
  batch.Set(typed.attributes, "cache.hit", AnyValue::Bool(true));
  batch.Set(typed.attributes, "retried", AnyValue::Bool(false));
  batch.Set(typed.attributes, "ratio", AnyValue::Double(0.25));
  batch.Set(typed.attributes, "offset", AnyValue::Int(-42));
  batch.Set(typed.attributes, "digest", batch.Bytes("\x01\xab"));
  auto* items = batch.batch().AllocateArray<AnyValue>(2);
  items[0] = batch.String("a");
  items[1] = batch.String("b");
  batch.Set(typed.attributes, "letters", AnyValue::Array(items, 2));
  Span& text = batch.Add("frontend", {.trace = Trace(2), .id = 2});
  batch.Set(text.attributes, "http.status_code", batch.String("200"));
  store.Write(batch.Take());

  using Ids = std::vector<TraceId>;
  CHECK(store.Find(TagQuery("frontend", "http.status_code", "200")) == Ids{Trace(1), Trace(2)});
  CHECK(store.Find(TagQuery("frontend", "http.status_code", "200.0")).empty());
  CHECK(store.Find(TagQuery("frontend", "http.status_code", "20")).empty());
  CHECK(store.Find(TagQuery("frontend", "cache.hit", "true")) == Ids{Trace(1)});
  CHECK(store.Find(TagQuery("frontend", "cache.hit", "false")).empty());
  CHECK(store.Find(TagQuery("frontend", "retried", "false")) == Ids{Trace(1)});
  CHECK(store.Find(TagQuery("frontend", "ratio", "0.25")) == Ids{Trace(1)});
  CHECK(store.Find(TagQuery("frontend", "ratio", "0.3")).empty());
  CHECK(store.Find(TagQuery("frontend", "offset", "-42")) == Ids{Trace(1)});
  CHECK(store.Find(TagQuery("frontend", "digest", "01ab")) == Ids{Trace(1)});
  CHECK(store.Find(TagQuery("frontend", "letters", R"(["a","b"])")) == Ids{Trace(1)});
}

inline void FindNeedsEveryTagOnOneSpan(const StoreFactory& open) {
  StoreUnderTest store(open);
  {  // 1: a=1 and b=2, but on two spans
    BatchBuilder batch;
    Span& first = batch.Add("frontend", {.trace = Trace(1), .id = 1, .start = kT0 + 2 * kMs});
    batch.Set(first.attributes, "a", batch.String("1"));
    Span& second = batch.Add("frontend", {.trace = Trace(1), .id = 2, .start = kT0 + 2 * kMs});
    batch.Set(second.attributes, "b", batch.String("2"));
    store.Write(batch.Take());
  }
  {  // 2: one span with a=1 (attribute), b=2 (resource) and c=3 (event)
    BatchBuilder batch;
    Span& span = batch.Add("frontend", {.trace = Trace(2), .id = 3, .start = kT0 + kMs});
    batch.Set(span.attributes, "a", batch.String("1"));
    batch.SetResource("frontend", "b", batch.String("2"));
    batch.Set(batch.AddEvent(span, "log", kT0).attributes, "c", AnyValue::Int(3));
    store.Write(batch.Take());
  }
  auto find = [&](std::vector<std::pair<std::string, std::string>> tags) {
    TraceQuery query = ServiceQuery("frontend");
    query.tags = std::move(tags);
    return store.Find(query);
  };
  using Ids = std::vector<TraceId>;
  CHECK(find({{"a", "1"}}) == Ids{Trace(1), Trace(2)});
  CHECK(find({{"a", "1"}, {"b", "2"}}) == Ids{Trace(2)});
  CHECK(find({{"a", "1"}, {"b", "2"}, {"c", "3"}}) == Ids{Trace(2)});
  CHECK(find({{"a", "1"}, {"b", "3"}}).empty());
  CHECK(find({{"a", "1"}, {"missing", "1"}}).empty());
}

inline void FindByStartTimeRange(const StoreFactory& open) {
  StoreUnderTest store(open);
  store.Write(Spans("frontend", {{.trace = Trace(1), .id = 1, .start = kT0 + 10 * kMs},
                                 {.trace = Trace(2), .id = 2, .start = kT0 + 20 * kMs}}));
  store.Write(Spans("frontend", {{.trace = Trace(3), .id = 3, .start = kT0 + 30 * kMs}}));
  // 4: the frontend's span is outside the range; only the backend's span is inside.
  BatchBuilder batch;
  batch.Add("frontend", {.trace = Trace(4), .id = 4, .start = kT0 + 100 * kMs});
  batch.Add("backend", {.trace = Trace(4), .id = 5, .parent = 4, .start = kT0 + 20 * kMs});
  store.Write(batch.Take());

  auto find = [&](uint64_t min, uint64_t max) {
    TraceQuery query = ServiceQuery("frontend");
    query.start_time_min = min;
    query.start_time_max = max;
    return store.Find(query);
  };
  using Ids = std::vector<TraceId>;
  CHECK(find(kT0 + 20 * kMs, kT0 + 30 * kMs) == Ids{Trace(3), Trace(2)});
  CHECK(find(kT0 + 20 * kMs + 1, kT0 + 30 * kMs) == Ids{Trace(3)});
  CHECK(find(kT0 + 20 * kMs, kT0 + 30 * kMs - 1) == Ids{Trace(2)});
  CHECK(find(kT0 + 10 * kMs, kT0 + 10 * kMs) == Ids{Trace(1)});
  CHECK(find(0, kT0 + 20 * kMs) == Ids{Trace(2), Trace(1)});
  CHECK(find(kT0 + 30 * kMs, 0) == Ids{Trace(4), Trace(3)});  // 0: no upper bound
  CHECK(find(kT0 + 15 * kMs, kT0 + 25 * kMs) == Ids{Trace(2)});
  CHECK(find(kT0 + 31 * kMs, kT0 + 99 * kMs).empty());
}

// A span in the range is found when a later span of the same trace and service came with it.
inline void FindSpanInRangeBesideLaterOnes(const StoreFactory& open) {
  StoreUnderTest store(open);
  store.Write(
      Spans("frontend", {{.trace = Trace(1), .id = 1, .start = kT0 + 10 * kMs},
                         {.trace = Trace(1), .id = 2, .parent = 1, .start = kT0 + 50'000 * kMs},
                         {.trace = Trace(2), .id = 3, .start = kT0 + 20 * kMs}}));
  TraceQuery query = ServiceQuery("frontend");
  query.start_time_min = kT0;
  query.start_time_max = kT0 + 15 * kMs;
  CHECK(store.Find(query) == std::vector<TraceId>{Trace(1)});
  query.start_time_max = kT0 + 25 * kMs;
  CHECK(store.Find(query) == std::vector<TraceId>{Trace(2), Trace(1)});
}

inline void FindByDuration(const StoreFactory& open) {
  StoreUnderTest store(open);
  store.Write(Spans("frontend",
                    {{.trace = Trace(1), .id = 1, .start = kT0 + 1 * kMs, .duration = 1 * kMs},
                     {.trace = Trace(2), .id = 2, .start = kT0 + 2 * kMs, .duration = 2 * kMs},
                     {.trace = Trace(3), .id = 3, .start = kT0 + 3 * kMs, .duration = 3 * kMs}}));
  // 4: a long backend span and a short frontend span.
  BatchBuilder batch;
  batch.Add("frontend", {.trace = Trace(4), .id = 4, .start = kT0 + 4 * kMs, .duration = 10});
  batch.Add("backend", {.trace = Trace(4), .id = 5, .start = kT0 + 4 * kMs, .duration = 2 * kMs});
  store.Write(batch.Take());

  auto find = [&](uint64_t min, uint64_t max) {
    TraceQuery query = ServiceQuery("frontend");
    query.duration_min = min;
    query.duration_max = max;
    return store.Find(query);
  };
  using Ids = std::vector<TraceId>;
  CHECK(find(2 * kMs, 0) == Ids{Trace(3), Trace(2)});
  CHECK(find(2 * kMs + 1, 0) == Ids{Trace(3)});
  CHECK(find(0, 2 * kMs) == Ids{Trace(4), Trace(2), Trace(1)});
  CHECK(find(0, 2 * kMs - 1) == Ids{Trace(4), Trace(1)});
  CHECK(find(2 * kMs, 2 * kMs) == Ids{Trace(2)});
  CHECK(find(1 * kMs, 3 * kMs) == Ids{Trace(3), Trace(2), Trace(1)});
  CHECK(find(4 * kMs, 0).empty());
}

inline void FindReturnsNewestFirstUpToLimit(const StoreFactory& open) {
  StoreUnderTest store(open);
  // Traces 0..4 start at T0 + n ms, written out of order, in two batches.
  store.Write(Spans("frontend", {{.trace = Trace(2), .id = 12, .start = kT0 + 2 * kMs},
                                 {.trace = Trace(4), .id = 14, .start = kT0 + 4 * kMs}}));
  store.Write(Spans("frontend", {{.trace = Trace(0), .id = 10, .start = kT0},
                                 {.trace = Trace(3), .id = 13, .start = kT0 + 3 * kMs},
                                 {.trace = Trace(1), .id = 11, .start = kT0 + 1 * kMs}}));
  auto find = [&](uint32_t limit) {
    TraceQuery query = ServiceQuery("frontend");
    query.limit = limit;
    return store.Find(query);
  };
  using Ids = std::vector<TraceId>;
  CHECK(find(20) == Ids{Trace(4), Trace(3), Trace(2), Trace(1), Trace(0)});
  CHECK(find(5) == Ids{Trace(4), Trace(3), Trace(2), Trace(1), Trace(0)});
  CHECK(find(3) == Ids{Trace(4), Trace(3), Trace(2)});
  CHECK(find(1) == Ids{Trace(4)});
}

inline void FindOrdersByNewestMatchingSpan(const StoreFactory& open) {
  StoreUnderTest store(open);
  // 1: the frontend's "c" at +30 ms, "b" at +90 ms and "a" at +10 ms, written in that order (the
  // newest is neither the first nor the last written), and the backend at +100 ms.
  BatchBuilder first;
  first.Add("frontend", {.trace = Trace(1), .id = 1, .name = "c", .start = kT0 + 30 * kMs});
  first.Add("backend", {.trace = Trace(1), .id = 2, .parent = 1, .start = kT0 + 100 * kMs});
  store.Write(first.Take());
  store.Write(
      Spans("frontend",
            {{.trace = Trace(1), .id = 3, .parent = 1, .name = "b", .start = kT0 + 90 * kMs}}));
  BatchBuilder last;
  last.Add("frontend",
           {.trace = Trace(1), .id = 4, .parent = 1, .name = "a", .start = kT0 + 10 * kMs});
  // 2: the frontend's "a" at +50 ms.
  last.Add("frontend", {.trace = Trace(2), .id = 5, .name = "a", .start = kT0 + 50 * kMs});
  store.Write(last.Take());

  using Ids = std::vector<TraceId>;
  CHECK(store.Find(ServiceQuery("frontend")) == Ids{Trace(1), Trace(2)});  // 90 ms, 50 ms
  TraceQuery only_a = ServiceQuery("frontend");
  only_a.operation = "a";
  CHECK(store.Find(only_a) == Ids{Trace(2), Trace(1)});  // 50 ms, 10 ms
  only_a.limit = 1;
  CHECK(store.Find(only_a) == Ids{Trace(2)});
  TraceQuery before_b = ServiceQuery("frontend");
  before_b.start_time_max = kT0 + 60 * kMs;
  CHECK(store.Find(before_b) == Ids{Trace(2), Trace(1)});  // 50 ms, 30 ms
  CHECK(store.Find(ServiceQuery("backend")) == Ids{Trace(1)});
}

// A trace with one span that satisfies `query` in FindCombinesEveryCondition, changed by `spoil`.
inline SpanBatch CandidateTrace(uint64_t number,
                                const std::function<void(BatchBuilder&, Span&)>& spoil,
                                std::string_view service = "frontend") {
  BatchBuilder batch;
  Span& span = batch.Add(service, {.trace = Trace(number),
                                   .id = number * 10,
                                   .name = "checkout",
                                   .kind = SpanKind::kServer,
                                   .start = kT0 + 15 * kMs,
                                   .duration = 20 * kMs});
  batch.Set(span.attributes, "http.status_code", AnyValue::Int(500));
  batch.SetError(span, "payment declined");
  spoil(batch, span);
  return batch.Take();
}

inline void FindCombinesEveryCondition(const StoreFactory& open) {
  StoreUnderTest store(open);
  auto keep = [](BatchBuilder&, Span&) {};
  store.Write(CandidateTrace(1, keep));
  store.Write(CandidateTrace(2, [](BatchBuilder& b, Span& s) { s.name = b.Text("browse"); }));
  store.Write(CandidateTrace(3, [](BatchBuilder&, Span& s) { s.kind = SpanKind::kClient; }));
  store.Write(CandidateTrace(4, [](BatchBuilder&, Span& s) { s.attributes.clear(); }));
  store.Write(CandidateTrace(5, [](BatchBuilder&, Span& s) { s.status = {}; }));
  store.Write(CandidateTrace(6, [](BatchBuilder&, Span& s) {
    s.start_time_unix_nano -= 10 * kMs;  // starts at +5 ms
    s.end_time_unix_nano -= 10 * kMs;
  }));
  store.Write(CandidateTrace(7, [](BatchBuilder&, Span& s) {
    s.start_time_unix_nano += 10 * kMs;  // starts at +25 ms
    s.end_time_unix_nano += 10 * kMs;
  }));
  store.Write(CandidateTrace(8, [](BatchBuilder&, Span& s) { s.end_time_unix_nano -= 19 * kMs; }));
  store.Write(CandidateTrace(9, [](BatchBuilder&, Span& s) { s.end_time_unix_nano += 100 * kMs; }));
  store.Write(CandidateTrace(10, keep, "backend"));
  // 11: the error on a second span of the trace, not on the one with everything else.
  store.Write(CandidateTrace(11, [](BatchBuilder& b, Span& s) {
    s.status = {};
    Span& other = b.Add("frontend", {.trace = s.trace_id,
                                     .id = 111,
                                     .parent = s.span_id.value,
                                     .name = "checkout",
                                     .kind = SpanKind::kServer,
                                     .start = kT0 + 15 * kMs,
                                     .duration = 20 * kMs});
    b.SetError(other, "payment declined");
  }));

  TraceQuery query = ServiceQuery("frontend");
  query.operation = "checkout";
  query.span_kind = SpanKind::kServer;
  query.tags = {{"http.status_code", "500"}, {"error", "true"}};
  query.start_time_min = kT0 + 10 * kMs;
  query.start_time_max = kT0 + 20 * kMs;
  query.duration_min = 5 * kMs;
  query.duration_max = 50 * kMs;
  CHECK(store.Find(query) == std::vector<TraceId>{Trace(1)});
}

// ---------------------------------------------------------------------------------------------
// GetServices, GetOperations

inline void GetServicesListsEachOnceSorted(const StoreFactory& open) {
  StoreUnderTest store(open);
  CHECK(store.Services().empty());
  BatchBuilder first;
  first.Add("zeta", {.trace = Trace(1), .id = 1});
  first.Add("alpha", {.trace = Trace(1), .id = 2});
  store.Write(first.Take());
  BatchBuilder second;
  second.Add("mid", {.trace = Trace(2), .id = 3});
  second.Add("alpha", {.trace = Trace(2), .id = 4});
  second.Add("zeta", {.trace = Trace(3), .id = 5});
  store.Write(second.Take());
  CHECK(store.Services() == std::vector<std::string>{"alpha", "mid", "zeta"});
}

inline void GetOperationsListsNamesAndKinds(const StoreFactory& open) {
  StoreUnderTest store(open);
  store.Write(Spans("frontend",
                    {{.trace = Trace(1), .id = 1, .name = "GET /b", .kind = SpanKind::kServer},
                     {.trace = Trace(1), .id = 2, .name = "GET /a", .kind = SpanKind::kServer},
                     {.trace = Trace(1), .id = 3, .name = "GET /a", .kind = SpanKind::kClient}}));
  store.Write(
      Spans("frontend",
            {{.trace = Trace(2), .id = 4, .name = "render", .kind = SpanKind::kInternal},
             {.trace = Trace(2), .id = 5, .name = "GET /a", .kind = SpanKind::kServer},
             {.trace = Trace(2), .id = 6, .name = "legacy", .kind = SpanKind::kUnspecified}}));
  store.Write(Spans("backend",
                    {{.trace = Trace(2), .id = 7, .name = "SELECT", .kind = SpanKind::kClient}}));

  using Ops = std::vector<Operation>;
  CHECK(store.Operations("frontend") == Ops{{"GET /a", SpanKind::kServer},
                                            {"GET /a", SpanKind::kClient},
                                            {"GET /b", SpanKind::kServer},
                                            {"legacy", SpanKind::kUnspecified},
                                            {"render", SpanKind::kInternal}});
  CHECK(store.Operations("frontend", SpanKind::kServer) ==
        Ops{{"GET /a", SpanKind::kServer}, {"GET /b", SpanKind::kServer}});
  CHECK(store.Operations("frontend", SpanKind::kClient) == Ops{{"GET /a", SpanKind::kClient}});
  CHECK(store.Operations("frontend", SpanKind::kConsumer).empty());
  CHECK(store.Operations("backend") == Ops{{"SELECT", SpanKind::kClient}});
  CHECK(store.Operations("nobody").empty());
}

// ---------------------------------------------------------------------------------------------
// GetDependencies

inline void GetDependenciesCountsCallsInWindow(const StoreFactory& open) {
  StoreUnderTest store(open);
  const uint64_t end = kT0 + 60 * kMinute;
  const uint64_t lookback = 30 * kMinute;
  const uint64_t inside = kT0 + 40 * kMinute;

  // 1: frontend -> backend twice (children in a later batch), backend -> db, and
  // frontend -> frontend (same service: not a dependency).
  store.Write(Spans("frontend", {{.trace = Trace(1), .id = 1, .start = inside},
                                 {.trace = Trace(1), .id = 2, .parent = 1, .start = inside}}));
  BatchBuilder children;
  children.Add("backend", {.trace = Trace(1), .id = 3, .parent = 1, .start = inside + 1});
  children.Add("backend", {.trace = Trace(1), .id = 4, .parent = 2, .start = inside + 2});
  children.Add("db", {.trace = Trace(1), .id = 5, .parent = 4, .start = inside + 3});
  // 2: frontend -> backend, both in one batch.
  children.Add("frontend", {.trace = Trace(2), .id = 6, .start = inside});
  children.Add("backend", {.trace = Trace(2), .id = 7, .parent = 6, .start = inside});
  store.Write(children.Take());
  // 3: before the window; 4: a second after its end (backends may count by the second).
  BatchBuilder outside;
  outside.Add("frontend", {.trace = Trace(3), .id = 8, .start = kT0 + 10 * kMinute});
  outside.Add("cache", {.trace = Trace(3), .id = 9, .parent = 8, .start = kT0 + 10 * kMinute});
  outside.Add("frontend", {.trace = Trace(4), .id = 10, .start = end + 1000 * kMs});
  outside.Add("queue", {.trace = Trace(4), .id = 11, .parent = 10, .start = end + 1000 * kMs});
  store.Write(outside.Take());
  // 5: calls exactly at both bounds of the window.
  BatchBuilder bounds;
  bounds.Add("api", {.trace = Trace(5), .id = 12, .start = end - lookback});
  bounds.Add("auth", {.trace = Trace(5), .id = 13, .parent = 12, .start = end - lookback});
  bounds.Add("api", {.trace = Trace(6), .id = 14, .start = end});
  bounds.Add("billing", {.trace = Trace(6), .id = 15, .parent = 14, .start = end});
  // 7: a child whose parent was never stored; 8: a parent id of another trace.
  bounds.Add("orphan", {.trace = Trace(7), .id = 16, .parent = 99, .start = inside});
  bounds.Add("stranger", {.trace = Trace(8), .id = 17, .parent = 1, .start = inside});
  store.Write(bounds.Take());

  CHECK(store.Dependencies(end, lookback) == std::vector<DependencyLink>{
                                                 {"api", "auth", 1},
                                                 {"api", "billing", 1},
                                                 {"backend", "db", 1},
                                                 {"frontend", "backend", 3},
                                             });
  CHECK(store.Dependencies(kT0, 5 * kMinute).empty());
  CHECK(store.Dependencies(kT0 + 20 * kMinute, 20 * kMinute) ==
        std::vector<DependencyLink>{{"frontend", "cache", 1}});
}

// ---------------------------------------------------------------------------------------------
// Concurrency

// Failures seen on worker threads (Catch's assertions are for the test's own thread only).
class ThreadFailures {
 public:
  void Add(std::string message) {
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(message));
  }
  std::vector<std::string> Take() {
    std::lock_guard lock(mutex_);
    return std::move(messages_);
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> messages_;
};

inline constexpr uint64_t kWriters = 4;
inline constexpr uint64_t kTracesPerWriter = 50;
inline constexpr uint64_t kHotTrace = 999'999;  // every writer adds spans to this trace

// Writer `w`'s trace `t`: a root of svc-w, then (in a second batch) an internal child of svc-w and
// a shared-db client child; and a span of the hot trace, which every writer grows.
inline void WriteConcurrentTrace(storage::SpanWriter& writer, uint64_t w, uint64_t t,
                                 ThreadFailures& failures) {
  const std::string service = "svc-" + std::to_string(w);
  const TraceId id = Trace(w * 1000 + t);
  const uint64_t start = kT0 + (w * kTracesPerWriter + t) * kMs;
  SpanBatch root = Spans(service, {{.trace = id, .id = 1, .name = "root", .start = start}});
  BatchBuilder children;
  children.Add(service, {.trace = id, .id = 2, .parent = 1, .name = "work", .start = start + 1});
  children.Add("shared-db", {.trace = id,
                             .id = 3,
                             .parent = 1,
                             .name = "query",
                             .kind = SpanKind::kClient,
                             .start = start + 2});
  children.Add("hot", {.trace = Trace(kHotTrace), .id = w * 1000 + t + 1, .start = start});
  for (SpanBatch* batch : {&root, &children.batch()}) {
    const Status written = writer.WriteBatch(*batch);
    if (!written.ok()) failures.Add("WriteBatch: " + written.message());
  }
}

// One pass of every read method, checking what holds at any moment while writers run.
inline void ReadConcurrently(const storage::Backend& backend, ThreadFailures& failures) {
  std::vector<TraceId> ids;
  TraceQuery query = ServiceQuery("shared-db");
  query.limit = 1000;
  const Status searched = backend.reader->FindTraceIds(query, ids);
  if (!searched.ok()) failures.Add("FindTraceIds: " + searched.message());
  ids.push_back(Trace(kHotTrace));
  for (const TraceId& id : ids) {
    bool found = false;
    size_t spans = 0;
    const Status read = backend.reader->GetTrace(
        id, 2,
        [&](const SpanBatch& chunk) {
          for (const Span& span : chunk.spans()) {
            if (span.trace_id != id) failures.Add("GetTrace " + id.ToHex() + ": a foreign span");
          }
          spans += chunk.spans().size();
          return Status();
        },
        found);
    if (!read.ok()) failures.Add("GetTrace: " + read.message());
    const size_t most = id == Trace(kHotTrace) ? kWriters * kTracesPerWriter : 3;
    if (id != Trace(kHotTrace) && (!found || spans == 0)) {
      failures.Add("GetTrace " + id.ToHex() + ": a trace that FindTraceIds found is not readable");
    }
    if (spans > most) failures.Add("GetTrace " + id.ToHex() + ": too many spans");
  }
  std::vector<std::string> services;
  const Status listed = backend.reader->GetServices(services);
  if (!listed.ok()) failures.Add("GetServices: " + listed.message());
  if (std::adjacent_find(services.begin(), services.end(), std::greater_equal<>()) !=
      services.end()) {
    failures.Add("GetServices: not sorted or not unique");
  }
  std::vector<Operation> operations;
  const Status operations_listed =
      backend.reader->GetOperations("shared-db", std::nullopt, operations);
  if (!operations_listed.ok()) failures.Add("GetOperations: " + operations_listed.message());
  if (operations.size() > 1) failures.Add("GetOperations: more than shared-db's one operation");
  std::vector<DependencyLink> links;
  const Status linked =
      backend.dependencies->GetDependencies(kT0 + 60 * kMinute, 60 * kMinute, links);
  if (!linked.ok()) failures.Add("GetDependencies: " + linked.message());
  for (const DependencyLink& link : links) {
    if (link.child != "shared-db" || link.call_count > kTracesPerWriter) {
      failures.Add("GetDependencies: unexpected " + link.parent + " -> " + link.child);
    }
  }
}

inline void ConcurrentWritersAndReaders(const StoreFactory& open) {
  StoreUnderTest store(open);
  ThreadFailures failures;
  std::atomic<bool> go{false};  // every thread starts at once, so that they overlap
  std::atomic<size_t> writers_left{kWriters};
  std::atomic<size_t> passes{0};
  std::vector<std::thread> threads;
  for (uint64_t w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      while (!go.load()) std::this_thread::yield();
      for (uint64_t t = 0; t < kTracesPerWriter; ++t) {
        WriteConcurrentTrace(store.writer(), w, t, failures);
      }
      writers_left.fetch_sub(1);
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      do {
        ReadConcurrently(store.backend(), failures);
        passes.fetch_add(1);
      } while (writers_left.load() > 0);
    });
  }
  go.store(true);
  for (std::thread& thread : threads) thread.join();
  CHECK(failures.Take().empty());
  CHECK(passes.load() >= 2);

  // Everything written is there once the writers are done.
  store.Flush();
  std::vector<TraceId> newest_first;
  for (uint64_t n = kWriters * kTracesPerWriter; n-- > 0;) {
    newest_first.push_back(Trace((n / kTracesPerWriter) * 1000 + n % kTracesPerWriter));
  }
  TraceQuery query = ServiceQuery("shared-db");
  query.limit = 1000;
  CHECK(store.Find(query) == newest_first);
  for (const TraceId& id : newest_first) CHECK(store.ReadTrace(id).size() == 3);
  CHECK(store.ReadTrace(Trace(kHotTrace)).size() == kWriters * kTracesPerWriter);
  CHECK(store.Services() ==
        std::vector<std::string>{"hot", "shared-db", "svc-0", "svc-1", "svc-2", "svc-3"});
  CHECK(store.Operations("svc-2") ==
        std::vector<Operation>{{"root", SpanKind::kInternal}, {"work", SpanKind::kInternal}});
  std::vector<DependencyLink> links;
  for (uint64_t w = 0; w < kWriters; ++w) {
    links.push_back({"svc-" + std::to_string(w), "shared-db", kTracesPerWriter});
  }
  CHECK(store.Dependencies(kT0 + 60 * kMinute, 60 * kMinute) == links);
}

// ---------------------------------------------------------------------------------------------
// Registration

struct ConformanceCase {
  const char* name;
  void (*body)(const StoreFactory&);
};

inline constexpr ConformanceCase kConformanceCases[] = {
    {"GetTrace returns every span of a trace written in several batches with every field kept",
     &GetTraceKeepsEveryField},
    {"GetTrace streams a trace in chunks of at most max_chunk_spans", &GetTraceStreamsChunks},
    {"GetTrace of a trace that is not stored finds nothing", &GetTraceOfUnknownIdFindsNothing},
    {"GetTrace stops at the first consumer error and returns it", &GetTraceStopsAtConsumerError},
    {"FindTraceIds finds the traces with a span of the service", &FindByService},
    {"FindTraceIds matches operation and span kind on a span of the service",
     &FindByOperationAndKind},
    {"FindTraceIds matches tags of the span and its resource and events and derived Jaeger tags",
     &FindByTagSource},
    {"FindTraceIds compares typed tag values as text", &FindComparesTypedTagsAsText},
    {"FindTraceIds needs every tag to match on one span", &FindNeedsEveryTagOnOneSpan},
    {"FindTraceIds keeps spans starting within the time range with bounds included",
     &FindByStartTimeRange},
    {"FindTraceIds finds a span in the range beside later spans of its trace",
     &FindSpanInRangeBesideLaterOnes},
    {"FindTraceIds keeps spans within the duration bounds with bounds included", &FindByDuration},
    {"FindTraceIds returns the newest traces first and at most limit",
     &FindReturnsNewestFirstUpToLimit},
    {"FindTraceIds orders traces by their newest matching span", &FindOrdersByNewestMatchingSpan},
    {"FindTraceIds needs every condition to hold on one span", &FindCombinesEveryCondition},
    {"GetServices lists every service once and sorted", &GetServicesListsEachOnceSorted},
    {"GetOperations lists names and kinds sorted and filters by kind",
     &GetOperationsListsNamesAndKinds},
    {"GetDependencies counts calls between services within the window",
     &GetDependenciesCountsCallsInWindow},
    {"Concurrent writers and readers see consistent data", &ConcurrentWritersAndReaders},
};

// Runs one case with the backend's factory.
class ConformanceInvoker final : public Catch::ITestInvoker {
 public:
  ConformanceInvoker(void (*body)(const StoreFactory&), StoreFactory open)
      : body_(body), open_(std::move(open)) {}
  void invoke() const override { body_(open_); }

 private:
  void (*body_)(const StoreFactory&);
  StoreFactory open_;
};

}  // namespace conformance

// Registers every conformance case as the TEST_CASE "<backend>: <case>". Call once per backend
// from a namespace-scope initializer (before Catch's main runs); returns true.
inline bool RegisterSpanStoreConformance(const std::string& backend, const StoreFactory& open) {
  for (const conformance::ConformanceCase& test : conformance::kConformanceCases) {
    const std::string name = backend + ": " + test.name;
    // Catch owns the invoker from here on.
    const Catch::AutoReg registration(new conformance::ConformanceInvoker(test.body, open),
                                      Catch::SourceLineInfo(__FILE__, __LINE__), Catch::StringRef(),
                                      Catch::NameAndTags(name, "[storage][conformance]"));
  }
  return true;
}

}  // namespace ariadne::testing
