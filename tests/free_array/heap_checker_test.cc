// Tests of the white-box heap checker (heap_checker.h). A small heap of known layout is built
// through HeapHarness and proven valid (heap_checker_fixture.h); then each test corrupts one
// thing, the way a heap bug would, and asserts the exact invariant that fires and, where it
// carries meaning, the exact offset, entry, expected and actual values. The checker runs
// in-process (it returns the violation). The table, the report, robustness against random
// corruption and the death tests (debug_check_heap and the heap's always-on misuse checks stop
// the process with the exact message) are in the other heap_checker_*_test.cc files.
#include "allocator/free_array/heap_checker.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>

#include "allocator/base/fixed_text.h"
#include "allocator/free_array/heap_layout.h"
#include "tests/free_array/heap_checker_fixture.h"
#include "tests/free_array/heap_harness.h"

namespace allocfuzz::testing {
namespace {

using layout::kFence;
using layout::kFree;
using layout::kIndexShift;
using layout::kPrevFree;

// ---- the base heap is what the tests below assume -----------------------------------------

TEST_F(CheckerTest, BaseHeapHasTheDocumentedLayout) {
  EXPECT_EQ(h_.offset(blocks_.a), kA + 8);
  EXPECT_EQ(h_.offset(blocks_.c), kC + 8);
  EXPECT_EQ(h_.offset(blocks_.d), kD + 8);
  EXPECT_EQ(h_.offset(blocks_.e), kE + 8);
  EXPECT_EQ(h_.offset(blocks_.g), kG + 8);
  EXPECT_EQ(word(kA), 32u);
  EXPECT_EQ(word(kFreeB), (0u << kIndexShift) | kFree);
  EXPECT_EQ(word(kFreeB + 40), 0u);
  EXPECT_EQ(word(kC), 32u | kPrevFree);
  EXPECT_EQ(word(kD), 64u);
  EXPECT_EQ(word(kE), 32u);
  EXPECT_EQ(word(kFreeF), (2u << kIndexShift) | kFree);
  EXPECT_EQ(word(kFreeF + 40), 2u);
  EXPECT_EQ(word(kG), 32u | kPrevFree);
  EXPECT_EQ(word(kTop), 0u);
  const FreeArrayState& s = st();
  EXPECT_EQ(s.heap_start, at(0));
  EXPECT_EQ(s.top, at(kTop));
  EXPECT_EQ(s.brk, at(kBrk));
  EXPECT_EQ(s.length, 3u);
  EXPECT_EQ(s.gaps, 1u);
  EXPECT_EQ(s.gap_hint, 0u);
  EXPECT_EQ(s.free_bytes, 96u);
  EXPECT_EQ(s.largest_bound, 64u);
  EXPECT_EQ(s.entries[0].size, 48u);
  EXPECT_EQ(s.entries[0].pos, addr(kFreeB));
  EXPECT_EQ(s.entries[1].size, 0u);
  EXPECT_EQ(s.entries[2].size, 48u);
  EXPECT_EQ(s.entries[2].pos, addr(kFreeF));
}

TEST_F(FenceCheckerTest, FenceHeapHasTheDocumentedLayout) {
  EXPECT_EQ(word(kFence0), kFenceSize | kFence);
  ASSERT_EQ(h_.region().foreign_span_count(), 1u);
  EXPECT_EQ(h_.region().foreign_span(0).offset, kSpan);
  EXPECT_EQ(word(kBig), 4008u);
  EXPECT_EQ(st().top, at(kBig + 4008));
}

// ---- block headers -------------------------------------------------------------------------

TEST_F(CheckerTest, UsedHeaderSize8IsBlockSize) {
  set_word(kA, 8);
  EXPECT_VIOLATION(h_.check(), Invariant::kBlockSize, kA, kNo, 16, 8);
}

TEST_F(CheckerTest, UsedHeaderBeyondTopIsWalkEnd) {
  set_word(kA, 4096);
  EXPECT_VIOLATION(h_.check(), Invariant::kWalkEnd, kA, kNo, kTop, 4096);
}

TEST_F(CheckerTest, LastUsedHeaderOvershootingTopIsWalkEnd) {
  set_word(kG, 48 | kPrevFree);
  EXPECT_VIOLATION(h_.check(), Invariant::kWalkEnd, kG, kNo, kTop, kG + 48);
}

TEST_F(CheckerTest, ZeroHeaderBelowTopIsWalkEnd) {
  set_word(kE, 0);
  EXPECT_VIOLATION(h_.check(), Invariant::kWalkEnd, kE, kNo, kTop, kE);
}

TEST_F(CheckerTest, FreeTagChangedIsFreeTag) {
  set_word(kFreeF + 40, 5);
  EXPECT_VIOLATION(h_.check(), Invariant::kFreeTag, kFreeF + 40, 2, 2, 5);
}

TEST_F(CheckerTest, PrevFreeClearedAfterFreeBlockIsPrevFree) {
  set_word(kC, 32);
  EXPECT_VIOLATION(h_.check(), Invariant::kPrevFree, kC, kNo, 1, 0);
}

TEST_F(CheckerTest, PrevFreeSetAfterUsedBlockIsPrevFree) {
  set_word(kE, 32 | kPrevFree);
  EXPECT_VIOLATION(h_.check(), Invariant::kPrevFree, kE, kNo, 0, 1);
}

TEST_F(CheckerTest, PrevFreeOnFirstBlockIsPrevFree) {
  set_word(kA, 32 | kPrevFree);
  EXPECT_VIOLATION(h_.check(), Invariant::kPrevFree, kA, kNo, 0, 1);
}

TEST_F(CheckerTest, FreeHeaderWithPrevFreeIsFlags) {
  set_word(kFreeB, kFree | kPrevFree);
  EXPECT_VIOLATION(h_.check(), Invariant::kFlags, kFreeB, kNo, kFree, kFree | kPrevFree);
}

TEST_F(CheckerTest, FreeHeaderWithFenceIsFlags) {
  set_word(kFreeB, kFree | kFence);
  EXPECT_VIOLATION(h_.check(), Invariant::kFlags, kFreeB, kNo, kFree, kFree | kFence);
}

// A fence is placed at top, after a used block, but that block may be freed later: then the
// fence carries PREV_FREE like any used block (heap_layout.h). Both directions are prev-free.
TEST_F(FenceCheckerTest, FenceWithPrevFreeAfterUsedBlockIsPrevFree) {
  set_word(kFence0, kFenceSize | kFence | kPrevFree);
  EXPECT_VIOLATION(h_.check(), Invariant::kPrevFree, kFence0, kNo, 0, 1);
}

TEST_F(FenceCheckerTest, FenceAfterFreedBlockWithoutPrevFreeIsPrevFree) {
  h_.free(blocks_.g);  // merges into the free block at +0xd0, which now ends at the fence
  ASSERT_EQ(describe(h_.check()), "ok");
  ASSERT_EQ(word(kFence0), kFenceSize | kFence | kPrevFree);
  set_word(kFence0, kFenceSize | kFence);
  EXPECT_VIOLATION(h_.check(), Invariant::kPrevFree, kFence0, kNo, 1, 0);
}

TEST_F(FenceCheckerTest, FenceWithoutSizeIsBlockSize) {
  set_word(kFence0, kFence);
  EXPECT_VIOLATION(h_.check(), Invariant::kBlockSize, kFence0, kNo, 8, 0);
}

TEST_F(CheckerTest, FreeIndexPastLengthIsFreeIndex) {
  set_word(kFreeB, (uint64_t{5} << kIndexShift) | kFree);
  EXPECT_VIOLATION(h_.check(), Invariant::kFreeIndex, kFreeB, 5, 3, 5);
}

TEST_F(CheckerTest, FreeIndexNamingAGapIsFreeIndex) {
  set_word(kFreeF, (uint64_t{1} << kIndexShift) | kFree);
  EXPECT_VIOLATION(h_.check(), Invariant::kFreeIndex, kFreeF, 1, 3, 1);
}

// ---- block <-> entry -------------------------------------------------------------------------

TEST_F(CheckerTest, EntryPositionMovedIsEntryPos) {
  st().entries[0].pos = addr(kFreeB + 8);
  EXPECT_VIOLATION(h_.check(), Invariant::kEntryPos, kFreeB, 0, kFreeB, kFreeB + 8);
}

TEST_F(CheckerTest, EntrySizeUnalignedIsEntrySize) {
  st().entries[0].size = 47;
  EXPECT_VIOLATION(h_.check(), Invariant::kEntrySize, kFreeB, 0, 16, 47);
}

TEST_F(CheckerTest, EntrySizeBeyondTopIsEntrySize) {
  st().entries[0].size = 4096;
  EXPECT_VIOLATION(h_.check(), Invariant::kEntrySize, kFreeB, 0, kTop - kFreeB, 4096);
}

// An entry no free header names is seen only by the array scan.
TEST_F(CheckerTest, ExtraEntryWithUnalignedSizeIsEntrySize) {
  st().entries[3] = layout::FreeEntry{47, addr(kC)};
  st().length = 4;
  EXPECT_VIOLATION(h_.check(), Invariant::kEntrySize, kC, 3, 16, 47);
}

// Appending an entry at the end of the array (length 3 -> 4) that lies above top: the walk
// never meets it (no header names entry 3), the shape holds (4 <= capacity), the entry is no
// gap and its size is within the bound, so the array scan reports the position first; the
// free-bytes counter, which is off too, comes later in the table.
TEST_F(CheckerTest, ExtraEntryAboveTopIsEntryRange) {
  st().entries[3] = layout::FreeEntry{48, addr(kTop + 64)};
  st().length = 4;
  EXPECT_VIOLATION(h_.check(), Invariant::kEntryRange, kTop + 64, 3, 0, kTop + 64);
}

TEST_F(CheckerTest, ExtraEntryUnalignedIsEntryRange) {
  st().entries[3] = layout::FreeEntry{48, addr(kC + 4)};
  st().length = 4;
  EXPECT_VIOLATION(h_.check(), Invariant::kEntryRange, kC + 4, 3, 0, kC + 4);
}

// The same wild entry, but larger than the largest-free bound: it breaks entry-range,
// free-bytes and largest-bound. The table (and check_heap's contract: "the first broken
// invariant, in the order of the table") puts entry-range first, and the wild entry is the
// cause; the bound is only a symptom.
TEST_F(CheckerTest, ExtraEntryAboveTopAndAboveBoundIsEntryRange) {
  st().entries[3] = layout::FreeEntry{128, addr(kTop + 64)};
  st().length = 4;
  EXPECT_VIOLATION(h_.check(), Invariant::kEntryRange, kTop + 64, 3, 0, kTop + 64);
}

// Only the length is bumped: entry 3 is zero (a gap) and the array now ends with it.
TEST_F(CheckerTest, LengthBumpedOverAGapIsArrayTail) {
  ASSERT_EQ(st().entries[3].size, 0u);
  st().length = 4;
  EXPECT_VIOLATION(h_.check(), Invariant::kArrayTail, 0, 3, 1, 0);
}

TEST_F(CheckerTest, GapEntryPointingAtUsedBlockIsEntryBlock) {
  st().entries[1] = layout::FreeEntry{32, addr(kC)};
  EXPECT_VIOLATION(h_.check(), Invariant::kEntryBlock, kC, 1, (uint64_t{1} << kIndexShift) | kFree,
                   32 | kPrevFree);
}

TEST_F(CheckerTest, TwoEntriesForOneFreeBlockIsEntryBlock) {
  st().entries[1] = layout::FreeEntry{48, addr(kFreeB)};
  EXPECT_VIOLATION(h_.check(), Invariant::kEntryBlock, kFreeB, 1,
                   (uint64_t{1} << kIndexShift) | kFree, (uint64_t{0} << kIndexShift) | kFree);
}

// ---- counters ------------------------------------------------------------------------------

TEST_F(CheckerTest, FreeBytesCounterOffIsFreeBytes) {
  st().free_bytes += 8;
  EXPECT_VIOLATION(h_.check(), Invariant::kFreeBytes, 0, kNo, 96, 104);
}

TEST_F(CheckerTest, GapCounterOffIsGapCount) {
  st().gaps = 2;
  EXPECT_VIOLATION(h_.check(), Invariant::kGapCount, 0, kNo, 1, 2);
}

TEST_F(CheckerTest, LargestBoundBelowAnEntryIsLargestBound) {
  st().largest_bound = 40;
  EXPECT_VIOLATION(h_.check(), Invariant::kLargestBound, kFreeB, 0, 48, 40);
}

// Any hint up to 1 is right (the lowest gap is entry 1), so 1 is what the report should
// expect; 2 is what the heap holds.
TEST_F(CheckerTest, GapHintAboveAGapIsGapHint) {
  st().gap_hint = 2;
  EXPECT_VIOLATION(h_.check(), Invariant::kGapHint, 0, 1, 1, 2);
}

TEST_F(CheckerTest, LengthAboveCapacityIsArrayShape) {
  size_t capacity = st().capacity;
  st().length = capacity + 1;
  std::optional<HeapViolation> v = h_.check();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->invariant, Invariant::kArrayShape) << describe(v);
  EXPECT_EQ(v->expected, capacity);
  EXPECT_EQ(v->actual, capacity + 1);
}

TEST_F(CheckerTest, GapsAboveLengthIsArrayShape) {
  st().gaps = 4;
  std::optional<HeapViolation> v = h_.check();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->invariant, Invariant::kArrayShape) << describe(v);
  EXPECT_EQ(v->expected, 3u);
  EXPECT_EQ(v->actual, 4u);
}

