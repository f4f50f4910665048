// The field-by-field copies of spans, resources and scopes into another batch, shared by
// SpanCopier (deep: every string and value re-allocated in the destination) and
// SpanBatch::Append (shallow: the destination keeps the source's bytes alive). Internal to
// libtracecore.
//
// `text(view)` returns the view the copy keeps; `attributes(from, to)` fills `to` (empty, in the
// destination's arena) from `from`. Adding a field to the model means adding it here.
#pragma once

#include <memory_resource>
#include <string_view>

#include "tracecore/model.h"

namespace ariadne::tracecore::copy_fields {

template <typename Text, typename CopyAttributes>
void CopySpan(const Span& span, Span& copy, std::pmr::memory_resource* arena, Text&& text,
              CopyAttributes&& attributes) {
  copy.trace_id = span.trace_id;
  copy.span_id = span.span_id;
  copy.parent_span_id = span.parent_span_id;
  copy.trace_state = text(span.trace_state);
  copy.name = text(span.name);
  copy.kind = span.kind;
  copy.flags = span.flags;
  copy.start_time_unix_nano = span.start_time_unix_nano;
  copy.end_time_unix_nano = span.end_time_unix_nano;
  attributes(span.attributes, copy.attributes);
  copy.dropped_attributes_count = span.dropped_attributes_count;
  copy.events.reserve(span.events.size());
  for (const Event& event : span.events) {
    Event& out = copy.events.emplace_back(arena);
    out.time_unix_nano = event.time_unix_nano;
    out.name = text(event.name);
    attributes(event.attributes, out.attributes);
    out.dropped_attributes_count = event.dropped_attributes_count;
  }
  copy.dropped_events_count = span.dropped_events_count;
  copy.links.reserve(span.links.size());
  for (const Link& link : span.links) {
    Link& out = copy.links.emplace_back(arena);
    out.trace_id = link.trace_id;
    out.span_id = link.span_id;
    out.trace_state = text(link.trace_state);
    attributes(link.attributes, out.attributes);
    out.dropped_attributes_count = link.dropped_attributes_count;
    out.flags = link.flags;
  }
  copy.dropped_links_count = span.dropped_links_count;
  copy.status.code = span.status.code;
  copy.status.message = text(span.status.message);
}

template <typename Text, typename CopyAttributes>
void CopyResource(const Resource& resource, Resource& copy, Text&& text,
                  CopyAttributes&& attributes) {
  attributes(resource.attributes, copy.attributes);
  copy.dropped_attributes_count = resource.dropped_attributes_count;
  copy.schema_url = text(resource.schema_url);
}

template <typename Text, typename CopyAttributes>
void CopyScope(const Scope& scope, Scope& copy, Text&& text, CopyAttributes&& attributes) {
  copy.name = text(scope.name);
  copy.version = text(scope.version);
  attributes(scope.attributes, copy.attributes);
  copy.dropped_attributes_count = scope.dropped_attributes_count;
  copy.schema_url = text(scope.schema_url);
}

}  // namespace ariadne::tracecore::copy_fields
