// The break itself: kernel-like moves, injected failures and the other party's spans.
#include "allocator/region/pseudo_brk.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace allocfuzz {

int PseudoBrk::init(const RegionOptions& options) {
  int rc = range_.reserve(options.reserve_bytes, options.placement, options.protection);
  if (rc != 0) return rc;
  const size_t size = options.size_bytes;
  default_size_ = size != 0 && size < range_.size() ? size : range_.size();
  size_ = default_size_;
  limit_ = size_;
  return 0;
}

bool PseudoBrk::set_size(size_t bytes) {
  if (bytes > range_.size() || bytes < break_) return false;
  size_ = bytes;
  limit_ = bytes;
  return true;
}

// One place decides whether a move may happen, so brk, sbrk and foreign moves agree.
int PseudoBrk::move_to(size_t offset, bool foreign) {
  // Only growth can be refused (a lower limit never stops shrinking, as with RLIMIT_DATA),
  // and an armed failure is spent only on a growth the limit would have allowed.
  bool growth = offset > break_;
  bool refused = false;
  if (growth) {
    if (offset > limit_) {
      refused = true;
    } else if (!foreign && fail_growths_ > 0) {
      --fail_growths_;
      refused = true;
    }
  }
  if (refused) {
    if (!foreign) {
      ++stats_.failed_moves;
      if (growth) ++stats_.failed_growths;
    }
    errno = ENOMEM;
    return -1;
  }
  if (offset == break_) return 0;
  range_.set_accessible_end(offset);
  break_ = offset;
  if (!foreign) {
    ++stats_.moves;
    if (growth) ++stats_.growths;
  }
  stats_.break_offset = break_;
  if (break_ > stats_.peak_break_offset) stats_.peak_break_offset = break_;
  return 0;
}

int PseudoBrk::brk(void* addr) {
  auto a = reinterpret_cast<uintptr_t>(addr), b = reinterpret_cast<uintptr_t>(range_.base());
  if (a < b || a - b > size_) {
    ++stats_.failed_moves;
    if (a > b + break_) ++stats_.failed_growths;
    errno = ENOMEM;
    return -1;
  }
  return move_to(a - b, /*foreign=*/false);
}

void* PseudoBrk::sbrk(intptr_t delta) {
  char* old = current_break();
  // Compare in unsigned arithmetic so that no delta can overflow a pointer.
  bool bad = delta < 0 ? static_cast<uintptr_t>(-(delta + 1)) >= break_
                       : static_cast<uintptr_t>(delta) > size_ - break_;
  if (bad) {
    ++stats_.failed_moves;
    if (delta > 0) ++stats_.failed_growths;
    errno = ENOMEM;
    return reinterpret_cast<void*>(-1);
  }
  if (move_to(break_ + static_cast<size_t>(delta), /*foreign=*/false) != 0) {
    return reinterpret_cast<void*>(-1);
  }
  return old;
}

uint8_t PseudoBrk::foreign_byte(uint32_t ordinal, size_t offset_in_span) {
  // One byte per span, odd (so never zero, never a fresh page), different for neighbouring
  // spans. Constant within a span so that a span is filled with memset and checked with one
  // memcmp: the check runs after every fuzzed operation.
  (void)offset_in_span;
  return static_cast<uint8_t>(0xA1 + 2 * (ordinal % 47));
}

bool PseudoBrk::foreign_grow(size_t bytes) {
  if (bytes == 0 || span_count_ == kMaxForeignSpans) return false;
  if (break_ >= limit_ || bytes > limit_ - break_) return false;
  size_t from = break_;
  if (move_to(break_ + bytes, /*foreign=*/true) != 0) return false;
  ForeignSpan span{from, bytes, foreign_ordinal_++};
  std::memset(range_.base() + from, foreign_byte(span.ordinal, 0), bytes);
  spans_[span_count_++] = span;
  return true;
}

bool PseudoBrk::foreign_release() {
  if (span_count_ == 0) return false;
  const ForeignSpan& top = spans_[span_count_ - 1];
  if (top.offset + top.length != break_) return false;
  move_to(top.offset, /*foreign=*/true);
  --span_count_;
  return true;
}

intptr_t PseudoBrk::first_clobbered_foreign_byte(size_t edge_bytes) const {
  // Spans are not always in address order: once the break was lowered under a span, a newer
  // one can lie below it. So every span is checked and the lowest bad offset wins.
  intptr_t first = -1;
  auto keep = [&first](size_t offset) {
    if (first < 0 || static_cast<intptr_t>(offset) < first) first = static_cast<intptr_t>(offset);
  };
  // All of [from, to) equals `fill` iff its first byte does and each equals the next.
  auto first_bad = [](const char* p, size_t from, size_t to, char fill) -> size_t {
    if (to <= from) return SIZE_MAX;
    if (p[from] == fill && std::memcmp(p + from, p + from + 1, to - from - 1) == 0) return SIZE_MAX;
    size_t i = from;
    while (p[i] == fill) ++i;
    return i;
  };
  for (size_t s = 0; s < span_count_; ++s) {
    const ForeignSpan& span = spans_[s];
    const char* p = range_.base() + span.offset;
    auto fill = static_cast<char>(foreign_byte(span.ordinal, 0));
    // Only bytes below the break can be read; the rest lost access.
    size_t live = span.offset >= break_ ? 0 : std::min(span.length, break_ - span.offset);
    size_t bad = SIZE_MAX;
    if (edge_bytes >= live / 2) {
      bad = first_bad(p, 0, live, fill);
    } else {
      bad = first_bad(p, 0, edge_bytes, fill);
      if (bad == SIZE_MAX) bad = first_bad(p, live - edge_bytes, live, fill);
    }
    if (bad != SIZE_MAX) {
      keep(span.offset + bad);
    } else if (live < span.length) {
      keep(span.offset + live);  // lost access: the break was lowered under the span
    }
  }
  return first;
}

void PseudoBrk::reset() {
  range_.reset();
  break_ = 0;
  size_ = default_size_;
  limit_ = size_;
  fail_growths_ = 0;
  foreign_ordinal_ = 0;
  span_count_ = 0;
  stats_ = RegionStats{};
}

}  // namespace allocfuzz
