// Unit tests of FreeArrayHeap (docs/DESIGN.md section 3): realloc, every path, through HeapHarness
// (free_array_heap_test.cc says what every step checks).
#include <gtest/gtest.h>

#include <cerrno>
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
using layout::load_word;

// ---- realloc ----------------------------------------------------------------------------

TEST(FreeArrayHeapRealloc, NullPointerIsMalloc) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.realloc(nullptr, 100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 8u);
  EXPECT_EQ(Top(h), 112u);
  EXPECT_EQ(h.heap().usable_size(p), 104u);
}

TEST(FreeArrayHeapRealloc, ZeroSizeFreesAndReturnsNull) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);
  void* s = h.malloc(8);
  EXPECT_EQ(h.realloc(p, 0), nullptr);
  EXPECT_EQ(h.live_count(), 1u);
  EXPECT_EQ(Entry(h, 0), E(112, 0));
  EXPECT_TRUE(PrevFree(s));
  EXPECT_EQ(h.realloc(s, 0), nullptr);  // the top block: everything goes
  EXPECT_EQ(h.state().top, h.state().heap_start);
  EXPECT_EQ(h.state().length, 0u);
}

TEST(FreeArrayHeapRealloc, ShrinkWithTailAboveSixteenLeavesAFreeBlock) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);     // [0, 112)
  void* s = h.malloc(8);       // [112, 128)
  void* q = h.realloc(p, 50);  // block 64: tail 48
  EXPECT_EQ(q, p);
  EXPECT_EQ(h.heap().usable_size(q), 56u);
  EXPECT_EQ(Entry(h, 0), E(48, 64));
  EXPECT_EQ(h.state().free_bytes, 48u);
  EXPECT_TRUE(PrevFree(s));
  EXPECT_EQ(Top(h), 128u);
}

TEST(FreeArrayHeapRealloc, ShrinkWithTailOfSixteenOrLessBeforeAUsedBlockKeepsIt) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(40);          // [0, 48)
  void* s = h.malloc(8);           // [48, 64)
  EXPECT_EQ(h.realloc(p, 24), p);  // tail 16: kept
  EXPECT_EQ(h.heap().usable_size(p), 40u);
  EXPECT_EQ(h.realloc(p, 32), p);  // tail 8: kept
  EXPECT_EQ(h.heap().usable_size(p), 40u);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_FALSE(PrevFree(s));
  EXPECT_EQ(h.realloc(p, 16), p);  // tail 24: split
  EXPECT_EQ(h.heap().usable_size(p), 16u);
  EXPECT_EQ(Entry(h, 0), E(24, 24));
  EXPECT_TRUE(PrevFree(s));
}

TEST(FreeArrayHeapRealloc, ShrinkTailMergesIntoAFreeSuccessor) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);  // [0, 112)
  void* q = h.malloc(100);  // [112, 224)
  void* r = h.malloc(8);    // [224, 240)
  h.free(q);
  EXPECT_EQ(Entry(h, 0), E(112, 112));
  EXPECT_EQ(h.realloc(p, 92), p);  // block 104: a tail of 8 joins the free successor
  EXPECT_EQ(h.heap().usable_size(p), 96u);
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(Entry(h, 0), E(120, 104));
  EXPECT_EQ(h.state().free_bytes, 120u);
  EXPECT_EQ(load_word(h.region().start() + 104), kFree);
  EXPECT_TRUE(PrevFree(r));
}

TEST(FreeArrayHeapRealloc, ShrinkTailAtTopLowersTop) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);
  EXPECT_EQ(h.realloc(p, 92), p);  // tail 8 at top
  EXPECT_EQ(Top(h), 104u);
  EXPECT_EQ(h.heap().usable_size(p), 96u);
  EXPECT_EQ(h.realloc(p, 20), p);  // tail 72 at top
  EXPECT_EQ(Top(h), 32u);
  EXPECT_EQ(h.state().length, 0u);
}

TEST(FreeArrayHeapRealloc, ShrinkAtTopReleasesALargeTail) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(40000);  // [0, 40008); brk 40016 + 4096
  EXPECT_EQ(Brk(h), 44112u);
  EXPECT_EQ(h.realloc(p, 100), p);
  EXPECT_EQ(Top(h), 112u);
  EXPECT_EQ(RegionBreak(h), 112u + 8u + 4096u);
  EXPECT_EQ(Brk(h), 4216u);
}

TEST(FreeArrayHeapRealloc, GrowAtTopStaysInPlace) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);
  EXPECT_EQ(h.realloc(p, 1000), p);  // within the preallocation
  EXPECT_EQ(Top(h), 1008u);
  EXPECT_EQ(Brk(h), 4216u);
  EXPECT_EQ(h.heap().usable_size(p), 1000u);
  EXPECT_EQ(h.realloc(p, 10000), p);  // grows the break by 9000 + 8 + 8192 from 1008
  EXPECT_EQ(Top(h), 10008u);
  EXPECT_EQ(Brk(h), 1008u + 9000u + 8u + 8192u);
  EXPECT_EQ(RegionBreak(h), Brk(h));
  EXPECT_EQ(h.heap().usable_size(p), 10000u);
}

