// Tests of the heap checker (heap_checker.h): a corrupt heap never crashes it.
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
#include "allocator/base/random.h"
#include "allocator/free_array/heap_checker.h"
#include "allocator/free_array/heap_layout.h"
#include "tests/free_array/heap_checker_fixture.h"
#include "tests/free_array/heap_harness.h"

namespace allocfuzz::testing {
namespace {

using layout::kFree;
using layout::kIndexShift;
using layout::load_word;
using layout::store_word;

// ---- a corrupt heap never crashes the checker ----------------------------------------------

uint64_t next_random(uint64_t& state) { return splitmix64_next(state); }

// A value that is likely to look almost right to the checker.
uint64_t corrupt_value(uint64_t& rng, uint64_t old, uint64_t heap_start) {
  switch (next_random(rng) % 12) {
    case 0:
      return 0;
    case 1:
      return ~uint64_t{0};
    case 2:
      return old ^ (uint64_t{1} << (next_random(rng) % 64));
    case 3:
      return old + 8;
    case 4:
      return old - 8;
    case 5:
      return old ^ (next_random(rng) % 8);  // flag bits
    case 6:
      return ((next_random(rng) % 6) << kIndexShift) | kFree;
    case 7:
      return (next_random(rng) % 80) * 8;  // a plausible size
    case 8:
      return heap_start + (next_random(rng) % 80) * 8;  // a plausible position
    case 9:
      return heap_start - 8 * (1 + next_random(rng) % 4);
    case 10:
      return next_random(rng) % 8;  // a small index
    default:
      return next_random(rng);
  }
}

TEST(HeapCheckerRobustness, RandomSingleWordCorruptionsNeverCrash) {
  uint64_t rng = 20240611;
  size_t found = 0;
  constexpr int kIterations = 400;
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    RegionOptions options;
    options.reserve_bytes = size_t{64} << 20;
    HeapHarness h(options);
    BaseBlocks blocks;
    build_base_heap(h, &blocks);
    ASSERT_EQ(describe(h.check()), "ok") << "iteration " << iteration;
    FreeArrayState& s = h.heap().state_for_testing();
    char* base = h.region().start();
    auto hs = reinterpret_cast<uint64_t>(s.heap_start);
    uint64_t pick = next_random(rng) % 100;
    std::string what;
    if (pick < 55) {
      size_t offset = 8 * (next_random(rng) % (kTop / 8));
      uint64_t old = load_word(base + offset);
      store_word(base + offset, corrupt_value(rng, old, hs));
      what = "word +" + std::to_string(offset);
    } else {
      // One field of the state or of the array (entries up to one past the length).
      size_t field = next_random(rng) % 16;
      size_t i = next_random(rng) % (s.length + 1);
      auto change = [&](uint64_t old) { return corrupt_value(rng, old, hs); };
      auto change_ptr = [&](char* p) {
        return reinterpret_cast<char*>(change(reinterpret_cast<uint64_t>(p)));
      };
      switch (field) {
        case 0:
          s.length = change(s.length);
          break;
        case 1:
          s.capacity = change(s.capacity);
          break;
        case 2:
          s.gaps = change(s.gaps);
          break;
        case 3:
          s.free_bytes = change(s.free_bytes);
          break;
        case 4:
          s.largest_bound = change(s.largest_bound);
          break;
        case 5:
          s.gap_hint = change(s.gap_hint);
          break;
        case 6:
          s.heap_start = change_ptr(s.heap_start);
          break;
        case 7:
          s.top = change_ptr(s.top);
          break;
        case 8:
          s.brk = change_ptr(s.brk);
          break;
        case 9:
        case 10:
        case 11:
          s.entries[i].size = change(s.entries[i].size);
          break;
        default:
          s.entries[i].pos = change(s.entries[i].pos);
          break;
      }
      what = "field " + std::to_string(field) + " entry " + std::to_string(i);
    }
    SCOPED_TRACE("iteration " + std::to_string(iteration) + ": " + what);
    std::optional<HeapViolation> with_requests = h.check();
    std::optional<HeapViolation> plain = check_heap(h.heap());
    if (with_requests) ++found;
    // The report of any violation formats without trouble.
    FixedText<512> text;
    if (plain) append_violation(*plain, text);
    EXPECT_FALSE(text.truncated());
  }
  // Most corruptions hit payload bytes or loosen a bound, but many must be found.
  EXPECT_GT(found, static_cast<size_t>(kIterations) / 4);
}

}  // namespace
}  // namespace allocfuzz::testing
