// A printable map of FreeArrayHeap's blocks around a region offset, for violation reports.
// Like the checker it allocates nothing and trusts nothing: the walk stops, saying why, at
// the first header it cannot step over safely.
#ifndef ALLOCFUZZ_ALLOCATOR_HEAP_MAP_H_
#define ALLOCFUZZ_ALLOCATOR_HEAP_MAP_H_

#include <cstddef>

#include "allocator/base/fixed_text.h"
#include "allocator/free_array/free_array_heap.h"

namespace allocfuzz {

// Appends one line per block, up to `radius` blocks before and after the block holding
// `offset` (marked '>'), then the heap's top, break and free-array summary:
//
//     +0x000000   used   size 24
//   > +0x000018   free   size 112     entry 0  tag 0
//     +0x000088   used   size 16      PREV_FREE
//     +0x000098   top    brk +0x001020  entries 1 (0 gaps)  free 112 bytes
void append_heap_map(const FreeArrayHeap& heap, size_t offset, size_t radius, TextBuffer& out);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_ALLOCATOR_HEAP_MAP_H_
