// Fixtures of the heap checker's tests (tests/free_array/heap_checker*_test.cc): a small heap of
// known layout (the base heap, and the fence heap above it) built through HeapHarness, its
// offsets, the fixtures that start every corruption test from it, and EXPECT_VIOLATION.
#ifndef ALLOCFUZZ_TESTS_FREE_ARRAY_HEAP_CHECKER_FIXTURE_H_
#define ALLOCFUZZ_TESTS_FREE_ARRAY_HEAP_CHECKER_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <ostream>

#include "allocator/free_array/heap_checker.h"
#include "allocator/free_array/heap_layout.h"
#include "tests/free_array/heap_harness.h"

namespace allocfuzz {

// gtest prints an Invariant by its stable ID.
inline void PrintTo(Invariant inv, std::ostream* os) {
  auto i = static_cast<size_t>(inv);
  if (i < std::size(kInvariants)) {
    *os << kInvariants[i].id;
  } else {
    *os << "Invariant(" << i << ")";
  }
}

namespace testing {

inline constexpr size_t kNo = HeapViolation::kNoEntry;

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
inline constexpr size_t kA = 0x000;
inline constexpr size_t kFreeB = 0x020;
inline constexpr size_t kC = 0x050;
inline constexpr size_t kD = 0x070;
inline constexpr size_t kE = 0x0b0;
inline constexpr size_t kFreeF = 0x0d0;
inline constexpr size_t kG = 0x100;
inline constexpr size_t kTop = 0x120;
inline constexpr size_t kBrk = 0x1028;

struct BaseBlocks {
  void* a = nullptr;
  void* c = nullptr;
  void* d = nullptr;
  void* e = nullptr;
  void* g = nullptr;
};

inline void build_base_heap(HeapHarness& h, BaseBlocks* out) {
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
inline constexpr size_t kFence0 = kTop;
inline constexpr size_t kFenceSize = 0x1090 - kTop;
inline constexpr size_t kSpan = kBrk;
inline constexpr size_t kBig = 0x1090;

inline void build_fence_heap(HeapHarness& h, BaseBlocks* out) {
  build_base_heap(h, out);
  ASSERT_TRUE(h.region().foreign_grow(100));
  ASSERT_NE(h.malloc(4000), nullptr);
}

inline void expect_violation(const std::optional<HeapViolation>& v, Invariant inv, size_t offset,
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
  uint64_t word(size_t offset) { return layout::load_word(at(offset)); }
  void set_word(size_t offset, uint64_t w) { layout::store_word(at(offset), w); }
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

}  // namespace testing
}  // namespace allocfuzz

#endif  // ALLOCFUZZ_TESTS_FREE_ARRAY_HEAP_CHECKER_FIXTURE_H_
