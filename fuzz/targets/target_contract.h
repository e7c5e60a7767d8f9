// The contract between a fuzz target and whatever starts it (`allocfuzz run` with either engine,
// `cmin`, `coverage`, ci/gate.sh, ClusterFuzzLite): the table of targets, the environment
// variables a target reads, the spelling of a heap list, and the one builder of a target's
// environment. Both sides include this header, so they cannot disagree.
//
// Invariants:
//   - A target reads its settings only from the variables of kTargetVariables.
//   - target_environment() names every one of them, either to set or to unset: a target
//     started by the command line never runs with a setting inherited from the caller's shell
//     that the command line did not check and will not minimize or replay with.
//   - A heap list is "all", or two or more distinct registered heap names, separated by
//     kHeapListSeparator with nothing else around them.
#ifndef ALLOCFUZZ_FUZZ_TARGETS_TARGET_CONTRACT_H_
#define ALLOCFUZZ_FUZZ_TARGETS_TARGET_CONTRACT_H_

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

// --- The targets. ---------------------------------------------------------------------------
// X(NAME, INPUTS_OF, TAKES_PROGRAMS, COMPARES_HEAPS, DESCRIPTION), one row per fuzz target:
//   NAME            the binary, built from fuzz/targets/NAME.cc (fuzz/CMakeLists.txt reads the
//                   rows: a new target is one row and its source file)
//   INPUTS_OF       the target whose seeds (corpus/INPUTS_OF), dictionary and options
//                   (fuzz/targets/INPUTS_OF.dict, .options) it uses: its own name, or another
//                   target's when the inputs are the same
//   TAKES_PROGRAMS  its inputs are binary programs (FORMAT.md): it links the heaps, and `run`
//                   minimizes its artifacts into .ops files
//   COMPARES_HEAPS  it compares heaps (ALLOCFUZZ_DIFF_HEAPS): its artifacts are minimized and
//                   replayed with `# diff:`
// Each row stays on its first line up to the description (CMake matches it there).
// clang-format off
#define ALLOCFUZZ_FUZZ_TARGETS(X)                                                               \
  X(heap_fuzzer, heap_fuzzer, true, false,                                                      \
    "randomized malloc/calloc/realloc/free programs against a heap, judged by the shadow model " \
    "and the heap checker")                                                                     \
  X(diff_fuzzer, heap_fuzzer, true, true,                                                       \
    "the same programs on several heaps (--diff; default all), compared call by call: "         \
    "divergence:WHAT, or a heap's own violation")                                               \
  X(ops_text_fuzzer, ops_text_fuzzer, false, false,                                             \
    "the .ops parser on any bytes; accepted text must round-trip through the printer")
// clang-format on

struct FuzzTarget {
  std::string_view name;
  std::string_view inputs_of;
  bool takes_programs;
  bool compares_heaps;
  std::string_view description;
};

