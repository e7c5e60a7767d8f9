// Bucketing a run's artifacts; see fuzz_artifacts.h.
#include "repro/engines/fuzz_artifacts.h"

#include <absl/strings/str_format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>

#include "fuzz/program/ops_text.h"
#include "repro/tools/child_run.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/first_broken.h"
#include "repro/tools/input_file.h"
#include "repro/tools/minimize.h"
#include "repro/tools/run_signature.h"

namespace allocfuzz {
namespace {

// The fuzzer's own timeout per input (fuzz/targets/heap_fuzzer.options: timeout = 10).
constexpr unsigned kBucketTimeoutSeconds = 10;

// The program the fuzzer ran, as canonical text next to the artifact (ARTIFACT.ops): the
// artifact may end in a cut-off operation (which the fuzzer and the tools drop), or
// even begin like a text file. False with a message.
bool write_artifact_program(const std::string& artifact, const Overrides& overrides,
                            std::string* program_path, std::string* error) {
  InputFile input;
  if (!load_fuzzer_input(artifact, &input, error, load_options(overrides))) return false;
  apply_overrides(overrides, &input.program);
  *program_path = artifact + ".ops";
  return write_file_bytes(*program_path, print_ops_text(input.program), error);
}

// find_first_broken's line for the minimized repro at `path` when its heap has no checker of
// ours (and it runs one heap), else "".
std::string first_broken_of(const std::string& path, const RunSettings& settings) {
  InputFile file;
  const HeapKind* heap = nullptr;
  ChildRunOptions options;
  std::string error;
  if (!load_input_file(path, &file, &error)) return "";
  heap = resolve_heap(file, &error);
  if (heap == nullptr || !file.program.header.diff.empty() || heap_has_checker(*heap)) return "";
  options.timeout_seconds = settings.timeout_seconds;
  options.quiet = true;
  const ChildRunResult result = run_program_in_child(file.program, *heap, options);
  if (result.status != RunStatus::kViolation || result.op_index == SIZE_MAX) return "";
  FirstBrokenBudget budget;
  budget.probe_timeout_seconds = settings.timeout_seconds;
  const FirstBroken first = find_first_broken(file.program, *heap, result.op_index, budget);
  return first_broken_line(first, file.program.ops.size());
}

}  // namespace

double wall_seconds_now() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double seconds_since_start(const std::filesystem::path& file, double wall_start) {
  struct stat info {};
  if (stat(file.c_str(), &info) != 0) return 0;
  const double changed =
      static_cast<double>(info.st_mtim.tv_sec) + static_cast<double>(info.st_mtim.tv_nsec) * 1e-9;
  return std::max(0.0, changed - wall_start);
}

size_t report_buckets(const FuzzTarget& target, const FuzzLayout& layout,
                      const std::vector<FoundArtifact>& found, const RunSettings& settings,
                      const IgnoreList& ignore, std::string_view clock_source) {
  const std::string cli = root_relative(layout, layout.cli);
  if (found.empty() && target.takes_programs) {
    absl::PrintF("\n%s", BucketTable().text(clock_source));  // the same table, empty
    return 0;
  }
  if (!target.takes_programs) {
    // Not programs: nothing of ours replays them; each artifact is its own finding.
    for (const FoundArtifact& artifact : found) {
      const std::string path = root_relative(layout, layout.artifact_dir / artifact.name);
      absl::PrintF("\nallocfuzz: new artifact %s\nreproduce: %s %s\n", path,
                   root_relative(layout, layout.fuzzer), path);
    }
    return found.size();
  }
  absl::PrintF("\nallocfuzz: replaying %d artifacts for their signatures\n", found.size());
  std::fflush(stdout);
  // An input that loops runs until the timeout: each replay of one is bounded by the fuzzer's
  // own (heap_fuzzer.options), not by the 60 s that --timeout gives a replay by hand.
  RunSettings bounded = settings;
  if (bounded.timeout_seconds == 0 || bounded.timeout_seconds > kBucketTimeoutSeconds) {
    bounded.timeout_seconds = kBucketTimeoutSeconds;
  }
  BucketTable table;
  for (const FoundArtifact& artifact : found) {
    const std::string path = root_relative(layout, layout.artifact_dir / artifact.name);
    std::string program_path;
    std::string error;
    if (!write_artifact_program(path, settings.overrides, &program_path, &error)) {
      absl::PrintF("allocfuzz: %s\n", error);
      continue;
    }
    const ReplayedSignature replayed = replay_signature(program_path, bounded);
    if (replayed.status == RunStatus::kSetupFailed) {
      absl::PrintF("allocfuzz: %s did not run: %s\n", program_path, replayed.error);
    }
    std::optional<Signature> signature;
    if (replayed.status == RunStatus::kViolation) signature = replayed.signature;
    table.add(signature, program_path, artifact.first_seen);
  }
  table.apply(ignore);
  for (Bucket& row : table.rows()) {
    row.repro = row.first_input;
    if (row.signature && row.signature->kind == FindingKind::timeout()) {
      // Every try of a minimization would run until the timeout: hundreds of them.
      absl::PrintF("\nallocfuzz: bucket %s: left unminimized (each try would take %d s)\n",
                   row.signature->text(), bounded.timeout_seconds);
    } else if (row.signature) {
      absl::PrintF("\nallocfuzz: bucket %s: minimizing %s\n", row.signature->text(),
                   row.first_input);
      std::fflush(stdout);
      MinimizeSummary summary;
      // first_input is ARTIFACT.ops (write_artifact_program); the repro is ARTIFACT.min.ops.
      const std::string artifact = row.first_input.substr(0, row.first_input.size() - 4);
      const int status =
          minimize_file(row.first_input, default_min_path(artifact), bounded, &summary);
      if (status == kExitOk && summary.signature == *row.signature) {
        row.repro = summary.out_path;
        row.first_broken = first_broken_of(row.repro, bounded);
      } else {
        absl::PrintF("allocfuzz: %s did not fail as %s again; its bucket keeps it unminimized\n",
                     row.first_input, row.signature->text());
      }
    }
    row.replay = cli + " replay " + row.repro;
  }
  absl::PrintF("\n%s", table.text(clock_source));
  std::fflush(stdout);
  return table.new_buckets();
}

}  // namespace allocfuzz
