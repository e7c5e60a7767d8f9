// The region-less wrong heaps of the catalogue (regionless_heaps.h).
//
// Each misbehaves only where the oracle must catch it at once or within the block's own bytes:
// a made-up pointer is handed out only when it certainly overlaps a live block or is misaligned
// (so it is never recorded, written or freed), and a stray write only goes into a live block's
// requested bytes. Under the fuzzer's random programs, a wrong heap therefore never corrupts
// glibc itself, which would end the run as a crash instead of the row's kind.
#include "fuzz/heaps/wrong/regionless_heaps.h"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace allocfuzz::wrong {

void* GlibcOverlapBelowHeap::malloc(size_t n) {
  if (watched_ != nullptr) return watched_ + 16;  // inside the watched block of > 16 bytes
  void* p = inner_.malloc(n);
  if (n > 16) watch(p, n);
  return p;
}

void* GlibcOverlapAboveHeap::malloc(size_t n) {
  // More than 16 bytes at watched_ - 16 reach the watched block's first byte.
  if (watched_ != nullptr && n > 16) return watched_ - 16;
  void* p = inner_.malloc(n);
  if (watched_ == nullptr) watch(p, n);
  return p;
}

void* GlibcZeroInsideHeap::malloc(size_t n) {
  if (n == 0 && watched_ != nullptr) return watched_ + 16;
  void* p = inner_.malloc(n);
  if (n > 16) watch(p, n);
  return p;
}

void* GlibcAlignedTo8Heap::malloc(size_t n) {
  auto* p = static_cast<char*>(inner_.malloc(n));
  return next_call() == 2 && p != nullptr ? p + 8 : p;
}

size_t GlibcUsableOneShortHeap::usable_size(const void* p) {
  size_t usable = inner_.usable_size(p);
  return usable == SIZE_MAX || usable == 0 ? usable : usable - 1;
}

void* GlibcFlagByteHeap::malloc(size_t n) {
  void* p = inner_.malloc(n);
  if (watched_ != nullptr && watched_n_ > at_) {
    watched_[from_end_ ? watched_n_ - 1 - at_ : at_] ^= 0x01;
  }
  watch(p, n);
  return p;
}

void* GlibcPartlyZeroedCallocHeap::calloc(size_t count, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(count, size, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  void* p = inner_.malloc(total);
  if (p != nullptr) {
    std::memset(p, 0xa5, total);
    std::memset(p, 0, zeroed(total));
  }
  return p;
}

void* GlibcCopyOneShortHeap::realloc(void* p, size_t n) {
  forget(p);
  if (p == nullptr || n == 0) return inner_.realloc(p, n);
  size_t usable = inner_.usable_size(p);
  void* q = inner_.malloc(n);
  if (q == nullptr) return nullptr;
  std::memset(q, 0, n);
  std::memcpy(q, p, (usable < n ? usable : n) - 1);
  inner_.free(p);
  return q;
}

void* GlibcInPlaceLinkHeap::realloc(void* p, size_t n) {
  if (p == nullptr || n == 0 || n > inner_.usable_size(p)) return inner_.realloc(p, n);
  void* q = inner_.realloc(p, n);
  if (q == p) std::memset(q, 0, n < 8 ? n : 8);
  return q;
}

void* GlibcShrinkHeaderHeap::realloc(void* p, size_t n) {
  // Room for a remainder chunk of glibc's minimum size (32) after the kept bytes: a split.
  if (p == nullptr || n == 0 || n + 32 > inner_.usable_size(p)) return inner_.realloc(p, n);
  void* q = inner_.realloc(p, n);
  if (q == p) {
    // The word holding the last kept byte, [(n - 1) & ~7, that + 8): it overlaps the kept
    // bytes, so the loss is seen, and it ends at or below round8(n), within the shrunk block's
    // usable bytes (a multiple of 8, at least n). Not n & ~7: for n = 16k + 8 that word lies
    // wholly past the kept bytes, on the size field of glibc's next chunk, a second wrong
    // ("malloc(): invalid next size" a few inputs later) that the oracle cannot see.
    const uint64_t header = 0x19;
    std::memcpy(static_cast<char*>(q) + ((n - 1) & ~size_t{7}), &header, sizeof header);
  }
  return q;
}

void* GlibcStickyRefusalHeap::malloc(size_t n) {
  if (refused_) {
    errno = ENOMEM;
    return nullptr;
  }
  uint64_t before = inner_.refusals();
  void* p = inner_.malloc(n);
  if (p == nullptr && inner_.refusals() > before) refused_ = true;
  return p;
}

void* GlibcWrappingCallocHeap::calloc(size_t count, size_t size) {
  size_t total;
  __builtin_mul_overflow(count, size, &total);  // the product modulo 2^64, unchecked
  void* p = inner_.malloc(total);
  if (p != nullptr) std::memset(p, 0, total);
  return p;
}

}  // namespace allocfuzz::wrong
