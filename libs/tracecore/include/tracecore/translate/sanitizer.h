// Ingest sanitizers: the repairs Jaeger's collector makes to every span before it is stored, so
// that storage and the UI never see a span without a service or with text that is not UTF-8.
//
// Rules (docs/translation.md, "Sanitizers"):
//   - resource without `service.name`         -> service.name = "OTLPResourceNoServiceName"
//   - `service.name` == ""                    -> "empty-service-name"
//   - `service.name` not UTF-8                -> "InvalidServiceName", original bytes kept as the
//                                                resource attribute InvalidServiceName (bytes)
//   - span name not UTF-8                     -> "InvalidOperationName", original bytes kept as the
//                                                span attribute InvalidOperationName (bytes)
//   - attribute key not UTF-8                 -> key "InvalidTagKey", value = original key (bytes)
//   - string attribute value not UTF-8        -> same key, value = original bytes (bytes)
// Attribute rules apply to resource, span and event attributes.
#pragma once

#include <cstdint>

#include "tracecore/model.h"

namespace ariadne::tracecore {

inline constexpr std::string_view kMissingServiceName = "OTLPResourceNoServiceName";
inline constexpr std::string_view kEmptyServiceName = "empty-service-name";
inline constexpr std::string_view kInvalidServiceName = "InvalidServiceName";
inline constexpr std::string_view kInvalidOperationName = "InvalidOperationName";
inline constexpr std::string_view kInvalidTagKey = "InvalidTagKey";

struct SanitizeCounts {
  uint64_t service_names_fixed = 0;  // missing, empty or invalid service names
  uint64_t invalid_utf8_fixed = 0;   // span names, keys and values rewritten
};

// Whether the decoder that filled a batch has already proven every string valid UTF-8 (OTLP,
// Zipkin v2 and the JSON formats reject invalid UTF-8; the Jaeger and Zipkin Thrift decoders and
// api_v2 accept any bytes, as Jaeger does).
enum class TextCheck { kValidate, kAlreadyValid };

// Applies every rule above in place. Cheap when nothing needs fixing: one UTF-8 check per string,
// none with TextCheck::kAlreadyValid (then only the service-name rules can apply).
SanitizeCounts Sanitize(SpanBatch& batch, TextCheck text = TextCheck::kValidate);

}  // namespace ariadne::tracecore
