// tcmalloc (Debian 12's gperftools 2.10, libtcmalloc_minimal) as a heap, through its tc_*
// entry points. tcmalloc has one heap per process, so reset() frees the blocks the program left
// (LiveBudget, as for glibc); its caches keep what was freed, which programs cannot observe.
//
// Profile, checked against the library on this machine: malloc(0) is a unique block;
// tc_realloc(p, 0) frees p and returns NULL; tc_posix_memalign answers a bad ALIGN with EINVAL;
// tc_memalign (also tcmalloc's aligned_alloc) assumes a power of two and, given 24, returns a
// block of a size class that need not be 32-aligned (a 40-byte class is only 8-aligned), so a bad
// ALIGN there is not asked (kNotAsked); a refusal is ENOMEM; size classes grow with the size.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_TCMALLOC_HEAP_H_
#define ALLOCFUZZ_FUZZ_HEAPS_TCMALLOC_HEAP_H_

#include <memory>

#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

std::unique_ptr<TestedHeap> make_tcmalloc_heap(PseudoBrk& region);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HEAPS_TCMALLOC_HEAP_H_
