// The drain probe (fuzz/harness/drain_probe.h) in-process: on correct heaps it never fails
// (free-array, glibc and kr, after many points of random programs, foreign moves and injected
// failures included), and on the catalogue's heaps without our checker it fails from the
// damaging operation on, at the step repro/tests/cli_drain_test.sh pins through replay.
#include "fuzz/harness/drain_probe.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/heaps/wrong/catalogue.h"
#include "fuzz/program/ops_text.h"
#include "tests/harness/executor_rig.h"
#include "tests/support/random_program.h"
#include "tests/support/xorshift.h"

namespace allocfuzz {
namespace {

using testing::Describe;
using testing::Parse;
using testing::ProgramMix;
using testing::random_program;

struct Lane {
  PseudoBrk region;
  std::unique_ptr<TestedHeap> heap;
  std::unique_ptr<Executor> executor;
  explicit Lane(const HeapKind& kind) {
    EXPECT_EQ(region.init(program_region_options(Placement::kHigh, Protection::kStrict)), 0);
    heap = kind.make(region);
    executor = std::make_unique<Executor>(region, *heap);
  }
};

uint64_t SmallSize(testing::XorShift& rng) { return rng.below(3000); }

constexpr ProgramMix kMix = {.slots = 16,
                             .mallocs = 8,
                             .foreign_grow_below = 5000,
                             .calloc_any_size_one_in = 8,
                             .realloc_zero_one_in = 6,
                             .size = SmallSize};

TEST(DrainProbe, CorrectHeapsPassEveryProbe) {
  for (const char* name : {"free-array", "glibc", "kr"}) {
    SCOPED_TRACE(name);
    const HeapKind* kind = find_heap_kind(name);
    ASSERT_NE(kind, nullptr);
    Lane lane(*kind);
    size_t probes = 0, steps = 0;
    for (uint64_t seed = 1; seed <= 12; ++seed) {
      const Program program = random_program(seed, 120, kMix);
      for (size_t last = 0; last < program.ops.size(); last += 7) {
        const DrainProbeResult r =
            run_drain_probe(*lane.executor, program, last, CheckMode::kAmortized);
        ASSERT_EQ(Describe(r.finding), "ok") << "seed " << seed << " after operation " << last
                                             << " in_prefix " << r.in_prefix << "\n"
                                             << print_ops_text(program);
        ++probes;
        steps += r.steps.size();
      }
    }
    EXPECT_EQ(probes, 12u * 18u);
    EXPECT_GT(steps, probes * 8) << "the probes freed and allocated next to nothing";
  }
}

const WrongHeapRow& Row(std::string_view name) {
  for (const WrongHeapRow& row : wrong_heap_catalogue()) {
    if (row.name == name) return row;
  }
  ADD_FAILURE() << "no row " << name;
  return wrong_heap_catalogue().front();
}

// Every probe before `broken` passes; the one after it fails with `kind` at `step`.
void ExpectFirstBroken(std::string_view name, size_t broken, std::string_view kind, size_t step) {
  const WrongHeapRow& row = Row(name);
  const HeapKind heap{row.name, row.boundary, row.make};
  Lane lane(heap);
  EXPECT_FALSE(lane.heap->has_checker());
  const Program program = Parse("# allocfuzz ops v1\n" + std::string(row.program));
  for (size_t last = 0; last < broken; ++last) {
    const DrainProbeResult r = run_drain_probe(*lane.executor, program, last, CheckMode::kEveryOp);
    EXPECT_EQ(Describe(r.finding), "ok") << "after operation " << last;
  }
  const DrainProbeResult r = run_drain_probe(*lane.executor, program, broken, CheckMode::kEveryOp);
  ASSERT_TRUE(r.finding.has_value());
  EXPECT_FALSE(r.in_prefix);
  EXPECT_EQ(r.finding->kind.text(), kind) << Describe(r.finding);
  EXPECT_EQ(drain_step(r.finding->op_index, broken), step) << Describe(r.finding);
}

TEST(DrainProbe, FirstBrokenOfEachPattern) {
  ExpectFirstBroken("wrong-drain-realloc-lists-twice", 2, "overlap", 4);
  ExpectFirstBroken("wrong-drain-realloc-loses-old", 1, "spurious-null", 8);
  ExpectFirstBroken("wrong-drain-realloc-keeps-old-size", 1, "overlap", 2);
}

TEST(DrainProbe, StepsAreFreesThenTheSameSizesThenOthers) {
  Lane lane(*find_heap_kind("free-array"));
  const Program program = Parse("# allocfuzz ops v1\nmalloc s3 24\nmalloc s1 100\nfail-grow 5\n");
  const DrainProbeResult r = run_drain_probe(*lane.executor, program, 2, CheckMode::kEveryOp);
  EXPECT_EQ(Describe(r.finding), "ok");  // the armed failures were disarmed
  std::string text;
  for (const Op& op : r.steps) text += format_op(op) + "\n";
  EXPECT_EQ(text,
            "free s1\nfree s3\nmalloc s1 100\nmalloc s3 24\nmalloc s0 8\nmalloc s2 24\n"
            "malloc s4 40\nmalloc s5 100\nmalloc s6 256\nmalloc s7 1000\nmalloc s8 4096\ncheck\n"
            "free s0\nfree s1\nfree s2\nfree s3\nfree s4\nfree s5\nfree s6\nfree s7\nfree s8\n");
}

}  // namespace
}  // namespace allocfuzz
