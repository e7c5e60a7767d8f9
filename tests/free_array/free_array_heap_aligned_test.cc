// Unit tests of FreeArrayHeap::memalign and the sized frees (free_array_aligned.cc): where an
// aligned block goes (the lead-gap rule of heap_layout.h), its tail, best fit, growth of the
// break, the requests no region can hold, and free, realloc and usable_size of aligned blocks.
// Every step goes through HeapHarness, so the checker and every live block's contents are
// verified after each one. Offsets are from the region's start, which is page-aligned, so
// alignments up to a page give fixed offsets.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_layout.h"
#include "tests/free_array/free_array_heap_support.h"
#include "tests/free_array/heap_harness.h"

namespace allocfuzz::testing {
namespace {

using layout::kPrevFree;

uint64_t Size(const void* payload) { return HeaderOf(payload) & ~layout::kFlagMask; }

// ---- the lead-gap rule ---------------------------------------------------------------------

TEST(AlignedLead, IsZeroOrAFreeBlockAndAtMostAlignPlusEight) {
  size_t lead = 1;
  ASSERT_TRUE(layout::aligned_lead(0x1038, 16, &lead));
  EXPECT_EQ(lead, 0u);  // payload 0x1040
  ASSERT_TRUE(layout::aligned_lead(0x1020, 64, &lead));
  EXPECT_EQ(lead, 0x18u);  // payload 0x1040
  // 8 bytes cannot be a free block: the next aligned address instead.
  ASSERT_TRUE(layout::aligned_lead(0x1020, 16, &lead));
  EXPECT_EQ(lead, 0x18u);  // payload 0x1040, not 0x1030
  ASSERT_TRUE(layout::aligned_lead(0x1030, 4096, &lead));
  EXPECT_EQ(lead, 0xfc8u);  // payload 0x2000
  ASSERT_TRUE(layout::aligned_lead(0x1ff0, 4096, &lead));
  EXPECT_EQ(lead, 0x1008u);  // 0x2000 would leave 8: payload 0x3000
  // Wrap-around is refused, not wrapped.
  EXPECT_FALSE(layout::aligned_lead(UINTPTR_MAX - 15, 1u << 20, &lead));
}

// ---- placement -----------------------------------------------------------------------------

TEST(Memalign, AtTopTheLeadGapBecomesAFreeBlock) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);                   // +0x00..+0x20
  void* p = h.memalign(64, 100);  // payload +0x40: gap [+0x20, +0x38)
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 0x40u);
  EXPECT_EQ(HeaderOf(p), 112u | kPrevFree);
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(Entry(h, 0), E(0x18, 0x20));
  EXPECT_EQ(Top(h), 0x38u + 112u);  // the aligned block ends at top
}

TEST(Memalign, AnEightByteGapMovesTheBlockToTheNextAlignedAddress) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);  // top +0x20: payload +0x30 would leave a gap of 8
  void* p = h.memalign(16, 8);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 0x40u);
  EXPECT_EQ(Entry(h, 0), E(0x18, 0x20));
}

TEST(Memalign, NoGapWhenTheHeaderFitsExactly) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);  // +0x00..+0x20
  h.malloc(16);  // +0x20..+0x38
  void* p = h.memalign(16, 40);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 0x40u);
  EXPECT_EQ(HeaderOf(p), 48u);  // no PREV_FREE: nothing free in front
  EXPECT_EQ(h.state().length, 0u);
}

TEST(Memalign, AtMostEightIsMalloc) {
  for (size_t align : {size_t{0}, size_t{1}, size_t{2}, size_t{4}, size_t{8}}) {
    HeapHarness h(Region(), SmallConfig());
    h.malloc(24);
    void* p = h.memalign(align, 10);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(h.offset(p), 0x28u) << align;
    EXPECT_EQ(h.state().length, 0u) << align;
  }
}

