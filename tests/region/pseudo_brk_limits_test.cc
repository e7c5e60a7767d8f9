// Unit tests for PseudoBrk: limits, injected failures (fail_next_growths) and statistics.
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

using testing::kSbrkFailed;
using testing::kSmallReserve;
using testing::PseudoBrkTest;
using testing::stats;
using testing::StatsAre;

// ---------------------------------------------------------------------------------------------
// 3. limits
// ---------------------------------------------------------------------------------------------

TEST_F(PseudoBrkTest, GrowthBeyondTheLimitFailsAndGrowthUpToItSucceeds) {
  r_.set_limit(8192);
  EXPECT_EQ(r_.limit(), 8192u);
  errno = 0;
  EXPECT_EQ(r_.sbrk(8193), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.current_break(), r_.start());
  EXPECT_EQ(r_.sbrk(8192), r_.start());
  EXPECT_EQ(r_.current_break(), at(8192));
  errno = 0;
  EXPECT_EQ(r_.sbrk(1), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(r_.brk(at(8193)), -1);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.current_break(), at(8192));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(8192, 8192, 1, 3, 1, 3)));
}

TEST_F(PseudoBrkTest, BrkUpToExactlyTheLimitSucceeds) {
  r_.set_limit(1000);
  EXPECT_EQ(r_.brk(at(1001)), -1);
  EXPECT_EQ(r_.brk(at(1000)), 0);
  EXPECT_EQ(r_.current_break(), at(1000));
}

TEST_F(PseudoBrkTest, LimitBelowTheBreakDoesNotStopShrinking) {
  ASSERT_EQ(r_.sbrk(16384), r_.start());
  r_.set_limit(4096);
  EXPECT_EQ(r_.sbrk(-4096), at(16384));
  EXPECT_EQ(r_.current_break(), at(12288));
  EXPECT_EQ(r_.brk(at(8192)), 0);
  EXPECT_EQ(r_.current_break(), at(8192));
  // Still above the limit: no growth, not even by one byte.
  errno = 0;
  EXPECT_EQ(r_.sbrk(1), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.brk(at(4000)), 0);
  EXPECT_EQ(r_.brk(at(4096)), 0);  // up to the limit again
  EXPECT_EQ(r_.sbrk(1), kSbrkFailed);
  EXPECT_EQ(r_.current_break(), at(4096));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(4096, 16384, 5, 2, 2, 2)));
}

TEST_F(PseudoBrkTest, SetLimitClampsToTheReserve) {
  EXPECT_EQ(r_.limit(), kSmallReserve);
  r_.set_limit(kSmallReserve + 1);
  EXPECT_EQ(r_.limit(), kSmallReserve);
  r_.set_limit(SIZE_MAX);
  EXPECT_EQ(r_.limit(), kSmallReserve);
  r_.set_limit(12345);
  EXPECT_EQ(r_.limit(), 12345u);
  r_.set_limit(kSmallReserve);
  EXPECT_EQ(r_.limit(), kSmallReserve);
}

TEST_F(PseudoBrkTest, LimitZeroRefusesEveryGrowth) {
  r_.set_limit(0);
  errno = 0;
  EXPECT_EQ(r_.sbrk(1), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.brk(at(1)), -1);
  EXPECT_EQ(r_.brk(r_.start()), 0);
  EXPECT_EQ(r_.sbrk(0), r_.start());
  EXPECT_TRUE(StatsAre(r_.stats(), stats(0, 0, 0, 2, 0, 2)));
}

TEST_F(PseudoBrkTest, RaisingTheLimitAgainAllowsGrowth) {
  r_.set_limit(100);
  EXPECT_EQ(r_.sbrk(200), kSbrkFailed);
  r_.set_limit(200);
  EXPECT_EQ(r_.sbrk(200), r_.start());
  EXPECT_EQ(r_.current_break(), at(200));
}

// ---------------------------------------------------------------------------------------------
// 4. fail_next_growths and statistics
// ---------------------------------------------------------------------------------------------

TEST_F(PseudoBrkTest, FailNextGrowthsFailsExactlyTheNextKGrowthsThenGrowthWorks) {
  r_.fail_next_growths(3);
  EXPECT_EQ(r_.pending_growth_failures(), 3u);
  errno = 0;
  EXPECT_EQ(r_.sbrk(16), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.pending_growth_failures(), 2u);
  errno = 0;
  EXPECT_EQ(r_.brk(at(16)), -1);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.pending_growth_failures(), 1u);
  errno = 0;
  EXPECT_EQ(r_.sbrk(1), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.pending_growth_failures(), 0u);
  EXPECT_EQ(r_.current_break(), r_.start());

  EXPECT_EQ(r_.sbrk(16), r_.start());
  EXPECT_EQ(r_.brk(at(32)), 0);
  EXPECT_EQ(r_.current_break(), at(32));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(32, 32, 2, 3, 2, 3)));
}

