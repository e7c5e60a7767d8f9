// jemalloc (Debian 12's libjemalloc 5.3.0) as a heap: a fresh arena per program
// (mallctl "arenas.create"), every call with MALLOCX_ARENA of it and MALLOCX_TCACHE_NONE (no
// thread cache, which would keep blocks past the arena's end), "arena.<i>.destroy" at reset,
// which gives back every block at once; jemalloc hands the same index to the next
// arenas.create, so the arenas do not pile up.
//
// Through mallocx / rallocx / sdallocx / dallocx / sallocx. Where those are undefined the
// adapter answers (library_heap.h): mallocx(0) and rallocx(p, 0) are undefined, so malloc(0)
// asks for 1 byte (a unique block) and realloc(p, 0) frees p and returns NULL, as glibc does;
// MALLOCX_ALIGN takes only powers of two, so a bad ALIGN is answered EINVAL, as jemalloc's own
// memalign and aligned_alloc answer it; mallocx leaves errno be, so a refusal gets ENOMEM.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_JEMALLOC_HEAP_H_
#define ALLOCFUZZ_FUZZ_HEAPS_JEMALLOC_HEAP_H_

#include <memory>

#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

std::unique_ptr<TestedHeap> make_jemalloc_heap(PseudoBrk& region);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HEAPS_JEMALLOC_HEAP_H_
