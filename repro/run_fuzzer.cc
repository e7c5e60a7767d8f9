// The run verb: start libFuzzer, follow its output, summarize; see run_fuzzer.h.
#include "repro/run_fuzzer.h"

#include <absl/strings/str_format.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <set>
#include <system_error>

#include "fuzz/ops_text.h"
#include "repro/exit_status.h"
#include "repro/fuzz_layout.h"
#include "repro/fuzz_targets.h"
#include "repro/input_file.h"
#include "repro/libfuzzer_log.h"
#include "repro/minimize.h"
#include "repro/progress_line.h"

namespace allocfuzz {
namespace fs = std::filesystem;
namespace {

// Only a fuzz build's targets fuzz; elsewhere they are the standalone replayers.
#if defined(ALLOCFUZZ_CLI_FUZZ_BUILD)
constexpr bool kFuzzBuild = true;
#else
constexpr bool kFuzzBuild = false;
#endif

// libFuzzer's artifact names start with these; all of them are findings.
constexpr std::string_view kArtifactPrefixes[] = {"crash-", "leak-", "timeout-", "oom-"};

double seconds_now() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

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

size_t count_files(const fs::path& dir) {
  size_t count = 0;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) ++count;
  }
  return count;
}

// Starts argv[0] in `cwd` with stdout and stderr into the returned pipe's write end.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& cwd, const Overrides& overrides,
            int* read_fd, std::string* error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = absl::StrFormat("allocfuzz run: cannot make a pipe: %s", strerror(errno));
    return -1;
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    std::signal(SIGINT, SIG_DFL);
    if (!overrides.heap.empty()) setenv("ALLOCFUZZ_HEAP", overrides.heap.c_str(), 1);
    // diff_fuzzer's heaps: the variable unset is all of them, as the artifacts are replayed.
    if (!overrides.diff.empty() && overrides.diff[0] != "all") {
      std::string list;
      for (const std::string& name : overrides.diff) list += (list.empty() ? "" : ",") + name;
      setenv("ALLOCFUZZ_DIFF_HEAPS", list.c_str(), 1);
    } else {
      unsetenv("ALLOCFUZZ_DIFF_HEAPS");
    }
    // --defect=NAME switches it on in the fuzzer; --defect=none also in an inherited setting.
    if (overrides.defect && !overrides.defect->empty()) {
      setenv("ALLOCFUZZ_DEFECT", overrides.defect->c_str(), 1);
    } else if (overrides.defect) {
      unsetenv("ALLOCFUZZ_DEFECT");
    }
    if (chdir(cwd.c_str()) != 0) _exit(127);
    execv(args[0], args.data());
    const std::string message =
        absl::StrFormat("allocfuzz run: cannot start %s: %s\n", argv[0], strerror(errno));
    (void)!write(STDERR_FILENO, message.data(), message.size());
    _exit(127);
  }
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    *error = absl::StrFormat("allocfuzz run: cannot fork: %s", strerror(errno));
    return -1;
  }
  *read_fd = fds[0];
  return pid;
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

// The last `count` lines of the log, for a fuzzer that failed without an artifact.
std::string log_tail(const fs::path& log_path, size_t count) {
  std::ifstream in(log_path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string tail;
  for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
    tail += "  " + lines[i] + "\n";
  }
  return tail;
}

