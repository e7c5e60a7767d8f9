// The replay verb; see replay.h.
#include "repro/tools/replay.h"

#include <absl/strings/str_format.h>

#include <cstdio>

#include "repro/tools/child_run.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/first_broken.h"

namespace allocfuzz {
namespace {

int replay_one(const std::string& path, const RunSettings& settings) {
  InputFile file;
  const HeapKind* heap = nullptr;
  ChildRunOptions options;
  if (!load_runnable(path, settings.overrides, &file, &heap, &options.diff_heaps, stdout)) {
    return kExitBadInput;
  }
  // A defect turns a correct heap into a broken one: say so before its violation appears.
  if (const std::string& defect = file.program.header.defect; !defect.empty()) {
    absl::PrintF("defect: %s is switched on (--defect=none replays without it)\n", defect);
  }
  options.trace = true;
  options.timeout_seconds = settings.timeout_seconds;
  options.echo = stdout;
  const ChildRunResult result = run_program_in_child(file.program, *heap, options);
  switch (result.status) {
    case RunStatus::kOk:
      return kExitOk;
    case RunStatus::kViolation:
      // A heap without our checker may have broken before the symptom: name where.
      if (options.diff_heaps.empty() && result.op_index != SIZE_MAX && !heap_has_checker(*heap)) {
        FirstBrokenBudget budget;
        budget.probe_timeout_seconds = settings.timeout_seconds;
        const FirstBroken first = find_first_broken(file.program, *heap, result.op_index, budget);
        absl::PrintF("%s\n", first_broken_line(first, file.program.ops.size()));
      }
      return kExitViolation;
    case RunStatus::kSetupFailed:
      return kExitBadInput;  // the child said why
  }
  return kExitBadInput;
}

}  // namespace

int replay_files(const std::vector<std::string>& paths, const RunSettings& settings) {
  int status = kExitOk;
  for (size_t i = 0; i < paths.size(); ++i) {
    if (paths.size() > 1) absl::PrintF("%s==> %s <==\n", i > 0 ? "\n" : "", paths[i].c_str());
    status = worst_status(status, replay_one(paths[i], settings));
  }
  std::fflush(stdout);
  return status;
}

}  // namespace allocfuzz
