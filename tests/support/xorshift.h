// The randomized tests' generator, and sizes drawn with it: fixed seeds replay exactly.
#ifndef ALLOCFUZZ_TESTS_XORSHIFT_H_
#define ALLOCFUZZ_TESTS_XORSHIFT_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "allocator/base/random.h"

namespace allocfuzz::testing {

// The project's xorshift64 (allocator/base/random.h), seeded as the tests always were: state
// seed * 2 + 1, odd, so every seed (0 included) gives its own sequence.
class XorShift : public XorShift64 {
 public:
  explicit XorShift(uint64_t seed) : XorShift64(seed * 2 + 1) {}
};

// One way of edge_biased_size() to draw a size: [0, below), or one time in `one_in` (never when
// 0) [0, wide_below).
struct SizeRange {
  uint64_t below;
  uint64_t one_in = 0;
  uint64_t wide_below = 0;
};

// A size biased to the edges that break allocators: with equal odds one of `edges` or a size
// from one of `ranges`. The draws, and so the sizes a seed gives, are those of
// `switch (rng.below(1 + ranges.size())) { case 0: edge; case 1: first range; ... }`.
inline uint64_t edge_biased_size(XorShift& rng, std::span<const uint64_t> edges,
                                 std::initializer_list<SizeRange> ranges) {
  const size_t pick = rng.below(1 + ranges.size());
  if (pick == 0) return edges[rng.below(edges.size())];
  const SizeRange& range = ranges.begin()[pick - 1];
  if (range.one_in != 0 && rng.below(range.one_in) == 0) return rng.below(range.wide_below);
  return rng.below(range.below);
}

}  // namespace allocfuzz::testing

#endif  // ALLOCFUZZ_TESTS_XORSHIFT_H_
