// The checker's walk. Each check reads only memory proven to belong to the heap by the checks
// before it: a block header is read only below top, a tag only inside a block that ends at or
// below top, an entry's block only once the entry's position is known to lie in the heap.
#include "allocator/free_array/heap_checker.h"

#include <unistd.h>

#include <cstdlib>

namespace allocfuzz {

using layout::FreeEntry;
using layout::kFence;
using layout::kFlagMask;
using layout::kFree;
using layout::kIndexShift;
using layout::kMinBlock;
using layout::kPrevFree;
using layout::kSplitSlack;
using layout::kWord;
using layout::load_word;

namespace {

// Walks the live foreign spans in address order (they are: a span is only given back while it
// is the newest and at the top, so the live ones stay sorted) alongside the block walk.
class SpanCursor {
 public:
  explicit SpanCursor(const PseudoBrk& region) : region_(region) {}
  // The first live span that ends above `from`, or nullptr.
  const ForeignSpan* first_ending_after(size_t from) {
    while (next_ < region_.foreign_span_count()) {
      const ForeignSpan& s = region_.foreign_span(next_);
      if (s.offset + s.length > from) return &s;
      ++next_;
    }
    return nullptr;
  }

 private:
  const PseudoBrk& region_;
  size_t next_ = 0;
};

class Checker {
 public:
  Checker(const FreeArrayHeap& heap, const CheckOptions& options)
      : s_(heap.state()), region_(heap.region()), options_(options), spans_(heap.region()) {}

  std::optional<HeapViolation> run_near(const void* payload) {
    if (check_bounds() || check_array_shape() || check_array_tail()) return violation_;
    if (payload != nullptr && s_.heap_start != nullptr && check_block_near(payload)) {
      return violation_;
    }
    return std::nullopt;
  }

  std::optional<HeapViolation> run() {
    if (check_bounds() || check_array_shape()) return violation_;
    if (s_.heap_start != nullptr && (walk_blocks() || check_preallocation())) return violation_;
    if (check_entries()) return violation_;
    return std::nullopt;
  }

 private:
  bool fail(Invariant inv, size_t offset, size_t entry, uint64_t expected, uint64_t actual) {
    violation_ = HeapViolation{inv, offset, entry, expected, actual};
    return true;
  }
  size_t off(const void* p) const { return region_.offset_of(p); }
  // An entry's recorded position as an offset, or HeapViolation::kOutside when it does not lie
  // in the region (a wrapped offset would differ from run to run and between placements).
  uint64_t position(uint64_t address) const {
    auto start = reinterpret_cast<uintptr_t>(region_.start());
    if (address < start || address - start >= region_.reserve_bytes())
      return HeapViolation::kOutside;
    return address - start;
  }
  // What the user asked for at the block `b`, or SIZE_MAX when unknown (or not the user's).
  size_t requested(const char* b) const {
    if (options_.requested_size == nullptr) return SIZE_MAX;
    return options_.requested_size(options_.context, b + layout::kHeader);
  }
  size_t off(uint64_t address) const {
    return static_cast<size_t>(address - reinterpret_cast<uintptr_t>(region_.start()));
  }

  // Reports here are in offsets even when a pointer lies outside the region (offsets then
  // wrap, but they still do not depend on where the region was placed).
  bool check_bounds() {
    if (s_.heap_start == nullptr) return false;
    const auto kBounds = Invariant::kRegionBounds;
    const auto kNo = HeapViolation::kNoEntry;
    size_t hs = off(s_.heap_start), top = off(s_.top), brk = off(s_.brk);
    size_t real = off(region_.current_break());
    if (hs > real) return fail(kBounds, hs, kNo, real, hs);
    if ((hs & 7) != 0) return fail(kBounds, hs, kNo, hs & ~size_t{7}, hs);
    if (top < hs) return fail(kBounds, top, kNo, hs, top);
    if ((top & 7) != 0) return fail(kBounds, top, kNo, top & ~size_t{7}, top);
    if (top > real || real - top < kWord || brk < top + kWord) {
      return fail(kBounds, brk, kNo, top + kWord, brk);
    }
    if (brk > real) return fail(kBounds, brk, kNo, real, brk);
    if (load_word(s_.top) != 0) return fail(Invariant::kEndMarker, top, kNo, 0, load_word(s_.top));
    return false;
  }

