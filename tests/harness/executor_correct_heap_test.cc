// Tests of the executor (fuzz/harness/executor.h; docs/DESIGN.md sections 5 and 6): the correct
// FreeArrayHeap on programs that reach every operation and every realloc path (kEveryPath in
// executor_rig.cc) has no finding in either mode, and its statistics add up.
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

using testing::Describe;
using testing::kEveryPath;
using testing::MakeSeedRig;
using testing::ManyLiveBlocks;
using testing::Parse;
using testing::RandomProgram;
using testing::ResultRecorder;

TEST(CorrectHeap, EveryPathHasNoFindingInBothModesAndPlacements) {
  Program program = Parse(kEveryPath);
  ASSERT_EQ(program.ops.size(), 61u);
  std::vector<OpResult> first;
  for (Placement placement : {Placement::kHigh, Placement::kLow}) {
    auto rig = MakeSeedRig(placement);
    ASSERT_TRUE(rig);
    for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
      SCOPED_TRACE(std::string(placement_name(placement)) +
                   (mode == CheckMode::kEveryOp ? " every-op" : " amortized"));
      ResultRecorder recorder;
      Outcome out = rig->run(program, mode, &recorder);
      EXPECT_EQ(Describe(out.finding), "ok");
      ASSERT_EQ(recorder.results.size(), program.ops.size());
      const std::vector<OpResult>& r = recorder.results;
      // The realloc paths, seen from outside: moved or not, and where to.
      for (size_t i : {3, 4, 7, 8, 9, 10, 11, 12, 13, 40}) {
        EXPECT_FALSE(r[i].moved) << "op " << i;
        EXPECT_FALSE(r[i].null) << "op " << i;
      }
      for (size_t i : {5, 6, 20, 29}) EXPECT_TRUE(r[i].moved) << "op " << i;
      EXPECT_EQ(r[5].offset, 184u);
      EXPECT_EQ(r[6].offset, 40u);
      EXPECT_EQ(r[20].offset, 5184u);
      EXPECT_EQ(r[29].offset, 14392u);
      EXPECT_EQ(r[25].offset, 8u) << "calloc reuses s0's block";
      EXPECT_EQ(r[47].offset, 5352u);
      for (size_t i : {37, 39, 54, 55}) EXPECT_TRUE(r[i].null) << "op " << i;
      EXPECT_FALSE(r[30].applied);
      EXPECT_TRUE(r[34].applied);
      EXPECT_TRUE(r[44].applied);
      EXPECT_LT(rig->region.stats().break_offset, rig->region.stats().peak_break_offset)
          << "op 46 gives memory back";
      EXPECT_EQ(rig->executor->shadow().slot(10).requested, 200000u);

      EXPECT_EQ(out.stats.ops, program.ops.size());
      if (mode == CheckMode::kEveryOp) {
        EXPECT_EQ(out.stats.near_checks, 0u);
        // One full check per operation that did something, two for a realloc that moved or a
        // malloc into a live slot, none for fail-grow and no-ops; one at the end.
        // Here 7 operations check nothing (fail-grow 36 and 38, the NULLs of 37, 54 and 55,
        // which change nothing, and the no-ops 49 and 50), and 5 check twice (the moving
        // reallocs 5, 6, 20 and 29 check the old place too; 47 frees s1 first).
        EXPECT_EQ(out.stats.full_checks, out.stats.ops + 1 - 7 + 5);
      } else {
        EXPECT_GE(out.stats.near_checks, out.stats.ops - 7);
        EXPECT_GE(out.stats.full_checks, 2u) << "check and the end";
        EXPECT_LT(out.stats.full_checks, out.stats.ops);
      }
      if (first.empty()) {
        first = r;
      } else {
        for (size_t i = 0; i < r.size(); ++i) {
          EXPECT_EQ(r[i].offset, first[i].offset) << "op " << i;
          EXPECT_EQ(r[i].null, first[i].null) << "op " << i;
        }
      }
    }
  }
}

TEST(CorrectHeap, EveryOpRunsOneFullCheckPerOperationAndOneAtTheEnd) {
  // Each operation here does one thing (no no-ops, no fail-grow, no moving realloc).
  Program program = Parse(R"(# allocfuzz ops v1
malloc s0 24
malloc s1 100
calloc s2 4 4
fill s1
realloc s1 40
realloc s0 16
foreign-grow 100
free s2
malloc s3 5000
free s0
foreign-release
)");
  auto rig = MakeSeedRig(Placement::kHigh);
  ASSERT_TRUE(rig);
  ResultRecorder recorder;
  Outcome every = rig->run(program, CheckMode::kEveryOp, &recorder);
  EXPECT_EQ(Describe(every.finding), "ok");
  for (const OpResult& r : recorder.results) EXPECT_FALSE(r.moved || r.null);
  EXPECT_EQ(every.stats.ops, 11u);
  EXPECT_EQ(every.stats.full_checks, every.stats.ops + 1);
  EXPECT_EQ(every.stats.near_checks, 0u);

  Outcome amortized = rig->run(program, CheckMode::kAmortized);
  EXPECT_EQ(Describe(amortized.finding), "ok");
  EXPECT_EQ(amortized.stats.ops, 11u);
  EXPECT_GE(amortized.stats.near_checks, amortized.stats.ops);
  EXPECT_GE(amortized.stats.full_checks, 1u);
  EXPECT_LT(amortized.stats.full_checks, every.stats.full_checks);
}

TEST(CorrectHeap, AmortizedRunsFarFewerFullChecks) {
  Program program = ManyLiveBlocks();
  auto rig = MakeSeedRig(Placement::kHigh);
  ASSERT_TRUE(rig);
  Outcome amortized = rig->run(program, CheckMode::kAmortized);
  EXPECT_EQ(Describe(amortized.finding), "ok");
  EXPECT_EQ(amortized.stats.ops, program.ops.size());
  EXPECT_GE(amortized.stats.full_checks, 1u);
  EXPECT_LT(amortized.stats.full_checks * 100, amortized.stats.ops)
      << amortized.stats.full_checks << " full checks";
  EXPECT_GE(amortized.stats.near_checks, amortized.stats.ops);

  Outcome every = rig->run(program, CheckMode::kEveryOp);
  EXPECT_EQ(Describe(every.finding), "ok");
  EXPECT_GE(every.stats.full_checks, every.stats.ops);
}

TEST(CorrectHeap, RandomProgramsHaveNoFinding) {
  for (Placement placement : {Placement::kHigh, Placement::kLow}) {
    auto rig = MakeSeedRig(placement);
    ASSERT_TRUE(rig);
    for (uint32_t seed = 1; seed <= 6; ++seed) {
      Program program = RandomProgram(seed, 1500, 48, placement);
      for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
        Outcome out = rig->run(program, mode);
        EXPECT_EQ(Describe(out.finding), "ok")
            << placement_name(placement) << " seed " << seed
            << (mode == CheckMode::kEveryOp ? " every-op" : " amortized") << "\n"
            << (out.finding && out.finding->op_index < program.ops.size()
                    ? format_op(program.ops[out.finding->op_index])
                    : std::string());
      }
    }
  }
}

}  // namespace
}  // namespace allocfuzz
