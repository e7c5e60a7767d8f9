// Runs one program in a forked child, so that whatever the heap under test does — corrupt
// itself, write to address 0x10, abort, spin — the command line survives and names it.
//
// The pieces, one concern each:
//   child_main.h    the child's body: region, heap, executor (or diff runner), the text it
//                   writes to a pipe as it goes (trace.h formats the trace);
//   child_hooks.h   the child's hooks for fatal signals, sanitizer reports, UBSan, the heap's
//                   own fatal check, and its timeout (alarm, SIGALRM);
//   child_record.h  the page shared with the parent (MAP_SHARED): how far it got, how it ended;
//   child_death.h   the parent's naming of a death: crash:SIGSEGV, asan:WHAT, ubsan:CHECK, timeout
//                   (fuzz/oracle/finding_kind.h), with a report in format_report's shape;
//   child_run.cc    this function: the fork, the pipe, the backstop deadline and the wait.
#ifndef ALLOCFUZZ_REPRO_CHILD_RUN_H_
#define ALLOCFUZZ_REPRO_CHILD_RUN_H_

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/finding_kind.h"
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
  // Not SIZE_MAX: run operations 0 .. drain_after, then the drain probe
  // (fuzz/harness/drain_probe.h) instead of the whole program; a finding's op_index then
  // counts the probe's steps after drain_after (repro/tools/first_broken.h).
  size_t drain_after = SIZE_MAX;
};

enum class RunStatus {
  kOk,           // the program ran to its end and every check passed
  kViolation,    // a finding, a crash, a sanitizer report or a timeout: see `kind`
  kSetupFailed,  // the child could not start (no region, no fork): not the heap's fault
};

struct ChildRunResult {
  RunStatus status = RunStatus::kOk;
  FindingKind kind;            // with kViolation: overlap, crash:SIGSEGV, timeout, ...
  size_t op_index = SIZE_MAX;  // with kViolation: the operation (ops.size(): the final check;
                               // SIZE_MAX: before the first operation)
  std::string text;            // everything the run printed, also what went to `echo`
  std::string message;         // with kViolation: the finding's one-line message
  std::string frame;           // with a signal or sanitizer death: the innermost frame inside
                               // the heap under test (Finding::frame), else empty
};

ChildRunResult run_program_in_child(const Program& program, const HeapKind& heap,
                                    const ChildRunOptions& options);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CHILD_RUN_H_
