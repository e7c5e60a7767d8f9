// Unit tests for PseudoBrk: placement, the kernel's brk/sbrk rules, limits, injected failures,
// memory semantics (strict and poison), foreign moves and reset().
#include "allocator/region/pseudo_brk.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>

#include "tests/region/memory_access.h"

namespace allocfuzz {
namespace {

using testing::BytesAre;
using testing::fill;
using testing::kHasAsan;
using testing::poke;

constexpr size_t kMiB = size_t{1} << 20;
constexpr size_t kGiB = size_t{1} << 30;
constexpr uintptr_t k2GiB = uintptr_t{1} << 31;
constexpr uintptr_t k4GiB = uintptr_t{1} << 32;
constexpr size_t kSmallReserve = 64 * kMiB;

void* const kSbrkFailed = reinterpret_cast<void*>(intptr_t{-1});

size_t page_up(size_t n) { return (n + kPageSize - 1) & ~(kPageSize - 1); }

RegionOptions options(size_t reserve, Placement placement = Placement::kHigh,
                      Protection protection = Protection::kStrict) {
  RegionOptions o;
  o.reserve_bytes = reserve;
  o.placement = placement;
  o.protection = protection;
  return o;
}

void* address(const char* base, intptr_t offset) {
  return reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(base) +
                                 static_cast<uintptr_t>(offset));
}

::testing::AssertionResult StatsAre(const RegionStats& s, const RegionStats& e) {
  if (s.break_offset == e.break_offset && s.peak_break_offset == e.peak_break_offset &&
      s.moves == e.moves && s.failed_moves == e.failed_moves && s.growths == e.growths &&
      s.failed_growths == e.failed_growths) {
    return ::testing::AssertionSuccess();
  }
  auto show = [](const RegionStats& x) {
    return "{break_offset=" + std::to_string(x.break_offset) +
           " peak=" + std::to_string(x.peak_break_offset) + " moves=" + std::to_string(x.moves) +
           " failed_moves=" + std::to_string(x.failed_moves) +
           " growths=" + std::to_string(x.growths) +
           " failed_growths=" + std::to_string(x.failed_growths) + "}";
  };
  return ::testing::AssertionFailure() << "stats " << show(s) << ", expected " << show(e);
}

RegionStats stats(size_t break_offset, size_t peak, uint64_t moves, uint64_t failed_moves,
                  uint64_t growths, uint64_t failed_growths) {
  RegionStats s;
  s.break_offset = break_offset;
  s.peak_break_offset = peak;
  s.moves = moves;
  s.failed_moves = failed_moves;
  s.growths = growths;
  s.failed_growths = failed_growths;
  return s;
}

std::string protection_name(const ::testing::TestParamInfo<Protection>& info) {
  return info.param == Protection::kStrict ? "Strict" : "Poison";
}

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

class PseudoBrkTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(r_.init(options(kSmallReserve)), 0); }
  char* at(intptr_t offset) const { return static_cast<char*>(address(r_.start(), offset)); }
  PseudoBrk r_;
};

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

// ---------------------------------------------------------------------------------------------
// 5. memory semantics, in both protection modes
// ---------------------------------------------------------------------------------------------

class PseudoBrkMemoryTest : public ::testing::TestWithParam<Protection> {
 protected:
  void SetUp() override {
    ASSERT_EQ(r_.init(options(kSmallReserve, Placement::kHigh, GetParam())), 0);
  }
  char* at(size_t offset) const { return r_.start() + offset; }
  PseudoBrk r_;
};

INSTANTIATE_TEST_SUITE_P(Modes, PseudoBrkMemoryTest,
                         ::testing::Values(Protection::kStrict, Protection::kPoison),
                         protection_name);

