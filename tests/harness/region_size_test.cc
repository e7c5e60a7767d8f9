// The region's size per program (`# region-size:`, PseudoBrk::set_size, program_region.h): the
// program regions reserve kMaxRegionSize and default to kProgramRegionBytes; a program's size
// is what the heap's init sees, what growth stops at and what makes a large NULL fair, and the
// next reset restores the default.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/heaps/plugin_adapter.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops_text.h"
#include "tests/harness/executor_rig.h"

extern "C" const allocfuzz_allocator* allocfuzz_plugin_test_v2(void);

namespace allocfuzz {
namespace {

using testing::Parse;

TEST(RegionSize, ProgramRegionsReserveTheMaximumAndDefaultToOneMiB) {
  PseudoBrk region;
  ASSERT_EQ(region.init(program_region_options(Placement::kHigh, Protection::kStrict)), 0);
  EXPECT_EQ(region.reservation(), kMaxRegionSize);
  EXPECT_EQ(region.reserve_bytes(), kProgramRegionBytes);
  EXPECT_FALSE(region.contains(region.start() + kProgramRegionBytes));
  ASSERT_TRUE(region.set_size(size_t{4} << 20));
  EXPECT_EQ(region.reserve_bytes(), size_t{4} << 20);
  EXPECT_TRUE(region.contains(region.start() + kProgramRegionBytes));
  EXPECT_NE(region.sbrk(static_cast<intptr_t>(size_t{3} << 20)), reinterpret_cast<void*>(-1));
  EXPECT_FALSE(region.set_size(size_t{2} << 20));  // below the break
  EXPECT_FALSE(region.set_size(kMaxRegionSize + 1));
  region.reset();
  EXPECT_EQ(region.reserve_bytes(), kProgramRegionBytes);
  errno = 0;
  EXPECT_EQ(region.sbrk(static_cast<intptr_t>(kProgramRegionBytes + 1)),
            reinterpret_cast<void*>(-1));
  EXPECT_EQ(errno, ENOMEM);
}

TEST(RegionSize, AProgramsSizeIsWhatTheHeapSeesAndWhereGrowthStops) {
  PseudoBrk region;
  ASSERT_EQ(region.init(program_region_options(Placement::kHigh, Protection::kStrict)), 0);
  std::unique_ptr<TestedHeap> heap = find_heap_kind("free-array")->make(region);
  Executor executor(region, *heap);
  // 3 MiB does not fit the default region but fits an 8 MiB one; 9 MiB fits neither, and its
  // NULL is fair (no region of that size could hold it).
  constexpr std::string_view kBig =
      "# allocfuzz ops v1\n"
      "# region-size: 8388608\n"
      "malloc s0 3145728\n"
      "malloc s1 9437184\n"
      "check\n";
  Outcome out = executor.run(Parse(kBig), CheckMode::kEveryOp);
  EXPECT_FALSE(out.finding.has_value()) << out.finding->message;
  EXPECT_GE(region.stats().peak_break_offset, size_t{3} << 20);
  EXPECT_EQ(region.reserve_bytes(), size_t{8} << 20);
  // The next program without the header runs on the default region again.
  Outcome plain = executor.run(Parse("# allocfuzz ops v1\nmalloc s0 100\n"), CheckMode::kEveryOp);
  EXPECT_FALSE(plain.finding.has_value());
  EXPECT_EQ(region.reserve_bytes(), kProgramRegionBytes);
}

TEST(RegionSize, ASmallerRegionRefusesWhatTheDefaultHolds) {
  PseudoBrk region;
  ASSERT_EQ(region.init(program_region_options(Placement::kLow, Protection::kStrict)), 0);
  std::unique_ptr<TestedHeap> heap = make_plugin_heap(*allocfuzz_plugin_test_v2(), region);
  Executor executor(region, *heap);
  // test_v2 takes up to 4096 bytes per request; three of them need more than 8 KiB.
  Outcome out = executor.run(Parse("# allocfuzz ops v1\n"
                                   "# region-size: 8192\n"
                                   "malloc s0 4000\n"
                                   "malloc s1 4000\n"
                                   "malloc s2 4000\n"
                                   "check\n"),
                             CheckMode::kEveryOp);
  EXPECT_FALSE(out.finding.has_value()) << out.finding->message;  // a fair NULL, ENOMEM
  EXPECT_EQ(region.stats().failed_growths, 1u);
  EXPECT_LE(region.stats().peak_break_offset, 8192u);
}

}  // namespace
}  // namespace allocfuzz
