// Reservation, placement and access control of one private address range. See the header for
// the rules; this file keeps them with mmap/mprotect/madvise and AddressSanitizer poisoning.
#include "allocator/region/reserved_range.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

// The declarations only: without ASan the calls below sit in discarded `if constexpr`
// branches, so nothing links against its runtime.
#include <sanitizer/asan_interface.h>

#include "allocator/base/build_config.h"

namespace allocfuzz {
namespace {

constexpr uintptr_t k4GiB = uintptr_t{1} << 32;
// Below 2 GiB, and below AddressSanitizer's low shadow (which starts at 0x7fff8000 on x86-64).
constexpr uintptr_t kLowCeiling = 0x7fff0000;
constexpr uintptr_t kLowFloor = 0x10000000;  // clear of a non-PIE binary and its brk heap
constexpr uintptr_t kLowStep = 16u << 20;

size_t page_up(size_t n) { return (n + kPageSize - 1) & ~(kPageSize - 1); }

void asan_poison(char* p, size_t n) {
  if constexpr (kAddressSanitizer) {
    if (n != 0) __asan_poison_memory_region(p, n);
  }
}

void asan_unpoison(char* p, size_t n) {
  if constexpr (kAddressSanitizer) {
    if (n != 0) __asan_unpoison_memory_region(p, n);
  }
}

// The kernel must never see a failing mprotect/madvise on our own range: it would mean the
// bookkeeping here is wrong, and carrying on would give a test meaningless results.
void must(int rc, const char* what) {
  if (rc == 0) return;
  static const char kPrefix[] = "allocfuzz: ReservedRange: ";
  (void)!write(2, kPrefix, sizeof kPrefix - 1);
  (void)!write(2, what, strlen(what));
  (void)!write(2, " failed\n", 8);
  abort();
}

void* map_at(uintptr_t hint, size_t size, int prot, bool fixed) {
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  if (fixed) flags |= MAP_FIXED_NOREPLACE;
  void* p = mmap(reinterpret_cast<void*>(hint), size, prot, flags, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  // Kernels before 4.17 treat MAP_FIXED_NOREPLACE as a hint only.
  if (fixed && reinterpret_cast<uintptr_t>(p) != hint) {
    munmap(p, size);
    return nullptr;
  }
  return p;
}

}  // namespace

const char* placement_name(Placement placement) {
  return placement == Placement::kLow ? "low" : "high";
}

bool parse_placement(const char* text, size_t length, Placement* out) {
  if (length == 4 && memcmp(text, "high", 4) == 0) {
    *out = Placement::kHigh;
    return true;
  }
  if (length == 3 && memcmp(text, "low", 3) == 0) {
    *out = Placement::kLow;
    return true;
  }
  return false;
}

ReservedRange::~ReservedRange() {
  if (base_ == nullptr) return;
  // Leave no poison behind: the address range may be reused by the process allocator.
  asan_unpoison(base_, shadow_end_);
  munmap(base_, size_);
}

int ReservedRange::reserve(size_t size, Placement placement, Protection protection) {
  if (base_ != nullptr || size == 0) return EINVAL;
  size = page_up(size);
  void* p = nullptr;
  if (placement == Placement::kLow) {
    if (size > kLowCeiling - kLowFloor) return ENOMEM;
    for (uintptr_t hint = (kLowCeiling - size) & ~(kLowStep - 1); hint >= kLowFloor;
         hint -= kLowStep) {
      p = map_at(hint, size, PROT_NONE, /*fixed=*/true);
      if (p != nullptr) break;
    }
  } else {
    p = map_at(0, size, PROT_NONE, /*fixed=*/false);
    if (p != nullptr && reinterpret_cast<uintptr_t>(p) < k4GiB) {
      munmap(p, size);
      // Above AddressSanitizer's high shadow on x86-64, so the fallback also works under ASan.
      p = map_at(uintptr_t{0x500000000000}, size, PROT_NONE, /*fixed=*/true);
    }
  }
  if (p == nullptr) return ENOMEM;
  base_ = static_cast<char*>(p);
  size_ = size;
  placement_ = placement;
  protection_ = protection;
  accessible_end_ = dirty_end_ = rw_end_ = shadow_end_ = 0;
  return 0;
}

void ReservedRange::make_usable(size_t from, size_t to) {
  // Memory that is being taken again must read as zero; bytes at or above dirty_end_ are.
  size_t dirty_to = to < dirty_end_ ? to : dirty_end_;
  if (protection_ == Protection::kStrict) {
    size_t lo = page_up(from), hi = page_up(to);
    if (hi > lo) must(mprotect(base_ + lo, hi - lo, PROT_READ | PROT_WRITE), "mprotect");
    // The kernel maps whole pages; ASan keeps the rest of the last page out of bounds.
    asan_poison(base_ + to, hi - to);
  } else if (page_up(to) > rw_end_) {
    size_t hi = page_up(to);
    must(mprotect(base_ + rw_end_, hi - rw_end_, PROT_READ | PROT_WRITE), "mprotect");
    // Fresh pages have clean shadow; the part above `to` must start poisoned.
    asan_poison(base_ + rw_end_, hi - rw_end_);
    rw_end_ = hi;
  }
  asan_unpoison(base_ + from, to - from);
  if (page_up(to) > shadow_end_) shadow_end_ = page_up(to);
  if (dirty_to > from) memset(base_ + from, 0, dirty_to - from);
  if (to > dirty_end_) dirty_end_ = to;
}

void ReservedRange::make_unusable(size_t from, size_t to) {
  asan_poison(base_ + from, to - from);
  if (protection_ != Protection::kStrict) return;
  size_t lo = page_up(from), hi = page_up(to);
  if (hi <= lo) return;
  // Discarded pages read as zero when mapped again, so dirty bytes end at `lo` at most.
  must(madvise(base_ + lo, hi - lo, MADV_DONTNEED), "madvise");
  must(mprotect(base_ + lo, hi - lo, PROT_NONE), "mprotect");
  if (dirty_end_ > lo) dirty_end_ = lo;
}

void ReservedRange::set_accessible_end(size_t end) {
  if (end > size_) end = size_;
  if (end > accessible_end_) {
    make_usable(accessible_end_, end);
  } else if (end < accessible_end_) {
    make_unusable(end, accessible_end_);
  }
  accessible_end_ = end;
}

void ReservedRange::reset() {
  if (base_ == nullptr) return;
  if (protection_ == Protection::kStrict) {
    size_t hi = page_up(dirty_end_ > accessible_end_ ? dirty_end_ : accessible_end_);
    asan_poison(base_, accessible_end_);
    if (hi != 0) {
      must(madvise(base_, hi, MADV_DONTNEED), "madvise");
      must(mprotect(base_, hi, PROT_NONE), "mprotect");
    }
    dirty_end_ = 0;
  } else {
    // No system call: poison what was usable; dirty bytes are zeroed when taken again.
    asan_poison(base_, accessible_end_);
  }
  accessible_end_ = 0;
}

}  // namespace allocfuzz
