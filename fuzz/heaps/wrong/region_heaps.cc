// The region wrong heaps of the catalogue (region_heaps.h).
#include "fuzz/heaps/wrong/region_heaps.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace allocfuzz::wrong {

void* OverlapBelowHeap::malloc(size_t n) {
  if (char* p = newest_last_word(); p != nullptr) {
    // Only a block that fits below the break: a larger one would be out-of-region too (the
    // gate's seeds 4 and 6 asked for 2^64 - 17 bytes), a second wrong the row does not mean.
    if (n <= static_cast<size_t>(region_.current_break() - p)) {
      forget_newest();
      return p;
    }
  }
  return malloc_newest(n);
}

void* OverlapAboveHeap::malloc(size_t n) {
  if (n >= 9 + 24 && (n - 9) % 8 == 0) {
    // [p, p + n) ends one byte into the payload after the next header, at p + (n - 9) + 8.
    auto* p = static_cast<char*>(inner_.malloc(n - 9));
    if (p != nullptr && inner_.usable_size(p) == n - 9 && live_.count(p + (n - 9) + 8) != 0) {
      return keep(p);
    }
    if (p != nullptr) inner_.free(p);
  }
  return keep(inner_.malloc(n));
}

void OverlapAboveHeap::free(void* p) {
  live_.erase(static_cast<char*>(p));
  inner_.free(p);
}

void* OverlapAboveHeap::realloc(void* p, size_t n) {
  void* q = inner_.realloc(p, n);
  if (q != nullptr || n == 0) live_.erase(static_cast<char*>(p));
  return keep(q);
}

void* OverlapAboveHeap::calloc(size_t count, size_t size) {
  return keep(inner_.calloc(count, size));
}

void* ZeroBlockInsideHeap::malloc(size_t n) {
  if (char* p = newest_last_word(); n == 0 && p != nullptr) return p;
  return malloc_newest(n);
}

void* PastBreakHeap::malloc(size_t n) {
  if (n > 8 && next_call() == 2) return region_.current_break() - 8;
  return inner_.malloc(n);
}

void* AtBreakHeap::malloc(size_t n) {
  // Not for malloc(0): a zero-byte block at the break uses no byte and is a unique pointer
  // (the shadow accepts it, as it should), so the wrong would show only later, as the inner
  // heap's abort on a pointer it never handed out (the gate's seeds 6-9 found that).
  if (n > 0 && next_call() == 2 && region_.stats().break_offset > 0) {
    return region_.current_break();
  }
  return inner_.malloc(n);
}

size_t UsableShortHeap::usable_size(const void* p) { return inner_.usable_size(p) - 1; }

void* UsableTooLargeHeap::realloc(void* p, size_t n) {
  void* q = inner_.realloc(p, n);
  if (q != nullptr || n == 0) live_.erase(static_cast<const char*>(p));
  return keep(q);
}

size_t UsableTooLargeHeap::usable_size(const void* p) {
  const size_t usable = inner_.usable_size(p);
  // The next block's header starts where this payload's usable bytes end.
  const char* above = static_cast<const char*>(p) + usable + 8;
  return live_.count(above) != 0 ? usable + 16 : usable;
}

void* ShortCopyReallocHeap::realloc(void* p, size_t n) {
  if (p == nullptr || n == 0) return inner_.realloc(p, n);
  size_t old = inner_.usable_size(p);
  if (n <= old) return inner_.realloc(p, n);
  void* q = inner_.malloc(n);
  if (q == nullptr) return nullptr;
  std::memcpy(q, p, old - 1);
  inner_.free(p);
  return q;
}

void* InPlaceGrowLosesHeap::realloc(void* p, size_t n) {
  size_t old = p != nullptr ? inner_.usable_size(p) : 0;
  auto* q = static_cast<char*>(inner_.realloc(p, n));
  if (q != nullptr && q == p && n > old) q[old - 1] = 0;
  return q;
}

void* ShrinkLosesHeap::realloc(void* p, size_t n) {
  size_t old = p != nullptr ? inner_.usable_size(p) : 0;
  auto* q = static_cast<char*>(inner_.realloc(p, n));
  if (q != nullptr && n > 0 && n < old) q[n - 1] ^= 1;
  return q;
}

void SentinelBelowBreakHeap::free(void* p) {
  inner_.free(p);
  if (next_call() == 1 && region_.foreign_span_count() > 0) region_.current_break()[-1] ^= 1;
}

