// The child's run of one program; see child_main.h.
#include "repro/tools/child_main.h"

#include <absl/strings/str_format.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/diff_runner.h"
#include "fuzz/harness/drain_probe.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/heap_lane.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/oracle/report.h"
#include "repro/tools/child_hooks.h"
#include "repro/tools/trace.h"

namespace allocfuzz {
namespace {

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone; nothing to tell anyone
    text.remove_prefix(static_cast<size_t>(n));
  }
}

[[noreturn]] void setup_failed(int fd, ChildRecord* record, std::string_view message) {
  write_all(fd, message);
  record->setup_failed = 1;
  _exit(kSetupFailedExit);
}

void record_finding(ChildRecord* record, const Finding& finding) {
  copy_text(record->finding_kind, sizeof record->finding_kind, finding.kind.text().c_str());
  record->finding_op = finding.op_index;
  copy_text(record->finding_message, sizeof record->finding_message, finding.message.c_str());
}

// Streams trace lines as the operations complete and counts them, so that a death that no
// handler saw (SIGKILL) is still placed at the next operation.
class ChildObserver final : public OpObserver {
 public:
  ChildObserver(const Executor& executor, ChildRecord* record, int fd, bool trace)
      : trace_(executor), record_(record), fd_(fd), enabled_(trace) {}

  void on_op(size_t index, const Op& op, const OpResult& result) override {
    record_->ops_done = index + 1;
    if (enabled_) write_all(fd_, trace_.line(index, op, result) + "\n");
  }

 private:
  TraceFormatter trace_;
  ChildRecord* record_;
  int fd_;
  bool enabled_;
};

// The differential run: every heap, then the trace (each allocating call's answers, up to the
// finding) and the report. A heap that dies takes the child with it, as in a one-heap run.
[[noreturn]] void diff_child_main(int fd, ChildRecord* record, const Program& program,
                                  const ChildRunOptions& options) {
  std::string error;
  std::unique_ptr<DiffRunner> runner =
      DiffRunner::create(options.diff_heaps, Protection::kStrict, &error);
  if (runner == nullptr) setup_failed(fd, record, "allocfuzz: " + error + "\n");
  record->phase = kPhaseRunning;
  const std::optional<DiffFinding> finding = runner->run(program, CheckMode::kEveryOp);
  alarm(0);
  const size_t shown =
      finding ? std::min(finding->finding.op_index + 1, program.ops.size()) : program.ops.size();
  record->ops_done = shown;
  if (options.trace) write_all(fd, diff_trace(program, *runner, shown));
  if (finding) {
    write_all(fd, runner->format(program, *finding));
    record_finding(record, finding->finding);
  } else {
    const size_t explained = runner->explained_count();
    write_all(fd, absl::StrFormat("ok: %d operations, the heaps agree (%s)%s\n", program.ops.size(),
                                  diff_heap_names(*runner),
                                  explained == 0
                                      ? std::string()
                                      : absl::StrFormat(", %d difference%s explained "
                                                        "by their profiles",
                                                        explained, explained == 1 ? "" : "s")));
  }
  record->phase = kPhaseDone;
  _exit(0);
}

// The drain probe after operation options.drain_after: the program's own operations checked as
// the fuzzer checks them (they passed in kEveryOp already, up to the symptom), the probe's
// steps in kEveryOp. Writes only the finding's message; the parent reads the record.
[[noreturn]] void drain_child_main(int fd, ChildRecord* record, const Program& program,
                                   size_t drain_after, Executor& executor) {
  const DrainProbeResult probe =
      run_drain_probe(executor, program, drain_after, CheckMode::kAmortized);
  alarm(0);
  if (probe.finding) {
    write_all(fd, probe.finding->message + "\n");
    record_finding(record, *probe.finding);
  }
  record->phase = kPhaseDone;
  _exit(0);
}

}  // namespace

void child_main(int fd, ChildRecord* record, const Program& program, const HeapKind& kind,
                const ChildRunOptions& options) {
  install_child_hooks(record, /*chain=*/!options.quiet);
  if (options.quiet) {
    const int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null_fd >= 0) dup2(null_fd, STDERR_FILENO);
  }
  if (options.timeout_seconds > 0) alarm(options.timeout_seconds);
  if (!options.diff_heaps.empty()) diff_child_main(fd, record, program, options);

  // The fuzzer's region size (a finding must replay), strict protection.
  RegionOptions region_options =
      program_region_options(program.header.placement, Protection::kStrict);
  HeapLane lane;
  if (int rc = lane.init(kind, region_options); rc != 0) {
    setup_failed(fd, record,
                 absl::StrFormat("allocfuzz: cannot reserve the %s region: %s\n",
                                 placement_name(region_options.placement), strerror(rc)));
  }
  TestedHeap& heap = *lane.heap;
  Executor& executor = *lane.executor;
  // `# defect:` (the parent checked the name already; this is the backstop).
  if (!program.header.defect.empty() && !heap.set_defect(program.header.defect)) {
    setup_failed(fd, record,
                 absl::StrFormat("allocfuzz: heap '%s' has no defect '%s' in this build\n",
                                 std::string(kind.name), program.header.defect));
  }
  ChildObserver observer(executor, record, fd, options.trace);

  record->phase = kPhaseRunning;
  if (options.drain_after != SIZE_MAX)
    drain_child_main(fd, record, program, options.drain_after, executor);
  const Outcome outcome = executor.run(program, CheckMode::kEveryOp, &observer);
  alarm(0);
  if (outcome.finding) {
    write_all(fd, format_report(program, *outcome.finding, heap));
    record_finding(record, *outcome.finding);
  } else {
    write_all(fd, ok_summary(executor, outcome) + "\n");
  }
  record->phase = kPhaseDone;
  _exit(0);
}

}  // namespace allocfuzz
