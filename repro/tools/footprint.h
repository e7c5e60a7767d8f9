// `allocfuzz footprint FILE | --random N [--seed S]`: how much memory each heap takes for one
// program. The program (a file, loaded as replay loads it, or a generated random workload) runs
// in this process on every registered heap (heap_kinds()), each on a fresh region, under the
// executor's checks. After every operation an observer samples the heap's footprint and the
// shadow model's live requested bytes and live blocks. One table row per heap:
//
//   footprint    a region heap's peak break offset (RegionStats::peak_break_offset); for a heap
//                off the region (uses_region() false: glibc), the peak of glibc's mapped bytes
//                (mallinfo2 arena + hblkhd) above their value right after the heap's reset and a
//                malloc_trim(0); "-" where libc has no mallinfo2
//   peak-live    the peak of the live requested bytes (Shadow::live_bytes())
//   blocks       live blocks at the first moment of peak-live
//   ovh/block    (footprint - live requested) / live blocks at that moment
//   frag         footprint / peak-live
//   vs-first     footprint / the first heap's footprint
//
// A region heap's row has only offsets and sizes, so it is the same on every run. glibc's is an
// approximation: its arena is shared with the rest of this process (in builds without a
// sanitizer the harness's own allocations land there too), so its figure can move by a few
// pages with the address-space layout from run to run. What a heap maps outside its break
// (FreeArrayHeap's free array) is not in the break and not counted.
//
// A file's `# heap:` and `# defect:` are ignored (every heap runs, without defects); its
// placement and `# limit:` apply, on the program region (fuzz/harness/program_region.h) so that the
// figures match replay. A random workload runs on a 256 MiB region (kRandomRegionBytes).
// Exit status: 0, 1 when a heap reports a violation (shown in its row), 2 on bad input.
// A heap that crashes takes the process with it: use `allocfuzz replay --heap=NAME` for it.
//
// This is the project's one footprint tool. bench/heap_footprint runs its random workload and
// measurement (random_footprint_workload, measure_footprint) on free-array and adds only what
// FreeArrayHeap alone has (break moves, the free array's shape); it links allocfuzz_footprint.
#ifndef ALLOCFUZZ_REPRO_FOOTPRINT_H_
#define ALLOCFUZZ_REPRO_FOOTPRINT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/heap_lane.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

inline constexpr size_t kRandomRegionBytes = size_t{256} << 20;
// The random workload's live-block bound: slots s0 .. s(kRandomSlots - 1).
inline constexpr uint32_t kRandomSlots = 1000;

struct FootprintRequest {
  std::string file;        // the program file, or empty with random_ops
  std::string random_ops;  // --random N as given (empty: not given)
  std::string seed;        // --seed S as given (empty: not given; default 1)
};

// The random workload of `ops` operations from `seed` (documented in footprint.cc).
Program random_workload(uint64_t ops, uint64_t seed);

// A program to measure, where it runs, and the lines that say so.
struct FootprintWorkload {
  Program program;
  RegionOptions region;
  CheckMode mode = CheckMode::kEveryOp;
  std::string command;      // the command that prints these figures
  std::string description;  // the table's "workload:" line
};

// `allocfuzz footprint --random OPS --seed SEED`: random_workload() on a kRandomRegionBytes
// region, high placement, strict protection, amortized checks.
FootprintWorkload random_footprint_workload(uint64_t ops, uint64_t seed);

// One heap's figures for a workload (the table's columns, see above).
struct FootprintRow {
  std::string heap;
  std::optional<uint64_t> footprint;  // nullopt: not measurable (glibc without mallinfo2)
  uint64_t peak_live = 0;
  size_t blocks = 0;
  std::string overhead;   // per live block at the peak-live moment, "-" when not measurable
  std::string violation;  // empty: ok
};

// Runs the workload on `lane`, which init() made with workload.region, and measures it. The
// lane keeps the heap's state after the last operation (bench/heap_footprint reads it).
FootprintRow measure_footprint(HeapLane& lane, std::string_view heap_name,
                               const FootprintWorkload& workload);

// "num/den" to two decimals, in integers so that the text cannot vary; "-" when den is 0.
std::string footprint_ratio(uint64_t num, uint64_t den);

int footprint(const FootprintRequest& request);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_FOOTPRINT_H_
