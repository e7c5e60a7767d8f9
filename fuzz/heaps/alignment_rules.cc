// The aligned calls' rules; see alignment_rules.h.
#include "fuzz/heaps/alignment_rules.h"

namespace allocfuzz {

BadAlignment bad_alignment_answer(const BehaviourProfile& profile, OpKind call) {
  switch (call) {
    case OpKind::kMemalign:
      return profile.memalign_bad;
    case OpKind::kAlignedAlloc:
      return profile.aligned_alloc_bad;
    default:
      return profile.posix_memalign_bad;
  }
}

uint64_t rounded_alignment(OpKind call, uint64_t align) {
  const uint64_t least = call == OpKind::kPosixMemalign ? sizeof(void*) : 1;
  if (align <= least) return least;
  if (align > uint64_t{1} << 63) return 0;
  return uint64_t{1} << (64 - __builtin_clzll(align - 1));
}

}  // namespace allocfuzz
