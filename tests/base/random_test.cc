// The generators' sequences are part of recorded outputs (seeded tests, bench figures, the
// README's `allocfuzz footprint --random` figures): these pin their first values, taken from
// the reference definitions (Marsaglia's xorshift64 (13, 7, 17); Vigna's splitmix64, whose
// seed-0 values are the published ones).
#include "allocator/base/random.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "tests/support/xorshift.h"

namespace allocfuzz {
namespace {

TEST(XorShift64, FirstValuesOfStateOne) {
  XorShift64 rng(1);
  EXPECT_EQ(rng.next(), 0x40822041u);
  EXPECT_EQ(rng.next(), 0x100041060c011441u);
  EXPECT_EQ(rng.next(), 0x9b1e842f6e862629u);
}

TEST(XorShift64, StateZeroStartsFromTheGoldenGamma) {
  XorShift64 zero(0);
  XorShift64 golden(kGoldenGamma);
  EXPECT_EQ(zero.next(), 0xdc1b77ae0bf34dadu);
  EXPECT_EQ(golden.next(), 0xdc1b77ae0bf34dadu);
  EXPECT_EQ(zero.next(), 0x64f0eeb9026e6076u);
  EXPECT_EQ(golden.next(), 0x64f0eeb9026e6076u);
}

TEST(XorShift64, BelowIsNextModuloN) {
  XorShift64 a(1);
  XorShift64 b(1);
  for (uint64_t n : {1u, 2u, 7u, 1000u, 4096u}) EXPECT_EQ(a.below(n), b.next() % n);
}

TEST(XorShift64, TheTestsSeedIsTwiceItPlusOne) {
  testing::XorShift tests(7);
  XorShift64 raw(15);
  EXPECT_EQ(tests.next(), 0x3c79fe3cfu);
  EXPECT_EQ(raw.next(), 0x3c79fe3cfu);
  EXPECT_EQ(tests.next(), 0xf003cf224401cfc8u);
  // Seed 0 is odd state 1, not the golden gamma.
  testing::XorShift zero(0);
  EXPECT_EQ(zero.next(), 0x40822041u);
}

TEST(SplitMix64, FirstValuesOfSeedZero) {
  SplitMix64 rng(0);
  EXPECT_EQ(rng.next(), 0xe220a8397b1dcdafu);
  EXPECT_EQ(rng.next(), 0x6e789e6aa1b965f4u);
  EXPECT_EQ(rng.next(), 0x06c45d188009454fu);
}

TEST(SplitMix64, FreeStepAdvancesTheSameState) {
  uint64_t state = 7;
  SplitMix64 rng(7);
  EXPECT_EQ(splitmix64_next(state), 0x63cbe1e459320dd7u);
  EXPECT_EQ(rng.next(), 0x63cbe1e459320dd7u);
  EXPECT_EQ(state, 7 + kGoldenGamma);
  EXPECT_EQ(splitmix64_next(state), 0x044c3cd7f43c661cu);
  EXPECT_EQ(rng.next(), 0x044c3cd7f43c661cu);
}

TEST(SplitMix64, BelowOfSeedSeven) {
  SplitMix64 rng(7);
  for (uint64_t expected : {487u, 804u, 346u, 203u, 674u}) EXPECT_EQ(rng.below(1000), expected);
}

}  // namespace
}  // namespace allocfuzz
