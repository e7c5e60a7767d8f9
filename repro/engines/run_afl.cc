// The AFL++ engine of the run verb: start afl-fuzz instances, follow them, collect their crashes
// and hangs, summarize; see run_afl.h.
#include "repro/engines/run_afl.h"

#include <absl/strings/str_format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "repro/engines/fuzz_artifacts.h"
#include "repro/engines/fuzz_layout.h"
#include "repro/engines/fuzzer_process.h"
#include "repro/engines/tool_process.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/input_file.h"

namespace allocfuzz {
namespace fs = std::filesystem;
namespace {

constexpr double kTerminalInterval = 0.25;  // as ProgressLine: seconds between redraws
constexpr double kLogInterval = 10.0;       // and between lines in a log
constexpr double kScanInterval = 0.5;       // seconds between looks at the output directory
// afl-fuzz stops itself after -V SECONDS of fuzzing (its start-up not counted); an instance
// still running this much later is sent SIGTERM, and SIGKILL as long again after that.
constexpr double kAflGraceSeconds = 60;

// What every afl-fuzz instance runs with, besides --heap, --defect and --diff: no status screen
// (its output is a pipe); the checks that containers and CI machines fail skipped, unless set
// otherwise (CPU frequency scaling, a core_pattern that pipes, a free core to bind to); no stop
// at the first crash (afl-fuzz keeps going by nature, and run buckets all it saved); and the
// sanitizer settings afl-fuzz insists on when
// the user's environment has its own ASAN_OPTIONS (abort_on_error=1, symbolize=0) or
// LSAN_OPTIONS (symbolize=0), and that UBSan needs to abort (unset, afl-fuzz sets all three).
FuzzerEnvironment afl_environment() {
  FuzzerEnvironment env = {{"AFL_NO_UI", "1"}};
  for (const char* name : {"AFL_SKIP_CPUFREQ", "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES",
                           "AFL_TRY_AFFINITY", "AFL_NO_CRASH_README"}) {
    if (getenv(name) == nullptr) env.emplace_back(name, "1");
  }
  auto require = [&env](const char* variable, std::initializer_list<std::string_view> settings) {
    const char* value = getenv(variable);
    if (value == nullptr) return;
    std::string text = value;
    for (std::string_view setting : settings) {
      if (text.find(setting) == std::string::npos) {
        text += (text.empty() ? "" : ":") + std::string(setting);
      }
    }
    env.emplace_back(variable, text);
  };
  require("ASAN_OPTIONS", {"abort_on_error=1", "symbolize=0"});
  require("LSAN_OPTIONS", {"symbolize=0"});
  require("UBSAN_OPTIONS", {"halt_on_error=1", "abort_on_error=1"});
  return env;
}

// A line of afl-fuzz's output without its colours (ANSI CSI sequences) and carriage returns.
std::string strip_ansi(std::string_view line) {
  std::string plain;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      i += 2;
      while (i < line.size() && (line[i] < 0x40 || line[i] > 0x7e)) ++i;
      continue;
    }
    if (line[i] != '\r') plain += line[i];
  }
  return plain;
}

// The files afl-fuzz saved in `dir` (queue/, crashes/, hangs/): their names start with "id:".
std::vector<fs::path> afl_saved_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().starts_with("id:") && entry.is_regular_file(ec)) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// What the live line shows: the output directories, as they grow.
struct AflCounts {
  bool seen = false;  // some instance has made its queue
  size_t corpus = 0;  // the largest instance queue
  size_t crashes = 0, hangs = 0;
};

AflCounts count_afl_dirs(const fs::path& afl_dir, const std::vector<std::string>& names) {
  AflCounts counts;
  for (const std::string& name : names) {
    std::error_code ec;
    const fs::path dir = afl_dir / name;
    if (!fs::is_directory(dir / "queue", ec)) continue;
    counts.seen = true;
    counts.corpus = std::max(counts.corpus, afl_saved_files(dir / "queue").size());
    counts.crashes += afl_saved_files(dir / "crashes").size();
    counts.hangs += afl_saved_files(dir / "hangs").size();
  }
  return counts;
}

// The figures of the summary, from each instance's fuzzer_stats (written at start-up, every
// minute and at the end): executions, crashes and hangs summed, edges and corpus the largest.
struct AflStats {
  unsigned instances_with_stats = 0;
  uint64_t executions = 0, crashes = 0, hangs = 0;
  uint64_t edges = 0, total_edges = 0, corpus = 0;
};

