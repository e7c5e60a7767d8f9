// The exit statuses of every `allocfuzz` verb (docs/DESIGN.md section 8), and how several files'
// statuses combine: the worst one wins.
#ifndef ALLOCFUZZ_REPRO_EXIT_STATUS_H_
#define ALLOCFUZZ_REPRO_EXIT_STATUS_H_

namespace allocfuzz {

enum ExitStatus : int {
  kExitOk = 0,         // everything passed / the verb did its job
  kExitViolation = 1,  // a violation was found, or an expectation was not met
  kExitBadInput = 2,   // bad input file, bad usage, or the environment failed (no region, ...)
};

inline int worst_status(int a, int b) { return a > b ? a : b; }

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_EXIT_STATUS_H_