// ---- top, break and the end marker ---------------------------------------------------------

TEST_F(CheckerTest, EndMarkerOverwrittenIsEndMarker) {
  set_word(kTop, 5);
  EXPECT_VIOLATION(h_.check(), Invariant::kEndMarker, kTop, kNo, 0, 5);
}

TEST_F(CheckerTest, BrkBelowTopPlusWordIsRegionBounds) {
  st().brk = st().top;
  EXPECT_VIOLATION(h_.check(), Invariant::kRegionBounds, kTop, kNo, kTop + 8, kTop);
}

TEST_F(CheckerTest, BrkAboveRegionBreakIsRegionBounds) {
  st().brk = at(kBrk + 8);
  std::optional<HeapViolation> v = h_.check();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->invariant, Invariant::kRegionBounds) << describe(v);
  EXPECT_EQ(v->offset, kBrk + 8);
  EXPECT_EQ(v->actual, kBrk + 8);
}

TEST_F(CheckerTest, TopBelowHeapStartIsRegionBounds) {
  st().heap_start = at(kTop + 16);
  EXPECT_VIOLATION(h_.check(), Invariant::kRegionBounds, kTop, kNo, kTop + 16, kTop);
}

// Reports print region offsets, never addresses (docs/DESIGN.md section 6): expected and actual
// are offsets like everywhere else.
TEST_F(CheckerTest, UnalignedHeapStartIsRegionBoundsInOffsets) {
  st().heap_start = at(4);
  EXPECT_VIOLATION(h_.check(), Invariant::kRegionBounds, 4, kNo, 0, 4);
}

