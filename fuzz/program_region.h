// The region every program runs on, in the fuzzer and in the tools alike. A program's outcome
// depends on the reserve (a request larger than it fails with ENOMEM), so the fuzzer, replay,
// check and minimize must all use the same one, or a finding would not replay. Only the
// protection mode may differ (it changes how a stray access is caught, not what happens).
#ifndef ALLOCFUZZ_FUZZ_PROGRAM_REGION_H_
#define ALLOCFUZZ_FUZZ_PROGRAM_REGION_H_

#include <cstddef>

#include "allocator/pseudo_brk.h"

namespace allocfuzz {

// Small on purpose: every byte a program asks for is written (the user's pattern) and checked,
// so the reserve bounds the work per operation. The EDGE sizes up to 3 MiB fit; the larger
// ones are refused, cheaply, which exercises ENOMEM.
inline constexpr size_t kProgramRegionBytes = size_t{4} << 20;

inline RegionOptions program_region_options(Placement placement, Protection protection) {
  RegionOptions options;
  options.reserve_bytes = kProgramRegionBytes;
  options.placement = placement;
  options.protection = protection;
  return options;
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_PROGRAM_REGION_H_
