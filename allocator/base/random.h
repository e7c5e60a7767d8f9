// The project's deterministic generators, for tests, benches and tools: fixed seeds replay
// exactly, on every platform, so a seed printed with a figure or a failing test reproduces it.
// Never for anything that needs unpredictability.
//
// Two algorithms, because outputs already published depend on each: xorshift64 drives the
// randomized tests and the benches; splitmix64 drives `allocfuzz footprint --random`, whose
// figures the README quotes. Either sequence changing would change those outputs, so both are
// pinned by tests/base/random_test.cc.
#ifndef ALLOCFUZZ_ALLOCATOR_BASE_RANDOM_H_
#define ALLOCFUZZ_ALLOCATOR_BASE_RANDOM_H_

#include <cstdint>

namespace allocfuzz {

inline constexpr uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ull;  // 2^64 / golden ratio, odd

// Marsaglia's xorshift64 with shifts (13, 7, 17). State 0 is its fixed point (all zeros for
// ever), so a 0 state is replaced by kGoldenGamma; any other state is used as given.
class XorShift64 {
 public:
  explicit XorShift64(uint64_t state) : x_(state == 0 ? kGoldenGamma : state) {}
  uint64_t next() {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 7;
    x_ ^= x_ << 17;
    return x_;
  }
  // next() % n: slightly biased for an n that is not a power of two, which no user minds and
  // every recorded sequence depends on. n must not be 0.
  uint64_t below(uint64_t n) { return next() % n; }

 private:
  uint64_t x_;
};

// One step of Vigna's splitmix64 on `state` (which it advances by kGoldenGamma). Every state,
// 0 included, is a good start.
inline uint64_t splitmix64_next(uint64_t& state) {
  uint64_t z = (state += kGoldenGamma);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : x_(seed) {}
  uint64_t next() { return splitmix64_next(x_); }
  uint64_t below(uint64_t n) { return next() % n; }  // as XorShift64::below

 private:
  uint64_t x_;
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_ALLOCATOR_BASE_RANDOM_H_
