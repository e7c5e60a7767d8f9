// The region wrong heaps of the catalogue (region_rows.h): each is the registry's free-array heap
// (FreeArrayTestedHeap, on the region) with one call overridden to break one promise by the
// smallest amount a real allocator could get wrong.
//
// FreeArrayHeap's layout on a fresh region (tests/free_array/): the heap starts at offset 0, a
// block is an 8-byte header then its payload, payload sizes are rounded up to 8 with a minimum of
// 24; so malloc(24) twice gives payloads at +8 and +40, and the first growth sets the break to
// +0x001028 (block + end marker + 4096 preallocation).
#ifndef ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_HEAPS_H_
#define ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_HEAPS_H_

#include <cstddef>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/free_array_adapter.h"

namespace allocfuzz::wrong {

// The free-array heap with the calls of the one operation a wrong heap breaks numbered:
// next_call() gives 1, 2, ... since the last reset().
class WrongFreeArrayHeap : public FreeArrayTestedHeap {
 public:
  explicit WrongFreeArrayHeap(PseudoBrk& region)
      : FreeArrayTestedHeap(region), region_(region), inner_(heap()) {}
  void reset() override {
    FreeArrayTestedHeap::reset();
    calls_ = 0;
  }

 protected:
  int next_call() { return ++calls_; }

  PseudoBrk& region_;
  FreeArrayHeap& inner_;

 private:
  int calls_ = 0;
};

// overlap: the second malloc's payload starts 16 bytes early (a header counted twice), which,
// after a first block of 17 bytes, shares exactly that block's last byte.
class OverlapBelowHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* malloc(size_t n) override;
};

}  // namespace allocfuzz::wrong

#endif  // ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_HEAPS_H_