TEST_P(PseudoBrkMemoryTest, FreshMemoryBelowTheBreakReadsZeroAndIsWritable) {
  const size_t n = 3 * kPageSize + 123;
  ASSERT_EQ(r_.sbrk(n), r_.start());
  EXPECT_TRUE(BytesAre(r_.start(), 0, n, 0));
  for (size_t i = 0; i < n; ++i) r_.start()[i] = static_cast<char>(i * 7 + 1);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(static_cast<uint8_t>(r_.start()[i]), static_cast<uint8_t>(i * 7 + 1)) << i;
  }
}

TEST_P(PseudoBrkMemoryTest, PartialPageGivenBackAndTakenAgainReadsZero) {
  ASSERT_EQ(r_.sbrk(1000), r_.start());
  fill(r_.start(), 0, 1000, 0xab);
  ASSERT_EQ(r_.sbrk(-500), at(1000));
  ASSERT_EQ(r_.sbrk(500), at(500));
  EXPECT_TRUE(BytesAre(r_.start(), 0, 500, 0xab));
  EXPECT_TRUE(BytesAre(r_.start(), 500, 1000, 0));
}

TEST_P(PseudoBrkMemoryTest, UnalignedPartialPageGivenBackAndTakenAgainReadsZero) {
  ASSERT_EQ(r_.brk(at(kPageSize + 37)), 0);
  fill(r_.start(), 0, kPageSize + 37, 0xcd);
  ASSERT_EQ(r_.brk(at(kPageSize + 13)), 0);
  ASSERT_EQ(r_.brk(at(kPageSize + 41)), 0);
  EXPECT_TRUE(BytesAre(r_.start(), 0, kPageSize + 13, 0xcd));
  EXPECT_TRUE(BytesAre(r_.start(), kPageSize + 13, kPageSize + 41, 0));
}

TEST_P(PseudoBrkMemoryTest, MultiplePagesGivenBackAndTakenAgainReadZero) {
  const size_t n = 5 * kPageSize + 77;
  ASSERT_EQ(r_.sbrk(n), r_.start());
  fill(r_.start(), 0, n, 0xee);
  ASSERT_EQ(r_.brk(at(100)), 0);
  ASSERT_EQ(r_.brk(at(n)), 0);
  EXPECT_TRUE(BytesAre(r_.start(), 0, 100, 0xee));
  EXPECT_TRUE(BytesAre(r_.start(), 100, n, 0));
}

TEST_P(PseudoBrkMemoryTest, EverythingGivenBackToStartAndTakenAgainReadsZero) {
  const size_t n = 2 * kPageSize + 5;
  ASSERT_EQ(r_.sbrk(n), r_.start());
  fill(r_.start(), 0, n, 0x11);
  ASSERT_EQ(r_.sbrk(-static_cast<intptr_t>(n)), at(n));
  ASSERT_EQ(r_.sbrk(n + kPageSize), r_.start());
  EXPECT_TRUE(BytesAre(r_.start(), 0, n + kPageSize, 0));
}

TEST_P(PseudoBrkMemoryTest, RepeatedSmallLowerRegrowCyclesReadZeroEachTime) {
  ASSERT_EQ(r_.sbrk(6000), r_.start());
  fill(r_.start(), 0, 6000, 0x42);
  size_t lows[] = {5000, 4097, 4096, 4095, 3000, 10, 0};
  for (size_t low : lows) {
    ASSERT_EQ(r_.brk(at(low)), 0);
    ASSERT_EQ(r_.brk(at(6000)), 0);
    EXPECT_TRUE(BytesAre(r_.start(), 0, low, 0x42)) << "low=" << low;
    EXPECT_TRUE(BytesAre(r_.start(), low, 6000, 0)) << "low=" << low;
    fill(r_.start(), low, 6000, 0x42);
  }
}

// Death tests: a stray access above the break is detected.
class PseudoBrkMemoryDeathTest : public PseudoBrkMemoryTest {};
INSTANTIATE_TEST_SUITE_P(Modes, PseudoBrkMemoryDeathTest,
                         ::testing::Values(Protection::kStrict, Protection::kPoison),
                         protection_name);

