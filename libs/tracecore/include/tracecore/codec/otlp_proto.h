// OTLP protobuf: opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.
//
// TracesData (api_v3 responses) has the same wire form (field 1 = repeated ResourceSpans), so these
// functions read and write it too.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::tracecore::otlp {

// Appends the spans of `bytes` to `batch`. The batch keeps views into `bytes`: keep them alive as
// long as the batch (batch.Retain). Fails on malformed wire data, ids of the wrong length, strings
// that are not UTF-8, and nesting deeper than wire::kMaxProtoDepth. On failure the batch may hold
// part of the request; callers discard it.
Status DecodeExportRequest(std::string_view bytes, SpanBatch& batch);

// Appends an ExportTraceServiceRequest holding every span of `batch`. Consecutive spans that share
// a resource and scope share one ResourceSpans / ScopeSpans; resources and scopes without spans
// are not written.
void EncodeExportRequest(const SpanBatch& batch, std::string& out);
// The same for `spans` only (spans of `batch`, written in the order given).
void EncodeExportRequest(const SpanBatch& batch, std::span<const Span* const> spans,
                         std::string& out);

}  // namespace ariadne::tracecore::otlp
