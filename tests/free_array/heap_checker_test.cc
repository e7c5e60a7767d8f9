// Tests of the white-box heap checker (heap_checker.h). A small heap of known layout is built
// through HeapHarness and proven valid; then each test corrupts one thing, the way a heap bug
// would, and asserts the exact invariant that fires and, where it carries meaning, the exact
// offset, entry, expected and actual values. The checker runs in-process (it returns the
// violation); the death tests at the end show that debug_check_heap and the heap's always-on
// misuse checks stop the process with the exact message.
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
#include "tests/free_array/heap_harness.h"

namespace allocfuzz {

// gtest prints an Invariant by its stable ID.
static void PrintTo(Invariant inv, std::ostream* os) {
  auto i = static_cast<size_t>(inv);
  if (i < std::size(kInvariants)) {
    *os << kInvariants[i].id;
  } else {
    *os << "Invariant(" << i << ")";
  }
}

namespace testing {
namespace {

using layout::kFence;
using layout::kFree;
using layout::kIndexShift;
using layout::kPrevFree;
using layout::load_word;
using layout::store_word;

constexpr size_t kNo = HeapViolation::kNoEntry;

// The base heap, as region offsets. Built by build_base_heap:
//
//   +0x000  a      used  32
//   +0x020  (b)    free  48  entry 0
//   +0x050  c      used  32  PREV_FREE
//   +0x070  d      used  64            (took entry 1 by exact fit: entry 1 is now a gap)
//   +0x0b0  e      used  32
//   +0x0d0  (f)    free  48  entry 2
//   +0x100  g      used  32  PREV_FREE
//   +0x120  top;   brk +0x1028 (first growth: 32 + 8 + 4096 of preallocation)
//
//   entries {48, +0x20}, {gap}, {48, +0xd0}: length 3, gaps 1, gap_hint 0, free_bytes 96,
//   largest_bound 64 (an upper bound: the 64-byte entry was taken by an exact fit).
constexpr size_t kA = 0x000;
constexpr size_t kFreeB = 0x020;
constexpr size_t kC = 0x050;
constexpr size_t kD = 0x070;
constexpr size_t kE = 0x0b0;
constexpr size_t kFreeF = 0x0d0;
constexpr size_t kG = 0x100;
constexpr size_t kTop = 0x120;
constexpr size_t kBrk = 0x1028;

struct BaseBlocks {
  void* a = nullptr;
  void* c = nullptr;
  void* d = nullptr;
  void* e = nullptr;
  void* g = nullptr;
};

void build_base_heap(HeapHarness& h, BaseBlocks* out) {
  void* a = h.malloc(24);
  void* b = h.malloc(40);
  void* c = h.malloc(24);
  void* d = h.malloc(56);
  void* e = h.malloc(24);
  void* f = h.malloc(40);
  void* g = h.malloc(24);
  h.free(b);
  h.free(d);
  h.free(f);
  void* d2 = h.malloc(56);  // exact fit: takes entry 1 and leaves a gap
  EXPECT_EQ(d2, d);
  *out = BaseBlocks{a, c, d2, e, g};
}

// The fence heap: the base heap, then another party takes 100 bytes of break (span
// [+0x1028, +0x108c)), then a block too large for the preallocation makes the heap grow: it
// fences [+0x120, +0x1090) off (header at +0x120: 0xf70 | FENCE) and places the block above.
constexpr size_t kFence0 = kTop;
constexpr size_t kFenceSize = 0x1090 - kTop;
constexpr size_t kSpan = kBrk;
constexpr size_t kBig = 0x1090;

void build_fence_heap(HeapHarness& h, BaseBlocks* out) {
  build_base_heap(h, out);
  ASSERT_TRUE(h.region().foreign_grow(100));
  ASSERT_NE(h.malloc(4000), nullptr);
}

void expect_violation(const std::optional<HeapViolation>& v, Invariant inv, size_t offset,
                      size_t entry, uint64_t expected, uint64_t actual) {
  ASSERT_TRUE(v.has_value()) << "the checker found nothing; expected " << invariant_info(inv).id;
  SCOPED_TRACE(describe(v));
  EXPECT_EQ(v->invariant, inv);
  EXPECT_EQ(v->offset, offset);
  EXPECT_EQ(v->entry, entry);
  EXPECT_EQ(v->expected, expected);
  EXPECT_EQ(v->actual, actual);
}

#define EXPECT_VIOLATION(v, inv, offset, entry, expected, actual) \
  do {                                                            \
    SCOPED_TRACE("expected violation here");                      \
    expect_violation(v, inv, offset, entry, expected, actual);    \
  } while (0)

class CheckerTest : public ::testing::Test {
 protected:
  // Every corruption test starts from a heap the checker accepts.
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(build_base_heap(h_, &blocks_));
    ASSERT_EQ(describe(h_.check()), "ok");
    ASSERT_EQ(describe(check_heap(h_.heap())), "ok");
  }

