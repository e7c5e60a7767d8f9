// Naming a child's death; see child_death.h.
#include "repro/tools/child_death.h"

#include <absl/strings/str_format.h>
#include <sys/wait.h>

#include <csignal>

#include "fuzz/oracle/finding.h"
#include "fuzz/oracle/report.h"

namespace allocfuzz {
namespace {

// format_report wants a heap for its map; a death has no offset, so this one is never asked.
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

// The finding without its operation: kind, oracle and message.
Finding classify(const ChildRecord& record, int wait_status, bool killed_for_time,
                 unsigned timeout_seconds) {
  Finding finding;
  const int caught = record.signal;
  if (killed_for_time || caught == SIGALRM) {
    finding.kind = FindingKind::timeout();
    finding.oracle = finding.kind.oracle();
    finding.message =
        absl::StrFormat("the program ran longer than the %d s limit (--timeout)", timeout_seconds);
    return finding;
  }
  if (caught != 0) {
    finding.kind = FindingKind::signal(caught);
    finding.oracle =
        caught == SIGABRT && record.heap_fatal != 0 ? Oracle::kHeapFatal : finding.kind.oracle();
    finding.message = absl::StrFormat("the process received %s", signal_name(caught));
    return finding;
  }
  if (record.sanitizer != 0 || record.ubsan != 0) {
    std::string error;
    // The child printed the kind with FindingKind::text: it parses back (asan:report if not).
    const std::optional<FindingKind> kind = parse_finding_kind(record.sanitizer_kind, &error);
    finding.kind = kind ? *kind : FindingKind::asan("report");
    finding.oracle = finding.kind.oracle();
    if (finding.kind.category() == FindingCategory::kCrash) {
      finding.message = absl::StrFormat("the process received %s (as the sanitizer reported it)",
                                        finding.kind.detail());
    } else {
      finding.message = absl::StrFormat(
          "the sanitizer reported %s during this operation (its report is on stderr)",
          record.sanitizer_what);
    }
    return finding;
  }
  if (WIFSIGNALED(wait_status)) {
    finding.kind = FindingKind::signal(WTERMSIG(wait_status));
    finding.oracle = finding.kind.oracle();
    finding.message =
        absl::StrFormat("the process was killed by %s", signal_name(WTERMSIG(wait_status)));
    return finding;
  }
  finding.kind = FindingKind::exit_status(WEXITSTATUS(wait_status));
  finding.oracle = finding.kind.oracle();
  finding.message = absl::StrFormat("the process exited with status %d", WEXITSTATUS(wait_status));
  return finding;
}

}  // namespace

ChildDeath describe_death(const Program& program, const ChildRecord& record, int wait_status,
                          bool killed_for_time, unsigned timeout_seconds) {
  Finding finding = classify(record, wait_status, killed_for_time, timeout_seconds);
  // A frame only for the deaths a handler saw (not a timeout, nor an exit).
  if ((record.signal != 0 && record.signal != SIGALRM) || record.sanitizer != 0 ||
      record.ubsan != 0) {
    finding.frame = record.frame;
  }
  ChildDeath death;
  death.kind = finding.kind;
  death.message = finding.message;
  death.frame = finding.frame;
  if (record.phase == kPhaseSetup) {
    death.text = absl::StrFormat(
        "allocfuzz: violation %s before the first operation (while building the region and "
        "heap)\n  %s\n",
        finding.kind.text(), finding.message);
    if (!finding.frame.empty()) death.text += "  in the heap under test: " + finding.frame + "\n";
    return death;
  }
  // The handlers' view of the operation in flight; without one (SIGKILL, exit) the operation
  // after the last one completed.
  size_t op = record.signal != 0 || record.sanitizer != 0 ? record.op_at_death : record.ops_done;
  if (op == SIZE_MAX) op = record.ops_done;
  finding.op_index = op;
  death.op_index = op;
  death.text = format_report(program, finding, NoHeap());
  return death;
}

}  // namespace allocfuzz
