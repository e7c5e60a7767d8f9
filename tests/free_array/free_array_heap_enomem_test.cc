// Unit tests of FreeArrayHeap (docs/DESIGN.md section 3): sizes near SIZE_MAX and ENOMEM from the
// region, through HeapHarness (free_array_heap_test.cc says what every step checks).
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

}  // namespace
}  // namespace allocfuzz::testing
