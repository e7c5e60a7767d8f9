// Unit tests for ReservedRange: reservation and placement, set_accessible_end up and down,
// "given back and taken again reads as zero" across the dirty-tracking paths, reset(), and the
// detection of stray accesses in both protection modes.
#include "allocator/region/reserved_range.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

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
constexpr size_t kSize = 16 * kMiB;

std::string protection_name(const ::testing::TestParamInfo<Protection>& info) {
  return info.param == Protection::kStrict ? "Strict" : "Poison";
}

// ---------------------------------------------------------------------------------------------
// Reservation
// ---------------------------------------------------------------------------------------------

TEST(ReservedRange, DefaultConstructedIsNotReservedAndResetIsHarmless) {
  ReservedRange r;
  EXPECT_FALSE(r.reserved());
  EXPECT_EQ(r.base(), nullptr);
  EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(r.accessible_end(), 0u);
  r.reset();
  EXPECT_FALSE(r.reserved());
  EXPECT_FALSE(r.is_accessible(0));
}

TEST(ReservedRange, ReserveRoundsTheSizeUpToWholePages) {
  struct Case {
    size_t asked, expected;
  } cases[] = {{1, kPageSize},
               {kPageSize - 1, kPageSize},
               {kPageSize, kPageSize},
               {kPageSize + 1, 2 * kPageSize},
               {5 * kPageSize + 100, 6 * kPageSize}};
  for (const Case& c : cases) {
    ReservedRange r;
    ASSERT_EQ(r.reserve(c.asked, Placement::kHigh, Protection::kStrict), 0) << c.asked;
    EXPECT_TRUE(r.reserved());
    EXPECT_EQ(r.size(), c.expected) << c.asked;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(r.base()) % kPageSize, 0u);
    EXPECT_EQ(r.accessible_end(), 0u);
  }
}

TEST(ReservedRange, ReserveRecordsPlacementAndProtection) {
  ReservedRange a;
  ASSERT_EQ(a.reserve(kSize, Placement::kLow, Protection::kPoison), 0);
  EXPECT_EQ(a.placement(), Placement::kLow);
  EXPECT_EQ(a.protection(), Protection::kPoison);
  ReservedRange b;
  ASSERT_EQ(b.reserve(kSize, Placement::kHigh, Protection::kStrict), 0);
  EXPECT_EQ(b.placement(), Placement::kHigh);
  EXPECT_EQ(b.protection(), Protection::kStrict);
}

TEST(ReservedRange, ReserveOfZeroBytesFailsWithEinval) {
  ReservedRange r;
  EXPECT_EQ(r.reserve(0, Placement::kHigh, Protection::kStrict), EINVAL);
  EXPECT_FALSE(r.reserved());
}

TEST(ReservedRange, ReserveTwiceOnTheSameObjectFailsWithEinvalAndKeepsTheFirst) {
  ReservedRange r;
  ASSERT_EQ(r.reserve(kSize, Placement::kHigh, Protection::kStrict), 0);
  char* base = r.base();
  r.set_accessible_end(100);
  EXPECT_EQ(r.reserve(2 * kSize, Placement::kLow, Protection::kPoison), EINVAL);
  EXPECT_EQ(r.base(), base);
  EXPECT_EQ(r.size(), kSize);
  EXPECT_EQ(r.placement(), Placement::kHigh);
  EXPECT_EQ(r.protection(), Protection::kStrict);
  EXPECT_EQ(r.accessible_end(), 100u);
}

TEST(ReservedRange, HighPlacementIsAtOrAbove4GiB) {
  for (size_t size : {kSize, kGiB}) {
    ReservedRange r;
    ASSERT_EQ(r.reserve(size, Placement::kHigh, Protection::kStrict), 0);
    EXPECT_GE(reinterpret_cast<uintptr_t>(r.base()), k4GiB) << size;
  }
}

TEST(ReservedRange, LowPlacementIsEntirelyBelow2GiB) {
  for (size_t size : {64 * kMiB, kGiB}) {
    ReservedRange r;
    ASSERT_EQ(r.reserve(size, Placement::kLow, Protection::kStrict), 0) << size;
    auto base = reinterpret_cast<uintptr_t>(r.base());
    EXPECT_GT(base, 0u);
    EXPECT_LE(base + r.size(), k2GiB) << size;
  }
}

