// The signature (fuzz/oracle/signature.h) of a program's run in a child (child_run.h): its
// kind, the name of the operation it failed at, and the frame (not yet reported by the child:
// empty). What `minimize` keeps and what `allocfuzz run` buckets by.
#ifndef ALLOCFUZZ_REPRO_TOOLS_RUN_SIGNATURE_H_
#define ALLOCFUZZ_REPRO_TOOLS_RUN_SIGNATURE_H_

#include <string>

#include "fuzz/oracle/signature.h"
#include "fuzz/program/ops.h"
#include "repro/tools/child_run.h"
#include "repro/tools/program_setup.h"

namespace allocfuzz {

// The name of the operation at `op_index` of `program`: its OpKind's name, kEndOpName for
// ops.size() (the final check), kStartOpName for SIZE_MAX (before the first operation).
std::string op_name_at(const Program& program, size_t op_index);

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
