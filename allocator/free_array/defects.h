// The historical defects of the seed's upstream allocator (docs/DESIGN.md section 7), as switches
// of FreeArrayHeap. Each one re-creates a bug class so that the harness can show, on every
// change, that it still finds it within seconds.
//
// The switches exist only in harness builds: in the release preset kDefectsCompiledIn
// (allocator/base/build_config.h) is false, FreeArrayHeap::defect<D>() (the one test used at
// every site) is a constant false, and the optimizer removes every defect branch.
#ifndef ALLOCFUZZ_ALLOCATOR_DEFECTS_H_
#define ALLOCFUZZ_ALLOCATOR_DEFECTS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "allocator/base/build_config.h"

namespace allocfuzz {

// X(enumerator, name in `# defect:`, what goes wrong)
// clang-format off
#define ALLOCFUZZ_DEFECTS_TABLE(X)                                                             \
  X(kAddr32, "addr32",                                                                         \
    "free-array entries keep only the low 32 bits of block positions (fine below 4 GiB only)") \
  X(kSharedBreak, "shared-break",                                                              \
    "grows from its own recorded break without looking, and lowers the break even when "     \
    "another party owns memory above it")                                                      \
  X(kSmallGrow, "small-grow",                                                                  \
    "realloc returns the same block unchanged when growing by at most 16 bytes")               \
  X(kStaleLargest, "stale-largest",                                                            \
    "the scan that stops at an exact fit still overwrites the largest-free bound with the "    \
    "largest size seen so far, so later requests skip blocks that fit")                        \
  X(kZeroSize, "zero-size",                                                                    \
    "the size computation for malloc(0) wraps and yields a block too small for header + tag")  \
  X(kPrevMoveTag, "prev-move-tag",                                                             \
    "realloc growing into the free predecessor leaves the moved block's PREV_FREE flag wrong") \
  X(kGapReuse, "gap-reuse",                                                                    \
    "adding a free entry while gaps exist writes past the array's last entry, not into a gap") \
  X(kDoubleAlign, "double-align", "realloc's fallback rounds the size twice")
// clang-format on

enum class Defect : uint8_t {
#define ALLOCFUZZ_X(e, name, what) e,
  ALLOCFUZZ_DEFECTS_TABLE(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

struct DefectInfo {
  Defect defect;
  std::string_view name;
  std::string_view what;
};

inline constexpr DefectInfo kDefects[] = {
#define ALLOCFUZZ_X(e, name, what) {Defect::e, name, what},
    ALLOCFUZZ_DEFECTS_TABLE(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

inline std::optional<Defect> defect_by_name(std::string_view name) {
  for (const DefectInfo& d : kDefects) {
    if (d.name == name) return d.defect;
  }
  return std::nullopt;
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_ALLOCATOR_DEFECTS_H_
