// Starting tools for `coverage` and `cmin`; see tool_process.h.
#include "repro/engines/tool_process.h"

#include <absl/strings/str_format.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>

#include "fuzz/program/families.h"
#include "repro/engines/plugin_targets.h"

namespace allocfuzz {
namespace fs = std::filesystem;

namespace {

int open_log(const fs::path& path) {
  return open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

}  // namespace

int run_tool(const std::vector<std::string>& argv, const fs::path& cwd, const ToolEnvironment& env,
             const fs::path& out_path, const fs::path& err_path, std::string* error) {
  const int out_fd = open_log(out_path);
  const int err_fd = out_path == err_path ? out_fd : open_log(err_path);
  if (out_fd < 0 || err_fd < 0) {
    *error = absl::StrFormat("cannot write %s: %s", (out_fd < 0 ? out_path : err_path).string(),
                             strerror(errno));
    if (out_fd >= 0) close(out_fd);
    if (err_fd >= 0 && err_fd != out_fd) close(err_fd);
    return -1;
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    std::signal(SIGINT, SIG_DFL);
    apply_target_environment(env);
    if (chdir(cwd.c_str()) != 0) _exit(127);
    execvp(args[0], args.data());
    const std::string message =
        absl::StrFormat("allocfuzz: cannot start %s: %s\n", argv[0], strerror(errno));
    (void)!write(STDERR_FILENO, message.data(), message.size());
    _exit(127);
  }
  const int fork_errno = errno;
  close(out_fd);
  if (err_fd != out_fd) close(err_fd);
  if (pid < 0) {
    *error = absl::StrFormat("cannot fork: %s", strerror(fork_errno));
    return -1;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      *error = absl::StrFormat("cannot wait for %s: %s", argv[0], strerror(errno));
      return -1;
    }
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

std::string find_on_path(const std::vector<std::string>& names) {
  const char* path = getenv("PATH");
  if (path == nullptr) return "";
  const std::string dirs = path;
  for (const std::string& name : names) {
    for (size_t start = 0; start <= dirs.size();) {
      size_t colon = dirs.find(':', start);
      if (colon == std::string::npos) colon = dirs.size();
      const std::string dir = dirs.substr(start, colon - start);
      start = colon + 1;
      if (dir.empty()) continue;
      const fs::path candidate = fs::path(dir) / name;
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) {
        return candidate.string();
      }
    }
  }
  return "";
}

TargetEnvironment fuzz_target_environment(const Overrides& overrides) {
  TargetSettings settings;
  settings.heap = overrides.heap;
  settings.defect = overrides.defect.value_or("");
  settings.diff_heaps = overrides.diff;
  if (overrides.left_out && *overrides.left_out != 0) {
    settings.ops = format_family_list(*overrides.left_out);
  }
  return target_environment(settings);
}

const FuzzTarget* find_target_or_complain(std::string_view verb, const std::string& name) {
  if (const FuzzTarget* target = find_known_fuzz_target(name)) return target;
  std::string names;
  for (const FuzzTarget& known : known_fuzz_targets()) {
    names += (names.empty() ? "" : ", ") + std::string(known.name);
  }
  absl::FPrintF(stderr, "allocfuzz %s: unknown target '%s' (known: %s)\n", verb, name, names);
  return nullptr;
}

bool check_tool_verb_flags(std::string_view verb, const FuzzTarget& target,
                           const Overrides& overrides) {
  if (overrides.defect && !overrides.defect->empty()) {
    absl::FPrintF(stderr, "allocfuzz %s: --defect: %s runs the heap without its defects\n", verb,
                  verb);
    return false;
  }
  if (!target.compares_heaps && !overrides.diff.empty()) {
    absl::FPrintF(stderr, "allocfuzz %s: --diff goes with diff_fuzzer, not %s\n", verb,
                  target.name);
    return false;
  }
  Overrides settled = overrides;  // a plugin's target runs its own heap, whatever the default
  return settle_target_heap(verb, target, &settled);
}

CorpusSize corpus_size(const fs::path& dir) {
  CorpusSize size;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    ++size.files;
    const uintmax_t bytes = entry.file_size(ec);
    if (!ec) size.bytes += bytes;
  }
  return size;
}

std::string log_tail(const fs::path& path, size_t count) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string tail;
  for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
    tail += "  " + lines[i] + "\n";
  }
  return tail;
}

std::string count_files_text(size_t files) {
  return absl::StrFormat("%d file%s", files, files == 1 ? "" : "s");
}

std::string count_bytes_text(uintmax_t bytes) {
  return absl::StrFormat("%d byte%s", bytes, bytes == 1 ? "" : "s");
}

}  // namespace allocfuzz
