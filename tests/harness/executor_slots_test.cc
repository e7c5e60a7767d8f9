// Tests of the executor (fuzz/harness/executor.h): slot semantics (FORMAT.md), seen through a
// correct heap that records the calls it serves (RecordingHeap, executor_heaps.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_checker.h"
#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/content_pattern.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/oracle/shadow.h"
#include "fuzz/program/ops.h"
#include "fuzz/program/ops_text.h"
#include "tests/harness/executor_heaps.h"
#include "tests/harness/executor_rig.h"
#include "tests/support/harness_support.h"

namespace allocfuzz {
namespace {

using testing::Call;
using testing::Describe;
using testing::MakeRig;
using testing::MakeSeedRig;
using testing::Parse;
using testing::RecordingHeap;
using testing::ResultRecorder;

// ---- slot semantics (FORMAT.md) ----------------------------------------------------------

TEST(Slots, MallocIntoALiveSlotFreesTheOldBlockFirst) {
  auto rig = MakeRig<RecordingHeap>(Placement::kHigh);
  ASSERT_TRUE(rig);
  auto& heap = static_cast<RecordingHeap&>(*rig->heap);
  Program program = Parse(R"(# allocfuzz ops v1
malloc s0 24
malloc s1 24
malloc s0 24      # s0's old block is freed first, so the new one is the same block
calloc s1 3 8     # the same for calloc
)");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    ResultRecorder recorder;
    EXPECT_EQ(Describe(rig->run(program, mode, &recorder).finding), "ok");
    EXPECT_EQ(heap.calls, (std::vector<Call>{{"malloc", SIZE_MAX, 24},
                                             {"malloc", SIZE_MAX, 24},
                                             {"free", 8, 0},
                                             {"malloc", SIZE_MAX, 24},
                                             {"free", 40, 0},
                                             {"calloc", SIZE_MAX, 24}}));
    ASSERT_EQ(recorder.results.size(), 4u);
    EXPECT_EQ(recorder.results[2].offset, 8u);
    EXPECT_EQ(recorder.results[3].offset, 40u);
    EXPECT_EQ(rig->executor->shadow().live_count(), 2u);
  }
}

TEST(Slots, FreeOfAnEmptySlotDoesNothing) {
  auto rig = MakeRig<RecordingHeap>(Placement::kHigh);
  ASSERT_TRUE(rig);
  auto& heap = static_cast<RecordingHeap&>(*rig->heap);
  Program program = Parse(R"(# allocfuzz ops v1
free s3
malloc s0 8
free s0
free s0
fill s0
)");
  Outcome out = rig->run(program, CheckMode::kEveryOp);
  EXPECT_EQ(Describe(out.finding), "ok");
  EXPECT_EQ(heap.calls, (std::vector<Call>{{"malloc", SIZE_MAX, 8}, {"free", 8, 0}}));
  EXPECT_EQ(out.stats.ops, 5u);
  EXPECT_EQ(out.stats.full_checks, 3u) << "malloc, free and the end; the no-ops check nothing";
  EXPECT_EQ(rig->executor->shadow().live_count(), 0u);
}

TEST(Slots, ReallocOfAnEmptySlotIsMalloc) {
  auto rig = MakeRig<RecordingHeap>(Placement::kHigh);
  ASSERT_TRUE(rig);
  auto& heap = static_cast<RecordingHeap&>(*rig->heap);
  Program program = Parse(R"(# allocfuzz ops v1
realloc s2 40
)");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    EXPECT_EQ(Describe(rig->run(program, mode).finding), "ok");
    EXPECT_EQ(heap.calls, (std::vector<Call>{{"realloc", SIZE_MAX, 40}}));
    const SlotState& s2 = rig->executor->shadow().slot(2);
    ASSERT_NE(s2.p, nullptr);
    EXPECT_EQ(rig->region.offset_of(s2.p), 8u);
    EXPECT_EQ(s2.requested, 40u);
    EXPECT_EQ(first_pattern_mismatch(s2.p, 40, s2.id), SIZE_MAX) << "the user's pattern is there";
  }
}

TEST(Slots, ReallocToZeroFrees) {
  auto rig = MakeRig<RecordingHeap>(Placement::kHigh);
  ASSERT_TRUE(rig);
  auto& heap = static_cast<RecordingHeap&>(*rig->heap);
  Program program = Parse(R"(# allocfuzz ops v1
malloc s0 40
malloc s1 24
realloc s0 0
malloc s2 40      # s0's block again
)");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    ResultRecorder recorder;
    EXPECT_EQ(Describe(rig->run(program, mode, &recorder).finding), "ok");
    EXPECT_EQ(heap.calls[2], (Call{"realloc", 8, 0}));
    EXPECT_EQ(rig->executor->shadow().slot(0).p, nullptr);
    EXPECT_EQ(rig->executor->shadow().live_count(), 2u);
    ASSERT_EQ(recorder.results.size(), 4u);
    EXPECT_TRUE(recorder.results[2].null);
    EXPECT_EQ(recorder.results[3].offset, 8u);
  }
}

TEST(Slots, FillRewritesAndLaterChecksUseTheNewPattern) {
  auto rig = MakeSeedRig(Placement::kHigh);
  ASSERT_TRUE(rig);
  Program program = Parse(R"(# allocfuzz ops v1
malloc s0 40      # allocation #1
malloc s1 24      # allocation #2
fill s0           # allocation #3
check
realloc s0 20     # verifies s0 against #3 first; the block is allocation #4
fill s0           # allocation #5
)");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    EXPECT_EQ(Describe(rig->run(program, mode).finding), "ok");
    const Shadow& shadow = rig->executor->shadow();
    const SlotState& s0 = shadow.slot(0);
    EXPECT_EQ(s0.id, 5u);
    EXPECT_EQ(first_pattern_mismatch(s0.p, 20, 5), SIZE_MAX);
    EXPECT_NE(first_pattern_mismatch(s0.p, 20, 4), SIZE_MAX);
    EXPECT_EQ(shadow.verify_slot(0), std::nullopt);
  }
  // The old pattern written back now counts as corruption, and says whose it was (words 0 of
  // #4 and #5 differ first in byte 4, where the id begins).
  const SlotState& s0 = rig->executor->shadow().slot(0);
  fill_pattern(s0.p, 20, 4);
  std::optional<Finding> f = rig->executor->shadow().verify_slot(0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind.text(), "content-corrupted");
  EXPECT_EQ(f->message,
            "byte 4 of live block s0 at +0x000008 (20 bytes) changed behind the user's back; the "
            "word there is byte 0 of allocation #4's pattern");
}

TEST(Slots, CheckRunsAFullCheck) {
  auto rig = MakeSeedRig(Placement::kHigh);
  ASSERT_TRUE(rig);
  Program without = Parse(R"(# allocfuzz ops v1
malloc s0 4096
malloc s1 24
)");
  Program with = Parse(R"(# allocfuzz ops v1
malloc s0 4096
check
malloc s1 24
)");
  Outcome a = rig->run(without, CheckMode::kAmortized);
  Outcome b = rig->run(with, CheckMode::kAmortized);
  EXPECT_EQ(Describe(a.finding), "ok");
  EXPECT_EQ(Describe(b.finding), "ok");
  EXPECT_EQ(b.stats.full_checks, a.stats.full_checks + 1);
  EXPECT_EQ(b.stats.near_checks, a.stats.near_checks) << "check is no cheap check";
  // (The middle-of-block corruption found exactly at `check` is in
  // WriteIntoTheMiddleOfALiveBlockIsFoundByTheNextFullCheck.)
}

}  // namespace
}  // namespace allocfuzz
