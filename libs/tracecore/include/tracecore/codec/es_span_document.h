// Jaeger's Elasticsearch / OpenSearch span document (the _source of a jaeger-span-* index entry),
// so that indices written by Jaeger are readable here and the other way round.
//
//   {"traceID","spanID","flags"(omitted when 0),"operationName",
//    "references":[{"refType":"CHILD_OF"|"FOLLOWS_FROM","traceID","spanID"}],
//    "startTime"(µs),"startTimeMillis"(ms),"duration"(µs),
//    "tags":[{"key","type","value"}],"tag":{...}(tags-as-fields, omitted when empty),
//    "logs":[{"timestamp"(µs),"fields":[{"key","type","value"}]}],
//    "process":{"serviceName","tags":[...],"tag":{...}}}
//
// Ids are Jaeger's text form (a trace id is 16 hex chars when its high half is zero). The model is
// seen through jaeger::SpanView on the way out and rebuilt with jaeger::FinishSpan on the way in,
// so span kind, status, scope, trace state, events and links travel as Jaeger tags, logs and
// references. Jaeger's document cannot carry: attribute arrays and maps (written as JSON text in a
// string tag), link attributes other than opentracing.ref_type, dropped counts, event/link
// flags and trace states, resource and scope schema URLs, scope attributes, and times finer than
// a microsecond.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::tracecore::es {

// How the "value" of a tag in the nested lists is written.
enum class ValueStyle : uint8_t {
  // Jaeger v1's writer: every value a JSON string. bool "true"/"false", int64 in decimal, float64
  // like Go's strconv.FormatFloat(v, 'g', 10, 64) (10 significant digits, so lossy beyond that;
  // "NaN", "+Inf", "-Inf"), binary in lower-case hex.
  kStrings,
  // Jaeger v2's writer: bool and numbers as JSON values (float64 the shortest text that reads back
  // exactly; non-finite values, which JSON lacks, as the strings "NaN", "+Inf", "-Inf"), binary in
  // lower-case hex.
  kNative,
};

struct EncodeOptions {
  ValueStyle value_style = ValueStyle::kStrings;
  // Tags-as-fields (--es.tags-as-fields.all / .include): matching span and process tags, except
  // binary ones, go into the "tag" / "process.tag" object with native JSON values instead of the
  // nested list; their keys have every '.' replaced by dot_replacement. Log fields never move.
  bool all_tags_as_fields = false;
  std::set<std::string, std::less<>> tags_as_fields;
  std::string dot_replacement = "@";
};

struct DecodeOptions {
  // Reverses EncodeOptions::dot_replacement in "tag" / "process.tag" keys. Empty: keys kept as is.
  std::string dot_replacement = "@";
};

// Appends the document of `span` (a span of `batch`). Tag-object keys are written sorted (as Go
// writes a map), one entry per key (the last tag wins). Strings that are not valid UTF-8 are
// written with U+FFFD for each invalid byte.
void EncodeSpanDocument(const SpanBatch& batch, const Span& span, const EncodeOptions& options,
                        std::string& out);

// Appends the span of one document to `batch`, with a resource of its own for the process
// (de-duplicating resources is the caller's concern). Reads both value styles, tags-as-fields
// (a "tag" value's type comes from its JSON type: string, bool, integer number -> int64, other
// number -> float64), and a "parentSpanID" field (Jaeger v2 writes the parent there). Strings
// without escapes are views into `json`: keep it alive as long as the batch (batch.Retain).
// Fails, leaving the batch as it was, on invalid JSON, missing or malformed ids, a tag whose value
// does not fit its type, and unknown reference or value types; the message names the place
// ("es span document: tags[3].value: expected an int64").
Status DecodeSpanDocument(std::string_view json, SpanBatch& batch);
Status DecodeSpanDocument(std::string_view json, const DecodeOptions& options, SpanBatch& batch);

}  // namespace ariadne::tracecore::es
