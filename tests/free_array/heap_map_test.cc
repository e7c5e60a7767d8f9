// Tests of the heap map (heap_map.h) and of the fixed-storage text it is written into
// (fixed_text.h): exact text for a small fixed heap, the same text for both placements
// (offsets, never addresses), a walk that stops at a corrupt header instead of crashing, and
// text that is cut with "..." instead of overflowing.
#include "allocator/free_array/heap_map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "allocator/base/fixed_text.h"
#include "allocator/base/random.h"
#include "allocator/free_array/heap_layout.h"
#include "tests/free_array/heap_harness.h"

namespace allocfuzz::testing {
namespace {

using layout::kFree;
using layout::kIndexShift;
using layout::load_word;
using layout::store_word;

// The map's fixed heap, as region offsets: three free blocks between used ones, no gap.
//   +0x000 used 32 | +0x020 free 48 (entry 0) | +0x050 used 32 PREV_FREE |
//   +0x070 free 64 (entry 1) | +0x0b0 used 32 PREV_FREE | +0x0d0 free 48 (entry 2) |
//   +0x100 used 32 PREV_FREE | top +0x120, brk +0x1028 (32 + 8 + 4096 of preallocation).
// build_base_heap then takes entry 1 back by an exact fit: +0x070 is used 64, +0x0b0 loses
// PREV_FREE, and entry 1 is a gap (the base heap of heap_checker_fixture.h).
constexpr size_t kFreeB = 0x020;
constexpr size_t kC = 0x050;
constexpr size_t kD = 0x070;
constexpr size_t kFreeF = 0x0d0;
constexpr size_t kG = 0x100;
constexpr size_t kTop = 0x120;

void* build_map_heap(HeapHarness& h) {
  void* a = h.malloc(24);
  void* b = h.malloc(40);
  void* c = h.malloc(24);
  void* d = h.malloc(56);
  void* e = h.malloc(24);
  void* f = h.malloc(40);
  void* g = h.malloc(24);
  h.free(b);
  h.free(d);
  h.free(f);
  EXPECT_EQ(h.offset(a), 0x008u);
  EXPECT_EQ(h.offset(c), kC + 8);
  EXPECT_EQ(h.offset(d), kD + 8);
  EXPECT_EQ(h.offset(e), 0x0b8u);
  EXPECT_EQ(h.offset(g), kG + 8);
  EXPECT_EQ(describe(h.check()), "ok");
  return d;
}

void build_base_heap(HeapHarness& h) {
  void* d = build_map_heap(h);
  EXPECT_EQ(h.malloc(56), d);  // exact fit: entry 1 becomes a gap
  EXPECT_EQ(h.state().gaps, 1u);
  EXPECT_EQ(describe(h.check()), "ok");
}

std::string map_of(const FreeArrayHeap& heap, size_t offset, size_t radius) {
  FixedText<4096> text;
  append_heap_map(heap, offset, radius, text);
  EXPECT_FALSE(text.truncated());
  return std::string(text.view());
}

constexpr std::string_view kTopLine =
    "    +0x000120   top    brk +0x001028  entries 3 (0 gaps)  free 160 bytes\n";

TEST(HeapMap, WholeHeapMarksTheBlockHoldingTheOffset) {
  HeapHarness h;
  ASSERT_NO_FATAL_FAILURE(build_map_heap(h));
  // +0xe0 lies inside the free block at +0xd0.
  EXPECT_EQ(map_of(h.heap(), 0xe0, 8),
            "    +0x000000   used   size 32\n"
            "    +0x000020   free   size 48      entry 0  tag 0\n"
            "    +0x000050   used   size 32      PREV_FREE\n"
            "    +0x000070   free   size 64      entry 1  tag 1\n"
            "    +0x0000b0   used   size 32      PREV_FREE\n"
            "  > +0x0000d0   free   size 48      entry 2  tag 2\n"
            "    +0x000100   used   size 32      PREV_FREE\n" +
                std::string(kTopLine));
}

TEST(HeapMap, RadiusCutsBothSidesWithEllipsis) {
  HeapHarness h;
  ASSERT_NO_FATAL_FAILURE(build_map_heap(h));
  std::string expected =
      "    ...\n"
      "    +0x000050   used   size 32      PREV_FREE\n"
      "  > +0x000070   free   size 64      entry 1  tag 1\n"
      "    +0x0000b0   used   size 32      PREV_FREE\n"
      "    ...\n" +
      std::string(kTopLine);
  EXPECT_EQ(map_of(h.heap(), kD, 1), expected);
  // Any offset inside the block marks the same block.
  EXPECT_EQ(map_of(h.heap(), kD + 0x3f, 1), expected);
}

TEST(HeapMap, FirstBlockHasNothingBeforeIt) {
  HeapHarness h;
  ASSERT_NO_FATAL_FAILURE(build_map_heap(h));
  EXPECT_EQ(map_of(h.heap(), 0, 1),
            "  > +0x000000   used   size 32\n"
            "    +0x000020   free   size 48      entry 0  tag 0\n"
            "    ...\n" +
                std::string(kTopLine));
}

TEST(HeapMap, OffsetAtOrAboveTopMarksTheTopLine) {
  HeapHarness h;
  ASSERT_NO_FATAL_FAILURE(build_map_heap(h));
  std::string expected =
      "    ...\n"
      "    +0x0000d0   free   size 48      entry 2  tag 2\n"
      "    +0x000100   used   size 32      PREV_FREE\n"
      "  > +0x000120   top    brk +0x001028  entries 3 (0 gaps)  free 160 bytes\n";
  EXPECT_EQ(map_of(h.heap(), kTop, 2), expected);
  EXPECT_EQ(map_of(h.heap(), 0x1000, 2), expected);
}

// heap_map.h documents the top line as "entries 4 (1 gap)".
TEST(HeapMap, TopLineSaysOneGapInTheSingular) {
  HeapHarness h;
  ASSERT_NO_FATAL_FAILURE(build_base_heap(h));
  EXPECT_EQ(map_of(h.heap(), kTop, 0),
            "    ...\n"
            "  > +0x000120   top    brk +0x001028  entries 3 (1 gap)  free 96 bytes\n");
}

TEST(HeapMap, TopLineCountsEntriesGapsAndFreeBytes) {
  HeapHarness h;
  ASSERT_NE(h.malloc(24), nullptr);
  EXPECT_EQ(map_of(h.heap(), 0, 0),
            "  > +0x000000   used   size 32\n"
            "    +0x000020   top    brk +0x001028  entries 0 (0 gaps)  free 0 bytes\n");
  HeapHarness h2;
  ASSERT_NO_FATAL_FAILURE(build_base_heap(h2));
  ASSERT_NE(h2.malloc(40), nullptr);  // exact fit in entry 0: a second gap
  std::string map = map_of(h2.heap(), kTop, 0);
  EXPECT_NE(map.find("top    brk +0x001028  entries 3 (2 gaps)  free 48 bytes\n"),
            std::string::npos)
      << map;
}

TEST(HeapMap, SameTextForHighAndLowPlacement) {
  std::string maps[2];
  uintptr_t starts[2];
  const Placement placements[2] = {Placement::kHigh, Placement::kLow};
  for (int i = 0; i < 2; ++i) {
    RegionOptions options;
    options.placement = placements[i];
    options.reserve_bytes = size_t{64} << 20;
    HeapHarness h(options);
    ASSERT_NO_FATAL_FAILURE(build_base_heap(h));
    ASSERT_TRUE(h.region().foreign_grow(100));
    ASSERT_NE(h.malloc(4000), nullptr);  // fences the foreign span off
    starts[i] = reinterpret_cast<uintptr_t>(h.region().start());
    maps[i] = map_of(h.heap(), kFreeF, 32);
  }
  EXPECT_GE(starts[0], uintptr_t{1} << 32);
  EXPECT_LT(starts[1], uintptr_t{1} << 31);
  EXPECT_EQ(maps[0], maps[1]);
  EXPECT_NE(maps[0].find("    +0x000120   fence  size 3952\n"), std::string::npos) << maps[0];
}

TEST(HeapMap, CorruptHeaderStopsTheWalk) {
  HeapHarness h;
  ASSERT_NO_FATAL_FAILURE(build_base_heap(h));
  store_word(h.region().start() + kD, 4096);  // a size past top
  EXPECT_EQ(map_of(h.heap(), kD, 1),
            "    ...\n"
            "    +0x000050   used   size 32      PREV_FREE\n"
            "  > +0x000070   used   size 4096  (cannot step over this header)\n"
            "    (walk stops: the header at +0x000070 cannot be stepped over)\n");
  // Asked about a block beyond the bad header: the walk still stops there.
  std::string beyond = map_of(h.heap(), kG, 1);
  EXPECT_NE(beyond.find("(walk stops: the header at +0x000070"), std::string::npos) << beyond;
}

TEST(HeapMap, ZeroHeaderStopsTheWalk) {
  HeapHarness h;
  ASSERT_NO_FATAL_FAILURE(build_base_heap(h));
  store_word(h.region().start() + kC, 0);
  std::string map = map_of(h.heap(), kG, 2);
  EXPECT_NE(map.find("(walk stops: the header at +0x000050"), std::string::npos) << map;
}

TEST(HeapMap, FreeHeaderWithBadIndexStopsTheWalk) {
  HeapHarness h;
  ASSERT_NO_FATAL_FAILURE(build_base_heap(h));
  store_word(h.region().start() + kFreeB, (uint64_t{9} << kIndexShift) | kFree);
  EXPECT_EQ(map_of(h.heap(), kFreeB, 1),
            "    +0x000000   used   size 32\n"
            "  > +0x000020   free   entry 9 does not lead back here (header 0x49)\n"
            "    (walk stops: the header at +0x000020 cannot be stepped over)\n");
}

// The map is printed for every violation, region-bounds included, so it must not trust
// heap_start or top either. Run in a child: a crash fails the test, not the whole binary.
TEST(HeapMapDeathTest, HeapStartOutsideRegionDoesNotCrash) {
  HeapHarness h;
  ASSERT_NO_FATAL_FAILURE(build_base_heap(h));
  EXPECT_EXIT(
      {
        h.heap().state_for_testing().heap_start = reinterpret_cast<char*>(uintptr_t{0x1000});
        FixedText<4096> text;
        append_heap_map(h.heap(), kD, 2, text);
        std::fwrite(text.view().data(), 1, text.size(), stderr);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(HeapMapDeathTest, UnalignedOrRaisedTopDoesNotCrash) {
  HeapHarness h;
  ASSERT_NO_FATAL_FAILURE(build_base_heap(h));
  char* top = h.state().top;
  for (char* bad : {top + 4, top + 0x800, h.region().start() + 4}) {
    EXPECT_EXIT(
        {
          FreeArrayState& s = h.heap().state_for_testing();
          if (bad == h.region().start() + 4) {
            s.heap_start = bad;
          } else {
            s.top = bad;
          }
          FixedText<4096> text;
          append_heap_map(h.heap(), kD, 2, text);
          std::fwrite(text.view().data(), 1, text.size(), stderr);
          std::_Exit(0);
        },
        ::testing::ExitedWithCode(0), "");
  }
}

TEST(HeapMap, HeapNotStarted) {
  HeapHarness h;
  EXPECT_EQ(map_of(h.heap(), 0, 4), "    (heap not started: no block yet)\n");
}

TEST(HeapMap, TruncatedIntoSmallBufferNeverOverflows) {
  HeapHarness h;
  ASSERT_NO_FATAL_FAILURE(build_base_heap(h));
  struct {
    FixedText<100> text;
    char canary[32];
  } s;
  std::memset(s.canary, 0x5a, sizeof s.canary);
  append_heap_map(h.heap(), kD, 8, s.text);
  EXPECT_TRUE(s.text.truncated());
  EXPECT_EQ(s.text.size(), 100u);
  std::string_view v = s.text.view();
  EXPECT_EQ(v.substr(v.size() - 3), "...");
  EXPECT_EQ(v.substr(0, 31), "    +0x000000   used   size 32\n");
  for (char ch : s.canary) EXPECT_EQ(ch, 0x5a);
}

// Random single-word corruptions of block words and of the heap's state: the map always
// returns, with text.
TEST(HeapMap, RandomCorruptionsNeverCrash) {
  XorShift64 rng(0x5eed);
  auto rnd = [&rng] { return rng.next(); };
  for (int iteration = 0; iteration < 300; ++iteration) {
    RegionOptions options;
    options.reserve_bytes = size_t{64} << 20;
    HeapHarness h(options);
    ASSERT_NO_FATAL_FAILURE(build_base_heap(h));
    FreeArrayState& s = h.heap().state_for_testing();
    char* base = h.region().start();
    uint64_t value;
    switch (rnd() % 6) {
      case 0:
        value = 0;
        break;
      case 1:
        value = rnd();
        break;
      case 2:
        value = (rnd() % 80) * 8;
        break;
      case 3:
        value = ((rnd() % 6) << kIndexShift) | kFree;
        break;
      case 4:
        value = (rnd() % 80) * 8 | (rnd() % 8);
        break;
      default:
        value = reinterpret_cast<uint64_t>(base) + (rnd() % 80) * 8;
        break;
    }
    uint64_t where = rnd() % 10;
    std::string what;
    if (where < 6) {
      size_t offset = 8 * (rnd() % (kTop / 8));
      store_word(base + offset, value);
      what = "word +" + std::to_string(offset);
    } else if (where == 6) {
      size_t i = rnd() % 3;
      s.entries[i].size = value;
      what = "entry size " + std::to_string(i);
    } else if (where == 7) {
      size_t i = rnd() % 3;
      s.entries[i].pos = value;
      what = "entry pos " + std::to_string(i);
    } else if (where == 8) {
      s.length = value;
      what = "length";
    } else {
      s.gaps = value;
      what = "gaps";
    }
    SCOPED_TRACE("iteration " + std::to_string(iteration) + ": " + what);
    FixedText<4096> text;
    append_heap_map(h.heap(), 8 * (rnd() % (kTop / 8 + 4)), rnd() % 6, text);
    EXPECT_GT(text.size(), 0u);
    EXPECT_EQ(text.view().back(), '\n');
  }
}

// ---- FixedText ---------------------------------------------------------------------------

TEST(FixedText, FitsExactlyWithoutMark) {
  FixedText<8> t;
  t.add("abcd").add("efgh");
  EXPECT_EQ(t.view(), "abcdefgh");
  EXPECT_FALSE(t.truncated());
}

TEST(FixedText, CutIsMarkedAndLaterTextDropped) {
  struct {
    FixedText<8> text;
    char canary[16];
  } s;
  std::memset(s.canary, 0x5a, sizeof s.canary);
  s.text.add("abcdef").add("ghijkl");
  EXPECT_TRUE(s.text.truncated());
  EXPECT_EQ(s.text.view(), "abcde...");
  s.text.add("more").add_char('x').add_dec(123456).add_hex(0xdeadbeef).add_offset(0x10).pad_to(40);
  EXPECT_EQ(s.text.view(), "abcde...");
  EXPECT_EQ(s.text.size(), 8u);
  for (char ch : s.canary) EXPECT_EQ(ch, 0x5a);
}

TEST(FixedText, OneCharPastFullIsCut) {
  FixedText<4> t;
  t.add("abcd");
  EXPECT_FALSE(t.truncated());
  t.add_char('e');
  EXPECT_TRUE(t.truncated());
  EXPECT_EQ(t.view(), "a...");
}

TEST(FixedText, TinyCapacityCutsWithoutMarkOrOverflow) {
  struct {
    FixedText<2> text;
    char canary[8];
  } s;
  std::memset(s.canary, 0x5a, sizeof s.canary);
  s.text.add("abc");
  EXPECT_TRUE(s.text.truncated());
  EXPECT_EQ(s.text.view(), "ab");
  for (char ch : s.canary) EXPECT_EQ(ch, 0x5a);
}

TEST(FixedText, NumbersOffsetsAndPadding) {
  FixedText<128> t;
  t.add_dec(0).add_char(' ').add_dec(UINT64_MAX).add_char(' ').add_hex(0).add_char(' ');
  t.add_hex(0xabc, 4).add_char(' ').add_hex(UINT64_MAX, 20).add_char(' ').add_offset(0x1028);
  EXPECT_EQ(t.view(), "0 18446744073709551615 0x0 0x0abc 0xffffffffffffffff +0x001028");
  t.clear();
  t.add("ab\ncd").pad_to(5).add("|");
  EXPECT_EQ(t.view(), "ab\ncd   |");
}

TEST(FixedText, ClearStartsOver) {
  FixedText<4> t;
  t.add("abcdef");
  ASSERT_TRUE(t.truncated());
  t.clear();
  EXPECT_FALSE(t.truncated());
  t.add("xy");
  EXPECT_EQ(t.view(), "xy");
}

}  // namespace
}  // namespace allocfuzz::testing
