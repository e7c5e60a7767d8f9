// libFuzzer target `ops_text_fuzzer`: the .ops parser against any bytes. Whatever the input,
// parsing must not crash, hang or trip a sanitizer; when the text is accepted, the printer's
// output must parse back to the same program, and printing that program again must give the
// same text (print is a fixed point). A mismatch aborts with both texts on stderr.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/program/ops_text.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& first, const std::string& second) {
  std::fprintf(stderr, "ops_text_fuzzer: %s\n--- first ---\n%s--- second ---\n%s---\n", what,
               first.c_str(), second.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace allocfuzz;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ParseResult parsed = parse_ops_text(text);
  if (parsed.error) {
    if (parsed.error->message.empty()) fail("error without a message", std::string{text}, "");
    return 0;
  }

  const std::string printed = print_ops_text(parsed.program);
  const ParseResult reparsed = parse_ops_text(printed);
  if (reparsed.error) {
    fail(("printed text is refused: line " + std::to_string(reparsed.error->line) + ": " +
          reparsed.error->message)
             .c_str(),
         std::string{text}, printed);
  }
  if (!(reparsed.program == parsed.program)) {
    fail("parse(print(p)) != p", printed, print_ops_text(reparsed.program));
  }
  const std::string reprinted = print_ops_text(reparsed.program);
  if (reprinted != printed) fail("print is not a fixed point", printed, reprinted);
  return 0;
}