AflStats read_afl_stats(const fs::path& afl_dir, const std::vector<std::string>& names) {
  AflStats stats;
  for (const std::string& name : names) {
    std::ifstream in(afl_dir / name / "fuzzer_stats");
    if (!in) continue;
    ++stats.instances_with_stats;
    for (std::string line; std::getline(in, line);) {
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string key = line.substr(0, colon);
      key.erase(key.find_last_not_of(' ') + 1);
      const uint64_t value = strtoull(line.c_str() + colon + 1, nullptr, 10);
      if (key == "execs_done") stats.executions += value;
      if (key == "saved_crashes") stats.crashes += value;
      if (key == "saved_hangs") stats.hangs += value;
      if (key == "edges_found") stats.edges = std::max(stats.edges, value);
      if (key == "total_edges") stats.total_edges = std::max(stats.total_edges, value);
      if (key == "corpus_count") stats.corpus = std::max(stats.corpus, value);
    }
  }
  return stats;
}

// The live line of an afl-fuzz run, drawn as ProgressLine draws libFuzzer's:
//   heap_fuzzer  12/60 s  afl-fuzz x2  corpus 492  crashes 0  hangs 0
// (afl-fuzz counts its executions only every minute; the summary has them).
class AflProgressLine {
 public:
  AflProgressLine(std::string target, unsigned total_seconds, size_t instances)
      : target_(std::move(target)),
        total_seconds_(total_seconds),
        instances_(instances),
        terminal_(isatty(STDERR_FILENO) != 0) {}

  void update(const AflCounts& counts, double elapsed) {
    const double interval = terminal_ ? kTerminalInterval : kLogInterval;
    if (elapsed - last_drawn_ < interval) return;
    if (!terminal_ && last_drawn_ < 0 && elapsed < kLogInterval) return;
    last_drawn_ = elapsed;
    if (terminal_) {
      absl::FPrintF(stderr, "\r%s\x1b[K", render(counts, elapsed));
    } else {
      absl::FPrintF(stderr, "%s\n", render(counts, elapsed));
    }
    std::fflush(stderr);
  }

  void finish(const AflCounts& counts, double elapsed) {
    if (terminal_) absl::FPrintF(stderr, "\r%s\x1b[K\n", render(counts, elapsed));
    std::fflush(stderr);
  }

 private:
  std::string render(const AflCounts& counts, double elapsed) const {
    const auto seconds = static_cast<uint64_t>(elapsed);
    if (!counts.seen) {
      return absl::StrFormat("%s  %d/%d s  afl-fuzz x%d  starting", target_, seconds,
                             total_seconds_, instances_);
    }
    return absl::StrFormat("%s  %d/%d s  afl-fuzz x%d  corpus %d  crashes %d  hangs %d", target_,
                           seconds, total_seconds_, instances_, counts.corpus, counts.crashes,
                           counts.hangs);
  }

  std::string target_;
  unsigned total_seconds_;
  size_t instances_;
  bool terminal_;
  double last_drawn_ = -1e9;
};

struct AflInstance {
  std::string name;
  pid_t pid = -1;
  int fd = -1;          // the read end of its output, -1 once it closed
  std::string pending;  // a line not yet complete
  int status = 0;       // its wait status
};

// Copies the instances' output into the log (each line prefixed with the instance's name when
// there are several), draws the live line, stops the others at the first crash, and waits for
// all of them.
void follow_afl(std::vector<AflInstance>& instances, std::ofstream& log, const FuzzLayout& layout,
                const std::string& target, unsigned seconds, double start) {
  std::vector<std::string> names;
  for (const AflInstance& instance : instances) names.push_back(instance.name);
  AflProgressLine line(target, seconds, instances.size());
  AflCounts counts;
  double last_scan = -1e9;
  bool terminated = false, killed = false;
  auto signal_all = [&instances](int sig) {
    for (const AflInstance& instance : instances) kill(instance.pid, sig);  // zombies at worst
  };
  auto write_line = [&](const AflInstance& instance, std::string_view text) {
    if (instances.size() > 1) log << '[' << instance.name << "] ";
    log << strip_ansi(text) << '\n';
  };
  char buffer[1 << 16];
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<AflInstance*> owners;
    for (AflInstance& instance : instances) {
      if (instance.fd < 0) continue;
      fds.push_back(pollfd{instance.fd, POLLIN, 0});
      owners.push_back(&instance);
    }
    if (fds.empty()) break;
    const int ready = poll(fds.data(), fds.size(), 1000);
    if (ready < 0 && errno != EINTR) break;
    for (size_t i = 0; ready > 0 && i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      AflInstance& instance = *owners[i];
      const ssize_t n = read(instance.fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(instance.fd);
        instance.fd = -1;
        if (!instance.pending.empty()) write_line(instance, instance.pending);
        instance.pending.clear();
        continue;
      }
      instance.pending.append(buffer, static_cast<size_t>(n));
      size_t newline;
      while ((newline = instance.pending.find('\n')) != std::string::npos) {
        write_line(instance, std::string_view(instance.pending).substr(0, newline));
        instance.pending.erase(0, newline + 1);
      }
    }
    log.flush();
    const double elapsed = seconds_now() - start;
    if (elapsed - last_scan >= kScanInterval) {
      last_scan = elapsed;
      counts = count_afl_dirs(layout.afl_dir, names);
    }
    if (!terminated && elapsed > seconds + kAflGraceSeconds) {
      terminated = true;
      signal_all(SIGTERM);
    }
    if (!killed && elapsed > seconds + 2 * kAflGraceSeconds) {
      killed = true;
      signal_all(SIGKILL);
    }
    line.update(counts, elapsed);
  }
  for (AflInstance& instance : instances) {
    if (instance.fd >= 0) close(instance.fd);
    while (waitpid(instance.pid, &instance.status, 0) < 0 && errno == EINTR) {
    }
  }
  line.finish(count_afl_dirs(layout.afl_dir, names), seconds_now() - start);
}

