// Jaeger api_v2 protobuf: jaeger.api_v2.Batch, PostSpansRequest (CollectorService/PostSpans) and
// SpansResponseChunk (QueryService GetTrace/FindTraces). Spans go through jaeger_translation.h.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::tracecore::jaeger_proto {

// Appends the spans of a Batch. A span's own `process` wins over the batch's; spans that carry the
// same process bytes share one resource. Views into `bytes` are kept (see SpanBatch::Retain).
Status DecodeBatch(std::string_view bytes, SpanBatch& batch);
// PostSpansRequest{batch = 1}.
Status DecodePostSpansRequest(std::string_view bytes, SpanBatch& batch);

// Appends a Batch holding the spans of `batch` whose resource is `resource_index`, with that
// resource as the batch process (a Jaeger Batch has exactly one process).
void EncodeBatch(const SpanBatch& batch, uint32_t resource_index, std::string& out);
void EncodePostSpansRequest(const SpanBatch& batch, uint32_t resource_index, std::string& out);

// Appends a SpansResponseChunk{spans = 1} in which every span embeds its process, as the query
// service streams them.
void EncodeSpansResponseChunk(const SpanBatch& batch, std::span<const Span* const> spans,
                              std::string& out);

}  // namespace ariadne::tracecore::jaeger_proto
