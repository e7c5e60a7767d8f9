// HeapLane: one heap ready to run programs: a region, the heap of one kind on it, and an
// executor over both. The fuzz targets keep one per placement for the life of the process, the
// differential runner one per heap and placement, footprint one per heap.
//
// Invariants once init() succeeded: `heap` lives on `region` and `executor` runs on both; none
// of them moves (the heap and executor keep references), so a lane is neither copied nor moved
// (hold it in place or behind a pointer).
#ifndef ALLOCFUZZ_FUZZ_HARNESS_HEAP_LANE_H_
#define ALLOCFUZZ_FUZZ_HARNESS_HEAP_LANE_H_

#include <memory>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

struct HeapLane {
  PseudoBrk region;
  std::unique_ptr<TestedHeap> heap;
  std::unique_ptr<Executor> executor;

  // Reserves the region with `options`, then makes the heap and the executor. Returns 0, or the
  // region's errno (and makes nothing). Called once per lane.
  int init(const HeapKind& kind, const RegionOptions& options) {
    if (int rc = region.init(options); rc != 0) return rc;
    heap = kind.make(region);
    executor = std::make_unique<Executor>(region, *heap);
    return 0;
  }
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HARNESS_HEAP_LANE_H_
