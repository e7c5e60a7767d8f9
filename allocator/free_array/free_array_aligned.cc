// FreeArrayHeap's aligned allocation (memalign) and C23's sized frees, within the seed's design:
// the aligned block is an ordinary used block whose lead gap is a free block (heap_layout.h has
// the rule), so free, realloc, usable_size, the checker and the map need nothing new.
#include <bit>
#include <cerrno>
#include <cstdint>

#include "allocator/base/build_config.h"
#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_checker.h"

namespace allocfuzz {

using layout::FreeEntry;
using layout::kFlagMask;
using layout::kHeader;
using layout::kPrevFree;
using layout::kSplitSlack;
using layout::kWord;
using layout::load_word;
using layout::store_word;

namespace {

// a + b, or SIZE_MAX when it would wrap: a saturated request is one no region can hold, so it
// still reaches the region and fails there (a fair NULL), never a wrapped small one.
size_t saturating_add(size_t a, size_t b) {
  size_t sum;
  return __builtin_add_overflow(a, b, &sum) ? SIZE_MAX : sum;
}

}  // namespace

size_t FreeArrayHeap::find_aligned_fit(size_t align, size_t need, size_t* lead) {
  size_t best = SIZE_MAX;
  uint64_t best_size = UINT64_MAX;
  uint64_t largest = 0;
  for (size_t i = 0; i < s_.length; ++i) {
    const FreeEntry& e = s_.entries[i];
    if (e.size > largest) largest = e.size;
    if (e.size < need || e.size >= best_size) continue;
    size_t gap;
    if (!layout::aligned_lead(e.pos, align, &gap) || gap > e.size || e.size - gap < need) continue;
    best = i;
    best_size = e.size;
    *lead = gap;
  }
  // The whole array was seen: the bound can become exact.
  s_.largest_bound = largest;
  return best;
}

char* FreeArrayHeap::take_entry_aligned(size_t index, size_t lead, size_t need) {
  if (lead == 0) return take_entry(index, need);
  FreeEntry e = s_.entries[index];
  char* pos = reinterpret_cast<char*>(e.pos);
  char* end = pos + e.size;  // a block (the free block was not at top)
  char* b = pos + lead;
  size_t tail = static_cast<size_t>(end - (b + need));
  // The lead gap keeps the entry and its header; its tag moves to the gap's last word.
  s_.entries[index].size = lead;
  s_.free_bytes -= e.size - lead;
  store_word(b - kWord, index);
  if (tail <= kSplitSlack) {
    store_word(b, (need + tail) | kPrevFree);
    store_word(end, load_word(end) & ~kPrevFree);
  } else {
    // The block after `end` keeps its PREV_FREE: the tail is free.
    store_word(b, need | kPrevFree);
    size_t i = add_entry(tail, b + need);
    write_free_block(b + need, tail, i);
  }
  return b;
}

char* FreeArrayHeap::take_from_top_aligned(size_t align, size_t need) {
  size_t lead = 0;
  // Our own preallocation serves first, as for malloc.
  bool fits = s_.heap_start != nullptr &&
              layout::aligned_lead(reinterpret_cast<uintptr_t>(s_.top), align, &lead) &&
              saturating_add(lead, need) <= static_cast<size_t>(s_.brk - s_.top) - kWord;
  if (!fits) {
    // Ask for exactly the gap and the block from where the new room will begin (at most
    // need + align + 8), so that a NULL means the region could not hold this very block.
    bool fence;
    char* base = growth_base(&fence);
    size_t bytes = SIZE_MAX;
    if (layout::aligned_lead(reinterpret_cast<uintptr_t>(base), align, &lead)) {
      bytes = saturating_add(lead, need);
    }
    if (!grow_top(bytes)) return nullptr;
    // grow_top's room begins at base: top is there now (above a fence, if it made one).
  }
  char* b = s_.top + lead;
  if (lead != 0) {
    // The block before top is never free, so the gap has no free neighbour below it.
    size_t i = add_entry(lead, s_.top);
    write_free_block(s_.top, lead, i);
    store_word(b, need | kPrevFree);
  } else {
    store_word(b, need);
  }
  s_.top = b + need;
  store_word(s_.top, 0);
  return b;
}

void* FreeArrayHeap::memalign_impl(size_t align, size_t n) {
  if (align <= kAlignment) return malloc_impl(n);
  if (!std::has_single_bit(align)) {
    if (align > (SIZE_MAX >> 1) + 1) {
      errno = EINVAL;
      return nullptr;
    }
    align = std::bit_ceil(align);
  }
  size_t need = layout::block_size_for(n);
  if (need == 0) {
    errno = ENOMEM;
    return nullptr;
  }
  if (need <= s_.largest_bound && need <= s_.free_bytes) {
    size_t lead = 0;
    size_t i = find_aligned_fit(align, need, &lead);
    if (i != SIZE_MAX) return take_entry_aligned(i, lead, need) + kHeader;
  }
  char* b = take_from_top_aligned(align, need);
  if (b == nullptr) {
    errno = ENOMEM;
    return nullptr;
  }
  return b + kHeader;
}

void FreeArrayHeap::check_sized(const void* p, size_t n, const char* caller) const {
  const char* b = block_of(p, caller);
  uint64_t size = load_word(b) & ~kFlagMask;
  size_t least = layout::block_size_for(n);
  // Every used block is what its request needs plus at most the split slack (used-slack), so
  // a size outside that range was not the one the block was asked with.
  if (least == 0 || size < least || size - least > kSplitSlack) {
    heap_fatal("sized free with a size the block was not asked with", region_.offset_of(p));
  }
}

void FreeArrayHeap::free_sized(void* p, size_t n) {
  if (p != nullptr) check_sized(p, n, "free_sized of a pointer the heap did not hand out");
  free_impl(p);
  if (kExpensiveChecks && self_check_) debug_check_heap(*this);
}

void FreeArrayHeap::free_aligned_sized(void* p, size_t align, size_t n) {
  if (p != nullptr) {
    check_sized(p, n, "free_aligned_sized of a pointer the heap did not hand out");
    if (align > kAlignment && std::has_single_bit(align) &&
        (reinterpret_cast<uintptr_t>(p) & (align - 1)) != 0) {
      heap_fatal("free_aligned_sized of a block not aligned as it says", region_.offset_of(p));
    }
  }
  free_impl(p);
  if (kExpensiveChecks && self_check_) debug_check_heap(*this);
}

void* FreeArrayHeap::memalign(size_t align, size_t n) {
  void* p = memalign_impl(align, n);
  if (kExpensiveChecks && self_check_) debug_check_heap(*this);
  return p;
}

}  // namespace allocfuzz
