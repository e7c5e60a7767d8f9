// A run's signature; see run_signature.h.
#include "repro/tools/run_signature.h"

#include <cstdint>

#include "repro/tools/input_file.h"

namespace allocfuzz {

Signature run_signature(const ChildRunResult& result, const Program& program) {
  return Signature{result.kind, signature_op_name(program, result.op_index), result.frame};
}

ReplayedSignature replay_signature(const std::string& path, const RunSettings& settings) {
  ReplayedSignature out;
  InputFile file;
  std::string error;
  if (!load_input_file(path, &file, &error)) {
    out.status = RunStatus::kSetupFailed;
    out.error = error;
    return out;
  }
  apply_overrides(settings.overrides, &file.program);
  const HeapKind* heap = resolve_heap(file, &error);
  ChildRunOptions options;
  if (heap == nullptr || !check_defect(file, *heap, &error) ||
      !resolve_diff_heaps(file, &options.diff_heaps, &error)) {
    out.status = RunStatus::kSetupFailed;
    out.error = error;
    return out;
  }
  options.timeout_seconds = settings.timeout_seconds;
  options.quiet = true;
  const ChildRunResult result = run_program_in_child(file.program, *heap, options);
  out.status = result.status;
  if (result.status == RunStatus::kViolation) out.signature = run_signature(result, file.program);
  if (result.status == RunStatus::kSetupFailed) out.error = result.text;
  return out;
}

}  // namespace allocfuzz
