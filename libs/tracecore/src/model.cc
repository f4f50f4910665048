#include "tracecore/model.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "copy_fields.h"

namespace ariadne::tracecore {
namespace {

// The first arena block; later blocks grow geometrically. Sized for a typical export request of a
// few hundred spans so that most batches allocate once.
constexpr size_t kInitialArenaBytes = 64 * 1024;

// The first 8 bytes of `key` (zero bytes past its end) as a big-endian number: when two keys'
// prefixes differ, they order the keys as a byte-wise comparison does (a key that ends early is
// padded with the smallest byte, and is a prefix of the other up to there).
uint64_t KeyPrefix(std::string_view key) {
  uint64_t word = 0;
  if (key.size() < sizeof(word)) {
    for (size_t i = 0; i < key.size(); ++i) {
      word |= static_cast<uint64_t>(static_cast<unsigned char>(key[i])) << (56 - 8 * i);
    }
    return word;
  }
  std::memcpy(&word, key.data(), sizeof(word));
  if constexpr (std::endian::native == std::endian::little) word = __builtin_bswap64(word);
  return word;
}

// a.key < b.key, given the keys' prefixes: most keys of a span differ in their first 8 bytes,
// which decides without a call.
bool KeyLess(uint64_t a_prefix, std::string_view a, uint64_t b_prefix, std::string_view b) {
  if (a_prefix != b_prefix) return a_prefix < b_prefix;
  return a < b;
}

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

void SpanBatch::Append(SpanBatch&& other) {
  if (other.data_ == nullptr) return;
  const auto same_text = [](std::string_view text) { return text; };
  const auto same_attributes = [](const Attributes& from, Attributes& to) {
    to.assign(from.begin(), from.end());
  };
  Data& from = *other.data_;
  const auto resource_offset = static_cast<uint32_t>(data_->resources.size());
  const auto scope_offset = static_cast<uint32_t>(data_->scopes.size());
  for (const Resource& resource : from.resources) {
    copy_fields::CopyResource(resource, data_->resources[AddResource()], same_text,
                              same_attributes);
  }
  for (const Scope& scope : from.scopes) {
    copy_fields::CopyScope(scope, data_->scopes[AddScope()], same_text, same_attributes);
  }
  data_->spans.reserve(data_->spans.size() + from.spans.size());
  for (const Span& span : from.spans) {
    Span& copy = AddSpan(resource_offset + span.resource_index, scope_offset + span.scope_index);
    copy_fields::CopySpan(span, copy, arena(), same_text, same_attributes);
  }
  data_->appended.push_back(std::move(other.data_));
  other.data_ = std::make_unique<Data>();
}

void SpanBatch::KeepAlive(std::shared_ptr<const void> owner) {
  data_->kept_alive.push_back(std::move(owner));
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
  // std::stable_sort takes a temporary buffer from the heap on every call; insertion sort needs
  // none and is as fast for lists this short (query_bench: the adjuster and the UI writer sort
  // tens of thousands of them per 1,000-span trace). Each key's prefix is read once, beside it.
  constexpr size_t kInsertionSortMax = 32;
  if (attributes.size() > kInsertionSortMax) {
    std::stable_sort(attributes.begin(), attributes.end(),
                     [](const Attribute& a, const Attribute& b) {
                       return KeyLess(KeyPrefix(a.key), a.key, KeyPrefix(b.key), b.key);
                     });
    return;
  }
  std::array<uint64_t, kInsertionSortMax> prefixes;  // of attributes[i].key
  for (size_t i = 0; i < attributes.size(); ++i) prefixes[i] = KeyPrefix(attributes[i].key);
  for (size_t i = 1; i < attributes.size(); ++i) {
    const uint64_t prefix = prefixes[i];
    if (!KeyLess(prefix, attributes[i].key, prefixes[i - 1], attributes[i - 1].key)) continue;
    const Attribute moving = attributes[i];
    size_t j = i;
    for (; j > 0 && KeyLess(prefix, moving.key, prefixes[j - 1], attributes[j - 1].key); --j) {
      attributes[j] = attributes[j - 1];
      prefixes[j] = prefixes[j - 1];
    }
    attributes[j] = moving;
    prefixes[j] = prefix;
  }
}

}  // namespace ariadne::tracecore
