// The built-in heaps, one row each: X(name, factory, description). The registry lists them
// first, in this order, before whatever registers itself at start-up (plugin allocators, test
// heaps); the first row is the default heap. repro/CMakeLists.txt reads the names from this
// table to run every regression case that a correct heap must pass on each heap but the default
// (which runs them as case.NAME already). A new built-in heap is its adapter (a TestedHeap and
// a factory, in fuzz/heaps/) and one row here.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_BUILTIN_HEAPS_H_
#define ALLOCFUZZ_FUZZ_HEAPS_BUILTIN_HEAPS_H_

#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/system_heap.h"

// clang-format off
#define ALLOCFUZZ_BUILTIN_HEAPS(X)                                                             \
  X("free-array", make_free_array_heap,                                                        \
    "the seed's brk allocator on 64-bit (FreeArrayHeap), with its heap checker")               \
  X("glibc", make_system_heap,                                                                 \
    "the C library's malloc, called past any sanitizer; no region: a budget of the region's "  \
    "size")
// clang-format on

#endif  // ALLOCFUZZ_FUZZ_HEAPS_BUILTIN_HEAPS_H_
