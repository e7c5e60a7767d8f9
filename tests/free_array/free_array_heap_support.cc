// Helpers of FreeArrayHeap's unit tests (free_array_heap_support.h).
#include "tests/free_array/free_array_heap_support.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "allocator/free_array/heap_layout.h"

namespace allocfuzz::testing {

using layout::FreeEntry;
using layout::kFence;
using layout::kFlagMask;
using layout::kFree;
using layout::kIndexShift;
using layout::kPrevFree;
using layout::load_word;

RegionOptions Region(Placement placement, size_t reserve) {
  RegionOptions o;
  o.reserve_bytes = reserve;
  o.placement = placement;
  return o;
}

HeapConfig SmallConfig() {
  HeapConfig c;
  c.initial_prealloc = 4096;
  c.max_prealloc = 16384;
  c.release_threshold = 16384;
  c.keep_after_release = 4096;
  return c;
}

uint64_t HeaderOf(const void* payload) {
  return load_word(static_cast<const char*>(payload) - layout::kHeader);
}
bool PrevFree(const void* payload) { return (HeaderOf(payload) & kPrevFree) != 0; }

size_t Top(const HeapHarness& h) {
  return static_cast<size_t>(h.state().top - h.state().heap_start);
}
size_t Brk(const HeapHarness& h) {
  return static_cast<size_t>(h.state().brk - h.state().heap_start);
}
size_t RegionBreak(HeapHarness& h) { return h.region().stats().break_offset; }

std::pair<uint64_t, size_t> Entry(HeapHarness& h, size_t i) {
  if (i >= h.state().length) {
    ADD_FAILURE() << "entry " << i << " is past the array's length " << h.state().length;
    return {SIZE_MAX, SIZE_MAX};
  }
  const FreeEntry& e = h.state().entries[i];
  if (e.size == 0) return {0, 0};
  return {e.size, h.offset(reinterpret_cast<const char*>(e.pos))};
}

Walk WalkHeap(const HeapHarness& h) {
  const FreeArrayState& s = h.state();
  Walk w;
  for (const char* b = s.heap_start; b != nullptr && b < s.top;) {
    uint64_t header = load_word(b);
    uint64_t size;
    if (header & kFree) {
      size = s.entries[header >> kIndexShift].size;
      ++w.free;
      w.free_bytes += size;
    } else {
      size = header & ~kFlagMask;
      if (header & kFence) {
        ++w.fences;
        w.fence_bytes += size;
      } else {
        ++w.used;
        w.used_bytes += size;
      }
    }
    if (size == 0) {
      ADD_FAILURE() << "zero-size block in the walk";
      break;
    }
    b += size;
  }
  return w;
}

void FreeAll(HeapHarness& h) {
  std::vector<void*> ps;
  for (const auto& [p, b] : h.live()) ps.push_back(const_cast<void*>(p));
  for (void* p : ps) h.free(p);
}

void ExpectNothingLostAndEmptyAfterFreeingAll(HeapHarness& h) {
  EXPECT_EQ(WalkHeap(h).used, h.live_count());
  FreeAll(h);
  Walk w = WalkHeap(h);
  EXPECT_EQ(w.used, 0u);
  EXPECT_EQ(w.fences, 0u);
  EXPECT_EQ(h.state().top, h.state().heap_start);
  EXPECT_EQ(h.state().length, 0u);
  EXPECT_EQ(h.state().gaps, 0u);
  EXPECT_EQ(h.state().free_bytes, 0u);
}

}  // namespace allocfuzz::testing
