// Starting a fuzzer for `allocfuzz run`; see fuzzer_process.h.
#include "repro/engines/fuzzer_process.h"

#include <absl/strings/str_format.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace allocfuzz {
namespace fs = std::filesystem;

double seconds_now() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

pid_t spawn_fuzzer(const std::vector<std::string>& argv, const fs::path& cwd,
                   const TargetEnvironment& target_env, int* read_fd, std::string* error,
                   const FuzzerEnvironment& extra_env) {
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
    apply_target_environment(target_env);
    for (const auto& [name, value] : extra_env) setenv(name.c_str(), value.c_str(), 1);
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

}  // namespace allocfuzz