  bool check_array_shape() {
    if (s_.length > s_.capacity) {
      return fail(Invariant::kArrayShape, 0, HeapViolation::kNoEntry, s_.capacity, s_.length);
    }
    if (s_.gaps > s_.length) {
      return fail(Invariant::kArrayShape, 0, HeapViolation::kNoEntry, s_.length, s_.gaps);
    }
    return false;
  }

  bool check_array_tail() {
    if (s_.length > 0 && s_.entries[s_.length - 1].size == 0) {
      return fail(Invariant::kArrayTail, 0, s_.length - 1, 1, 0);
    }
    return false;
  }

  // A free block at `at` as named by its header `h`: its entry, size, tag, and not at top.
  // On success *size is the block's size.
  bool check_free_block(const char* cur, uint64_t h, uint64_t* size) {
    size_t at = off(cur);
    size_t room = off(s_.top) - at;
    uint64_t index = h >> kIndexShift;
    if (index >= s_.length || s_.entries[index].size == 0) {
      return fail(Invariant::kFreeIndex, at, index, s_.length, index);
    }
    const FreeEntry& e = s_.entries[index];
    if (e.pos != reinterpret_cast<uintptr_t>(cur)) {
      return fail(Invariant::kEntryPos, at, index, at, position(e.pos));
    }
    *size = e.size;
    if (e.size < kMinBlock || (e.size & 7) != 0 || e.size > room) {
      return fail(Invariant::kEntrySize, at, index, room < e.size ? room : kMinBlock, e.size);
    }
    uint64_t tag = load_word(cur + e.size - kWord);
    if (tag != index) return fail(Invariant::kFreeTag, at + e.size - kWord, index, index, tag);
    if (e.size == room) return fail(Invariant::kTopFree, at, index, 0, 1);
    return false;
  }

  bool check_block_near(const void* payload) {
    const auto kNo = HeapViolation::kNoEntry;
    auto a = reinterpret_cast<uintptr_t>(payload);
    auto hs = reinterpret_cast<uintptr_t>(s_.heap_start), top = reinterpret_cast<uintptr_t>(s_.top);
    // A pointer outside the heap is the shadow model's finding (out-of-region), not ours.
    if (a < hs + layout::kHeader || a >= top || ((a - hs) & 7) != 0) return false;
    const char* b = static_cast<const char*>(payload) - layout::kHeader;
    size_t at = off(b);
    uint64_t h = load_word(b);
    if (h & (kFree | kFence)) return fail(Invariant::kLiveBlock, at, kNo, h & ~(kFree | kFence), h);
    uint64_t size = h & ~kFlagMask;
    if (size < kMinBlock) return fail(Invariant::kBlockSize, at, kNo, kMinBlock, size);
    if (size > top - reinterpret_cast<uintptr_t>(b)) {
      return fail(Invariant::kWalkEnd, at, kNo, off(s_.top), at + size);
    }
    if (h & kPrevFree) {
      // The tag must lead to a free block that ends exactly here. The first block has no tag
      // below it: the word there is outside the heap, maybe unmapped, so it is never read.
      const bool tag_in_heap = b - kWord >= s_.heap_start;
      uint64_t index = tag_in_heap ? load_word(b - kWord) : 0;
      bool leads_here =
          tag_in_heap && index < s_.length && s_.entries[index].size != 0 &&
          s_.entries[index].pos + s_.entries[index].size == reinterpret_cast<uintptr_t>(b) &&
          s_.entries[index].pos >= hs &&
          load_word(reinterpret_cast<const char*>(s_.entries[index].pos)) ==
              ((index << kIndexShift) | kFree);
      if (!leads_here) return fail(Invariant::kPrevFree, at, kNo, 0, 1);
    }
    const char* next = b + size;
    if (next == s_.top) return false;
    uint64_t nh = load_word(next);
    if (nh & kFree) {
      uint64_t next_size;
      if (check_free_block(next, nh, &next_size)) return true;
      const char* after = next + next_size;
      if (!(load_word(after) & kPrevFree)) return fail(Invariant::kPrevFree, off(after), kNo, 1, 0);
    } else if (nh & kPrevFree) {
      return fail(Invariant::kPrevFree, off(next), kNo, 0, 1);
    }
    return false;
  }

