// Death tests of the heap checker (heap_checker.h): debug_check_heap and the heap's always-on
// misuse checks stop the process with the exact report.
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
#include "allocator/free_array/heap_checker.h"
#include "allocator/free_array/heap_layout.h"
#include "tests/free_array/heap_checker_fixture.h"
#include "tests/free_array/heap_harness.h"

namespace allocfuzz::testing {
namespace {

using layout::store_word;

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
}  // namespace allocfuzz::testing
