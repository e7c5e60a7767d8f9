// Unit tests for PseudoBrk: placement and the kernel's brk/sbrk rules. Limits and injected
// failures, memory semantics (strict and poison), foreign moves and reset() are in the other
// pseudo_brk_*_test.cc files; the fixtures are in pseudo_brk_fixture.h.
#include "allocator/region/pseudo_brk.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>

#include "tests/region/memory_access.h"
#include "tests/region/pseudo_brk_fixture.h"

namespace allocfuzz {
namespace {

using testing::address;
using testing::BytesAre;
using testing::fill;
using testing::k2GiB;
using testing::k4GiB;
using testing::kGiB;
using testing::kSbrkFailed;
using testing::kSmallReserve;
using testing::options;
using testing::poke;
using testing::PseudoBrkTest;
using testing::stats;
using testing::StatsAre;

// ---------------------------------------------------------------------------------------------
// 1. init, placement
// ---------------------------------------------------------------------------------------------

TEST(PseudoBrkInit, DefaultOptionsReserve1GiBHighStrictWithBreakAtStart) {
  PseudoBrk r;
  ASSERT_EQ(r.init(RegionOptions{}), 0);
  ASSERT_NE(r.start(), nullptr);
  EXPECT_EQ(r.reserve_bytes(), kGiB);
  EXPECT_EQ(r.placement(), Placement::kHigh);
  EXPECT_EQ(r.protection(), Protection::kStrict);
  EXPECT_EQ(r.current_break(), r.start());
  EXPECT_EQ(r.sbrk(0), r.start());
  EXPECT_EQ(r.limit(), kGiB);
  EXPECT_EQ(r.pending_growth_failures(), 0u);
  EXPECT_EQ(r.foreign_span_count(), 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(r.start()) % kPageSize, 0u);
  EXPECT_TRUE(StatsAre(r.stats(), stats(0, 0, 0, 0, 0, 0)));
}

TEST(PseudoBrkInit, SmallReserveIsRoundedUpToWholePages) {
  PseudoBrk one;
  ASSERT_EQ(one.init(options(1)), 0);
  EXPECT_EQ(one.reserve_bytes(), kPageSize);
  EXPECT_EQ(one.limit(), kPageSize);

  PseudoBrk page_and_one;
  ASSERT_EQ(page_and_one.init(options(kPageSize + 1)), 0);
  EXPECT_EQ(page_and_one.reserve_bytes(), 2 * kPageSize);

  PseudoBrk exact;
  ASSERT_EQ(exact.init(options(3 * kPageSize)), 0);
  EXPECT_EQ(exact.reserve_bytes(), 3 * kPageSize);
}

TEST(PseudoBrkInit, ZeroReserveFailsWithEinval) {
  PseudoBrk r;
  EXPECT_EQ(r.init(options(0)), EINVAL);
  EXPECT_EQ(r.start(), nullptr);
}

TEST(PseudoBrkInit, SecondInitFailsWithEinvalAndKeepsTheFirstRange) {
  PseudoBrk r;
  ASSERT_EQ(r.init(options(kSmallReserve)), 0);
  char* start = r.start();
  EXPECT_EQ(r.init(options(2 * kSmallReserve, Placement::kLow)), EINVAL);
  EXPECT_EQ(r.start(), start);
  EXPECT_EQ(r.reserve_bytes(), kSmallReserve);
  EXPECT_EQ(r.placement(), Placement::kHigh);
}

TEST(PseudoBrkInit, HighPlacementStartsAtOrAbove4GiB) {
  PseudoBrk small;
  ASSERT_EQ(small.init(options(kSmallReserve, Placement::kHigh)), 0);
  EXPECT_GE(reinterpret_cast<uintptr_t>(small.start()), k4GiB);
  EXPECT_EQ(small.placement(), Placement::kHigh);

  PseudoBrk big;
  ASSERT_EQ(big.init(options(kGiB, Placement::kHigh)), 0);
  EXPECT_GE(reinterpret_cast<uintptr_t>(big.start()), k4GiB);
}

TEST(PseudoBrkInit, LowPlacementOf64MiBLiesEntirelyBelow2GiB) {
  PseudoBrk r;
  ASSERT_EQ(r.init(options(kSmallReserve, Placement::kLow)), 0);
  auto start = reinterpret_cast<uintptr_t>(r.start());
  EXPECT_EQ(r.placement(), Placement::kLow);
  EXPECT_EQ(r.reserve_bytes(), kSmallReserve);
  EXPECT_GT(start, 0u);
  EXPECT_LE(start + r.reserve_bytes(), k2GiB);
}

TEST(PseudoBrkInit, LowPlacementOfDefault1GiBLiesEntirelyBelow2GiB) {
  PseudoBrk r;
  RegionOptions o;
  o.placement = Placement::kLow;
  ASSERT_EQ(r.init(o), 0);
  auto start = reinterpret_cast<uintptr_t>(r.start());
  EXPECT_EQ(r.reserve_bytes(), kGiB);
  EXPECT_GT(start, 0u);
  EXPECT_LE(start + r.reserve_bytes(), k2GiB);
}

TEST(PseudoBrkInit, LowPlacementIsUsableMemoryInBothModes) {
  for (Protection p : {Protection::kStrict, Protection::kPoison}) {
    PseudoBrk r;
    ASSERT_EQ(r.init(options(kSmallReserve, Placement::kLow, p)), 0);
    ASSERT_EQ(r.sbrk(3 * kPageSize), r.start());
    fill(r.start(), 0, 3 * kPageSize, 0x77);
    EXPECT_TRUE(BytesAre(r.start(), 0, 3 * kPageSize, 0x77));
    EXPECT_LT(reinterpret_cast<uintptr_t>(r.current_break()), k2GiB);
  }
}

TEST(PseudoBrkInit, LowPlacementLargerThanTheLowWindowFailsWithEnomem) {
  PseudoBrk r;
  EXPECT_EQ(r.init(options(2 * kGiB, Placement::kLow)), ENOMEM);
  EXPECT_EQ(r.start(), nullptr);
}

TEST(PseudoBrkInit, ProtectionOptionIsKept) {
  PseudoBrk r;
  ASSERT_EQ(r.init(options(kSmallReserve, Placement::kHigh, Protection::kPoison)), 0);
  EXPECT_EQ(r.protection(), Protection::kPoison);
}

TEST(PseudoBrkInit, ContainsAndOffsetOfCoverExactlyTheReserve) {
  PseudoBrk r;
  ASSERT_EQ(r.init(options(kSmallReserve)), 0);
  EXPECT_TRUE(r.contains(r.start()));
  EXPECT_TRUE(r.contains(address(r.start(), kSmallReserve - 1)));
  EXPECT_FALSE(r.contains(address(r.start(), kSmallReserve)));
  EXPECT_FALSE(r.contains(address(r.start(), -1)));
  EXPECT_EQ(r.offset_of(r.start() + 12345), 12345u);
}

TEST(Placement, ParsePlacementAcceptsHighAndLowOnly) {
  Placement p = Placement::kLow;
  EXPECT_TRUE(parse_placement("high", 4, &p));
  EXPECT_EQ(p, Placement::kHigh);
  EXPECT_TRUE(parse_placement("low", 3, &p));
  EXPECT_EQ(p, Placement::kLow);

  // Rejections leave *out alone.
  p = Placement::kLow;
  EXPECT_FALSE(parse_placement("HIGH", 4, &p));
  EXPECT_FALSE(parse_placement("hig", 3, &p));
  EXPECT_FALSE(parse_placement("lo", 2, &p));
  EXPECT_FALSE(parse_placement("lowx", 4, &p));
  EXPECT_FALSE(parse_placement("highx", 5, &p));
  EXPECT_FALSE(parse_placement("", 0, &p));
  EXPECT_FALSE(parse_placement("middle", 6, &p));
  EXPECT_EQ(p, Placement::kLow);
  p = Placement::kHigh;
  EXPECT_FALSE(parse_placement("low ", 4, &p));
  EXPECT_EQ(p, Placement::kHigh);
}

TEST(Placement, ParsePlacementReadsOnlyLengthBytes) {
  Placement p = Placement::kLow;
  EXPECT_TRUE(parse_placement("highway", 4, &p));
  EXPECT_EQ(p, Placement::kHigh);
  EXPECT_TRUE(parse_placement("lowest", 3, &p));
  EXPECT_EQ(p, Placement::kLow);
}

TEST(Placement, PlacementNameRoundTripsThroughParse) {
  EXPECT_STREQ(placement_name(Placement::kHigh), "high");
  EXPECT_STREQ(placement_name(Placement::kLow), "low");
  for (Placement in : {Placement::kHigh, Placement::kLow}) {
    const char* name = placement_name(in);
    Placement out = in == Placement::kHigh ? Placement::kLow : Placement::kHigh;
    ASSERT_TRUE(parse_placement(name, strlen(name), &out));
    EXPECT_EQ(out, in);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. brk / sbrk
// ---------------------------------------------------------------------------------------------

TEST_F(PseudoBrkTest, SbrkZeroReturnsTheBreakAndMovesNothing) {
  EXPECT_EQ(r_.sbrk(0), r_.start());
  ASSERT_EQ(r_.sbrk(100), r_.start());
  EXPECT_EQ(r_.sbrk(0), at(100));
  EXPECT_EQ(r_.sbrk(0), at(100));
  EXPECT_EQ(r_.current_break(), at(100));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(100, 100, 1, 0, 1, 0)));
}

TEST_F(PseudoBrkTest, SbrkPositiveReturnsOldBreakAndMovesItUp) {
  EXPECT_EQ(r_.sbrk(100), r_.start());
  EXPECT_EQ(r_.current_break(), at(100));
  EXPECT_EQ(r_.sbrk(28), at(100));
  EXPECT_EQ(r_.current_break(), at(128));
  EXPECT_EQ(r_.sbrk(1), at(128));
  EXPECT_EQ(r_.current_break(), at(129));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(129, 129, 3, 0, 3, 0)));
}

