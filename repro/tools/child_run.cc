// The forked child and the parent's reading of how it ended; see child_run.h.
#include "repro/tools/child_run.h"

#include <absl/strings/str_format.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <memory>
#include <new>
#include <string_view>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/diff_runner.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/oracle/report.h"
#include "fuzz/program/ops_text.h"
#include "repro/tools/trace.h"

// The sanitizers' hooks, weak so that a build without sanitizers (release) links: there they
// are null and never called.
extern "C" {
__attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)());
__attribute__((weak)) int __asan_report_present();
__attribute__((weak)) const char* __asan_get_report_description();
}

namespace allocfuzz {
namespace {

enum Phase : sig_atomic_t { kPhaseSetup = 0, kPhaseRunning = 1, kPhaseDone = 2 };

// The page the child writes and the parent reads after the child is gone. Written from signal
// handlers, so only plain words and fixed arrays.
struct SharedRecord {
  volatile sig_atomic_t phase;
  volatile sig_atomic_t setup_failed;
  volatile sig_atomic_t signal;     // a fatal signal the child caught (SIGALRM: its timeout)
  volatile sig_atomic_t sanitizer;  // the sanitizers' death callback ran
  volatile size_t op_at_death;      // Executor::op_in_flight() when the signal/report came
  volatile size_t ops_done;         // operations completed, for deaths no handler saw
  size_t finding_op;                // with phase kPhaseDone and a non-empty finding_kind
  char finding_kind[256];
  char sanitizer_what[128];
};

// The child's exit status when it could not set up (no region): not a finding.
constexpr int kSetupFailedExit = 3;

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS,  SIGILL, SIGFPE,
                                 SIGABRT, SIGTRAP, SIGSYS, SIGALRM};

SharedRecord* g_record = nullptr;  // the child's view of the shared page
char g_alt_stack[1 << 16];         // handlers run here, so a stack overflow is reported too
// The handlers that were there before ours (ASan's, for the signals it handles), to chain to
// so that its report with the faulting stack still appears on stderr.
struct sigaction g_previous[NSIG];
bool g_chain = false;

void copy_text(char* to, size_t capacity, const char* from) {
  size_t i = 0;
  for (; from != nullptr && from[i] != '\0' && i + 1 < capacity; ++i) to[i] = from[i];
  to[i] = '\0';
}

// Async-signal-safe. Records the signal and the operation in flight, unless a sanitizer
// report came first (then this is the abort that ends its report). Then hands the signal to
// the handler that was there before (ASan prints its report and exits), or dies of it with
// the default action, so the wait status tells the truth too.
void on_fatal_signal(int signal_number, siginfo_t* info, void* context) {
  if (g_record != nullptr && g_record->signal == 0 && g_record->sanitizer == 0) {
    g_record->op_at_death = Executor::op_in_flight();
    g_record->signal = signal_number;
  }
  const struct sigaction previous = g_previous[signal_number];
  if (g_chain && signal_number != SIGALRM && (previous.sa_flags & SA_SIGINFO) != 0 &&
      previous.sa_sigaction != nullptr) {
    sigaction(signal_number, &previous, nullptr);
    previous.sa_sigaction(signal_number, info, context);
  }
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

// The sanitizers call this after printing a report and before exiting (or aborting). A report
// that our own signal handler led to (ASan's SEGV report) keeps the signal as the cause.
void on_sanitizer_death() {
  if (g_record == nullptr || g_record->sanitizer != 0) return;
  const char* what = nullptr;
  if (__asan_report_present != nullptr && __asan_get_report_description != nullptr &&
      __asan_report_present() != 0) {
    what = __asan_get_report_description();
  }
  copy_text(g_record->sanitizer_what, sizeof g_record->sanitizer_what,
            what != nullptr ? what : "report");
  if (g_record->signal == 0) g_record->op_at_death = Executor::op_in_flight();
  g_record->sanitizer = 1;
}

// `chain`: pass signals on to the sanitizer's handlers after recording them (its report is
// worth having on stderr, but symbolizing costs time: minimize does without).
void install_child_handlers(bool chain) {
  stack_t stack{};
  stack.ss_sp = g_alt_stack;
  stack.ss_size = sizeof g_alt_stack;
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_sigaction = on_fatal_signal;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  g_chain = chain;
  for (int signal_number : kFatalSignals) {
    sigaction(signal_number, &action, &g_previous[signal_number]);
  }
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(on_sanitizer_death);
  // A crashing heap should not leave core files behind (ASan already turns them off).
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
}

// When the sanitizer's own handler took a fatal signal instead of ours (ASAN_OPTIONS=
// allow_user_segv_handler=0), its report names the fault, not the signal: these are its
// descriptions of a deadly signal. Memory faults are taken as SIGSEGV (SIGBUS is described
// the same way); "signal" is the other one ASan handles by default, SIGFPE.
std::string crash_kind_from_sanitizer(std::string_view what) {
  constexpr std::string_view kMemoryFaults[] = {
      "null-deref",      "wild-jump",      "wild-addr", "wild-addr-read",
      "wild-addr-write", "stack-overflow", "SEGV"};
  for (std::string_view fault : kMemoryFaults) {
    if (what == fault) return "crash:SIGSEGV";
  }
  if (what == "signal") return "crash:SIGFPE";
  return "";
}

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone; nothing to tell anyone
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// Streams trace lines as the operations complete and counts them, so that a death that no
// handler saw (SIGKILL) is still placed at the next operation.
class ChildObserver final : public OpObserver {
 public:
  ChildObserver(const Executor& executor, int fd, bool trace)
      : trace_(executor), fd_(fd), enabled_(trace) {}

  void on_op(size_t index, const Op& op, const OpResult& result) override {
    g_record->ops_done = index + 1;
    if (enabled_) write_all(fd_, trace_.line(index, op, result) + "\n");
  }

 private:
  TraceFormatter trace_;
  int fd_;
  bool enabled_;
};

// The differential run: every heap, then the trace (each allocating call's answers, up to the
// finding) and the report. A heap that dies takes the child with it, as in a one-heap run.
[[noreturn]] void diff_child_main(int fd, const Program& program, const ChildRunOptions& options) {
  std::string error;
  std::unique_ptr<DiffRunner> runner =
      DiffRunner::create(options.diff_heaps, Protection::kStrict, &error);
  if (runner == nullptr) {
    write_all(fd, "allocfuzz: " + error + "\n");
    g_record->setup_failed = 1;
    _exit(kSetupFailedExit);
  }
  g_record->phase = kPhaseRunning;
  const std::optional<DiffFinding> finding = runner->run(program, CheckMode::kEveryOp);
  alarm(0);
  const size_t shown =
      finding ? std::min(finding->finding.op_index + 1, program.ops.size()) : program.ops.size();
  g_record->ops_done = shown;
  std::string heaps;
  for (size_t i = 0; i < runner->heap_count(); ++i) {
    heaps += (i == 0 ? "" : ", ") + std::string(runner->heap_name(i));
  }
  if (options.trace) {
    write_all(fd, "diff: " + heaps + "\n");
    for (size_t i = 0; i < shown; ++i) {
      std::string line = absl::StrFormat("%4d  %s", i, format_op(program.ops[i]));
      const std::string answers = runner->describe_answers(program, i);
      if (!answers.empty()) line.append(line.size() < 30 ? 30 - line.size() : 1, ' ') += answers;
      write_all(fd, line + "\n");
    }
  }
  if (finding) {
    write_all(fd, runner->format(program, *finding));
    copy_text(g_record->finding_kind, sizeof g_record->finding_kind, finding->finding.kind.c_str());
    g_record->finding_op = finding->finding.op_index;
  } else {
    write_all(fd, absl::StrFormat("ok: %d operations, the heaps agree (%s)\n", program.ops.size(),
                                  heaps));
  }
  g_record->phase = kPhaseDone;
  _exit(0);
}

[[noreturn]] void child_main(int fd, const Program& program, const HeapKind& kind,
                             const ChildRunOptions& options) {
  install_child_handlers(/*chain=*/!options.quiet);
  if (options.quiet) {
    const int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null_fd >= 0) dup2(null_fd, STDERR_FILENO);
  }
  if (options.timeout_seconds > 0) alarm(options.timeout_seconds);
  if (!options.diff_heaps.empty()) diff_child_main(fd, program, options);

  // The fuzzer's region size (a finding must replay), strict protection.
  RegionOptions region_options =
      program_region_options(program.header.placement, Protection::kStrict);
  PseudoBrk region;
  if (int rc = region.init(region_options); rc != 0) {
    write_all(fd, absl::StrFormat("allocfuzz: cannot reserve the %s region: %s\n",
                                  placement_name(region_options.placement), strerror(rc)));
    g_record->setup_failed = 1;
    _exit(kSetupFailedExit);
  }
  std::unique_ptr<TestedHeap> heap = kind.make(region);
  // `# defect:` (the parent checked the name already; this is the backstop).
  if (!program.header.defect.empty() && !heap->set_defect(program.header.defect)) {
    write_all(fd, absl::StrFormat("allocfuzz: heap '%s' has no defect '%s' in this build\n",
                                  std::string(kind.name), program.header.defect));
    g_record->setup_failed = 1;
    _exit(kSetupFailedExit);
  }
  Executor executor(region, *heap);
  ChildObserver observer(executor, fd, options.trace);

  g_record->phase = kPhaseRunning;
  const Outcome outcome = executor.run(program, CheckMode::kEveryOp, &observer);
  alarm(0);
  if (outcome.finding) {
    write_all(fd, format_report(program, *outcome.finding, *heap));
    copy_text(g_record->finding_kind, sizeof g_record->finding_kind, outcome.finding->kind.c_str());
    g_record->finding_op = outcome.finding->op_index;
  } else {
    write_all(fd, ok_summary(executor, outcome) + "\n");
  }
  g_record->phase = kPhaseDone;
  // _exit: no atexit handlers, no stdio flush of the parent's buffers, no leak check.
  _exit(0);
}

// format_report wants a heap for its map; a crash has no offset, so this one is never asked.
class NoHeap final : public TestedHeap {
 public:
  void* malloc(size_t) override { return nullptr; }
  void free(void*) override {}
  void* realloc(void*, size_t) override { return nullptr; }
  void* calloc(size_t, size_t) override { return nullptr; }
  size_t usable_size(const void*) override { return SIZE_MAX; }
  size_t alignment() const override { return 1; }
  std::optional<HeapFinding> check(bool, const void*, const LiveView&) override {
    return std::nullopt;
  }
  void reset() override {}
};

// How a child that died (rather than returned) ended, as a finding and its report. The kind
// does not depend on whether a sanitizer was there: a signal first is "crash:SIG...", a
// sanitizer report first is "sanitizer:WHAT", the alarm is "timeout".
void describe_death(const Program& program, const SharedRecord& record, int wait_status,
                    bool killed_for_time, unsigned timeout_seconds, ChildRunResult* result) {
  Finding finding;
  finding.oracle = Oracle::kSignal;
  const int caught = record.signal;
  const std::string from_sanitizer =
      record.sanitizer != 0 ? crash_kind_from_sanitizer(record.sanitizer_what) : "";
  if (killed_for_time || caught == SIGALRM) {
    finding.kind = "timeout";
    finding.message =
        absl::StrFormat("the program ran longer than the %d s limit (--timeout)", timeout_seconds);
  } else if (caught != 0) {
    finding.kind = "crash:" + signal_name(caught);
    finding.message = absl::StrFormat("the process received %s", signal_name(caught));
  } else if (!from_sanitizer.empty()) {
    finding.kind = from_sanitizer;
    finding.message = absl::StrFormat("the process received %s (as the sanitizer reported it)",
                                      from_sanitizer.substr(6));
  } else if (record.sanitizer != 0) {
    finding.kind = absl::StrFormat("sanitizer:%s", record.sanitizer_what);
    finding.oracle = Oracle::kSanitizer;
    finding.message =
        absl::StrFormat("a sanitizer reported %s during this operation (its report is on stderr)",
                        record.sanitizer_what);
  } else if (WIFSIGNALED(wait_status)) {
    finding.kind = "crash:" + signal_name(WTERMSIG(wait_status));
    finding.message =
        absl::StrFormat("the process was killed by %s", signal_name(WTERMSIG(wait_status)));
  } else {
    finding.kind = absl::StrFormat("crash:exit-%d", WEXITSTATUS(wait_status));
    finding.message =
        absl::StrFormat("the process exited with status %d", WEXITSTATUS(wait_status));
  }
  result->status = RunStatus::kViolation;
  result->kind = finding.kind;
  if (record.phase == kPhaseSetup) {
    result->op_index = SIZE_MAX;
    result->text = absl::StrFormat(
        "allocfuzz: violation %s before the first operation (while building the region and "
        "heap)\n  %s\n",
        finding.kind, finding.message);
    return;
  }
  // The handlers' view of the operation in flight; without one (SIGKILL, exit) the operation
  // after the last one completed.
  size_t op = caught != 0 || record.sanitizer != 0 ? record.op_at_death : record.ops_done;
  if (op == SIZE_MAX) op = record.ops_done;
  finding.op_index = op;
  result->op_index = op;
  result->text = format_report(program, finding, NoHeap());
}

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

std::string signal_name(int signal_number) {
  switch (signal_number) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGILL:
      return "SIGILL";
    case SIGFPE:
      return "SIGFPE";
    case SIGABRT:
      return "SIGABRT";
    case SIGTRAP:
      return "SIGTRAP";
    case SIGSYS:
      return "SIGSYS";
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGALRM:
      return "SIGALRM";
    default:
      return absl::StrFormat("SIG%d", signal_number);
  }
}

