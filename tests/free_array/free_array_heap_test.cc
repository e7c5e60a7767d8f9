// Unit tests of FreeArrayHeap, the seed's brk allocator on 64-bit (DESIGN.md section 3).
//
// Every operation goes through HeapHarness, so after every step the white-box checker runs
// with the requested sizes, every live block's contents and bounds are verified and the
// foreign spans are checked for clobbering. On top of that each test asserts the exact
// layout it expects: region offsets of blocks, block sizes (via usable_size), free-array
// entries, gaps, free bytes, top and the break. Offsets are bytes from the region's start;
// the heap starts at offset 0 of a fresh region, so a first block of b bytes has its payload
// at offset 8 and the next block begins at offset b.
//
// Sections: helpers; malloc from the top; malloc from the free array; free and coalescing;
// the break (preallocation, release, hysteresis); realloc; calloc; sizes near SIZE_MAX;
// ENOMEM from the region; foreign moves of the break; placement; fixed region; randomized.
#include "allocator/free_array/free_array_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"
#include "tests/free_array/heap_harness.h"
#include "tests/support/xorshift.h"

namespace allocfuzz::testing {
namespace {

using layout::FreeEntry;
using layout::kFence;
using layout::kFlagMask;
using layout::kFree;
using layout::kIndexShift;
using layout::kPrevFree;
using layout::load_word;

// ---- helpers ----------------------------------------------------------------------------

constexpr size_t kMiB = size_t{1} << 20;

RegionOptions Region(Placement placement = Placement::kHigh, size_t reserve = 64 * kMiB) {
  RegionOptions o;
  o.reserve_bytes = reserve;
  o.placement = placement;
  return o;
}

// Small numbers so that growth, doubling, release and hysteresis show in a few steps:
// the preallocation goes 4096, 8192, 16384 (cap); the break is lowered to top + 8 + 4096
// when more than 16384 bytes lie between top and the break.
HeapConfig SmallConfig() {
  HeapConfig c;
  c.initial_prealloc = 4096;
  c.max_prealloc = 16384;
  c.release_threshold = 16384;
  c.keep_after_release = 4096;
  return c;
}

// The header word of the block whose payload is p.
uint64_t HeaderOf(const void* payload) {
  return load_word(static_cast<const char*>(payload) - layout::kHeader);
}
bool PrevFree(const void* payload) { return (HeaderOf(payload) & kPrevFree) != 0; }

size_t Top(const HeapHarness& h) {
  return static_cast<size_t>(h.state().top - h.state().heap_start);
}
size_t Brk(const HeapHarness& h) {
  return static_cast<size_t>(h.state().brk - h.state().heap_start);
}
size_t RegionBreak(HeapHarness& h) { return h.region().stats().break_offset; }

// Entry i as {size, region offset of its block}.
std::pair<uint64_t, size_t> Entry(HeapHarness& h, size_t i) {
  if (i >= h.state().length) {
    ADD_FAILURE() << "entry " << i << " is past the array's length " << h.state().length;
    return {SIZE_MAX, SIZE_MAX};
  }
  const FreeEntry& e = h.state().entries[i];
  if (e.size == 0) return {0, 0};
  return {e.size, h.offset(reinterpret_cast<const char*>(e.pos))};
}
std::pair<uint64_t, size_t> E(uint64_t size, size_t offset) { return {size, offset}; }

// Counts of the blocks between heap_start and top (the checker has vouched for the walk).
struct Walk {
  size_t used = 0, fences = 0, free = 0;
  uint64_t used_bytes = 0, fence_bytes = 0, free_bytes = 0;
};
Walk WalkHeap(const HeapHarness& h) {
  const FreeArrayState& s = h.state();
  Walk w;
  for (const char* b = s.heap_start; b != nullptr && b < s.top;) {
    uint64_t header = load_word(b);
    uint64_t size;
    if (header & kFree) {
      size = s.entries[header >> kIndexShift].size;
      ++w.free;
      w.free_bytes += size;
    } else {
      size = header & ~kFlagMask;
      if (header & kFence) {
        ++w.fences;
        w.fence_bytes += size;
      } else {
        ++w.used;
        w.used_bytes += size;
      }
    }
    if (size == 0) {
      ADD_FAILURE() << "zero-size block in the walk";
      break;
    }
    b += size;
  }
  return w;
}

// Frees every live block of the harness.
void FreeAll(HeapHarness& h) {
  std::vector<void*> ps;
  for (const auto& [p, b] : h.live()) ps.push_back(const_cast<void*>(p));
  for (void* p : ps) h.free(p);
}

// "No block is lost": the walk finds exactly the harness's live blocks, and once they are all
// freed (with no fence around) the heap is empty again.
void ExpectNothingLostAndEmptyAfterFreeingAll(HeapHarness& h) {
  EXPECT_EQ(WalkHeap(h).used, h.live_count());
  FreeAll(h);
  Walk w = WalkHeap(h);
  EXPECT_EQ(w.used, 0u);
  EXPECT_EQ(w.fences, 0u);
  EXPECT_EQ(h.state().top, h.state().heap_start);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_EQ(h.state().gaps, 0u);
  EXPECT_EQ(h.state().free_bytes, 0u);
}

// ---- malloc from the top ----------------------------------------------------------------

TEST(FreeArrayHeapMalloc, FirstMallocStartsTheHeapAtTheRegionStartWithPreallocation) {
  HeapHarness h(Region(), SmallConfig());
  EXPECT_EQ(h.state().heap_start, nullptr);
  void* p = h.malloc(100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.state().heap_start, h.region().start());
  EXPECT_EQ(h.offset(p), 8u);
  EXPECT_EQ(h.heap().usable_size(p), 104u);
  EXPECT_EQ(Top(h), 112u);
  // The break: block + end marker + the first preallocation.
  EXPECT_EQ(Brk(h), 112u + 8u + 4096u);
  EXPECT_EQ(RegionBreak(h), 4216u);
  EXPECT_EQ(h.region().stats().growths, 1u);
  EXPECT_EQ(load_word(h.state().top), 0u);  // end marker
}

TEST(FreeArrayHeapMalloc, MallocThatFitsThePreallocationDoesNotMoveTheBreak) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(100);
  void* q = h.malloc(1000);
  void* r = h.malloc(3000);
  EXPECT_EQ(h.offset(q), 120u);
  EXPECT_EQ(h.offset(r), 1128u);
  EXPECT_EQ(Top(h), 4128u);
  EXPECT_EQ(Brk(h), 4216u);
  EXPECT_EQ(h.region().stats().moves, 1u);
}

TEST(FreeArrayHeapMalloc, PreallocationDoublesPerGrowthUpToTheCap) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(100);  // brk = 112 + 8 + 4096
  EXPECT_EQ(Brk(h), 4216u);
  EXPECT_EQ(h.state().prealloc, 8192u);
  void* b = h.malloc(5000);  // need 5008 > 4096 left: grows by 5008 + 8 + 8192 from top 112
  EXPECT_EQ(h.offset(b), 120u);
  EXPECT_EQ(Brk(h), 112u + 5008u + 8u + 8192u);
  EXPECT_EQ(h.state().prealloc, 16384u);
  void* c = h.malloc(20000);  // need 20008 > 8192 left: + 16384
  EXPECT_EQ(h.offset(c), 5128u);
  EXPECT_EQ(Brk(h), 5120u + 20008u + 8u + 16384u);
  EXPECT_EQ(h.state().prealloc, 16384u);
  void* d = h.malloc(30000);  // capped: + 16384 again
  EXPECT_EQ(h.offset(d), 25136u);
  EXPECT_EQ(Brk(h), 25128u + 30008u + 8u + 16384u);
  EXPECT_EQ(RegionBreak(h), Brk(h));
  EXPECT_EQ(h.region().stats().growths, 4u);
}

