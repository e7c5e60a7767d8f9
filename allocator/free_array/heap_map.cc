// The heap map's walk: the same stepping rules as the checker, but it prints instead of
// judging, and keeps the last `radius` blocks in a small ring so that it can print the
// blocks before the one of interest without walking twice.
#include "allocator/free_array/heap_map.h"

namespace allocfuzz {

using layout::FreeEntry;
using layout::kFence;
using layout::kFlagMask;
using layout::kFree;
using layout::kIndexShift;
using layout::kPrevFree;
using layout::kWord;
using layout::load_word;

namespace {

constexpr size_t kMaxRadius = 32;

struct BlockLine {
  size_t at;
  uint64_t header;
  uint64_t size;  // 0 when it cannot be known (bad index)
};

// The size of the block at `cur`, or 0 when the walk cannot step over it safely.
uint64_t step_size(const FreeArrayState& s, const char* cur) {
  uint64_t h = load_word(cur);
  size_t room = static_cast<size_t>(s.top - cur);
  uint64_t size = 0;
  if (h & kFree) {
    uint64_t index = h >> kIndexShift;
    if (index < s.length && s.entries[index].pos == reinterpret_cast<uintptr_t>(cur)) {
      size = s.entries[index].size;
    }
  } else {
    size = h & ~kFlagMask;
  }
  if (size < kWord || (size & 7) != 0 || size > room) return 0;
  return size;
}

void print_line(const FreeArrayHeap& heap, const BlockLine& b, bool marked, TextBuffer& out) {
  out.add(marked ? "  > " : "    ").add_offset(b.at).pad_to(16);
  if (b.header & kFree) {
    uint64_t index = b.header >> kIndexShift;
    out.add("free   ");
    if (b.size == 0) {
      out.add("entry ")
          .add_dec(index)
          .add(" does not lead back here (header ")
          .add_hex(b.header)
          .add_char(')');
    } else {
      out.add("size ").add_dec(b.size).pad_to(36).add("entry ").add_dec(index);
      out.add("  tag ").add_dec(load_word(heap.region().start() + b.at + b.size - kWord));
    }
  } else {
    out.add((b.header & kFence) ? "fence  " : "used   ")
        .add("size ")
        .add_dec(b.header & ~kFlagMask);
    if (b.header & kPrevFree) out.pad_to(36).add("PREV_FREE");
    if (b.size == 0) out.add("  (cannot step over this header)");
  }
  out.add_char('\n');
}

}  // namespace

void append_heap_map(const FreeArrayHeap& heap, size_t offset, size_t radius, TextBuffer& out) {
  const FreeArrayState& s = heap.state();
  const PseudoBrk& region = heap.region();
  if (radius > kMaxRadius) radius = kMaxRadius;
  if (s.heap_start == nullptr) {
    out.add("    (heap not started: no block yet)\n");
    return;
  }
  // Walk only a heap whose ends are plausible: both inside the region, aligned, in order, and
  // below the break (so every word up to top is mapped).
  auto hs = reinterpret_cast<uintptr_t>(s.heap_start), top = reinterpret_cast<uintptr_t>(s.top);
  if (!region.contains(s.heap_start) || !region.contains(s.top) || ((hs | top) & 7) != 0 ||
      hs > top || top >= reinterpret_cast<uintptr_t>(region.current_break())) {
    out.add("    (walk stops: heap_start ").add_offset(region.offset_of(s.heap_start));
    out.add(" or top ").add_offset(region.offset_of(s.top)).add(" is not a walkable heap)\n");
    return;
  }
  BlockLine ring[kMaxRadius + 1];
  size_t seen = 0;   // blocks walked so far
  size_t after = 0;  // blocks printed after the marked one
  bool marked = false;
  const char* cur = s.heap_start;
  while (cur < s.top) {
    BlockLine b{region.offset_of(cur), load_word(cur), step_size(s, cur)};
    bool holds = !marked && (offset < b.at + (b.size ? b.size : kWord));
    if (holds) {
      size_t before = seen < radius ? seen : radius;
      if (seen > before) out.add("    ...\n");
      for (size_t k = seen - before; k < seen; ++k)
        print_line(heap, ring[k % (radius + 1)], false, out);
      print_line(heap, b, true, out);
      marked = true;
    } else if (marked) {
      if (after == radius) {
        out.add("    ...\n");
        break;
      }
      print_line(heap, b, false, out);
      ++after;
    }
    ring[seen % (radius + 1)] = b;
    ++seen;
    if (b.size == 0) {
      if (!marked) print_line(heap, b, false, out);
      out.add("    (walk stops: the header at ").add_offset(b.at).add(" cannot be stepped over)\n");
      return;
    }
    cur += b.size;
  }
  if (!marked) {
    size_t before = seen < radius ? seen : radius;
    if (seen > before) out.add("    ...\n");
    for (size_t k = seen - before; k < seen; ++k)
      print_line(heap, ring[k % (radius + 1)], false, out);
  }
  out.add(offset >= region.offset_of(s.top) && !marked ? "  > " : "    ");
  out.add_offset(region.offset_of(s.top))
      .pad_to(16)
      .add("top    brk ")
      .add_offset(region.offset_of(s.brk));
  out.add("  entries ")
      .add_dec(s.length)
      .add(" (")
      .add_dec(s.gaps)
      .add(s.gaps == 1 ? " gap)  free " : " gaps)  free ");
  out.add_dec(s.free_bytes).add(" bytes\n");
}

}  // namespace allocfuzz
