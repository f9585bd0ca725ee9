// The simulator's random numbers. std::mt19937_64's output sequence is fixed by the standard,
// but std::uniform_*_distribution is not (libstdc++ and libc++ map the same bits to different
// numbers), so the helpers that turn bits into ranges are written here: the same seed gives
// the same service on every standard library and platform.
#pragma once

#include <cstdint>
#include <random>

namespace mend::sim {

// A seed expander (SplitMix64): derives independent streams from one seed, so the plan of the
// evening and the failure draws do not shift each other.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t bits() { return engine_(); }

  // Uniform in [0, n), n > 0. Rejection sampling: no modulo bias.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x = engine_();
    while (x >= limit) x = engine_();
    return x % n;
  }

  // Uniform in [lo, hi], both included; lo when hi < lo.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1): the top 53 bits, exactly representable in a double.
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }

  // True with probability p (p <= 0 never draws true, p >= 1 always does).
  bool chance(double p) { return unit() < p; }

  // One element of a non-empty array or vector.
  template <class Container>
  const auto& pick(const Container& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace mend::sim
