// Unit tests of FreeArrayHeap (docs/DESIGN.md section 3): free and coalescing, through HeapHarness
// (free_array_heap_test.cc says what every step checks).
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

using layout::kFree;
using layout::kIndexShift;
using layout::load_word;

// ---- free and coalescing ----------------------------------------------------------------

// a [0,32) b [32,80) c [80,144) d [144,224) e [224,240) f [240,272) g [272,288); top 288.
struct Seven {
  void *a, *b, *c, *d, *e, *f, *g;
};
Seven MakeSeven(HeapHarness& h) {
  Seven s;
  s.a = h.malloc(24);
  s.b = h.malloc(40);
  s.c = h.malloc(56);
  s.d = h.malloc(72);
  s.e = h.malloc(8);
  s.f = h.malloc(24);
  s.g = h.malloc(8);
  EXPECT_EQ(h.offset(s.g), 280u);
  EXPECT_EQ(Top(h), 288u);
  return s;
}

TEST(FreeArrayHeapFree, NoFreeNeighbourAddsAnEntryAndMarksTheNextBlock) {
  HeapHarness h(Region(), SmallConfig());
  Seven s = MakeSeven(h);
  h.free(s.b);
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(h.state().gaps, 0u);
  EXPECT_EQ(Entry(h, 0), E(48, 32));
  EXPECT_EQ(h.state().free_bytes, 48u);
  EXPECT_EQ(load_word(h.region().start() + 32), kFree);  // index 0 | FREE
  EXPECT_EQ(load_word(h.region().start() + 72), 0u);     // tag
  EXPECT_TRUE(PrevFree(s.c));
  EXPECT_FALSE(PrevFree(s.d));
  EXPECT_EQ(Top(h), 288u);
}

TEST(FreeArrayHeapFree, FreePredecessorMerges) {
  HeapHarness h(Region(), SmallConfig());
  Seven s = MakeSeven(h);
  h.free(s.b);
  h.free(s.c);
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(Entry(h, 0), E(112, 32));
  EXPECT_EQ(h.state().free_bytes, 112u);
  EXPECT_EQ(load_word(h.region().start() + 136), 0u);  // tag at the new end
  EXPECT_TRUE(PrevFree(s.d));
}

TEST(FreeArrayHeapFree, FreeSuccessorMergesAndKeepsItsIndex) {
  HeapHarness h(Region(), SmallConfig());
  Seven s = MakeSeven(h);
  h.free(s.f);  // entry 0
  h.free(s.c);  // entry 1
  h.free(s.b);  // merges into entry 1, which moves down to 32
  EXPECT_EQ(h.state().length, 2u);
  EXPECT_EQ(Entry(h, 0), E(32, 240));
  EXPECT_EQ(Entry(h, 1), E(112, 32));
  EXPECT_EQ(h.state().free_bytes, 144u);
  EXPECT_EQ(load_word(h.region().start() + 32), (uint64_t{1} << kIndexShift) | kFree);
  EXPECT_TRUE(PrevFree(s.d));
}

TEST(FreeArrayHeapFree, BothNeighboursFreeMergeIntoOneEntryLeavingAGap) {
  HeapHarness h(Region(), SmallConfig());
  Seven s = MakeSeven(h);
  h.free(s.b);  // entry 0
  h.free(s.d);  // entry 1
  h.free(s.c);  // b + c + d: entry 0 removed (a gap), entry 1 covers all three
  EXPECT_EQ(h.state().length, 2u);
  EXPECT_EQ(h.state().gaps, 1u);
  EXPECT_EQ(Entry(h, 0), E(0, 0));
  EXPECT_EQ(Entry(h, 1), E(192, 32));
  EXPECT_EQ(h.state().free_bytes, 192u);
  EXPECT_TRUE(PrevFree(s.e));
  // The gap is reused by the next add.
  h.free(s.f);
  EXPECT_EQ(h.state().length, 2u);
  EXPECT_EQ(h.state().gaps, 0u);
  EXPECT_EQ(Entry(h, 0), E(32, 240));
  EXPECT_TRUE(PrevFree(s.g));
}

TEST(FreeArrayHeapFree, BothNeighboursFreeMergeAndTheArrayShrinks) {
  HeapHarness h(Region(), SmallConfig());
  Seven s = MakeSeven(h);
  h.free(s.d);  // entry 0
  h.free(s.b);  // entry 1
  h.free(s.c);  // the predecessor's entry (the last) goes: the array shrinks
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(h.state().gaps, 0u);
  EXPECT_EQ(Entry(h, 0), E(192, 32));
  EXPECT_EQ(h.state().free_bytes, 192u);
}

TEST(FreeArrayHeapFree, TrailingGapsAreShedWhenTheLastEntryGoes) {
  HeapHarness h(Region(), SmallConfig());
  Seven s = MakeSeven(h);
  h.free(s.b);             // entry 0: 48
  h.free(s.d);             // entry 1: 80
  h.free(s.f);             // entry 2: 32
  void* p = h.malloc(72);  // exact 80: entry 1 becomes a gap
  EXPECT_EQ(p, s.d);
  EXPECT_EQ(h.state().length, 3u);
  EXPECT_EQ(h.state().gaps, 1u);
  void* q = h.malloc(24);  // exact 32: entry 2 goes, and the gap below it with it
  EXPECT_EQ(q, s.f);
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(h.state().gaps, 0u);
  EXPECT_EQ(Entry(h, 0), E(48, 32));
  EXPECT_EQ(h.state().free_bytes, 48u);
  // With no gap left, the next add appends.
  h.free(s.d);
  EXPECT_EQ(h.state().length, 2u);
  EXPECT_EQ(Entry(h, 1), E(80, 144));
}

