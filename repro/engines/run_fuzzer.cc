// The run verb: the checks before either engine, and the libFuzzer engine (start libFuzzer,
// follow its output, summarize); see run_fuzzer.h. The AFL++ engine is in run_afl.cc.
#include "repro/engines/run_fuzzer.h"

#include <absl/strings/str_format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fuzz/targets/target_contract.h"
#include "repro/engines/fuzz_artifacts.h"
#include "repro/engines/fuzz_layout.h"
#include "repro/engines/fuzzer_process.h"
#include "repro/engines/libfuzzer_log.h"
#include "repro/engines/plugin_targets.h"
#include "repro/engines/progress_line.h"
#include "repro/engines/run_afl.h"
#include "repro/engines/tool_process.h"
#include "repro/tools/exit_status.h"

namespace allocfuzz {
namespace fs = std::filesystem;
namespace {

// libFuzzer's artifact names start with these; all of them are findings.
constexpr std::string_view kArtifactPrefixes[] = {"crash-", "leak-", "timeout-", "oom-"};

std::set<std::string> finding_artifacts(const fs::path& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".ops")) continue;  // our minimized programs
    for (std::string_view prefix : kArtifactPrefixes) {
      if (name.starts_with(prefix)) names.insert(name);
    }
  }
  return names;
}

// Copies the fuzzer's output into the log, feeding each complete line to the progress
// parser, and redraws the progress line. Returns the fuzzer's wait status.
int follow(pid_t pid, int fd, std::ofstream& log, ProgressLine& line, FuzzProgress* progress,
           double start) {
  std::string pending;
  char buffer[1 << 16];
  for (;;) {
    pollfd poll_fd{fd, POLLIN, 0};
    const int ready = poll(&poll_fd, 1, 1000);
    if (ready < 0 && errno != EINTR) break;
    if (ready > 0) {
      const ssize_t n = read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      log.write(buffer, n);
      log.flush();
      pending.append(buffer, static_cast<size_t>(n));
      size_t newline;
      while ((newline = pending.find('\n')) != std::string::npos) {
        parse_libfuzzer_line(std::string_view(pending).substr(0, newline), progress);
        pending.erase(0, newline + 1);
      }
    }
    line.update(*progress, seconds_now() - start);
  }
  close(fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Whether libFuzzer's log holds a crash report (sanitizers and libFuzzer's deadly-signal
// handler all end theirs with a SUMMARY line).
bool log_mentions_crash(const fs::path& log_path) {
  std::ifstream in(log_path);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("SUMMARY: ") || line.find("==ERROR: ") != std::string::npos) return true;
  }
  return false;
}

// The libFuzzer engine: `request` for `target`, with `settings` as run_fuzzer has checked and
// completed them.
int run_libfuzzer(const FuzzRunRequest& request, const FuzzTarget& target,
                  const RunSettings& settings) {
  if (!kFuzzBuild) {
    absl::FPrintF(stderr,
                  "allocfuzz run: this allocfuzz is not from a fuzz build, and the fuzz targets "
                  "next to it only replay files; build the fuzz preset: cmake --workflow --preset "
                  "fuzz, then use build/fuzz/bin/allocfuzz run %s\n",
                  request.target.c_str());
    return kExitBadInput;
  }
  if (built_with_afl()) {
    absl::FPrintF(stderr,
                  "allocfuzz run: this allocfuzz is from an AFL++ build (the afl preset), and the "
                  "fuzz targets next to it run under afl-fuzz, not libFuzzer: allocfuzz run "
                  "--engine=afl %s\n",
                  request.target.c_str());
    return kExitBadInput;
  }
  FuzzLayout layout;
  std::string error;
  if (!find_fuzz_layout(request.target, request.root, &layout, &error)) {
    absl::FPrintF(stderr, "%s\n", error.c_str());
    return kExitBadInput;
  }
  const std::string inputs(target.inputs_of);
  if (request.empty && !use_empty_corpus(&layout, &error)) {
    absl::FPrintF(stderr, "%s\n", error.c_str());
    return kExitBadInput;
  }
  const int seeds = prepare_fuzz_dirs(request.empty ? "" : inputs, layout, &error);
  if (seeds < 0) {
    absl::FPrintF(stderr, "%s\n", error.c_str());
    return kExitBadInput;
  }
  // Everything below works in the root: libFuzzer's relative paths and ours.
  if (chdir(layout.root.c_str()) != 0) {
    absl::FPrintF(stderr, "allocfuzz run: cannot enter %s: %s\n", layout.root.c_str(),
                  strerror(errno));
    return kExitBadInput;
  }
  const std::set<std::string> before = finding_artifacts(layout.artifact_dir);
  const double wall_start = wall_seconds_now();
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const unsigned jobs = cores > 0 ? static_cast<unsigned>(cores) : 1;
  const std::vector<std::string> argv = libfuzzer_command(
      request.target, inputs, layout, request.seconds, jobs, request.libfuzzer_args);
  std::string shown = root_relative(layout, argv[0]);
  for (size_t i = 1; i < argv.size(); ++i) shown += " " + argv[i];
  absl::FPrintF(stderr, "allocfuzz: %s for %d s on %d cores, %d seeds; log in %s\n  %s\n",
                request.target.c_str(), request.seconds, jobs, seeds,
                root_relative(layout, layout.log_path).c_str(), shown.c_str());

  std::ofstream log(layout.log_path, std::ios::binary | std::ios::trunc);
  int fd = -1;
  // Ctrl-C reaches libFuzzer too (same process group); it stops and we still summarize.
  auto old_int = std::signal(SIGINT, SIG_IGN);
  const double start = seconds_now();
  const pid_t pid =
      spawn_fuzzer(argv, layout.root, fuzz_target_environment(settings.overrides), &fd, &error);
  if (pid < 0) {
    std::signal(SIGINT, old_int);
    absl::FPrintF(stderr, "%s\n", error.c_str());
    return kExitBadInput;
  }
  ProgressLine line(stderr, request.target, request.seconds);
  FuzzProgress progress;
  const int status = follow(pid, fd, log, line, &progress, start);
  const double elapsed = seconds_now() - start;
  line.finish(progress, elapsed);
  std::signal(SIGINT, old_int);

  std::vector<FoundArtifact> found;
  for (const std::string& name : finding_artifacts(layout.artifact_dir)) {
    if (before.contains(name)) continue;
    found.push_back({name, seconds_since_start(layout.artifact_dir / name, wall_start)});
  }
  const double rate = elapsed > 0 ? static_cast<double>(progress.executions) / elapsed : 0;
  absl::PrintF(
      "allocfuzz: %s ran %.1f s: %d executions (%.0f/s), cov %d, ft %d, corpus %d "
      "inputs (%d seeds), %d new artifacts\n",
      request.target.c_str(), elapsed, progress.executions, rate, progress.cov, progress.ft,
      corpus_size(layout.corpus_dir).files, seeds, found.size());
  const size_t new_buckets =
      report_buckets(target, layout, found, settings, request.ignore, "the artifact's mtime");
  std::fflush(stdout);
  if (!found.empty()) return new_buckets > 0 ? kExitViolation : kExitOk;
  const bool clean_exit = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (clean_exit) return kExitOk;
  // A target that crashed without leaving an artifact (e.g. one that replaced libFuzzer's
  // sanitizer death callback) still found something: say so, with the end of the log.
  const bool crashed = log_mentions_crash(layout.log_path);
  absl::FPrintF(stderr, "allocfuzz run: libFuzzer %s %d %s; the end of %s:\n%s",
                WIFEXITED(status) ? "exited with status" : "was killed by signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                crashed ? "after a crash but wrote no artifact" : "without an artifact",
                root_relative(layout, layout.log_path), log_tail(layout.log_path, 15));
  return crashed ? kExitViolation : kExitBadInput;
}

}  // namespace

