// The fork and the parent's side of a child run: the shared page, the pipe, the deadline and
// the wait; see child_run.h.
#include "repro/tools/child_run.h"

#include <absl/strings/str_format.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <new>
#include <optional>
#include <string_view>

#include "repro/tools/child_death.h"
#include "repro/tools/child_main.h"
#include "repro/tools/child_record.h"

namespace allocfuzz {
namespace {

double seconds_now() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void emit(const ChildRunOptions& options, std::string_view text, ChildRunResult* result) {
  result->text.append(text);
  if (options.echo != nullptr) {
    fwrite(text.data(), 1, text.size(), options.echo);
    fflush(options.echo);
  }
}

}  // namespace

ChildRunResult run_program_in_child(const Program& program, const HeapKind& heap,
                                    const ChildRunOptions& options) {
  ChildRunResult result;
  auto fail = [&result](std::string message) {
    result.status = RunStatus::kSetupFailed;
    result.text = std::move(message);
    return result;
  };
  void* page =
      mmap(nullptr, sizeof(ChildRecord), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    return fail(absl::StrFormat("allocfuzz: cannot map a shared page: %s\n", strerror(errno)));
  }
  auto* record = new (page) ChildRecord{};
  record->op_at_death = SIZE_MAX;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    munmap(page, sizeof(ChildRecord));
    return fail(absl::StrFormat("allocfuzz: cannot make a pipe: %s\n", strerror(errno)));
  }
  fflush(nullptr);  // nothing buffered may be written twice
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    munmap(page, sizeof(ChildRecord));
    return fail(absl::StrFormat("allocfuzz: cannot fork: %s\n", strerror(errno)));
  }
  if (pid == 0) {
    close(fds[0]);
    child_main(fds[1], record, program, heap, options);
  }
  close(fds[1]);

  // Read until the child closes its end. The child enforces its own timeout with alarm();
  // this deadline is the backstop for a child that blocked SIGALRM or hung in a handler.
  const double deadline =
      options.timeout_seconds > 0 ? seconds_now() + options.timeout_seconds + 10.0 : 0.0;
  bool killed_for_time = false;
  char buffer[1 << 16];
  for (;;) {
    int wait_ms = -1;
    if (deadline > 0) {
      const double left = deadline - seconds_now();
      if (left <= 0) {
        kill(pid, SIGKILL);
        killed_for_time = true;
        break;
      }
      wait_ms = static_cast<int>(left * 1000) + 1;
    }
    pollfd poll_fd{fds[0], POLLIN, 0};
    const int ready = poll(&poll_fd, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;  // the deadline check above decides
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    emit(options, std::string_view(buffer, static_cast<size_t>(n)), &result);
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  if (record->setup_failed != 0 && WIFEXITED(status) && WEXITSTATUS(status) == kSetupFailedExit) {
    result.status = RunStatus::kSetupFailed;
  } else if (!killed_for_time && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
             record->phase == kPhaseDone) {
    if (record->finding_kind[0] != '\0') {
      result.status = RunStatus::kViolation;
      // The child printed it from a FindingKind, so it parses back (finding_kind.h); if it
      // ever does not, that is this tool's bug, not the heap's finding.
      std::string error;
      std::optional<FindingKind> kind = parse_finding_kind(record->finding_kind, &error);
      if (!kind) {
        result.status = RunStatus::kSetupFailed;
        result.text += "allocfuzz: internal error: " + error + "\n";
      } else {
        result.kind = std::move(*kind);
      }
      result.op_index = record->finding_op;
      result.message = record->finding_message;
    }
  } else {
    ChildDeath death =
        describe_death(program, *record, status, killed_for_time, options.timeout_seconds);
    result.status = RunStatus::kViolation;
    result.kind = std::move(death.kind);
    result.op_index = death.op_index;
    result.message = std::move(death.message);
    result.frame = std::move(death.frame);
    emit(options, death.text, &result);
  }
  munmap(page, sizeof(ChildRecord));
  return result;
}

}  // namespace allocfuzz