void TrimsUnderForeignHeap::free(void* p) {
  inner_.free(p);
  if (next_call() != 1) return;
  // Only when a span ends at the break: if the heap has grown above every span, the byte
  // trimmed is the heap's own and the heap checker rightly sees its top above the break
  // (heap-invariant:region-bounds), a second wrong the row does not mean.
  size_t brk = region_.stats().break_offset;
  for (size_t i = 0; i < region_.foreign_span_count(); ++i) {
    const ForeignSpan& span = region_.foreign_span(i);
    if (span.offset + span.length == brk) {
      region_.sbrk(-1);
      return;
    }
  }
}

void LowersBreakUnderLiveHeap::free(void* p) {
  NewestBlockHeap::free(p);
  char* end = newest_end();
  if (end != nullptr && end > region_.start() && next_call() == 1) region_.brk(end - 1);
}

void* StickyFailureHeap::malloc(size_t n) {
  if (failed_) return nullptr;
  uint64_t before = region_.stats().failed_growths;
  void* p = inner_.malloc(n);
  if (p == nullptr && region_.stats().failed_growths > before) failed_ = true;
  return p;
}

void* LookasideHeap::malloc(size_t n) {
  if (!list_.empty() && n <= list_.back().bytes) {
    char* p = list_.back().block;
    list_.pop_back();
    return p;
  }
  return inner_.malloc(n);
}

void* ReallocListsTwiceHeap::realloc(void* p, size_t n) {
  const size_t old = p != nullptr ? inner_.usable_size(p) : 0;
  if (p == nullptr || n == 0 || n <= old) return inner_.realloc(p, n);
  void* q = inner_.malloc(n);
  if (q == nullptr) return nullptr;
  std::memcpy(q, p, old);
  list_.push_back({static_cast<char*>(p), old});
  list_.push_back({static_cast<char*>(p), old});
  return q;
}

void* ReallocLosesOldHeap::malloc(size_t n) {
  if (n > kCapacity - held_) {
    errno = ENOMEM;
    return nullptr;
  }
  void* p = LookasideHeap::malloc(n);
  if (p != nullptr) {
    held_ += n;
    sizes_[p] = n;
  }
  return p;
}

void ReallocLosesOldHeap::free(void* p) {
  if (auto it = sizes_.find(p); it != sizes_.end()) {
    held_ -= it->second;
    sizes_.erase(it);
  }
  inner_.free(p);
}

void* ReallocLosesOldHeap::realloc(void* p, size_t n) {
  auto it = sizes_.find(p);
  if (p == nullptr || n == 0 || it == sizes_.end() || n <= it->second) {
    return p == nullptr ? malloc(n) : (n == 0 ? (free(p), nullptr) : p);
  }
  const size_t old = it->second;
  void* q = malloc(n);
  if (q == nullptr) return nullptr;
  std::memcpy(q, p, old);
  sizes_.erase(p);  // forgotten, never freed: its bytes stay in held_
  return q;
}

void* ReallocKeepsOldSizeHeap::realloc(void* p, size_t n) {
  const size_t old = p != nullptr ? inner_.usable_size(p) : 0;
  void* q = inner_.realloc(p, n);
  if (q != nullptr && q == p && n > old && n - old >= 8) {
    list_.push_back({static_cast<char*>(q) + old, (n - old) & ~size_t{7}});
  }
  return q;
}

void* TwoBugsHeap::malloc(size_t n) {
  char* q = static_cast<char*>(inner_.malloc(n));
  if (q == nullptr) return nullptr;
  const bool repeated = previous_ != nullptr && previous_size_ == n && n > 0;
  if (repeated && live_.contains(previous_)) previous_[0] = 0;
  live_[q] = n;
  previous_ = q;
  previous_size_ = n;
  return q;
}

void* TwoBugsHeap::calloc(size_t count, size_t size) {
  char* q = static_cast<char*>(inner_.calloc(count, size));
  if (q != nullptr) live_[q] = count * size;
  return q;
}

void TwoBugsHeap::free(void* p) {
  live_.erase(static_cast<char*>(p));
  inner_.free(p);
}

void* TwoBugsHeap::realloc(void* p, size_t n) {
  char* q = static_cast<char*>(inner_.realloc(p, n));
  if (p != nullptr && (q != nullptr || n == 0)) live_.erase(static_cast<char*>(p));
  if (q == nullptr) return nullptr;
  live_[q] = n;
  if (p == nullptr || n < kLargeRealloc || live_.size() <= kOthersLive) return q;
  for (auto& [block, bytes] : live_) {
    if (block != q && bytes > 0) {
      block[0] = 0;
      break;
    }
  }
  return q;
}

}  // namespace allocfuzz::wrong
