#include "tracecore/translate/sanitizer.h"

#include "tracecore/text.h"

namespace ariadne::tracecore {
namespace {

constexpr std::string_view kServiceNameKey = "service.name";

void SanitizeAttributes(Attributes& attributes, SanitizeCounts& counts) {
  for (Attribute& attribute : attributes) {
    if (!IsValidUtf8(attribute.key)) {
      attribute.value = AnyValue::Bytes(attribute.key);
      attribute.key = kInvalidTagKey;
      ++counts.invalid_utf8_fixed;
    } else if (attribute.value.type() == ValueType::kString &&
               !IsValidUtf8(attribute.value.string_value())) {
      attribute.value = AnyValue::Bytes(attribute.value.string_value());
      ++counts.invalid_utf8_fixed;
    }
  }
}

void SanitizeServiceName(Resource& resource, SanitizeCounts& counts) {
  for (Attribute& attribute : resource.attributes) {
    if (attribute.key != kServiceNameKey) continue;
    if (attribute.value.type() != ValueType::kString || attribute.value.string_value().empty()) {
      attribute.value = AnyValue::String(kEmptyServiceName);
      ++counts.service_names_fixed;
    } else if (!IsValidUtf8(attribute.value.string_value())) {
      AnyValue original = AnyValue::Bytes(attribute.value.string_value());
      attribute.value = AnyValue::String(kInvalidServiceName);
      resource.attributes.push_back({kInvalidServiceName, original});  // invalidates `attribute`
      ++counts.service_names_fixed;
    }
    return;
  }
  resource.attributes.insert(resource.attributes.begin(),
                             {kServiceNameKey, AnyValue::String(kMissingServiceName)});
  ++counts.service_names_fixed;
}

}  // namespace

SanitizeCounts Sanitize(SpanBatch& batch, TextCheck text) {
  SanitizeCounts counts;
  for (Resource& resource : batch.resources()) {
    SanitizeServiceName(resource, counts);  // first: the generic rule would turn it into bytes
    if (text == TextCheck::kValidate) SanitizeAttributes(resource.attributes, counts);
  }
  if (text == TextCheck::kAlreadyValid) return counts;
  for (Span& span : batch.spans()) {
    SanitizeAttributes(span.attributes, counts);
    if (!IsValidUtf8(span.name)) {
      span.attributes.push_back({kInvalidOperationName, AnyValue::Bytes(span.name)});
      span.name = kInvalidOperationName;
      ++counts.invalid_utf8_fixed;
    }
    for (Event& event : span.events) SanitizeAttributes(event.attributes, counts);
  }
  return counts;
}

}  // namespace ariadne::tracecore
