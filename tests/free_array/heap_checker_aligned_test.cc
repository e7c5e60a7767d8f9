// The heap checker on the paths of memalign (heap_layout.h: the lead gap is a free block, the
// tail is split off beyond the split slack): each test corrupts the state after an aligned
// allocation the way a wrong aligned path would leave it, and expects the exact invariant,
// offset, entry and values.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>

#include "allocator/free_array/heap_checker.h"
#include "allocator/free_array/heap_layout.h"
#include "tests/free_array/heap_checker_fixture.h"
#include "tests/free_array/heap_harness.h"

namespace allocfuzz::testing {
namespace {

using layout::kFree;
using layout::kPrevFree;

// The aligned heap, as region offsets:
//
//   +0x000  a      used  32
//   +0x020  (gap)  free  216  entry 0   the lead gap of p
//   +0x0f8  p      used  112  PREV_FREE payload +0x100, memalign(256, 100)
//   +0x168  (tail) free  680  entry 1
//   +0x410  c      used  32   PREV_FREE
//   +0x430  top
inline constexpr size_t kGap = 0x020;
inline constexpr size_t kGapSize = 216;
inline constexpr size_t kP = 0x0f8;
inline constexpr size_t kTail = 0x168;
inline constexpr size_t kAfterTail = 0x410;

class AlignedCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.malloc(24);
    void* big = h_.malloc(1000);
    c_ = h_.malloc(24);
    h_.free(big);
    p_ = h_.memalign(256, 100);
    ASSERT_NE(p_, nullptr);
    ASSERT_EQ(h_.offset(p_), kP + 8);
    ASSERT_EQ(word(kGap), (0u << layout::kIndexShift) | kFree);
    ASSERT_EQ(word(kP), 112u | kPrevFree);
    ASSERT_EQ(word(kTail), (1u << layout::kIndexShift) | kFree);
    ASSERT_EQ(h_.offset(c_), kAfterTail + 8);
    ASSERT_EQ(describe(h_.check()), "ok");
    ASSERT_EQ(describe(check_heap_near(h_.heap(), p_)), "ok");
  }

  char* at(size_t offset) { return h_.region().start() + offset; }
  uint64_t word(size_t offset) { return layout::load_word(at(offset)); }
  void set_word(size_t offset, uint64_t w) { layout::store_word(at(offset), w); }
  FreeArrayState& st() { return h_.heap().state_for_testing(); }

  HeapHarness h_;
  void* p_ = nullptr;
  void* c_ = nullptr;
};

TEST_F(AlignedCheckerTest, AGapWhoseTagIsWrongBreaksFreeTagAndTheNearCheckSeesIt) {
  set_word(kP - 8, 5);
  EXPECT_VIOLATION(h_.check(), Invariant::kFreeTag, kP - 8, 0, 0, 5);
  // From the aligned block alone: its PREV_FREE tag leads nowhere.
  EXPECT_VIOLATION(check_heap_near(h_.heap(), p_), Invariant::kPrevFree, kP, kNo, 0, 1);
}

TEST_F(AlignedCheckerTest, AGapMarkedFreeButNotInTheArrayBreaksFreeIndex) {
  st().entries[0] = layout::FreeEntry{0, 0};
  st().gaps = 1;
  st().free_bytes -= kGapSize;
  EXPECT_VIOLATION(h_.check(), Invariant::kFreeIndex, kGap, 0, 2, 0);
}

TEST_F(AlignedCheckerTest, AGapLeftAsAUsedBlockBreaksPrevFreeAtTheAlignedBlock) {
  // The gap never returned: a used block that nobody holds, and p's PREV_FREE now lies.
  set_word(kGap, kGapSize);
  EXPECT_VIOLATION(h_.check(), Invariant::kPrevFree, kP, kNo, 0, 1);
}

TEST_F(AlignedCheckerTest, AnAlignedBlockWithoutPrevFreeAfterItsGapBreaksPrevFree) {
  set_word(kP, 112);
  EXPECT_VIOLATION(h_.check(), Invariant::kPrevFree, kP, kNo, 1, 0);
}

TEST_F(AlignedCheckerTest, AnEightByteGapBreaksEntrySize) {
  // What a heap that kept a gap too small for a free block would record.
  st().entries[0].size = 8;
  st().free_bytes -= kGapSize - 8;
  EXPECT_VIOLATION(h_.check(), Invariant::kEntrySize, kGap, 0, layout::kMinBlock, 8);
}

TEST_F(AlignedCheckerTest, ATailKeptBeyondTheSplitSlackBreaksUsedSlack) {
  // The whole tail given to the block: 112 + 680 bytes for a request of 100.
  set_word(kP, (112 + (kAfterTail - kTail)) | kPrevFree);
  EXPECT_VIOLATION(h_.check(), Invariant::kUsedSlack, kP, kNo, 112 + layout::kSplitSlack,
                   112 + (kAfterTail - kTail));
}

TEST_F(AlignedCheckerTest, AGapThatRunsIntoTheAlignedBlockBreaksWalkEnd) {
  // The gap's entry says it runs 16 bytes into p (with its tag moved along, at p's payload):
  // the walk steps into p's payload and the blocks no longer tile the heap. The user's data
  // there is made 0 so that the word the walk meets is a known one.
  st().entries[0].size = kGapSize + 16;
  st().free_bytes += 16;
  set_word(kP + 8, 0);   // the tag: index 0
  set_word(kP + 16, 0);  // where the walk looks for the next header
  EXPECT_VIOLATION(h_.check(), Invariant::kWalkEnd, kP + 16, kNo, 0x430, kP + 16);
}

TEST(AlignedCheckerAtTop, AGapLeftAtTopBreaksTopFree) {
  HeapHarness h;
  h.malloc(24);                   // +0x00..+0x20
  void* p = h.memalign(64, 100);  // gap [+0x20, +0x38), block +0x38..+0xa8 = top
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(describe(h.check()), "ok");
  // A heap that dropped the block but not its gap: top comes down to the block's header.
  FreeArrayState& s = h.heap().state_for_testing();
  s.top = h.region().start() + 0x38;
  layout::store_word(s.top, 0);
  EXPECT_VIOLATION(check_heap(h.heap()), Invariant::kTopFree, 0x20, 0, 0, 1);
}

}  // namespace
}  // namespace allocfuzz::testing
