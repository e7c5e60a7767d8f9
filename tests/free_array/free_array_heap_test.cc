// Unit tests of FreeArrayHeap, the seed's brk allocator on 64-bit (docs/DESIGN.md section 3):
// malloc, from the top and from the free array.
//
// Every operation goes through HeapHarness, so after every step the white-box checker runs
// with the requested sizes, every live block's contents and bounds are verified and the
// foreign spans are checked for clobbering. On top of that each test asserts the exact
// layout it expects: region offsets of blocks, block sizes (via usable_size), free-array
// entries, gaps, free bytes, top and the break. Offsets are bytes from the region's start;
// the heap starts at offset 0 of a fresh region, so a first block of b bytes has its payload
// at offset 8 and the next block begins at offset b.
//
// The other free_array_heap_*_test.cc files hold free and coalescing; the break (release and
// hysteresis); realloc; calloc; ENOMEM and sizes near SIZE_MAX; foreign moves of the break;
// placement and a fixed region. Their helpers are in free_array_heap_support.h.
#include "allocator/free_array/free_array_heap.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"
#include "tests/free_array/free_array_heap_support.h"
#include "tests/free_array/heap_harness.h"

namespace allocfuzz::testing {
namespace {

using layout::kFree;
using layout::kIndexShift;
using layout::load_word;

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

}  // namespace
}  // namespace allocfuzz::testing
