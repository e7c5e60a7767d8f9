// What a heap declares about itself: the parts of the allocation API it has (capabilities,
// fuzz/program/capabilities.h, since operations name what they need) and the choices C and POSIX
// leave to the implementation that it made (its behaviour profile). Generation and judgement follow
// the declaration: the executor never calls an operation whose capability the heap lacks (the trace
// says it was skipped), a differential run compares an operation only among heaps that all have it,
// and a divergence that the heaps' profiles explain is no finding. `allocfuzz list --profiles`
// prints both, side by side.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_HEAP_TRAITS_H_
#define ALLOCFUZZ_FUZZ_HEAPS_HEAP_TRAITS_H_

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>
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
  int refusal_errno = ENOMEM;
  // usable_size - requested is below this (the size-class step): 0 when the heap makes no such
  // promise (size classes grow with the size).
  size_t usable_granularity = 0;
};

// The profile's rows as `allocfuzz list --profiles` prints them and a diff names them when
// they explain a difference: X(enumerator, label, the capability the choice is about, or
// kNeedsNothing: a heap without it has no such choice, and its column says "-").
// heap_traits.cc prints each value.
// clang-format off
#define ALLOCFUZZ_PROFILE_FIELDS(X)                                                        \
  X(kMallocZero, "malloc(0)", kNeedsNothing)                                               \
  X(kReallocZero, "realloc(p, 0)", kNeedsNothing)                                          \
  X(kMemalignBad, "memalign, bad ALIGN", capability_bit(Capability::kAligned))             \
  X(kAlignedAllocBad, "aligned_alloc, bad ALIGN", capability_bit(Capability::kAligned))    \
  X(kPosixMemalignBad, "posix_memalign, bad ALIGN", capability_bit(Capability::kAligned))  \
  X(kRefusalErrno, "errno of a refusal", kNeedsNothing)                                    \
  X(kUsableGranularity, "usable_size step", capability_bit(Capability::kUsableSize))
// clang-format on

enum class ProfileField : uint8_t {
#define ALLOCFUZZ_X(e, label, needs) e,
  ALLOCFUZZ_PROFILE_FIELDS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

struct ProfileFieldInfo {
  ProfileField field;
  const char* label;
  CapabilitySet needs;
};

inline constexpr ProfileFieldInfo kProfileFields[] = {
#define ALLOCFUZZ_X(e, label, needs) {ProfileField::e, label, needs},
    ALLOCFUZZ_PROFILE_FIELDS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

// The field's value in `profile`, printed: "block", "frees", "EINVAL", "ENOMEM", "16", ...
std::string profile_value(const BehaviourProfile& profile, ProfileField field);
// "malloc(0): block" -- the line a diff prints when the field explains a difference.
std::string profile_line(const BehaviourProfile& profile, ProfileField field);

// Printed forms, for `list --profiles` and messages.
std::string_view bad_alignment_name(BadAlignment b);  // "EINVAL", "rounds-up", "not-asked"
std::string_view zero_malloc_name(ZeroMalloc z);      // "block", "NULL"
std::string_view realloc_zero_name(ReallocZero r);    // "frees", "block"

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HEAPS_HEAP_TRAITS_H_
