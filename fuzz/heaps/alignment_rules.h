// Which alignments the aligned calls accept, and what a heap's profile (heap_traits.h) makes of
// the others: one place for the executor's judgement, the wrong heaps and the docs
// (docs/DESIGN.md section 5, "Aligned calls").
//
//   memalign, aligned_alloc  ALIGN a power of two. 0 is not one: glibc's memalign(0, n) is
//                            malloc(n), which is what rounding 0 up to 1 gives (kRoundsUp);
//                            jemalloc refuses it (kEinval).
//   posix_memalign           ALIGN a power of two times sizeof(void*) (POSIX): 8, 16, 32, ...
#ifndef ALLOCFUZZ_FUZZ_HEAPS_ALIGNMENT_RULES_H_
#define ALLOCFUZZ_FUZZ_HEAPS_ALIGNMENT_RULES_H_

#include <cstdint>

#include "fuzz/heaps/heap_traits.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

constexpr bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// Whether `call` (an aligned operation) accepts `align`.
constexpr bool alignment_accepted(OpKind call, uint64_t align) {
  if (call == OpKind::kPosixMemalign) {
    return align % sizeof(void*) == 0 && is_power_of_two(align / sizeof(void*));
  }
  return is_power_of_two(align);
}

// How `profile` says the heap answers `call` for an alignment the call does not accept.
BadAlignment bad_alignment_answer(const BehaviourProfile& profile, OpKind call);

// The alignment a kRoundsUp heap gives `call` for `align`: the smallest power of two at or
// above it (1 for 0; for posix_memalign at least sizeof(void*)), or 0 when none fits in 64 bits
// (no block has such an alignment: only a NULL is right). An accepted `align` is itself.
uint64_t rounded_alignment(OpKind call, uint64_t align);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HEAPS_ALIGNMENT_RULES_H_
