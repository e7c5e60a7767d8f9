// Unit tests of FreeArrayHeap (docs/DESIGN.md section 3): the break, its release and hysteresis,
// through HeapHarness (free_array_heap_test.cc says what every step checks).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"
#include "tests/free_array/free_array_heap_support.h"
#include "tests/free_array/heap_harness.h"

namespace allocfuzz::testing {
namespace {

// ---- the break: release and hysteresis --------------------------------------------------

TEST(FreeArrayHeapBreak, FreeingALargeTopBlockLowersTheBreakToTopPlusKeep) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(100);                // [0, 112); brk 4216
  void* big = h.malloc(40000);  // [112, 40120); brk 40128 + 8192
  EXPECT_EQ(Brk(h), 48320u);
  h.free(big);  // 48208 bytes above top > 16384: release
  EXPECT_EQ(Top(h), 112u);
  EXPECT_EQ(Brk(h), 112u + 8u + 4096u);
  EXPECT_EQ(RegionBreak(h), 4216u);
  EXPECT_EQ(h.region().stats().moves, 3u);
  EXPECT_EQ(h.region().stats().peak_break_offset, 48320u);
}

// Release happens when break - top exceeds the threshold, not when it equals it.
TEST(FreeArrayHeapBreak, ReleaseThresholdIsExclusive) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(100);              // [0, 112), brk 4216
  void* at = h.malloc(8176);  // block 8184: brk = 112 + 8184 + 8 + 8192
  h.free(at);                 // break - top = 8184 + 8 + 8192 = 16384: kept
  EXPECT_EQ(Brk(h) - Top(h), 16384u);
  EXPECT_EQ(h.region().stats().moves, 2u);
  HeapHarness g(Region(), SmallConfig());
  g.malloc(100);
  void* above = g.malloc(8184);  // block 8192: break - top = 16392 after the free
  g.free(above);
  EXPECT_EQ(Brk(g), 112u + 8u + 4096u);
  EXPECT_EQ(g.region().stats().moves, 3u);
}

TEST(FreeArrayHeapBreak, SmallFreeAtTopDoesNotRelease) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(100);
  void* q = h.malloc(3000);
  h.free(q);
  EXPECT_EQ(Top(h), 112u);
  EXPECT_EQ(Brk(h), 4216u);
  EXPECT_EQ(h.region().stats().moves, 1u);
}

TEST(FreeArrayHeapBreak, NoFurtherBreakMovesAfterARelease) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(100);
  h.free(h.malloc(40000));
  ASSERT_EQ(RegionBreak(h), 4216u);
  const uint64_t moves = h.region().stats().moves;
  for (size_t n : {2000u, 4000u, 4088u, 100u}) {
    void* p = h.malloc(n);  // fits the kept room
    EXPECT_EQ(h.offset(p), 120u);
    h.free(p);
    EXPECT_EQ(Top(h), 112u);
  }
  EXPECT_EQ(h.region().stats().moves, moves);
  EXPECT_EQ(RegionBreak(h), 4216u);
}

TEST(FreeArrayHeapBreak, RegrowthAfterReleaseWorksAndTheMemoryIsUsable) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(100);
  h.free(h.malloc(40000));
  ASSERT_EQ(RegionBreak(h), 4216u);
  void* again = h.malloc(40000);  // prealloc is 16384 by now
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(h.offset(again), 120u);
  EXPECT_EQ(Brk(h), 112u + 40008u + 8u + 16384u);
  EXPECT_EQ(RegionBreak(h), Brk(h));
  h.fill(again);
  EXPECT_TRUE(h.verify_all());
  void* more = h.malloc(16000);  // fits the new preallocation
  EXPECT_EQ(h.offset(more), 40128u);
  EXPECT_EQ(h.region().stats().growths, 3u);
}

TEST(FreeArrayHeapBreak, ReleaseAlsoFollowsTopComingDownThroughAFreePredecessor) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(100);                 // [0, 112)
  void* mid = h.malloc(30000);   // [112, 30120); grows
  void* last = h.malloc(20000);  // [30120, 50128); grows
  h.free(mid);                   // an entry, no release
  EXPECT_EQ(h.state().length, 1u);
  const size_t brk_before = Brk(h);
  EXPECT_EQ(RegionBreak(h), brk_before);
  h.free(last);  // merges with mid: top = 112, then release
  EXPECT_EQ(Top(h), 112u);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_EQ(RegionBreak(h), 4216u);
}

}  // namespace
}  // namespace allocfuzz::testing
