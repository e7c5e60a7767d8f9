// The shadow model: what a correct heap must have done, kept beside the heap under test. It
// knows the live blocks (slot, offset, requested size, allocation id), keeps them in address
// order for overlap and neighbour queries, and judges each result. It does not depend on the
// heap's internals, so it serves any heap.
//
// Hot-path rule: after the first programs (reserve() happens once), nothing here allocates;
// only building a finding's message does.
#ifndef ALLOCFUZZ_FUZZ_SHADOW_H_
#define ALLOCFUZZ_FUZZ_SHADOW_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

struct SlotState {
  char* p = nullptr;  // payload, or nullptr when the slot is empty
  size_t requested = 0;
  uint32_t id = 0;  // allocation id: seeds the content pattern
  // From an aligned call (memalign, aligned_alloc, posix_memalign): the alignment the block
  // has to have (ALIGN, or the power of two a bad ALIGN was rounded up to). 0: from malloc,
  // calloc or realloc, which promise only the fundamental alignment.
  size_t align = 0;
  // The bytes the user's pattern covers, from p: the requested size, or after `usable` the
  // usable size. Invariant: covered >= requested. The user owns them all, so they are what
  // overlap, the break and the content checks see; realloc keeps only min(requested, new) of
  // them, as C says.
  size_t covered = 0;
};

class Shadow final : public LiveView {
 public:
  explicit Shadow(const PseudoBrk& region);

  // Whether the heap's blocks live on the region (TestedHeap::uses_region). Without a region,
  // blocks are ordered by address, the region judgements are skipped, and messages name blocks
  // by slot and allocation number only (addresses differ from run to run). Set while empty.
  void set_uses_region(bool uses_region) { uses_region_ = uses_region; }
  bool uses_region() const { return uses_region_; }
  // Where a block is, as the index orders it: its region offset, or for a region-less heap
  // its address.
  size_t position(const void* p) const {
    return uses_region_ ? region_.offset_of(p) : reinterpret_cast<uintptr_t>(p);
  }
  // How many bytes from `p` can be read: up to the break on the region (above it the region is
  // guarded), without limit elsewhere.
  size_t readable_from(const char* p) const;
  // describe_word (shadow.cc) of the word holding byte `at` of the n bytes at p that matter
  // (a block's, or those a realloc kept): only those bytes, and none above the break, are read.
  std::string describe_block_word(const char* p, size_t at, size_t n,
                                  std::string_view past = "past the block's end") const;
  // " at +0x0001a8" for a region position, nothing without a region.
  std::string at_text(size_t position) const;
  // A finding's offset: the position on the region, or SIZE_MAX (no map) without one.
  size_t finding_offset(size_t position) const { return uses_region_ ? position : SIZE_MAX; }

  void reset();
  const SlotState& slot(uint32_t s) const { return slots_[s]; }
  size_t live_count() const override { return order_.size(); }
  const char* live_payload(size_t i) const override { return slots_[order_[i].slot].p; }
  uint64_t live_bytes() const { return live_bytes_; }

  // A new block in slot `s` (which must be empty): record it and write the user's pattern.
  // `align`: SlotState::align (0 for malloc, calloc and realloc).
  void add(uint32_t s, char* p, size_t requested, size_t align = 0);
  // The user writes the pattern over `usable` bytes of the slot's block (usable >= covered):
  // they are the user's from now on.
  void extend(uint32_t s, size_t usable);
  // The slot's block is gone (freed, or moved by realloc).
  void remove(uint32_t s);
  // The user rewrites the slot's block with a fresh pattern.
  void refill(uint32_t s);

  // Judgements; each returns a finding (op_index left 0) or nullopt.
  // A non-null result of malloc/calloc/realloc, before it is recorded: aligned, inside the
  // region below the break, overlapping no live block and no foreign span, and (asked of the
  // heap only once the pointer is known to be sane) with a usable size that covers the request.
  std::optional<Finding> judge_new_block(const char* p, size_t requested, TestedHeap& heap) const;
  // An aligned call's block is aligned to `align` (a power of two): `misaligned` otherwise,
  // the message naming the call (`call`, "memalign(64, 100)"), ALIGN and the block's address
  // modulo it (on the region that is the offset's, for ALIGN up to the region's page alignment).
  std::optional<Finding> judge_alignment(const char* p, size_t align, std::string_view call) const;
  // `usable sN`: the usable size `usable` of the slot's block covers the request
  // (`usable-too-small`), stays below the break on the region (`out-of-region`) and reaches no
  // other live block or foreign span (`overlap`, naming it), before the user writes over it.
  std::optional<Finding> judge_usable(uint32_t s, size_t usable) const;
  // A block's bytes still hold its pattern: all of them, or (edges_only) the first and last
  // kEdgeBytes, where a heap's boundary metadata lands when it strays.
  static constexpr size_t kEdgeBytes = 128;
  std::optional<Finding> verify_slot(uint32_t s, bool edges_only = false) const;
  // realloc kept min(old, new) bytes of `old` at `p`.
  std::optional<Finding> verify_moved(const char* p, const SlotState& old, size_t requested) const;
  // calloc's memory reads as zero.
  std::optional<Finding> verify_zero(const char* p, size_t requested) const;
  // The live blocks just below and just above `offset` in address order, not counting a block
  // at `offset` itself (the executor has just written or verified it): their edges are
  // verified, and their payloads returned in *below / *above (nullptr when none), so that the
  // caller's checks around them need no second search.
  std::optional<Finding> verify_neighbours(size_t offset, const char** below,
                                           const char** above) const;
  std::optional<Finding> verify_all() const;
  std::optional<Finding> verify_foreign(bool edges_only = false) const;
  // out-of-region if the break has been lowered under a live block: the highest live block
  // must still end at or below it. O(1) (the blocks are kept in address order), and it runs
  // before any read of a block's bytes after an operation, which would otherwise fault on the
  // guarded memory above the break (a crash instead of the shadow's kind). A zero-byte block
  // at the break passes, as it does when it is handed out.
  std::optional<Finding> verify_below_break() const;

  // LiveView: the requested size of the live block whose payload is at p.
  size_t requested_size(const void* p) const override;

 private:
  struct Ref {
    size_t offset;  // payload offset in the region
    uint32_t slot;
  };
  size_t lower_bound(size_t offset) const;  // first Ref with offset >= `offset`
  size_t off(const void* p) const { return position(p); }

  const PseudoBrk& region_;
  bool uses_region_ = true;
  std::vector<SlotState> slots_;
  std::vector<Ref> order_;  // live blocks by offset; capacity kMaxSlots, reserved once
  uint32_t next_id_ = 1;
  uint64_t live_bytes_ = 0;
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_SHADOW_H_
