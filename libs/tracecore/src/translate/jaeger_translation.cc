#include "tracecore/translate/jaeger_translation.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "../codec/json_writer.h"
#include "jaeger_span_tags.h"
#include "tracecore/text.h"

namespace ariadne::tracecore::jaeger {
namespace {

// What a Jaeger tag means to the model; kPlain tags stay attributes.
enum class SpecialTag {
  kPlain,
  kSpanKind,
  kStatusCode,
  kStatusDescription,
  kError,
  kScopeName,
  kScopeVersion,
  kTraceState,
};

// The special keys have pairwise different lengths, so the key's length picks the one candidate
// and one compare decides: a table load rather than a switch, whose indirect jump mispredicts on
// the varied key lengths of real spans. Most tags are plain, and the first and last 4 bytes tell
// most plain keys from the candidate (lengths without a special key have an all-zero candidate,
// and nothing matches it but a key of zero bytes, which is still plain: its tag is kPlain).
constexpr char kNoSpecialKey[32] = {};
constexpr size_t kShortestSpecialKey = 5;

struct SpecialKey {
  const char* bytes = kNoSpecialKey;  // as many bytes as the table index
  SpecialTag tag = SpecialTag::kPlain;
};

constexpr auto kSpecialKeyOfLength = [] {
  std::array<SpecialKey, 24> table{};
  for (const auto& [key, tag] : {
           std::pair<std::string_view, SpecialTag>{"error", SpecialTag::kError},
           {"span.kind", SpecialTag::kSpanKind},
           {"w3c.tracestate", SpecialTag::kTraceState},
           {"otel.scope.name", SpecialTag::kScopeName},
           {"otel.status_code", SpecialTag::kStatusCode},
           {"otel.library.name", SpecialTag::kScopeName},
           {"otel.scope.version", SpecialTag::kScopeVersion},
           {"otel.library.version", SpecialTag::kScopeVersion},
           {"otel.status_description", SpecialTag::kStatusDescription},
       }) {
    table[key.size()] = {key.data(), tag};
  }
  return table;
}();
static_assert(std::count_if(kSpecialKeyOfLength.begin(), kSpecialKeyOfLength.end(),
                            [](const SpecialKey& special) {
                              return special.tag != SpecialTag::kPlain;
                            }) == 9,
              "two special keys have the same length");

template <typename Word>
Word WordAt(const char* bytes, size_t offset) {
  Word word;
  std::memcpy(&word, bytes + offset, sizeof(word));
  return word;
}

// a == b for two strings of the same length `n`, 4 <= n <= 32, without a call: overlapping words.
bool SameBytes(const char* a, const char* b, size_t n) {
  uint64_t differ = (WordAt<uint32_t>(a, 0) ^ WordAt<uint32_t>(b, 0)) |
                    (WordAt<uint32_t>(a, n - 4) ^ WordAt<uint32_t>(b, n - 4));
  if (differ != 0) return false;  // most plain keys
  for (size_t offset = 0; offset + 8 < n; offset += 8) {
    differ |= WordAt<uint64_t>(a, offset) ^ WordAt<uint64_t>(b, offset);
  }
  if (n >= 8) differ |= WordAt<uint64_t>(a, n - 8) ^ WordAt<uint64_t>(b, n - 8);
  return differ == 0;
}

SpecialTag ClassifyTag(std::string_view key) {
  if (key.size() < kShortestSpecialKey || key.size() >= kSpecialKeyOfLength.size()) {
    return SpecialTag::kPlain;
  }
  const SpecialKey& candidate = kSpecialKeyOfLength[key.size()];
  return SameBytes(key.data(), candidate.bytes, key.size()) ? candidate.tag : SpecialTag::kPlain;
}

bool ParseSpanKind(std::string_view text, SpanKind& kind) {
  if (text == "server")
    kind = SpanKind::kServer;
  else if (text == "client")
    kind = SpanKind::kClient;
  else if (text == "producer")
    kind = SpanKind::kProducer;
  else if (text == "consumer")
    kind = SpanKind::kConsumer;
  else if (text == "internal")
    kind = SpanKind::kInternal;
  else
    return false;
  return true;
}

bool IsTrue(const AnyValue& value) {
  return (value.type() == ValueType::kBool && value.bool_value()) ||
         (value.type() == ValueType::kString && value.string_value() == "true");
}

// Moves the special tags of `span` into model fields; returns the scope name and version found.
void ApplySpecialTags(Span& span, std::string_view& scope_name, std::string_view& scope_version) {
  Attributes& tags = span.attributes;
  const Attribute* description = nullptr;
  Attribute description_copy;
  bool has_status_code = false;
  bool error_flag = false;
  size_t kept = 0;
  for (size_t i = 0; i < tags.size(); ++i) {
    const Attribute& tag = tags[i];
    bool is_string = tag.value.type() == ValueType::kString;
    bool consumed = false;
    switch (ClassifyTag(tag.key)) {
      case SpecialTag::kPlain: break;
      case SpecialTag::kSpanKind:
        consumed = is_string && ParseSpanKind(tag.value.string_value(), span.kind);
        break;
      case SpecialTag::kStatusCode:
        if (is_string && tag.value.string_value() == "OK") {
          span.status.code = SpanStatusCode::kOk;
          has_status_code = consumed = true;
        } else if (is_string && tag.value.string_value() == "ERROR") {
          span.status.code = SpanStatusCode::kError;
          has_status_code = consumed = true;
        }
        break;
      case SpecialTag::kStatusDescription:
        if (is_string) {
          description_copy = tag;
          description = &description_copy;
          consumed = true;
        }
        break;
      case SpecialTag::kError:
        if (IsTrue(tag.value)) error_flag = consumed = true;
        break;
      case SpecialTag::kScopeName:
        if (is_string) {
          scope_name = tag.value.string_value();
          consumed = true;
        }
        break;
      case SpecialTag::kScopeVersion:
        if (is_string) {
          scope_version = tag.value.string_value();
          consumed = true;
        }
        break;
      case SpecialTag::kTraceState:
        if (is_string) {
          span.trace_state = tag.value.string_value();
          consumed = true;
        }
        break;
    }
    if (!consumed) {
      if (kept != i) tags[kept] = tag;  // spans rarely carry a special tag: no self-copies
      ++kept;
    }
  }
  tags.resize(kept);
  if (!has_status_code && error_flag) span.status.code = SpanStatusCode::kError;
  if (description != nullptr) {
    // A description only means something beside a status code; alone it stays a tag.
    if (has_status_code || error_flag) {
      span.status.message = description->value.string_value();
    } else {
      tags.push_back(*description);
    }
  }
}

// Logs arrive as events whose attributes hold every field; the `event` field is the name.
void ApplyEventNames(Span& span) {
  for (Event& event : span.events) {
    Attributes& fields = event.attributes;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].key == kEventFieldKey && fields[i].value.type() == ValueType::kString) {
        event.name = fields[i].value.string_value();
        fields.erase(fields.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
  }
}

void ApplyReferences(SpanBatch& batch, Span& span, SpanId parent_span_id,
                     std::span<const Reference> references) {
  SpanId parent = parent_span_id;
  if (parent.empty()) {
    for (const Reference& ref : references) {
      if (ref.type == RefType::kChildOf && ref.trace_id == span.trace_id && !ref.span_id.empty()) {
        parent = ref.span_id;
        break;
      }
    }
  }
  span.parent_span_id = parent;
  bool parent_reference_seen = false;
  for (const Reference& ref : references) {
    if (!parent_reference_seen && ref.type == RefType::kChildOf && ref.span_id == parent &&
        ref.trace_id == span.trace_id) {
      parent_reference_seen = true;
      continue;
    }
    Link& link = span.links.emplace_back(batch.arena());
    link.trace_id = ref.trace_id;
    link.span_id = ref.span_id;
    link.attributes.push_back(
        {kRefTypeKey,
         AnyValue::String(ref.type == RefType::kChildOf ? "child_of" : "follows_from")});
  }
}

// Writes `value` as JSON: arrays and maps nested, bytes as base64, empty as null.
void WriteAnyValue(json::JsonWriter& writer, const AnyValue& value) {
  switch (value.type()) {
    case ValueType::kEmpty: writer.Null(); return;
    case ValueType::kString: writer.String(value.string_value()); return;
    case ValueType::kBool: writer.Bool(value.bool_value()); return;
    case ValueType::kInt: writer.Int64(value.int_value()); return;
    case ValueType::kDouble:
      writer.Double(value.double_value(), json::NonFiniteStyle::kJavaScript);
      return;
    case ValueType::kBytes:
      writer.StringFrom([&](std::string& text) { AppendBase64(value.bytes_value(), text); });
      return;
    case ValueType::kArray:
      writer.StartArray();
      for (size_t i = 0; i < value.size(); ++i) WriteAnyValue(writer, value.array_begin()[i]);
      writer.EndArray();
      return;
    case ValueType::kMap:
      writer.StartObject();
      for (size_t i = 0; i < value.size(); ++i) {
        writer.Key(value.map_begin()[i].key);
        WriteAnyValue(writer, value.map_begin()[i].value);
      }
      writer.EndObject();
      return;
  }
}

}  // namespace

uint32_t AddProcessResource(SpanBatch& batch, std::string_view service_name) {
  uint32_t index = batch.AddResource();
  batch.resources()[index].attributes.push_back({kServiceNameKey, AnyValue::String(service_name)});
  return index;
}

uint32_t ScopeCache::Get(SpanBatch& batch, uint32_t resource_index, std::string_view name,
                         std::string_view version) {
  for (const Entry& entry : entries_) {
    if (entry.resource_index == resource_index && entry.name == name && entry.version == version) {
      return entry.scope_index;
    }
  }
  uint32_t index = batch.AddScope();
  Scope& scope = batch.scopes()[index];
  scope.name = name;
  scope.version = version;
  entries_.push_back({resource_index, name, version, index});
  return index;
}

void FinishSpan(SpanBatch& batch, Span& span, SpanId parent_span_id,
                std::span<const Reference> references, ScopeCache& scopes) {
  std::string_view scope_name;
  std::string_view scope_version;
  ApplySpecialTags(span, scope_name, scope_version);
  ApplyEventNames(span);
  ApplyReferences(batch, span, parent_span_id, references);
  span.scope_index = scopes.Get(batch, span.resource_index, scope_name, scope_version);
}

void AppendAnyValueJson(const AnyValue& value, std::string& out) {
  // One writer per thread keeps RapidJSON's stack: a new one allocated it for every array or map
  // (the UI codec flattens one per span of tracegen's traces).
  thread_local json::JsonWriter writer;
  writer.Reset(out);
  WriteAnyValue(writer, value);
}

AnyValue ToJaegerValue(const AnyValue& value, std::string& scratch) {
  switch (value.type()) {
    case ValueType::kString:
    case ValueType::kBool:
    case ValueType::kInt:
    case ValueType::kDouble:
    case ValueType::kBytes: return value;
    case ValueType::kEmpty: return AnyValue::String({});
    case ValueType::kArray:
    case ValueType::kMap:
      scratch.clear();
      AppendAnyValueJson(value, scratch);
      return AnyValue::String(scratch);
  }
  return AnyValue::String({});
}

std::string& SpanView::NextScratch() {
  if (scratch_used_ == scratch_.size()) scratch_.push_back(std::make_unique<std::string>());
  std::string& scratch = *scratch_[scratch_used_++];
  scratch.clear();
  return scratch;
}

void SpanView::AddFlattened(const Attribute& attribute, std::vector<Attribute>& into) {
  if (IsJaegerValue(attribute.value)) {
    into.push_back(attribute);
  } else {
    into.push_back({attribute.key, ToJaegerValue(attribute.value, NextScratch())});
  }
}

void SpanView::LoadProcess(const Resource& resource) {
  process_tags.clear();
  service_name = resource.ServiceName();
  ForEachProcessTag(resource,
                    [&](const Attribute& attribute) { AddFlattened(attribute, process_tags); });
}

void SpanView::Load(const SpanBatch& batch, const Span& span) {
  scratch_used_ = 0;
  tags.clear();
  references.clear();

  start_time_us = span.start_time_unix_nano / 1000;
  duration_us = DurationNanos(span) / 1000;
  flags = span.flags & 0xFF;

  LoadProcess(batch.resource_of(span));

  ForEachSpanTag(batch.scope_of(span), span,
                 [&](const Attribute& attribute) { AddFlattened(attribute, tags); });

  logs.resize(span.events.size());
  for (size_t i = 0; i < span.events.size(); ++i) {
    const Event& event = span.events[i];
    Log& log = logs[i];
    log.timestamp_us = event.time_unix_nano / 1000;
    log.fields.clear();
    ForEachLogField(event,
                    [&](const Attribute& attribute) { AddFlattened(attribute, log.fields); });
  }

  ForEachReference(span, [&](const Reference& reference) { references.push_back(reference); });
}

}  // namespace ariadne::tracecore::jaeger
