// HeapHarness: a PseudoBrk and a FreeArrayHeap with a small shadow of the live blocks, for
// tests. Every operation through it fills the block with a pattern of (block id, offset),
// then runs the heap checker (with the requested sizes, so used-slack is checked too), checks
// every live block's contents and the foreign spans, and records a gtest failure at the first
// problem. Tests use it so that "the checker runs after every step of every test" holds by
// construction, not by discipline.
#ifndef ALLOCFUZZ_TESTS_HEAP_HARNESS_H_
#define ALLOCFUZZ_TESTS_HEAP_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_checker.h"
#include "allocator/region/pseudo_brk.h"

namespace allocfuzz::testing {

struct LiveBlock {
  size_t requested;
  uint32_t id;  // seeds the content pattern
};

class HeapHarness {
 public:
  explicit HeapHarness(const RegionOptions& region_options = RegionOptions{},
                       const HeapConfig& heap_config = HeapConfig{});

  PseudoBrk& region() { return *region_; }
  FreeArrayHeap& heap() { return *heap_; }
  const FreeArrayState& state() const { return heap_->state(); }

  // The heap's calls, followed by fill (where the call succeeded) and verify_all().
  void* malloc(size_t n);
  void* calloc(size_t count, size_t size);  // also asserts the requested bytes read as zero
  void* realloc(void* p, size_t n);         // also asserts the kept prefix is unchanged
  void free(void* p);
  // memalign; also asserts the payload is a multiple of the alignment the heap promises for
  // `align` (align itself rounded up to a power of two, or 8 for align <= 8).
  void* memalign(size_t align, size_t n);
  // free_sized with the size p was asked with, or free_aligned_sized when align is not 0.
  void free_sized(void* p, size_t align = 0);

  // The user rewrites the whole requested range of p.
  void fill(void* p);
  // Checker + contents of every live block + foreign spans. Returns false (and records a
  // gtest failure naming the step) on the first problem.
  bool verify_all();
  // The checker's verdict alone, with requested sizes known.
  std::optional<HeapViolation> check() const;

  size_t offset(const void* p) const { return region_->offset_of(p); }
  size_t live_count() const { return live_.size(); }
  size_t live_requested_bytes() const;
  const std::map<const void*, LiveBlock>& live() const { return live_; }
  // Every live block lies inside the region, below the break, and below top.
  bool all_live_in_bounds() const;

  static uint8_t pattern(uint32_t id, size_t offset);

 private:
  void record(void* p, size_t n);
  bool verify_block(const void* p, const LiveBlock& b, size_t upto) const;

  std::unique_ptr<PseudoBrk> region_;
  std::unique_ptr<FreeArrayHeap> heap_;
  std::map<const void*, LiveBlock> live_;  // ordered: failures print deterministically
  uint32_t next_id_ = 1;
  uint64_t step_ = 0;
};

// "heap-invariant:ID at +0x... ..." for a violation, or "ok".
std::string describe(const std::optional<HeapViolation>& v);

}  // namespace allocfuzz::testing

#endif  // ALLOCFUZZ_TESTS_HEAP_HARNESS_H_