TEST(FreeArrayHeapMalloc, MallocZeroReturnsAUniqueMinimalBlockEachTime) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(0);
  void* b = h.malloc(0);
  void* c = h.malloc(0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_NE(c, nullptr);
  EXPECT_NE(a, b);
  EXPECT_NE(b, c);
  EXPECT_NE(a, c);
  EXPECT_EQ(h.offset(a), 8u);
  EXPECT_EQ(h.offset(b), 24u);
  EXPECT_EQ(h.offset(c), 40u);
  for (void* p : {a, b, c}) {
    EXPECT_EQ(h.heap().usable_size(p), 8u);
    EXPECT_EQ(HeaderOf(p), 16u);
  }
  EXPECT_EQ(Top(h), 48u);
  // Freed and taken again, still a distinct 16-byte block.
  h.free(b);
  void* d = h.malloc(0);
  EXPECT_EQ(d, b);
  EXPECT_EQ(h.heap().usable_size(d), 8u);
  EXPECT_EQ(h.state().length, 0u);
}

TEST(FreeArrayHeapMalloc, SmallRequestsRoundUpToEightWithASixteenByteMinimumBlock) {
  HeapHarness h(Region(), SmallConfig());
  const size_t requests[] = {1, 7, 8, 9, 16, 17};
  const size_t usable[] = {8, 8, 8, 16, 16, 24};
  const size_t offsets[] = {8, 24, 40, 56, 80, 104};
  for (size_t i = 0; i < 6; ++i) {
    void* p = h.malloc(requests[i]);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(h.offset(p), offsets[i]) << "request " << requests[i];
    EXPECT_EQ(h.heap().usable_size(p), usable[i]) << "request " << requests[i];
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 8, 0u);
  }
  EXPECT_EQ(Top(h), 128u);
}