TEST(FreeArrayHeapRealloc, GrowAtTopKeepsPrevFree) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(100);  // [0, 112)
  void* p = h.malloc(100);  // [112, 224)
  h.free(a);
  ASSERT_TRUE(PrevFree(p));
  EXPECT_EQ(h.realloc(p, 200), p);  // at top: in place, not into the predecessor
  EXPECT_TRUE(PrevFree(p));
  EXPECT_EQ(Top(h), 320u);
  EXPECT_EQ(Entry(h, 0), E(112, 0));
}

TEST(FreeArrayHeapRealloc, GrowIntoAFreeSuccessorSplitsTheRemainder) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);  // [0, 112)
  void* q = h.malloc(200);  // [112, 320)
  void* r = h.malloc(8);    // [320, 336)
  h.free(q);
  EXPECT_EQ(h.realloc(p, 150), p);  // block 160: 160 of 320 remain free at 160
  EXPECT_EQ(h.heap().usable_size(p), 152u);
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(Entry(h, 0), E(160, 160));
  EXPECT_EQ(h.state().free_bytes, 160u);
  EXPECT_TRUE(PrevFree(r));
  EXPECT_EQ(Top(h), 336u);
}

TEST(FreeArrayHeapRealloc, GrowIntoAFreeSuccessorAbsorbsItWhole) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);  // [0, 112)
  void* q = h.malloc(200);  // [112, 320)
  void* r = h.malloc(8);    // [320, 336)
  h.free(q);
  EXPECT_EQ(h.realloc(p, 290), p);  // block 304: remainder 16 absorbed
  EXPECT_EQ(h.heap().usable_size(p), 312u);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_EQ(h.state().free_bytes, 0u);
  EXPECT_FALSE(PrevFree(r));
}

TEST(FreeArrayHeapRealloc, GrowIntoAFreePredecessorMovesTheDataDown) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(200);  // [0, 208)
  void* p = h.malloc(100);  // [208, 320)
  void* r = h.malloc(8);    // [320, 336)
  h.free(a);
  void* q = h.realloc(p, 250);  // block 264 from 208 + 112: 56 remain free at 264
  EXPECT_EQ(h.offset(q), 8u);   // the predecessor's address
  EXPECT_EQ(h.heap().usable_size(q), 256u);
  EXPECT_FALSE(PrevFree(q));
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(Entry(h, 0), E(56, 264));
  EXPECT_EQ(h.state().free_bytes, 56u);
  EXPECT_TRUE(PrevFree(r));
  EXPECT_EQ(Top(h), 336u);
}

TEST(FreeArrayHeapRealloc, GrowIntoAFreePredecessorTakesItWhole) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(200);  // [0, 208)
  void* p = h.malloc(100);  // [208, 320)
  void* r = h.malloc(8);    // [320, 336)
  h.free(a);
  void* q = h.realloc(p, 300);  // block 312 of 320: remainder 8 stays
  EXPECT_EQ(h.offset(q), 8u);
  EXPECT_EQ(h.heap().usable_size(q), 312u);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_FALSE(PrevFree(r));
}

TEST(FreeArrayHeapRealloc, GrowIntoPredecessorAndSuccessorTogether) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(100);      // [0, 112)
  void* p = h.malloc(100);      // [112, 224)
  void* c = h.malloc(100);      // [224, 336)
  void* r = h.malloc(8);        // [336, 352)
  h.free(a);                    // entry 0
  h.free(c);                    // entry 1
  void* q = h.realloc(p, 300);  // block 312 of 336: 24 remain free at 312
  EXPECT_EQ(h.offset(q), 8u);
  EXPECT_EQ(h.heap().usable_size(q), 304u);
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(h.state().gaps, 0u);
  EXPECT_EQ(Entry(h, 0), E(24, 312));
  EXPECT_EQ(h.state().free_bytes, 24u);
  EXPECT_TRUE(PrevFree(r));
}

TEST(FreeArrayHeapRealloc, GrowIntoPredecessorAndSuccessorAbsorbsBoth) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(100);      // [0, 112)
  void* p = h.malloc(100);      // [112, 224)
  void* c = h.malloc(100);      // [224, 336)
  void* r = h.malloc(8);        // [336, 352)
  h.free(c);                    // entry 0
  h.free(a);                    // entry 1
  void* q = h.realloc(p, 320);  // block 328 of 336
  EXPECT_EQ(h.offset(q), 8u);
  EXPECT_EQ(h.heap().usable_size(q), 328u);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_EQ(h.state().free_bytes, 0u);
  EXPECT_FALSE(PrevFree(r));
}

