// Lookups that tests of decoded batches share; each fails the running test when the thing is
// absent.
#pragma once

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string_view>

#include "tracecore/model.h"

namespace ariadne::testing {

// The span with `span_id`; fails the test when the batch has none.
inline const tracecore::Span& FindSpan(const tracecore::SpanBatch& batch, uint64_t span_id) {
  for (const tracecore::Span& span : batch.spans()) {
    if (span.span_id.value == span_id) return span;
  }
  FAIL("span " << std::hex << span_id << " not found");
  throw std::logic_error("unreachable");
}

// The value of attribute `key`; fails the test when it is absent.
inline const tracecore::AnyValue& Attr(const tracecore::Attributes& attributes,
                                       std::string_view key) {
  const tracecore::Attribute* found = tracecore::FindAttribute(attributes, key);
  INFO("attribute " << key);
  REQUIRE(found != nullptr);
  return found->value;
}

}  // namespace ariadne::testing
