// A finding's signature: what makes two findings the same bug for bucketing (`allocfuzz run`'s
// table, `--ignore`) and for `minimize` (which keeps all of it): the kind, the name of the
// operation in flight (an OpKind's text name: malloc, free, realloc, ...; `end` for the final
// check after the last operation, `start` before the first) and, for signals and sanitizer
// reports, the innermost frame inside the heap under test (empty when unknown or not such a
// finding).
//
// Text form, the one print and the one parse: "KIND op=OPNAME frame=FRAME", " frame=FRAME"
// omitted when the frame is empty, e.g.
//   content-corrupted op=malloc
//   crash:SIGSEGV op=free frame=kr_free
// Invariant: parse_signature(s.text()) == s for every signature whose kind parses.
#ifndef ALLOCFUZZ_FUZZ_ORACLE_SIGNATURE_H_
#define ALLOCFUZZ_FUZZ_ORACLE_SIGNATURE_H_

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/oracle/finding_kind.h"

namespace allocfuzz {

// The op names of a finding outside every operation.
inline constexpr std::string_view kStartOpName = "start";
inline constexpr std::string_view kEndOpName = "end";

struct Signature {
  FindingKind kind;
  std::string op_name;
  std::string frame;

  std::string text() const;
  friend bool operator==(const Signature& a, const Signature& b) {
    return a.kind == b.kind && a.op_name == b.op_name && a.frame == b.frame;
  }
};

// Orders by the text form: a fixed order for tables, independent of how signatures were found.
bool signature_less(const Signature& a, const Signature& b);

// The one parse of the text form. nullopt with a one-line reason in *error (the caller adds
// FILE:LINE), e.g. "signature 'overlap' has no op=NAME".
std::optional<Signature> parse_signature(std::string_view text, std::string* error);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_ORACLE_SIGNATURE_H_