  char* at(size_t offset) { return h_.region().start() + offset; }
  uint64_t addr(size_t offset) { return reinterpret_cast<uint64_t>(at(offset)); }
  uint64_t word(size_t offset) { return load_word(at(offset)); }
  void set_word(size_t offset, uint64_t w) { store_word(at(offset), w); }
  FreeArrayState& st() { return h_.heap().state_for_testing(); }

  HeapHarness h_;
  BaseBlocks blocks_;
};

class FenceCheckerTest : public CheckerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(build_fence_heap(h_, &blocks_));
    ASSERT_EQ(describe(h_.check()), "ok");
  }
};

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

// Reports print region offsets, never addresses (DESIGN.md section 6): expected and actual
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

// ---- the table -----------------------------------------------------------------------------

// The stable IDs, in enumerator order. A new enumerator without a case here fails to compile
// (-Wswitch with -Werror); a renamed ID fails the test.
const char* stable_id(Invariant inv) {
  switch (inv) {
    case Invariant::kRegionBounds:
      return "region-bounds";
    case Invariant::kArrayShape:
      return "array-shape";
    case Invariant::kEndMarker:
      return "end-marker";
    case Invariant::kWalkEnd:
      return "walk-end";
    case Invariant::kBlockSize:
      return "block-size";
    case Invariant::kFlags:
      return "flags";
    case Invariant::kPrevFree:
      return "prev-free";
    case Invariant::kFreeAdjacent:
      return "free-adjacent";
    case Invariant::kTopFree:
      return "top-free";
    case Invariant::kFreeIndex:
      return "free-index";
    case Invariant::kEntryPos:
      return "entry-pos";
    case Invariant::kEntrySize:
      return "entry-size";
    case Invariant::kFreeTag:
      return "free-tag";
    case Invariant::kEntryRange:
      return "entry-range";
    case Invariant::kEntryBlock:
      return "entry-block";
    case Invariant::kArrayTail:
      return "array-tail";
    case Invariant::kGapCount:
      return "gap-count";
    case Invariant::kGapHint:
      return "gap-hint";
    case Invariant::kFreeBytes:
      return "free-bytes";
    case Invariant::kLargestBound:
      return "largest-bound";
    case Invariant::kLiveBlock:
      return "live-block";
    case Invariant::kUsedSlack:
      return "used-slack";
    case Invariant::kFenceForeign:
      return "fence-foreign";
  }
  return nullptr;
}

TEST(HeapCheckerTable, EveryEnumeratorOnceInOrderWithStableId) {
#define ALLOCFUZZ_COUNT(e, id, cost, what) +1
  constexpr size_t kEnumerators = 0 ALLOCFUZZ_HEAP_INVARIANTS(ALLOCFUZZ_COUNT);
#undef ALLOCFUZZ_COUNT
  ASSERT_EQ(std::size(kInvariants), kEnumerators);
  ASSERT_EQ(std::size(kInvariants), 23u);
  for (size_t i = 0; i < std::size(kInvariants); ++i) {
    const InvariantInfo& info = kInvariants[i];
    EXPECT_EQ(static_cast<size_t>(info.invariant), i) << info.id;
    EXPECT_EQ(&invariant_info(info.invariant), &info);
    EXPECT_STREQ(info.id, stable_id(info.invariant));
  }
}

