// OTLP/JSON: opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest in the JSON mapping
// OTLP specifies (POST /v1/traces with Content-Type application/json, and api_v3 responses, whose
// TracesData has the same shape: {"resourceSpans": [...]}).
//
// OTLP's JSON differs from canonical proto3 JSON: trace and span ids are hex strings, not base64;
// enums are integers. Decoding also accepts what proto3 JSON parsers accept: the proto field names
// (snake_case) beside the lowerCamelCase ones, enum value names ("SPAN_KIND_SERVER"), 64-bit
// integers as numbers as well as decimal strings, "NaN" / "Infinity" / "-Infinity" for doubles,
// and null for any field (= absent). Unknown fields are ignored; keys may come in any order.
#pragma once

#include <string>
#include <string_view>

#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::tracecore::otlp {

// The most AnyValue levels one attribute value may have (the value itself is the first; each
// arrayValue / kvlistValue adds one); deeper values fail with kResourceExhausted.
inline constexpr int kMaxJsonAnyValueDepth = 16;

// Appends the spans of the JSON request `json` to `batch`: one resource per ResourceSpans, one
// scope per ScopeSpans, as DecodeExportRequest does for the protobuf form. Strings without escapes
// are views into `json`: keep it alive as long as the batch (batch.Retain); strings with escapes
// and base64 bytes are copied into the batch's arena. Fails on invalid JSON (including invalid
// UTF-8 and unpaired \u surrogates), a field of the wrong JSON type, ids that are not 32 (trace) or
// 16 (span) hex chars ("" means absent), and nesting deeper than kMaxJsonAnyValueDepth. The message
// names the place: "otlp json: resourceSpans[0].scopeSpans[0].spans[2].traceId: ...". On failure
// the batch may hold part of the request; callers discard it.
//
// Values of fields the decoder skips (unknown fields) are checked only for structure, as simdjson's
// On Demand API does not parse what it skips.
Status DecodeExportRequestJson(std::string_view json, SpanBatch& batch);

// Appends the JSON form of an ExportTraceServiceRequest holding every span of `batch`:
// lowerCamelCase keys, lower-case hex ids, integer enums, 64-bit integers as decimal strings, bytes
// as base64, non-finite doubles as "NaN" / "Infinity" / "-Infinity". Fields with default values are
// omitted, as proto3 JSON does. Consecutive spans that share a resource and scope share one
// ResourceSpans / ScopeSpans (the grouping of EncodeExportRequest). Strings that are not valid
// UTF-8 are written with U+FFFD in place of each invalid byte, so the output is always valid JSON.
void EncodeExportRequestJson(const SpanBatch& batch, std::string& out);

}  // namespace ariadne::tracecore::otlp
