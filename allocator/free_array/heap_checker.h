// The white-box heap checker of FreeArrayHeap: walks the blocks from heap_start to top and the
// free array, and returns the first broken invariant as a structured result. It allocates
// nothing and reads only memory the heap owns (below top, and the array below its length),
// stepping with bounds checks, so a corrupt heap gives a violation, not a crash.
//
// Every invariant has a short stable ID (printed as "heap-invariant:ID") and a cost. n is the
// number of blocks, e the array's length, f the number of live foreign spans (at most 64).
// The table below is the one list: the checker, its report and the docs all read it.
#ifndef ALLOCFUZZ_ALLOCATOR_HEAP_CHECKER_H_
#define ALLOCFUZZ_ALLOCATOR_HEAP_CHECKER_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "allocator/base/build_config.h"
#include "allocator/base/fixed_text.h"
#include "allocator/free_array/free_array_heap.h"

namespace allocfuzz {

// X(enumerator, id, cost, what must hold)
// clang-format off
#define ALLOCFUZZ_HEAP_INVARIANTS(X)                                                           \
  X(kRegionBounds, "region-bounds", "O(1)",                                                    \
    "heap_start is 8-aligned, heap_start <= top, top + 8 <= brk <= the region's break")        \
  X(kArrayShape, "array-shape", "O(1)",                                                        \
    "the free array's length does not exceed its capacity, gaps do not exceed its length")     \
  X(kEndMarker, "end-marker", "O(1)", "the word at top is 0")                                  \
  X(kWalkEnd, "walk-end", "O(n)", "the walk of block sizes from heap_start reaches top exactly") \
  X(kBlockSize, "block-size", "O(n)", "a used block is at least 16 bytes, a fence at least 8")  \
  X(kFlags, "flags", "O(n)", "a free header carries only FREE and its index")               \
  X(kPrevFree, "prev-free", "O(n)", "PREV_FREE is set exactly when the block before is free")  \
  X(kFreeAdjacent, "free-adjacent", "O(n)", "no two free blocks are adjacent")                \
  X(kTopFree, "top-free", "O(n)", "the block that ends at top is not free")                    \
  X(kFreeIndex, "free-index", "O(n)",                                                          \
    "a free block's header names an entry below the array's length that is no gap")            \
  X(kEntryPos, "entry-pos", "O(n)", "the entry a free block names records that block's position") \
  X(kEntrySize, "entry-size", "O(n + e)",                                                      \
    "an entry's size is a multiple of 8, at least 16, and its block ends at or below top")     \
  X(kFreeTag, "free-tag", "O(n)", "a free block's last word (its tag) equals its index")       \
  X(kEntryRange, "entry-range", "O(e)",                                                        \
    "an entry's position is 8-aligned and lies in [heap_start, top)")                          \
  X(kEntryBlock, "entry-block", "O(e)",                                                        \
    "an entry's position holds a free block whose header names that entry (one-to-one)")       \
  X(kArrayTail, "array-tail", "O(1)", "the array's last entry is no gap (it shrinks)")         \
  X(kGapCount, "gap-count", "O(e)", "the gap counter equals the number of gaps")               \
  X(kGapHint, "gap-hint", "O(e)", "no gap lies below the gap hint")                            \
  X(kFreeBytes, "free-bytes", "O(e)", "the free-bytes counter equals the sum of entry sizes")  \
  X(kLargestBound, "largest-bound", "O(e)", "no entry is larger than the largest-free bound")  \
  X(kLiveBlock, "live-block", "O(n)",                                                          \
    "a block the user holds is a used block, neither free nor a fence (where requests are known)") \
  X(kUsedSlack, "used-slack", "O(n)",                                                          \
    "a used block is at most block_size(request) + 16 bytes (only where requests are known)")  \
  X(kFenceForeign, "fence-foreign", "O(n + f)",                                                \
    "a foreign span inside [heap_start, brk) lies within a fence's payload, never in another " \
    "block or the preallocation; a fence covers at least one foreign span")
// clang-format on

enum class Invariant : uint8_t {
#define ALLOCFUZZ_X(e, id, cost, what) e,
  ALLOCFUZZ_HEAP_INVARIANTS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

struct InvariantInfo {
  Invariant invariant;
  const char* id;
  const char* cost;
  const char* what;
};

inline constexpr InvariantInfo kInvariants[] = {
#define ALLOCFUZZ_X(e, id, cost, what) {Invariant::e, id, cost, what},
    ALLOCFUZZ_HEAP_INVARIANTS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

inline const InvariantInfo& invariant_info(Invariant inv) {
  return kInvariants[static_cast<size_t>(inv)];
}

struct HeapViolation {
  static constexpr size_t kNoEntry = SIZE_MAX;
  // An expected or actual position that lies outside the region (printed as such, never as a
  // number: it would depend on where the region was placed).
  static constexpr uint64_t kOutside = UINT64_MAX;
  Invariant invariant;
  size_t offset;  // region offset of the block or word concerned
  size_t entry;   // free-array index concerned, or kNoEntry
  uint64_t expected;
  uint64_t actual;
};

struct CheckOptions {
  // The size the user asked for at `payload`, or SIZE_MAX when unknown. Enables used-slack.
  size_t (*requested_size)(const void* context, const void* payload) = nullptr;
  const void* context = nullptr;
};

// The first broken invariant met: bounds and array shape, then the blocks in address order,
// then the entries in index order, then the counters.
std::optional<HeapViolation> check_heap(const FreeArrayHeap& heap,
                                        const CheckOptions& options = CheckOptions{});

// Cheap checks around one block, for use after every operation where a full walk costs too
// much: the O(1) checks (bounds, end marker, array shape and tail), then, when `payload` is
// not null, the block it belongs to (a used block: header, size, PREV_FREE and the free
// predecessor its tag leads to) and its successor (if free: entry, size, tag, not at top, and
// the PREV_FREE of the block after it). Cost O(1). Counters are left to the full walk.
std::optional<HeapViolation> check_heap_near(const FreeArrayHeap& heap, const void* payload,
                                             const CheckOptions& options = CheckOptions{});

// "heap-invariant:free-tag at +0x000120 entry 3: expected 0x3, actual 0x7 (what must hold)"
void append_violation(const HeapViolation& violation, TextBuffer& out);

// kExpensiveChecks (build_config.h, the dev preset): FreeArrayHeap runs the whole checker
// after every call it serves (O(n + e) per call).

// Checks the heap and stops the process with the report on a violation. FreeArrayHeap calls it
// after each operation when kExpensiveChecks is on.
void debug_check_heap(const FreeArrayHeap& heap);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_ALLOCATOR_HEAP_CHECKER_H_
