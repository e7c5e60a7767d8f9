// FreeArrayHeap: the seed's brk allocator on 64-bit, on a PseudoBrk region.
//
// Layout and invariants: heap_layout.h. In short: 8 bytes of header per block, free blocks
// recorded in a flat, growable array of {size, position} entries with gaps, a boundary tag in
// each free block's last word, best fit over the array, the break grown with a doubling
// preallocation and lowered (with hysteresis) when the free top grows large.
//
// The heap shares the break with any other party: before growing it compares the region's
// break with its own; when they differ, the bytes in between belong to someone else, so the
// heap fences them off with a FENCE block and never hands them out or lowers the break under
// them.
//
// With ALLOCFUZZ_EXPENSIVE_CHECKS (the dev preset) every public call ends with the whole heap
// checker (heap_checker.h), which stops the process at the first broken invariant, unless
// set_self_check(false).
//
// Single-threaded. Misuse that the heap can see cheaply (a pointer outside the heap, a
// double free, a header that disagrees with the free array) stops the process with a message
// that names the region offset; see `heap_fatal`.
#ifndef ALLOCFUZZ_ALLOCATOR_FREE_ARRAY_HEAP_H_
#define ALLOCFUZZ_ALLOCATOR_FREE_ARRAY_HEAP_H_

#include <cstddef>
#include <cstdint>

#include "allocator/base/build_config.h"
#include "allocator/free_array/defects.h"
#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"
#include "allocator/region/reserved_range.h"

namespace allocfuzz {

struct HeapConfig {
  size_t initial_prealloc = 4096;           // first growth's extra room beyond the request
  size_t max_prealloc = size_t{256} << 10;  // preallocation doubles per growth up to this
  // When break - top exceeds release_threshold, the break is lowered to top + 8 +
  // keep_after_release. threshold > keep, so a release is never followed at once by a growth.
  size_t release_threshold = size_t{512} << 10;
  size_t keep_after_release = size_t{64} << 10;
};

// The heap's whole state, in one plain struct so that the checker reads it and the checker's
// tests can corrupt it. Pointers are absolute; print them as region offsets.
struct FreeArrayState {
  char* heap_start = nullptr;  // nullptr until the first successful growth
  char* top = nullptr;         // end of the last block; the end-marker word lives here
  char* brk = nullptr;         // where the heap believes the break is
  layout::FreeEntry* entries = nullptr;
  size_t length = 0;           // entries in use, gaps included; entries[length - 1] is no gap
  size_t capacity = 0;         // entries the array's mapping holds now
  size_t gaps = 0;             // entries with size 0 below length
  uint64_t free_bytes = 0;     // sum of entry sizes
  uint64_t largest_bound = 0;  // no entry is larger (an upper bound, not always exact)
  size_t gap_hint = 0;         // no gap below this index
  size_t prealloc = 0;         // extra room the next growth asks for
};

class FreeArrayHeap {
 public:
  static constexpr size_t kAlignment = layout::kAlignment;

  // The heap takes memory from `region` from its current break upwards. The free array gets a
  // mapping of its own, half the region's reserve (enough for the most free blocks the region
  // can hold), in the region's protection mode.
  explicit FreeArrayHeap(PseudoBrk& region, const HeapConfig& config = HeapConfig{});
  FreeArrayHeap(const FreeArrayHeap&) = delete;
  FreeArrayHeap& operator=(const FreeArrayHeap&) = delete;

  void* malloc(size_t n);
  void free(void* p);
  void* realloc(void* p, size_t n);
  void* calloc(size_t count, size_t size);
  // Bytes the caller may use at p (at least what was requested).
  size_t usable_size(const void* p) const;

  // A block of n bytes whose payload is a multiple of `align` (free_array_aligned.cc; the
  // lead-gap rule is in heap_layout.h). align <= 8 is malloc(n); an align that is not a power of
  // two is rounded up to the next one, as glibc's memalign does, and one too large to round
  // (above 2^63) gives NULL with EINVAL. NULL with ENOMEM when the region cannot hold the block,
  // however large the alignment: every size computation saturates instead of wrapping. The
  // block is an ordinary one afterwards: free, realloc (whose result is only 8-aligned) and
  // usable_size treat it like any other.
  void* memalign(size_t align, size_t n);
  // C23's sized frees. The heap checks what its header can tell (heap_fatal on a mismatch, the
  // user's bug): the block is one that a request of n bytes gets, block_size(n) <= size <=
  // block_size(n) + the split slack; for free_aligned_sized with a power-of-two align above 8,
  // also that p is a multiple of align. Other alignments are not checked (the heap keeps no
  // record of the alignment a block was asked with).
  void free_sized(void* p, size_t n);
  void free_aligned_sized(void* p, size_t align, size_t n);

