#include "tracecore/model.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ariadne::tracecore {
namespace {

// The first arena block; later blocks grow geometrically. Sized for a typical export request of a
// few hundred spans so that most batches allocate once.
constexpr size_t kInitialArenaBytes = 64 * 1024;

}  // namespace

bool AnyValue::operator==(const AnyValue& other) const {
  if (type_ != other.type_) return false;
  switch (type_) {
    case ValueType::kEmpty: return true;
    case ValueType::kString:
    case ValueType::kBytes: return string_value() == other.string_value();
    case ValueType::kBool: return scalar_.b == other.scalar_.b;
    case ValueType::kInt: return scalar_.i == other.scalar_.i;
    case ValueType::kDouble:
      // Bit for bit, as on the wire: NaN equals itself and 0.0 differs from -0.0.
      return std::bit_cast<uint64_t>(scalar_.d) == std::bit_cast<uint64_t>(other.scalar_.d);
    case ValueType::kArray:
      if (size() != other.size()) return false;
      for (size_t i = 0; i < size(); ++i) {
        if (!(array_begin()[i] == other.array_begin()[i])) return false;
      }
      return true;
    case ValueType::kMap:
      if (size() != other.size()) return false;
      for (size_t i = 0; i < size(); ++i) {
        if (!(map_begin()[i] == other.map_begin()[i])) return false;
      }
      return true;
  }
  return false;
}

std::string_view Resource::ServiceName() const {
  const Attribute* name = FindAttribute(attributes, "service.name");
  if (name == nullptr || name->value.type() != ValueType::kString) return {};
  return name->value.string_value();
}

SpanBatch::Data::Data()
    : arena(kInitialArenaBytes), resources(&arena), scopes(&arena), spans(&arena) {}

SpanBatch::SpanBatch() : data_(std::make_unique<Data>()) {}
SpanBatch::~SpanBatch() = default;

uint32_t SpanBatch::AddResource() {
  data_->resources.emplace_back(&data_->arena);
  return static_cast<uint32_t>(data_->resources.size() - 1);
}

uint32_t SpanBatch::AddScope() {
  data_->scopes.emplace_back(&data_->arena);
  return static_cast<uint32_t>(data_->scopes.size() - 1);
}

Span& SpanBatch::AddSpan(uint32_t resource_index, uint32_t scope_index) {
  Span& span = data_->spans.emplace_back(&data_->arena);
  span.resource_index = resource_index;
  span.scope_index = scope_index;
  return span;
}

std::string_view SpanBatch::Retain(std::string bytes) {
  data_->retained.push_back(std::move(bytes));
  return data_->retained.back();
}

std::string_view SpanBatch::Copy(std::string_view text) {
  if (text.empty()) return {};
  char* copy = static_cast<char*>(data_->arena.allocate(text.size(), 1));
  std::memcpy(copy, text.data(), text.size());
  return {copy, text.size()};
}

std::string_view SpanKindUpperName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kInternal: return "INTERNAL";
    case SpanKind::kServer: return "SERVER";
    case SpanKind::kClient: return "CLIENT";
    case SpanKind::kProducer: return "PRODUCER";
    case SpanKind::kConsumer: return "CONSUMER";
    case SpanKind::kUnspecified: break;
  }
  return {};
}

std::string_view SpanKindLowerName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kInternal: return "internal";
    case SpanKind::kServer: return "server";
    case SpanKind::kClient: return "client";
    case SpanKind::kProducer: return "producer";
    case SpanKind::kConsumer: return "consumer";
    case SpanKind::kUnspecified: break;
  }
  return {};
}

const Attribute* FindAttribute(const Attributes& attributes, std::string_view key) {
  for (const Attribute& attribute : attributes) {
    if (attribute.key == key) return &attribute;
  }
  return nullptr;
}

void StableSortByKey(std::span<Attribute> attributes) {
  const auto by_key = [](const Attribute& a, const Attribute& b) { return a.key < b.key; };
  // std::stable_sort takes a temporary buffer from the heap on every call; insertion sort needs
  // none and is as fast for lists this short (query_bench: the adjuster and the UI writer sort
  // tens of thousands of them per 1,000-span trace).
  constexpr size_t kInsertionSortMax = 32;
  if (attributes.size() > kInsertionSortMax) {
    std::stable_sort(attributes.begin(), attributes.end(), by_key);
    return;
  }
  for (size_t i = 1; i < attributes.size(); ++i) {
    if (!by_key(attributes[i], attributes[i - 1])) continue;
    Attribute moving = std::move(attributes[i]);
    size_t j = i;
    for (; j > 0 && by_key(moving, attributes[j - 1]); --j) {
      attributes[j] = std::move(attributes[j - 1]);
    }
    attributes[j] = std::move(moving);
  }
}

}  // namespace ariadne::tracecore
