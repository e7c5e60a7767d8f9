// The executor: runs a program against a heap on its region, with the shadow model and the
// heap's white-box checker judging every operation, and returns the first finding.
//
// Two check modes:
//   kEveryOp    the whole heap checker and every live block's contents after every
//               operation: the first operation that broke the heap is named exactly. For
//               replay, minimize, check and the tests.
//   kAmortized  after every operation the cheap checks (the result block and its neighbours:
//               contents and the heap's local check; foreign spans); the full checks when the
//               work since the last one exceeds the live block count, at `check` and at the
//               end. For fuzzing: the per-operation cost stays O(1) amortized, and replay
//               then names the exact operation.
// Both modes run the full checks at the end, so a program that passes in one passes in the
// other; the mode decides only how soon a finding is seen.
#ifndef ALLOCFUZZ_FUZZ_EXECUTOR_H_
#define ALLOCFUZZ_FUZZ_EXECUTOR_H_

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/oracle/shadow.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

enum class CheckMode : uint8_t { kEveryOp, kAmortized };

// "malloc(64)", "realloc(s2, 100)", "posix_memalign(&s0, 64, 100)": the call as the user wrote
// it, for messages; `slot_live` says whether realloc's slot held a block.
std::string call_text(const Op& op, bool slot_live);
// "ENOMEM", "EINVAL", ..., "0" for an errno the heap left unset, the number for one without a
// name.
std::string errno_name(int error);

// What an operation did, for traces.
struct OpResult {
  bool returned = false;  // malloc/calloc/realloc: a pointer came back (maybe NULL)
  bool null = false;      // it was NULL
  size_t offset = 0;      // Shadow::position of the payload when not NULL (a region offset)
  bool moved = false;     // realloc: the block moved
  bool applied = true;    // foreign-grow/foreign-release: the region did it
  // The heap (or, in a differential run, one of the heaps) lacks what the operation needs
  // (op_info(kind).needs): it was not run. `missing` holds the capabilities it lacked.
  bool skipped = false;
  CapabilitySet missing = 0;
  // An aligned call with an ALIGN the call does not accept, on a heap whose profile leaves that
  // undefined (BadAlignment::kNotAsked): not run either (skipped is set, missing is empty).
  bool undefined = false;
  // free_sized of a block from an aligned call, or free_aligned_sized of one from malloc,
  // calloc or realloc (C23 leaves both undefined): a plain free ran instead.
  bool mismatched = false;
  size_t usable = 0;  // usable: what the heap said (SIZE_MAX: it cannot tell)
  // For comparing heaps (fuzz/harness/diff_runner.h):
  bool slot_live = false;  // the operation's slot held a live block before it
  bool refused = false;    // the region refused a growth, or the heap its budget, in the call
  int error = 0;           // errno after a NULL result (0 when the heap left it alone)
};

class OpObserver {
 public:
  virtual ~OpObserver() = default;
  virtual void on_op(size_t index, const Op& op, const OpResult& result) = 0;
};

struct ExecStats {
  uint64_t ops = 0;
  uint64_t full_checks = 0;
  uint64_t near_checks = 0;
};

struct Outcome {
  std::optional<Finding> finding;
  ExecStats stats;
};

class Executor {
 public:
  // The heap must live on `region`. The executor resets both before each program.
  Executor(PseudoBrk& region, TestedHeap& heap);

  Outcome run(const Program& program, CheckMode mode, OpObserver* observer = nullptr);

  // run() in stages, for a caller that appends operations of its own once it has seen the
  // state (the drain probe, fuzz/harness/drain_probe.h): begin() resets region, heap and shadow
  // and applies the header; run_ops() executes `ops`, numbering them from `first_index` (the
  // index findings, observers and op_in_flight() see) and stops at the first finding; finish()
  // is the end-of-program full check, at index `end_index`. run() is begin, run_ops, finish.
  void begin(const ProgramHeader& header, CheckMode mode);
  std::optional<Finding> run_ops(const std::vector<Op>& ops, size_t first_index,
                                 OpObserver* observer = nullptr);
  std::optional<Finding> finish(size_t end_index);
  // Narrows the capabilities the executor uses to `allowed` and the heap's own: an operation
  // needing one outside them is skipped (OpResult::skipped). A differential run sets the
  // capabilities every one of its heaps has, so that all skip the same operations.
  void set_allowed(CapabilitySet allowed) { allowed_ = allowed; }
  CapabilitySet usable_capabilities() const { return allowed_ & heap_.capabilities(); }
  // Changes the check mode between stages (the probe checks its own steps in kEveryOp).
  void set_mode(CheckMode mode) { mode_ = mode; }
  const ExecStats& stats() const { return stats_; }

  // The index of the operation being executed, or SIZE_MAX: for signal handlers and the
  // sanitizers' death callback, which must name the operation in flight.
  static size_t op_in_flight();

  const Shadow& shadow() const { return shadow_; }
  TestedHeap& heap() const { return heap_; }
  PseudoBrk& region() const { return region_; }

 private:
  std::optional<Finding> step(const Op& op, OpResult* result);
  std::optional<Finding> allocate(const Op& op, OpResult* result);
  std::optional<Finding> reallocate(const Op& op, OpResult* result);
  // Frees the slot's live block: with free, or with `how` (free_sized, free_aligned_sized)
  // passing its requested size and alignment.
  std::optional<Finding> release(uint32_t slot, OpKind how = OpKind::kFree);
  // The new operations (executor_api.cc): the aligned calls, sized free and usable.
  std::optional<Finding> allocate_aligned(const Op& op, OpResult* result);
  // posix_memalign's half of allocate_aligned: its answer in *block (nullptr: none), or a
  // finding on its return value and *out.
  std::optional<Finding> call_posix_memalign(const Op& op, bool accepted, OpResult* result,
                                             char** block);
  std::optional<Finding> release_sized(const Op& op, OpResult* result);
  std::optional<Finding> use_usable(const Op& op, OpResult* result);
  // Growths the region refused plus requests the heap refused, so far: a NULL is fair when
  // this rose during the call.
  uint64_t refusals() const;
  // Runs one allocating call with errno cleared, and records in *result what came back.
  template <typename Call>
  char* call_heap(OpResult* result, Call call);
  std::optional<Finding> judge_null(const Op& op, size_t bytes, bool representable,
                                    const OpResult& result);
  // The white-box leak check (TestedHeap::check_empty), when the user has just given back
  // their last block.
  std::optional<Finding> leak_check();
  std::optional<Finding> after(size_t touched, const char* result);
  std::optional<Finding> full_check();
  std::optional<Finding> heap_check(bool full, const char* near);

  PseudoBrk& region_;
  TestedHeap& heap_;
  Shadow shadow_;
  CheckMode mode_ = CheckMode::kEveryOp;
  CapabilitySet allowed_ = kAllCapabilities;
  uint64_t work_since_full_ = 0;
  ExecStats stats_;
};

// In the header: executor.cc and executor_api.cc both call it with lambdas of their own.
template <typename Call>
char* Executor::call_heap(OpResult* result, Call call) {
  uint64_t refusals_before = refusals();
  errno = 0;
  char* p = static_cast<char*>(call());
  result->returned = true;
  result->null = p == nullptr;
  result->error = p == nullptr ? errno : 0;
  result->refused = refusals() > refusals_before;
  return p;
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_EXECUTOR_H_