TEST_F(PseudoBrkTest, SbrkNegativeReturnsOldBreakAndLowersIt) {
  ASSERT_EQ(r_.sbrk(3 * kPageSize), r_.start());
  EXPECT_EQ(r_.sbrk(-static_cast<intptr_t>(kPageSize)), at(3 * kPageSize));
  EXPECT_EQ(r_.current_break(), at(2 * kPageSize));
  EXPECT_EQ(r_.sbrk(-1), at(2 * kPageSize));
  EXPECT_EQ(r_.current_break(), at(2 * kPageSize - 1));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(2 * kPageSize - 1, 3 * kPageSize, 3, 0, 1, 0)));
}

TEST_F(PseudoBrkTest, SbrkCanLowerExactlyToStart) {
  ASSERT_EQ(r_.sbrk(5000), r_.start());
  EXPECT_EQ(r_.sbrk(-5000), at(5000));
  EXPECT_EQ(r_.current_break(), r_.start());
  EXPECT_TRUE(StatsAre(r_.stats(), stats(0, 5000, 2, 0, 1, 0)));
}

TEST_F(PseudoBrkTest, BrkSetsTheBreakToAnAbsoluteAddress) {
  EXPECT_EQ(r_.brk(at(5000)), 0);
  EXPECT_EQ(r_.current_break(), at(5000));
  EXPECT_EQ(r_.brk(at(10)), 0);
  EXPECT_EQ(r_.current_break(), at(10));
  EXPECT_EQ(r_.brk(at(20000)), 0);
  EXPECT_EQ(r_.current_break(), at(20000));
  EXPECT_EQ(r_.sbrk(0), at(20000));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(20000, 20000, 3, 0, 2, 0)));
}

