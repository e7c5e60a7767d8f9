// The numbered trace that `allocfuzz replay` prints, one line per operation, and the closing
// "ok:" line. Addresses are region offsets only, so the trace is the same on every run, for
// either placement, on every machine:
//
//      3  realloc s0 100          -> +0x000008 (moved from +0x000040)
//      4  malloc s1 5000000000    -> NULL
//      5  foreign-grow 4096       (break +0x003000)
#ifndef ALLOCFUZZ_REPRO_TRACE_H_
#define ALLOCFUZZ_REPRO_TRACE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "fuzz/executor.h"
#include "fuzz/ops.h"

namespace allocfuzz {

class TraceFormatter {
 public:
  // Reads the executor's region and shadow after each operation; create it per program run.
  explicit TraceFormatter(const Executor& executor);

  // The line for the operation just executed (no newline). Call once per operation, in order:
  // it remembers where each slot's block was, to say "moved from" and "freed".
  std::string line(size_t index, const Op& op, const OpResult& result);

 private:
  std::string note(const Op& op, const OpResult& result, size_t old_offset) const;

  const Executor& executor_;
  std::vector<size_t> slot_offset_;  // SIZE_MAX: the slot is empty
};

// "ok: 12 operations, peak break +0x023000, final break +0x003000, 3 live blocks (120 bytes),
// 13 full checks" (no newline), after a run without a finding.
std::string ok_summary(const Executor& executor, const Outcome& outcome);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_TRACE_H_
