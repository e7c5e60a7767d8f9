// LibraryHeap: the adapter's own rules around a production allocator; see library_heap.h.
#include "fuzz/heaps/library_heap.h"

#include <cerrno>

namespace allocfuzz {

void* LibraryHeap::record(void* p, size_t n) {
  if (p == nullptr) {
    errno = ENOMEM;
    return nullptr;
  }
  budget_.add(p, n);
  return p;
}

void* LibraryHeap::malloc(size_t n) {
  if (budget_.refuse(0, n)) return nullptr;
  return record(lib_malloc(n), n);
}

void LibraryHeap::free(void* p) {
  if (p == nullptr) return;
  budget_.remove(p);
  lib_free(p);
}

void* LibraryHeap::realloc(void* p, size_t n) {
  if (p == nullptr) return malloc(n);
  if (n == 0 && profile().realloc_zero == ReallocZero::kFrees) {
    free(p);
    return nullptr;
  }
  const size_t old = budget_.requested(p);
  if (budget_.refuse(old == SIZE_MAX ? 0 : old, n)) return nullptr;
  void* q = lib_realloc(p, n);
  if (q == nullptr) {  // p is untouched
    errno = ENOMEM;
    return nullptr;
  }
  budget_.remove(p);
  budget_.add(q, n);
  return q;
}

void* LibraryHeap::calloc(size_t count, size_t size) {
  size_t bytes = 0;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;  // no library could hold it; the adapter answers, as glibc does
    return nullptr;
  }
  if (budget_.refuse(0, bytes)) return nullptr;
  return record(lib_calloc(count, size), bytes);
}

void* LibraryHeap::aligned(size_t align, size_t n, BadAlignment bad) {
  (void)bad;  // kEinval and kNotAsked are both answered here (library_heap.h)
  if (!is_power_of_two(align)) {
    errno = EINVAL;
    return nullptr;
  }
  if (budget_.refuse(0, n)) return nullptr;
  return record(lib_aligned(align, n), n);
}

void* LibraryHeap::memalign(size_t align, size_t n) {
  return aligned(align, n, profile().memalign_bad);
}

void* LibraryHeap::aligned_alloc(size_t align, size_t n) {
  return aligned(align, n, profile().aligned_alloc_bad);
}

int LibraryHeap::posix_memalign(void** out, size_t align, size_t n) {
  if (!is_posix_alignment(align)) return EINVAL;
  const int saved = errno;  // posix_memalign reports by its result, not errno
  void* p = aligned(align, n, BadAlignment::kEinval);
  if (p == nullptr) {
    errno = saved;
    return ENOMEM;
  }
  *out = p;
  return 0;
}

void LibraryHeap::free_sized(void* p, size_t n) {
  if (p == nullptr) return;
  budget_.remove(p);
  lib_free_sized(p, n, 0);
}

void LibraryHeap::free_aligned_sized(void* p, size_t align, size_t n) {
  if (p == nullptr) return;
  budget_.remove(p);
  lib_free_sized(p, n, is_power_of_two(align) ? align : 0);
}

CapabilitySet LibraryHeap::capabilities() const {
  return capability_bit(Capability::kAligned) | capability_bit(Capability::kUsableSize) |
         capability_bit(Capability::kSizedFree) | capability_bit(Capability::kThreadSafe);
}

void LibraryHeap::reset() { lib_reset(budget_.take_all()); }

}  // namespace allocfuzz
