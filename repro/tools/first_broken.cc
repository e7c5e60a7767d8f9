// The scan for the first broken operation; see first_broken.h.
#include "repro/tools/first_broken.h"

#include <absl/strings/str_format.h>

#include <ctime>
#include <map>
#include <memory>

#include "allocator/region/pseudo_brk.h"
#include "repro/tools/child_run.h"

namespace allocfuzz {
namespace {

double seconds_now() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

std::string operation_name(size_t op, size_t op_count) {
  return op >= op_count ? std::string("the end of the program")
                        : absl::StrFormat("operation %d", op);
}

}  // namespace

bool heap_has_checker(const HeapKind& kind) {
  static std::map<const HeapKind*, bool> known;
  if (auto it = known.find(&kind); it != known.end()) return it->second;
  PseudoBrk region;
  RegionOptions options;
  options.reserve_bytes = size_t{1} << 16;
  bool has = false;
  if (region.init(options) == 0) has = kind.make(region)->has_checker();
  known[&kind] = has;
  return has;
}

FirstBroken find_first_broken(const Program& program, const HeapKind& heap, size_t symptom,
                              const FirstBrokenBudget& budget) {
  FirstBroken result;
  result.symptom = symptom;
  result.op = symptom;
  const size_t end = std::min(symptom, program.ops.size());
  const double deadline = seconds_now() + budget.max_seconds;
  uint64_t ops_run = 0;
  ChildRunOptions options;
  options.quiet = true;  // a probe that crashes would print a sanitizer report for each probe
  options.timeout_seconds = budget.probe_timeout_seconds;
  for (size_t i = 0; i < end; ++i) {
    // The budgets are checked before each probe, so the same program stops at the same place
    // on every machine unless the clock, the backstop, ends it first.
    std::string stop;
    if (result.probes >= budget.max_probes) stop = absl::StrFormat("%d probes", budget.max_probes);
    if (stop.empty() && ops_run + i + 1 > budget.max_ops) {
      stop = absl::StrFormat("%d operations", budget.max_ops);
    }
    if (stop.empty() && seconds_now() > deadline) {
      stop = absl::StrFormat("%d s", static_cast<int>(budget.max_seconds));
    }
    if (!stop.empty()) {
      result.budget_hit = true;
      result.budget = stop;
      return result;
    }
    options.drain_after = i;
    const ChildRunResult probe = run_program_in_child(program, heap, options);
    ++result.probes;
    ops_run += i + 1;
    // A probe that cannot start says nothing of the heap; one whose prefix fails (a heap that
    // does not repeat itself) neither: both count as passing.
    if (probe.status != RunStatus::kViolation) continue;
    if (probe.op_index == SIZE_MAX || probe.op_index <= i) continue;
    result.op = i;
    result.probe_failed = true;
    result.kind = probe.kind;
    result.step = probe.op_index - (i + 1);
    result.message = probe.message;
    return result;
  }
  return result;
}

std::string first_broken_line(const FirstBroken& result, size_t op_count) {
  const std::string symptom = "symptom at " + operation_name(result.symptom, op_count);
  if (result.probe_failed) {
    return absl::StrFormat(
        "heap first broken at operation %d (the probe after it fails with %s at its step %d: "
        "%s), %s",
        result.op, result.kind.text(), result.step, result.message, symptom);
  }
  if (result.budget_hit) {
    const std::string scanned =
        result.probes == 0
            ? std::string("no probe ran")
            : absl::StrFormat("no probe after operations 0 .. %d fails", result.probes - 1);
    return absl::StrFormat("%s (the search stopped at its budget of %s), %s", scanned,
                           result.budget, symptom);
  }
  return absl::StrFormat("heap first broken at %s (no probe after an earlier operation fails), %s",
                         operation_name(result.symptom, op_count), symptom);
}

}  // namespace allocfuzz