// N live blocks of S bytes take exactly N * (round_up(S, 8) + 8) bytes: 8 bytes of overhead.
TEST(FreeArrayHeapMalloc, OverheadIsExactlyEightBytesPerBlock) {
  const size_t sizes[] = {8, 9, 13, 15, 16, 17, 24, 100, 1000, 4093, 4096};
  const size_t kN = 64;
  for (size_t s : sizes) {
    SCOPED_TRACE(s);
    HeapHarness h(Region(), SmallConfig());
    const size_t block = layout::round_up8(s) + 8;
    std::vector<void*> ps;
    for (size_t i = 0; i < kN; ++i) {
      void* p = h.malloc(s);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(h.offset(p), i * block + 8);
      EXPECT_EQ(h.heap().usable_size(p), layout::round_up8(s));
      ps.push_back(p);
    }
    EXPECT_EQ(Top(h), kN * block);
    EXPECT_EQ(h.state().length, 0u);
  }
}

// ---- malloc from the free array ---------------------------------------------------------

// Two free blocks: entry 0 = 32 bytes at 0, entry 1 = 64 bytes at 48, each followed by a
// used 16-byte block. Requests of block size 40..64 can only be served by entry 1.
struct TwoFree {
  void* sep1;
  void* sep2;
};
TwoFree MakeTwoFree(HeapHarness& h) {
  void* a = h.malloc(24);  // [0, 32)
  void* s1 = h.malloc(8);  // [32, 48)
  void* f = h.malloc(56);  // [48, 112)
  void* s2 = h.malloc(8);  // [112, 128)
  h.free(a);
  h.free(f);
  EXPECT_EQ(h.state().length, 2u);
  EXPECT_EQ(Entry(h, 0), E(32, 0));
  EXPECT_EQ(Entry(h, 1), E(64, 48));
  EXPECT_EQ(h.state().free_bytes, 96u);
  EXPECT_TRUE(PrevFree(s1));
  EXPECT_TRUE(PrevFree(s2));
  return {s1, s2};
}

TEST(FreeArrayHeapFit, RemainderZeroTakesTheExactBlock) {
  HeapHarness h(Region(), SmallConfig());
  TwoFree t = MakeTwoFree(h);
  void* p = h.malloc(56);  // block 64
  EXPECT_EQ(h.offset(p), 56u);
  EXPECT_EQ(h.heap().usable_size(p), 56u);
  EXPECT_EQ(h.state().length, 1u);  // the last entry went: the array shrank
  EXPECT_EQ(h.state().gaps, 0u);
  EXPECT_EQ(h.state().free_bytes, 32u);
  EXPECT_FALSE(PrevFree(t.sep2));
  EXPECT_EQ(Top(h), 128u);
}

TEST(FreeArrayHeapFit, RemainderEightStaysWithTheBlock) {
  HeapHarness h(Region(), SmallConfig());
  TwoFree t = MakeTwoFree(h);
  void* p = h.malloc(48);  // block 56 of 64
  EXPECT_EQ(h.offset(p), 56u);
  EXPECT_EQ(h.heap().usable_size(p), 56u);  // the block keeps the extra 8
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(h.state().free_bytes, 32u);
  EXPECT_FALSE(PrevFree(t.sep2));
}

TEST(FreeArrayHeapFit, RemainderSixteenStaysWithTheBlock) {
  HeapHarness h(Region(), SmallConfig());
  TwoFree t = MakeTwoFree(h);
  void* p = h.malloc(40);  // block 48 of 64
  EXPECT_EQ(h.offset(p), 56u);
  EXPECT_EQ(h.heap().usable_size(p), 56u);  // the block keeps the extra 16
  EXPECT_EQ(h.state().length, 1u);
  EXPECT_EQ(h.state().free_bytes, 32u);
  EXPECT_FALSE(PrevFree(t.sep2));
}

TEST(FreeArrayHeapFit, RemainderTwentyFourIsSplitOffOnTheRightAndKeepsTheEntryIndex) {
  HeapHarness h(Region(), SmallConfig());
  TwoFree t = MakeTwoFree(h);
  void* p = h.malloc(32);  // block 40 of 64: 24 remain
  EXPECT_EQ(h.offset(p), 56u);
  EXPECT_EQ(h.heap().usable_size(p), 32u);
  EXPECT_EQ(h.state().length, 2u);
  EXPECT_EQ(Entry(h, 0), E(32, 0));
  EXPECT_EQ(Entry(h, 1), E(24, 88));  // same index, on the right
  EXPECT_EQ(h.state().free_bytes, 56u);
  const char* rest = h.region().start() + 88;
  EXPECT_EQ(load_word(rest), (uint64_t{1} << kIndexShift) | kFree);
  EXPECT_EQ(load_word(rest + 16), 1u);  // tag
  EXPECT_TRUE(PrevFree(t.sep2));
}

