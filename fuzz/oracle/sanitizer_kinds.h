// The sanitizers' names of their reports as finding kinds (fuzz/oracle/finding_kind.h): the one
// place that turns what ASan or UBSan says about a report into asan:WHAT or ubsan:WHAT, so that
// the fuzz targets' death hooks and the command line's child name the same report the same way.
//
// ASan: the report's description (__asan_get_report_description(), its "bug type": the word
// after "ERROR: AddressSanitizer:"). A deadly signal it handled is named by the fault, not the
// signal; those are crashes (crash:SIGSEGV, crash:SIGFPE), the kind a build without ASan gives
// the same input. A description not in the table is asan:report (the message keeps the word).
//
// UBSan: the check's name (__ubsan_get_current_report_data's issue kind, the -fsanitize= check
// names of ubsan_checks.inc), refined by the message's first words where one check covers
// several faults: "misaligned-pointer-use" is misaligned-store, misaligned-load, ... An issue
// kind not in the table is ubsan:report.
#ifndef ALLOCFUZZ_FUZZ_ORACLE_SANITIZER_KINDS_H_
#define ALLOCFUZZ_FUZZ_ORACLE_SANITIZER_KINDS_H_

#include <string_view>

#include "fuzz/oracle/finding_kind.h"

namespace allocfuzz {

// ASan's report descriptions that are kinds of their own: X(description). The kind is
// asan:DESCRIPTION; "report" is the one for a description not listed.
// clang-format off
#define ALLOCFUZZ_ASAN_REPORTS(X)                                                              \
  X("heap-buffer-overflow") X("heap-use-after-free") X("use-after-poison")                     \
  X("double-free") X("bad-free") X("alloc-dealloc-mismatch") X("new-delete-type-mismatch")     \
  X("stack-buffer-overflow") X("stack-buffer-underflow") X("dynamic-stack-buffer-overflow")    \
  X("stack-use-after-return") X("stack-use-after-scope") X("global-buffer-overflow")           \
  X("container-overflow") X("intra-object-overflow") X("initialization-order-fiasco")          \
  X("unknown-crash") X("bad-malloc_usable_size") X("bad-__sanitizer_get_allocated_size")       \
  X("calloc-overflow") X("reallocarray-overflow") X("pvalloc-overflow")                        \
  X("invalid-allocation-alignment") X("invalid-aligned-alloc-alignment")                       \
  X("invalid-posix-memalign-alignment") X("allocation-size-too-big") X("out-of-memory")        \
  X("rss-limit-exceeded") X("negative-size-param") X("memcpy-param-overlap")                   \
  X("strcpy-param-overlap") X("strncpy-param-overlap") X("strcat-param-overlap")               \
  X("strncat-param-overlap") X("invalid-pointer-pair") X("odr-violation")                      \
  X("bad-__sanitizer_annotate_contiguous_container") X("report")
// clang-format on

// ASan's descriptions of deadly signals, which are crash:SIGSEGV (and "signal": crash:SIGFPE).
// clang-format off
#define ALLOCFUZZ_ASAN_MEMORY_FAULTS(X)                                                        \
  X("SEGV") X("null-deref") X("wild-jump") X("wild-addr") X("wild-addr-read")                  \
  X("wild-addr-write") X("stack-overflow")
// clang-format on

// UBSan's checks: X(issue kind, message prefix, name). The first row whose issue kind matches
// and whose prefix starts the message (case aside: UBSan writes "Store to ...") names the kind
// ubsan:NAME (an empty prefix matches any message); rows with a prefix come before the catch-all of
// their issue kind.
// clang-format off
#define ALLOCFUZZ_UBSAN_CHECKS(X)                                                              \
  X("misaligned-pointer-use", "store to", "misaligned-store")                                  \
  X("misaligned-pointer-use", "load of", "misaligned-load")                                    \
  X("misaligned-pointer-use", "member access", "misaligned-member-access")                     \
  X("misaligned-pointer-use", "member call", "misaligned-member-call")                         \
  X("misaligned-pointer-use", "", "misaligned-pointer-use")                                    \
  X("null-pointer-use", "store to", "null-store")                                              \
  X("null-pointer-use", "load of", "null-load")                                                \
  X("null-pointer-use", "", "null-pointer-use")                                                \
  X("alignment-assumption", "", "alignment-assumption")                                        \
  X("insufficient-object-size", "", "object-size")                                             \
  X("signed-integer-overflow", "", "signed-integer-overflow")                                  \
  X("unsigned-integer-overflow", "", "unsigned-integer-overflow")                              \
  X("integer-divide-by-zero", "", "integer-divide-by-zero")                                    \
  X("float-divide-by-zero", "", "float-divide-by-zero")                                        \
  X("invalid-builtin-use", "", "invalid-builtin-use")                                          \
  X("implicit-unsigned-integer-truncation", "", "implicit-unsigned-integer-truncation")        \
  X("implicit-signed-integer-truncation", "", "implicit-signed-integer-truncation")            \
  X("implicit-integer-sign-change", "", "implicit-integer-sign-change")                        \
  X("implicit-signed-integer-truncation-or-sign-change", "",                                   \
    "implicit-signed-integer-truncation-or-sign-change")                                       \
  X("invalid-shift-base", "", "shift-base")                                                    \
  X("invalid-shift-exponent", "", "shift-exponent")                                            \
  X("out-of-bounds-index", "", "array-bounds")                                                 \
  X("unreachable-call", "", "unreachable")                                                     \
  X("missing-return", "", "missing-return")                                                    \
  X("non-positive-vla-index", "", "vla-bound")                                                 \
  X("float-cast-overflow", "", "float-cast-overflow")                                          \
  X("invalid-bool-load", "", "bool")                                                           \
  X("invalid-enum-load", "", "enum")                                                           \
  X("function-type-mismatch", "", "function")                                                  \
  X("invalid-null-return", "", "returns-nonnull-attribute")                                    \
  X("invalid-null-argument", "", "nonnull-attribute")                                          \
  X("dynamic-type-mismatch", "", "vptr")                                                       \
  X("cfi-bad-type", "", "cfi")                                                                 \
  X("pointer-overflow", "", "pointer-overflow")                                                \
  X("", "", "report")
// clang-format on

// True when `name` is a detail of asan: or ubsan: (the parser's check).
bool is_asan_report_name(std::string_view name);
bool is_ubsan_check_name(std::string_view name);

// The kind of an ASan report by its description (null: asan:report).
FindingKind kind_from_asan(const char* description);
// The kind of a UBSan report by its issue kind and message (either may be null).
FindingKind kind_from_ubsan(const char* issue_kind, const char* message);

// The UBSan report being made (call from __ubsan_on_report): its check's name (null when the
// runtime cannot tell, or there is no UBSan) and kind_from_ubsan of it. The one reader of
// __ubsan_get_current_report_data for the fuzz targets' and the replaying child's hooks.
struct UbsanReport {
  const char* issue_kind = nullptr;
  FindingKind kind;
};
UbsanReport current_ubsan_report();

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_ORACLE_SANITIZER_KINDS_H_
