// FreeArrayTestedHeap: FreeArrayHeap as a TestedHeap, with its white-box checker, its heap map
// and its defect switches. The registry builds it as the heap `free-array`; tests and benches
// derive from it to break or leave out one thing (a wrong heap overrides one call).
#ifndef ALLOCFUZZ_FUZZ_FREE_ARRAY_ADAPTER_H_
#define ALLOCFUZZ_FUZZ_FREE_ARRAY_ADAPTER_H_

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "allocator/free_array/free_array_heap.h"
#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

class FreeArrayTestedHeap : public TestedHeap {
 public:
  // The heap's own per-call checker is turned off: the executor runs the checker itself and
  // wants violations back as findings.
  explicit FreeArrayTestedHeap(PseudoBrk& region) : heap_(region) { heap_.set_self_check(false); }

  void* malloc(size_t n) override { return heap_.malloc(n); }
  void free(void* p) override { heap_.free(p); }
  void* realloc(void* p, size_t n) override { return heap_.realloc(p, n); }
  void* calloc(size_t count, size_t size) override { return heap_.calloc(count, size); }
  size_t usable_size(const void* p) override { return heap_.usable_size(p); }
  // The aligned calls are the heap's memalign; they differ only in how they answer a bad
  // ALIGN, as profile() declares: memalign rounds up to a power of two (as glibc's does),
  // aligned_alloc refuses one that is not a power of two (NULL, EINVAL, as C17 permits), and
  // posix_memalign returns EINVAL unless ALIGN is a power of two times sizeof(void*), leaving
  // *out alone (ENOMEM when memory runs out; errno as it was).
  void* memalign(size_t align, size_t n) override { return heap_.memalign(align, n); }
  void* aligned_alloc(size_t align, size_t n) override;
  int posix_memalign(void** out, size_t align, size_t n) override;
  // The heap checks the size (and a power-of-two alignment) against the block's header and
  // stops the process on a mismatch (FreeArrayHeap::free_sized): a wrong size is the user's
  // bug, which the heap catches as it catches a double free.
  void free_sized(void* p, size_t n) override { heap_.free_sized(p, n); }
  void free_aligned_sized(void* p, size_t align, size_t n) override {
    heap_.free_aligned_sized(p, align, n);
  }
  // Aligned calls, usable_size, the sized frees, on the region; not thread-safe.
  CapabilitySet capabilities() const override;
  BehaviourProfile profile() const override;
  size_t alignment() const override { return FreeArrayHeap::kAlignment; }
  std::optional<HeapFinding> check(bool full, const void* near, const LiveView& live) override;
  bool has_checker() const override { return true; }
  // Exact for this heap: once the user holds nothing, every block between the heap's start and
  // top is free or a fence (another party's span); a used block there was lost.
  std::optional<HeapFinding> check_empty() override;
  void append_map(size_t offset, TextBuffer& out) const override;
  void reset() override { heap_.reset(); }
  bool set_defect(std::string_view name) override;
  std::vector<std::string_view> defect_names() const override;

  FreeArrayHeap& heap() { return heap_; }

 private:
  FreeArrayHeap heap_;
};

// The registry's factory of the heap `free-array` (fuzz/heaps/builtin_heaps.h).
std::unique_ptr<TestedHeap> make_free_array_heap(PseudoBrk& region);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_FREE_ARRAY_ADAPTER_H_
