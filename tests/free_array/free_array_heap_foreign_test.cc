// Unit tests of FreeArrayHeap (docs/DESIGN.md section 3): foreign moves of the break, through
// HeapHarness (free_array_heap_test.cc says what every step checks).
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

using layout::kFence;
using layout::kPrevFree;
using layout::load_word;

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

}  // namespace
}  // namespace allocfuzz::testing
