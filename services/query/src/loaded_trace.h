// LoadedTrace: one trace read from storage into a batch the query service owns, with the order
// its spans are shown in and the warnings attached to them (reference §4.3: every Span and the
// Trace have a "warnings" list, which the Jaeger UI shows).
//
// Adjusters change spans in place (ids, times, attributes, links) and may add text and attributes
// to the batch's arena; they never add or remove spans of the batch: a span that should not be
// shown is left out of `spans`. One thread at a time.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tracecore/model.h"

namespace ariadne::query {

struct LoadedTrace {
  tracecore::SpanBatch batch;
  // The spans to show, in order; pointers into batch.spans(), which no longer grows once they
  // are set.
  std::vector<tracecore::Span*> spans;
  // Warnings of each span, by index into batch.spans() (sized by Index()).
  std::vector<std::vector<std::string>> span_warnings;
  // Warnings of the trace as a whole.
  std::vector<std::string> warnings;
  // True when the loader stopped at its span bound: the trace has more spans than it shows.
  bool truncated = false;
  // True once the adjusters ran (not for raw=true): the UI JSON then lists each span's tags
  // sorted by key, as Jaeger's SortTagsAndLogFields adjuster leaves them.
  bool adjusted = false;

  size_t Index(const tracecore::Span& span) const {
    return static_cast<size_t>(&span - batch.spans().data());
  }
  void AddWarning(const tracecore::Span& span, std::string text) {
    const size_t index = Index(span);
    if (span_warnings.size() <= index) span_warnings.resize(batch.spans().size());
    span_warnings[index].push_back(std::move(text));
  }
  // The warnings of `span`; empty when it has none.
  const std::vector<std::string>& WarningsOf(const tracecore::Span& span) const {
    static const std::vector<std::string> kNone;
    const size_t index = Index(span);
    return index < span_warnings.size() ? span_warnings[index] : kNone;
  }
};

}  // namespace ariadne::query
