// The span model: OTLP-shaped, flat, and arena-backed.
//
// A SpanBatch holds resources, instrumentation scopes and spans; each span names its resource and
// scope by index, so that a batch can be walked, filtered and split span by span while the OTLP
// grouping (ResourceSpans > ScopeSpans > Span) is still recoverable: consecutive spans with the
// same (resource, scope) pair form one group.
//
// Ownership: every string_view and every vector in a batch points into memory the batch owns:
// its arena, or an input buffer handed to it with Retain(). A batch is a move-only handle; moving
// it never moves the data, so views stay valid. A batch may be read from several threads at once,
// but changed by one thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <memory_resource>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tracecore/ids.h"

namespace ariadne::tracecore {

struct Attribute;

enum class ValueType : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kArray, kMap };

// A typed attribute value (OTLP AnyValue). Strings, bytes, arrays and maps are views into the
// owning batch. Arrays and maps are immutable once built.
class AnyValue {
 public:
  AnyValue() = default;
  static AnyValue String(std::string_view s) {
    return AnyValue(ValueType::kString, s.data(), s.size());
  }
  static AnyValue Bytes(std::string_view s) {
    return AnyValue(ValueType::kBytes, s.data(), s.size());
  }
  static AnyValue Bool(bool b) {
    AnyValue v;
    v.type_ = ValueType::kBool;
    v.scalar_.b = b;
    return v;
  }
  static AnyValue Int(int64_t i) {
    AnyValue v;
    v.type_ = ValueType::kInt;
    v.scalar_.i = i;
    return v;
  }
  static AnyValue Double(double d) {
    AnyValue v;
    v.type_ = ValueType::kDouble;
    v.scalar_.d = d;
    return v;
  }
  static AnyValue Array(const AnyValue* values, size_t count) {
    return AnyValue(ValueType::kArray, values, count);
  }
  static AnyValue Map(const Attribute* values, size_t count) {
    return AnyValue(ValueType::kMap, values, count);
  }

  ValueType type() const { return type_; }
  bool empty() const { return type_ == ValueType::kEmpty; }
  // Each accessor is valid only for its own type.
  std::string_view string_value() const { return {static_cast<const char*>(ref_.data), ref_.size}; }
  std::string_view bytes_value() const { return string_value(); }
  bool bool_value() const { return scalar_.b; }
  int64_t int_value() const { return scalar_.i; }
  double double_value() const { return scalar_.d; }
  const AnyValue* array_begin() const { return static_cast<const AnyValue*>(ref_.data); }
  const Attribute* map_begin() const { return static_cast<const Attribute*>(ref_.data); }
  size_t size() const { return ref_.size; }  // array or map element count

  // Structural equality (deep for arrays and maps; doubles compared bit-for-bit).
  bool operator==(const AnyValue& other) const;

 private:
  AnyValue(ValueType type, const void* data, size_t size) : type_(type) {
    ref_.data = data;
    ref_.size = size;
  }

  ValueType type_ = ValueType::kEmpty;
  union {
    bool b;
    int64_t i;
    double d;
  } scalar_{};
  struct {
    const void* data = nullptr;
    size_t size = 0;
  } ref_;
};

struct Attribute {
  std::string_view key;
  AnyValue value;
  bool operator==(const Attribute&) const = default;
};

using Attributes = std::pmr::vector<Attribute>;

// Values follow OTLP's SpanKind numbering.
enum class SpanKind : uint8_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5,
};

// Values follow OTLP's Status.StatusCode numbering.
enum class SpanStatusCode : uint8_t { kUnset = 0, kOk = 1, kError = 2 };

struct SpanStatus {
  SpanStatusCode code = SpanStatusCode::kUnset;
  std::string_view message;
};

struct Event {
  explicit Event(std::pmr::memory_resource* arena) : attributes(arena) {}
  uint64_t time_unix_nano = 0;
  std::string_view name;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
};

struct Link {
  explicit Link(std::pmr::memory_resource* arena) : attributes(arena) {}
  TraceId trace_id;
  SpanId span_id;
  std::string_view trace_state;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;  // OTLP SpanFlags
};

struct Resource {
  explicit Resource(std::pmr::memory_resource* arena) : attributes(arena) {}
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  std::string_view schema_url;  // ResourceSpans.schema_url

  // The value of `service.name`, or "" when absent or not a string.
  std::string_view ServiceName() const;
};

