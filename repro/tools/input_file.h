// Reading a program from a file, either spelling (FORMAT.md): text when the name ends in
// `.ops` or the content starts with "# allocfuzz ops", binary otherwise. Every way a file can
// be bad becomes one message in the form the command line prints:
//   FILE:LINE: message        text that does not parse
//   FILE: byte N: message     a truncated binary (the fuzzer accepts it; tools do not)
//   FILE: message             a file that is empty or cannot be read
#ifndef ALLOCFUZZ_REPRO_INPUT_FILE_H_
#define ALLOCFUZZ_REPRO_INPUT_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/program/ops.h"

namespace allocfuzz {

struct InputFile {
  std::string path;
  bool text = false;  // which spelling it was read as
  Program program;
};

// Fills `*out` and returns true, or returns false with the message in `*error`.
bool load_input_file(const std::string& path, InputFile* out, std::string* error);

// A fuzzer's input (an artifact) read exactly as the fuzz target reads it: always binary, and
// an operation cut short at the end is dropped rather than refused. An empty file is the empty
// program. False only when the file cannot be read.
bool load_fuzzer_input(const std::string& path, InputFile* out, std::string* error);

// The bytes of `path`, or false with "PATH: cannot read: REASON" in `*error`.
bool read_file_bytes(const std::string& path, std::string* bytes, std::string* error);

// Writes `bytes` to `path` (replacing it), or false with "PATH: cannot write: REASON".
bool write_file_bytes(const std::string& path, std::string_view bytes, std::string* error);

// Whether a file called `path` holding `bytes` is read as text.
bool looks_like_text(std::string_view path, std::string_view bytes);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_INPUT_FILE_H_
