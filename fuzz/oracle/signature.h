// A finding's signature: what makes two findings the same bug for bucketing, suppression
// (--ignore=) and minimization. It is the kind, the name of the operation in flight and, for
// signals and sanitizer reports, the innermost frame inside the heap under test. One print and
// one parse, the text form
//   KIND op=OPNAME frame=FRAME   e.g. asan:heap-buffer-overflow op=free frame=oldgnu_malloc.c:214
//   in og_free KIND op=OPNAME               when the finding has no frame (every oracle but signals
//   and
//                                sanitizers), e.g. overlap op=malloc
// OPNAME is an operation's name from the table (fuzz/program/ops.h), or "end" for a finding
// after the last operation (the final check, the leak probe), or "none" for one before the
// first. FRAME is the rest of the line: "FILE:LINE in FUNCTION" with the file's basename (no
// address, no directory, so the same bug has the same signature in every build tree), or "?"
// when the frame could not be symbolized.
#ifndef ALLOCFUZZ_FUZZ_ORACLE_SIGNATURE_H_
#define ALLOCFUZZ_FUZZ_ORACLE_SIGNATURE_H_

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "fuzz/oracle/finding.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

// The operation names of a signature that are no operation of the table.
inline constexpr std::string_view kSignatureOpEnd = "end";    // after the last operation
inline constexpr std::string_view kSignatureOpNone = "none";  // before the first
// The frame of a finding that should have one but whose pc could not be symbolized.
inline constexpr std::string_view kUnknownFrame = "?";

struct Signature {
  FindingKind kind;
  std::string op_name;  // "free", "malloc", ..., "end" or "none"
  std::string frame;    // "oldgnu_malloc.c:214 in og_free", "?" or empty (no frame)

  // The one print: "KIND op=OPNAME" and, when there is a frame, " frame=FRAME".
  std::string text() const;

  friend bool operator==(const Signature&, const Signature&) = default;
  // Buckets are ordered by their text, so tables print the same on every run.
  friend bool operator<(const Signature& a, const Signature& b) { return a.text() < b.text(); }
};

// The one parse. Returns the signature, or nullopt with a one-line reason in *error (no file
// or line: the caller adds them), e.g.
//   signature 'overlap' has no ' op=OPNAME' after its kind
std::optional<Signature> parse_signature(std::string_view text, std::string* error);

// The name of the operation `op_index` of `program` as a signature names it.
std::string signature_op_name(const Program& program, size_t op_index);

// The signature of a finding on a program (the finding's op_index indexes program.ops).
Signature signature_of(const Program& program, const Finding& finding);

std::ostream& operator<<(std::ostream& out, const Signature& signature);

// The order of tables: by the text form, independent of how the signatures were found.
inline bool signature_less(const Signature& a, const Signature& b) { return a < b; }

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_ORACLE_SIGNATURE_H_
