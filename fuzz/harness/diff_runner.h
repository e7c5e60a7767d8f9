// DiffRunner: one program on several heaps, each on its own regions with its own executor and
// shadow model, and a comparison of what they returned, operation by operation. It reports
// the earliest of
//   - a heap's own violation (its shadow model, heap checker), tagged with the heap's name;
//   - a divergence: heaps that answered the same call differently where a correct heap has
//     no freedom to, or where C leaves the choice to the implementation and the heaps made
//     different ones (malloc(0), realloc(p, 0)), which a program written against one of
//     them would trip over on another. The kinds, "divergence:WHAT":
//
//   null             NULL from some heaps and a block from others for a request that is none
//                    of the cases below
//   malloc-zero      malloc(0), calloc with a zero count or size: NULL versus a block
//   realloc-zero     realloc(p, 0) of a live block: freed (NULL) versus a block
//   realloc-null     realloc(NULL, n): NULL versus a block
//   calloc-overflow  calloc(count, size) whose product overflows: NULL versus a block
//   huge             a request larger than the region: NULL versus a block
//   errno            every heap that failed returned NULL, but with different errno values
//
// A difference the heaps' behaviour profiles explain (fuzz/heaps/heap_traits.h) is no finding:
// malloc-zero, realloc-zero and errno (and a bad alignment's answer) are choices C and POSIX
// leave to the implementation, and when every heap answered as its profile declares, the
// difference is what their users were told to expect. It is recorded instead (explanation())
// and printed in the trace with the profile lines. A heap that answered against its own
// profile keeps the divergence.
//
// Operations are compared only among heaps that all have what they need: the runner narrows
// every executor to the capabilities all its heaps share (Executor::set_allowed), so an
// operation one heap lacks is skipped on all of them.
//
// "The same conditions": NULL versus a block is compared only when no heap's region (or
// budget) refused memory during the call, and only when every heap's slot held the same thing
// before it (a fair NULL earlier leaves the heaps in different states; later operations on
// that slot are not comparable). errno is compared among the heaps whose NULL is a failure,
// which excludes realloc(p, 0)'s freeing NULL and the NULL of a zero-byte request.
//
// A heap's own judgement comes first at the same operation, so some kinds are backstops: a
// NULL without a refusal for a non-zero request is already the heap's own spurious-null, and a
// block for an overflowing calloc its own api-contract. With such heaps `null` and
// `calloc-overflow` are seen as those violations instead; they complete the classification.
//
// Heaps run in the order given; reports list them in that order, and name blocks only by
// slot, so a report is the same on every run.
#ifndef ALLOCFUZZ_FUZZ_DIFF_RUNNER_H_
#define ALLOCFUZZ_FUZZ_DIFF_RUNNER_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

// The divergence kinds are ALLOCFUZZ_DIVERGENCE_KINDS in fuzz/oracle/finding_kind.h, the one
// table of violation kinds; they mean what is listed above.

struct DiffFinding {
  Finding finding;   // kind divergence:WHAT, or the heap's own kind
  std::string heap;  // the heap whose own violation it is; empty for a divergence
};

class DiffRunner {
 public:
  // Makes each heap on its own regions (both placements, the program region's size). Returns
  // null and says why in *error when a region cannot be reserved.
  static std::unique_ptr<DiffRunner> create(const std::vector<const HeapKind*>& kinds,
                                            Protection protection, std::string* error);
  ~DiffRunner();

  std::optional<DiffFinding> run(const Program& program, CheckMode mode);

  size_t heap_count() const { return lanes_.size(); }
  std::string_view heap_name(size_t i) const;
  // Each heap's results, operation by operation, of the last run (up to its first finding).
  const std::vector<OpResult>& results(size_t i) const;
  // What the heaps answered at operation `index` of the last run, grouped by answer in heap
  // order: "free-array, kr: a block; glibc: NULL, ENOMEM". Empty for an operation that returns
  // nothing, or that not every heap reached.
  std::string describe_answers(const Program& program, size_t index) const;
  // The profile field that explained a difference at operation `index` of the last run, with
  // the heaps grouped by its value: "malloc(0): block (free-array, glibc); NULL (x)", or empty.
  std::string explanation(size_t index) const;
  // How many differences of the last run the profiles explained.
  size_t explained_count() const { return explained_.size(); }
  // The capabilities every heap has: what the runner lets its executors use.
  CapabilitySet shared_capabilities() const { return shared_; }
  // The report of a finding: format_report's, with the heap named, or the divergence.
  std::string format(const Program& program, const DiffFinding& finding) const;

 private:
  struct Lane;
  DiffRunner() = default;
  struct Explained {
    size_t index;
    ProfileField field;
  };
  std::optional<DiffFinding> compare(const Program& program, size_t index);
  // Whether every heap's answer at `index` is the one its profile declares for `field`.
  bool answers_follow_profiles(size_t index, ProfileField field) const;

  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<Explained> explained_;  // of the last run, by operation index
  CapabilitySet shared_ = kAllCapabilities;
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_DIFF_RUNNER_H_