TEST(Memalign, InAFreeBlockTheGapKeepsTheEntryAndTheTailIsSplitOff) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);                    // +0x000..+0x020
  void* big = h.malloc(1000);      // +0x020..+0x410 (1008)
  void* c = h.malloc(24);          // +0x410
  h.free(big);                     // entry 0 {1008, +0x20}
  void* p = h.memalign(256, 100);  // payload +0x100, header +0xf8, block 112 ends +0x168
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 0x100u);
  EXPECT_EQ(HeaderOf(p), 112u | kPrevFree);
  EXPECT_EQ(h.state().length, 2u);
  EXPECT_EQ(Entry(h, 0), E(0xd8, 0x20));            // the gap, same entry
  EXPECT_EQ(Entry(h, 1), E(0x410 - 0x168, 0x168));  // the tail
  EXPECT_TRUE(PrevFree(c));                         // the tail is free before c
  EXPECT_EQ(h.state().free_bytes, 1008u - 112u);
  // Freed, the block merges with gap and tail into the one free block of before.
  h.free(p);
  // (free takes the gap's entry out and the tail's, merged, grows down over both.)
  EXPECT_EQ(h.state().gaps, 1u);
  EXPECT_EQ(Entry(h, 1), E(1008, 0x20));
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

TEST(Memalign, ATailNoLargerThanTheSplitSlackStaysWithTheBlock) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);                  // +0x00..+0x20
  void* big = h.malloc(64);      // +0x20..+0x68 (72)
  void* c = h.malloc(24);        // +0x68
  h.free(big);                   // {72, +0x20}
  void* p = h.memalign(64, 24);  // gap 0x18, header +0x38, 32 + a 16-byte tail
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 0x40u);
  EXPECT_EQ(Size(p), 48u);
  EXPECT_EQ(h.heap().usable_size(p), 40u);
  EXPECT_FALSE(PrevFree(c));
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(Entry(h, 0), E(0x18, 0x20));
}

TEST(Memalign, BestFitTakesTheSmallestFreeBlockThatHoldsTheGapAndTheBlock) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);                  // +0x000
  void* large = h.malloc(1000);  // +0x020..+0x410
  h.malloc(32);                  // +0x410..+0x438
  void* small = h.malloc(72);    // +0x438..+0x488 (80)
  h.malloc(24);                  // +0x488..+0x4a8
  void* tiny = h.malloc(32);     // +0x4a8..+0x4d0 (40)
  h.malloc(24);
  h.free(large);
  h.free(small);
  h.free(tiny);
  // 32 bytes aligned to 64: the 40-byte block cannot hold it (after its 16-byte gap, 24 bytes
  // are left); the 80-byte one can (header +0x438, no gap); so can the 1008-byte one, but it is
  // larger.
  void* p = h.memalign(64, 24);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 0x440u);
  EXPECT_EQ(Entry(h, 1), E(80 - 32, 0x458));
}

// ---- growth and refusals -------------------------------------------------------------------

TEST(Memalign, GrowsTheBreakByTheGapAndTheBlock) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);
  void* p = h.memalign(size_t{1} << 20, 10000);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % (size_t{1} << 20), 0u);
  EXPECT_EQ(h.state().length, 1u);  // the gap, below the block
  EXPECT_EQ(Top(h), h.offset(p) - 8 + Size(p));
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

TEST(Memalign, AboveAnotherPartysSpanTheFenceComesFirst) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);
  h.malloc(4000);  // the preallocation is nearly used up
  ASSERT_TRUE(h.region().foreign_grow(100));
  void* p = h.memalign(4096, 5000);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p) % 4096, 0u);
  EXPECT_EQ(WalkHeap(h).fences, 1u);
  // The gap lies between the fence and the block: freed, the block takes it and top comes
  // down to the fence; below the fence one free block is left.
  FreeAll(h);
  EXPECT_EQ(WalkHeap(h).used, 0u);
  EXPECT_EQ(WalkHeap(h).free, 1u);
  EXPECT_EQ(Top(h), 0x1090u);  // above the span [+0x1028, +0x108c)
}

TEST(Memalign, AFailedGrowthIsAFairNullAndChangesNothing) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);
  const size_t top = Top(h), length = h.state().length;
  const uint64_t failed = h.region().stats().failed_growths;
  h.region().fail_next_growths(2);
  errno = 0;
  EXPECT_EQ(h.memalign(4096, 10000), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_GT(h.region().stats().failed_growths, failed);
  EXPECT_EQ(Top(h), top);
  EXPECT_EQ(h.state().length, length);
  EXPECT_NE(h.memalign(4096, 10000), nullptr);
}

