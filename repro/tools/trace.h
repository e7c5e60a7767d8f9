// The numbered trace that `allocfuzz replay` prints, one line per operation, and the closing
// "ok:" line. Addresses are region offsets only, so the trace is the same on every run, for
// either placement, on every machine:
//
//      3  realloc s0 100          -> +0x000008 (moved from +0x000040)
//      4  malloc s1 5000000000    -> NULL
//      5  foreign-grow 4096       (break +0x003000)
//
// A heap without a region (the system allocator) has addresses that differ from run to run, so
// its blocks are numbered in the order the trace first sees them: "-> #7 (moved from #3)".
#ifndef ALLOCFUZZ_REPRO_TRACE_H_
#define ALLOCFUZZ_REPRO_TRACE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "fuzz/harness/diff_runner.h"
#include "fuzz/harness/executor.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

class TraceFormatter {
 public:
  // Reads the executor's region and shadow after each operation; create it per program run.
  explicit TraceFormatter(const Executor& executor);

  // The line for the operation just executed (no newline). Call once per operation, in order:
  // it remembers where each slot's block was, to say "moved from" and "freed".
  std::string line(size_t index, const Op& op, const OpResult& result);

 private:
  std::string note(const Op& op, const OpResult& result, size_t old_place) const;
  // "+0x000040" for a region offset, "#7" for a block number.
  std::string place_text(size_t place) const;

  const Executor& executor_;
  const bool by_offset_;            // the heap uses the region: blocks are named by offset
  std::vector<size_t> slot_place_;  // per slot, its block's offset or number; SIZE_MAX: empty
  size_t next_block_ = 1;           // the number the next new block gets (without a region)
};

// "ok: 12 operations, peak break +0x023000, final break +0x003000, 3 live blocks (120 bytes),
// 13 full checks" (no newline), after a run without a finding.
std::string ok_summary(const Executor& executor, const Outcome& outcome);

// The trace of a differential run (`allocfuzz replay --diff=...`): "diff: free-array, glibc", then
// operations 0 .. shown-1, each allocating call followed by what the heaps answered:
//      2  malloc s1 0             free-array, kr: a block; glibc: NULL
std::string diff_trace(const Program& program, const DiffRunner& runner, size_t shown);

// "free-array, glibc, kr": the runner's heaps, in order.
std::string diff_heap_names(const DiffRunner& runner);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_TRACE_H_
