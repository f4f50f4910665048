// Rng: the small, fast, portable pseudo-random generator behind every choice tracegen makes.
//
// std::mt19937 is portable but the std:: distributions are not (libstdc++ and libc++ draw
// differently), and --seed promises the same traces everywhere, so the draws are written here.
// Not thread-safe: each worker and each generator owns its own Rng.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ariadne::tracegen {

// splitmix64 to spread the seed, xoshiro256** for the stream.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) word = SplitMix(seed);
  }

  uint64_t Next() {
    const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = RotateLeft(state_[3], 45);
    return result;
  }

  // A non-zero 64-bit value (ids: zero means "absent" in every format).
  uint64_t NextNonZero() {
    uint64_t value = Next();
    while (value == 0) value = Next();
    return value;
  }

  // Uniform in [0, bound); 0 when bound is 0. Lemire's multiply-shift (bias < 2^-32 for the small
  // bounds tracegen uses).
  uint64_t Below(uint64_t bound) {
    __extension__ typedef unsigned __int128 Wide;
    return static_cast<uint64_t>((static_cast<Wide>(Next()) * bound) >> 64);
  }

  // Uniform in [low, high] (inclusive); low when high < low.
  int64_t Between(int64_t low, int64_t high) {
    if (high <= low) return low;
    return low + static_cast<int64_t>(Below(static_cast<uint64_t>(high - low) + 1));
  }

  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // True with probability `p`.
  bool Chance(double p) { return Unit() < p; }

  // One element of a non-empty array.
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }

 private:
  static uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  uint64_t state_[4];
};

}  // namespace ariadne::tracegen
