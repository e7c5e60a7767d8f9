// Loading programs from files; see input_file.h.
#include "repro/tools/input_file.h"

#include <absl/strings/str_format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "fuzz/oracle/finding_kind.h"
#include "fuzz/program/binary_codec.h"
#include "fuzz/program/ops_text.h"

namespace allocfuzz {

bool read_file_bytes(const std::string& path, std::string* bytes, std::string* error) {
  // A directory opens fine as an ifstream on Linux and then fails to read; say so plainly.
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    *error = absl::StrFormat("%s: cannot read: %s", path, strerror(errno));
    return false;
  }
  if (S_ISDIR(info.st_mode)) {
    *error = absl::StrFormat("%s: cannot read: %s", path, strerror(EISDIR));
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = absl::StrFormat("%s: cannot read: %s", path, strerror(errno));
    return false;
  }
  bytes->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    *error = absl::StrFormat("%s: cannot read: %s", path, strerror(errno != 0 ? errno : EIO));
    return false;
  }
  return true;
}

bool write_file_bytes(const std::string& path, std::string_view bytes, std::string* error) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) {
    *error = absl::StrFormat("%s: cannot write: %s", path, strerror(errno));
    return false;
  }
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size();
  const int write_errno = errno;
  if (std::fclose(out) != 0 || !written) {
    *error = absl::StrFormat("%s: cannot write: %s", path, strerror(written ? errno : write_errno));
    return false;
  }
  return true;
}

bool looks_like_text(std::string_view path, std::string_view bytes) {
  constexpr std::string_view kOpsSuffix = ".ops";
  constexpr std::string_view kTextStart = "# allocfuzz ops";
  return path.ends_with(kOpsSuffix) || bytes.starts_with(kTextStart);
}

namespace {

// Decodes `bytes` into `*out` as the fuzz targets do, with a note for each thing dropped.
void decode_as_the_fuzzer(const std::string& bytes, const LoadOptions& options, InputFile* out) {
  out->text = false;
  out->notes.clear();
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const DecodeStatus status =
      decode_binary(data, bytes.size(), &out->program, DecodeOptions{options.left_out.value_or(0)});
  if (status.truncated) out->notes.push_back(describe_truncation(status, bytes.size()));
  if (status.skipped != 0) {
    out->notes.push_back(describe_skipped(status, out->program.header.left_out));
  }
}

}  // namespace

std::string note_line(const InputFile& file, const std::string& note) {
  return absl::StrFormat("allocfuzz: note: %s: %s", file.path, note);
}

bool load_fuzzer_input(const std::string& path, InputFile* out, std::string* error,
                       const LoadOptions& options) {
  std::string bytes;
  if (!read_file_bytes(path, &bytes, error)) return false;
  out->path = path;
  decode_as_the_fuzzer(bytes, options, out);
  return true;
}

bool load_input_file(const std::string& path, InputFile* out, std::string* error,
                     const LoadOptions& options) {
  std::string bytes;
  if (!read_file_bytes(path, &bytes, error)) return false;
  out->path = path;
  out->notes.clear();
  out->text = looks_like_text(path, bytes);
  if (!out->text) {
    // Empty included: the fuzzer runs the empty input as the empty program.
    decode_as_the_fuzzer(bytes, options, out);
    return true;
  }
  if (bytes.empty()) {
    *error = absl::StrFormat("%s: empty file", path);
    return false;
  }
  ParseOptions parse_options(check_finding_kind);
  parse_options.left_out = options.left_out;
  parse_options.left_out_by = "--ops";
  ParseResult parsed = parse_ops_text(bytes, parse_options);
  if (parsed.error) {
    *error = parsed.error->line == 0
                 ? absl::StrFormat("%s: %s", path, parsed.error->message)
                 : absl::StrFormat("%s:%d: %s", path, parsed.error->line, parsed.error->message);
    return false;
  }
  out->program = std::move(parsed.program);
  return true;
}

}  // namespace allocfuzz
