// Unit tests for PseudoBrk: memory semantics in both protection modes (strict and poison), and
// death tests for stray accesses above the break.
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
using testing::kHasAsan;
using testing::kSmallReserve;
using testing::options;
using testing::page_up;
using testing::poke;
using testing::protection_name;
using testing::PseudoBrkMemoryTest;

// ---------------------------------------------------------------------------------------------
// 5. memory semantics, in both protection modes
// ---------------------------------------------------------------------------------------------

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

}  // namespace
}  // namespace allocfuzz