TEST(FreeArrayHeapRealloc, GrowIntoAFreePredecessorAtTopWhenTheBreakCannotGrow) {
  HeapHarness h(Region(), SmallConfig());
  h.region().set_limit(3128);  // room for exactly these two blocks, no preallocation
  void* a = h.malloc(3000);    // [0, 3008)
  void* p = h.malloc(100);     // [3008, 3120): at top, brk 3128
  ASSERT_EQ(Brk(h), 3128u);
  h.free(a);
  void* q = h.realloc(p, 3000);  // at top, but the break cannot grow: into the predecessor
  EXPECT_EQ(h.offset(q), 8u);
  EXPECT_EQ(h.heap().usable_size(q), 3000u);
  EXPECT_EQ(Top(h), 3008u);  // the 112 left over came off the top
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_EQ(h.region().stats().growths, 2u);
}

TEST(FreeArrayHeapRealloc, FallbackMovesTheBlockElsewhere) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);      // [0, 112)
  void* s = h.malloc(8);        // [112, 128)
  void* q = h.realloc(p, 200);  // no free neighbour: malloc at top, copy, free
  EXPECT_NE(q, p);
  EXPECT_EQ(h.offset(q), 136u);
  EXPECT_EQ(h.heap().usable_size(q), 200u);
  EXPECT_EQ(Entry(h, 0), E(112, 0));
  EXPECT_TRUE(PrevFree(s));
  EXPECT_EQ(Top(h), 336u);
}

// Growing by one or two words still needs room: with a used successor the block moves.
TEST(FreeArrayHeapRealloc, GrowByEightOrSixteenBeforeAUsedBlockMoves) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);      // [0, 112)
  void* s = h.malloc(8);        // [112, 128)
  void* q = h.realloc(p, 108);  // block 120: 8 more
  EXPECT_NE(q, p);
  EXPECT_EQ(h.offset(q), 136u);
  EXPECT_EQ(h.heap().usable_size(q), 112u);
  void* t = h.malloc(200);  // [248, 456): too big for the free 112 at 0; keeps q off top
  EXPECT_EQ(h.offset(t), 256u);
  void* r = h.realloc(q, 120);  // block 128: 16 more; the free 112 at 0 is too small
  EXPECT_NE(r, q);
  EXPECT_EQ(h.offset(r), 464u);
  EXPECT_EQ(h.heap().usable_size(r), 120u);
  EXPECT_EQ(Entry(h, 0), E(112, 0));
  EXPECT_EQ(Entry(h, 1), E(120, 128));
  EXPECT_TRUE(PrevFree(s));
  EXPECT_TRUE(PrevFree(t));
}

TEST(FreeArrayHeapRealloc, FallbackUsesABestFitFreeBlock) {
  HeapHarness h(Region(), SmallConfig());
  void* f = h.malloc(300);  // [0, 312)
  h.malloc(8);              // [312, 328)
  void* p = h.malloc(100);  // [328, 440)
  void* s = h.malloc(8);    // [440, 456)
  h.free(f);
  void* q = h.realloc(p, 200);  // block 208 from the 312 free at 0: 104 remain at 208
  EXPECT_EQ(h.offset(q), 8u);
  EXPECT_EQ(Entry(h, 0), E(104, 208));
  EXPECT_EQ(Entry(h, 1), E(112, 328));
  EXPECT_TRUE(PrevFree(s));
  EXPECT_EQ(Top(h), 456u);
}

TEST(FreeArrayHeapRealloc, SameBlockSizeIsANoOp) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);
  h.malloc(8);
  EXPECT_EQ(h.realloc(p, 97), p);
  EXPECT_EQ(h.realloc(p, 104), p);
  EXPECT_EQ(h.heap().usable_size(p), 104u);
  EXPECT_EQ(h.state().length, 0u);
}

TEST(FreeArrayHeapRealloc, OverflowingSizeReturnsNullWithEnomemAndKeepsTheBlock) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);  // at top
  void* a = h.malloc(100);
  h.free(p);
  p = h.malloc(100);  // back at 0, below a
  const size_t top = Top(h), brk = Brk(h);
  for (size_t n : {SIZE_MAX, SIZE_MAX - 7, SIZE_MAX - 16}) {
    for (void* x : {p, a}) {
      errno = 0;
      EXPECT_EQ(h.realloc(x, n), nullptr) << n;
      EXPECT_EQ(errno, ENOMEM) << n;
      EXPECT_EQ(h.heap().usable_size(x), 104u);
    }
  }
  EXPECT_EQ(h.live_count(), 2u);
  EXPECT_EQ(Top(h), top);
  EXPECT_EQ(Brk(h), brk);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_EQ(h.realloc(a, 200), a);  // still usable
}

}  // namespace
}  // namespace allocfuzz::testing
