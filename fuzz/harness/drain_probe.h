// The drain probe: is a heap already broken after operation i, even though nothing shows yet?
// For heaps judged from the outside only (no white-box checker of ours: glibc, plugins), a
// symptom may come many operations after the damage; the probe asks the heap to do what every
// user's program does at some point, and lets the shadow model judge it:
//
//   1. free every live block (slot order), each checked as it goes;
//   2. allocate the same sizes again in the same slots (the blocks reuse the freed memory) and
//      write the user's pattern into them;
//      leak (region heaps): if the frees left the break where it was, these blocks, which all
//      fitted below that break together a moment ago, must fit there again; a heap that
//      grows the break for them has lost memory. Not judged while another party owns a span
//      of the break (the free memory then lies in pieces, and packing the same blocks in
//      another order may need more) nor for a heap without a region;
//   3. allocate a few other sizes (kDrainExtraSizes) into empty slots, while those are live;
//   4. a full check (every live byte), then free every block the probe holds;
//   5. the end-of-program full check.
//
// Fault injection the program armed (`fail-grow`) is disarmed first: the probe asks whether
// the heap works, not whether it survives refusals. The steps are operations like any other
// (the executor judges them with every oracle it has, in CheckMode::kEveryOp), numbered after
// the prefix: step j is operation last + 1 + j, which is what op_in_flight() says if the heap
// dies in a step.
//
// The probe after operation i fails when the first i + 1 operations pass and a step does not.
// repro/tools/first_broken.h runs it in a child per i to find the first broken operation.
#ifndef ALLOCFUZZ_FUZZ_HARNESS_DRAIN_PROBE_H_
#define ALLOCFUZZ_FUZZ_HARNESS_DRAIN_PROBE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "fuzz/harness/executor.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

// The sizes step 3 asks for besides the freed ones: small, odd and page-sized requests, one
// each, so that a wrong size class or a list entry that lies about its size is served.
inline constexpr uint64_t kDrainExtraSizes[] = {8, 24, 40, 100, 256, 1000, 4096};

struct DrainProbeResult {
  std::optional<Finding> finding;  // the first, with its operation index (see above)
  bool in_prefix = false;          // the finding came from the program's own operations
  std::vector<Op> steps;           // the probe's operations, in order, as far as they were made
};

// Runs operations 0 .. last of `program` on a fresh heap (`prefix_mode`: how the program's own
// operations are checked), then the probe. `last` < program.ops.size().
DrainProbeResult run_drain_probe(Executor& executor, const Program& program, size_t last,
                                 CheckMode prefix_mode);

// The step of a probe finding at operation `op_index` after operation `last`.
inline size_t drain_step(size_t op_index, size_t last) { return op_index - (last + 1); }

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HARNESS_DRAIN_PROBE_H_