TEST_F(PseudoBrkTest, ShrinkingWhileFailuresAreArmedWorksAndDoesNotSpendThem) {
  ASSERT_EQ(r_.sbrk(8192), r_.start());
  r_.fail_next_growths(2);
  EXPECT_EQ(r_.sbrk(-4096), at(8192));
  EXPECT_EQ(r_.brk(at(100)), 0);
  EXPECT_EQ(r_.sbrk(0), at(100));
  EXPECT_EQ(r_.brk(at(100)), 0);
  EXPECT_EQ(r_.current_break(), at(100));
  EXPECT_EQ(r_.pending_growth_failures(), 2u);
  EXPECT_EQ(r_.sbrk(1), kSbrkFailed);
  EXPECT_EQ(r_.brk(at(101)), -1);
  EXPECT_EQ(r_.pending_growth_failures(), 0u);
  EXPECT_EQ(r_.sbrk(1), at(100));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(101, 8192, 4, 2, 2, 2)));
}

TEST_F(PseudoBrkTest, GrowthRefusedByTheLimitDoesNotSpendAnArmedFailure) {
  r_.set_limit(4096);
  r_.fail_next_growths(1);
  errno = 0;
  EXPECT_EQ(r_.sbrk(8192), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.pending_growth_failures(), 1u);
  EXPECT_EQ(r_.brk(at(4097)), -1);
  EXPECT_EQ(r_.pending_growth_failures(), 1u);
  // Within the limit: now the armed failure is spent.
  errno = 0;
  EXPECT_EQ(r_.sbrk(4096), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.pending_growth_failures(), 0u);
  EXPECT_EQ(r_.sbrk(4096), r_.start());
  EXPECT_TRUE(StatsAre(r_.stats(), stats(4096, 4096, 1, 3, 1, 3)));
}

TEST_F(PseudoBrkTest, GrowthPastTheReserveDoesNotSpendAnArmedFailure) {
  r_.fail_next_growths(1);
  EXPECT_EQ(r_.sbrk(static_cast<intptr_t>(kSmallReserve + 1)), kSbrkFailed);
  EXPECT_EQ(r_.brk(at(kSmallReserve + 1)), -1);
  EXPECT_EQ(r_.sbrk(INTPTR_MAX), kSbrkFailed);
  EXPECT_EQ(r_.pending_growth_failures(), 1u);
  EXPECT_EQ(r_.sbrk(8), kSbrkFailed);
  EXPECT_EQ(r_.pending_growth_failures(), 0u);
  EXPECT_TRUE(StatsAre(r_.stats(), stats(0, 0, 0, 4, 0, 4)));
}

TEST_F(PseudoBrkTest, FailNextGrowthsZeroDisarms) {
  r_.fail_next_growths(5);
  r_.fail_next_growths(0);
  EXPECT_EQ(r_.pending_growth_failures(), 0u);
  EXPECT_EQ(r_.sbrk(8), r_.start());
}

TEST_F(PseudoBrkTest, FailNextGrowthsReplacesTheRemainingCount) {
  r_.fail_next_growths(5);
  EXPECT_EQ(r_.sbrk(8), kSbrkFailed);
  r_.fail_next_growths(1);
  EXPECT_EQ(r_.pending_growth_failures(), 1u);
  EXPECT_EQ(r_.sbrk(8), kSbrkFailed);
  EXPECT_EQ(r_.sbrk(8), r_.start());
}

TEST_F(PseudoBrkTest, StatsCountMovesGrowthsFailuresAndPeakExactly) {
  ASSERT_EQ(r_.sbrk(1000), r_.start());  // move, growth
  ASSERT_EQ(r_.brk(at(3000)), 0);        // move, growth
  ASSERT_EQ(r_.sbrk(-2500), at(3000));   // move
  ASSERT_EQ(r_.sbrk(0), at(500));        // nothing
  ASSERT_EQ(r_.brk(at(500)), 0);         // nothing
  r_.fail_next_growths(1);
  ASSERT_EQ(r_.sbrk(10), kSbrkFailed);    // failed move, failed growth
  ASSERT_EQ(r_.sbrk(-501), kSbrkFailed);  // failed move
  r_.set_limit(2000);
  ASSERT_EQ(r_.brk(at(2001)), -1);  // failed move, failed growth
  ASSERT_EQ(r_.brk(at(2000)), 0);   // move, growth (peak stays 3000)
  EXPECT_TRUE(StatsAre(r_.stats(), stats(2000, 3000, 4, 3, 3, 2)));
  r_.set_limit(kSmallReserve);
  ASSERT_EQ(r_.sbrk(5000), at(2000));  // move, growth, new peak
  EXPECT_TRUE(StatsAre(r_.stats(), stats(7000, 7000, 5, 3, 4, 2)));
}

}  // namespace
}  // namespace allocfuzz
