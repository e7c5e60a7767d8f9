// The child's hooks for the ways a heap can kill it, each recording in the shared page
// (child_record.h) what happened and the operation in flight:
//   - a fatal signal (fuzz/harness/fatal_signals.h, plus SIGALRM, the child's timeout),
//     installed after the sanitizers' handlers, so the kind is the same with and without ASan;
//   - a sanitizer report (the sanitizers' death callback), with its kind from ASan's description,
//     and UBSan's reports (its __ubsan_on_report hook) by their check (asan:WHAT, ubsan:CHECK,
//     fuzz/oracle/sanitizer_kinds.h);
//   each with the innermost frame inside the heap under test (fuzz/harness/crash_frame.h);
//   - the heap's own fatal check (heap_fatal), whose abort follows.
#ifndef ALLOCFUZZ_REPRO_CHILD_HOOKS_H_
#define ALLOCFUZZ_REPRO_CHILD_HOOKS_H_

#include "repro/tools/child_record.h"

namespace allocfuzz {

// `chain`: pass signals on to the sanitizer's handlers after recording them (its report is
// worth having on stderr, but symbolizing costs time: minimize does without). Also turns core
// files off. Call once, in the child, before the heap runs.
void install_child_hooks(ChildRecord* record, bool chain);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CHILD_HOOKS_H_