// Strict mode only: in kPoison the pages stay read/write and only ASan sees stray accesses.
class PseudoBrkStrictDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(r_.init(options(kSmallReserve)), 0); }
  char* at(size_t offset) const { return r_.start() + offset; }
  PseudoBrk r_;
};

TEST_F(PseudoBrkStrictDeathTest, AccessAPageAboveTheBreakFaults) {
  ASSERT_EQ(r_.sbrk(100), r_.start());
  poke(at(99));  // control: below the break is fine
  EXPECT_BAD_ACCESS(poke(at(page_up(100) + 16)));
  EXPECT_PAGE_FAULT(at(page_up(100) + 16));
}

TEST_F(PseudoBrkStrictDeathTest, AccessToPagesGivenBackFaults) {
  ASSERT_EQ(r_.sbrk(3 * kPageSize), r_.start());
  fill(r_.start(), 0, 3 * kPageSize, 1);
  ASSERT_EQ(r_.brk(at(kPageSize)), 0);
  EXPECT_BAD_ACCESS(poke(at(kPageSize + 16)));
  EXPECT_BAD_ACCESS(poke(at(2 * kPageSize + 16)));
  EXPECT_PAGE_FAULT(at(kPageSize + 16));
  EXPECT_PAGE_FAULT(at(2 * kPageSize + 16));
}

TEST_P(PseudoBrkMemoryDeathTest, AsanReportsAWriteJustAboveAnUnalignedBreak) {
  if (!kHasAsan) GTEST_SKIP() << "needs AddressSanitizer";
  ASSERT_EQ(r_.sbrk(kPageSize + 13), r_.start());
  poke(at(kPageSize + 12));  // control: the last byte below the break
  EXPECT_DEATH(poke(r_.current_break()), "AddressSanitizer");
  EXPECT_DEATH(poke(r_.current_break() + 1), "AddressSanitizer");
}

TEST_P(PseudoBrkMemoryDeathTest, AsanReportsAWriteJustAboveABreakLoweredToUnaligned) {
  if (!kHasAsan) GTEST_SKIP() << "needs AddressSanitizer";
  ASSERT_EQ(r_.sbrk(3 * kPageSize), r_.start());
  ASSERT_EQ(r_.brk(at(kPageSize + 21)), 0);
  poke(at(kPageSize + 20));
  EXPECT_DEATH(poke(r_.current_break()), "AddressSanitizer");
}

TEST_P(PseudoBrkMemoryDeathTest, AsanReportsAWriteAtAnAlignedBreak) {
  if (!kHasAsan) GTEST_SKIP() << "needs AddressSanitizer";
  ASSERT_EQ(r_.sbrk(2 * kPageSize + 64), r_.start());
  ASSERT_EQ(r_.sbrk(-32), at(2 * kPageSize + 64));
  poke(at(2 * kPageSize + 31));
  EXPECT_DEATH(poke(r_.current_break()), "AddressSanitizer");
}

TEST_P(PseudoBrkMemoryDeathTest, ResetMakesFormerlyUsableMemoryInaccessible) {
  if (GetParam() == Protection::kPoison && !kHasAsan) {
    GTEST_SKIP() << "poison mode detects nothing without AddressSanitizer";
  }
  ASSERT_EQ(r_.sbrk(2 * kPageSize), r_.start());
  fill(r_.start(), 0, 2 * kPageSize, 3);
  r_.reset();
  EXPECT_BAD_ACCESS(poke(at(16)));
  EXPECT_BAD_ACCESS(poke(at(kPageSize + 16)));
  if (GetParam() == Protection::kStrict) EXPECT_PAGE_FAULT(at(16));
}

// ---------------------------------------------------------------------------------------------
// 6. foreign moves
// ---------------------------------------------------------------------------------------------

