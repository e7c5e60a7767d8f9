// Reading a program from a file, either spelling (FORMAT.md): text when the name ends in
// `.ops` or the content starts with "# allocfuzz ops", binary otherwise. Every way a file can
// be bad becomes one message in the form the command line prints:
//   FILE:LINE: message        text that does not parse
//   FILE: message             a text file that is empty, or a file that cannot be read
// A binary is never refused: every byte string is read exactly as the fuzz targets read it
// (decode_binary, the one decoder). What the fuzzer drops silently (an incomplete last
// operation) or skips (operations of left-out families) becomes a note instead.
#ifndef ALLOCFUZZ_REPRO_INPUT_FILE_H_
#define ALLOCFUZZ_REPRO_INPUT_FILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/program/ops.h"

namespace allocfuzz {

struct InputFile {
  std::string path;
  bool text = false;  // which spelling it was read as
  Program program;
  // One line each for what decoding dropped or skipped (binary only), without the path, e.g.
  // "bytes 5..6 are an incomplete last operation (malloc), dropped as the fuzzer drops them".
  std::vector<std::string> notes;
};

struct LoadOptions {
  // --ops: the families left out, replacing `# ops:` (text: an operation of one of them is an
  // error at its line; binary: skipped, as the fuzzer with ALLOCFUZZ_OPS skips them).
  std::optional<FamilySet> left_out;
};

// Fills `*out` and returns true, or returns false with the message in `*error`.
bool load_input_file(const std::string& path, InputFile* out, std::string* error,
                     const LoadOptions& options = {});

// A fuzzer's input (an artifact) read exactly as the fuzz target reads it: always binary, even
// when it begins like a text file. An empty file is the empty program. False only when the
// file cannot be read.
bool load_fuzzer_input(const std::string& path, InputFile* out, std::string* error,
                       const LoadOptions& options = {});

// "allocfuzz: note: FILE: " + note, the form the verbs print the notes in.
std::string note_line(const InputFile& file, const std::string& note);

// The bytes of `path`, or false with "PATH: cannot read: REASON" in `*error`.
bool read_file_bytes(const std::string& path, std::string* bytes, std::string* error);

// Writes `bytes` to `path` (replacing it), or false with "PATH: cannot write: REASON".
bool write_file_bytes(const std::string& path, std::string_view bytes, std::string* error);

// Whether a file called `path` holding `bytes` is read as text.
bool looks_like_text(std::string_view path, std::string_view bytes);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_INPUT_FILE_H_
