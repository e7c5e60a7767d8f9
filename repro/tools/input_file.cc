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

// The config byte says a limit varint follows (FORMAT.md): then a truncation at byte 1 is the
// limit's, not an operation's.
constexpr uint8_t kConfigLimit = 1u << 1;

}  // namespace

bool load_fuzzer_input(const std::string& path, InputFile* out, std::string* error) {
  std::string bytes;
  if (!read_file_bytes(path, &bytes, error)) return false;
  out->path = path;
  out->text = false;
  decode_binary(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &out->program);
  return true;
}

bool load_input_file(const std::string& path, InputFile* out, std::string* error) {
  std::string bytes;
  if (!read_file_bytes(path, &bytes, error)) return false;
  if (bytes.empty()) {
    *error = absl::StrFormat("%s: empty file", path);
    return false;
  }
  out->path = path;
  out->text = looks_like_text(path, bytes);
  if (out->text) {
    ParseResult parsed = parse_ops_text(bytes, ParseOptions{check_finding_kind});
    if (parsed.error) {
      *error = parsed.error->line == 0
                   ? absl::StrFormat("%s: %s", path, parsed.error->message)
                   : absl::StrFormat("%s:%d: %s", path, parsed.error->line, parsed.error->message);
      return false;
    }
    out->program = std::move(parsed.program);
    return true;
  }
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const DecodeStatus status = decode_binary(data, bytes.size(), &out->program);
  if (status.truncated) {
    const bool in_limit = status.truncated_at == 1 && (data[0] & kConfigLimit) != 0;
    *error = absl::StrFormat("%s: byte %d: truncated binary: the %s starting here is incomplete",
                             path, status.truncated_at, in_limit ? "limit" : "operation");
    return false;
  }
  return true;
}

}  // namespace allocfuzz
