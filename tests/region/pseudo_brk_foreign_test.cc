// Unit tests for PseudoBrk: foreign moves of the break (spans, their bytes, release, clobber
// detection).
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
using testing::options;
using testing::PseudoBrkTest;
using testing::stats;

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

}  // namespace
}  // namespace allocfuzz
