// The benches' generator: xorshift64 (13, 7, 17). Their figures are printed for a seed, so the
// sequence is part of what they measure and must not change.
#ifndef ALLOCFUZZ_BENCH_XORSHIFT64_H_
#define ALLOCFUZZ_BENCH_XORSHIFT64_H_

#include <cstdint>

namespace allocfuzz::bench {

class XorShift64 {
 public:
  explicit XorShift64(uint64_t seed) : x_(seed == 0 ? 0x9E3779B97F4A7C15ull : seed) {}
  uint64_t next() {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 7;
    x_ ^= x_ << 17;
    return x_;
  }
  uint64_t below(uint64_t n) { return next() % n; }

 private:
  uint64_t x_;
};

}  // namespace allocfuzz::bench

#endif  // ALLOCFUZZ_BENCH_XORSHIFT64_H_
