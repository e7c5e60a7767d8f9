// The built-in heaps, one row each: X(name, factory, description). The registry lists them
// first, in this order, before whatever registers itself at start-up (plugin allocators, test
// heaps); the first row is the default heap. repro/CMakeLists.txt reads the names from this
// table to run every regression case that a correct heap must pass on each heap but the default
// (which runs them as case.NAME already). A new built-in heap is its adapter (a TestedHeap and
// a factory, in fuzz/heaps/) and one row here.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_BUILTIN_HEAPS_H_
#define ALLOCFUZZ_FUZZ_HEAPS_BUILTIN_HEAPS_H_

#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/jemalloc_heap.h"
#include "fuzz/heaps/mimalloc_heap.h"
#include "fuzz/heaps/system_heap.h"
#include "fuzz/heaps/tcmalloc_heap.h"

// clang-format off
#define ALLOCFUZZ_BUILTIN_HEAPS(X)                                                             \
  X("free-array", make_free_array_heap,                                                        \
    "the seed's brk allocator on 64-bit (FreeArrayHeap), with its heap checker")               \
  X("glibc", make_system_heap,                                                                 \
    "the C library's malloc, called past any sanitizer; no region: a budget of the region's "  \
    "size")                                                                                   \
  X("mimalloc", make_mimalloc_heap,                                                            \
    "Microsoft's mimalloc 2.0.9 (Debian libmimalloc2.0), a fresh mi_heap per program; its "     \
    "walk is mi_heap_visit_blocks; no region: a budget of the region's size")                   \
  X("jemalloc", make_jemalloc_heap,                                                            \
    "jemalloc 5.3.0 (Debian libjemalloc2), a fresh arena per program, no thread cache; no "    \
    "region: a budget of the region's size")                                                   \
  X("tcmalloc", make_tcmalloc_heap,                                                            \
    "gperftools' tcmalloc 2.10 (Debian libtcmalloc-minimal4), through tc_*; no region: a "     \
    "budget of the region's size")
// clang-format on

#endif  // ALLOCFUZZ_FUZZ_HEAPS_BUILTIN_HEAPS_H_
