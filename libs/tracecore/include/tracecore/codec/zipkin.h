// Zipkin codecs: v2 JSON and v2 protobuf (POST /api/v2/spans), v1 JSON (POST /api/v1/spans).
// The v1 Thrift decoder is in zipkin_thrift.h. Every span goes through the Zipkin <-> model rules
// of tracecore/translate/zipkin_translation.h.
//
// Decoders append to `batch`. The batch keeps views into `bytes`: the caller keeps `bytes` alive as
// long as the batch (e.g. batch.Retain); text that needs unescaping is copied into the batch. On
// failure the batch may hold part of the request; callers discard it. Errors name the span and the
// field: "zipkin v2 json: span[2].traceId: expected 1 to 32 hex chars".
#pragma once

#include <string>
#include <string_view>

#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::tracecore::zipkin {

// A JSON array of zipkin2 spans (zipkin2-api.yaml). Keys may come in any order; unknown keys are
// skipped; null counts as absent. Required: traceId (1-32 hex chars), id (1-16 hex chars). The
// input must be UTF-8 and nest at most kMaxJsonDepth levels.
Status DecodeV2Json(std::string_view bytes, SpanBatch& batch);

// Appends every span of `batch` as a zipkin2 JSON array (keys in zipkin2's order, absent fields
// omitted). Invalid UTF-8 in the model's text is replaced by U+FFFD.
void EncodeV2Json(const SpanBatch& batch, std::string& out);

// zipkin.proto3.ListOfSpans. Ids must be 8 bytes (trace id 8 or 16); strings must be UTF-8.
Status DecodeV2Proto(std::string_view bytes, SpanBatch& batch);

// Appends a zipkin.proto3.ListOfSpans holding every span of `batch` (invalid UTF-8 replaced by
// U+FFFD, as proto3 strings require).
void EncodeV2Proto(const SpanBatch& batch, std::string& out);

// A JSON array of Zipkin v1 spans (zipkin-api.yaml): traceId, id, parentId, name, timestamp,
// duration, debug, annotations [{timestamp, value, endpoint}], binaryAnnotations [{key, value,
// endpoint}]. Binary annotation values keep their JSON type (string, bool, integer, double); a
// boolean "ca", "sa" or "ma" is an address.
Status DecodeV1Json(std::string_view bytes, SpanBatch& batch);

// The deepest JSON nesting the Zipkin JSON decoders accept (the formats need 4).
inline constexpr size_t kMaxJsonDepth = 16;

}  // namespace ariadne::tracecore::zipkin
