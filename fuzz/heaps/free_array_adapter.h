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