TEST_F(CheckerTest, UnalignedTopIsRegionBoundsInOffsets) {
  st().top = at(kTop + 4);
  EXPECT_VIOLATION(h_.check(), Invariant::kRegionBounds, kTop + 4, kNo, kTop, kTop + 4);
}

// ---- free-block structure ------------------------------------------------------------------

// c (right after the free block at +0x20) becomes a free block with an entry of its own, and
// everything else is made consistent with that (its tag, the gap it fills, the counters, the
// PREV_FREE of the block after it): only the adjacency is wrong.
TEST_F(CheckerTest, TwoAdjacentFreeBlocksIsFreeAdjacent) {
  set_word(kC, (uint64_t{1} << kIndexShift) | kFree);
  set_word(kC + 24, 1);
  st().entries[1] = layout::FreeEntry{32, addr(kC)};
  st().gaps = 0;
  st().free_bytes += 32;
  set_word(kD, 64 | kPrevFree);
  EXPECT_VIOLATION(h_.check(), Invariant::kFreeAdjacent, kC, kNo, 0, 1);
}

// g is merged into the free block before it (as a free that forgot to lower top would):
// the free block now ends at top. Everything else is consistent.
TEST_F(CheckerTest, FreeBlockEndingAtTopIsTopFree) {
  st().entries[2].size = kTop - kFreeF;
  set_word(kTop - 8, 2);
  st().free_bytes += 32;
  st().largest_bound = kTop - kFreeF;
  EXPECT_VIOLATION(h_.check(), Invariant::kTopFree, kFreeF, 2, 0, 1);
}