TEST(HeapCheckerTable, IdsUniqueShortLowercaseWithCostAndText) {
  std::set<std::string_view> ids;
  for (const InvariantInfo& info : kInvariants) {
    std::string_view id = info.id;
    EXPECT_FALSE(id.empty());
    EXPECT_LE(id.size(), 20u) << id;
    for (char ch : id) EXPECT_TRUE((ch >= 'a' && ch <= 'z') || ch == '-') << id;
    EXPECT_NE(id.front(), '-') << id;
    EXPECT_NE(id.back(), '-') << id;
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
    std::string_view cost = info.cost;
    EXPECT_TRUE(cost.size() > 3 && cost.substr(0, 2) == "O(" && cost.back() == ')')
        << id << ": " << cost;
    EXPECT_FALSE(std::string_view(info.what).empty()) << id;
  }
}

// ---- the report ----------------------------------------------------------------------------

TEST(HeapCheckerReport, AppendViolationPrintsTheExactLine) {
  FixedText<512> text;
  append_violation(HeapViolation{Invariant::kFreeTag, 0x120, 3, 3, 7}, text);
  EXPECT_EQ(text.view(),
            "heap-invariant:free-tag at +0x000120 entry 3: expected 0x3, actual 0x7 "
            "(a free block's last word (its tag) equals its index)");
  EXPECT_FALSE(text.truncated());
}

TEST(HeapCheckerReport, AppendViolationWithoutEntry) {
  FixedText<512> text;
  append_violation(HeapViolation{Invariant::kEndMarker, 0x1028, kNo, 0, 0x35}, text);
  EXPECT_EQ(text.view(),
            "heap-invariant:end-marker at +0x001028: expected 0x0, actual 0x35 "
            "(the word at top is 0)");
}

// free-index holds a bound, not a value to match: the line says index and length.
TEST(HeapCheckerReport, FreeIndexNamesTheIndexAndTheLength) {
  FixedText<512> text;
  append_violation(HeapViolation{Invariant::kFreeIndex, 0x80, 2, 2, 2}, text);
  EXPECT_EQ(text.view(),
            "heap-invariant:free-index at +0x000080 entry 2: index 0x2, array length 0x2 "
            "(a free block's header names an entry below the array's length that is no gap)");
}

TEST(HeapCheckerReport, AppendViolationIntoSmallBufferIsCutNotOverflowed) {
  struct {
    FixedText<24> text;
    char canary[16];
  } s;
  std::memset(s.canary, 0x5a, sizeof s.canary);
  append_violation(HeapViolation{Invariant::kFreeTag, 0x120, 3, 3, 7}, s.text);
  EXPECT_TRUE(s.text.truncated());
  EXPECT_EQ(s.text.view(), "heap-invariant:free-t...");
  for (char ch : s.canary) EXPECT_EQ(ch, 0x5a);
}

// The same corruption reports the same text whatever the region's placement.
TEST(HeapCheckerReport, ReportsAreIdenticalForHighAndLowPlacement) {
  auto report = [](Placement placement, int which) {
    RegionOptions options;
    options.placement = placement;
    options.reserve_bytes = size_t{64} << 20;
    HeapHarness h(options);
    BaseBlocks blocks;
    build_base_heap(h, &blocks);
    EXPECT_EQ(describe(h.check()), "ok");
    FreeArrayState& s = h.heap().state_for_testing();
    char* base = h.region().start();
    switch (which) {
      case 0:
        store_word(base + kFreeF + 40, 5);
        break;
      case 1:
        s.entries[0].pos += 8;
        break;
      case 2:
        s.entries[3] = layout::FreeEntry{48, reinterpret_cast<uint64_t>(base + kTop + 64)};
        s.length = 4;
        break;
      case 3:
        s.heap_start = base + 4;
        break;
      case 4:
        s.top = base + kTop + 4;
        break;
      case 5:
        s.brk = s.top;
        break;
      default:
        store_word(base + kA, 4096);
        break;
    }
    return describe(h.check());
  };
  for (int which = 0; which <= 6; ++which) {
    SCOPED_TRACE(which);
    std::string high = report(Placement::kHigh, which);
    std::string low = report(Placement::kLow, which);
    EXPECT_NE(high, "ok");
    EXPECT_EQ(high, low);
  }
}

