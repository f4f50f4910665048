// SpanCopier: deep-copies spans from other batches into one destination batch.
//
// Every string, attribute, event and link of a copied span is re-allocated in the destination's
// arena, so the copy outlives the source. Resources and scopes are copied once per source batch and
// shared by the spans that named them there. Used by stores that keep spans past the request that
// brought them, and by readers that assemble one trace from several stored batches.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "tracecore/model.h"

namespace ariadne::tracecore {

class SpanCopier {
 public:
  // `to` must outlive the copier; only the copier may add to it while the copier is in use.
  explicit SpanCopier(SpanBatch& to) : to_(to) {}

  // Appends a deep copy of `span` (which belongs to `from`) and returns it.
  Span& Copy(const SpanBatch& from, const Span& span);

 private:
  uint32_t CopyResource(const SpanBatch& from, uint32_t index);
  uint32_t CopyScope(const SpanBatch& from, uint32_t index);
  std::string_view CopyText(std::string_view text);
  AnyValue CopyValue(const AnyValue& value);
  void CopyAttributes(const Attributes& from, Attributes& to);
  auto DeepText() {
    return [this](std::string_view text) { return CopyText(text); };
  }
  auto DeepAttributes() {
    return [this](const Attributes& from, Attributes& to) { CopyAttributes(from, to); };
  }

  SpanBatch& to_;
  // (source batch, source index) -> destination index
  std::map<std::pair<const SpanBatch*, uint32_t>, uint32_t> resources_;
  std::map<std::pair<const SpanBatch*, uint32_t>, uint32_t> scopes_;
};

}  // namespace ariadne::tracecore
