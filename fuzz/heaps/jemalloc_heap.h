// jemalloc (Debian 12's libjemalloc 5.3.0) as a heap: an arena of its own (mallctl
// "arenas.create"), every call with MALLOCX_ARENA of it and MALLOCX_TCACHE_NONE (no thread
// cache, which would keep blocks past a reset), and "arena.<i>.reset" at reset, which discards
// every block of the program at once; the arena is destroyed with the heap.
//
// Why reset, not a fresh arena per program ("arena.<i>.destroy" then "arenas.create"): in 5.3.0
// every destroy keeps about 4 KiB resident although the next arenas.create reuses the index
// (20,000 cycles of 50 blocks: 4.5 MB -> 85 MB; with reset it stays at 4.7 MB), which would
// take a fuzzer past libFuzzer's 2 GB rss limit within an hour. What survives a reset is the
// arena's cached pages, not blocks: no program sees another's blocks, though where jemalloc
// places a block may depend on the programs before it (as for glibc and tcmalloc).
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