#define ALLOCFUZZ_TARGET_ROW(name, inputs_of, programs, compares, description) \
  FuzzTarget{#name, #inputs_of, programs, compares, description},
inline constexpr FuzzTarget kFuzzTargets[] = {ALLOCFUZZ_FUZZ_TARGETS(ALLOCFUZZ_TARGET_ROW)};
#undef ALLOCFUZZ_TARGET_ROW

inline const FuzzTarget* find_fuzz_target(std::string_view name) {
  for (const FuzzTarget& target : kFuzzTargets) {
    if (target.name == name) return &target;
  }
  return nullptr;
}

// --- The environment variables a target reads. ----------------------------------------------
// The heap heap_fuzzer (and each plugin's NAME_fuzzer) runs; unset: the target's own default.
inline constexpr char kHeapVariable[] = "ALLOCFUZZ_HEAP";
// The historical defect switched on in that heap (allocator/free_array/defects.h); unset: none.
inline constexpr char kDefectVariable[] = "ALLOCFUZZ_DEFECT";
// The heaps diff_fuzzer compares, a heap list; unset: every registered heap.
inline constexpr char kDiffHeapsVariable[] = "ALLOCFUZZ_DIFF_HEAPS";
// The operation families the program targets leave out (fuzz/program/families.h: all, or
// -FAMILY,...): their operations are skipped in decoding, so the fuzzer explores the rest;
// unset: none left out.
inline constexpr char kOpsVariable[] = "ALLOCFUZZ_OPS";
inline constexpr const char* kTargetVariables[] = {kHeapVariable, kDefectVariable,
                                                   kDiffHeapsVariable, kOpsVariable};

// --- Heap lists: "free-array,kr", or "all". --------------------------------------------------
inline constexpr char kHeapListSeparator = ',';
inline constexpr std::string_view kAllHeaps = "all";

// Every separator separates: "" is one empty name and "a,,b" has an empty one in the middle,
// which check_heap_list() then refuses. Nothing is trimmed.
inline std::vector<std::string> split_heap_list(std::string_view text) {
  std::vector<std::string> names;
  for (;;) {
    const size_t separator = text.find(kHeapListSeparator);
    names.emplace_back(text.substr(0, separator));
    if (separator == std::string_view::npos) return names;
    text.remove_prefix(separator + 1);
  }
}

inline std::string join_heap_list(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) {
    if (!text.empty()) text += kHeapListSeparator;
    text += name;
  }
  return text;
}

// Whether `names` is all, or two or more names of the heaps registered now.
inline bool is_all_heaps(const std::vector<std::string>& names) {
  return names.size() == 1 && names[0] == kAllHeaps;
}

enum class HeapListProblem {
  kNone,
  kTooFew,   // neither all nor two or more names
  kUnknown,  // `heap` is no registered heap
  kTwice,    // `heap` is named twice
};

struct HeapListCheck {
  HeapListProblem problem = HeapListProblem::kNone;
  std::string heap;  // the offending name, for kUnknown and kTwice
};

// The first problem of the list in this order: too few names, then per name in order, an
// unknown heap or one named before.
inline HeapListCheck check_heap_list(const std::vector<std::string>& names) {
  if (is_all_heaps(names)) return {};
  if (names.size() < 2) return {HeapListProblem::kTooFew, ""};
  for (size_t i = 0; i < names.size(); ++i) {
    if (find_heap_kind(names[i]) == nullptr) return {HeapListProblem::kUnknown, names[i]};
    for (size_t j = 0; j < i; ++j) {
      if (names[j] == names[i]) return {HeapListProblem::kTwice, names[i]};
    }
  }
  return {};
}

// --- A target's environment. ------------------------------------------------------------------
struct TargetEnvironment {
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> unset;
};

// What the starter wants the target to run; empty: the target's default.
struct TargetSettings {
  std::string heap;                     // kHeapVariable; empty: the target's default heap
  std::string defect;                   // kDefectVariable; empty: no defect
  std::vector<std::string> diff_heaps;  // kDiffHeapsVariable; empty or all: every heap
  std::string ops;                      // kOpsVariable, e.g. "-foreign"; empty: none left out
};

// The one builder: every variable of kTargetVariables is in `set` or in `unset`, in the
// table's order.
inline TargetEnvironment target_environment(const TargetSettings& settings) {
  TargetEnvironment env;
  auto put = [&env](const char* variable, const std::string& value) {
    if (value.empty()) {
      env.unset.emplace_back(variable);
    } else {
      env.set.emplace_back(variable, value);
    }
  };
  put(kHeapVariable, settings.heap);
  put(kDefectVariable, settings.defect);
  put(kDiffHeapsVariable,
      is_all_heaps(settings.diff_heaps) ? "" : join_heap_list(settings.diff_heaps));
  put(kOpsVariable, settings.ops);
  return env;
}

// Applies `env` to this process's environment: what a starter calls in the child between fork
// and exec (setenv and unsetenv only).
inline void apply_target_environment(const TargetEnvironment& env) {
  for (const auto& [name, value] : env.set) setenv(name.c_str(), value.c_str(), 1);
  for (const std::string& name : env.unset) unsetenv(name.c_str());
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_TARGETS_TARGET_CONTRACT_H_