// ---- used-slack: only where requested sizes are known --------------------------------------

struct Requests {
  std::map<const void*, size_t> sizes;
  static size_t lookup(const void* context, const void* payload) {
    const auto& m = static_cast<const Requests*>(context)->sizes;
    auto it = m.find(payload);
    return it == m.end() ? SIZE_MAX : it->second;
  }
  CheckOptions options() const {
    CheckOptions o;
    o.requested_size = &Requests::lookup;
    o.context = this;
    return o;
  }
};

Requests requests_of(const HeapHarness& h) {
  Requests r;
  for (const auto& [p, b] : h.live()) r.sizes[p] = b.requested;
  return r;
}

TEST_F(CheckerTest, UsedBlockLargerThanRequestPlusSlackIsUsedSlack) {
  Requests r = requests_of(h_);
  ASSERT_EQ(r.sizes.at(blocks_.d), 56u);
  ASSERT_EQ(describe(check_heap(h_.heap(), r.options())), "ok");
  // d's block is 64 bytes; a 40-byte request allows 48 + 16 = 64, a 32-byte one only 56.
  r.sizes[blocks_.d] = 40;
  EXPECT_EQ(describe(check_heap(h_.heap(), r.options())), "ok");
  r.sizes[blocks_.d] = 32;
  EXPECT_VIOLATION(check_heap(h_.heap(), r.options()), Invariant::kUsedSlack, kD, kNo, 56, 64);
}