TEST_F(PseudoBrkTest, BrkToStartFromStartSucceedsWithoutAMove) {
  errno = 0;
  EXPECT_EQ(r_.brk(r_.start()), 0);
  EXPECT_EQ(errno, 0);
  EXPECT_EQ(r_.current_break(), r_.start());
  EXPECT_TRUE(StatsAre(r_.stats(), stats(0, 0, 0, 0, 0, 0)));
}

TEST_F(PseudoBrkTest, BrkToTheCurrentBreakSucceedsAndDoesNotCountAsAMove) {
  ASSERT_EQ(r_.brk(at(777)), 0);
  EXPECT_EQ(r_.brk(at(777)), 0);
  EXPECT_EQ(r_.brk(r_.current_break()), 0);
  EXPECT_EQ(r_.current_break(), at(777));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(777, 777, 1, 0, 1, 0)));
}

TEST_F(PseudoBrkTest, SbrkGrowthPastReserveFailsWithEnomemAndChangesNothing) {
  ASSERT_EQ(r_.sbrk(100), r_.start());
  errno = 0;
  EXPECT_EQ(r_.sbrk(static_cast<intptr_t>(kSmallReserve - 100 + 1)), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.current_break(), at(100));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(100, 100, 1, 1, 1, 1)));
}

TEST_F(PseudoBrkTest, BrkGrowthPastReserveFailsWithEnomemAndChangesNothing) {
  ASSERT_EQ(r_.sbrk(100), r_.start());
  errno = 0;
  EXPECT_EQ(r_.brk(at(kSmallReserve + 1)), -1);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.current_break(), at(100));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(100, 100, 1, 1, 1, 1)));
}

