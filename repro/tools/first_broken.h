// The first broken operation of a heap that has no white-box checker of ours (glibc, plugins):
// when such a heap shows a symptom at operation k, the damage may be older. The earliest
// operation i <= k after which the heap is already broken is found with the drain probe
// (fuzz/harness/drain_probe.h): operations 0 .. i on a fresh heap, then "free everything,
// allocate the same sizes and a few others, check, free them", in a child of its own
// (child_run.h), so that a probe that crashes is a failing probe, not a dead tool.
//
// Brokenness is not monotone (a later operation may free or overwrite the damaged block and so
// hide it again), so the search does not bisect: it scans i = 0, 1, ... and stops at the
// first probe that fails, which is the definition. It is deterministic and bounded: at most
// kMaxProbes probes and kMaxProbeOps operations in all (the program's own and the probes'),
// and a wall-clock budget as the backstop; the line says when a budget ended the scan.
//
// replay prints the line after the report; it is built to serve any report of a finding
// (`run` may print it for each bucket's repro).
#ifndef ALLOCFUZZ_REPRO_TOOLS_FIRST_BROKEN_H_
#define ALLOCFUZZ_REPRO_TOOLS_FIRST_BROKEN_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/finding_kind.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

inline constexpr size_t kMaxProbes = 2000;
inline constexpr uint64_t kMaxProbeOps = 4'000'000;

struct FirstBrokenBudget {
  size_t max_probes = kMaxProbes;
  uint64_t max_ops = kMaxProbeOps;  // the program's operations each probe runs, summed
  double max_seconds = 60.0;        // the backstop; the only budget that depends on the machine
  unsigned probe_timeout_seconds = 60;
};

struct FirstBroken {
  size_t symptom = 0;         // k: the operation of the symptom (ops.size(): the final check)
  size_t op = 0;              // i: the first broken operation (k when no probe before it failed)
  bool probe_failed = false;  // a probe after an operation before k failed
  FindingKind kind;           // with probe_failed: how the probe failed ...
  size_t step = 0;            // ... at which of its steps ...
  std::string message;        // ... and its message
  size_t probes = 0;          // probes run
  bool budget_hit = false;    // the scan ended at a budget before reaching k
  std::string budget;         // which one: "2000 probes", "4000000 operations", "60 s"
};

// Whether a heap of this kind has a white-box checker (TestedHeap::has_checker), asked of a
// throwaway instance on a small region of its own; remembered per heap.
bool heap_has_checker(const HeapKind& kind);

// Scans i = 0 .. min(k, ops.size()) - 1 for the first probe that fails. `symptom` is k
// (< SIZE_MAX).
FirstBroken find_first_broken(const Program& program, const HeapKind& heap, size_t symptom,
                              const FirstBrokenBudget& budget = FirstBrokenBudget{});

// The one line (no newline):
//   heap first broken at operation 3 (the probe after it fails with overlap at its step 4:
//   MESSAGE), symptom at operation 6
//   heap first broken at operation 6 (no probe after an earlier operation fails), symptom at
//   operation 6
// and, when a budget ended the scan, "no probe after operations 0 .. 41 fails (the search
// stopped at its budget of 60 s), symptom at operation 900". The end of the program is named
// "the end of the program" instead of "operation N".
std::string first_broken_line(const FirstBroken& result, size_t op_count);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_TOOLS_FIRST_BROKEN_H_