TEST_F(CheckerTest, UnknownRequestsSkipUsedSlack) {
  Requests r;  // nothing known: every lookup is SIZE_MAX
  EXPECT_EQ(describe(check_heap(h_.heap(), r.options())), "ok");
}

// ---- foreign spans and fences --------------------------------------------------------------

// The other party moved the break above the heap's; the heap's brk is below the span, so the
// heap is valid. Then the heap's brk is made to cover the span: the preallocation would hold
// foreign bytes.
TEST_F(CheckerTest, PreallocationCoveringForeignSpanIsFenceForeign) {
  ASSERT_TRUE(h_.region().foreign_grow(100));
  ASSERT_EQ(describe(h_.check()), "ok");
  st().brk = h_.region().current_break();
  EXPECT_VIOLATION(h_.check(), Invariant::kFenceForeign, kTop, kNo, kSpan, kTop);
}

// The fence loses its FENCE bit: a used block now covers the foreign span.
TEST_F(FenceCheckerTest, ForeignSpanInUsedBlockIsFenceForeign) {
  set_word(kFence0, kFenceSize);
  EXPECT_VIOLATION(h_.check(), Invariant::kFenceForeign, kFence0, kNo, kSpan, kFence0);
}

// heap_layout.h: a fence "covers a span of the break owned by another party"; a used block
// that acquires the FENCE bit covers none (and would silently leave the user's block).
TEST_F(CheckerTest, FenceWithoutForeignSpanIsFenceForeign) {
  set_word(kD, 64 | kFence);
  // Without the user's requests (with them, live-block fires first: see below).
  std::optional<HeapViolation> v = check_heap(h_.heap());
  ASSERT_TRUE(v.has_value()) << "a used block turned fence, with no foreign span, passes";
  EXPECT_EQ(v->invariant, Invariant::kFenceForeign) << describe(v);
  EXPECT_EQ(v->offset, kD);
}

