// SystemTestedHeap: the C library's malloc (glibc) as a heap, for differential runs
// (fuzz/harness/diff_runner.h) and for checking the harness against an allocator everyone trusts.
//
// It calls glibc's own entry points (__libc_malloc and friends), not `malloc`: in sanitizer
// builds `malloc` is the sanitizer's allocator, and the heap under test must be the same in
// every build. Its blocks are not on the region (uses_region() is false).
//
// A budget stands in for the region's size, so that the same program meets the same limits
// on every heap and a fuzzer cannot make glibc map gigabytes: a request that would take the
// live requested bytes past the region's reserve is refused with ENOMEM without reaching
// glibc (counted in refusals(), which makes the NULL fair). Requests above PTRDIFF_MAX, which
// no allocator can satisfy, do reach glibc, so its own handling of huge sizes is what is
// compared. reset() gives back every block still held.
#ifndef ALLOCFUZZ_FUZZ_SYSTEM_HEAP_H_
#define ALLOCFUZZ_FUZZ_SYSTEM_HEAP_H_

#include <absl/container/flat_hash_map.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

class SystemTestedHeap final : public TestedHeap {
 public:
  // `region` only sets the budget: its reserve.
  explicit SystemTestedHeap(const PseudoBrk& region);
  ~SystemTestedHeap() override;

  void* malloc(size_t n) override;
  void free(void* p) override;
  void* realloc(void* p, size_t n) override;
  void* calloc(size_t count, size_t size) override;
  // glibc's own memalign, aligned_alloc and posix_memalign: libc's definitions, found with
  // dlsym (a sanitizer interposes the public names, and ASan __libc_memalign too). The budget
  // counts ALIGN as well as the size: glibc takes up to size + ALIGN to place the block.
  void* memalign(size_t align, size_t n) override;
  void* aligned_alloc(size_t align, size_t n) override;
  int posix_memalign(void** out, size_t align, size_t n) override;
  // Aligned calls and usable_size; glibc 2.36 has no free_sized (2.39 added it), and the
  // wrapper's bookkeeping is not thread-safe. Not on the region.
  CapabilitySet capabilities() const override;
  // glibc 2.36, checked on Debian 12 with a C program: memalign and aligned_alloc round a bad
  // ALIGN up to the next power of two (aligned_alloc refuses with EINVAL only from 2.38);
  // posix_memalign returns EINVAL and leaves *out alone. malloc(0) is a unique block,
  // realloc(p, 0) frees.
  BehaviourProfile profile() const override;
  size_t usable_size(const void* p) override;
  size_t alignment() const override { return alignof(std::max_align_t); }
  std::optional<HeapFinding> check(bool, const void*, const LiveView&) override {
    return std::nullopt;  // glibc offers no checker that reports instead of aborting
  }
  void reset() override;
  bool uses_region() const override { return false; }
  uint64_t refusals() const override { return refusals_; }

  size_t live_bytes() const { return live_bytes_; }

 private:
  // True (and errno = ENOMEM, refusals_ counted) when growing the live bytes from `released`
  // to `wanted` would pass the budget; requests no allocator can satisfy are left to glibc.
  bool over_budget(size_t released, size_t wanted);
  // Records a block glibc handed out for a request of n bytes (nullptr: none).
  void* track(void* p, size_t n);

  size_t budget_;
  size_t live_bytes_ = 0;  // requested bytes of the blocks in live_
  uint64_t refusals_ = 0;
  absl::flat_hash_map<void*, size_t> live_;  // block -> requested bytes; never iterated for output
};

std::unique_ptr<TestedHeap> make_system_heap(PseudoBrk& region);

// The bytes glibc holds from the system: its arenas (sbrk, or mmap for non-main arenas) and its
// mmapped chunks (mallinfo2's arena + hblkhd), or nullopt where libc lacks mallinfo2. For the
// footprint of a heap off the region.
std::optional<uint64_t> glibc_mapped_bytes();
// Hands the free memory at the top of glibc's arenas back to the system (malloc_trim(0)), so
// that a measurement starts from what is in use; does nothing where libc lacks it.
void glibc_trim();

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_SYSTEM_HEAP_H_