bool parse_fuzz_engine(std::string_view name, FuzzEngine* out) {
  if (name == "libfuzzer") {
    *out = FuzzEngine::kLibFuzzer;
  } else if (name == "afl") {
    *out = FuzzEngine::kAfl;
  } else {
    return false;
  }
  return true;
}

int run_fuzzer(const FuzzRunRequest& request) {
  const FuzzTarget* target = find_target_or_complain("run", request.target);
  if (target == nullptr) return kExitBadInput;
  // The defect the fuzzer runs with (--defect, else an ALLOCFUZZ_DEFECT it would inherit) is
  // also the one the artifacts are minimized with, and must exist in the heap.
  RunSettings settings = request.settings;
  if (!settle_target_heap("run", *target, &settings.overrides)) return kExitBadInput;
  if (request.empty && request.engine == FuzzEngine::kAfl) {
    absl::FPrintF(stderr,
                  "allocfuzz run: --empty goes with libFuzzer only: afl-fuzz needs at least one "
                  "input\n");
    return kExitBadInput;
  }
  // --diff goes with diff_fuzzer only, and is what its artifacts are minimized with.
  if (!target->compares_heaps && !settings.overrides.diff.empty()) {
    absl::FPrintF(stderr, "allocfuzz run: --diff goes with diff_fuzzer, not %s\n",
                  request.target.c_str());
    return kExitBadInput;
  }
  if (target->compares_heaps) {
    if (settings.overrides.defect && !settings.overrides.defect->empty()) {
      absl::FPrintF(stderr, "allocfuzz run: diff_fuzzer runs every heap without defects\n");
      return kExitBadInput;
    }
    settings.overrides.defect = "";  // and an inherited ALLOCFUZZ_DEFECT is dropped
    if (settings.overrides.diff.empty()) settings.overrides.diff = {"all"};
  }
  if (const char* inherited = getenv(kDefectVariable);
      !settings.overrides.defect && inherited != nullptr && inherited[0] != '\0') {
    settings.overrides.defect = inherited;
  }
  if (target->takes_programs && settings.overrides.defect) {
    const std::string heap_name =
        settings.overrides.heap.empty() ? std::string(kDefaultHeap) : settings.overrides.heap;
    const HeapKind* heap = find_heap_kind(heap_name);
    const std::string problem =
        heap != nullptr ? defect_problem(*heap, *settings.overrides.defect) : "";
    if (!problem.empty()) {
      absl::FPrintF(stderr, "allocfuzz run: %s\n", problem);
      return kExitBadInput;
    }
  }
  if (request.engine == FuzzEngine::kAfl) return run_afl(request, *target, settings);
  return run_libfuzzer(request, *target, settings);
}

}  // namespace allocfuzz
