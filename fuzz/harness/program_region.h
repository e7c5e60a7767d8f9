// The region every program runs on, in the fuzzer and in the tools alike. A program's outcome
// depends on the region's size (a request larger than it fails with ENOMEM), so the fuzzer,
// replay, check and minimize must all use the same one, or a finding would not replay: the
// default below, or the program's own `# region-size:` (applied by Executor::begin). Only the
// protection mode may differ (it changes how a stray access is caught, not what happens).
#ifndef ALLOCFUZZ_FUZZ_PROGRAM_REGION_H_
#define ALLOCFUZZ_FUZZ_PROGRAM_REGION_H_

#include <cstddef>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

// Small on purpose: every byte a program asks for is written (the user's pattern) and checked,
// so the reserve bounds the work per operation (heap_fuzzer on the shipped corpus, one worker:
// 1,373 exec/s at 16 MiB, 5,344 at 4 MiB, 9,965 at 1 MiB). 1 MiB still holds every path of
// FreeArrayHeap: its 256 KiB preallocation cap and its 512 KiB release threshold. EDGE sizes
// above it are refused, cheaply, which exercises ENOMEM.
inline constexpr size_t kProgramRegionBytes = size_t{1} << 20;

// The address range reserved for it, which a program's `# region-size:` (--region-size=) may
// use up to (fuzz/program/ops.h). Reserving costs no memory; only what a program touches does.
inline constexpr size_t kProgramRegionReservation = kMaxRegionSize;
static_assert(kProgramRegionBytes >= kMinRegionSize && kProgramRegionBytes <= kMaxRegionSize);

inline RegionOptions program_region_options(Placement placement, Protection protection) {
  RegionOptions options;
  options.reserve_bytes = kProgramRegionReservation;
  options.size_bytes = kProgramRegionBytes;
  options.placement = placement;
  options.protection = protection;
  return options;
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_PROGRAM_REGION_H_
