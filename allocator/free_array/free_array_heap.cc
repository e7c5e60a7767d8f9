// FreeArrayHeap: malloc, free, realloc and calloc of the seed's design (memalign and the sized
// frees: free_array_aligned.cc). The layout and its invariants are drawn in heap_layout.h;
// heap_checker.cc verifies them.
#include "allocator/free_array/free_array_heap.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "allocator/base/build_config.h"
#include "allocator/base/fixed_text.h"
#include "allocator/free_array/heap_checker.h"

namespace allocfuzz {

using layout::FreeEntry;
using layout::kFence;
using layout::kFlagMask;
using layout::kFree;
using layout::kHeader;
using layout::kIndexShift;
using layout::kMinBlock;
using layout::kPrevFree;
using layout::kSplitSlack;
using layout::kWord;
using layout::load_word;
using layout::store_word;

namespace {

constexpr size_t kInitialEntries = kPageSize / sizeof(FreeEntry);

uint64_t size_of(uint64_t header) { return header & ~kFlagMask; }

char* align_up8(char* p) {
  auto a = reinterpret_cast<uintptr_t>(p);
  return p + (((a + 7) & ~uintptr_t{7}) - a);
}

}  // namespace

namespace {
void (*g_fatal_hook)() = nullptr;
}  // namespace

void set_heap_fatal_hook(void (*hook)()) { g_fatal_hook = hook; }

[[noreturn]] void heap_fatal(const char* what, size_t offset) {
  FixedText<256> text;
  text.add("allocfuzz: heap: ").add(what).add(" at ").add_offset(offset).add_char('\n');
  (void)!write(2, text.view().data(), text.view().size());
  if (g_fatal_hook != nullptr) g_fatal_hook();
  abort();
}

FreeArrayHeap::FreeArrayHeap(PseudoBrk& region, const HeapConfig& config)
    : region_(region), config_(config), self_check_(kExpensiveChecks) {
  // Free blocks are at least 16 bytes and never adjacent, so the region holds at most one per
  // 32 bytes (plus one per foreign span next to a fence): 16 bytes of entry per 32 of region.
  size_t array_bytes = region.reserve_bytes() / 2 + kPageSize * 16;
  if (array_range_.reserve(array_bytes, Placement::kHigh, region.protection()) != 0) {
    heap_fatal("cannot reserve the free array's mapping", array_bytes);
  }
  reset();
}

void FreeArrayHeap::reset() {
  s_ = FreeArrayState{};
  s_.entries = reinterpret_cast<FreeEntry*>(array_range_.base());
  s_.capacity = array_range_.accessible_end() / sizeof(FreeEntry);
  s_.prealloc = config_.initial_prealloc;
}

// ---- the free array --------------------------------------------------------------------

void FreeArrayHeap::ensure_capacity() {
  if (s_.length < s_.capacity) return;
  size_t entries = s_.capacity == 0 ? kInitialEntries : s_.capacity * 2;
  size_t bytes = entries * sizeof(FreeEntry);
  if (bytes > array_range_.size()) heap_fatal("free array exceeds its mapping", bytes);
  array_range_.set_accessible_end(bytes);
  s_.capacity = entries;
}

size_t FreeArrayHeap::add_entry(uint64_t size, char* pos) {
  size_t i;
  if (defect<Defect::kGapReuse>() && s_.gaps > 0) {
    // The defect: it counts a gap as used but writes one past the last entry.
    ensure_capacity();
    i = s_.length;
    --s_.gaps;
    s_.entries[i] = FreeEntry{size, stored_pos(pos)};
    s_.free_bytes += size;
    if (size > s_.largest_bound) s_.largest_bound = size;
    return i;
  }
  if (s_.gaps > 0) {
    // Reuse a gap: the lowest one, found from the hint (no gap lies below it).
    i = s_.gap_hint;
    while (s_.entries[i].size != 0) ++i;
    --s_.gaps;
    s_.gap_hint = i + 1;
  } else {
    ensure_capacity();
    i = s_.length++;
  }
  s_.entries[i] = FreeEntry{size, stored_pos(pos)};
  s_.free_bytes += size;
  if (size > s_.largest_bound) s_.largest_bound = size;
  return i;
}

void FreeArrayHeap::remove_entry(size_t i) {
  s_.free_bytes -= s_.entries[i].size;
  s_.entries[i] = FreeEntry{0, 0};
  if (i + 1 == s_.length) {
    // The array shrinks when its last entry goes, and sheds the gaps that end up last.
    --s_.length;
    while (s_.length > 0 && s_.entries[s_.length - 1].size == 0) {
      --s_.length;
      --s_.gaps;
    }
  } else {
    ++s_.gaps;
    if (i < s_.gap_hint) s_.gap_hint = i;
  }
}

void FreeArrayHeap::write_free_block(char* start, size_t len, size_t index) {
  store_word(start, (uint64_t{index} << kIndexShift) | kFree);
  store_word(start + len - kWord, index);
}

// The free predecessor of a block whose header has PREV_FREE: its tag, cross-checked with
// the array (a cheap, always-on check against corruption and misuse).
const FreeEntry& FreeArrayHeap::predecessor_entry(const char* block, size_t* index) const {
  uint64_t i = load_word(block - kWord);
  if (i >= s_.length || s_.entries[i].size == 0 ||
      s_.entries[i].pos + s_.entries[i].size != reinterpret_cast<uint64_t>(block)) {
    heap_fatal("PREV_FREE set but the tag before the block names no free neighbour",
               region_.offset_of(block));
  }
  *index = i;
  return s_.entries[i];
}

// The index of the free block at `block` (its header has FREE), cross-checked with the array.
static size_t checked_free_index(const FreeArrayState& s, const char* block, size_t offset) {
  uint64_t i = load_word(block) >> kIndexShift;
  if (i >= s.length || s.entries[i].pos != reinterpret_cast<uint64_t>(block)) {
    heap_fatal("free block's header disagrees with the free array", offset);
  }
  return i;
}

// ---- the break ---------------------------------------------------------------------------

char* FreeArrayHeap::growth_base(bool* fence) const {
  char* real = region_.current_break();
  *fence = false;
  if (s_.heap_start == nullptr) return align_up8(real);
  if (real != s_.brk && !defect<Defect::kSharedBreak>()) {
    // Someone else moved the break. By the region's rules it can only be higher: the bytes in
    // [brk, real) are theirs. Our room now begins above them.
    if (real < s_.brk) heap_fatal("the break fell below the heap's own", region_.offset_of(real));
    *fence = true;
    return align_up8(real);
  }
  return s_.top;
}

bool FreeArrayHeap::grow_top(size_t bytes) {
  bool fence;
  char* base = growth_base(&fence);  // where the new room begins
  // Ask in offsets and through the region even when the request cannot fit, so that every
  // NULL for a size the heap can represent follows a growth the region refused (and counted).
  // (Sizes whose block size overflows are refused by malloc and realloc before this.)
  // A request larger than the whole reserve is clamped to one that still cannot fit, so the
  // address arithmetic cannot wrap.
  if (bytes > region_.reserve_bytes()) bytes = region_.reserve_bytes();
  uintptr_t min_end = reinterpret_cast<uintptr_t>(base) + bytes + kWord;
  uintptr_t want_end = min_end + layout::round_up8(s_.prealloc);
  uintptr_t end = want_end;
  if (region_.brk(reinterpret_cast<void*>(want_end)) != 0) {
    end = min_end;
    if (want_end == min_end || region_.brk(reinterpret_cast<void*>(min_end)) != 0) return false;
  }
  if (s_.heap_start == nullptr) {
    s_.heap_start = s_.top = base;
  } else if (fence) {
    store_word(s_.top, static_cast<uint64_t>(base - s_.top) | kFence);
    s_.top = base;
  }
  s_.brk = reinterpret_cast<char*>(end);
  store_word(s_.top, 0);
  s_.prealloc = s_.prealloc * 2 < config_.max_prealloc ? s_.prealloc * 2 : config_.max_prealloc;
  return true;
}

void FreeArrayHeap::maybe_release() {
  size_t slack = static_cast<size_t>(s_.brk - s_.top);
  if (slack <= config_.release_threshold) return;
  // Never lower the break under memory that another party took above ours.
  if (region_.current_break() != s_.brk && !defect<Defect::kSharedBreak>()) return;
  char* target = s_.top + kWord + layout::round_up8(config_.keep_after_release);
  if (region_.brk(target) == 0) s_.brk = target;
}

char* FreeArrayHeap::take_from_top(size_t need) {
  // Our own preallocation serves first, even when another party has moved the break since.
  bool fits = s_.heap_start != nullptr && need <= static_cast<size_t>(s_.brk - s_.top) - kWord;
  if (!fits && !grow_top(need)) return nullptr;
  char* b = s_.top;
  store_word(b, need);  // the block before top is never free: no PREV_FREE
  s_.top = b + need;
  store_word(s_.top, 0);
  return b;
}

// ---- placing and releasing blocks --------------------------------------------------------

size_t FreeArrayHeap::find_fit(size_t need) {
  size_t best = SIZE_MAX;
  uint64_t best_size = UINT64_MAX;
  uint64_t largest = 0;
  for (size_t i = 0; i < s_.length; ++i) {
    uint64_t size = s_.entries[i].size;
    if (size > largest) largest = size;
    if (size >= need && size < best_size) {
      best = i;
      best_size = size;
      // An exact fit ends the scan; the largest seen so far says nothing about the rest,
      // so the bound is left as it was.
      if (size == need) {
        if (defect<Defect::kStaleLargest>()) s_.largest_bound = largest;
        return best;
      }
    }
  }
  // The whole array was seen: the bound can become exact.
  s_.largest_bound = largest;
  return best;
}

char* FreeArrayHeap::take_entry(size_t index, size_t need) {
  FreeEntry e = s_.entries[index];
  char* pos = reinterpret_cast<char*>(e.pos);
  if (e.size - need <= kSplitSlack) {
    remove_entry(index);
    store_word(pos, e.size);  // the block before a free block is never free
    char* next = pos + e.size;
    store_word(next, load_word(next) & ~kPrevFree);
  } else {
    // Split: the free remainder stays on the right and keeps the index (its tag is unchanged).
    s_.entries[index] = FreeEntry{e.size - need, e.pos + need};
    s_.free_bytes -= need;
    store_word(pos, need);
    store_word(pos + need, (uint64_t{index} << kIndexShift) | kFree);
  }
  return pos;
}

void FreeArrayHeap::release_range(char* start, size_t len) {
  char* end = start + len;
  if (end == s_.top) {
    s_.top = start;
    store_word(start, 0);
    maybe_release();
    return;
  }
  uint64_t next_header = load_word(end);
  if (next_header & kFree) {
    // Merge with the free successor by moving its start down; it keeps index and tag.
    size_t i = checked_free_index(s_, end, region_.offset_of(end));
    FreeEntry& e = s_.entries[i];
    e.size += len;
    e.pos = stored_pos(start);
    s_.free_bytes += len;
    if (e.size > s_.largest_bound) s_.largest_bound = e.size;
    store_word(start, (uint64_t{i} << kIndexShift) | kFree);
    return;
  }
  size_t i = add_entry(len, start);
  write_free_block(start, len, i);
  store_word(end, next_header | kPrevFree);
}

// ---- the operations ----------------------------------------------------------------------

char* FreeArrayHeap::block_of(const void* p, const char* caller) const {
  auto a = reinterpret_cast<uintptr_t>(p);
  auto lo = reinterpret_cast<uintptr_t>(s_.heap_start);
  auto hi = reinterpret_cast<uintptr_t>(s_.top);
  size_t offset = static_cast<size_t>(a - reinterpret_cast<uintptr_t>(region_.start()));
  if (s_.heap_start == nullptr || a < lo + kHeader || a >= hi || ((a - lo) & 7) != 0) {
    heap_fatal(caller, offset);
  }
  char* b = reinterpret_cast<char*>(a - kHeader);
  uint64_t h = load_word(b);
  if (h & kFree) heap_fatal("block is already free (double free?)", offset);
  if (h & kFence) heap_fatal("pointer is inside a fence block", offset);
  if (size_of(h) < kMinBlock || size_of(h) > hi - (a - kHeader)) {
    heap_fatal("block header is corrupt", offset);
  }
  return b;
}

void* FreeArrayHeap::malloc_impl(size_t n) {
  size_t need = layout::block_size_for(n);
  // The defect: (n + 7 - 8) wraps for n == 0 and leaves a header-only block.
  if (defect<Defect::kZeroSize>() && n == 0) need = kHeader;
  if (need == 0) {
    errno = ENOMEM;
    return nullptr;
  }
  if (need <= s_.largest_bound && need <= s_.free_bytes) {
    size_t i = find_fit(need);
    if (i != SIZE_MAX) return take_entry(i, need) + kHeader;
  }
  char* b = take_from_top(need);
  if (b == nullptr) {
    errno = ENOMEM;
    return nullptr;
  }
  return b + kHeader;
}

void FreeArrayHeap::free_impl(void* p) {
  if (p == nullptr) return;
  char* b = block_of(p, "free of a pointer the heap did not hand out");
  uint64_t h = load_word(b);
  char* start = b;
  size_t len = size_of(h);
  if (h & kPrevFree) {
    size_t i;
    const FreeEntry& prev = predecessor_entry(b, &i);
    start = reinterpret_cast<char*>(prev.pos);
    len += prev.size;
    remove_entry(i);
  }
  release_range(start, len);
}

void* FreeArrayHeap::calloc_impl(size_t count, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(count, size, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  void* p = malloc_impl(total);
  // Reused blocks hold old data; zero all of what the caller may use.
  if (p != nullptr) std::memset(p, 0, usable_size(p));
  return p;
}

size_t FreeArrayHeap::usable_size(const void* p) const {
  if (p == nullptr) return 0;
  return size_of(load_word(block_of(p, "usable_size of a pointer the heap did not hand out"))) -
         kHeader;
}

void* FreeArrayHeap::realloc_impl(void* p, size_t n) {
  if (p == nullptr) return malloc_impl(n);
  char* b = block_of(p, "realloc of a pointer the heap did not hand out");
  if (n == 0) {
    free_impl(p);
    return nullptr;
  }
  size_t need = layout::block_size_for(n);
  if (need == 0) {
    errno = ENOMEM;
    return nullptr;
  }
  uint64_t h = load_word(b);
  uint64_t prev_flag = h & kPrevFree;
  size_t size = size_of(h);
  char* next = b + size;

  // Shrink in place: the tail goes back when it can stand alone (more than the split slack)
  // or joins free space (the top, or a free successor).
  if (need <= size) {
    size_t tail = size - need;
    if (tail != 0 && (tail > kSplitSlack || next == s_.top || (load_word(next) & kFree))) {
      store_word(b, need | prev_flag);
      release_range(b + need, tail);
    }
    return p;
  }

  size_t extra = need - size;
  if (defect<Defect::kSmallGrow>() && extra <= kSplitSlack) return p;  // "fits anyway"
  // Grow in place at the top, while nobody else has moved the break.
  if (next == s_.top && (region_.current_break() == s_.brk || defect<Defect::kSharedBreak>())) {
    if (extra <= static_cast<size_t>(s_.brk - s_.top) - kWord || grow_top(extra)) {
      store_word(b, need | prev_flag);
      s_.top = b + need;
      store_word(s_.top, 0);
      return p;
    }
  }

  // Grow into a free successor.
  bool next_free = next != s_.top && (load_word(next) & kFree);
  size_t next_index = 0;
  uint64_t next_size = 0;
  if (next_free) {
    next_index = checked_free_index(s_, next, region_.offset_of(next));
    next_size = s_.entries[next_index].size;
    if (size + next_size >= need) {
      size_t total = size + next_size;
      if (total - need <= kSplitSlack) {
        remove_entry(next_index);
        store_word(b, total | prev_flag);
        store_word(b + total, load_word(b + total) & ~kPrevFree);
      } else {
        s_.entries[next_index] = FreeEntry{total - need, stored_pos(b + need)};
        s_.free_bytes -= extra;
        store_word(b, need | prev_flag);
        store_word(b + need, (uint64_t{next_index} << kIndexShift) | kFree);
      }
      return p;
    }
  }

  // Grow into a free predecessor (with the free successor too, if there is one): the data
  // moves down, so the copy must be overlap-safe.
  if (prev_flag) {
    size_t prev_index;
    const FreeEntry& prev = predecessor_entry(b, &prev_index);
    size_t total = prev.size + size + next_size;
    if (total >= need) {
      char* start = reinterpret_cast<char*>(prev.pos);
      remove_entry(prev_index);
      if (next_free) remove_entry(next_index);
      std::memmove(start + kHeader, p, size - kHeader);
      char* end = start + total;
      // The moved block's predecessor is used (no two free blocks are adjacent), so its
      // PREV_FREE is clear; the defect keeps the flag of the block's old position.
      uint64_t moved_flag = defect<Defect::kPrevMoveTag>() ? kPrevFree : 0;
      if (total - need <= kSplitSlack) {
        store_word(start, total | moved_flag);
        if (end != s_.top) store_word(end, load_word(end) & ~kPrevFree);
      } else {
        store_word(start, need | moved_flag);
        release_range(start + need, total - need);
      }
      return start + kHeader;
    }
  }

  // Elsewhere: malloc, copy, free.
  size_t request = n;
  // The defect: a second rounding, with a 16-byte mask, can round the request down.
  if (defect<Defect::kDoubleAlign>()) request = (layout::round_up8(n) + 7) & ~size_t{15};
  void* q = malloc_impl(request);
  if (q == nullptr) return nullptr;
  std::memcpy(q, p, size - kHeader);
  free_impl(p);
  return q;
}

// ---- the public interface: each call, then the whole checker in expensive-check builds ---

void* FreeArrayHeap::malloc(size_t n) {
  void* p = malloc_impl(n);
  if (kExpensiveChecks && self_check_) debug_check_heap(*this);
  return p;
}

void FreeArrayHeap::free(void* p) {
  free_impl(p);
  if (kExpensiveChecks && self_check_) debug_check_heap(*this);
}

void* FreeArrayHeap::calloc(size_t count, size_t size) {
  void* p = calloc_impl(count, size);
  if (kExpensiveChecks && self_check_) debug_check_heap(*this);
  return p;
}

void* FreeArrayHeap::realloc(void* p, size_t n) {
  void* q = realloc_impl(p, n);
  if (kExpensiveChecks && self_check_) debug_check_heap(*this);
  return q;
}

}  // namespace allocfuzz