ChildRunResult run_program_in_child(const Program& program, const HeapKind& heap,
                                    const ChildRunOptions& options) {
  ChildRunResult result;
  auto fail = [&result](std::string message) {
    result.status = RunStatus::kSetupFailed;
    result.text = std::move(message);
    return result;
  };
  void* page = mmap(nullptr, sizeof(SharedRecord), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    return fail(absl::StrFormat("allocfuzz: cannot map a shared page: %s\n", strerror(errno)));
  }
  auto* record = new (page) SharedRecord{};
  record->op_at_death = SIZE_MAX;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    munmap(page, sizeof(SharedRecord));
    return fail(absl::StrFormat("allocfuzz: cannot make a pipe: %s\n", strerror(errno)));
  }
  fflush(nullptr);  // nothing buffered may be written twice
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    munmap(page, sizeof(SharedRecord));
    return fail(absl::StrFormat("allocfuzz: cannot fork: %s\n", strerror(errno)));
  }
  if (pid == 0) {
    close(fds[0]);
    g_record = record;
    child_main(fds[1], program, heap, options);
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
      result.kind = record->finding_kind;
      result.op_index = record->finding_op;
    }
  } else {
    ChildRunResult death;
    describe_death(program, *record, status, killed_for_time, options.timeout_seconds, &death);
    result.status = death.status;
    result.kind = std::move(death.kind);
    result.op_index = death.op_index;
    emit(options, death.text, &result);
  }
  munmap(page, sizeof(SharedRecord));
  return result;
}

}  // namespace allocfuzz
