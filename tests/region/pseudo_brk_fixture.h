// Fixtures and helpers of PseudoBrk's unit tests (tests/region/pseudo_brk*_test.cc): sizes,
// region options, statistics compared as one value, and the fixtures of a small strict region
// (PseudoBrkTest) and of a small region in each protection mode (PseudoBrkMemoryTest).
#ifndef ALLOCFUZZ_TESTS_REGION_PSEUDO_BRK_FIXTURE_H_
#define ALLOCFUZZ_TESTS_REGION_PSEUDO_BRK_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "allocator/region/pseudo_brk.h"

namespace allocfuzz::testing {

inline constexpr size_t kMiB = size_t{1} << 20;
inline constexpr size_t kGiB = size_t{1} << 30;
inline constexpr uintptr_t k2GiB = uintptr_t{1} << 31;
inline constexpr uintptr_t k4GiB = uintptr_t{1} << 32;
inline constexpr size_t kSmallReserve = 64 * kMiB;

inline void* const kSbrkFailed = reinterpret_cast<void*>(intptr_t{-1});

inline size_t page_up(size_t n) { return (n + kPageSize - 1) & ~(kPageSize - 1); }

inline RegionOptions options(size_t reserve, Placement placement = Placement::kHigh,
                             Protection protection = Protection::kStrict) {
  RegionOptions o;
  o.reserve_bytes = reserve;
  o.placement = placement;
  o.protection = protection;
  return o;
}

inline void* address(const char* base, intptr_t offset) {
  return reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(base) +
                                 static_cast<uintptr_t>(offset));
}

inline ::testing::AssertionResult StatsAre(const RegionStats& s, const RegionStats& e) {
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

inline RegionStats stats(size_t break_offset, size_t peak, uint64_t moves, uint64_t failed_moves,
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

inline std::string protection_name(const ::testing::TestParamInfo<Protection>& info) {
  return info.param == Protection::kStrict ? "Strict" : "Poison";
}

// A small strict region at a high address.
class PseudoBrkTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(r_.init(options(kSmallReserve)), 0); }
  char* at(intptr_t offset) const { return static_cast<char*>(address(r_.start(), offset)); }
  PseudoBrk r_;
};

// A small region in the protection mode of the parameter.
class PseudoBrkMemoryTest : public ::testing::TestWithParam<Protection> {
 protected:
  void SetUp() override {
    ASSERT_EQ(r_.init(options(kSmallReserve, Placement::kHigh, GetParam())), 0);
  }
  char* at(size_t offset) const { return r_.start() + offset; }
  PseudoBrk r_;
};

}  // namespace allocfuzz::testing

#endif  // ALLOCFUZZ_TESTS_REGION_PSEUDO_BRK_FIXTURE_H_
