// The parts of the allocation API beyond malloc, calloc, realloc and free that a heap may lack:
// one table, read by the operation table (each operation names what it needs of a heap, ops.h),
// by the heaps' declarations (fuzz/heaps/heap_traits.h) and by `allocfuzz list --profiles`.
#ifndef ALLOCFUZZ_FUZZ_PROGRAM_CAPABILITIES_H_
#define ALLOCFUZZ_FUZZ_PROGRAM_CAPABILITIES_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace allocfuzz {

// X(enumerator, name, what it is). A capability the heap lacks is an operation never run on it.
// clang-format off
#define ALLOCFUZZ_CAPABILITIES(X)                                                               \
  X(kAligned, "aligned", "memalign, aligned_alloc and posix_memalign")                          \
  X(kUsableSize, "usable-size", "malloc_usable_size: the bytes usable at a live block")         \
  X(kSizedFree, "sized-free", "free_sized and free_aligned_sized (C23)")                        \
  X(kThreadSafe, "thread-safe", "calls from several threads at once")                           \
  X(kRegion, "region", "its blocks live on the harness's pseudo-brk region")
// clang-format on

enum class Capability : uint8_t {
#define ALLOCFUZZ_X(e, name, what) e,
  ALLOCFUZZ_CAPABILITIES(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

struct CapabilityInfo {
  Capability capability;
  const char* name;
  const char* what;
};

inline constexpr CapabilityInfo kCapabilities[] = {
#define ALLOCFUZZ_X(e, name, what) {Capability::e, name, what},
    ALLOCFUZZ_CAPABILITIES(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};
inline constexpr size_t kCapabilityCount = sizeof kCapabilities / sizeof kCapabilities[0];

// A set of capabilities, one bit each (bit i: kCapabilities[i]).
using CapabilitySet = uint8_t;
static_assert(kCapabilityCount <= 8, "CapabilitySet has a bit per capability");
constexpr CapabilitySet capability_bit(Capability c) {
  return static_cast<CapabilitySet>(1u << static_cast<unsigned>(c));
}
constexpr bool has_capability(CapabilitySet set, Capability c) {
  return (set & capability_bit(c)) != 0;
}

// "aligned", "aligned, sized-free": the names of the set's members, in table order.
std::string capability_names(CapabilitySet set);

inline constexpr CapabilitySet kNeedsNothing = 0;
// What the operations of ops.h need, one capability each.
inline constexpr CapabilitySet kNeedsAligned = capability_bit(Capability::kAligned);
inline constexpr CapabilitySet kNeedsSizedFree = capability_bit(Capability::kSizedFree);
inline constexpr CapabilitySet kNeedsUsableSize = capability_bit(Capability::kUsableSize);
inline constexpr CapabilitySet kAllCapabilities =
    static_cast<CapabilitySet>((1u << kCapabilityCount) - 1);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_PROGRAM_CAPABILITIES_H_
