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
};

inline constexpr FuzzTarget kFuzzTargets[] = {
    {"heap_fuzzer",
     "randomized malloc/calloc/realloc/free programs against a heap, judged by the shadow model "
     "and the heap checker",
     true},
    {"ops_text_fuzzer",
     "the .ops parser on any bytes; accepted text must round-trip through the printer", false},
};

inline const FuzzTarget* find_fuzz_target(std::string_view name) {
  for (const FuzzTarget& target : kFuzzTargets) {
    if (target.name == name) return &target;
  }
  return nullptr;
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_FUZZ_TARGETS_H_
