// The shadow model's bookkeeping and judgements; see shadow.h.
#include "fuzz/oracle/shadow.h"

#include <absl/strings/str_format.h>

#include <cstring>
#include <string_view>

#include "allocator/base/offset_text.h"
#include "fuzz/oracle/content_pattern.h"

namespace allocfuzz {
namespace {

Finding shadow_finding(ShadowKind kind, size_t offset, std::string message) {
  Finding f;
  f.kind = FindingKind::shadow(kind);
  f.oracle = Oracle::kShadow;
  f.message = std::move(message);
  f.offset = offset;
  return f;
}

// One past the last byte of a block of `n` bytes at position `o`, for the comparisons of
// blocks: a zero-byte block is the one byte at its address, and an end past the top of the
// address space is the top (a region-less heap may return a block for a request near 2^64;
// o + n would wrap to a small end and such a block would overlap nothing).
size_t block_end(size_t o, size_t n) {
  size_t bytes = n == 0 ? 1 : n;
  return bytes > SIZE_MAX - o ? SIZE_MAX : o + bytes;
}

// What a corrupted word at `p + at` says about where it came from: a pattern word of an
// allocation that existed (ids below `next_id`) names its owner; anything else is shown raw.
// Only the bytes below `p + readable` are read: those of the block or span the byte is in, and
// below the break. The last word of a block or span whose size is not a multiple of 8 runs past
// it, into bytes that are another owner's or, for a region-less heap, slack an earlier run left
// (the message would depend on history), or above the break, where the region is guarded
// (under the fuzzer at byte granularity, by ASan poisoning: the finding would become the
// sanitizer's). The bytes not read are shown as zero, and `past` says what they are past.
std::string describe_word(const char* p, size_t at, uint32_t next_id, size_t readable,
                          std::string_view past) {
  size_t start = at & ~size_t{7};
  size_t have = readable <= start                     ? 0
                : readable - start < sizeof(uint64_t) ? readable - start
                                                      : sizeof(uint64_t);
  uint64_t word = 0;
  std::memcpy(&word, p + start, have);
  if (have < sizeof word) {
    return absl::StrFormat("the word there reads 0x%016x (its last %d bytes are %s)", word,
                           sizeof word - have, past);
  }
  uint32_t id;
  uint64_t k;
  if (decode_pattern_word(word, &id, &k) && id != 0 && id < next_id) {
    return absl::StrFormat("the word there is byte %d of allocation #%d's pattern", k * 8, id);
  }
  return absl::StrFormat("the word there reads 0x%016x", word);
}

}  // namespace

Shadow::Shadow(const PseudoBrk& region) : region_(region), slots_(kMaxSlots) {
  order_.reserve(kMaxSlots);
}

void Shadow::reset() {
  for (const Ref& r : order_) slots_[r.slot] = SlotState{};
  order_.clear();
  next_id_ = 1;
  live_bytes_ = 0;
}

size_t Shadow::lower_bound(size_t offset) const {
  size_t lo = 0, hi = order_.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (order_[mid].offset < offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

void Shadow::add(uint32_t s, char* p, size_t requested, size_t align) {
  slots_[s] = SlotState{p, requested, next_id_++, align, requested};
  live_bytes_ += requested;
  size_t at = lower_bound(off(p));
  order_.insert(order_.begin() + static_cast<std::ptrdiff_t>(at), Ref{off(p), s});
  fill_pattern(p, requested, slots_[s].id);
}

void Shadow::extend(uint32_t s, size_t usable) {
  SlotState& b = slots_[s];
  // The pattern of word k depends only on (id, k): writing it over more bytes keeps the
  // bytes already there.
  fill_pattern(b.p, usable, b.id);
  b.covered = usable;
}

void Shadow::remove(uint32_t s) {
  size_t at = lower_bound(off(slots_[s].p));
  while (at < order_.size() && order_[at].slot != s) ++at;  // equal offsets only for size 0
  order_.erase(order_.begin() + static_cast<std::ptrdiff_t>(at));
  live_bytes_ -= slots_[s].requested;
  slots_[s] = SlotState{};
}

void Shadow::refill(uint32_t s) {
  SlotState& b = slots_[s];
  b.id = next_id_++;
  fill_pattern(b.p, b.covered, b.id);
}

size_t Shadow::requested_size(const void* p) const {
  size_t o = off(p);
  size_t at = lower_bound(o);
  if (at < order_.size() && order_[at].offset == o) return slots_[order_[at].slot].requested;
  return SIZE_MAX;
}

size_t Shadow::readable_from(const char* p) const {
  if (!uses_region_ || !region_.contains(p)) return SIZE_MAX;
  size_t brk = region_.stats().break_offset;
  size_t o = off(p);
  return o < brk ? brk - o : 0;
}

std::string Shadow::describe_block_word(const char* p, size_t at, size_t n,
                                        std::string_view past) const {
  size_t readable = readable_from(p);
  if (n <= readable) return describe_word(p, at, next_id_, n, past);
  return describe_word(p, at, next_id_, readable, "above the break");
}

std::string Shadow::at_text(size_t position) const {
  return uses_region_ ? " at " + offset_string(position) : std::string();
}

std::optional<Finding> Shadow::judge_new_block(const char* p, size_t requested,
                                               TestedHeap& heap) const {
  size_t o = off(p);
  size_t alignment = heap.alignment();
  if (reinterpret_cast<uintptr_t>(p) % alignment != 0) {
    // Outside the region an offset means nothing (it would differ between placements).
    bool inside = uses_region_ && region_.contains(p);
    std::string where = inside         ? " at " + offset_string(o)
                        : uses_region_ ? std::string(" at a pointer outside the region")
                                       : std::string();
    return shadow_finding(ShadowKind::kMisaligned, inside ? o : SIZE_MAX,
                          absl::StrFormat("block%s is not %d-aligned", where, alignment));
  }
  if (uses_region_) {
    size_t brk = region_.stats().break_offset;
    if (!region_.contains(p) || o > brk || requested > brk - o) {
      // Outside the region, offsets mean nothing: say where relative to it, not where it is.
      std::string where =
          region_.contains(p) ? offset_string(o) : std::string("outside the region");
      return shadow_finding(ShadowKind::kOutOfRegion, region_.contains(p) ? o : SIZE_MAX,
                            absl::StrFormat("block at %s of %d bytes is not below the break %s",
                                            where, requested, offset_string(brk)));
    }
  }
  size_t end = block_end(o, requested);
  // The live block starting at or below o that reaches past o, or one starting inside.
  size_t at = lower_bound(o);
  size_t other = SIZE_MAX;  // index in order_ of the live block it overlaps
  if (at > 0) {
    const SlotState& prev = slots_[order_[at - 1].slot];
    size_t prev_end = block_end(order_[at - 1].offset, prev.covered);
    if (prev_end > o) other = at - 1;
  }
  if (other == SIZE_MAX && at < order_.size() && order_[at].offset < end) other = at;
  if (other != SIZE_MAX) {
    const Ref& r = order_[other];
    return shadow_finding(
        ShadowKind::kOverlap, finding_offset(o),
        absl::StrFormat("block%s of %d bytes overlaps live block s%d%s of %d bytes", at_text(o),
                        requested, r.slot, at_text(r.offset), slots_[r.slot].covered));
  }
  for (size_t i = 0; uses_region_ && i < region_.foreign_span_count(); ++i) {
    const ForeignSpan& span = region_.foreign_span(i);
    if (span.offset < end && o < span.offset + span.length) {
      return shadow_finding(
          ShadowKind::kOverlap, o,
          absl::StrFormat("block at %s of %d bytes overlaps the foreign span at "
                          "%s of %d bytes",
                          offset_string(o), requested, offset_string(span.offset), span.length));
    }
  }
  size_t usable = heap.usable_size(p);
  if (usable != SIZE_MAX && usable < requested) {
    return shadow_finding(ShadowKind::kUsableTooSmall, finding_offset(o),
                          absl::StrFormat("usable size %d of the block%s is below the "
                                          "requested %d",
                                          usable, at_text(o), requested));
  }
  return std::nullopt;
}

std::optional<Finding> Shadow::verify_slot(uint32_t s, bool edges_only) const {
  const SlotState& b = slots_[s];
  const size_t n = b.covered;
  size_t bad;
  if (!edges_only || n <= 2 * kEdgeBytes) {
    bad = first_pattern_mismatch(b.p, n, b.id);
  } else {
    bad = first_pattern_mismatch(b.p, kEdgeBytes, b.id);
    if (bad == SIZE_MAX) {
      // The tail starts on a word boundary so that the pattern words line up.
      size_t tail = (n - kEdgeBytes) & ~size_t{7};
      bad = first_pattern_mismatch_from(b.p, tail, n, b.id);
    }
  }
  if (bad == SIZE_MAX) return std::nullopt;
  size_t o = off(b.p);
  // After `usable` the block's bytes are its usable ones: say so, since they are more than the
  // user asked for.
  std::string size =
      n == b.requested ? absl::StrFormat("%d bytes", n) : absl::StrFormat("%d usable bytes", n);
  return shadow_finding(
      ShadowKind::kContentCorrupted, finding_offset(o + bad),
      absl::StrFormat("byte %d of live block s%d%s (%s) changed "
                      "behind the user's back; %s",
                      bad, s, at_text(o), size, describe_block_word(b.p, bad, n)));
}

std::optional<Finding> Shadow::judge_alignment(const char* p, size_t align,
                                               std::string_view call) const {
  const size_t mod = reinterpret_cast<uintptr_t>(p) & (align - 1);
  if (mod == 0) return std::nullopt;
  const size_t o = off(p);
  const bool inside = uses_region_ && region_.contains(p);
  return shadow_finding(ShadowKind::kMisaligned, inside ? o : SIZE_MAX,
                        absl::StrFormat("%s returned a block%s %d bytes past a multiple of %d",
                                        call, inside ? at_text(o) : std::string(), mod, align));
}

std::optional<Finding> Shadow::judge_usable(uint32_t s, size_t usable) const {
  const SlotState& b = slots_[s];
  const size_t o = off(b.p);
  if (usable < b.requested) {
    return shadow_finding(ShadowKind::kUsableTooSmall, finding_offset(o),
                          absl::StrFormat("usable size %d of block s%d%s is below the "
                                          "requested %d",
                                          usable, s, at_text(o), b.requested));
  }
  if (uses_region_) {
    const size_t brk = region_.stats().break_offset;
    if (o > brk || usable > brk - o) {
      return shadow_finding(
          ShadowKind::kOutOfRegion, o,
          absl::StrFormat("usable size %d of block s%d at %s (%d bytes) "
                          "reaches past the break %s",
                          usable, s, offset_string(o), b.requested, offset_string(brk)));
    }
  }
  // Blocks do not overlap, so the only ones [o, o + usable) can reach are those that start
  // after o (a zero-byte block at o itself is another block at the same address: it counts).
  const size_t end = block_end(o, usable);
  size_t at = lower_bound(o);
  while (at < order_.size() && order_[at].offset == o && order_[at].slot == s) ++at;
  if (at < order_.size() && order_[at].offset < end && usable > 0) {
    const Ref& r = order_[at];
    return shadow_finding(
        ShadowKind::kOverlap, finding_offset(o),
        absl::StrFormat("usable size %d of block s%d%s (%d bytes) reaches into live block s%d%s "
                        "of %d bytes",
                        usable, s, at_text(o), b.requested, r.slot, at_text(r.offset),
                        slots_[r.slot].covered));
  }
  for (size_t i = 0; uses_region_ && i < region_.foreign_span_count(); ++i) {
    const ForeignSpan& span = region_.foreign_span(i);
    if (usable > 0 && span.offset < end && o < span.offset + span.length) {
      return shadow_finding(
          ShadowKind::kOverlap, o,
          absl::StrFormat("usable size %d of block s%d at %s (%d bytes) reaches into the "
                          "foreign span at %s of %d bytes",
                          usable, s, offset_string(o), b.requested, offset_string(span.offset),
                          span.length));
    }
  }
  return std::nullopt;
}

std::optional<Finding> Shadow::verify_moved(const char* p, const SlotState& old,
                                            size_t requested) const {
  size_t keep = old.requested < requested ? old.requested : requested;
  size_t bad = first_pattern_mismatch(p, keep, old.id);
  if (bad == SIZE_MAX) return std::nullopt;
  std::string moves = uses_region_
                          ? " from " + offset_string(off(old.p)) + " to " + offset_string(off(p))
                          : std::string(p == old.p ? " in place" : " to a new block");
  return shadow_finding(
      ShadowKind::kReallocLostData, finding_offset(off(p) + bad),
      absl::StrFormat("realloc%s (%d -> %d bytes) lost byte %d; %s", moves, old.requested,
                      requested, bad, describe_block_word(p, bad, keep, "past the kept bytes")));
}

std::optional<Finding> Shadow::verify_zero(const char* p, size_t requested) const {
  size_t bad = first_nonzero(p, requested);
  if (bad == SIZE_MAX) return std::nullopt;
  return shadow_finding(
      ShadowKind::kCallocNotZero, finding_offset(off(p) + bad),
      absl::StrFormat("calloc block%s (%d bytes): byte %d is 0x%02x, not 0", at_text(off(p)),
                      requested, bad, static_cast<unsigned char>(p[bad])));
}

std::optional<Finding> Shadow::verify_neighbours(size_t offset, const char** below,
                                                 const char** above) const {
  size_t at = lower_bound(offset);
  size_t next = at < order_.size() && order_[at].offset == offset ? at + 1 : at;
  *below = at > 0 ? slots_[order_[at - 1].slot].p : nullptr;
  *above = next < order_.size() ? slots_[order_[next].slot].p : nullptr;
  if (at > 0) {
    if (auto f = verify_slot(order_[at - 1].slot, true)) return f;
  }
  if (next < order_.size()) {
    if (auto f = verify_slot(order_[next].slot, true)) return f;
  }
  return std::nullopt;
}

std::optional<Finding> Shadow::verify_all() const {
  for (const Ref& r : order_) {
    if (auto f = verify_slot(r.slot)) return f;
  }
  return std::nullopt;
}

std::optional<Finding> Shadow::verify_below_break() const {
  if (!uses_region_ || order_.empty()) return std::nullopt;
  size_t brk = region_.stats().break_offset;
  // Blocks do not overlap once judged, so the one with the highest offset ends highest; a
  // block found overlapping is reported at once and the program stops.
  const Ref& top = order_.back();
  size_t n = slots_[top.slot].covered;
  if (top.offset <= brk && n <= brk - top.offset) return std::nullopt;
  return shadow_finding(
      ShadowKind::kOutOfRegion, top.offset,
      absl::StrFormat("live block s%d at %s of %d bytes is no longer below the "
                      "break %s: the break was lowered under it",
                      top.slot, offset_string(top.offset), n, offset_string(brk)));
}

std::optional<Finding> Shadow::verify_foreign(bool edges_only) const {
  intptr_t bad = region_.first_clobbered_foreign_byte(edges_only ? kEdgeBytes : SIZE_MAX);
  if (bad < 0) return std::nullopt;
  auto o = static_cast<size_t>(bad);
  size_t brk = region_.stats().break_offset;
  bool lost = o >= brk;
  size_t end = brk;  // the end of the span holding o, or the break when that is lower
  for (size_t i = 0; i < region_.foreign_span_count(); ++i) {
    const ForeignSpan& span = region_.foreign_span(i);
    if (o >= span.offset && o - span.offset < span.length && span.offset + span.length < end) {
      end = span.offset + span.length;
    }
  }
  return shadow_finding(
      ShadowKind::kForeignClobbered, o,
      lost ? absl::StrFormat("the foreign byte at %s lost access: the break was "
                             "lowered to %s under the other party's span",
                             offset_string(o), offset_string(brk))
           : absl::StrFormat("the foreign byte at %s was overwritten; %s", offset_string(o),
                             describe_word(region_.start(), o, next_id_, end,
                                           end < brk ? "past the span's end" : "above the break")));
}

}  // namespace allocfuzz
