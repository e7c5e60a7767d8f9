// The in-memory layout of FreeArrayHeap, shared by the heap, its checker and the heap map.
//
// The heap is a run of contiguous blocks from `heap_start` to `top` (the seed's `cbrk`); the
// word at `top` is 0, the end marker. Between `top` and the heap's break `brk` lies the
// preallocation (never less than the end-marker word: top + 8 <= brk). Every block begins
// with one 8-byte header word, the only per-block overhead:
//
//   used block                         free block (size >= 16)
//   +----------------------+           +----------------------+
//   | size | PREV_FREE|FENCE|  header   | index << 3 | FREE    |  header
//   +----------------------+           +----------------------+
//   | payload ...          |           | (unused)             |
//   | round_up(n, 8) bytes |           |                      |
//   | (+ split slack <= 16)|           +----------------------+
//   +----------------------+           | index                |  tag: the block's last word
//                                      +----------------------+
//
// - A free block's size and position live in the free array: entries[index] = {size, pos}.
//   Its tag repeats the index so that the block after it (whose header has PREV_FREE) can
//   reach its free predecessor: the "halfway linked list" of the seed.
// - No two free blocks are adjacent (free coalesces), and the block ending at `top` is never
//   free (it lowers `top` instead), so a free block's own PREV_FREE is always clear.
// - A FENCE block is a used block that the heap never hands out or frees: it covers a span of
//   the break owned by another party (and the heap's own unused preallocation below it). A
//   fence may be 8 bytes long (header only); every other block is at least 16. It is placed
//   at top (so its predecessor is used then), but that predecessor may be freed later, so a
//   fence can carry PREV_FREE like any used block.
// - Sizes are multiples of 8, so the three low bits carry the flags.
//
// Aligned blocks (memalign) are ordinary used blocks: the 8-byte header sits right before the
// aligned payload, and nothing records the alignment. Placed at address `at` (the start of a
// free block, or top), the block's header goes `lead` bytes above it, where lead is the
// smallest distance that makes the payload aligned and is either 0 or a free block of its own,
// so at least 16 (aligned_lead below):
//
//   at                    at + lead        payload (a multiple of align)
//   +--------------------+----------------+----------------------+--------------------+
//   | lead gap: a free   | header         | payload ...          | tail: a free block |
//   | block (>= 16)      | size|PREV_FREE |                      | if > split slack   |
//   +--------------------+----------------+----------------------+--------------------+
//
// - The rule for a gap too small to be a free block (8 bytes: every gap is a multiple of 8,
//   and align >= 16): the block moves to the next aligned address, so the gap grows by
//   `align` to at least 24. The gap is never given to the block before it: that block may be a
//   fence, or absent at heap_start, and a used block larger than its request by more than the
//   split slack would break used-slack.
// - The gap is a free block like any other (entry, tag, the aligned block's PREV_FREE), so the
//   checker's invariants cover it unchanged: a gap that is not one breaks walk-end, free-index,
//   free-tag or prev-free. At top the gap is what lies between the old top and the block; the
//   block then ends at top, so top-free still holds.
// - The tail beyond the block is split off as a free block when it is larger than the split
//   slack, and otherwise stays with the block, as for malloc.
#ifndef ALLOCFUZZ_ALLOCATOR_HEAP_LAYOUT_H_
#define ALLOCFUZZ_ALLOCATOR_HEAP_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace allocfuzz::layout {

inline constexpr uint64_t kFree = 1;
inline constexpr uint64_t kPrevFree = 2;
inline constexpr uint64_t kFence = 4;
inline constexpr uint64_t kFlagMask = 7;

inline constexpr size_t kWord = 8;
inline constexpr size_t kHeader = 8;       // bytes of overhead per block
inline constexpr size_t kMinBlock = 16;    // header + tag of a free block
inline constexpr size_t kSplitSlack = 16;  // a remainder this small stays with the used block
inline constexpr size_t kAlignment = 8;    // payload alignment the heap declares
inline constexpr unsigned kIndexShift = 3;

// One entry of the free array. size == 0 marks a gap left by a removal.
struct FreeEntry {
  uint64_t size;
  uint64_t pos;  // address of the free block's header
};

inline uint64_t load_word(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
inline void store_word(char* p, uint64_t w) { std::memcpy(p, &w, sizeof w); }

inline constexpr size_t round_up8(size_t n) { return (n + 7) & ~size_t{7}; }

// Block size for a request of n bytes, or 0 when n is too large to be represented.
inline constexpr size_t block_size_for(size_t n) {
  if (n > SIZE_MAX - 16) return 0;
  size_t b = round_up8(n) + kHeader;
  return b < kMinBlock ? kMinBlock : b;
}

// The lead gap in front of a block whose payload is a multiple of `align` (a power of two above
// 8), when the block may start at the 8-aligned address `at`: 0 or at least kMinBlock, and at
// most align + 8. False when the aligned address would not be representable.
inline constexpr bool aligned_lead(uintptr_t at, size_t align, size_t* lead) {
  uintptr_t payload = 0;
  if (__builtin_add_overflow(at, kHeader + (align - 1), &payload)) return false;
  payload &= ~uintptr_t{align - 1};
  size_t gap = payload - kHeader - at;
  // Too small to be a free block (only 8 can be): the next aligned address instead.
  if (gap != 0 && gap < kMinBlock && __builtin_add_overflow(gap, align, &gap)) return false;
  *lead = gap;
  return true;
}

}  // namespace allocfuzz::layout

#endif  // ALLOCFUZZ_ALLOCATOR_HEAP_LAYOUT_H_
