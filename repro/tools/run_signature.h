// The signature (fuzz/oracle/signature.h) of a program's run in a child (child_run.h): its
// kind, the name of the operation it failed at (signature_op_name), and the frame inside the
// heap under test that the child reported for a signal or a sanitizer report. What `minimize` keeps
// and what `allocfuzz run` buckets by.
#ifndef ALLOCFUZZ_REPRO_TOOLS_RUN_SIGNATURE_H_
#define ALLOCFUZZ_REPRO_TOOLS_RUN_SIGNATURE_H_

#include <string>

#include "fuzz/oracle/signature.h"
#include "fuzz/program/ops.h"
#include "repro/tools/child_run.h"
#include "repro/tools/program_setup.h"

namespace allocfuzz {

// `result` must be a violation of `program`.
Signature run_signature(const ChildRunResult& result, const Program& program);

// How replaying a file in a child ended, for bucketing it.
struct ReplayedSignature {
  RunStatus status = RunStatus::kOk;  // kSetupFailed also for a file that does not load
  Signature signature;                // with kViolation
  std::string error;                  // with kSetupFailed: why
};

// Loads `path` as load_runnable does (heap, defect, `# diff:`, the overrides of `settings`),
// runs it quietly in a child with every check and names its signature.
ReplayedSignature replay_signature(const std::string& path, const RunSettings& settings);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_TOOLS_RUN_SIGNATURE_H_