// ---- a corrupt heap never crashes the checker ----------------------------------------------

uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A value that is likely to look almost right to the checker.
uint64_t corrupt_value(uint64_t& rng, uint64_t old, uint64_t heap_start) {
  switch (next_random(rng) % 12) {
    case 0:
      return 0;
    case 1:
      return ~uint64_t{0};
    case 2:
      return old ^ (uint64_t{1} << (next_random(rng) % 64));
    case 3:
      return old + 8;
    case 4:
      return old - 8;
    case 5:
      return old ^ (next_random(rng) % 8);  // flag bits
    case 6:
      return ((next_random(rng) % 6) << kIndexShift) | kFree;
    case 7:
      return (next_random(rng) % 80) * 8;  // a plausible size
    case 8:
      return heap_start + (next_random(rng) % 80) * 8;  // a plausible position
    case 9:
      return heap_start - 8 * (1 + next_random(rng) % 4);
    case 10:
      return next_random(rng) % 8;  // a small index
    default:
      return next_random(rng);
  }
}

TEST(HeapCheckerRobustness, RandomSingleWordCorruptionsNeverCrash) {
  uint64_t rng = 20240611;
  size_t found = 0;
  constexpr int kIterations = 400;
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    RegionOptions options;
    options.reserve_bytes = size_t{64} << 20;
    HeapHarness h(options);
    BaseBlocks blocks;
    build_base_heap(h, &blocks);
    ASSERT_EQ(describe(h.check()), "ok") << "iteration " << iteration;
    FreeArrayState& s = h.heap().state_for_testing();
    char* base = h.region().start();
    auto hs = reinterpret_cast<uint64_t>(s.heap_start);
    uint64_t pick = next_random(rng) % 100;
    std::string what;
    if (pick < 55) {
      size_t offset = 8 * (next_random(rng) % (kTop / 8));
      uint64_t old = load_word(base + offset);
      store_word(base + offset, corrupt_value(rng, old, hs));
      what = "word +" + std::to_string(offset);
    } else {
      // One field of the state or of the array (entries up to one past the length).
      size_t field = next_random(rng) % 16;
      size_t i = next_random(rng) % (s.length + 1);
      auto change = [&](uint64_t old) { return corrupt_value(rng, old, hs); };
      auto change_ptr = [&](char* p) {
        return reinterpret_cast<char*>(change(reinterpret_cast<uint64_t>(p)));
      };
      switch (field) {
        case 0:
          s.length = change(s.length);
          break;
        case 1:
          s.capacity = change(s.capacity);
          break;
        case 2:
          s.gaps = change(s.gaps);
          break;
        case 3:
          s.free_bytes = change(s.free_bytes);
          break;
        case 4:
          s.largest_bound = change(s.largest_bound);
          break;
        case 5:
          s.gap_hint = change(s.gap_hint);
          break;
        case 6:
          s.heap_start = change_ptr(s.heap_start);
          break;
        case 7:
          s.top = change_ptr(s.top);
          break;
        case 8:
          s.brk = change_ptr(s.brk);
          break;
        case 9:
        case 10:
        case 11:
          s.entries[i].size = change(s.entries[i].size);
          break;
        default:
          s.entries[i].pos = change(s.entries[i].pos);
          break;
      }
      what = "field " + std::to_string(field) + " entry " + std::to_string(i);
    }
    SCOPED_TRACE("iteration " + std::to_string(iteration) + ": " + what);
    std::optional<HeapViolation> with_requests = h.check();
    std::optional<HeapViolation> plain = check_heap(h.heap());
    if (with_requests) ++found;
    // The report of any violation formats without trouble.
    FixedText<512> text;
    if (plain) append_violation(*plain, text);
    EXPECT_FALSE(text.truncated());
  }
  // Most corruptions hit payload bytes or loosen a bound, but many must be found.
  EXPECT_GT(found, static_cast<size_t>(kIterations) / 4);
}