// Free blocks of 96, 48, 64 and 200 bytes (entries 0..3); a request of block size 56 fits
// 96, 64 and 200 and must get the 64.
TEST(FreeArrayHeapFit, BestFitPicksTheSmallestFittingBlock) {
  HeapHarness h(Region(), SmallConfig());
  void* x0 = h.malloc(88);   // [0, 96)
  h.malloc(8);               // [96, 112)
  void* x1 = h.malloc(40);   // [112, 160)
  h.malloc(8);               // [160, 176)
  void* x2 = h.malloc(56);   // [176, 240)
  h.malloc(8);               // [240, 256)
  void* x3 = h.malloc(192);  // [256, 456)
  h.malloc(8);               // [456, 472)
  for (void* x : {x0, x1, x2, x3}) h.free(x);
  EXPECT_EQ(h.state().length, 4u);
  void* p = h.malloc(48);  // block 56
  EXPECT_EQ(h.offset(p), 184u);
  EXPECT_EQ(h.heap().usable_size(p), 56u);  // remainder 8 taken whole
  EXPECT_EQ(h.state().length, 4u);
  EXPECT_EQ(h.state().gaps, 1u);
  EXPECT_EQ(Entry(h, 2), E(0, 0));
  EXPECT_EQ(h.state().free_bytes, 96u + 48u + 200u);
  EXPECT_EQ(Top(h), 472u);
}

TEST(FreeArrayHeapFit, AmongEqualSizesTheFirstEntryWins) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(40);  // [0, 48)
  h.malloc(8);
  void* b = h.malloc(40);  // [64, 112)
  h.malloc(8);
  h.free(b);  // entry 0
  h.free(a);  // entry 1
  void* p = h.malloc(40);
  EXPECT_EQ(p, b);
  EXPECT_EQ(h.state().length, 2u);
  EXPECT_EQ(h.state().gaps, 1u);
}

// Entries 64, 32, 400. A split of the 400 leaves the largest-free bound stale (400, while
// the largest entry is 88). An exact fit for 32 must stop the scan, which leaves the bound
// untouched; a scan that ran to the end would have made it exact (88), as the next,
// inexact request shows.
TEST(FreeArrayHeapFit, ExactSizeStopsTheScan) {
  HeapHarness h(Region(), SmallConfig());
  void* x0 = h.malloc(56);   // [0, 64)
  h.malloc(8);               // [64, 80)
  void* x1 = h.malloc(24);   // [80, 112)
  h.malloc(8);               // [112, 128)
  void* x2 = h.malloc(392);  // [128, 528)
  h.malloc(8);               // [528, 544)
  for (void* x : {x0, x1, x2}) h.free(x);
  EXPECT_EQ(h.state().largest_bound, 400u);
  void* big = h.malloc(300);  // block 312 from the 400: 88 stay at 440
  EXPECT_EQ(h.offset(big), 136u);
  EXPECT_EQ(Entry(h, 2), E(88, 440));
  EXPECT_EQ(h.state().largest_bound, 400u);
  // Exact fit: entry 0 (64) fits first, entry 1 (32) is exact.
  void* exact = h.malloc(24);
  EXPECT_EQ(h.offset(exact), 88u);
  EXPECT_EQ(h.heap().usable_size(exact), 24u);
  EXPECT_EQ(h.state().largest_bound, 400u) << "the scan went past the exact fit";
  EXPECT_EQ(Entry(h, 1), E(0, 0));
  EXPECT_EQ(h.state().gaps, 1u);
  // Inexact: the whole array is scanned and the bound becomes exact.
  void* p = h.malloc(40);  // block 48: the 64 (remainder 16, taken whole)
  EXPECT_EQ(h.offset(p), 8u);
  EXPECT_EQ(h.heap().usable_size(p), 56u);
  EXPECT_EQ(h.state().largest_bound, 88u);
}

TEST(FreeArrayHeapFit, RequestLargerThanEveryFreeBlockAppendsAtTop) {
  HeapHarness h(Region(), SmallConfig());
  MakeTwoFree(h);
  void* p = h.malloc(100);  // block 112 > 64
  EXPECT_EQ(h.offset(p), 136u);
  EXPECT_EQ(Top(h), 240u);
  EXPECT_EQ(h.state().length, 2u);
  EXPECT_EQ(h.state().free_bytes, 96u);
}

TEST(FreeArrayHeapFit, StaleLargestBoundFallsBackToTopAndBecomesExact) {
  HeapHarness h(Region(), SmallConfig());
  void* x = h.malloc(392);  // [0, 400)
  h.malloc(8);              // [400, 416)
  void* y = h.malloc(150);  // [416, 576)
  h.malloc(8);              // [576, 592)
  h.free(x);
  h.free(y);
  void* a = h.malloc(300);  // 312 of 400: 88 at 312 stay free; the bound stays 400
  EXPECT_EQ(h.offset(a), 8u);
  EXPECT_EQ(h.state().largest_bound, 400u);
  EXPECT_EQ(h.state().free_bytes, 248u);
  void* b = h.malloc(200);  // 208 <= bound and <= free bytes, but no entry fits: top
  EXPECT_EQ(h.offset(b), 600u);
  EXPECT_EQ(h.state().largest_bound, 160u);
  EXPECT_EQ(Entry(h, 0), E(88, 312));
  EXPECT_EQ(Entry(h, 1), E(160, 416));
}

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

// ---- calloc -----------------------------------------------------------------------------

