// A small deterministic generator for randomized tests: fixed seeds replay exactly.
#ifndef ALLOCFUZZ_TESTS_XORSHIFT_H_
#define ALLOCFUZZ_TESTS_XORSHIFT_H_

#include <cstddef>
#include <cstdint>

namespace allocfuzz::testing {

class XorShift {
 public:
  explicit XorShift(uint64_t seed) : x_(seed * 2 + 1) {}
  uint64_t next() {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 7;
    x_ ^= x_ << 17;
    return x_;
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }

 private:
  uint64_t x_;
};

}  // namespace allocfuzz::testing

#endif  // ALLOCFUZZ_TESTS_XORSHIFT_H_
