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

ParseResult parse_ops_text(std::string_view text);

// One operation in canonical text, e.g. "calloc s1 3 8" (no newline).
std::string format_op(const Op& op);
// The whole program in canonical text, ending with a newline.
std::string print_ops_text(const Program& program);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_OPS_TEXT_H_
