// How a span is matched against a TraceQuery, shared by every backend that filters spans itself.
#pragma once

#include <string>

#include "storage/span_reader.h"
#include "tracecore/model.h"
#include "tracecore/translate/jaeger_translation.h"

namespace ariadne::storage {

// Appends the text a tag search compares against: strings as they are, bools "true"/"false",
// ints in decimal, doubles in the shortest form that reads back the same, bytes as lower-case
// hex. Arrays and maps never get here: the Jaeger view has already rendered them as JSON text.
void AppendTagText(const tracecore::AnyValue& value, std::string& out);

// True when `span` satisfies every condition of `query` (service, operation, kind, time range,
// duration range, tags). Tags are looked up in the span's Jaeger view, so that the tags Jaeger
// users search for exist: the span's attributes plus span.kind, error, otel.status_code, ...,
// the resource's attributes (process tags) and the events' attributes (log fields).
// `view` is scratch space, reused across calls.
bool SpanMatches(const tracecore::SpanBatch& batch, const tracecore::Span& span,
                 const TraceQuery& query, tracecore::jaeger::SpanView& view);

}  // namespace ariadne::storage
