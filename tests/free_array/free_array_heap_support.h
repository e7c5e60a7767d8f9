// Helpers of FreeArrayHeap's unit tests (tests/free_array/free_array_heap*_test.cc): a region
// and a small heap configuration, the layout numbers each test asserts (header words, top, the
// break, free-array entries), a walk of the blocks, and "nothing is lost".
//
// Offsets are bytes from the region's start; the heap starts at offset 0 of a fresh region, so
// a first block of b bytes has its payload at offset 8 and the next block begins at offset b.
#ifndef ALLOCFUZZ_TESTS_FREE_ARRAY_FREE_ARRAY_HEAP_SUPPORT_H_
#define ALLOCFUZZ_TESTS_FREE_ARRAY_FREE_ARRAY_HEAP_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <utility>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/region/pseudo_brk.h"
#include "tests/free_array/heap_harness.h"

namespace allocfuzz::testing {

inline constexpr size_t kMiB = size_t{1} << 20;

RegionOptions Region(Placement placement = Placement::kHigh, size_t reserve = 64 * kMiB);

// Small numbers so that growth, doubling, release and hysteresis show in a few steps:
// the preallocation goes 4096, 8192, 16384 (cap); the break is lowered to top + 8 + 4096
// when more than 16384 bytes lie between top and the break.
HeapConfig SmallConfig();

// The header word of the block whose payload is p.
uint64_t HeaderOf(const void* payload);
bool PrevFree(const void* payload);

size_t Top(const HeapHarness& h);
size_t Brk(const HeapHarness& h);
size_t RegionBreak(HeapHarness& h);

// Entry i as {size, region offset of its block}.
std::pair<uint64_t, size_t> Entry(HeapHarness& h, size_t i);
inline std::pair<uint64_t, size_t> E(uint64_t size, size_t offset) { return {size, offset}; }

// Counts of the blocks between heap_start and top (the checker has vouched for the walk).
struct Walk {
  size_t used = 0, fences = 0, free = 0;
  uint64_t used_bytes = 0, fence_bytes = 0, free_bytes = 0;
};
Walk WalkHeap(const HeapHarness& h);

// Frees every live block of the harness.
void FreeAll(HeapHarness& h);

// "No block is lost": the walk finds exactly the harness's live blocks, and once they are all
// freed (with no fence around) the heap is empty again.
void ExpectNothingLostAndEmptyAfterFreeingAll(HeapHarness& h);

}  // namespace allocfuzz::testing

#endif  // ALLOCFUZZ_TESTS_FREE_ARRAY_FREE_ARRAY_HEAP_SUPPORT_H_
