// The fuzz targets the command line knows (fuzz/CMakeLists.txt builds them), for `list` and
// `run`. A new target is one row here.
#ifndef ALLOCFUZZ_REPRO_FUZZ_TARGETS_H_
#define ALLOCFUZZ_REPRO_FUZZ_TARGETS_H_

#include <string_view>

namespace allocfuzz {

struct FuzzTarget {
  std::string_view name;
  std::string_view description;
  // Its inputs are binary programs (FORMAT.md): `run` minimizes its artifacts into .ops files.
  bool takes_programs;
  // The target whose seeds (corpus/NAME), dictionary and options (fuzz/NAME.*) it uses: its
  // own name, or another target's when the inputs are the same.
  std::string_view inputs_of;
  // It compares heaps (diff_fuzzer): its artifacts are minimized and replayed with `# diff:`.
  bool compares_heaps = false;
};

inline constexpr FuzzTarget kFuzzTargets[] = {
    {"heap_fuzzer",
     "randomized malloc/calloc/realloc/free programs against a heap, judged by the shadow model "
     "and the heap checker",
     true, "heap_fuzzer"},
    {"diff_fuzzer",
     "the same programs on several heaps (--diff; default all), compared call by call: "
     "divergence:WHAT, or a heap's own violation",
     true, "heap_fuzzer", true},
    {"ops_text_fuzzer",
     "the .ops parser on any bytes; accepted text must round-trip through the printer", false,
     "ops_text_fuzzer"},
};

inline const FuzzTarget* find_fuzz_target(std::string_view name) {
  for (const FuzzTarget& target : kFuzzTargets) {
    if (target.name == name) return &target;
  }
  return nullptr;
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_FUZZ_TARGETS_H_
