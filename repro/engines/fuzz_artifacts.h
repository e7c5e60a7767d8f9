// What `allocfuzz run` does with the artifacts of a run, whichever engine found them
// (libFuzzer's crash-/leak-/timeout-/oom- files, afl-fuzz's afl-crash-/afl-hang-): for a
// program target, each artifact's program as text next to it (ARTIFACT.ops), replayed in a
// child for its signature; the artifacts bucketed by signature (repro/tools/buckets.h); the
// first of each bucket minimized (ARTIFACT.min.ops, keeping the signature) and the table printed
// with each repro's replay command. For a heap without our checker each row also names the
// first broken operation of its minimized repro (repro/tools/first_broken.h).
#ifndef ALLOCFUZZ_REPRO_FUZZ_ARTIFACTS_H_
#define ALLOCFUZZ_REPRO_FUZZ_ARTIFACTS_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/targets/target_contract.h"
#include "repro/engines/fuzz_layout.h"
#include "repro/tools/buckets.h"
#include "repro/tools/program_setup.h"

namespace allocfuzz {

struct FoundArtifact {
  std::string name;   // in layout.artifact_dir
  double first_seen;  // seconds after the run's start (wall-clock)
};

// Buckets and reports `found` (see the top), ignoring the buckets of `ignore`; `clock_source`
// says where first_seen came from, for the table's header. Returns the number of new buckets
// (rows with a signature that `ignore` does not hold; for a target that does not take programs,
// every artifact is one). Runs in the root, as both engines do: the paths are relative to it.
size_t report_buckets(const FuzzTarget& target, const FuzzLayout& layout,
                      const std::vector<FoundArtifact>& found, const RunSettings& settings,
                      const IgnoreList& ignore, std::string_view clock_source);

// The wall clock (CLOCK_REALTIME) in seconds: file times are on it, the monotonic seconds_now()
// of fuzzer_process.h is not.
double wall_seconds_now();

// Seconds from `wall_start` (wall_seconds_now()) to the file's last change, never below 0.
double seconds_since_start(const std::filesystem::path& file, double wall_start);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_FUZZ_ARTIFACTS_H_
