// LiveBudget: the account a heap off the region keeps of its live blocks, so that the same
// program meets the same limits as on the region and reset() can give every block back.
//
// A request that would take the live requested bytes past the budget (the region's reserve) is
// refused with ENOMEM before it reaches the allocator, and counted (TestedHeap::refusals(),
// which makes the NULL fair). Requests above PTRDIFF_MAX, which no allocator can satisfy, are let
// through, so that the allocator's own handling of huge sizes is what a diff compares.
//
// Invariant: live_bytes() is the sum of the requested sizes of the blocks added and not yet
// removed; a pointer is in the account at most once.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_LIVE_BUDGET_H_
#define ALLOCFUZZ_FUZZ_HEAPS_LIVE_BUDGET_H_

#include <absl/container/flat_hash_map.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace allocfuzz {

class LiveBudget {
 public:
  explicit LiveBudget(size_t budget) : budget_(budget) {}

  // True (errno = ENOMEM, a refusal counted) when replacing `released` live bytes by `wanted`
  // would pass the budget; false for requests above PTRDIFF_MAX (the allocator's to refuse).
  bool refuse(size_t released, size_t wanted);
  // Records the block p of n requested bytes (p not null and not held).
  void add(void* p, size_t n);
  // The requested size of p, or SIZE_MAX when p is not held.
  size_t requested(const void* p) const;
  // Forgets p (a no-op when it is not held).
  void remove(void* p);
  // Every held block, in no particular order (the caller frees them; nothing is printed), and
  // the account emptied.
  std::vector<void*> take_all();

  size_t live_bytes() const { return live_bytes_; }
  uint64_t refusals() const { return refusals_; }

 private:
  size_t budget_;
  size_t live_bytes_ = 0;
  uint64_t refusals_ = 0;
  absl::flat_hash_map<const void*, size_t> live_;  // never iterated for output
};

// The alignments the aligned calls accept: a power of two (memalign, aligned_alloc), and for
// posix_memalign also a multiple of sizeof(void*).
constexpr bool is_power_of_two(size_t align) { return align != 0 && (align & (align - 1)) == 0; }
constexpr bool is_posix_alignment(size_t align) {
  return is_power_of_two(align) && align % sizeof(void*) == 0;
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HEAPS_LIVE_BUDGET_H_
