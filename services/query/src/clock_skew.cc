// CorrectClockSkew (reference §8 step 4): spans written on different hosts carry those hosts'
// clocks; a child that starts before its parent, or ends after it, is shifted into it.
//
// The spans form a forest by parent id. A span whose id another shown span already has gets the
// warning "duplicate span IDs; skipping clock skew adjustment" and is left as it is; a span whose
// parent is not in the trace gets "invalid parent span IDs=<id>; skipping clock skew adjustment"
// and is treated as a root. From each root, a child on another host (process attribute `ip`;
// a span without one counts as another host) gets a new shift computed against its already
// shifted parent; a child on the same host inherits its parent's shift. A shift moves the span's
// start and end (its duration stays) and its events, and adds the warning "This span's
// timestamps were adjusted by <d>". A shift larger than the bound is not applied; the span gets
// "max clock skew adjustment delta of <bound> exceeded; not applying calculated delta of <d>",
// or with a bound of 0 "clock skew adjustment disabled; not applying calculated delta of <d>".
// Durations are written as Go writes them ("1.5ms").
//
// The walk uses an explicit stack: a trace may be a 100,000-span chain.
#include <arpa/inet.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "adjusters.h"
#include "runtime/config.h"
#include "span_id_index.h"

namespace ariadne::query {
namespace {

using std::chrono::nanoseconds;
using tracecore::Span;
using tracecore::ValueType;

// Times at or beyond this (year 2116) are left alone, so that the arithmetic below cannot overflow.
constexpr uint64_t kMaxTime = uint64_t{1} << 62;

struct Node {
  Span* span = nullptr;
  const std::string* host = nullptr;  // HostKey of the span's resource
};

struct Skew {
  int64_t delta = 0;
  const std::string* host = nullptr;
};

// The host identity of a span's process: its `ip` attribute as text ("" when absent).
std::string HostKey(const tracecore::Resource& resource) {
  const tracecore::Attribute* ip = tracecore::FindAttribute(resource.attributes, "ip");
  if (ip == nullptr) return "";
  const tracecore::AnyValue& value = ip->value;
  char text[INET6_ADDRSTRLEN] = {};
  if (value.type() == ValueType::kString) return std::string(value.string_value());
  if (value.type() == ValueType::kInt) {
    const uint32_t address = htonl(static_cast<uint32_t>(value.int_value()));
    return inet_ntop(AF_INET, &address, text, sizeof text) != nullptr ? text : "";
  }
  if (value.type() == ValueType::kBytes && value.bytes_value().size() == 4) {
    return inet_ntop(AF_INET, value.bytes_value().data(), text, sizeof text) != nullptr ? text : "";
  }
  if (value.type() == ValueType::kBytes && value.bytes_value().size() == 16) {
    return inet_ntop(AF_INET6, value.bytes_value().data(), text, sizeof text) != nullptr ? text
                                                                                         : "";
  }
  return "";
}

int64_t Duration(const Span& span) {
  return span.end_time_unix_nano > span.start_time_unix_nano
             ? static_cast<int64_t>(span.end_time_unix_nano - span.start_time_unix_nano)
             : 0;
}

bool TimesInRange(const Span& span) {
  return span.start_time_unix_nano < kMaxTime && span.end_time_unix_nano < kMaxTime;
}

// The shift that puts `child` inside `parent`.
int64_t CalculateSkew(const Span& child, const Span& parent) {
  if (!TimesInRange(child) || !TimesInRange(parent)) return 0;
  const auto parent_start = static_cast<int64_t>(parent.start_time_unix_nano);
  const auto child_start = static_cast<int64_t>(child.start_time_unix_nano);
  const int64_t parent_duration = Duration(parent);
  const int64_t child_duration = Duration(child);
  if (child_duration > parent_duration) {
    // Async, or the parent timed out: only make sure the child does not start before it.
    return child_start < parent_start ? parent_start - child_start : 0;
  }
  if (child_start >= parent_start &&
      child_start + child_duration <= parent_start + parent_duration) {
    return 0;
  }
  // Network latency split equally between request and response.
  const int64_t latency = (parent_duration - child_duration) / 2;
  return parent_start + latency - child_start;
}

uint64_t Shift(uint64_t time, int64_t delta) {
  if (delta >= 0) return time + static_cast<uint64_t>(delta);
  const uint64_t back = static_cast<uint64_t>(-delta);
  return time > back ? time - back : 0;
}

class ClockSkewAdjuster {
 public:
  ClockSkewAdjuster(nanoseconds max_delta, LoadedTrace& trace)
      : max_delta_(max_delta.count()), trace_(trace), index_(trace.spans.size()) {}

  void Run() {
    BuildNodes();
    for (size_t root : FindRoots()) Walk(root);
  }

