// What the harness reports: the violation vocabulary of DESIGN.md section 6, and a finding.
#ifndef ALLOCFUZZ_FUZZ_FINDING_H_
#define ALLOCFUZZ_FUZZ_FINDING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace allocfuzz {

// The shadow model's kinds: X(enumerator, text). Heap-checker findings are
// "heap-invariant:ID" (allocator/free_array/heap_checker.h); signals are "crash:SIGNAME".
// clang-format off
#define ALLOCFUZZ_SHADOW_KINDS(X)                  \
  X(kOverlap, "overlap")                           \
  X(kMisaligned, "misaligned")                     \
  X(kOutOfRegion, "out-of-region")                 \
  X(kContentCorrupted, "content-corrupted")        \
  X(kReallocLostData, "realloc-lost-data")         \
  X(kCallocNotZero, "calloc-not-zero")             \
  X(kUsableTooSmall, "usable-too-small")           \
  X(kSpuriousNull, "spurious-null")                \
  X(kForeignClobbered, "foreign-clobbered")        \
  X(kApiContract, "api-contract")
// clang-format on

enum class ShadowKind : uint8_t {
#define ALLOCFUZZ_X(e, text) e,
  ALLOCFUZZ_SHADOW_KINDS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

inline constexpr std::string_view kShadowKindText[] = {
#define ALLOCFUZZ_X(e, text) text,
    ALLOCFUZZ_SHADOW_KINDS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

inline std::string_view shadow_kind_text(ShadowKind kind) {
  return kShadowKindText[static_cast<size_t>(kind)];
}

// Which oracle saw it first. kDifferential: heaps disagreed on one program
// (fuzz/harness/diff_runner.h).
enum class Oracle : uint8_t { kShadow, kHeapChecker, kSanitizer, kSignal, kDifferential };
inline std::string_view oracle_name(Oracle o) {
  switch (o) {
    case Oracle::kShadow:
      return "shadow model";
    case Oracle::kHeapChecker:
      return "heap checker";
    case Oracle::kSanitizer:
      return "sanitizer";
    case Oracle::kSignal:
      return "signal";
    case Oracle::kDifferential:
      return "differential comparison";
  }
  return "?";
}

struct Finding {
  std::string kind;  // "overlap", "heap-invariant:free-tag", "crash:SIGSEGV"
  Oracle oracle = Oracle::kShadow;
  size_t op_index = 0;       // the operation during or right after which it was seen
  std::string message;       // one line, region offsets only
  size_t offset = SIZE_MAX;  // where to centre the heap map, or SIZE_MAX
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_FINDING_H_