// A block the user still holds must be a used block: the heap handed it out twice, or freed
// it behind the user's back, if it reads as free or as a fence.
TEST_F(CheckerTest, UserBlockTurnedFenceIsLiveBlock) {
  set_word(kD, 64 | kFence);
  EXPECT_VIOLATION(h_.check(), Invariant::kLiveBlock, kD, kNo, 64, 64 | kFence);
}

TEST_F(CheckerTest, UserBlockThatIsAlsoAFreeBlockIsLiveBlock) {
  // Make the free-array entry 1 (a gap) describe d as a free block, consistently: header, tag,
  // the next block's PREV_FREE and the counters. Only the user's claim on d is left to see.
  st().entries[1] = layout::FreeEntry{64, reinterpret_cast<uint64_t>(at(kD))};
  st().gaps = 0;
  st().free_bytes += 64;
  set_word(kD, (uint64_t{1} << kIndexShift) | kFree);
  set_word(kD + 64 - 8, 1);
  set_word(kE, 32 | kPrevFree);
  ASSERT_EQ(describe(check_heap(h_.heap())), "ok") << "consistent without the user's view";
  EXPECT_VIOLATION(h_.check(), Invariant::kLiveBlock, kD, kNo, 0x8, 0x9);
}

// ---- the local check (check_heap_near) ------------------------------------------------------

TEST_F(CheckerTest, NearCheckAcceptsEveryBlockOfAValidHeap) {
  for (void* p : {blocks_.a, blocks_.c, blocks_.d, blocks_.e, blocks_.g}) {
    EXPECT_EQ(describe(check_heap_near(h_.heap(), p)), "ok") << h_.offset(p);
  }
  EXPECT_EQ(describe(check_heap_near(h_.heap(), nullptr)), "ok");
}

TEST_F(CheckerTest, NearCheckOfTheBlockBeforeABrokenTagIsFreeTag) {
  set_word(kFreeB + 48 - 8, 7);
  EXPECT_VIOLATION(check_heap_near(h_.heap(), blocks_.a), Invariant::kFreeTag, kFreeB + 40, 0, 0,
                   7);
}

TEST_F(CheckerTest, NearCheckOfTheBlockAfterABrokenTagIsPrevFree) {
  set_word(kFreeB + 48 - 8, 7);
  EXPECT_VIOLATION(check_heap_near(h_.heap(), blocks_.c), Invariant::kPrevFree, kC, kNo, 0, 1);
}

TEST_F(CheckerTest, NearCheckSeesPrevFreeMissingAfterTheFreeSuccessor) {
  set_word(kC, 32);  // c follows free b but lost its PREV_FREE
  EXPECT_VIOLATION(check_heap_near(h_.heap(), blocks_.a), Invariant::kPrevFree, kC, kNo, 1, 0);
}

TEST_F(CheckerTest, NearCheckSeesAUsedSuccessorWithPrevFree) {
  set_word(kE, 32 | kPrevFree);  // d is used
  EXPECT_VIOLATION(check_heap_near(h_.heap(), blocks_.d), Invariant::kPrevFree, kE, kNo, 0, 1);
}

TEST_F(CheckerTest, NearCheckSeesAUserBlockMarkedFree) {
  set_word(kD, kFree);
  EXPECT_VIOLATION(check_heap_near(h_.heap(), blocks_.d), Invariant::kLiveBlock, kD, kNo, 0, 1);
}

TEST_F(CheckerTest, NearCheckSeesTheEndMarker) {
  set_word(kTop, 5);
  EXPECT_VIOLATION(check_heap_near(h_.heap(), nullptr), Invariant::kEndMarker, kTop, kNo, 0, 5);
}

TEST_F(CheckerTest, NearCheckIgnoresPointersOutsideTheHeap) {
  set_word(kFreeB + 48 - 8, 7);  // broken, but far from the pointer asked about
  EXPECT_EQ(describe(check_heap_near(h_.heap(), at(kTop + 64))), "ok");
}

}  // namespace
}  // namespace allocfuzz::testing