 private:
  void BuildNodes() {
    nodes_.reserve(trace_.spans.size());
    hosts_.resize(trace_.batch.resources().size());
    host_known_.assign(trace_.batch.resources().size(), false);
    for (Span* span : trace_.spans) {
      if (!index_.Emplace(span->span_id.value, nodes_.size()).second) {
        trace_.AddWarning(*span, "duplicate span IDs; skipping clock skew adjustment");
        continue;
      }
      nodes_.push_back({span, &Host(span->resource_index)});
    }
  }

  // HostKey of the resource, worked out once per resource.
  const std::string& Host(uint32_t resource_index) {
    if (!host_known_[resource_index]) {
      hosts_[resource_index] = HostKey(trace_.batch.resources()[resource_index]);
      host_known_[resource_index] = true;
    }
    return hosts_[resource_index];
  }

  // Links every node to its parent's children (in node order) and returns the roots.
  std::vector<size_t> FindRoots() {
    constexpr size_t kNoParent = std::numeric_limits<size_t>::max();
    std::vector<size_t> parent_of(nodes_.size(), kNoParent);
    std::vector<size_t> roots;
    first_child_.assign(nodes_.size() + 1, 0);
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const Span& span = *nodes_[i].span;
      if (span.parent_span_id.empty()) {
        roots.push_back(i);
        continue;
      }
      const size_t* parent = index_.Find(span.parent_span_id.value);
      if (parent != nullptr) {
        parent_of[i] = *parent;
        ++first_child_[*parent + 1];
      } else {
        trace_.AddWarning(span, "invalid parent span IDs=" + span.parent_span_id.ToHex() +
                                    "; skipping clock skew adjustment");
        roots.push_back(i);
      }
    }
    // Children of node n: children_[first_child_[n], first_child_[n + 1]), in node order.
    for (size_t i = 0; i < nodes_.size(); ++i) first_child_[i + 1] += first_child_[i];
    children_.resize(first_child_.back());
    std::vector<size_t> filled(first_child_.begin(), first_child_.end() - 1);
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (parent_of[i] != kNoParent) children_[filled[parent_of[i]]++] = i;
    }
    return roots;
  }

  // Depth first from `root`; a node is shifted before its children are looked at.
  void Walk(size_t root) {
    stack_.clear();
    stack_.push_back({root, nodes_.size(), Skew{0, nodes_[root].host}});
    while (!stack_.empty()) {
      Visit visit = stack_.back();
      stack_.pop_back();
      Node& node = nodes_[visit.node];
      const bool other_host = *node.host != *visit.skew.host || node.host->empty();
      if (other_host && visit.parent < nodes_.size()) {
        visit.skew = {CalculateSkew(*node.span, *nodes_[visit.parent].span), node.host};
      }
      Apply(*node.span, visit.skew.delta);
      for (size_t child = first_child_[visit.node]; child < first_child_[visit.node + 1]; ++child) {
        stack_.push_back({children_[child], visit.node, visit.skew});
      }
    }
  }

  void Apply(Span& span, int64_t delta) {
    if (delta == 0) return;
    const std::string text = runtime::FormatGoDuration(nanoseconds(delta));
    const int64_t magnitude = delta < 0 ? -delta : delta;
    if (magnitude > max_delta_) {
      trace_.AddWarning(span, max_delta_ == 0
                                  ? "clock skew adjustment disabled; not applying calculated "
                                    "delta of " +
                                        text
                                  : "max clock skew adjustment delta of " +
                                        runtime::FormatGoDuration(nanoseconds(max_delta_)) +
                                        " exceeded; not applying calculated delta of " + text);
      return;
    }
    span.start_time_unix_nano = Shift(span.start_time_unix_nano, delta);
    span.end_time_unix_nano = Shift(span.end_time_unix_nano, delta);
    for (tracecore::Event& event : span.events) {
      event.time_unix_nano = Shift(event.time_unix_nano, delta);
    }
    trace_.AddWarning(span, "This span's timestamps were adjusted by " + text);
  }

  struct Visit {
    size_t node;
    size_t parent;  // == nodes_.size() for the root
    Skew skew;
  };

  const int64_t max_delta_;
  LoadedTrace& trace_;
  std::vector<Node> nodes_;
  SpanIdIndex index_;                // span id -> node
  std::vector<std::string> hosts_;   // by resource index, once host_known_
  std::vector<bool> host_known_;     // by resource index
  std::vector<size_t> first_child_;  // by node, and one past the last node
  std::vector<size_t> children_;     // node indexes, grouped by parent
  std::vector<Visit> stack_;
};

}  // namespace

void CorrectClockSkew(nanoseconds max_delta, LoadedTrace& trace) {
  ClockSkewAdjuster(max_delta, trace).Run();
}

}  // namespace ariadne::query
