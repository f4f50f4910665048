#include "adjusters.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "span_id_index.h"

namespace ariadne::query {
namespace {

using tracecore::AnyValue;
using tracecore::Attribute;
using tracecore::Attributes;
using tracecore::Span;
using tracecore::SpanBatch;
using tracecore::SpanId;
using tracecore::SpanKind;
using tracecore::ValueType;

constexpr std::string_view kRefTypeAttribute = "opentracing.ref_type";

// ------------------------------------------------------------------------------------------
// Equality of spans, for DedupeSpans.

bool EventsEqual(const tracecore::Event& a, const tracecore::Event& b) {
  return a.time_unix_nano == b.time_unix_nano && a.name == b.name && a.attributes == b.attributes &&
         a.dropped_attributes_count == b.dropped_attributes_count;
}

bool LinksEqual(const tracecore::Link& a, const tracecore::Link& b) {
  return a.trace_id == b.trace_id && a.span_id == b.span_id && a.trace_state == b.trace_state &&
         a.attributes == b.attributes && a.flags == b.flags &&
         a.dropped_attributes_count == b.dropped_attributes_count;
}

bool ScopesEqual(const tracecore::Scope& a, const tracecore::Scope& b) {
  return a.name == b.name && a.version == b.version && a.attributes == b.attributes;
}

bool SpanFieldsEqual(const Span& a, const Span& b) {
  return a.trace_id == b.trace_id && a.span_id == b.span_id &&
         a.parent_span_id == b.parent_span_id && a.trace_state == b.trace_state &&
         a.name == b.name && a.kind == b.kind && a.flags == b.flags &&
         a.start_time_unix_nano == b.start_time_unix_nano &&
         a.end_time_unix_nano == b.end_time_unix_nano && a.attributes == b.attributes &&
         a.dropped_attributes_count == b.dropped_attributes_count &&
         a.dropped_events_count == b.dropped_events_count &&
         a.dropped_links_count == b.dropped_links_count && a.status.code == b.status.code &&
         a.status.message == b.status.message;
}

bool SpansEqual(const SpanBatch& batch, const Span& a, const Span& b) {
  if (!SpanFieldsEqual(a, b)) return false;
  if (!std::equal(a.events.begin(), a.events.end(), b.events.begin(), b.events.end(),
                  EventsEqual) ||
      !std::equal(a.links.begin(), a.links.end(), b.links.begin(), b.links.end(), LinksEqual)) {
    return false;
  }
  return batch.resource_of(a).attributes == batch.resource_of(b).attributes &&
         ScopesEqual(batch.scope_of(a), batch.scope_of(b));
}

// ------------------------------------------------------------------------------------------

void SortByKey(Attributes& attributes) {
  tracecore::StableSortByKey(attributes);
}

// The dotted quad of an IPv4 address held as a number (Jaeger clients send `ip` so); false
// when `value` is no such number.
bool IpFromNumber(const AnyValue& value, std::string& out) {
  uint32_t address = 0;
  if (value.type() == ValueType::kInt) {
    address = static_cast<uint32_t>(value.int_value());
  } else if (value.type() == ValueType::kDouble && std::isfinite(value.double_value()) &&
             value.double_value() >= 0 && value.double_value() < 4294967296.0) {
    address = static_cast<uint32_t>(value.double_value());
  } else {
    return false;
  }
  out = std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xFF) + "." +
        std::to_string((address >> 8) & 0xFF) + "." + std::to_string(address & 0xFF);
  return true;
}

void NormalizeIpAttributes(SpanBatch& batch, Attributes& attributes) {
  std::string text;
  for (Attribute& attribute : attributes) {
    if (attribute.key != "ip" && attribute.key != "peer.ipv4") continue;
    if (IpFromNumber(attribute.value, text)) {
      attribute.value = AnyValue::String(batch.Copy(text));
    }
  }
}

bool IsOtelProcessKey(std::string_view key) {
  static constexpr std::array<std::string_view, 5> kKeys = {
      "telemetry.sdk.language", "telemetry.sdk.name", "telemetry.sdk.version",
      "telemetry.distro.name", "telemetry.distro.version"};
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

bool IsChildOfLink(const tracecore::Link& link) {
  const Attribute* type = tracecore::FindAttribute(link.attributes, kRefTypeAttribute);
  return type != nullptr && type->value.type() == ValueType::kString &&
         type->value.string_value() == "child_of";
}

std::string InvalidReferenceWarning(const tracecore::Link& link) {
  return "Invalid span reference removed {TraceID:" + link.trace_id.ToJaegerHex() +
         " SpanID:" + link.span_id.ToHex() +
         " RefType:" + (IsChildOfLink(link) ? "CHILD_OF" : "FOLLOWS_FROM") + "}";
}

}  // namespace

void UniquifySharedSpanIds(LoadedTrace& trace) {
  // span id -> whether a CLIENT span has it (1) or not (0)
  SpanIdIndex client_has_id(trace.spans.size());
  uint64_t max_used = 0;
  for (const Span* span : trace.spans) {
    size_t* client = client_has_id.Emplace(span->span_id.value, 0).first;
    if (span->kind == SpanKind::kClient) *client = 1;
    max_used = std::max(max_used, span->span_id.value);
  }
  std::unordered_map<uint64_t, uint64_t> new_id_of;
  for (Span* span : trace.spans) {
    if (span->kind != SpanKind::kServer || *client_has_id.Find(span->span_id.value) == 0) {
      continue;
    }
    // Every id above the largest of the trace is unused; Jaeger keeps the all-ones id unused too.
    if (max_used >= std::numeric_limits<uint64_t>::max() - 1) {
      trace.AddWarning(*span, "cannot assign unique span ID, too many spans in the trace");
      continue;
    }
    ++max_used;
    new_id_of[span->span_id.value] = max_used;
    span->parent_span_id = span->span_id;
    span->span_id = SpanId{max_used};
  }
  if (new_id_of.empty()) return;
  for (Span* span : trace.spans) {
    auto renamed = new_id_of.find(span->parent_span_id.value);
    if (renamed != new_id_of.end() && span->span_id.value != renamed->second) {
      span->parent_span_id = SpanId{renamed->second};
    }
  }
}

void SortAttributes(LoadedTrace& trace) {
  for (Span* span : trace.spans) {
    SortByKey(span->attributes);
    for (tracecore::Event& event : span->events) SortByKey(event.attributes);
    for (tracecore::Link& link : span->links) SortByKey(link.attributes);
  }
  for (tracecore::Resource& resource : trace.batch.resources()) SortByKey(resource.attributes);
  for (tracecore::Scope& scope : trace.batch.scopes()) SortByKey(scope.attributes);
}

void DedupeSpans(LoadedTrace& trace) {
  // Identical spans share their span id, so only spans with the same id are compared (in depth);
  // in most traces every id is unique and no span is compared at all. The shown spans of one id
  // form a chain through `next_same_id`, from the first one, which `first_shown` holds.
  constexpr size_t kEnd = std::numeric_limits<size_t>::max();
  SpanIdIndex first_shown(trace.spans.size());
  std::vector<size_t> next_same_id;  // by index into `kept`
  next_same_id.reserve(trace.spans.size());
  std::vector<Span*> kept;
  kept.reserve(trace.spans.size());
  for (Span* span : trace.spans) {
    const auto [first, added] = first_shown.Emplace(span->span_id.value, kept.size());
    if (!added) {
      size_t last = *first;
      bool duplicate = false;
      for (size_t shown = *first; shown != kEnd && !duplicate; shown = next_same_id[shown]) {
        duplicate = SpansEqual(trace.batch, *kept[shown], *span);
        last = shown;
      }
      if (duplicate) continue;
      next_same_id[last] = kept.size();
    }
    next_same_id.push_back(kEnd);
    kept.push_back(span);
  }
  trace.spans = std::move(kept);
}

void NormalizeIpTags(LoadedTrace& trace) {
  for (Span* span : trace.spans) NormalizeIpAttributes(trace.batch, span->attributes);
  for (tracecore::Resource& resource : trace.batch.resources()) {
    NormalizeIpAttributes(trace.batch, resource.attributes);
  }
}

void MoveOtelTags(LoadedTrace& trace) {
  const auto is_otel = [](const Attribute& a) { return IsOtelProcessKey(a.key); };
  for (Span* span : trace.spans) {
    if (std::none_of(span->attributes.begin(), span->attributes.end(), is_otel)) continue;
    Attributes& process = trace.batch.resources()[span->resource_index].attributes;
    for (const Attribute& attribute : span->attributes) {
      if (!is_otel(attribute) || tracecore::FindAttribute(process, attribute.key) != nullptr) {
        continue;
      }
      auto at =
          std::upper_bound(process.begin(), process.end(), attribute,
                           [](const Attribute& a, const Attribute& b) { return a.key < b.key; });
      process.insert(at, attribute);
    }
    std::erase_if(span->attributes, is_otel);
  }
}

void RemoveInvalidReferences(LoadedTrace& trace) {
  const auto invalid = [](const tracecore::Link& link) { return link.trace_id.empty(); };
  for (Span* span : trace.spans) {
    if (std::none_of(span->links.begin(), span->links.end(), invalid)) continue;
    for (const tracecore::Link& link : span->links) {
      if (invalid(link)) trace.AddWarning(*span, InvalidReferenceWarning(link));
    }
    std::erase_if(span->links, invalid);
  }
}

void PutParentReferenceFirst(LoadedTrace& trace) {
  for (Span* span : trace.spans) {
    if (!span->parent_span_id.empty()) continue;
    size_t first_child_of = span->links.size();
    size_t first_same_trace = span->links.size();
    for (size_t i = 0; i < span->links.size(); ++i) {
      if (span->links[i].trace_id != span->trace_id) continue;
      if (first_same_trace == span->links.size()) first_same_trace = i;
      if (IsChildOfLink(span->links[i])) {
        first_child_of = i;
        break;
      }
    }
    const size_t parent = first_child_of < span->links.size() ? first_child_of : first_same_trace;
    if (parent > 0 && parent < span->links.size()) std::swap(span->links[0], span->links[parent]);
  }
}

void SortSpans(LoadedTrace& trace) {
  std::stable_sort(trace.spans.begin(), trace.spans.end(), [](const Span* a, const Span* b) {
    if (a->start_time_unix_nano != b->start_time_unix_nano) {
      return a->start_time_unix_nano < b->start_time_unix_nano;
    }
    return a->span_id.value < b->span_id.value;
  });
}

void AdjustTrace(const AdjusterOptions& options, LoadedTrace& trace) {
  trace.adjusted = true;
  UniquifySharedSpanIds(trace);
  SortAttributes(trace);
  DedupeSpans(trace);
  CorrectClockSkew(options.max_clock_skew_adjustment, trace);
  NormalizeIpTags(trace);
  MoveOtelTags(trace);
  RemoveInvalidReferences(trace);
  PutParentReferenceFirst(trace);
  SortSpans(trace);
}

}  // namespace ariadne::query