struct Scope {
  explicit Scope(std::pmr::memory_resource* arena) : attributes(arena) {}
  std::string_view name;
  std::string_view version;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  std::string_view schema_url;  // ScopeSpans.schema_url
};

struct Span {
  explicit Span(std::pmr::memory_resource* arena)
      : attributes(arena), events(arena), links(arena) {}

  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;  // empty for a root span
  std::string_view trace_state;
  std::string_view name;
  SpanKind kind = SpanKind::kUnspecified;
  // Trace flags: the low byte is W3C's (bit 0 sampled); Jaeger's debug (2) and firehose (8) bits
  // share that byte; bits 8 and 9 are OTLP's remote-parent bits.
  uint32_t flags = 0;
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  std::pmr::vector<Event> events;
  uint32_t dropped_events_count = 0;
  std::pmr::vector<Link> links;
  uint32_t dropped_links_count = 0;
  SpanStatus status;

  uint32_t resource_index = 0;  // into SpanBatch::resources()
  uint32_t scope_index = 0;     // into SpanBatch::scopes()
};

class SpanBatch {
 public:
  SpanBatch();
  SpanBatch(SpanBatch&&) noexcept = default;
  SpanBatch& operator=(SpanBatch&&) noexcept = default;
  ~SpanBatch();

  std::pmr::vector<Resource>& resources() { return data_->resources; }
  const std::pmr::vector<Resource>& resources() const { return data_->resources; }
  std::pmr::vector<Scope>& scopes() { return data_->scopes; }
  const std::pmr::vector<Scope>& scopes() const { return data_->scopes; }
  std::pmr::vector<Span>& spans() { return data_->spans; }
  const std::pmr::vector<Span>& spans() const { return data_->spans; }

  const Resource& resource_of(const Span& span) const {
    return data_->resources[span.resource_index];
  }
  const Scope& scope_of(const Span& span) const { return data_->scopes[span.scope_index]; }

  std::pmr::memory_resource* arena() { return &data_->arena; }

  // Appends an empty resource / scope / span and returns its index or reference.
  uint32_t AddResource();
  uint32_t AddScope();
  Span& AddSpan(uint32_t resource_index, uint32_t scope_index);

  // Moves the spans of `other` to the end of this batch, with its resources and scopes (appended
  // as they are, not merged with this batch's). Strings and values are not copied: this batch
  // keeps `other`'s bytes alive from now on. `other` is left empty. Cheaper than decoding again:
  // lets two threads decode halves of one trace into two batches and join them.
  void Append(SpanBatch&& other);

  // Takes ownership of `bytes` and returns a view of them that lives as long as the batch.
  // Decoders keep views into their input, so the input must be retained (or outlive the batch).
  std::string_view Retain(std::string bytes);
  // Keeps `owner` alive as long as the batch: for spans that point into memory another object
  // owns (a storage block reader, say).
  void KeepAlive(std::shared_ptr<const void> owner);
  // Copies `text` into the arena.
  std::string_view Copy(std::string_view text);
  // Allocates `count` default-constructed objects in the arena (for AnyValue arrays and maps).
  template <typename T>
  T* AllocateArray(size_t count) {
    void* raw = data_->arena.allocate(sizeof(T) * (count == 0 ? 1 : count), alignof(T));
    T* items = static_cast<T*>(raw);
    for (size_t i = 0; i < count; ++i) new (&items[i]) T();
    return items;
  }

 private:
  struct Data {
    Data();
    std::pmr::monotonic_buffer_resource arena;
    std::deque<std::string> retained;  // a deque: growing it never moves a retained string
    std::vector<std::shared_ptr<const void>> kept_alive;
    std::pmr::vector<Resource> resources;
    std::pmr::vector<Scope> scopes;
    std::pmr::vector<Span> spans;
    std::vector<std::unique_ptr<Data>> appended;  // batches Append took: their bytes are viewed
  };
  std::unique_ptr<Data> data_;
};

// Human-readable names used across formats: "SERVER", "client", ...
std::string_view SpanKindUpperName(SpanKind kind);  // "SERVER"; "" for unspecified
std::string_view SpanKindLowerName(SpanKind kind);  // "server"; "" for unspecified

// Finds an attribute by key; nullptr when absent.
const Attribute* FindAttribute(const Attributes& attributes, std::string_view key);

// Sorts `attributes` by key, keeping the order of equal keys (as Jaeger's adjusters sort tags).
// Allocation-free for the short lists spans carry.
void StableSortByKey(std::span<Attribute> attributes);

}  // namespace ariadne::tracecore
