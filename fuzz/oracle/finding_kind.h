// The violation vocabulary (docs/DESIGN.md section 6) as one table: every kind of finding the tree
// produces, its printed form, and the oracle that reports it. A kind is a typed value, a
// category and a detail, built by the producers from this table, printed by one function and
// parsed by one function, so that `# expect:`, `check`, `minimize`, the fuzz targets' finding
// line and ci/gate.sh all speak the same words.
//
//   category        printed as            detail                          oracle
//   shadow          KIND                  ALLOCFUZZ_SHADOW_KINDS          shadow model
//   heap-invariant  heap-invariant:ID     ALLOCFUZZ_HEAP_INVARIANTS id,   heap checker
//                                         or a plugin's self-check, walk
//   divergence      divergence:WHAT       ALLOCFUZZ_DIVERGENCE_KINDS      differential comparison
//   crash           crash:SIGNAME         a fatal signal (SIGSEGV, SIG31) signal, or the heap's
//                   crash:exit-N          or an unexpected exit status    own check (heap_fatal:
//                                                                         always crash:SIGABRT)
//   asan            asan:WHAT             ASan's report, by its bug type     sanitizer
//                                         (ALLOCFUZZ_ASAN_REPORTS)
//   ubsan           ubsan:CHECK           UBSan's report, by its check       sanitizer
//                                         (ALLOCFUZZ_UBSAN_CHECKS)
//   timeout         timeout               none                            signal (SIGALRM)
// (fuzz/oracle/sanitizer_kinds.h holds both sanitizers' tables and the one function each that
// turns a report into its kind.)
//
// The heap's own fatal check (allocator/free_array/free_array_heap.h, heap_fatal) is an oracle
// but not a kind of its own: it aborts, so its kind is crash:SIGABRT, which is what every run
// of the same input reports whether or not it knew the abort came from the heap.
#ifndef ALLOCFUZZ_FUZZ_ORACLE_FINDING_KIND_H_
#define ALLOCFUZZ_FUZZ_ORACLE_FINDING_KIND_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "allocator/base/fixed_text.h"