TEST_F(PseudoBrkTest, ForeignGrowMovesTheBreakButNotTheAllocatorStats) {
  ASSERT_EQ(r_.sbrk(64), r_.start());
  EXPECT_TRUE(r_.foreign_grow(13));
  EXPECT_EQ(r_.current_break(), at(77));
  EXPECT_EQ(r_.sbrk(0), at(77));
  EXPECT_EQ(r_.stats().break_offset, 77u);
  EXPECT_EQ(r_.stats().moves, 1u);
  EXPECT_EQ(r_.stats().growths, 1u);
  EXPECT_EQ(r_.stats().failed_moves, 0u);
  EXPECT_EQ(r_.stats().failed_growths, 0u);
}

TEST_F(PseudoBrkTest, ForeignGrowRecordsTheSpanWithOffsetLengthAndOrdinal) {
  ASSERT_EQ(r_.sbrk(64), r_.start());
  ASSERT_TRUE(r_.foreign_grow(13));
  ASSERT_EQ(r_.sbrk(3), at(77));
  ASSERT_TRUE(r_.foreign_grow(4099));
  ASSERT_EQ(r_.foreign_span_count(), 2u);
  EXPECT_EQ(r_.foreign_span(0).offset, 64u);
  EXPECT_EQ(r_.foreign_span(0).length, 13u);
  EXPECT_EQ(r_.foreign_span(0).ordinal, 0u);
  EXPECT_EQ(r_.foreign_span(1).offset, 80u);
  EXPECT_EQ(r_.foreign_span(1).length, 4099u);
  EXPECT_EQ(r_.foreign_span(1).ordinal, 1u);
  EXPECT_EQ(r_.current_break(), at(80 + 4099));
}

TEST_F(PseudoBrkTest, ForeignSpanBytesEqualForeignBytePattern) {
  ASSERT_TRUE(r_.foreign_grow(1));
  ASSERT_EQ(r_.sbrk(7), at(1));
  ASSERT_TRUE(r_.foreign_grow(5000));
  const ForeignSpan a = r_.foreign_span(0), b = r_.foreign_span(1);
  for (size_t i = 0; i < a.length; ++i) {
    ASSERT_EQ(static_cast<uint8_t>(at(a.offset)[i]), PseudoBrk::foreign_byte(a.ordinal, i)) << i;
  }
  for (size_t i = 0; i < b.length; ++i) {
    ASSERT_EQ(static_cast<uint8_t>(at(b.offset)[i]), PseudoBrk::foreign_byte(b.ordinal, i)) << i;
  }
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), -1);
}

TEST(PseudoBrkForeignByte, PatternHasNoZeroBytesAndDiffersBetweenSpans) {
  size_t differing = 0;
  for (size_t i = 0; i < 4096; ++i) {
    EXPECT_NE(PseudoBrk::foreign_byte(0, i), 0u) << i;
    EXPECT_NE(PseudoBrk::foreign_byte(1, i), 0u) << i;
    if (PseudoBrk::foreign_byte(0, i) != PseudoBrk::foreign_byte(1, i)) ++differing;
  }
  EXPECT_GT(differing, 3000u);
}

TEST_F(PseudoBrkTest, ForeignGrowDoesNotSpendArmedFailures) {
  r_.fail_next_growths(2);
  EXPECT_TRUE(r_.foreign_grow(100));
  EXPECT_TRUE(r_.foreign_grow(100));
  EXPECT_TRUE(r_.foreign_grow(100));
  EXPECT_EQ(r_.pending_growth_failures(), 2u);
  EXPECT_EQ(r_.current_break(), at(300));
  EXPECT_EQ(r_.sbrk(1), kSbrkFailed);
  EXPECT_EQ(r_.sbrk(1), kSbrkFailed);
  EXPECT_EQ(r_.sbrk(1), at(300));
}