// The program the fuzzer ran, as canonical text next to the artifact (ARTIFACT.ops): the
// artifact may end in a cut-off operation (which the fuzzer drops and the tools refuse), or
// even begin like a text file. False with a message.
bool write_artifact_program(const std::string& artifact, const Overrides& overrides,
                            std::string* program_path, std::string* error) {
  InputFile input;
  if (!load_fuzzer_input(artifact, &input, error)) return false;
  apply_overrides(overrides, &input.program);
  *program_path = artifact + ".ops";
  return write_file_bytes(*program_path, print_ops_text(input.program), error);
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

// One new artifact: minimize it (program targets) and say how to replay it.
void report_artifact(const FuzzTarget& target, const FuzzLayout& layout, const std::string& name,
                     const RunSettings& settings) {
  const std::string artifact = root_relative(layout, layout.artifact_dir / name);
  absl::PrintF("\nallocfuzz: new artifact %s\n", artifact);
  std::fflush(stdout);
  const std::string cli = root_relative(layout, layout.bin_dir / "allocfuzz");
  if (!target.takes_programs) {
    absl::PrintF("reproduce: %s %s\n", root_relative(layout, layout.fuzzer), artifact);
    return;
  }
  std::string program_path;
  std::string error;
  if (!write_artifact_program(artifact, settings.overrides, &program_path, &error)) {
    absl::PrintF("allocfuzz: %s\n", error);
    return;
  }
  MinimizeSummary summary;
  const int status = minimize_file(program_path, default_min_path(artifact), settings, &summary);
  if (status == kExitOk) {
    absl::PrintF("--- %s ---\n%s---\n", summary.out_path, summary.text);
    absl::PrintF("replay: %s replay %s\n", cli, summary.out_path);
  } else {
    absl::PrintF(
        "allocfuzz: %s did not fail under replay (every-op checks, %d s timeout); the "
        "fuzzer's own run is in %s\n",
        artifact, settings.timeout_seconds, root_relative(layout, layout.log_path));
    absl::PrintF("replay: %s replay %s\n", cli, program_path);
  }
}

}  // namespace

int run_fuzzer(const FuzzRunRequest& request) {
  const FuzzTarget* target = find_fuzz_target(request.target);
  if (target == nullptr) {
    std::string names;
    for (const FuzzTarget& known : kFuzzTargets) {
      names += (names.empty() ? "" : ", ") + std::string(known.name);
    }
    absl::FPrintF(stderr, "allocfuzz run: unknown target '%s' (known: %s)\n",
                  request.target.c_str(), names.c_str());
    return kExitBadInput;
  }
  // The defect the fuzzer runs with (--defect, else an ALLOCFUZZ_DEFECT it would inherit) is
  // also the one the artifacts are minimized with, and must exist in the heap.
  RunSettings settings = request.settings;
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
  if (const char* inherited = getenv("ALLOCFUZZ_DEFECT");
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
  if (!kFuzzBuild) {
    absl::FPrintF(stderr,
                  "allocfuzz run: this allocfuzz is not from a fuzz build, and the fuzz targets "
                  "next to it only replay files; build the fuzz preset: cmake --workflow --preset "
                  "fuzz, then use build/fuzz/bin/allocfuzz run %s\n",
                  request.target.c_str());
    return kExitBadInput;
  }
  FuzzLayout layout;
  std::string error;
  if (!find_fuzz_layout(request.target, request.root, &layout, &error)) {
    absl::FPrintF(stderr, "%s\n", error.c_str());
    return kExitBadInput;
  }
  const std::string inputs(target->inputs_of);
  const int seeds = prepare_fuzz_dirs(inputs, layout, &error);
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
  const pid_t pid = spawn(argv, layout.root, settings.overrides, &fd, &error);
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

  std::set<std::string> found;
  for (const std::string& name : finding_artifacts(layout.artifact_dir)) {
    if (!before.contains(name)) found.insert(name);
  }
  const double rate = elapsed > 0 ? static_cast<double>(progress.executions) / elapsed : 0;
  absl::PrintF(
      "allocfuzz: %s ran %.1f s: %d executions (%.0f/s), cov %d, ft %d, corpus %d "
      "inputs (%d seeds), %d new artifacts\n",
      request.target.c_str(), elapsed, progress.executions, rate, progress.cov, progress.ft,
      count_files(layout.corpus_dir), seeds, found.size());
  for (const std::string& name : found) {
    report_artifact(*target, layout, name, settings);
  }
  std::fflush(stdout);
  if (!found.empty()) return kExitViolation;
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

}  // namespace allocfuzz
