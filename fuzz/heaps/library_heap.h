// LibraryHeap: the common part of the production allocators as heaps (mimalloc_heap.h,
// jemalloc_heap.h, tcmalloc_heap.h). Their blocks are not on the region (uses_region() is false);
// a LiveBudget of the region's reserve stands in for its size, as for glibc (system_heap.h).
//
// This class owns every rule that is the adapter's and not the library's, so that the three
// answer alike where their profiles say they do:
//   - the budget: a request past it is refused with ENOMEM before reaching the library;
//   - realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL when the profile says
//     kFrees, and is passed on (the library returns a block) when it says kReturnsBlock;
//   - a bad ALIGN (not a power of two; for posix_memalign also not a multiple of sizeof(void*))
//     never reaches the library: EINVAL (posix_memalign returns it and leaves *out alone). A
//     profile that says kNotAsked makes the executor skip such a call; asked anyway, the adapter
//     answers EINVAL too;
//   - a NULL for want of memory has errno ENOMEM, even from a library that leaves errno be.
// A subclass supplies the library's calls (the lib_* functions), its reset, its walk (optional)
// and the bytes it holds from the system.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_LIBRARY_HEAP_H_
#define ALLOCFUZZ_FUZZ_HEAPS_LIBRARY_HEAP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "fuzz/heaps/live_budget.h"
#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

class LibraryHeap : public TestedHeap {
 public:
  // `region` only sets the budget: its reserve.
  explicit LibraryHeap(const PseudoBrk& region) : budget_(region.reserve_bytes()) {}

  void* malloc(size_t n) final;
  void free(void* p) final;
  void* realloc(void* p, size_t n) final;
  void* calloc(size_t count, size_t size) final;
  void* memalign(size_t align, size_t n) final;
  void* aligned_alloc(size_t align, size_t n) final;
  int posix_memalign(void** out, size_t align, size_t n) final;
  void free_sized(void* p, size_t n) final;
  void free_aligned_sized(void* p, size_t align, size_t n) final;
  size_t usable_size(const void* p) final { return lib_usable_size(p); }
  // 8, not 16: all three put requests of up to 8 bytes in an 8-byte size class, 8-aligned
  // (enough for any object that fits; glibc rounds them up to 16). Larger blocks are 16-aligned.
  size_t alignment() const override { return 8; }
  CapabilitySet capabilities() const override;
  void reset() final;
  bool uses_region() const final { return false; }
  uint64_t refusals() const final { return budget_.refusals(); }

  size_t live_bytes() const { return budget_.live_bytes(); }

 protected:
  // The library's calls. Each allocation returns NULL on failure (errno need not be set); n may
  // be 0 for lib_malloc and lib_aligned (the subclass makes that defined); align is a power of
  // two; lib_realloc gets a live p and, only with ReallocZero::kReturnsBlock, n == 0.
  virtual void* lib_malloc(size_t n) = 0;
  virtual void* lib_calloc(size_t count, size_t size) = 0;
  virtual void* lib_realloc(void* p, size_t n) = 0;
  virtual void* lib_aligned(size_t align, size_t n) = 0;
  virtual void lib_free(void* p) = 0;
  // n is the requested size; align is 0 for a block that was not asked aligned.
  virtual void lib_free_sized(void* p, size_t n, size_t align) = 0;
  virtual size_t lib_usable_size(const void* p) = 0;
  // Gives back every block (the budget is emptied after it). `held` is what the user still
  // holds, for a library that must free them one by one.
  virtual void lib_reset(const std::vector<void*>& held) = 0;

  // The requested size of a live block, or SIZE_MAX.
  size_t requested(const void* p) const { return budget_.requested(p); }

 private:
  // The new block of n bytes, recorded; NULL with ENOMEM when the library had none.
  void* record(void* p, size_t n);
  void* aligned(size_t align, size_t n, BadAlignment bad);

  LiveBudget budget_;
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HEAPS_LIBRARY_HEAP_H_