TEST_F(PseudoBrkTest, ForeignGrowRespectsTheLimitAndChangesNothingWhenRefused) {
  r_.set_limit(4096);
  ASSERT_EQ(r_.sbrk(4000), r_.start());
  EXPECT_FALSE(r_.foreign_grow(97));
  EXPECT_EQ(r_.current_break(), at(4000));
  EXPECT_EQ(r_.foreign_span_count(), 0u);
  EXPECT_TRUE(r_.foreign_grow(96));
  EXPECT_EQ(r_.current_break(), at(4096));
  EXPECT_FALSE(r_.foreign_grow(1));
  EXPECT_EQ(r_.current_break(), at(4096));
  EXPECT_EQ(r_.foreign_span_count(), 1u);
  // Refused foreign moves are not the allocator's failures.
  EXPECT_EQ(r_.stats().failed_moves, 0u);
  EXPECT_EQ(r_.stats().failed_growths, 0u);
}

TEST_F(PseudoBrkTest, ForeignGrowIsRefusedWhileTheBreakIsAboveTheLimit) {
  ASSERT_EQ(r_.sbrk(8192), r_.start());
  r_.set_limit(4096);
  EXPECT_FALSE(r_.foreign_grow(1));
  EXPECT_EQ(r_.current_break(), at(8192));
  EXPECT_EQ(r_.foreign_span_count(), 0u);
}

TEST(PseudoBrkForeign, ForeignGrowRespectsTheReserve) {
  PseudoBrk r;
  ASSERT_EQ(r.init(options(4 * kPageSize)), 0);
  EXPECT_FALSE(r.foreign_grow(4 * kPageSize + 1));
  EXPECT_FALSE(r.foreign_grow(SIZE_MAX));
  EXPECT_EQ(r.current_break(), r.start());
  EXPECT_EQ(r.foreign_span_count(), 0u);
  ASSERT_EQ(r.sbrk(10), r.start());
  EXPECT_FALSE(r.foreign_grow(4 * kPageSize - 9));
  EXPECT_TRUE(r.foreign_grow(4 * kPageSize - 10));
  EXPECT_EQ(r.current_break(), r.start() + 4 * kPageSize);
  EXPECT_EQ(r.first_clobbered_foreign_byte(), -1);
}

TEST_F(PseudoBrkTest, ForeignGrowOfZeroBytesIsRefused) {
  EXPECT_FALSE(r_.foreign_grow(0));
  EXPECT_EQ(r_.foreign_span_count(), 0u);
  EXPECT_EQ(r_.current_break(), r_.start());
}

TEST_F(PseudoBrkTest, ForeignReleaseGivesBackTheTopSpanAndItsBytesReadZeroWhenRetaken) {
  ASSERT_EQ(r_.sbrk(64), r_.start());
  ASSERT_TRUE(r_.foreign_grow(100));
  EXPECT_TRUE(r_.foreign_release());
  EXPECT_EQ(r_.current_break(), at(64));
  EXPECT_EQ(r_.foreign_span_count(), 0u);
  EXPECT_EQ(r_.stats().break_offset, 64u);
  EXPECT_EQ(r_.stats().moves, 1u);
  ASSERT_EQ(r_.sbrk(100), at(64));
  EXPECT_TRUE(BytesAre(r_.start(), 64, 164, 0));
  EXPECT_FALSE(r_.foreign_release());
}

TEST_F(PseudoBrkTest, ForeignReleaseWithoutSpansFails) {
  ASSERT_EQ(r_.sbrk(64), r_.start());
  EXPECT_FALSE(r_.foreign_release());
  EXPECT_EQ(r_.current_break(), at(64));
}

TEST_F(PseudoBrkTest, ForeignReleaseFailsAfterTheAllocatorGrewAboveTheSpan) {
  ASSERT_TRUE(r_.foreign_grow(100));
  ASSERT_EQ(r_.sbrk(16), at(100));
  EXPECT_FALSE(r_.foreign_release());
  EXPECT_EQ(r_.current_break(), at(116));
  EXPECT_EQ(r_.foreign_span_count(), 1u);
  // Once the allocator gives its part back, the span is at the top again.
  ASSERT_EQ(r_.sbrk(-16), at(116));
  EXPECT_TRUE(r_.foreign_release());
  EXPECT_EQ(r_.current_break(), r_.start());
  EXPECT_EQ(r_.foreign_span_count(), 0u);
}