TEST(ReservedRange, TwoLowRangesCoexistWithoutOverlap) {
  ReservedRange a, b;
  ASSERT_EQ(a.reserve(64 * kMiB, Placement::kLow, Protection::kStrict), 0);
  ASSERT_EQ(b.reserve(64 * kMiB, Placement::kLow, Protection::kStrict), 0);
  auto x = reinterpret_cast<uintptr_t>(a.base()), y = reinterpret_cast<uintptr_t>(b.base());
  EXPECT_TRUE(x + a.size() <= y || y + b.size() <= x);
  EXPECT_LE(y + b.size(), k2GiB);
}

TEST(ReservedRange, LowPlacementLargerThanTheLowWindowFailsWithEnomem) {
  ReservedRange r;
  EXPECT_EQ(r.reserve(2 * kGiB, Placement::kLow, Protection::kStrict), ENOMEM);
  EXPECT_FALSE(r.reserved());
}

TEST(ReservedRange, HugeReserveFailsWithEnomemAndReservesNothing) {
  for (Placement p : {Placement::kHigh, Placement::kLow}) {
    for (size_t size : {SIZE_MAX, SIZE_MAX - kPageSize, SIZE_MAX / 2}) {
      ReservedRange r;
      EXPECT_EQ(r.reserve(size, p, Protection::kStrict), ENOMEM)
          << placement_name(p) << " " << size;
      EXPECT_FALSE(r.reserved());
      EXPECT_EQ(r.size(), 0u);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// set_accessible_end, is_accessible, zero after regrowth: both protection modes
// ---------------------------------------------------------------------------------------------

class ReservedRangeTest : public ::testing::TestWithParam<Protection> {
 protected:
  void SetUp() override { ASSERT_EQ(r_.reserve(kSize, Placement::kHigh, GetParam()), 0); }
  char* b() const { return r_.base(); }
  ReservedRange r_;
};

INSTANTIATE_TEST_SUITE_P(Modes, ReservedRangeTest,
                         ::testing::Values(Protection::kStrict, Protection::kPoison),
                         protection_name);

TEST_P(ReservedRangeTest, SetAccessibleEndUpAndDownMovesIsAccessibleExactly) {
  EXPECT_FALSE(r_.is_accessible(0));
  r_.set_accessible_end(100);
  EXPECT_EQ(r_.accessible_end(), 100u);
  EXPECT_TRUE(r_.is_accessible(0));
  EXPECT_TRUE(r_.is_accessible(99));
  EXPECT_FALSE(r_.is_accessible(100));
  r_.set_accessible_end(3 * kPageSize + 5);
  EXPECT_EQ(r_.accessible_end(), 3 * kPageSize + 5);
  EXPECT_TRUE(r_.is_accessible(3 * kPageSize + 4));
  EXPECT_FALSE(r_.is_accessible(3 * kPageSize + 5));
  r_.set_accessible_end(kPageSize);
  EXPECT_EQ(r_.accessible_end(), kPageSize);
  EXPECT_TRUE(r_.is_accessible(kPageSize - 1));
  EXPECT_FALSE(r_.is_accessible(kPageSize));
  r_.set_accessible_end(kPageSize);  // no change
  EXPECT_EQ(r_.accessible_end(), kPageSize);
  r_.set_accessible_end(0);
  EXPECT_EQ(r_.accessible_end(), 0u);
  EXPECT_FALSE(r_.is_accessible(0));
}

TEST_P(ReservedRangeTest, SetAccessibleEndClampsToTheSize) {
  r_.set_accessible_end(kSize + 12345);
  EXPECT_EQ(r_.accessible_end(), kSize);
  EXPECT_TRUE(r_.is_accessible(kSize - 1));
  EXPECT_FALSE(r_.is_accessible(kSize));
  poke(b() + kSize - 1);
  EXPECT_EQ(b()[kSize - 1], 0x5a);
}

TEST_P(ReservedRangeTest, FreshBytesReadZeroAndAreWritable) {
  const size_t n = 4 * kPageSize + 3;
  r_.set_accessible_end(n);
  EXPECT_TRUE(BytesAre(b(), 0, n, 0));
  fill(b(), 0, n, 0x3c);
  EXPECT_TRUE(BytesAre(b(), 0, n, 0x3c));
}

TEST_P(ReservedRangeTest, LowerWithinTheSamePageThenRegrowReadsZero) {
  r_.set_accessible_end(3000);
  fill(b(), 0, 3000, 0xab);
  r_.set_accessible_end(1000);
  r_.set_accessible_end(3000);
  EXPECT_TRUE(BytesAre(b(), 0, 1000, 0xab));
  EXPECT_TRUE(BytesAre(b(), 1000, 3000, 0));
}

TEST_P(ReservedRangeTest, LowerWithinAHigherPageThenRegrowPastItReadsZero) {
  // The lowering stays inside page 1, so no page is discarded there.
  r_.set_accessible_end(kPageSize + 2000);
  fill(b(), 0, kPageSize + 2000, 0xab);
  r_.set_accessible_end(kPageSize + 100);
  r_.set_accessible_end(3 * kPageSize);
  EXPECT_TRUE(BytesAre(b(), 0, kPageSize + 100, 0xab));
  EXPECT_TRUE(BytesAre(b(), kPageSize + 100, 3 * kPageSize, 0));
}

TEST_P(ReservedRangeTest, LowerAcrossPagesThenRegrowReadsZero) {
  const size_t n = 5 * kPageSize + 100;
  r_.set_accessible_end(n);
  fill(b(), 0, n, 0xcd);
  r_.set_accessible_end(kPageSize + 7);
  r_.set_accessible_end(n);
  EXPECT_TRUE(BytesAre(b(), 0, kPageSize + 7, 0xcd));
  EXPECT_TRUE(BytesAre(b(), kPageSize + 7, n, 0));
}

TEST_P(ReservedRangeTest, LowerToAPageBoundaryThenRegrowReadsZero) {
  const size_t n = 3 * kPageSize + 1;
  r_.set_accessible_end(n);
  fill(b(), 0, n, 0xcd);
  r_.set_accessible_end(2 * kPageSize);
  r_.set_accessible_end(n);
  EXPECT_TRUE(BytesAre(b(), 0, 2 * kPageSize, 0xcd));
  EXPECT_TRUE(BytesAre(b(), 2 * kPageSize, n, 0));
}

TEST_P(ReservedRangeTest, LowerAcrossPagesThenRegrowOnlyPartlyReadsZero) {
  // After a lowering that discards pages, a regrowth that ends inside the kept partial page
  // must still zero the part of that page that was given back.
  r_.set_accessible_end(2 * kPageSize + 50);
  fill(b(), 0, 2 * kPageSize + 50, 0x71);
  r_.set_accessible_end(4000);
  r_.set_accessible_end(4090);
  EXPECT_TRUE(BytesAre(b(), 0, 4000, 0x71));
  EXPECT_TRUE(BytesAre(b(), 4000, 4090, 0));
  r_.set_accessible_end(2 * kPageSize + 50);
  EXPECT_TRUE(BytesAre(b(), 4000, 2 * kPageSize + 50, 0));
}

TEST_P(ReservedRangeTest, NestedLowerRegrowCyclesReadZero) {
  r_.set_accessible_end(4000);
  fill(b(), 0, 4000, 0x21);
  r_.set_accessible_end(3000);
  r_.set_accessible_end(3500);
  EXPECT_TRUE(BytesAre(b(), 3000, 3500, 0));
  fill(b(), 3000, 3500, 0x22);
  r_.set_accessible_end(2000);
  r_.set_accessible_end(4000);
  EXPECT_TRUE(BytesAre(b(), 0, 2000, 0x21));
  EXPECT_TRUE(BytesAre(b(), 2000, 4000, 0));
}

TEST_P(ReservedRangeTest, LowerToZeroThenRegrowReadsZero) {
  r_.set_accessible_end(2 * kPageSize + 9);
  fill(b(), 0, 2 * kPageSize + 9, 0xf0);
  r_.set_accessible_end(0);
  r_.set_accessible_end(3 * kPageSize);
  EXPECT_TRUE(BytesAre(b(), 0, 3 * kPageSize, 0));
}

TEST_P(ReservedRangeTest, UnalignedOneByteStepsReadZero) {
  for (size_t end = 1; end < 40; ++end) {
    r_.set_accessible_end(end);
    ASSERT_EQ(b()[end - 1], 0) << end;
    b()[end - 1] = static_cast<char>(0xee);
    r_.set_accessible_end(end - 1);
    r_.set_accessible_end(end);
    ASSERT_EQ(b()[end - 1], 0) << end;
    b()[end - 1] = static_cast<char>(0xee);
  }
  EXPECT_TRUE(BytesAre(b(), 0, 39, 0xee));
}

TEST_P(ReservedRangeTest, ResetMakesEverythingUnusableAndRegrowthReadsZero) {
  const size_t n = 6 * kPageSize + 11;
  r_.set_accessible_end(n);
  fill(b(), 0, n, 0x5e);
  r_.reset();
  EXPECT_EQ(r_.accessible_end(), 0u);
  EXPECT_FALSE(r_.is_accessible(0));
  EXPECT_TRUE(r_.reserved());
  EXPECT_EQ(r_.size(), kSize);
  r_.set_accessible_end(n + kPageSize);
  EXPECT_TRUE(BytesAre(b(), 0, n + kPageSize, 0));
}

TEST_P(ReservedRangeTest, ResetAfterLoweringThenRegrowthReadsZero) {
  // Dirty bytes above the end (left by lowerings inside a page) are zeroed after a reset too.
  r_.set_accessible_end(kPageSize + 3000);
  fill(b(), 0, kPageSize + 3000, 0x6f);
  r_.set_accessible_end(kPageSize + 10);
  r_.set_accessible_end(500);
  r_.reset();
  r_.set_accessible_end(2 * kPageSize);
  EXPECT_TRUE(BytesAre(b(), 0, 2 * kPageSize, 0));
}

TEST_P(ReservedRangeTest, ResetTwiceAndOnAFreshRangeIsHarmless) {
  r_.reset();
  r_.reset();
  r_.set_accessible_end(100);
  EXPECT_TRUE(BytesAre(b(), 0, 100, 0));
  fill(b(), 0, 100, 1);
  r_.reset();
  r_.reset();
  r_.set_accessible_end(200);
  EXPECT_TRUE(BytesAre(b(), 0, 200, 0));
}

TEST_P(ReservedRangeTest, ManyResetCyclesOfVaryingSizeReadZero) {
  for (uint32_t i = 0; i < 500; ++i) {
    const size_t n = 1 + (i * 2654435761u) % (5 * kPageSize);
    r_.set_accessible_end(n);
    ASSERT_TRUE(BytesAre(b(), 0, n, 0)) << i;
    fill(b(), 0, n, static_cast<uint8_t>(i | 1));
    if (i % 4 == 1) {
      r_.set_accessible_end(n / 3);
      r_.set_accessible_end(n);
      ASSERT_TRUE(BytesAre(b(), n / 3, n, 0)) << i;
      fill(b(), 0, n, static_cast<uint8_t>(i | 1));
    }
    r_.reset();
  }
}

TEST_P(ReservedRangeTest, DestructorLeavesNoPoisonBehind) {
  if (!kHasAsan) GTEST_SKIP() << "needs AddressSanitizer";
#if ALLOCFUZZ_HAS_ASAN
  char* base = nullptr;
  const size_t size = 4 * kPageSize;
  {
    ReservedRange r;
    ASSERT_EQ(r.reserve(size, Placement::kHigh, GetParam()), 0);
    base = r.base();
    r.set_accessible_end(3 * kPageSize + 5);
    r.set_accessible_end(kPageSize + 3);  // poisons [kPageSize + 3, 3 * kPageSize + 5)
    ASSERT_TRUE(__asan_address_is_poisoned(base + 2 * kPageSize));
  }
  // Map fresh memory at the same address: it must be clean for whoever reuses it.
  void* p = mmap(base, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != base) {
    if (p != MAP_FAILED) munmap(p, size);
    GTEST_SKIP() << "address was reused before the test could map it";
  }
  EXPECT_EQ(__asan_region_is_poisoned(base, size), nullptr);
  munmap(base, size);
#endif
}

// ---------------------------------------------------------------------------------------------
// Stray accesses are detected
// ---------------------------------------------------------------------------------------------

class ReservedRangeDeathTest : public ReservedRangeTest {};
INSTANTIATE_TEST_SUITE_P(Modes, ReservedRangeDeathTest,
                         ::testing::Values(Protection::kStrict, Protection::kPoison),
                         protection_name);

// Strict mode only: in kPoison the pages stay read/write and only ASan sees stray accesses.
class ReservedRangeStrictDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(r_.reserve(kSize, Placement::kHigh, Protection::kStrict), 0); }
  char* b() const { return r_.base(); }
  ReservedRange r_;
};

TEST_F(ReservedRangeStrictDeathTest, AccessAPageAboveTheEndFaults) {
  r_.set_accessible_end(100);
  poke(b() + 99);
  EXPECT_BAD_ACCESS(poke(b() + kPageSize + 16));
  EXPECT_PAGE_FAULT(b() + kPageSize + 16);
}

TEST_F(ReservedRangeStrictDeathTest, AccessToPagesGivenBackFaults) {
  r_.set_accessible_end(4 * kPageSize);
  fill(b(), 0, 4 * kPageSize, 1);
  r_.set_accessible_end(kPageSize - 1);
  EXPECT_BAD_ACCESS(poke(b() + kPageSize + 16));
  EXPECT_BAD_ACCESS(poke(b() + 3 * kPageSize + 16));
  EXPECT_PAGE_FAULT(b() + kPageSize + 16);
  EXPECT_PAGE_FAULT(b() + 3 * kPageSize + 16);
}

TEST_F(ReservedRangeStrictDeathTest, AccessAfterResetFaults) {
  r_.set_accessible_end(2 * kPageSize);
  fill(b(), 0, 2 * kPageSize, 1);
  r_.reset();
  EXPECT_BAD_ACCESS(poke(b() + 16));
  EXPECT_PAGE_FAULT(b() + 16);
}

TEST_P(ReservedRangeDeathTest, AsanReportsAWriteJustAboveAnUnalignedEnd) {
  if (!kHasAsan) GTEST_SKIP() << "needs AddressSanitizer";
  r_.set_accessible_end(kPageSize + 13);
  poke(b() + kPageSize + 12);
  EXPECT_DEATH(poke(b() + kPageSize + 13), "AddressSanitizer");
  EXPECT_DEATH(poke(b() + kPageSize + 100), "AddressSanitizer");
}

TEST_P(ReservedRangeDeathTest, AsanReportsAWriteAboveAnEndLoweredWithinAPage) {
  if (!kHasAsan) GTEST_SKIP() << "needs AddressSanitizer";
  r_.set_accessible_end(3000);
  r_.set_accessible_end(1001);
  poke(b() + 1000);
  EXPECT_DEATH(poke(b() + 1001), "AddressSanitizer");
  EXPECT_DEATH(poke(b() + 2999), "AddressSanitizer");
}

TEST_P(ReservedRangeDeathTest, AsanReportsAWriteAfterReset) {
  if (!kHasAsan) GTEST_SKIP() << "needs AddressSanitizer";
  r_.set_accessible_end(kPageSize + 50);
  r_.reset();
  EXPECT_DEATH(poke(b() + 10), "AddressSanitizer|SEGV");
  EXPECT_DEATH(poke(b() + kPageSize + 10), "AddressSanitizer|SEGV");
}

TEST_P(ReservedRangeTest, AsanShadowMatchesTheAccessibleEndExactly) {
  if (!kHasAsan) GTEST_SKIP() << "needs AddressSanitizer";
#if ALLOCFUZZ_HAS_ASAN
  const size_t ends[] = {13, 4096 + 21, 3 * kPageSize, 1001, 8, 0, 2 * kPageSize + 1};
  for (size_t end : ends) {
    r_.set_accessible_end(end);
    if (end > 0) {
      EXPECT_EQ(__asan_region_is_poisoned(b(), end), nullptr) << end;
    }
    // Every byte from the end to the end of its page is poisoned (whole pages above stay
    // inaccessible by other means: PROT_NONE, or never mapped read/write in kPoison).
    size_t page_end = (end + kPageSize - 1) & ~(kPageSize - 1);
    for (size_t i = end; i < page_end; ++i) {
      ASSERT_TRUE(__asan_address_is_poisoned(b() + i)) << "end=" << end << " i=" << i;
    }
  }
#endif
}

}  // namespace
}  // namespace allocfuzz
