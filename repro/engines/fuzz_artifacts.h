// What `allocfuzz run` does with a new artifact, whichever engine found it (libFuzzer's
// crash-/leak-/timeout-/oom- files, afl-fuzz's afl-crash-/afl-hang-): for a program target its
// program as text next to it, minimized, and the command that replays it.
#ifndef ALLOCFUZZ_REPRO_FUZZ_ARTIFACTS_H_
#define ALLOCFUZZ_REPRO_FUZZ_ARTIFACTS_H_

#include <map>
#include <string>

#include "fuzz/targets/target_contract.h"
#include "repro/engines/fuzz_layout.h"
#include "repro/tools/program_setup.h"

namespace allocfuzz {

// One new artifact (`name` in layout.artifact_dir): minimize it (program targets) and say how to
// replay it. With `printed` (minimized text -> the file first printed with it), a program
// minimized to one printed before is named, not printed again. Runs in the root, as both
// engines do: the artifact's paths are relative to it.
void report_artifact(const FuzzTarget& target, const FuzzLayout& layout, const std::string& name,
                     const RunSettings& settings,
                     std::map<std::string, std::string>* printed = nullptr);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_FUZZ_ARTIFACTS_H_