TEST(FreeArrayHeapFree, GapsAreReusedLowestFirst) {
  HeapHarness h(Region(), SmallConfig());
  Seven s = MakeSeven(h);
  h.free(s.a);  // entry 0: 32 at 0
  h.free(s.c);  // entry 1: 64 at 80
  h.free(s.e);  // entry 2: 16 at 224
  h.free(s.g);  // top block: top comes down to 272
  EXPECT_EQ(Top(h), 272u);
  EXPECT_EQ(h.malloc(24), s.a);  // exact: gap at 0
  EXPECT_EQ(h.malloc(56), s.c);  // exact: gap at 1
  EXPECT_EQ(h.state().length, 3u);
  EXPECT_EQ(h.state().gaps, 2u);
  h.free(s.a);
  EXPECT_EQ(Entry(h, 0), E(32, 0));
  h.free(s.c);
  EXPECT_EQ(Entry(h, 1), E(64, 80));
  EXPECT_EQ(h.state().gaps, 0u);
  EXPECT_EQ(h.state().length, 3u);
}

TEST(FreeArrayHeapFree, FreeingTheTopBlockLowersTop) {
  HeapHarness h(Region(), SmallConfig());
  Seven s = MakeSeven(h);
  h.free(s.g);
  EXPECT_EQ(Top(h), 272u);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_EQ(load_word(h.state().top), 0u);
  h.free(s.f);
  EXPECT_EQ(Top(h), 240u);
  EXPECT_EQ(h.state().length, 0u);
}

TEST(FreeArrayHeapFree, FreeingTheTopBlockAfterAFreePredecessorLowersTopFurther) {
  HeapHarness h(Region(), SmallConfig());
  Seven s = MakeSeven(h);
  h.free(s.c);  // entry 0
  h.free(s.f);  // entry 1
  h.free(s.g);  // merges with f: entry 1 goes, top comes down to 240
  EXPECT_EQ(Top(h), 240u);
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(h.state().free_bytes, 64u);
  h.free(s.e);  // the top block: top = 224
  EXPECT_EQ(Top(h), 224u);
  h.free(s.d);  // merges with the free c, and c + d ends at top: top = 80
  EXPECT_EQ(Top(h), 80u);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_EQ(h.state().free_bytes, 0u);
  h.free(s.b);
  h.free(s.a);
  EXPECT_EQ(h.state().top, h.state().heap_start);
  EXPECT_EQ(h.state().length, 0u);
}

TEST(FreeArrayHeapFree, FreeOfNullDoesNothing) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(10);
  h.free(nullptr);
  EXPECT_EQ(Top(h), 24u);
  EXPECT_EQ(h.live_count(), 1u);
  EXPECT_EQ(h.heap().usable_size(p), 16u);
}

TEST(FreeArrayHeapFree, FreeArrayGrowsItsMappingBeyondTheFirstPage) {
  HeapHarness h(Region(), SmallConfig());
  std::vector<void*> odd;
  for (size_t i = 0; i < 600; ++i) {
    void* p = h.malloc(8);
    if (i % 2 == 0) odd.push_back(p);
  }
  for (void* p : odd) h.free(p);  // 300 isolated free blocks, 300 entries
  EXPECT_EQ(h.state().length, 300u);
  EXPECT_EQ(h.state().gaps, 0u);
  EXPECT_EQ(h.state().capacity, 512u);  // 256 entries per page, doubled once
  EXPECT_EQ(h.heap().array_mapped_bytes(), 8192u);
  EXPECT_EQ(h.state().free_bytes, 300u * 16u);
  EXPECT_EQ(Entry(h, 299), E(16, 299u * 32u));
  // Taken again (exact fits, first entry first), the array empties completely.
  for (size_t i = 0; i < 300; ++i) EXPECT_EQ(h.malloc(1), odd[i]);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_EQ(h.state().gaps, 0u);
}

// Misuse the heap can see cheaply stops the process with a message naming the offset.
TEST(FreeArrayHeapFreeDeathTest, DoubleFreeStops) {
  EXPECT_DEATH(
      {
        HeapHarness h(Region(), SmallConfig());
        void* p = h.malloc(100);
        h.malloc(8);
        h.free(p);
        h.free(p);
      },
      "already free \\(double free\\?\\) at \\+0x0*8");
}

TEST(FreeArrayHeapFreeDeathTest, FreeOfAPointerOutsideTheHeapStops) {
  EXPECT_DEATH(
      {
        HeapHarness h(Region(), SmallConfig());
        void* p = h.malloc(100);
        h.free(static_cast<char*>(p) + 4096);
      },
      "did not hand out");
}

}  // namespace
}  // namespace allocfuzz::testing
