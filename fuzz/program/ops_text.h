// The text spelling of programs, `.ops` files (FORMAT.md, "Text encoding"): the parser turns
// any text into a program or one error with its line; the printer writes the canonical form.
#ifndef ALLOCFUZZ_FUZZ_OPS_TEXT_H_
#define ALLOCFUZZ_FUZZ_OPS_TEXT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/program/ops.h"

namespace allocfuzz {

inline constexpr std::string_view kOpsFirstLine = "# allocfuzz ops v1";

struct ParseError {
  size_t line = 0;  // 1-based; 0 when the error is about the file as a whole (e.g. empty)
  std::string message;
};

struct ParseResult {
  Program program;
  std::optional<ParseError> error;  // set: the text is rejected and program is unspecified
};

// What a caller can check that this layer cannot: the violation kinds are the oracles'
// vocabulary (fuzz/oracle/finding_kind.h, a higher layer), so the parser takes their check as a
// hook. With it, a `# expect: violation KIND` whose KIND is refused is an error at that line.
struct ParseOptions {
  using ViolationKindCheck = std::optional<std::string> (*)(std::string_view kind);
  ParseOptions() = default;
  ParseOptions(ViolationKindCheck check) : check_violation_kind(check) {}  // NOLINT: implicit

  // The error message for a text that is no violation kind, or nullopt when it is one.
  ViolationKindCheck check_violation_kind = nullptr;
  // Set: the families left out, replacing the file's `# ops:` (the command line's --ops), and
  // what to call that setting in messages ("--ops"). An operation of a left-out family is an
  // error at its line either way.
  std::optional<FamilySet> left_out;
  std::string_view left_out_by;
};

ParseResult parse_ops_text(std::string_view text, const ParseOptions& options = {});

// One operation in canonical text, e.g. "calloc s1 3 8" (no newline).
std::string format_op(const Op& op);
// The whole program in canonical text, ending with a newline.
std::string print_ops_text(const Program& program);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_OPS_TEXT_H_
