// The query-side adjusters of reference §8, applied to a loaded trace unless the request says
// raw=true. They work on the model (as Jaeger v2's do), so what they change shows in every
// output format. AdjustTrace runs them in the reference's order:
//
//   1. UniquifySharedSpanIds    Zipkin-style client/server spans sharing one span id
//   2. SortAttributes           span, resource, event and link attributes by key
//   3. DedupeSpans              identical copies of a span shown once
//   4. CorrectClockSkew         children shifted into their parent, bounded (clock_skew.cc)
//   5. NormalizeIpTags          ip / peer.ipv4 numbers as dotted quads
//   6. MoveOtelTags             telemetry.sdk.* / telemetry.distro.* span tags to the process
//   7. RemoveInvalidReferences  links without a trace id
//   8. PutParentReferenceFirst  the parent reference first, which the UI takes as the parent
// and then SortSpans, so that the order of spans does not depend on how storage returned them.
//
// Each adjuster attaches the warnings Jaeger's would (the UI shows them on the span). None
// throws or allocates beyond a few vectors per trace; all are O(n log n) in the spans.
#pragma once

#include <chrono>

#include "loaded_trace.h"

namespace ariadne::query {

struct AdjusterOptions {
  // CorrectClockSkew applies no shift larger than this; 0: no shift at all (warnings only).
  std::chrono::nanoseconds max_clock_skew_adjustment{0};
};

void AdjustTrace(const AdjusterOptions& options, LoadedTrace& trace);

// A SERVER span whose id a CLIENT span of the trace also has gets a new id (the smallest unused
// one above the largest id of the trace) and the shared id as its parent; spans whose parent was
// the shared id now point at the new one. When no id is left: the warning "cannot assign unique
// span ID, too many spans in the trace".
void UniquifySharedSpanIds(LoadedTrace& trace);

// Stable sort by key of the attributes of every span, its events and links, and of every
// resource and scope of the batch (Jaeger: tags and process tags sorted, log fields sorted after
// the `event` field, which the Jaeger view writes first anyway).
void SortAttributes(LoadedTrace& trace);

// Of spans equal in every field (ids, times, names, attributes, events, links, status, resource
// and scope), only the first is shown.
void DedupeSpans(LoadedTrace& trace);

// Reference §8 step 4, with Jaeger's warnings: see clock_skew.cc.
void CorrectClockSkew(std::chrono::nanoseconds max_delta, LoadedTrace& trace);

// Span and resource attributes `ip` and `peer.ipv4` holding an int (or a whole double in the
// uint32 range) become strings in dotted-quad form of the big-endian uint32.
void NormalizeIpTags(LoadedTrace& trace);

// Span attributes telemetry.sdk.{language,name,version} and telemetry.distro.{name,version}
// move to the span's resource (kept in key order), unless the resource has that key already.
// Spans sharing a resource share the moved attribute.
void MoveOtelTags(LoadedTrace& trace);

// Links whose trace id is zero are removed, each with the warning "Invalid span reference
// removed {TraceID:... SpanID:... RefType:...}".
void RemoveInvalidReferences(LoadedTrace& trace);

// A span without a parent id whose links point into its own trace: the first such link of kind
// child_of (else the first such link) is swapped to the front, so that the Jaeger view's first
// reference is the parent. (A span with a parent id already has it first.)
void PutParentReferenceFirst(LoadedTrace& trace);

// Stable sort of the shown spans by start time, then span id.
void SortSpans(LoadedTrace& trace);

}  // namespace ariadne::query