TEST(Memalign, AlignmentsTheRegionCannotHoldFailWithEnomemAfterAskingIt) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);
  for (size_t align : {size_t{1} << 40, size_t{1} << 62, size_t{1} << 63}) {
    const uint64_t failed = h.region().stats().failed_growths;
    errno = 0;
    EXPECT_EQ(h.memalign(align, 16), nullptr) << align;
    EXPECT_EQ(errno, ENOMEM) << align;
    EXPECT_GT(h.region().stats().failed_growths, failed) << align;
  }
  // A size whose gap and block together would wrap: saturated, and still refused by the region.
  errno = 0;
  EXPECT_EQ(h.memalign(size_t{1} << 20, SIZE_MAX / 2), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(h.memalign(64, SIZE_MAX - 8), nullptr);  // no block size represents it
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(h.state().length, 0u);
}

TEST(Memalign, NotAPowerOfTwoRoundsUpAndBeyondTwoToTheSixtyThreeIsEinval) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);
  void* p = h.memalign(48, 10);  // as 64
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 0x40u);
  void* q = h.memalign(3000, 10);  // as 4096
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(h.offset(q) % 4096, 0u);
  errno = 0;
  EXPECT_EQ(h.memalign((size_t{1} << 63) + 1, 10), nullptr);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(h.memalign(SIZE_MAX, 10), nullptr);
}

// ---- realloc, usable_size, free ------------------------------------------------------------

TEST(MemalignRealloc, GrowsInPlaceIntoTheTail) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);
  void* big = h.malloc(1000);
  h.malloc(24);
  h.free(big);
  void* p = h.memalign(256, 100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.realloc(p, 400), p);  // the harness checks that the 100 bytes stayed
  EXPECT_EQ(h.heap().usable_size(p), 400u);
  EXPECT_EQ(h.realloc(p, 30), p);  // shrinks in place, the tail joins the free successor
  EXPECT_EQ(Size(p), 40u);
}

TEST(MemalignRealloc, GrowsIntoItsOwnLeadGapAndKeepsTheBytes) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);                    // +0x00..+0x20
  void* p = h.memalign(256, 100);  // gap [+0x20, +0xf8), block +0xf8..+0x168
  ASSERT_NE(p, nullptr);
  h.malloc(300);                // a used successor (too large for the gap)
  void* q = h.realloc(p, 250);  // 264 bytes: gap 216 + 112 holds it
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(h.offset(q), 0x28u);    // moved down: only 8-aligned now, as realloc may
  EXPECT_EQ(h.state().length, 1u);  // the rest is free between q and the successor
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

TEST(MemalignRealloc, MovesWhenNothingAroundIsFree) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);
  h.malloc(16);  // top +0x38: no gap
  void* p = h.memalign(16, 40);
  ASSERT_NE(p, nullptr);
  h.malloc(24);
  void* q = h.realloc(p, 4000);
  ASSERT_NE(q, nullptr);
  EXPECT_NE(q, p);
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

// ---- sized frees ---------------------------------------------------------------------------

TEST(SizedFree, TheRequestedSizeFreesAndMergesLikeFree) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);
  void* p = h.memalign(256, 100);
  void* q = h.malloc(0);
  void* r = h.calloc(3, 7);
  ASSERT_NE(p, nullptr);
  h.free_sized(p);
  h.free_sized(q);
  h.free_sized(r);
  h.heap().free_sized(nullptr, 10);
  h.heap().free_aligned_sized(nullptr, 64, 10);
  void* s = h.memalign(4096, 300);
  ASSERT_NE(s, nullptr);
  h.free_sized(s, 4096);
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

using SizedFreeDeathTest = ::testing::Test;

TEST_F(SizedFreeDeathTest, ASizeTheBlockWasNotAskedWithStopsTheProcess) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);  // 112-byte block at +0x0, payload +0x8
  EXPECT_DEATH(h.heap().free_sized(p, 200),
               "allocfuzz: heap: sized free with a size the block was not asked with at "
               "\\+0x000008");
  EXPECT_DEATH(h.heap().free_sized(p, 16),
               "sized free with a size the block was not asked with at \\+0x000008");
  EXPECT_DEATH(h.heap().free_sized(p, SIZE_MAX), "sized free with a size");
}

TEST_F(SizedFreeDeathTest, AnAlignmentTheBlockDoesNotHaveStopsTheProcess) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(24);
  void* p = h.memalign(64, 24);  // payload +0x40: 64-aligned, not 128-aligned
  ASSERT_NE(p, nullptr);
  EXPECT_DEATH(h.heap().free_aligned_sized(p, 128, 24),
               "allocfuzz: heap: free_aligned_sized of a block not aligned as it says at "
               "\\+0x000040");
}

}  // namespace
}  // namespace allocfuzz::testing