TEST_F(PseudoBrkTest, GrowthToExactlyTheReserveSucceedsAndOneByteMoreFails) {
  EXPECT_EQ(r_.sbrk(static_cast<intptr_t>(kSmallReserve)), r_.start());
  EXPECT_EQ(r_.current_break(), at(kSmallReserve));
  errno = 0;
  EXPECT_EQ(r_.sbrk(1), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.brk(at(10)), 0);
  EXPECT_EQ(r_.brk(at(kSmallReserve)), 0);
  EXPECT_EQ(r_.current_break(), at(kSmallReserve));
  poke(at(kSmallReserve - 1));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(kSmallReserve, kSmallReserve, 3, 1, 2, 1)));
}

TEST_F(PseudoBrkTest, SbrkLoweringBelowStartFailsWithEnomemAndChangesNothing) {
  ASSERT_EQ(r_.sbrk(100), r_.start());
  errno = 0;
  EXPECT_EQ(r_.sbrk(-101), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.current_break(), at(100));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(100, 100, 1, 1, 1, 0)));
}

TEST_F(PseudoBrkTest, SbrkLoweringFromStartFailsWithEnomem) {
  errno = 0;
  EXPECT_EQ(r_.sbrk(-1), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.current_break(), r_.start());
  EXPECT_TRUE(StatsAre(r_.stats(), stats(0, 0, 0, 1, 0, 0)));
}

TEST_F(PseudoBrkTest, BrkBelowStartFailsWithEnomemAndChangesNothing) {
  ASSERT_EQ(r_.sbrk(100), r_.start());
  errno = 0;
  EXPECT_EQ(r_.brk(address(r_.start(), -1)), -1);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.current_break(), at(100));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(100, 100, 1, 1, 1, 0)));
}

TEST_F(PseudoBrkTest, HugePositiveAndNegativeDeltasFailCleanly) {
  ASSERT_EQ(r_.sbrk(100), r_.start());
  errno = 0;
  EXPECT_EQ(r_.sbrk(INTPTR_MAX), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(r_.sbrk(INTPTR_MIN), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(r_.sbrk(INTPTR_MIN + 1), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(r_.sbrk(INTPTR_MAX - 50), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.current_break(), at(100));
  EXPECT_TRUE(StatsAre(r_.stats(), stats(100, 100, 1, 4, 1, 2)));
  // The region still works afterwards.
  EXPECT_EQ(r_.sbrk(-100), at(100));
  EXPECT_EQ(r_.sbrk(8), r_.start());
}

TEST_F(PseudoBrkTest, HugeDeltasFailAtStartToo) {
  errno = 0;
  EXPECT_EQ(r_.sbrk(INTPTR_MIN), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(r_.sbrk(INTPTR_MAX), kSbrkFailed);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(r_.current_break(), r_.start());
  EXPECT_TRUE(StatsAre(r_.stats(), stats(0, 0, 0, 2, 0, 1)));
}

TEST_F(PseudoBrkTest, BrkToAddressesOutsideTheRangeFailsWithEnomem) {
  ASSERT_EQ(r_.sbrk(100), r_.start());
  void* outside[] = {
      nullptr,                                                 // below
      address(r_.start(), -static_cast<intptr_t>(kPageSize)),  // below
      address(r_.start(), kSmallReserve + kPageSize),          // above
      reinterpret_cast<void*>(UINTPTR_MAX),                    // above
  };
  for (void* a : outside) {
    errno = 0;
    EXPECT_EQ(r_.brk(a), -1) << a;
    EXPECT_EQ(errno, ENOMEM) << a;
    EXPECT_EQ(r_.current_break(), at(100));
  }
  EXPECT_TRUE(StatsAre(r_.stats(), stats(100, 100, 1, 4, 1, 2)));
}

TEST_F(PseudoBrkTest, FailedMovesKeepErrnoUntouchedOnSuccess) {
  errno = 12345;
  ASSERT_EQ(r_.sbrk(64), r_.start());
  EXPECT_EQ(r_.brk(at(32)), 0);
  EXPECT_EQ(errno, 12345);
}

}  // namespace
}  // namespace allocfuzz
