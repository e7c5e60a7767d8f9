// The cross-check of an allocator's own walk of its blocks (a v2 plugin's `walk`,
// plugins/allocfuzz_plugin.h; mimalloc's mi_heap_visit_blocks, mimalloc_heap.h) against what the
// user holds: the allocator's own account of its blocks must agree with the shadow model's.
//
//   - every live block is reported in use exactly once, at its payload address (off the region:
//     by one in-use block that contains it, see WalkSpace);
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

// Where the walked blocks live. On a region (plugins): every block must be on it, a live block
// is reported at its payload address, and blocks are named by region offset. Off the region
// (mimalloc): an aligned live block may start inside the block the walk reports, so a live block
// is matched by the in-use block that contains it, and blocks are named by size only, since
// their addresses differ from run to run (the finding's offset is SIZE_MAX).
struct WalkSpace {
  const PseudoBrk* region = nullptr;  // null: off the region
  static WalkSpace on(const PseudoBrk& r) { return WalkSpace{&r}; }
  static WalkSpace off_region() { return WalkSpace{}; }
};

// Judges `blocks` (sorted here, in place) against `live`.
std::optional<HeapFinding> check_walk(std::vector<WalkBlock>& blocks, const LiveView& live,
                                      WalkSpace space);
inline std::optional<HeapFinding> check_walk(std::vector<WalkBlock>& blocks, const LiveView& live,
                                             const PseudoBrk& region) {
  return check_walk(blocks, live, WalkSpace::on(region));
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_PLUGIN_WALK_H_
