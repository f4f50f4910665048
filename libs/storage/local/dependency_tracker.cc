#include "local/dependency_tracker.h"

#include <algorithm>

namespace ariadne::storage::local {

DependencyTracker::DependencyTracker(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

void DependencyTracker::Observe(const tracecore::SpanBatch& batch) {
  std::lock_guard lock(mutex_);
  if (service_names_.size() + batch.resources().size() > kMaxServices) ForgetEverything();
  std::vector<uint32_t> service_of_resource;
  service_of_resource.reserve(batch.resources().size());
  for (const tracecore::Resource& resource : batch.resources()) {
    service_of_resource.push_back(InternService(resource.ServiceName()));
  }
  // Remember every span of the batch first, so that the order within a batch does not matter.
  for (const tracecore::Span& span : batch.spans()) {
    Remember({span.trace_id, span.span_id.value}, service_of_resource[span.resource_index]);
  }
  for (const tracecore::Span& span : batch.spans()) {
    if (span.parent_span_id.empty()) continue;
    const Waiting child{service_of_resource[span.resource_index],
                        span.start_time_unix_nano / 1'000'000'000ULL};
    const SpanKey parent{span.trace_id, span.parent_span_id.value};
    auto known = known_.find(parent);
    if (known != known_.end()) {
      Count(known->second, child.service, child.start_second);
    } else {
      Wait(parent, child);
    }
  }
}

uint32_t DependencyTracker::InternService(std::string_view service) {
  auto [it, inserted] =
      service_ids_.try_emplace(std::string(service), static_cast<uint32_t>(service_names_.size()));
  if (inserted) service_names_.emplace_back(service);
  return it->second;
}

void DependencyTracker::Remember(const SpanKey& key, uint32_t service) {
  auto [it, inserted] = known_.insert_or_assign(key, service);
  if (inserted) {
    known_order_.push_back(key);
    if (known_order_.size() > capacity_) {
      known_.erase(known_order_.front());
      known_order_.pop_front();
    }
  }
  auto waiting = waiting_.find(key);
  if (waiting == waiting_.end()) return;
  for (const Waiting& child : waiting->second) Count(service, child.service, child.start_second);
  waiting_count_ -= waiting->second.size();
  waiting_.erase(waiting);
}

void DependencyTracker::Wait(const SpanKey& parent, const Waiting& child) {
  auto& children = waiting_[parent];
  if (children.empty()) waiting_order_.push_back(parent);
  children.push_back(child);
  ++waiting_count_;
  // Forget the children that have waited longest (their parents were resolved or are gone).
  while (waiting_count_ > capacity_ && !waiting_order_.empty()) {
    auto oldest = waiting_.find(waiting_order_.front());
    waiting_order_.pop_front();
    if (oldest == waiting_.end()) continue;
    waiting_count_ -= oldest->second.size();
    waiting_.erase(oldest);
  }
}

void DependencyTracker::Count(uint32_t parent, uint32_t child, uint64_t start_second) {
  if (parent == child) return;  // a call within one service is not a dependency
  ++by_second_[{start_second, parent, child}];
  ++by_minute_[{start_second / 60, parent, child}];
}

void DependencyTracker::TakeCompleted(uint64_t now_second, bool everything,
                                      std::vector<Counted>& out) {
  std::lock_guard lock(mutex_);
  for (Counted& counted : ready_) out.push_back(std::move(counted));
  ready_.clear();
  TakeFrom(by_second_, 's', now_second, everything, out);
  TakeFrom(by_minute_, 'm', now_second / 60, everything, out);
}

void DependencyTracker::TakeFrom(Counts& counts, char granularity, uint64_t before, bool everything,
                                 std::vector<Counted>& out) {
  auto end = everything ? counts.end() : counts.lower_bound({before, 0, 0});
  for (auto it = counts.begin(); it != end; ++it) {
    const auto& [time, parent, child] = it->first;
    out.push_back({granularity, time, service_names_[parent], service_names_[child], it->second});
  }
  counts.erase(counts.begin(), end);
}

void DependencyTracker::ForgetEverything() {
  TakeFrom(by_second_, 's', 0, true, ready_);
  TakeFrom(by_minute_, 'm', 0, true, ready_);
  known_.clear();
  known_order_.clear();
  waiting_.clear();
  waiting_order_.clear();
  waiting_count_ = 0;
  service_ids_.clear();
  service_names_.clear();
}

}  // namespace ariadne::storage::local
