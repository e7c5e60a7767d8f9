// The forked child's body: builds a fresh region (fuzz/harness/program_region.h, the fuzzer's
// size; Protection::kStrict) of the program's placement, the heap (with the program's
// `# defect:` switched on), and an executor in CheckMode::kEveryOp, or for a differential run
// every heap (fuzz/harness/diff_runner.h); runs the program and writes its text (the trace when
// asked, then the report or the "ok:" line) to `fd` as it goes, recording how it ended in the
// shared page. Never returns: the child _exits (no atexit handlers, no stdio flush of the
// parent's buffers, no leak check).
#ifndef ALLOCFUZZ_REPRO_CHILD_MAIN_H_
#define ALLOCFUZZ_REPRO_CHILD_MAIN_H_

#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops.h"
#include "repro/tools/child_record.h"
#include "repro/tools/child_run.h"

namespace allocfuzz {

[[noreturn]] void child_main(int fd, ChildRecord* record, const Program& program,
                             const HeapKind& kind, const ChildRunOptions& options);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CHILD_MAIN_H_