namespace allocfuzz {

// Who saw a finding first: X(enumerator, name printed after "seen by:").
// clang-format off
#define ALLOCFUZZ_ORACLES(X)                          \
  X(kShadow, "shadow model")                          \
  X(kHeapChecker, "heap checker")                     \
  X(kSanitizer, "sanitizer")                          \
  X(kSignal, "signal")                                \
  X(kDifferential, "differential comparison")         \
  X(kHeapFatal, "heap's own check")
// clang-format on

enum class Oracle : uint8_t {
#define ALLOCFUZZ_X(e, name) e,
  ALLOCFUZZ_ORACLES(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

std::string_view oracle_name(Oracle o);

// The shadow model's kinds (fuzz/oracle/shadow.h, fuzz/harness/executor.h): X(enumerator, text).
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
  X(kApiContract, "api-contract")                 \
  X(kLeak, "leak")
// clang-format on

enum class ShadowKind : uint8_t {
#define ALLOCFUZZ_X(e, text) e,
  ALLOCFUZZ_SHADOW_KINDS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

std::string_view shadow_kind_text(ShadowKind kind);

// The differential comparison's kinds (what each means: fuzz/harness/diff_runner.h):
// X(enumerator, text).
// clang-format off
#define ALLOCFUZZ_DIVERGENCE_KINDS(X)        \
  X(kNull, "null")                           \
  X(kMallocZero, "malloc-zero")              \
  X(kReallocZero, "realloc-zero")            \
  X(kReallocNull, "realloc-null")            \
  X(kCallocOverflow, "calloc-overflow")      \
  X(kHuge, "huge")                           \
  X(kBadAlignment, "bad-alignment")          \
  X(kErrno, "errno")
// clang-format on

enum class Divergence : uint8_t {
#define ALLOCFUZZ_X(e, text) e,
  ALLOCFUZZ_DIVERGENCE_KINDS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

std::string_view divergence_text(Divergence d);

// The categories: X(enumerator, prefix, oracle). The prefix is what stands before ':' in the
// printed kind; a shadow kind is printed bare, a timeout has no detail. What the details may be
// is said in the table at the top and checked by parse_finding_kind.
// clang-format off
#define ALLOCFUZZ_FINDING_CATEGORIES(X)                      \
  X(kShadow, "", Oracle::kShadow)                            \
  X(kHeapInvariant, "heap-invariant", Oracle::kHeapChecker)  \
  X(kDivergence, "divergence", Oracle::kDifferential)        \
  X(kCrash, "crash", Oracle::kSignal)                        \
  X(kAsan, "asan", Oracle::kSanitizer)                       \
  X(kUbsan, "ubsan", Oracle::kSanitizer)                     \
  X(kTimeout, "timeout", Oracle::kSignal)
// clang-format on

enum class FindingCategory : uint8_t {
#define ALLOCFUZZ_X(e, prefix, oracle) e,
  ALLOCFUZZ_FINDING_CATEGORIES(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

struct CategoryInfo {
  FindingCategory category;
  std::string_view prefix;
  Oracle oracle;  // the one that reports it (a crash may also be the heap's own check)
};

inline constexpr CategoryInfo kFindingCategories[] = {
#define ALLOCFUZZ_X(e, prefix, oracle) {FindingCategory::e, prefix, oracle},
    ALLOCFUZZ_FINDING_CATEGORIES(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

inline const CategoryInfo& category_info(FindingCategory c) {
  return kFindingCategories[static_cast<size_t>(c)];
}

// A finding's kind. Built only through the named constructors below or parse_finding_kind, so
// a value always prints as a kind the parser accepts, and parses back to itself.
class FindingKind {
 public:
  FindingKind() = default;  // shadow "overlap": a placeholder until a producer sets the kind

  static FindingKind shadow(ShadowKind kind);
  // `id`: an ALLOCFUZZ_HEAP_INVARIANTS id, or a plugin's "self-check" or "walk".
  static FindingKind heap_invariant(std::string_view id);
  static FindingKind divergence(Divergence d);
  static FindingKind signal(int signal_number);  // crash:SIGSEGV, crash:SIG40
  static FindingKind exit_status(int status);    // crash:exit-3
  // `what`: a row of ALLOCFUZZ_ASAN_REPORTS (asan:heap-buffer-overflow) or of
  // ALLOCFUZZ_UBSAN_CHECKS (ubsan:misaligned-store); kind_from_asan and kind_from_ubsan
  // (sanitizer_kinds.h) choose the row.
  static FindingKind asan(std::string_view what);
  static FindingKind ubsan(std::string_view what);
  static FindingKind timeout();

  FindingCategory category() const { return category_; }
  const std::string& detail() const { return detail_; }
  Oracle oracle() const { return category_info(category_).oracle; }

  // The one print: "overlap", "heap-invariant:prev-free", "crash:SIGSEGV", "timeout".
  std::string text() const;
  // The same text, appended without allocating (for the death paths, which may run in a
  // signal handler).
  void append_text(TextBuffer& out) const;

  friend bool operator==(const FindingKind&, const FindingKind&) = default;

 private:
  FindingKind(FindingCategory category, std::string detail)
      : category_(category), detail_(std::move(detail)) {}
  friend std::optional<FindingKind> parse_finding_kind(std::string_view, std::string*);

  FindingCategory category_ = FindingCategory::kShadow;
  std::string detail_ = "overlap";
};

// The one parse. Returns the kind, or nullopt with a one-line reason in *error (no file or
// line: the caller adds them), e.g.
//   unknown violation kind 'heap-invariant:bogus' (no heap invariant 'bogus')
std::optional<FindingKind> parse_finding_kind(std::string_view text, std::string* error);

// For the .ops parser's hook (fuzz/program/ops_text.h): the error for a text that is no kind.
std::optional<std::string> check_finding_kind(std::string_view text);

// "SIGSEGV" for SIGSEGV, ..., "SIG<number>" for signals without a short name here.
std::string signal_name(int signal_number);

std::ostream& operator<<(std::ostream& out, const FindingKind& kind);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_ORACLE_FINDING_KIND_H_
