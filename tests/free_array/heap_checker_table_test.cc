// Tests of the heap checker's table of invariants (heap_checker.h) and of its one-line report.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>

#include "allocator/base/fixed_text.h"
#include "allocator/free_array/heap_checker.h"
#include "allocator/free_array/heap_layout.h"
#include "tests/free_array/heap_checker_fixture.h"
#include "tests/free_array/heap_harness.h"

namespace allocfuzz::testing {
namespace {

using layout::kPrevFree;
using layout::store_word;

// ---- the table -----------------------------------------------------------------------------

// The stable IDs, in enumerator order. A new enumerator without a case here fails to compile
// (-Wswitch with -Werror); a renamed ID fails the test.
const char* stable_id(Invariant inv) {
  switch (inv) {
    case Invariant::kRegionBounds:
      return "region-bounds";
    case Invariant::kArrayShape:
      return "array-shape";
    case Invariant::kEndMarker:
      return "end-marker";
    case Invariant::kWalkEnd:
      return "walk-end";
    case Invariant::kBlockSize:
      return "block-size";
    case Invariant::kFlags:
      return "flags";
    case Invariant::kPrevFree:
      return "prev-free";
    case Invariant::kFreeAdjacent:
      return "free-adjacent";
    case Invariant::kTopFree:
      return "top-free";
    case Invariant::kFreeIndex:
      return "free-index";
    case Invariant::kEntryPos:
      return "entry-pos";
    case Invariant::kEntrySize:
      return "entry-size";
    case Invariant::kFreeTag:
      return "free-tag";
    case Invariant::kEntryRange:
      return "entry-range";
    case Invariant::kEntryBlock:
      return "entry-block";
    case Invariant::kArrayTail:
      return "array-tail";
    case Invariant::kGapCount:
      return "gap-count";
    case Invariant::kGapHint:
      return "gap-hint";
    case Invariant::kFreeBytes:
      return "free-bytes";
    case Invariant::kLargestBound:
      return "largest-bound";
    case Invariant::kLiveBlock:
      return "live-block";
    case Invariant::kUsedSlack:
      return "used-slack";
    case Invariant::kFenceForeign:
      return "fence-foreign";
  }
  return nullptr;
}

TEST(HeapCheckerTable, EveryEnumeratorOnceInOrderWithStableId) {
#define ALLOCFUZZ_COUNT(e, id, cost, what) +1
  constexpr size_t kEnumerators = 0 ALLOCFUZZ_HEAP_INVARIANTS(ALLOCFUZZ_COUNT);
#undef ALLOCFUZZ_COUNT
  ASSERT_EQ(std::size(kInvariants), kEnumerators);
  ASSERT_EQ(std::size(kInvariants), 23u);
  for (size_t i = 0; i < std::size(kInvariants); ++i) {
    const InvariantInfo& info = kInvariants[i];
    EXPECT_EQ(static_cast<size_t>(info.invariant), i) << info.id;
    EXPECT_EQ(&invariant_info(info.invariant), &info);
    EXPECT_STREQ(info.id, stable_id(info.invariant));
  }
}

TEST(HeapCheckerTable, IdsUniqueShortLowercaseWithCostAndText) {
  std::set<std::string_view> ids;
  for (const InvariantInfo& info : kInvariants) {
    std::string_view id = info.id;
    EXPECT_FALSE(id.empty());
    EXPECT_LE(id.size(), 20u) << id;
    for (char ch : id) EXPECT_TRUE((ch >= 'a' && ch <= 'z') || ch == '-') << id;
    EXPECT_NE(id.front(), '-') << id;
    EXPECT_NE(id.back(), '-') << id;
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
    std::string_view cost = info.cost;
    EXPECT_TRUE(cost.size() > 3 && cost.substr(0, 2) == "O(" && cost.back() == ')')
        << id << ": " << cost;
    EXPECT_FALSE(std::string_view(info.what).empty()) << id;
  }
}

// ---- the report ----------------------------------------------------------------------------

TEST(HeapCheckerReport, AppendViolationPrintsTheExactLine) {
  FixedText<512> text;
  append_violation(HeapViolation{Invariant::kFreeTag, 0x120, 3, 3, 7}, text);
  EXPECT_EQ(text.view(),
            "heap-invariant:free-tag at +0x000120 entry 3: expected 0x3, actual 0x7 "
            "(a free block's last word (its tag) equals its index)");
  EXPECT_FALSE(text.truncated());
}

TEST(HeapCheckerReport, AppendViolationWithoutEntry) {
  FixedText<512> text;
  append_violation(HeapViolation{Invariant::kEndMarker, 0x1028, kNo, 0, 0x35}, text);
  EXPECT_EQ(text.view(),
            "heap-invariant:end-marker at +0x001028: expected 0x0, actual 0x35 "
            "(the word at top is 0)");
}

// free-index holds a bound, not a value to match: the line says index and length.
TEST(HeapCheckerReport, FreeIndexNamesTheIndexAndTheLength) {
  FixedText<512> text;
  append_violation(HeapViolation{Invariant::kFreeIndex, 0x80, 2, 2, 2}, text);
  EXPECT_EQ(text.view(),
            "heap-invariant:free-index at +0x000080 entry 2: index 0x2, array length 0x2 "
            "(a free block's header names an entry below the array's length that is no gap)");
}

TEST(HeapCheckerReport, AppendViolationIntoSmallBufferIsCutNotOverflowed) {
  struct {
    FixedText<24> text;
    char canary[16];
  } s;
  std::memset(s.canary, 0x5a, sizeof s.canary);
  append_violation(HeapViolation{Invariant::kFreeTag, 0x120, 3, 3, 7}, s.text);
  EXPECT_TRUE(s.text.truncated());
  EXPECT_EQ(s.text.view(), "heap-invariant:free-t...");
  for (char ch : s.canary) EXPECT_EQ(ch, 0x5a);
}

// The same corruption reports the same text whatever the region's placement.
TEST(HeapCheckerReport, ReportsAreIdenticalForHighAndLowPlacement) {
  auto report = [](Placement placement, int which) {
    RegionOptions options;
    options.placement = placement;
    options.reserve_bytes = size_t{64} << 20;
    HeapHarness h(options);
    BaseBlocks blocks;
    build_base_heap(h, &blocks);
    EXPECT_EQ(describe(h.check()), "ok");
    FreeArrayState& s = h.heap().state_for_testing();
    char* base = h.region().start();
    switch (which) {
      case 0:
        store_word(base + kFreeF + 40, 5);
        break;
      case 1:
        s.entries[0].pos += 8;
        break;
      case 2:
        s.entries[3] = layout::FreeEntry{48, reinterpret_cast<uint64_t>(base + kTop + 64)};
        s.length = 4;
        break;
      case 3:
        s.heap_start = base + 4;
        break;
      case 4:
        s.top = base + kTop + 4;
        break;
      case 5:
        s.brk = s.top;
        break;
      default:
        store_word(base + kA, 4096);
        break;
    }
    return describe(h.check());
  };
  for (int which = 0; which <= 6; ++which) {
    SCOPED_TRACE(which);
    std::string high = report(Placement::kHigh, which);
    std::string low = report(Placement::kLow, which);
    EXPECT_NE(high, "ok");
    EXPECT_EQ(high, low);
  }
}

}  // namespace
}  // namespace allocfuzz::testing