// FNV-1a of a file's bytes, as 16 hex digits: an artifact's name, so that the same input found
// twice (by two instances, or in two runs) is one file.
std::string content_hash(const std::string& bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return absl::StrFormat("%016x", hash);
}

// Copies every crash and hang the instances saved into the artifact directory as
// afl-crash-HASH / afl-hang-HASH and returns them (each once, crashes first), first seen when
// the earliest instance saved it (the saved file's mtime after `wall_start`).
std::vector<FoundArtifact> collect_afl_artifacts(const FuzzLayout& layout,
                                                 const std::vector<std::string>& names,
                                                 double wall_start) {
  std::vector<FoundArtifact> artifacts;
  std::map<std::string, size_t> seen;  // name -> its index in `artifacts`
  for (const auto& [kind, dir] : {std::pair{"crash", "crashes"}, std::pair{"hang", "hangs"}}) {
    for (const std::string& name : names) {
      for (const fs::path& file : afl_saved_files(layout.afl_dir / name / dir)) {
        std::string bytes;
        std::string error;
        if (!read_file_bytes(file.string(), &bytes, &error)) {
          absl::PrintF("allocfuzz: %s\n", error);
          continue;
        }
        const std::string artifact = absl::StrFormat("afl-%s-%s", kind, content_hash(bytes));
        const double first_seen = seconds_since_start(file, wall_start);
        if (auto it = seen.find(artifact); it != seen.end()) {
          double& earliest = artifacts[it->second].first_seen;
          earliest = std::min(earliest, first_seen);
          continue;
        }
        seen.emplace(artifact, artifacts.size());
        if (!write_file_bytes((layout.artifact_dir / artifact).string(), bytes, &error)) {
          absl::PrintF("allocfuzz: %s\n", error);
          continue;
        }
        artifacts.push_back({artifact, first_seen});
      }
    }
  }
  return artifacts;
}

}  // namespace