TEST_F(PseudoBrkTest, ForeignReleaseFailsWhenTheBreakWasLoweredIntoTheSpan) {
  ASSERT_EQ(r_.sbrk(10), r_.start());
  ASSERT_TRUE(r_.foreign_grow(100));
  ASSERT_EQ(r_.brk(at(50)), 0);
  EXPECT_FALSE(r_.foreign_release());
  EXPECT_EQ(r_.current_break(), at(50));
  EXPECT_EQ(r_.foreign_span_count(), 1u);
}

TEST_F(PseudoBrkTest, ForeignReleaseGivesBackTheNewestSpanOnlyOneAtATime) {
  ASSERT_EQ(r_.sbrk(8), r_.start());
  ASSERT_TRUE(r_.foreign_grow(20));  // [8, 28)
  ASSERT_TRUE(r_.foreign_grow(30));  // [28, 58)
  EXPECT_TRUE(r_.foreign_release());
  EXPECT_EQ(r_.current_break(), at(28));
  ASSERT_EQ(r_.foreign_span_count(), 1u);
  EXPECT_EQ(r_.foreign_span(0).offset, 8u);
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), -1);
  EXPECT_TRUE(r_.foreign_release());
  EXPECT_EQ(r_.current_break(), at(8));
  EXPECT_EQ(r_.foreign_span_count(), 0u);
}

TEST_F(PseudoBrkTest, ForeignOrdinalsKeepCountingAcrossReleases) {
  ASSERT_TRUE(r_.foreign_grow(10));
  ASSERT_TRUE(r_.foreign_release());
  ASSERT_TRUE(r_.foreign_grow(10));
  ASSERT_EQ(r_.foreign_span_count(), 1u);
  EXPECT_EQ(r_.foreign_span(0).ordinal, 1u);
  EXPECT_EQ(static_cast<uint8_t>(r_.start()[3]), PseudoBrk::foreign_byte(1, 3));
}

TEST_F(PseudoBrkTest, UnalignedForeignGrowLeavesTheAllocatorAnUnalignedBreak) {
  ASSERT_EQ(r_.sbrk(8), r_.start());
  ASSERT_TRUE(r_.foreign_grow(3));
  EXPECT_EQ(r_.sbrk(0), at(11));
  EXPECT_EQ(r_.sbrk(5), at(11));
  fill(r_.start(), 11, 16, 0);
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), -1);
}

TEST_F(PseudoBrkTest, FirstClobberedIsMinusOneWithoutSpansAndWhenIntact) {
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), -1);
  ASSERT_EQ(r_.sbrk(40), r_.start());
  ASSERT_TRUE(r_.foreign_grow(50));
  ASSERT_EQ(r_.sbrk(10), at(90));
  fill(r_.start(), 0, 40, 0xff);  // the allocator's own bytes
  fill(r_.start(), 90, 100, 0xff);
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), -1);
}

TEST_F(PseudoBrkTest, FirstClobberedReportsTheExactOffsetOfAnOverwrittenByte) {
  ASSERT_EQ(r_.sbrk(40), r_.start());
  ASSERT_TRUE(r_.foreign_grow(50));  // [40, 90)
  ASSERT_EQ(r_.sbrk(10), at(90));
  ASSERT_TRUE(r_.foreign_grow(30));  // [100, 130)

  char saved = r_.start()[117];
  r_.start()[117] = static_cast<char>(~saved);
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), 117);
  r_.start()[117] = saved;
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), -1);

  // The lowest clobbered byte wins, across spans.
  r_.start()[129] = 0;
  r_.start()[89] = 0;
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), 89);
  r_.start()[40] = 0;
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), 40);
}

