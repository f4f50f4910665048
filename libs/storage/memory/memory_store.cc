#include "memory/memory_store.h"

#include <algorithm>
#include <mutex>
#include <set>
#include <tuple>
#include <utility>

#include "storage/span_match.h"
#include "tracecore/span_copier.h"

namespace ariadne::storage {

using tracecore::SpanBatch;
using tracecore::Status;
using tracecore::TraceId;

MemoryStore::MemoryStore(MemoryStoreOptions options) : options_(options) {}

Status MemoryStore::WriteBatch(const SpanBatch& batch) {
  if (batch.spans().empty()) return {};
  // Copy outside the lock: the copy is the expensive part.
  auto owned = std::make_shared<SpanBatch>();
  tracecore::SpanCopier copier(*owned);
  for (const tracecore::Span& span : batch.spans()) copier.Copy(batch, span);
  return WriteSharedBatch(std::move(owned));
}

Status MemoryStore::WriteSharedBatch(const std::shared_ptr<const SpanBatch>& batch) {
  if (batch->spans().empty()) return {};
  std::unique_lock lock(mutex_);
  for (uint32_t i = 0; i < batch->spans().size(); ++i) IndexSpan(batch, i);
  IndexOperations(*batch);
  return {};
}

void MemoryStore::IndexSpan(const std::shared_ptr<const SpanBatch>& batch, uint32_t index) {
  const tracecore::Span& span = batch->spans()[index];
  auto [it, inserted] = traces_.try_emplace(span.trace_id);
  if (inserted) {
    arrival_order_.push_back(span.trace_id);
    if (options_.max_traces != 0 && traces_.size() > options_.max_traces) EvictOldest();
  }
  StoredTrace& trace = it->second;
  if (trace.batches.empty() || trace.batches.back() != batch) trace.batches.push_back(batch);
  trace.spans.push_back({batch.get(), index});
  ++span_count_;
}

void MemoryStore::IndexOperations(const SpanBatch& batch) {
  // Spans of a batch share a few operations: look each up once, copy its strings only when new.
  std::set<std::tuple<std::string_view, std::string_view, tracecore::SpanKind>> seen;
  for (const tracecore::Span& span : batch.spans()) {
    const std::string_view service = batch.resource_of(span).ServiceName();
    if (!seen.emplace(service, span.name, span.kind).second) continue;
    auto known = operations_.find(service);
    if (known == operations_.end())
      known = operations_.emplace(std::string(service), std::set<Operation>()).first;
    known->second.insert({std::string(span.name), span.kind});
  }
}

void MemoryStore::EvictOldest() {
  // The newest trace is last in arrival order, so the front is never the one being added.
  const TraceId oldest = arrival_order_.front();
  arrival_order_.pop_front();
  auto it = traces_.find(oldest);
  if (it == traces_.end()) return;
  span_count_ -= it->second.spans.size();
  traces_.erase(it);
}

uint64_t MemoryStore::span_count() const {
  std::shared_lock lock(mutex_);
  return span_count_;
}

Status MemoryStore::GetTrace(const TraceId& id, uint32_t max_chunk_spans,
                             const SpanChunkConsumer& consume, bool& found) {
  StoredTrace trace;  // a copy: its batches stay alive while it is read, evicted or not
  {
    std::shared_lock lock(mutex_);
    auto it = traces_.find(id);
    found = it != traces_.end();
    if (!found) return {};
    trace = it->second;
  }
  const std::vector<StoredSpan>& spans = trace.spans;
  const size_t chunk_size = std::max<uint32_t>(max_chunk_spans, 1);
  for (size_t first = 0; first < spans.size(); first += chunk_size) {
    SpanBatch chunk;
    tracecore::SpanCopier copier(chunk);
    const size_t last = std::min(spans.size(), first + chunk_size);
    for (size_t i = first; i < last; ++i) copier.Copy(*spans[i].batch, spans[i].span());
    ARIADNE_RETURN_IF_ERROR(consume(chunk));
  }
  return {};
}

Status MemoryStore::FindTraceIds(const TraceQuery& query, std::vector<TraceId>& out) {
  std::vector<std::pair<uint64_t, TraceId>> matches;  // (newest matching start, trace)
  tracecore::jaeger::SpanView view;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [id, trace] : traces_) {
      uint64_t newest = 0;
      bool matched = false;
      for (const StoredSpan& stored : trace.spans) {
        if (!SpanMatches(*stored.batch, stored.span(), query, view)) continue;
        matched = true;
        newest = std::max(newest, stored.span().start_time_unix_nano);
      }
      if (matched) matches.emplace_back(newest, id);
    }
  }
  std::sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second.high != b.second.high ? a.second.high > b.second.high
                                          : a.second.low > b.second.low;
  });
  const size_t count = std::min<size_t>(matches.size(), query.limit);
  for (size_t i = 0; i < count; ++i) out.push_back(matches[i].second);
  return {};
}

Status MemoryStore::GetServices(std::vector<std::string>& out) {
  std::shared_lock lock(mutex_);
  for (const auto& [service, operations] : operations_) out.push_back(service);
  return {};
}

Status MemoryStore::GetOperations(const std::string& service,
                                  std::optional<tracecore::SpanKind> span_kind,
                                  std::vector<Operation>& out) {
  std::shared_lock lock(mutex_);
  auto it = operations_.find(service);
  if (it == operations_.end()) return {};
  for (const Operation& operation : it->second) {
    if (!span_kind || operation.span_kind == *span_kind) out.push_back(operation);
  }
  return {};
}

Status MemoryStore::GetDependencies(uint64_t end_time, uint64_t lookback,
                                    std::vector<DependencyLink>& out) {
  const uint64_t start_time = end_time > lookback ? end_time - lookback : 0;
  std::map<std::pair<std::string_view, std::string_view>, uint64_t> counts;
  std::shared_lock lock(mutex_);
  std::unordered_map<uint64_t, std::string_view> service_of_span;
  for (const auto& [id, trace] : traces_) {
    service_of_span.clear();
    for (const StoredSpan& stored : trace.spans) {
      service_of_span[stored.span().span_id.value] =
          stored.batch->resource_of(stored.span()).ServiceName();
    }
    for (const StoredSpan& stored : trace.spans) {
      const tracecore::Span& span = stored.span();
      if (span.start_time_unix_nano < start_time || span.start_time_unix_nano > end_time) continue;
      if (span.parent_span_id.empty()) continue;
      auto parent = service_of_span.find(span.parent_span_id.value);
      if (parent == service_of_span.end()) continue;
      const std::string_view child = stored.batch->resource_of(span).ServiceName();
      if (parent->second == child) continue;
      ++counts[{parent->second, child}];
    }
  }
  for (const auto& [pair, count] : counts) {
    out.push_back({std::string(pair.first), std::string(pair.second), count});
  }
  return {};
}

}  // namespace ariadne::storage