  // Forgets every block, keeping the array's mapping. Call after region().reset().
  void reset();

  // Whether each public call ends with the whole checker (on by default in expensive-check
  // builds). A harness that runs the checker itself turns it off, so that a broken invariant
  // comes back to it as a finding instead of stopping the process.
  void set_self_check(bool on) { self_check_ = on; }

  // Turns one historical defect on (defects.h), or none. In builds without ALLOCFUZZ_DEFECTS
  // it returns false and the heap stays correct: every defect branch is compiled out.
  bool set_defect(std::optional<Defect> defect) {
    if constexpr (!kDefectsCompiledIn) return !defect.has_value();
    defect_ = defect;
    return true;
  }

  PseudoBrk& region() const { return region_; }
  const HeapConfig& config() const { return config_; }
  const FreeArrayState& state() const { return s_; }
  FreeArrayState& state_for_testing() { return s_; }
  // Bytes of the free array's own mapping that are in use now (reported apart from the break).
  size_t array_mapped_bytes() const { return array_range_.accessible_end(); }

 private:
  void* malloc_impl(size_t n);
  void free_impl(void* p);
  void* realloc_impl(void* p, size_t n);
  void* calloc_impl(size_t count, size_t size);
  void* memalign_impl(size_t align, size_t n);
  void check_sized(const void* p, size_t n, const char* caller) const;
  // Best fit for an aligned block of `need` bytes: the smallest free block that holds it after
  // its lead gap. Returns the entry index (and the gap in *lead) or SIZE_MAX.
  size_t find_aligned_fit(size_t align, size_t need, size_t* lead);
  // Places the aligned block of `need` bytes `lead` bytes into the free block of entry `index`.
  char* take_entry_aligned(size_t index, size_t lead, size_t need);
  // Places it at top (growing the break if needed). nullptr when the region refused.
  char* take_from_top_aligned(size_t align, size_t need);
  char* block_of(const void* p, const char* caller) const;
  // Where grow_top's new room will begin: top, or (first growth, or another party moved the
  // break) the 8-aligned address at or above the region's break. *fence says whether grow_top
  // will fence off the bytes between top and there first.
  char* growth_base(bool* fence) const;
  // Makes room so that top + bytes + 8 <= brk. When another party has moved the break, the
  // bytes it owns (with our unused preallocation below them) are fenced off first, so top
  // moves up and the old last block is no longer last. False when the region refused.
  bool grow_top(size_t bytes);
  void maybe_release();
  char* take_from_top(size_t bytes);
  // Best fit; returns the entry index or SIZE_MAX.
  size_t find_fit(size_t need);
  char* take_entry(size_t index, size_t need);
  // Turns [start, start + len) into free space. The block before start is not free; the
  // block after may be free (they merge) or the range may end at top (top comes down).
  void release_range(char* start, size_t len);

  size_t add_entry(uint64_t size, char* pos);
  void remove_entry(size_t index);
  void ensure_capacity();
  void write_free_block(char* start, size_t len, size_t index);
  const layout::FreeEntry& predecessor_entry(const char* block, size_t* index) const;

  // Whether `d` is on: the one test of a defect switch, written the same at every site, as a
  // plain condition (`if (defect<Defect::kX>() && ...)`, also inside expressions). Without
  // kDefectsCompiledIn (release) it is a constant false, so the optimizer drops each branch
  // and the heap's code is what it would be without the switches.
  template <Defect d>
  bool defect() const {
    if constexpr (kDefectsCompiledIn) {
      return defect_ == d;
    } else {
      return false;
    }
  }
  // The position word an entry stores for the block at p (addr32 keeps only the low 32 bits).
  uint64_t stored_pos(const char* p) const {
    auto pos = reinterpret_cast<uint64_t>(p);
    if (defect<Defect::kAddr32>()) pos &= 0xffffffffu;
    return pos;
  }

  PseudoBrk& region_;
  HeapConfig config_;
  ReservedRange array_range_;
  FreeArrayState s_;
  bool self_check_;
  std::optional<Defect> defect_;
};

// Stops the process with "allocfuzz: heap: WHAT at +0xOFFSET", writing without allocating.
[[noreturn]] void heap_fatal(const char* what, size_t offset);
// A function heap_fatal calls after its message and before abort(), so that a harness can say
// which operation was in flight. nullptr (the default) for none. Not thread-safe (nor is the heap).
void set_heap_fatal_hook(void (*hook)());

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_ALLOCATOR_FREE_ARRAY_HEAP_H_
