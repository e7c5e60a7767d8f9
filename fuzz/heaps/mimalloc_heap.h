// mimalloc (Debian 12's libmimalloc 2.0.9) as a heap: a fresh mi_heap_new per program, destroyed
// at reset (mi_heap_destroy frees every block at once), so no state survives a program. Its
// walk is mi_heap_visit_blocks, cross-checked with the user's live blocks (plugin_walk.h):
// `heap-invariant:walk`.
//
// Profile, checked against the library on this machine: malloc(0) is a unique block (8 usable
// bytes); realloc(p, 0) frees p and returns NULL (the adapter's
// choice for now; mi_heap_realloc would return a block, see profile()); a bad ALIGN is answered
// EINVAL by the adapter (mi_heap_malloc_aligned returns NULL with errno untouched); a refusal
// is ENOMEM; size classes grow with the size. Not thread-safe: an mi_heap_t allocates only on
// the thread that made it (mimalloc.h).
#ifndef ALLOCFUZZ_FUZZ_HEAPS_MIMALLOC_HEAP_H_
#define ALLOCFUZZ_FUZZ_HEAPS_MIMALLOC_HEAP_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

std::unique_ptr<TestedHeap> make_mimalloc_heap(PseudoBrk& region);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HEAPS_MIMALLOC_HEAP_H_
