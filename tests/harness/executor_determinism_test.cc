// Tests of the executor (fuzz/harness/executor.h): determinism. The same finding twice and on
// high and low regions, identical correct runs, and no address in any message.
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

using testing::CallocOverflowHeap;
using testing::Describe;
using testing::DirtyCallocHeap;
using testing::Elsewhere;
using testing::ForeignBlockHeap;
using testing::ForeignScribbleHeap;
using testing::Maker;
using testing::MakeRig;
using testing::MakeSeedRig;
using testing::MisalignedHeap;
using testing::MisalignedOutsideHeap;
using testing::NeighbourScribbleHeap;
using testing::NoCopyReallocHeap;
using testing::OutOfRegionHeap;
using testing::Parse;
using testing::RandomProgram;
using testing::ResultRecorder;
using testing::RigMaker;
using testing::SameBlockTwiceHeap;
using testing::ShortUsableSizeHeap;
using testing::SpuriousNullHeap;
using testing::TagBreakingHeap;

// ---- determinism -------------------------------------------------------------------------

struct Case {
  const char* name;
  RigMaker make;
  std::string text;
};

std::vector<Case> FindingCases() {
  return {
      {"overlap", Maker<SameBlockTwiceHeap>(), "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\n"},
      {"overlap-foreign", Maker<ForeignBlockHeap>(),
       "# allocfuzz ops v1\nmalloc s0 24\nforeign-grow 4096\nmalloc s1 24\n"},
      {"realloc-lost-data", Maker<NoCopyReallocHeap>(),
       "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\nrealloc s0 100\n"},
      {"misaligned", Maker<MisalignedHeap>(), "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\n"},
      {"out-of-region-static", Maker<OutOfRegionHeap>(Elsewhere::kStaticBuffer),
       "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\n"},
      {"out-of-region-above", Maker<OutOfRegionHeap>(Elsewhere::kAboveBreak),
       "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\n"},
      {"calloc-not-zero", Maker<DirtyCallocHeap>(),
       "# allocfuzz ops v1\nmalloc s0 64\nmalloc s1 24\nfree s0\ncalloc s2 8 8\n"},
      {"usable-too-small", Maker<ShortUsableSizeHeap>(), "# allocfuzz ops v1\nmalloc s0 20\n"},
      {"spurious-null", Maker<SpuriousNullHeap>(),
       "# allocfuzz ops v1\nmalloc s0 1\nmalloc s1 2\nmalloc s2 3\n"},
      {"foreign-clobbered", Maker<ForeignScribbleHeap>(size_t{100}),
       "# allocfuzz ops v1\nmalloc s0 24\nforeign-grow 4096\nfree s0\n"},
      {"content-corrupted", Maker<NeighbourScribbleHeap>(size_t{2000}),
       "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 4096\nmalloc s2 8\nfree s0\ncheck\n"},
      {"api-contract", Maker<CallocOverflowHeap>(),
       "# allocfuzz ops v1\ncalloc s0 9223372036854775809 2\n"},
      {"heap-invariant", Maker<TagBreakingHeap>(),
       "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\nmalloc s2 24\nfree s1\n"},
  };
}

TEST(Determinism, SameFindingTwiceAndOnHighAndLowRegions) {
  for (const Case& c : FindingCases()) {
    SCOPED_TRACE(c.name);
    Program program = Parse(c.text);
    auto high = c.make(Placement::kHigh);
    auto low = c.make(Placement::kLow);
    ASSERT_TRUE(high && low);
    for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
      Outcome first = high->run(program, mode);
      Outcome second = high->run(program, mode);
      Outcome other = low->run(program, mode);
      ASSERT_TRUE(first.finding);
      EXPECT_EQ(Describe(first.finding), Describe(second.finding));
      EXPECT_EQ(Describe(first.finding), Describe(other.finding));
      EXPECT_EQ(first.stats.full_checks, other.stats.full_checks);
      EXPECT_EQ(first.stats.near_checks, other.stats.near_checks);
    }
  }
}

TEST(Determinism, CorrectHeapRunsAreIdentical) {
  Program program = RandomProgram(11, 2000, 64, Placement::kHigh);
  auto high = MakeSeedRig(Placement::kHigh);
  auto low = MakeSeedRig(Placement::kLow);
  ASSERT_TRUE(high && low);
  ResultRecorder a, b, c;
  Outcome first = high->run(program, CheckMode::kAmortized, &a);
  Outcome second = high->run(program, CheckMode::kAmortized, &b);
  Outcome other = low->run(program, CheckMode::kAmortized, &c);
  EXPECT_EQ(Describe(first.finding), "ok");
  EXPECT_EQ(Describe(second.finding), "ok");
  EXPECT_EQ(Describe(other.finding), "ok");
  EXPECT_EQ(first.stats.full_checks, second.stats.full_checks);
  EXPECT_EQ(first.stats.full_checks, other.stats.full_checks);
  EXPECT_EQ(first.stats.near_checks, other.stats.near_checks);
  ASSERT_EQ(a.results.size(), c.results.size());
  for (size_t i = 0; i < a.results.size(); ++i) {
    EXPECT_EQ(a.results[i].offset, b.results[i].offset) << "op " << i;
    EXPECT_EQ(a.results[i].offset, c.results[i].offset) << "op " << i;
  }
}

TEST(Determinism, MisalignedPointerOutsideTheRegionPrintsNoAddress) {
  // A pointer outside the region has no offset; printing `p - start` would print an address
  // that depends on where the region (and the pointer) lie.
  Program program = Parse("# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\n");
  auto high = MakeRig<MisalignedOutsideHeap>(Placement::kHigh);
  auto low = MakeRig<MisalignedOutsideHeap>(Placement::kLow);
  ASSERT_TRUE(high && low);
  Outcome a = high->run(program, CheckMode::kEveryOp);
  Outcome b = low->run(program, CheckMode::kEveryOp);
  ASSERT_TRUE(a.finding && b.finding);
  EXPECT_EQ(a.finding->op_index, 1u);
  EXPECT_EQ(Describe(a.finding), Describe(b.finding));
  EXPECT_EQ(a.finding->offset, SIZE_MAX) << Describe(a.finding);
}

}  // namespace
}  // namespace allocfuzz
