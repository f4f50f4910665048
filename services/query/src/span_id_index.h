// SpanIdIndex: span id -> a number (a position in the adjuster's own list), for the adjusters
// that look spans up by id. Open addressing in one array, sized up front for the trace, so that
// indexing a 1,000-span trace allocates once; std::unordered_map allocated a node per span
// (query_bench: those allocations and frees were about a third of the adjusters' time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace ariadne::query {

// Not thread-safe. Pointers returned are valid until the next Emplace.
class SpanIdIndex {
 public:
  // Room for `expected` ids without growing; more are fine (the table doubles when half full).
  explicit SpanIdIndex(size_t expected) { Resize(SlotsFor(expected)); }

  // The value of `id` and true when it was added now (with `value`), or the value stored
  // earlier and false.
  std::pair<size_t*, bool> Emplace(uint64_t id, size_t value) {
    if (2 * (count_ + 1) > slots_.size()) Grow();
    Slot& slot = slots_[Probe(id)];
    if (slot.used) return {&slot.value, false};
    slot = {id, value, true};
    ++count_;
    return {&slot.value, true};
  }

  // The value of `id`, or nullptr when it was never added.
  const size_t* Find(uint64_t id) const {
    const Slot& slot = slots_[Probe(id)];
    return slot.used ? &slot.value : nullptr;
  }

 private:
  struct Slot {
    uint64_t id = 0;
    size_t value = 0;
    bool used = false;
  };

  static size_t SlotsFor(size_t ids) {
    size_t slots = 16;
    while (slots < 2 * ids + 2) slots *= 2;
    return slots;
  }

  void Resize(size_t slots) { slots_.assign(slots, Slot{}); }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    Resize(old.size() * 2);
    for (const Slot& slot : old) {
      if (slot.used) slots_[Probe(slot.id)] = slot;
    }
  }

  // The index of the slot holding `id`, or of the empty slot where it would go (the table is
  // never more than half full, so there is one).
  size_t Probe(uint64_t id) const {
    const size_t mask = slots_.size() - 1;
    // Fibonacci hashing: the multiply spreads random and sequential ids alike.
    size_t at = static_cast<size_t>((id * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
    while (slots_[at].used && slots_[at].id != id) at = (at + 1) & mask;
    return at;
  }

  std::vector<Slot> slots_;  // a power of two in size, at most half used
  size_t count_ = 0;
};

}  // namespace ariadne::query