int run_afl(const FuzzRunRequest& request, const FuzzTarget& target, const RunSettings& settings) {
  const std::string afl_fuzz = find_on_path({"afl-fuzz"});
  if (afl_fuzz.empty()) {
    absl::FPrintF(stderr,
                  "allocfuzz run: afl-fuzz is not on PATH; install AFL++ (Debian: apt-get "
                  "install afl++, or bash ci/deps.sh), then build the afl preset: cmake "
                  "--workflow --preset afl\n");
    return kExitBadInput;
  }
  FuzzLayout layout;
  std::string error;
  if (!find_afl_layout(request.target, request.root, &layout, &error)) {
    absl::FPrintF(stderr, "%s\n", error.c_str());
    return kExitBadInput;
  }
  const std::string inputs(target.inputs_of);
  const int seeds = prepare_fuzz_dirs(inputs, layout, &error);
  if (seeds < 0) {
    absl::FPrintF(stderr, "%s\n", error.c_str());
    return kExitBadInput;
  }
  std::error_code ec;
  fs::remove_all(layout.afl_dir, ec);
  // afl-fuzz needs one input to start from.
  if (seeds == 0 &&
      !write_file_bytes((layout.corpus_dir / "empty").string(), std::string(1, '\0'), &error)) {
    absl::FPrintF(stderr, "allocfuzz run: %s\n", error.c_str());
    return kExitBadInput;
  }
  if (chdir(layout.root.c_str()) != 0) {
    absl::FPrintF(stderr, "allocfuzz run: cannot enter %s: %s\n", layout.root.c_str(),
                  strerror(errno));
    return kExitBadInput;
  }
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const unsigned count = cores > 0 ? static_cast<unsigned>(cores) : 1;
  std::vector<AflInstance> instances(count);
  std::vector<std::vector<std::string>> commands;
  for (unsigned i = 0; i < count; ++i) {
    instances[i].name = afl_instance_name(i, count);
    commands.push_back(
        afl_command(afl_fuzz, inputs, layout, request.seconds, i, count, request.libfuzzer_args));
  }
  std::string shown;
  for (const std::string& arg : commands[0]) shown += (shown.empty() ? "" : " ") + arg;
  std::string also;
  if (count > 1) {
    also = absl::StrFormat("\n  and %d more the same but for -S %s", count - 1,
                           count == 2 ? "s1" : absl::StrFormat("s1..s%d", count - 1));
  }
  absl::FPrintF(stderr,
                "allocfuzz: %s under afl-fuzz for %d s, %d %s, %d seeds; log in %s\n  %s%s\n",
                request.target.c_str(), request.seconds, count,
                count == 1 ? "instance" : "instances (one per core)", seeds,
                root_relative(layout, layout.log_path).c_str(), shown.c_str(), also.c_str());

  std::ofstream log(layout.log_path, std::ios::binary | std::ios::trunc);
  const FuzzerEnvironment env = afl_environment();
  const TargetEnvironment target_env = fuzz_target_environment(settings.overrides);
  // Ctrl-C reaches afl-fuzz too (same process group); it stops and we still summarize.
  auto old_int = std::signal(SIGINT, SIG_IGN);
  const double start = seconds_now();
  const double wall_start = wall_seconds_now();
  for (unsigned i = 0; i < count; ++i) {
    instances[i].pid =
        spawn_fuzzer(commands[i], layout.root, target_env, &instances[i].fd, &error, env);
    if (instances[i].pid < 0) {
      absl::FPrintF(stderr, "%s\n", error.c_str());
      instances.resize(i);  // those already started run to their end, followed below
      break;
    }
  }
  follow_afl(instances, log, layout, request.target, request.seconds, start);
  const double elapsed = seconds_now() - start;
  std::signal(SIGINT, old_int);
  if (instances.size() < count) return kExitBadInput;

  std::vector<std::string> names;
  for (const AflInstance& instance : instances) names.push_back(instance.name);
  const AflStats stats = read_afl_stats(layout.afl_dir, names);
  const std::vector<FoundArtifact> found = collect_afl_artifacts(layout, names, wall_start);
  const double rate = elapsed > 0 ? static_cast<double>(stats.executions) / elapsed : 0;
  absl::PrintF(
      "allocfuzz: %s ran %.1f s under afl-fuzz (%d %s): %d executions (%.0f/s), edges %d of "
      "%d, corpus %d inputs (%d seeds), %d crashes, %d hangs, %d new artifacts\n",
      request.target.c_str(), elapsed, count, count == 1 ? "instance" : "instances",
      stats.executions, rate, stats.edges, stats.total_edges, stats.corpus, seeds, stats.crashes,
      stats.hangs, found.size());
  const size_t new_buckets = report_buckets(target, layout, found, settings, request.ignore,
                                            "the mtime of the file afl-fuzz saved");
  std::fflush(stdout);
  if (!found.empty()) return new_buckets > 0 ? kExitViolation : kExitOk;
  for (const AflInstance& instance : instances) {
    if (WIFEXITED(instance.status) && WEXITSTATUS(instance.status) == 0) continue;
    absl::FPrintF(
        stderr, "allocfuzz run: afl-fuzz (%s) %s %d; the end of %s:\n%s", instance.name,
        WIFEXITED(instance.status) ? "exited with status" : "was killed by signal",
        WIFEXITED(instance.status) ? WEXITSTATUS(instance.status) : WTERMSIG(instance.status),
        root_relative(layout, layout.log_path), log_tail(layout.log_path, 15));
    return kExitBadInput;
  }
  if (stats.executions == 0) {
    absl::FPrintF(
        stderr, "allocfuzz run: afl-fuzz ran %s; the end of %s:\n%s",
        stats.instances_with_stats == 0 ? "without writing fuzzer_stats" : "no executions",
        root_relative(layout, layout.log_path), log_tail(layout.log_path, 15));
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace allocfuzz
