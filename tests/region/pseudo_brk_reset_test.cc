// Unit tests for PseudoBrk: reset() restores a fresh state, and memory reads zero after it.
#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>

#include "allocator/region/pseudo_brk.h"
#include "tests/region/memory_access.h"
#include "tests/region/pseudo_brk_fixture.h"

namespace allocfuzz {
namespace {

using testing::BytesAre;
using testing::fill;
using testing::kSbrkFailed;
using testing::kSmallReserve;
using testing::protection_name;
using testing::PseudoBrkMemoryTest;
using testing::PseudoBrkTest;
using testing::stats;
using testing::StatsAre;

INSTANTIATE_TEST_SUITE_P(Modes, PseudoBrkMemoryTest,
                         ::testing::Values(Protection::kStrict, Protection::kPoison),
                         protection_name);

// ---------------------------------------------------------------------------------------------
// 7. reset
// ---------------------------------------------------------------------------------------------

TEST_F(PseudoBrkTest, ResetRestoresAFreshState) {
  char* start = r_.start();
  ASSERT_EQ(r_.sbrk(5000), r_.start());
  ASSERT_TRUE(r_.foreign_grow(77));
  r_.set_limit(6000);
  ASSERT_EQ(r_.sbrk(1000), kSbrkFailed);
  r_.fail_next_growths(9);
  ASSERT_EQ(r_.sbrk(1), kSbrkFailed);

  r_.reset();
  EXPECT_EQ(r_.start(), start);
  EXPECT_EQ(r_.reserve_bytes(), kSmallReserve);
  EXPECT_EQ(r_.current_break(), start);
  EXPECT_EQ(r_.foreign_span_count(), 0u);
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), -1);
  EXPECT_EQ(r_.pending_growth_failures(), 0u);
  EXPECT_EQ(r_.limit(), kSmallReserve);
  EXPECT_TRUE(StatsAre(r_.stats(), stats(0, 0, 0, 0, 0, 0)));

  // Growth past the old limit works, and the first foreign span is ordinal 0 again.
  ASSERT_EQ(r_.sbrk(7000), start);
  ASSERT_TRUE(r_.foreign_grow(5));
  EXPECT_EQ(r_.foreign_span(0).ordinal, 0u);
  EXPECT_EQ(static_cast<uint8_t>(r_.start()[7000]), PseudoBrk::foreign_byte(0, 0));
}

TEST_P(PseudoBrkMemoryTest, MemoryReadsZeroAfterResetAndRegrowth) {
  const size_t n = 3 * kPageSize + 5;
  ASSERT_EQ(r_.sbrk(n), r_.start());
  fill(r_.start(), 0, n, 0x99);
  ASSERT_TRUE(r_.foreign_grow(1000));
  r_.reset();
  ASSERT_EQ(r_.sbrk(n + 1000 + kPageSize), r_.start());
  EXPECT_TRUE(BytesAre(r_.start(), 0, n + 1000 + kPageSize, 0));
}

TEST_P(PseudoBrkMemoryTest, ResetAfterLoweringThenRegrowthReadsZero) {
  // Dirty bytes above the break (kept by a lowering within a page) must be zero after reset too.
  ASSERT_EQ(r_.sbrk(3000), r_.start());
  fill(r_.start(), 0, 3000, 0x5c);
  ASSERT_EQ(r_.brk(at(1000)), 0);
  r_.reset();
  ASSERT_EQ(r_.sbrk(3000), r_.start());
  EXPECT_TRUE(BytesAre(r_.start(), 0, 3000, 0));
}

TEST_P(PseudoBrkMemoryTest, ThousandResetsWithSmallGrowthStayCorrect) {
  for (uint32_t i = 0; i < 1000; ++i) {
    const size_t n = 1 + (i * 2654435761u) % 9000;
    ASSERT_EQ(r_.sbrk(static_cast<intptr_t>(n)), r_.start()) << i;
    ASSERT_TRUE(BytesAre(r_.start(), 0, n, 0)) << i;
    fill(r_.start(), 0, n, static_cast<uint8_t>(i | 1));
    if (i % 3 == 0) {
      ASSERT_TRUE(r_.foreign_grow(1 + i % 17)) << i;
      ASSERT_EQ(r_.first_clobbered_foreign_byte(), -1) << i;
    }
    if (i % 5 == 0) ASSERT_EQ(r_.brk(at(n / 2)), 0) << i;
    r_.reset();
    ASSERT_EQ(r_.current_break(), r_.start()) << i;
    ASSERT_EQ(r_.foreign_span_count(), 0u) << i;
    ASSERT_TRUE(StatsAre(r_.stats(), stats(0, 0, 0, 0, 0, 0))) << i;
  }
}

}  // namespace
}  // namespace allocfuzz