TEST_F(PseudoBrkTest, FirstClobberedReportsASpanThatLostAccessUnderALoweredBreak) {
  ASSERT_EQ(r_.sbrk(40), r_.start());
  ASSERT_TRUE(r_.foreign_grow(50));  // [40, 90)
  ASSERT_EQ(r_.brk(at(70)), 0);
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), 70);
  // Taken back: the bytes read zero now, so the span is still clobbered from 70.
  ASSERT_EQ(r_.brk(at(90)), 0);
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), 70);
}

TEST_F(PseudoBrkTest, FirstClobberedReportsTheSpanStartWhenTheBreakDropsBelowIt) {
  ASSERT_EQ(r_.sbrk(40), r_.start());
  ASSERT_TRUE(r_.foreign_grow(3 * kPageSize));  // [40, 40 + 3 pages)
  ASSERT_EQ(r_.brk(at(10)), 0);
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), 40);
  ASSERT_EQ(r_.brk(at(5 * kPageSize)), 0);
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), 40);
}

TEST_F(PseudoBrkTest, FirstClobberedReportsTheLowestOffsetWhenANewerSpanLiesBelowAnOlderOne) {
  // The allocator lowers the break under span A; then the other party grows again, so the
  // newer span B lies below the older A. A byte changed in B is the lowest bad offset.
  ASSERT_EQ(r_.sbrk(40), r_.start());
  ASSERT_TRUE(r_.foreign_grow(50));  // A = [40, 90)
  ASSERT_EQ(r_.brk(at(10)), 0);      // A lost access from 40
  ASSERT_TRUE(r_.foreign_grow(20));  // B = [10, 30)
  ASSERT_EQ(r_.foreign_span_count(), 2u);
  ASSERT_EQ(r_.foreign_span(1).offset, 10u);
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), 40);
  r_.start()[15] = static_cast<char>(~PseudoBrk::foreign_byte(1, 5));
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), 15);
}

TEST_F(PseudoBrkTest, FirstClobberedReportsAnOlderSpanOverwrittenByANewerOverlappingOne) {
  ASSERT_EQ(r_.sbrk(40), r_.start());
  ASSERT_TRUE(r_.foreign_grow(50));  // A = [40, 90)
  ASSERT_EQ(r_.brk(at(10)), 0);
  ASSERT_TRUE(r_.foreign_grow(100));  // B = [10, 110) covers A's bytes with B's pattern
  ASSERT_NE(PseudoBrk::foreign_byte(0, 0), PseudoBrk::foreign_byte(1, 30));
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), 40);
}

TEST_F(PseudoBrkTest, AtMostMaxForeignSpansAreLive) {
  for (size_t i = 0; i < PseudoBrk::kMaxForeignSpans; ++i) {
    ASSERT_TRUE(r_.foreign_grow(1)) << i;
  }
  EXPECT_EQ(r_.foreign_span_count(), PseudoBrk::kMaxForeignSpans);
  EXPECT_FALSE(r_.foreign_grow(1));
  EXPECT_EQ(r_.foreign_span_count(), PseudoBrk::kMaxForeignSpans);
  EXPECT_EQ(r_.current_break(), at(PseudoBrk::kMaxForeignSpans));
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), -1);
  ASSERT_TRUE(r_.foreign_release());
  EXPECT_TRUE(r_.foreign_grow(2));
  EXPECT_EQ(r_.foreign_span(PseudoBrk::kMaxForeignSpans - 1).offset,
            PseudoBrk::kMaxForeignSpans - 1);
  EXPECT_EQ(r_.foreign_span(PseudoBrk::kMaxForeignSpans - 1).ordinal, PseudoBrk::kMaxForeignSpans);
  EXPECT_EQ(r_.first_clobbered_foreign_byte(), -1);
}

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
