// Unit tests of FreeArrayHeap (docs/DESIGN.md section 3): placement (high and low regions give the
// same offsets) and a fixed region filled until NULL, through HeapHarness.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"
#include "tests/free_array/free_array_heap_support.h"
#include "tests/free_array/heap_harness.h"
#include "tests/support/xorshift.h"

namespace allocfuzz::testing {
namespace {

// ---- placement --------------------------------------------------------------------------

// A sequence through every path; the log holds every offset and state number it produced.
std::vector<size_t> RepresentativeLog(Placement placement) {
  HeapHarness h(Region(placement), SmallConfig());
  std::vector<size_t> log;
  auto note = [&](void* p) {
    log.push_back(p == nullptr ? SIZE_MAX : h.offset(p));
    log.push_back(Top(h));
    log.push_back(Brk(h));
    log.push_back(h.state().length);
    log.push_back(h.state().gaps);
    log.push_back(h.state().free_bytes);
  };
  void* a = h.malloc(0);
  note(a);
  void* b = h.malloc(100);
  note(b);
  void* c = h.calloc(10, 30);
  note(c);
  void* d = h.malloc(7);
  note(d);
  h.free(b);
  note(nullptr);
  c = h.realloc(c, 400);  // into the free predecessor
  note(c);
  d = h.realloc(d, 20000);  // at top, grows the break
  note(d);
  h.region().foreign_grow(77);
  void* e = h.malloc(30000);  // fence
  note(e);
  d = h.realloc(d, 50);  // shrink
  note(d);
  h.free(e);  // top release above the fence
  note(nullptr);
  void* f = h.malloc(48);
  note(f);
  h.free(a);
  note(nullptr);
  EXPECT_TRUE(h.all_live_in_bounds());
  return log;
}

TEST(FreeArrayHeapPlacement, HighAndLowGiveTheSameOffsets) {
  std::vector<size_t> high = RepresentativeLog(Placement::kHigh);
  std::vector<size_t> low = RepresentativeLog(Placement::kLow);
  EXPECT_EQ(high, low);
  ASSERT_FALSE(high.empty());
}

TEST(FreeArrayHeapPlacement, LowPlacementIsBelowTwoGiB) {
  HeapHarness h(Region(Placement::kLow), SmallConfig());
  void* p = h.malloc(100);
  ASSERT_NE(p, nullptr);
  EXPECT_LT(reinterpret_cast<uintptr_t>(p), uintptr_t{1} << 31);
  HeapHarness g(Region(Placement::kHigh), SmallConfig());
  void* q = g.malloc(100);
  ASSERT_NE(q, nullptr);
  EXPECT_GE(reinterpret_cast<uintptr_t>(q), uintptr_t{1} << 32);
}

// ---- fixed region -----------------------------------------------------------------------

// In the spirit of snmalloc's fixed_region: fill a small region until NULL and prove that
// every block stayed inside it, below the break and below top, without overlap.
TEST(FreeArrayHeapFixedRegion, AllocateUntilNullStaysInBoundsAndFreesToEmpty) {
  HeapHarness h(Region(Placement::kHigh, kMiB));  // default HeapConfig
  XorShift rng(42);
  std::vector<void*> ps;
  for (int i = 0; i < 100000; ++i) {
    size_t n = rng.below(4) == 0 ? rng.below(65) : rng.below(16384);
    uint64_t failed = h.region().stats().failed_growths;
    void* p = h.malloc(n);
    if (p == nullptr) {
      EXPECT_GT(h.region().stats().failed_growths, failed) << "NULL without a refused growth";
      break;
    }
    ps.push_back(p);
    if (::testing::Test::HasFailure()) break;
  }
  ASSERT_GT(ps.size(), 50u);
  EXPECT_TRUE(h.all_live_in_bounds());
  EXPECT_LE(RegionBreak(h), kMiB);
  std::vector<std::pair<uintptr_t, uintptr_t>> spans;  // [header, end of usable)
  for (void* p : ps) {
    auto a = reinterpret_cast<uintptr_t>(p);
    EXPECT_TRUE(h.region().contains(p));
    EXPECT_LE(a + h.heap().usable_size(p), reinterpret_cast<uintptr_t>(h.state().top));
    EXPECT_LE(a + h.heap().usable_size(p), reinterpret_cast<uintptr_t>(h.region().current_break()));
    spans.emplace_back(a - 8, a + h.heap().usable_size(p));
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].second, spans[i].first);
  // Free in a shuffled order.
  for (size_t i = ps.size(); i > 1; --i) std::swap(ps[i - 1], ps[rng.below(i)]);
  for (void* p : ps) h.free(p);
  EXPECT_EQ(h.state().top, h.state().heap_start);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_EQ(h.state().gaps, 0u);
  EXPECT_EQ(h.state().free_bytes, 0u);
  EXPECT_LE(Brk(h) - Top(h), h.heap().config().release_threshold);
  // And the region is usable again from the start.
  void* p = h.malloc(100);
  EXPECT_EQ(h.offset(p), 8u);
}

// Randomized programs (every operation, foreign moves, injected failures, both placements
// and protection modes) are in heap_random_ops_test.cc.

}  // namespace
}  // namespace allocfuzz::testing
