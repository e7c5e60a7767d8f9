// What a heap declares about itself: the parts of the allocation API it has (capabilities,
// fuzz/program/capabilities.h, since operations name what they need) and the choices C and POSIX
// leave to the implementation that it made (its behaviour profile). Generation and judgement follow
// the declaration: the executor never calls an operation whose capability the heap lacks (the trace
// says it was skipped), a differential run compares an operation only among heaps that all have it,
// and a divergence that the heaps' profiles explain is no finding. `allocfuzz list --profiles`
// prints both, side by side.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_HEAP_TRAITS_H_
#define ALLOCFUZZ_FUZZ_HEAPS_HEAP_TRAITS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/program/capabilities.h"

namespace allocfuzz {

// How a heap answers a request whose alignment the call does not accept (not a power of two;
// for posix_memalign also below sizeof(void*)).
enum class BadAlignment : uint8_t {
  kEinval,    // NULL with errno EINVAL (posix_memalign: returns EINVAL, *out unchanged)
  kRoundsUp,  // a block aligned to the next power of two at or above ALIGN (glibc's memalign)
  kNotAsked,  // the heap leaves it undefined: the executor skips the call (the trace says so)
};

// malloc(0), calloc with a zero count or size.
enum class ZeroMalloc : uint8_t {
  kUniqueBlock,  // a unique block that may be freed
  kNull,         // NULL (errno untouched)
};

// realloc(p, 0) of a live block.
enum class ReallocZero : uint8_t {
  kFrees,         // frees p and returns NULL (glibc)
  kReturnsBlock,  // returns a (minimal) block, p is freed or kept as the new block
};

// The implementation-defined choices of one heap. Every heap has one (default: the choices
// POSIX describes and glibc makes, except where noted).
struct BehaviourProfile {
  ZeroMalloc malloc_zero = ZeroMalloc::kUniqueBlock;
  ReallocZero realloc_zero = ReallocZero::kFrees;
  BadAlignment memalign_bad = BadAlignment::kRoundsUp;
  BadAlignment aligned_alloc_bad = BadAlignment::kRoundsUp;
  BadAlignment posix_memalign_bad = BadAlignment::kEinval;
  // errno of a NULL for want of memory: ENOMEM (POSIX), or 0 for a heap that leaves errno be.
  int refusal_errno = 12;  // ENOMEM
  // usable_size - requested is below this (the size-class step): 0 when the heap makes no such
  // promise (size classes grow with the size).
  size_t usable_granularity = 0;
};

// Printed forms, for `list --profiles` and messages.
std::string_view bad_alignment_name(BadAlignment b);  // "EINVAL", "rounds-up", "not-asked"
std::string_view zero_malloc_name(ZeroMalloc z);      // "block", "NULL"
std::string_view realloc_zero_name(ReallocZero r);    // "frees", "block"

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HEAPS_HEAP_TRAITS_H_