TEST(FreeArrayHeapCalloc, OverflowReturnsNullWithEnomem) {
  HeapHarness h(Region(), SmallConfig());
  const std::pair<size_t, size_t> cases[] = {
      {SIZE_MAX, 2}, {2, SIZE_MAX}, {size_t{1} << 32, size_t{1} << 32}, {SIZE_MAX / 3 + 1, 3}};
  for (const auto& [count, size] : cases) {
    errno = 0;
    EXPECT_EQ(h.calloc(count, size), nullptr);
    EXPECT_EQ(errno, ENOMEM);
  }
  EXPECT_EQ(h.state().heap_start, nullptr);
  void* p = h.calloc(4, 25);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 8u);
}

TEST(FreeArrayHeapCalloc, ZeroesReusedMemoryFromTheFreeArray) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(104);  // block 112, all 104 bytes filled with a pattern by the harness
  h.malloc(8);
  h.free(p);
  void* q = h.calloc(22, 4);  // block 96 of 112: taken whole; the harness checks 88 bytes
  EXPECT_EQ(q, p);
  ASSERT_EQ(h.heap().usable_size(q), 104u);
  // The rest of what the caller may use must be zero too (88..95 held the old pattern).
  const auto* bytes = static_cast<const unsigned char*>(q);
  for (size_t i = 88; i < 104; ++i) EXPECT_EQ(bytes[i], 0u) << i;
}

TEST(FreeArrayHeapCalloc, ZeroesMemoryReusedBelowTheBreakAfterTopCameDown) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(8);
  void* p = h.malloc(2000);
  h.free(p);                    // top comes down; the pattern stays below the break
  void* q = h.calloc(1995, 1);  // the harness checks the requested bytes are zero
  EXPECT_EQ(q, p);
  ASSERT_EQ(h.heap().usable_size(q), 2000u);
  const auto* bytes = static_cast<const unsigned char*>(q);
  for (size_t i = 1995; i < 2000; ++i) EXPECT_EQ(bytes[i], 0u) << i;
}

TEST(FreeArrayHeapCalloc, ZeroesAWholeBlockThatKeptSlack) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(56);  // block 64
  h.malloc(8);
  h.free(p);
  void* q = h.calloc(5, 8);  // block 48 of 64: taken whole, usable 56
  EXPECT_EQ(q, p);
  EXPECT_EQ(h.heap().usable_size(q), 56u);
  // The harness checks the 40 requested bytes; the slack the block kept must be zero too.
  const auto* bytes = static_cast<const unsigned char*>(q);
  for (size_t i = 40; i < 56; ++i) EXPECT_EQ(bytes[i], 0u) << i;
}

TEST(FreeArrayHeapCalloc, ZeroCountOrSizeGivesDistinctMinimalBlocks) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.calloc(0, 100);
  void* b = h.calloc(100, 0);
  void* c = h.calloc(0, 0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(h.offset(a), 8u);
  EXPECT_EQ(h.offset(b), 24u);
  EXPECT_EQ(h.offset(c), 40u);
  for (void* p : {a, b, c}) EXPECT_EQ(h.heap().usable_size(p), 8u);
}

// ---- sizes near SIZE_MAX ----------------------------------------------------------------

TEST(FreeArrayHeapHuge, HugeMallocReturnsNullWithEnomemAndTheHeapStaysValid) {
  const size_t kReserve = 64 * kMiB;
  HeapHarness h(Region(Placement::kHigh, kReserve), SmallConfig());
  const size_t huge[] = {SIZE_MAX,      SIZE_MAX - 7, SIZE_MAX - 8, SIZE_MAX - 15,
                         SIZE_MAX - 16, SIZE_MAX / 2, kReserve + 1, kReserve};
  for (size_t n : huge) {  // on an empty heap
    errno = 0;
    EXPECT_EQ(h.malloc(n), nullptr) << n;
    EXPECT_EQ(errno, ENOMEM) << n;
  }
  EXPECT_EQ(h.state().heap_start, nullptr);
  EXPECT_EQ(RegionBreak(h), 0u);
  void* p = h.malloc(100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 8u);
  for (size_t n : huge) {  // on a started heap
    errno = 0;
    EXPECT_EQ(h.malloc(n), nullptr) << n;
    EXPECT_EQ(errno, ENOMEM) << n;
  }
  EXPECT_EQ(Top(h), 112u);
  EXPECT_EQ(Brk(h), 4216u);
  void* q = h.malloc(10);
  EXPECT_EQ(h.offset(q), 120u);
}

// The oracle's spurious-null rule: a NULL is fair when a growth failed during the call, or when
// the request is larger than the whole region (no allocator can serve it). So a size that
// could fit must be refused by the region (and counted) before the heap says NULL; a size
// that cannot be represented may be refused at once.
TEST(FreeArrayHeapHuge, NullForASizeThatCouldFitFollowsARefusedGrowth) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);
  ASSERT_NE(p, nullptr);
  h.region().set_limit(64 << 10);
  for (size_t n : {size_t{128} << 10, h.region().reserve_bytes() - 64}) {
    uint64_t before = h.region().stats().failed_growths;
    errno = 0;
    EXPECT_EQ(h.malloc(n), nullptr);
    EXPECT_EQ(errno, ENOMEM);
    EXPECT_GT(h.region().stats().failed_growths, before) << "malloc NULL without refusal, n=" << n;
    before = h.region().stats().failed_growths;
    EXPECT_EQ(h.realloc(p, n), nullptr);
    EXPECT_GT(h.region().stats().failed_growths, before) << "realloc NULL without refusal, n=" << n;
  }
}