  // Foreign bytes must not lie in [a, b) (a block that is not a fence, or the preallocation).
  bool check_no_foreign(size_t a, size_t b) {
    const ForeignSpan* span = spans_.first_ending_after(a);
    if (span != nullptr && span->offset < b) {
      return fail(Invariant::kFenceForeign, a, HeapViolation::kNoEntry, span->offset, a);
    }
    return false;
  }

  // A fence [a, b) exists only because another party owned bytes there: at least one foreign
  // span overlaps it, and every span that does lies inside its payload [a + 8, b).
  bool check_fence(size_t a, size_t b) {
    size_t from = a;
    bool covers_one = false;
    while (const ForeignSpan* span = spans_.first_ending_after(from)) {
      if (span->offset >= b) break;
      if (span->offset < a + kWord || span->offset + span->length > b) {
        return fail(Invariant::kFenceForeign, a, HeapViolation::kNoEntry, span->offset, a);
      }
      covers_one = true;
      from = span->offset + span->length;
    }
    if (!covers_one) return fail(Invariant::kFenceForeign, a, HeapViolation::kNoEntry, 1, 0);
    return false;
  }

  bool walk_blocks() {
    const char* cur = s_.heap_start;
    size_t top = off(s_.top);
    bool prev_free = false;
    const auto kNo = HeapViolation::kNoEntry;
    while (cur != s_.top) {
      size_t at = off(cur);
      uint64_t h = load_word(cur);
      size_t room = top - at;  // bytes from this header to top; > 0 here
      if (h == 0) return fail(Invariant::kWalkEnd, at, kNo, top, at);
      uint64_t size;
      if (h & kFree) {
        if (h & (kPrevFree | kFence))
          return fail(Invariant::kFlags, at, kNo, h & ~(kPrevFree | kFence), h);
        if (prev_free) return fail(Invariant::kFreeAdjacent, at, kNo, 0, 1);
        if (check_free_block(cur, h, &size)) return true;
        if (requested(cur) != SIZE_MAX) return fail(Invariant::kLiveBlock, at, kNo, h & ~kFree, h);
        if (check_no_foreign(at, at + size)) return true;
        prev_free = true;
      } else {
        bool fence = (h & kFence) != 0;
        size = h & ~kFlagMask;
        uint64_t min_size = fence ? kWord : kMinBlock;
        if (size < min_size) return fail(Invariant::kBlockSize, at, kNo, min_size, size);
        if (size > room) return fail(Invariant::kWalkEnd, at, kNo, top, at + size);
        if (((h & kPrevFree) != 0) != prev_free) {
          return fail(Invariant::kPrevFree, at, kNo, prev_free, (h & kPrevFree) != 0);
        }
        size_t req = requested(cur);
        if (fence) {
          if (req != SIZE_MAX) return fail(Invariant::kLiveBlock, at, kNo, h & ~kFence, h);
          if (check_fence(at, at + size)) return true;
        } else {
          if (check_no_foreign(at, at + size)) return true;
          if (req != SIZE_MAX) {
            uint64_t most = layout::block_size_for(req) + kSplitSlack;
            if (size > most) return fail(Invariant::kUsedSlack, at, kNo, most, size);
          }
        }
        prev_free = false;
      }
      cur += size;
    }
    return false;
  }

