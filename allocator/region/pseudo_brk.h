// PseudoBrk: a private program break on a ReservedRange, with the kernel's brk/sbrk rules and
// fault injection. A heap under test asks it for memory and never calls brk or mmap itself.
//
// Rules (the same as the kernel's, except where noted):
// - The break starts at offset 0 of the range (`start()`), and is never below it.
// - `brk(addr)` sets the break; `sbrk(delta)` moves it and returns the old break. Growth past
//   the reserve, past `set_limit`, or while `fail_next_growths` is armed fails with ENOMEM
//   and changes nothing (brk returns -1, sbrk returns (void*)-1). Lowering below start()
//   fails the same way. Setting the break to where it is succeeds and moves nothing.
// - Memory above the break is unusable (see ReservedRange for strict and poison modes).
//   Memory given back and taken again reads as zero.
// - Another party may share the break, as glibc's own malloc does with sbrk: `foreign_grow`
//   moves the break up and that party owns the new bytes (filled with a pattern so that a
//   write into them is seen); `foreign_release` gives back its newest span when that span is
//   still at the top. A brk allocator must therefore expect gaps in the movement of the break.
//   Foreign moves neither consume nor count as the allocator's growths.
// - The region's size (reserve_bytes()) may be less than the address range reserved at init
//   (reservation()): growth past the size fails as past the end of the range would.
// - Statistics: moves, growths and failures count the allocator's calls only; the break and
//   the peak break are the break itself, whoever moved it.
//
// All offsets are bytes from start(); reports print offsets so that output does not depend on
// where the range was placed.
#ifndef ALLOCFUZZ_ALLOCATOR_PSEUDO_BRK_H_
#define ALLOCFUZZ_ALLOCATOR_PSEUDO_BRK_H_

#include <cstddef>
#include <cstdint>

#include "allocator/region/reserved_range.h"

namespace allocfuzz {

struct RegionOptions {
  size_t reserve_bytes = size_t{1} << 30;
  // The region's size at init and after every reset, at most reserve_bytes (0: all of it): the
  // break never grows past it. set_size() changes it until the next reset.
  size_t size_bytes = 0;
  Placement placement = Placement::kHigh;
  Protection protection = Protection::kStrict;
};

struct RegionStats {
  size_t break_offset = 0;
  size_t peak_break_offset = 0;
  uint64_t moves = 0;           // successful calls that changed the break
  uint64_t failed_moves = 0;    // calls that failed with ENOMEM
  uint64_t growths = 0;         // successful upward moves
  uint64_t failed_growths = 0;  // failed upward moves (the oracle's test for a fair NULL)
};

// A span of the break owned by the other party. `ordinal` numbers foreign grows since the
// last reset and seeds the span's byte pattern.
struct ForeignSpan {
  size_t offset = 0;
  size_t length = 0;
  uint32_t ordinal = 0;
};

class PseudoBrk {
 public:
  static constexpr size_t kMaxForeignSpans = 64;

  PseudoBrk() = default;
  PseudoBrk(const PseudoBrk&) = delete;
  PseudoBrk& operator=(const PseudoBrk&) = delete;

  // Reserves the range. Returns 0 or an errno value (ENOMEM when the placement cannot be had).
  int init(const RegionOptions& options);

  char* start() const { return range_.base(); }
  // The region's size: the break never grows past start() + reserve_bytes(). At most the
  // reservation (the address range reserved at init), which a program may use more of.
  size_t reserve_bytes() const { return size_; }
  size_t reservation() const { return range_.size(); }
  // Sets the size until the next reset (and the limit to it): for a program that asks for a
  // region of its own size (`# region-size:`). False, changing nothing, when `bytes` exceeds
  // the reservation or lies below the break.
  bool set_size(size_t bytes);
  Placement placement() const { return range_.placement(); }
  Protection protection() const { return range_.protection(); }
  char* current_break() const { return range_.base() + break_; }
  size_t offset_of(const void* p) const {
    return static_cast<size_t>(static_cast<const char*>(p) - range_.base());
  }
  bool contains(const void* p) const {
    auto a = reinterpret_cast<uintptr_t>(p), b = reinterpret_cast<uintptr_t>(range_.base());
    return a >= b && a - b < size_;  // the region, not the rest of the reservation
  }

  // The kernel-like interface (glibc's signatures).
  int brk(void* addr);
  void* sbrk(intptr_t delta);

  // Fault injection.
  void fail_next_growths(uint32_t count) { fail_growths_ = count; }
  uint32_t pending_growth_failures() const { return fail_growths_; }
  // The break may not grow past `offset` (like RLIMIT_DATA); clamped to the size.
  void set_limit(size_t offset) { limit_ = offset < size_ ? offset : size_; }
  size_t limit() const { return limit_; }
  // The other party moves the break up by `bytes`; false (nothing changes) past the limit or
  // when kMaxForeignSpans spans are live. `bytes` need not be a multiple of 8.
  bool foreign_grow(size_t bytes);
  // The other party gives back its newest span if it ends at the break; false otherwise.
  bool foreign_release();

  size_t foreign_span_count() const { return span_count_; }
  const ForeignSpan& foreign_span(size_t i) const { return spans_[i]; }
  // The byte the other party keeps at `offset_in_span` of a span with `ordinal` (today the
  // same for the whole span, so spans are checked fast; callers must not rely on that).
  static uint8_t foreign_byte(uint32_t ordinal, size_t offset_in_span);
  // First offset (from start()) where a live foreign span lost access or changed, or -1.
  // Cost: one memcmp over the live foreign spans, or with `edge_bytes` only over the first and
  // last edge_bytes of each (the per-operation check of a fuzzer; a full one follows later).
  intptr_t first_clobbered_foreign_byte(size_t edge_bytes = SIZE_MAX) const;

  const RegionStats& stats() const { return stats_; }
  // Back to a fresh state (break at start, no spans, no faults, statistics zero). Cost follows
  // what was touched since the last reset; in Protection::kPoison it makes no system call.
  void reset();

 private:
  int move_to(size_t offset, bool foreign);

  ReservedRange range_;
  size_t break_ = 0;
  size_t size_ = 0;          // reserve_bytes(), at most range_.size()
  size_t default_size_ = 0;  // size_ after a reset
  size_t limit_ = 0;
  uint32_t fail_growths_ = 0;
  uint32_t foreign_ordinal_ = 0;
  size_t span_count_ = 0;
  ForeignSpan spans_[kMaxForeignSpans];
  RegionStats stats_;
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_ALLOCATOR_PSEUDO_BRK_H_