TEST(FreeArrayHeapHuge, SizesLargerThanTheRegionAreRefusedWithEnomem) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);
  ASSERT_NE(p, nullptr);
  for (size_t n :
       {h.region().reserve_bytes() + 1, SIZE_MAX - 16, SIZE_MAX - 15, SIZE_MAX - 7, SIZE_MAX}) {
    errno = 0;
    EXPECT_EQ(h.malloc(n), nullptr) << n;
    EXPECT_EQ(errno, ENOMEM) << n;
    errno = 0;
    EXPECT_EQ(h.realloc(p, n), nullptr) << n;  // p stays live and intact (the harness checks)
    EXPECT_EQ(errno, ENOMEM) << n;
  }
  EXPECT_EQ(h.live_count(), 1u);
}

// ---- ENOMEM from the region -------------------------------------------------------------

TEST(FreeArrayHeapEnomem, FirstGrowthOfAnEmptyHeapFails) {
  HeapHarness h(Region(), SmallConfig());
  h.region().fail_next_growths(2);  // with and without preallocation
  errno = 0;
  EXPECT_EQ(h.malloc(100), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(h.state().heap_start, nullptr);
  EXPECT_EQ(RegionBreak(h), 0u);
  EXPECT_EQ(h.region().stats().failed_growths, 2u);
  void* p = h.malloc(100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 8u);
  EXPECT_EQ(Brk(h), 4216u);
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

TEST(FreeArrayHeapEnomem, FailedPreallocationIsRetriedWithoutIt) {
  HeapHarness h(Region(), SmallConfig());
  h.region().fail_next_growths(1);  // only the growth with preallocation fails
  void* p = h.malloc(100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(p), 8u);
  EXPECT_EQ(Brk(h), 120u);  // exactly block + end marker
  EXPECT_EQ(h.region().stats().failed_growths, 1u);
  EXPECT_EQ(h.region().stats().growths, 1u);
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

TEST(FreeArrayHeapEnomem, GrowthPastTheLimitFallsBackToTheExactSize) {
  HeapHarness h(Region(), SmallConfig());
  h.region().set_limit(1000);
  void* p = h.malloc(100);  // 4216 > 1000: retried at 120
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(Brk(h), 120u);
  void* q = h.malloc(100);  // again: 232
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(h.offset(q), 120u);
  EXPECT_EQ(Brk(h), 232u);
  EXPECT_EQ(h.region().stats().failed_growths, 2u);
  void* r = h.malloc(768);  // 224 + 776 + 8 = 1008 > 1000
  EXPECT_EQ(r, nullptr);
  EXPECT_EQ(h.region().stats().failed_growths, 4u);
  void* s = h.malloc(760);  // 224 + 768 + 8: the break lands exactly on the limit
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(h.offset(s), 232u);
  EXPECT_EQ(RegionBreak(h), 1000u);
  EXPECT_EQ(h.region().stats().failed_growths, 5u);
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

TEST(FreeArrayHeapEnomem, GrowthAtTopForMallocFails) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(100);
  void* b = h.malloc(3000);
  const size_t top = Top(h), brk = Brk(h);
  h.region().fail_next_growths(2);
  errno = 0;
  EXPECT_EQ(h.malloc(5000), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(Top(h), top);
  EXPECT_EQ(Brk(h), brk);
  EXPECT_EQ(RegionBreak(h), brk);
  void* c = h.malloc(5000);  // and then it works
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(h.offset(c), top + 8);
  EXPECT_EQ(h.heap().usable_size(a), 104u);
  EXPECT_EQ(h.heap().usable_size(b), 3000u);
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

TEST(FreeArrayHeapEnomem, ReallocAtTopFallsBackToMovingWhenGrowthInPlaceFails) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);          // [0, 112), brk 4216
  h.region().fail_next_growths(2);  // in place fails; the fallback's malloc then grows
  void* q = h.realloc(p, 8000);
  ASSERT_NE(q, nullptr);
  EXPECT_NE(q, p);
  EXPECT_EQ(h.offset(q), 120u);
  EXPECT_EQ(Entry(h, 0), E(112, 0));
  EXPECT_EQ(h.region().stats().failed_growths, 2u);
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

TEST(FreeArrayHeapEnomem, ReallocAtTopReturnsNullWhenNothingFitsAndKeepsTheBlock) {
  HeapHarness h(Region(), SmallConfig());
  void* keep = h.malloc(50);
  void* p = h.malloc(100);  // [64, 176)
  const size_t top = Top(h), brk = Brk(h);
  h.region().fail_next_growths(4);  // in place (2) and the fallback's malloc (2)
  errno = 0;
  EXPECT_EQ(h.realloc(p, 8000), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(h.live().count(p), 1u);
  EXPECT_EQ(h.heap().usable_size(p), 104u);
  EXPECT_EQ(Top(h), top);
  EXPECT_EQ(Brk(h), brk);
  EXPECT_EQ(h.state().length, 0u);
  // The same with a limit instead of injected failures.
  h.region().set_limit(RegionBreak(h));
  EXPECT_EQ(h.realloc(p, 8000), nullptr);
  EXPECT_EQ(h.heap().usable_size(p), 104u);
  h.region().set_limit(h.region().reserve_bytes());
  EXPECT_EQ(h.realloc(p, 8000), p);  // now in place
  EXPECT_EQ(h.heap().usable_size(keep), 56u);
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

TEST(FreeArrayHeapEnomem, ReallocFallbackMallocFails) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);
  void* s = h.malloc(8);
  const size_t top = Top(h);
  h.region().fail_next_growths(2);
  errno = 0;
  EXPECT_EQ(h.realloc(p, 8000), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(h.heap().usable_size(p), 104u);
  EXPECT_FALSE(PrevFree(s));
  EXPECT_EQ(Top(h), top);
  EXPECT_EQ(h.state().length, 0u);
  void* q = h.realloc(p, 8000);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(h.offset(q), top + 8);
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

TEST(FreeArrayHeapEnomem, CallocGrowthFails) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(100);
  h.region().fail_next_growths(2);
  errno = 0;
  EXPECT_EQ(h.calloc(100, 100), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(Top(h), 112u);
  void* b = h.calloc(100, 100);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(h.offset(b), 120u);
  EXPECT_EQ(h.heap().usable_size(a), 104u);
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

TEST(FreeArrayHeapEnomem, FreeBlocksStillServeWhenTheBreakCannotGrow) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(1000);
  h.malloc(8);
  h.free(a);
  h.region().set_limit(RegionBreak(h));
  void* p = h.malloc(3100);  // fits the preallocation
  EXPECT_NE(p, nullptr);
  EXPECT_EQ(h.malloc(2000), nullptr);  // nowhere
  void* q = h.malloc(900);             // the free block
  EXPECT_EQ(q, a);
  ExpectNothingLostAndEmptyAfterFreeingAll(h);
}

// ---- foreign moves of the break ---------------------------------------------------------

TEST(FreeArrayHeapForeign, ForeignGrowBeforeTheFirstGrowthIsSkippedAligned) {
  HeapHarness h(Region(), SmallConfig());
  ASSERT_TRUE(h.region().foreign_grow(13));
  void* p = h.malloc(100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.offset(h.state().heap_start), 16u);
  EXPECT_EQ(h.offset(p), 24u);
  EXPECT_EQ(h.offset(h.state().brk), 16u + 112u + 8u + 4096u);
  EXPECT_EQ(WalkHeap(h).fences, 0u);
  h.free(p);
  EXPECT_EQ(h.state().top, h.state().heap_start);
}

TEST(FreeArrayHeapForeign, LaterGrowthFencesOffTheForeignSpan) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(100);                   // [0, 112), brk 4216
  ASSERT_TRUE(h.region().foreign_grow(13));  // [4216, 4229)
  void* b = h.malloc(8000);  // beyond the preallocation: fence [112, 4232), block at 4232
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(h.offset(b), 4240u);
  EXPECT_EQ(load_word(h.region().start() + 112), (4232u - 112u) | kFence);
  EXPECT_EQ(Top(h), 4232u + 8008u);
  EXPECT_EQ(Brk(h), 12240u + 8u + 8192u);
  Walk w = WalkHeap(h);
  EXPECT_EQ(w.fences, 1u);
  EXPECT_EQ(w.used, 2u);
  // The foreign span is not at the top any more: the other party cannot take it back.
  EXPECT_FALSE(h.region().foreign_release());
  EXPECT_EQ(h.heap().usable_size(a), 104u);
}

TEST(FreeArrayHeapForeign, FreeingEverythingNeverLowersTheBreakUnderTheForeignSpan) {
  HeapHarness h(Region(), SmallConfig());
  void* a = h.malloc(100);                   // [0, 112), brk 4216
  ASSERT_TRUE(h.region().foreign_grow(13));  // [4216, 4229)
  void* big = h.malloc(40000);               // fence [112, 4232), block [4232, 44240)
  ASSERT_EQ(h.offset(big), 4240u);
  h.free(big);  // top = 4232: release to 4232 + 8 + 4096, above the span
  EXPECT_EQ(Top(h), 4232u);
  EXPECT_EQ(RegionBreak(h), 4232u + 8u + 4096u);
  h.free(a);  // a free block before the fence
  EXPECT_EQ(Entry(h, 0), E(112, 0));
  EXPECT_EQ(Top(h), 4232u);
  EXPECT_GE(RegionBreak(h), 4229u);
  const ForeignSpan& span = h.region().foreign_span(0);
  EXPECT_GE(RegionBreak(h), span.offset + span.length);
  EXPECT_EQ(WalkHeap(h).used, 0u);
  EXPECT_EQ(WalkHeap(h).fence_bytes, 4120u);
  EXPECT_EQ(h.state().free_bytes + WalkHeap(h).fence_bytes, Top(h));
  // The free block before the fence is reused as usual.
  void* c = h.malloc(104);
  EXPECT_EQ(c, a);
  EXPECT_EQ(h.state().length, 0u);
}

TEST(FreeArrayHeapForeign, NoReleaseWhileAForeignSpanLiesAboveTheHeapsBreak) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(100);
  void* big = h.malloc(40000);                // brk 48320
  ASSERT_TRUE(h.region().foreign_grow(100));  // [48320, 48420)
  h.free(big);
  EXPECT_EQ(Top(h), 112u);
  EXPECT_EQ(Brk(h), 48320u);  // the heap keeps its break
  EXPECT_EQ(RegionBreak(h), 48420u);
  EXPECT_EQ(h.region().stats().moves, 2u);
  // Once the other party gives its span back, the next top release goes ahead.
  ASSERT_TRUE(h.region().foreign_release());
  void* again = h.malloc(100);
  h.free(again);
  EXPECT_EQ(RegionBreak(h), 112u + 8u + 4096u);
}

TEST(FreeArrayHeapForeign, ForeignReleaseAtTheTopLetsTheHeapContinueWithoutAFence) {
  HeapHarness h(Region(), SmallConfig());
  h.malloc(100);                             // brk 4216
  ASSERT_TRUE(h.region().foreign_grow(13));  // [4216, 4229)
  void* q = h.malloc(1000);                  // fits the preallocation: no break move
  EXPECT_EQ(h.offset(q), 120u);
  EXPECT_EQ(RegionBreak(h), 4229u);
  ASSERT_TRUE(h.region().foreign_release());  // still at the top
  EXPECT_EQ(RegionBreak(h), 4216u);
  void* r = h.malloc(8000);  // grows from top, no fence
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(h.offset(r), 1128u);
  EXPECT_EQ(h.heap().usable_size(r), 8000u);
  EXPECT_EQ(Brk(h), 1120u + 8008u + 8u + 8192u);
  EXPECT_EQ(WalkHeap(h).fences, 0u);
}

TEST(FreeArrayHeapForeign, ReallocAtTopAfterAForeignGrowMovesWithinThePreallocation) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);                   // [0, 112), brk 4216
  ASSERT_TRUE(h.region().foreign_grow(16));  // [4216, 4232)
  void* q = h.realloc(p, 200);
  ASSERT_NE(q, nullptr);
  EXPECT_NE(q, p);  // not in place
  EXPECT_EQ(h.offset(q), 120u);
  EXPECT_EQ(Entry(h, 0), E(112, 0));
  EXPECT_EQ(RegionBreak(h), 4232u);
  EXPECT_EQ(Brk(h), 4216u);
}

TEST(FreeArrayHeapForeign, ReallocAtTopAfterAForeignGrowMovesAboveAFence) {
  HeapHarness h(Region(), SmallConfig());
  void* p = h.malloc(100);                   // [0, 112), brk 4216
  ASSERT_TRUE(h.region().foreign_grow(13));  // [4216, 4229)
  void* q = h.realloc(p, 8000);              // may not extend into [4216, 4229)
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(h.offset(q), 4240u);
  // The fence follows the freed old block, so it carries PREV_FREE.
  EXPECT_EQ(load_word(h.region().start() + 112), (4232u - 112u) | kFence | kPrevFree);
  EXPECT_EQ(Entry(h, 0), E(112, 0));
  EXPECT_EQ(WalkHeap(h).fences, 1u);
  EXPECT_EQ(h.region().first_clobbered_foreign_byte(), -1);
}

TEST(FreeArrayHeapForeign, SeveralForeignSpansAndFences) {
  HeapHarness h(Region(), SmallConfig());
  std::vector<void*> ps;
  for (size_t i = 0; i < 8; ++i) {
    ASSERT_TRUE(h.region().foreign_grow(1 + i * 1001));
    void* p = h.malloc(20000 + i * 8);  // beyond the preallocation: a fence (except the first)
    ASSERT_NE(p, nullptr);
    ps.push_back(p);
  }
  Walk w = WalkHeap(h);
  EXPECT_EQ(w.used, 8u);
  EXPECT_GE(w.fences, 7u);
  for (void* p : ps) h.free(p);
  w = WalkHeap(h);
  EXPECT_EQ(w.used, 0u);
  EXPECT_EQ(w.free_bytes + w.fence_bytes, Top(h));
  for (size_t i = 0; i < h.region().foreign_span_count(); ++i) {
    const ForeignSpan& s = h.region().foreign_span(i);
    EXPECT_GE(RegionBreak(h), s.offset + s.length);
    EXPECT_LE(s.offset + s.length, h.offset(h.state().top));
  }
}

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