  bool check_preallocation() { return check_no_foreign(off(s_.top), off(s_.brk)); }

  bool check_entries() {
    size_t gaps = 0;
    uint64_t sum = 0;
    uintptr_t hs = reinterpret_cast<uintptr_t>(s_.heap_start);
    uintptr_t top = reinterpret_cast<uintptr_t>(s_.top);
    for (size_t i = 0; i < s_.length; ++i) {
      const FreeEntry& e = s_.entries[i];
      if (e.size == 0) {
        ++gaps;
        if (i < s_.gap_hint) return fail(Invariant::kGapHint, 0, i, i, s_.gap_hint);
        continue;
      }
      sum += e.size;
      if (s_.heap_start == nullptr || e.pos < hs || e.pos >= top || ((e.pos - hs) & 7) != 0) {
        uint64_t where = position(e.pos);
        return fail(Invariant::kEntryRange, where == HeapViolation::kOutside ? 0 : where, i,
                    hs - reinterpret_cast<uintptr_t>(region_.start()), where);
      }
      if ((e.size & 7) != 0 || e.size < kMinBlock || e.size > top - e.pos) {
        return fail(Invariant::kEntrySize, off(e.pos), i, kMinBlock, e.size);
      }
      uint64_t want = (uint64_t{i} << kIndexShift) | kFree;
      uint64_t h = load_word(reinterpret_cast<const char*>(e.pos));
      if (h != want) return fail(Invariant::kEntryBlock, off(e.pos), i, want, h);
      if (e.size > s_.largest_bound) {
        return fail(Invariant::kLargestBound, off(e.pos), i, e.size, s_.largest_bound);
      }
    }
    if (check_array_tail()) return true;
    if (gaps != s_.gaps)
      return fail(Invariant::kGapCount, 0, HeapViolation::kNoEntry, gaps, s_.gaps);
    if (sum != s_.free_bytes) {
      return fail(Invariant::kFreeBytes, 0, HeapViolation::kNoEntry, sum, s_.free_bytes);
    }
    return false;
  }

  const FreeArrayState& s_;
  const PseudoBrk& region_;
  const CheckOptions& options_;
  SpanCursor spans_;
  HeapViolation violation_{};
};

}  // namespace

std::optional<HeapViolation> check_heap(const FreeArrayHeap& heap, const CheckOptions& options) {
  return Checker(heap, options).run();
}

std::optional<HeapViolation> check_heap_near(const FreeArrayHeap& heap, const void* payload,
                                             const CheckOptions& options) {
  return Checker(heap, options).run_near(payload);
}

void append_violation(const HeapViolation& v, TextBuffer& out) {
  const InvariantInfo& info = invariant_info(v.invariant);
  out.add("heap-invariant:").add(info.id).add(" at ").add_offset(v.offset);
  if (v.entry != HeapViolation::kNoEntry) out.add(" entry ").add_dec(v.entry);
  auto value = [&out](uint64_t x) {
    if (x == HeapViolation::kOutside) {
      out.add("outside the region");
    } else {
      out.add_hex(x);
    }
  };
  if (v.invariant == Invariant::kFreeIndex) {
    // Not a value to match but a bound: the index must stay below the length (and not be a gap).
    out.add(": index ");
    value(v.actual);
    out.add(", array length ");
    value(v.expected);
  } else {
    out.add(": expected ");
    value(v.expected);
    out.add(", actual ");
    value(v.actual);
  }
  out.add(" (").add(info.what).add_char(')');
}

void debug_check_heap(const FreeArrayHeap& heap) {
  std::optional<HeapViolation> v = check_heap(heap);
  if (!v) return;
  FixedText<512> text;
  text.add("allocfuzz: ");
  append_violation(*v, text);
  text.add_char('\n');
  (void)!write(2, text.view().data(), text.view().size());
  abort();
}

}  // namespace allocfuzz
