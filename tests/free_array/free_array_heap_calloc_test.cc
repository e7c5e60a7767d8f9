// Unit tests of FreeArrayHeap (docs/DESIGN.md section 3): calloc, through HeapHarness
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

}  // namespace
}  // namespace allocfuzz::testing
