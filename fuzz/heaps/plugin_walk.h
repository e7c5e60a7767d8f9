// The cross-check of a v2 plugin's `walk` (plugins/allocfuzz_plugin.h) against what the user
// holds: the allocator's own account of its blocks must agree with the shadow model's.
//
//   - every live block is reported in use exactly once, at its payload address;
//   - with at least the bytes the user asked for;
//   - no block reported free overlaps a live block (a zero-byte live block counts as its
//     first byte: a free block around it would be handed out over it).
// Blocks reported in use that the user does not hold are allowed (an allocator's own, such as
// a sentinel); the drain probe, not the walk, judges lost memory. The first broken rule, in the
// order above and by address within each, is the finding `heap-invariant:walk` (kWalkId,
// plugin_adapter.h).
#ifndef ALLOCFUZZ_FUZZ_PLUGIN_WALK_H_
#define ALLOCFUZZ_FUZZ_PLUGIN_WALK_H_

#include <cstddef>
#include <optional>
#include <vector>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

// One block as the walk reported it.
struct WalkBlock {
  const char* payload = nullptr;
  size_t size = 0;
  bool in_use = false;
};

// Judges `blocks` (sorted here, in place) against `live`, naming blocks by offset on `region`.
std::optional<HeapFinding> check_walk(std::vector<WalkBlock>& blocks, const LiveView& live,
                                      const PseudoBrk& region);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_PLUGIN_WALK_H_