// ---- death tests (STYLE.md lesson 10): the process stops with the exact report -------------

TEST(HeapCheckerDeathTest, DebugCheckHeapAbortsWithFreeTag) {
  HeapHarness h;
  BaseBlocks blocks;
  build_base_heap(h, &blocks);
  ASSERT_EQ(describe(h.check()), "ok");
  debug_check_heap(h.heap());  // a valid heap: returns
  EXPECT_DEATH(
      {
        store_word(h.region().start() + kFreeF + 40, 5);
        debug_check_heap(h.heap());
      },
      "^allocfuzz: heap-invariant:free-tag at \\+0x0000f8 entry 2: expected 0x2, actual 0x5 ");
}

// With expensive checks compiled in (the dev preset), the heap itself runs the checker after
// each call: the first call after a corruption stops the process.
TEST(HeapCheckerDeathTest, HeapCallAfterCorruptionAbortsWithFreeTag) {
  if constexpr (!kExpensiveChecks) GTEST_SKIP() << "ALLOCFUZZ_EXPENSIVE_CHECKS is off";
  HeapHarness h;
  BaseBlocks blocks;
  build_base_heap(h, &blocks);
  ASSERT_EQ(describe(h.check()), "ok");
  EXPECT_DEATH(
      {
        store_word(h.region().start() + kFreeF + 40, 5);
        (void)h.heap().malloc(8);
      },
      "heap-invariant:free-tag at \\+0x0000f8 entry 2");
}

TEST(HeapMisuseDeathTest, DoubleFreeStops) {
  HeapHarness h;
  BaseBlocks blocks;
  build_base_heap(h, &blocks);
  ASSERT_EQ(describe(h.check()), "ok");
  EXPECT_DEATH(
      {
        h.heap().free(blocks.d);
        h.heap().free(blocks.d);
      },
      "^allocfuzz: heap: block is already free \\(double free\\?\\) at \\+0x000078\n");
}

// c merges into the free block before it, so its old header is left inside a free block;
// the second free finds PREV_FREE and a tag that does not lead back to c.
TEST(HeapMisuseDeathTest, DoubleFreeOfMergedBlockStops) {
  HeapHarness h;
  BaseBlocks blocks;
  build_base_heap(h, &blocks);
  ASSERT_EQ(describe(h.check()), "ok");
  EXPECT_DEATH(
      {
        h.heap().free(blocks.c);
        h.heap().free(blocks.c);
      },
      "^allocfuzz: heap: PREV_FREE set but the tag before the block names no free neighbour "
      "at \\+0x000050\n");
}

TEST(HeapMisuseDeathTest, FreeOfForeignPointerStops) {
  HeapHarness h;
  BaseBlocks blocks;
  build_base_heap(h, &blocks);
  ASSERT_EQ(describe(h.check()), "ok");
  static uint64_t not_from_the_heap[4];
  EXPECT_DEATH(h.heap().free(&not_from_the_heap[2]),
               "^allocfuzz: heap: free of a pointer the heap did not hand out at \\+0x");
  // Inside the heap but not a payload start: misaligned, or at and above top.
  EXPECT_DEATH(h.heap().free(static_cast<char*>(blocks.d) + 4),
               "^allocfuzz: heap: free of a pointer the heap did not hand out at \\+0x00007c\n");
  EXPECT_DEATH(h.heap().free(h.region().start() + kTop + 8),
               "^allocfuzz: heap: free of a pointer the heap did not hand out at \\+0x000128\n");
}

TEST(HeapMisuseDeathTest, FreeInsideFenceStops) {
  HeapHarness h;
  BaseBlocks blocks;
  build_fence_heap(h, &blocks);
  ASSERT_EQ(describe(h.check()), "ok");
  EXPECT_DEATH(h.heap().free(h.region().start() + kFence0 + 8),
               "^allocfuzz: heap: pointer is inside a fence block at \\+0x000128\n");
}

}  // namespace
}  // namespace testing
}  // namespace allocfuzz
