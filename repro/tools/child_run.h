// Runs one program in a forked child, so that whatever the heap under test does — corrupt
// itself, write to address 0x10, abort, spin — the command line survives and names it.
//
// The child builds a fresh region (fuzz/harness/program_region.h, the fuzzer's size;
// Protection::kStrict) of the program's placement, the heap (with the program's `# defect:`
// switched on), and an executor in CheckMode::kEveryOp, and writes its text (the trace when asked,
// then the report or the "ok:" line) to a pipe as it goes. A page shared with the parent
// (MAP_SHARED) records how far it got and how it ended:
//   - the executor's result (finding kind and operation), when the run returned;
//   - a fatal signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, ...) and the operation in
//     flight, from the child's own handlers, installed after the sanitizers' so that the
//     kind is the same with and without ASan;
//   - a sanitizer report (the sanitizers' death callback), with ASan's description of it;
//   - a timeout: the child's alarm() fires and the SIGALRM handler records the operation.
// The parent turns a death into the kinds of DESIGN.md section 6: "crash:SIGSEGV",
// "sanitizer:heap-buffer-overflow", "timeout", and a report in format_report's shape.
#ifndef ALLOCFUZZ_REPRO_CHILD_RUN_H_
#define ALLOCFUZZ_REPRO_CHILD_RUN_H_

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

struct ChildRunOptions {
  bool trace = false;            // a numbered line per operation (replay)
  unsigned timeout_seconds = 0;  // 0: no limit
  std::FILE* echo = nullptr;     // where to copy the child's text as it arrives, or nullptr
  bool quiet = false;            // the child's stderr (sanitizer reports, heap messages) is
                                 // dropped: minimize runs hundreds of children
  // Two or more heaps: run the program on each and compare them (fuzz/harness/diff_runner.h)
  // instead of running it on `heap`; the trace then shows each allocating call's answers.
  std::vector<const HeapKind*> diff_heaps;
};

enum class RunStatus {
  kOk,           // the program ran to its end and every check passed
  kViolation,    // a finding, a crash, a sanitizer report or a timeout: see `kind`
  kSetupFailed,  // the child could not start (no region, no fork): not the heap's fault
};

struct ChildRunResult {
  RunStatus status = RunStatus::kOk;
  std::string kind;            // with kViolation: "overlap", "crash:SIGSEGV", "timeout", ...
  size_t op_index = SIZE_MAX;  // with kViolation: the operation (ops.size(): the final check;
                               // SIZE_MAX: before the first operation)
  std::string text;            // everything the run printed, also what went to `echo`
};

ChildRunResult run_program_in_child(const Program& program, const HeapKind& heap,
                                    const ChildRunOptions& options);

// "SIGSEGV" for SIGSEGV, ..., "SIG<number>" for signals without a short name here.
std::string signal_name(int signal_number);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CHILD_RUN_H_
