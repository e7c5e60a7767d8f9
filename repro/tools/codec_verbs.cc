// The fmt and encode verbs; see codec_verbs.h.
#include "repro/tools/codec_verbs.h"

#include <absl/strings/str_format.h>
#include <unistd.h>

#include <cstdio>

#include "fuzz/program/binary_codec.h"
#include "fuzz/program/families.h"
#include "fuzz/program/ops_text.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/input_file.h"

namespace allocfuzz {
namespace {

bool load(const std::string& path, const Overrides& overrides, Program* program) {
  InputFile file;
  std::string error;
  if (!load_input_file(path, &file, &error, load_options(overrides))) {
    absl::FPrintF(stderr, "%s\n", error.c_str());
    return false;
  }
  print_notes(file, stderr);
  apply_overrides(overrides, &file.program);
  *program = std::move(file.program);
  return true;
}

}  // namespace

int fmt_file(const std::string& path, const Overrides& overrides) {
  Program program;
  if (!load(path, overrides, &program)) return kExitBadInput;
  const std::string text = print_ops_text(program);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitBadInput;
}

int encode_file(const std::string& path, const std::string& out, const Overrides& overrides) {
  if (out.empty() && isatty(STDOUT_FILENO)) {
    absl::FPrintF(stderr,
                  "allocfuzz: encode writes binary; refusing to write it to a terminal (use -o "
                  "FILE or redirect stdout)\n");
    return kExitBadInput;
  }
  Program program;
  if (!load(path, overrides, &program)) return kExitBadInput;
  const ProgramHeader& header = program.header;
  if (header.heap != kDefaultHeap || !header.defect.empty() || !header.diff.empty() ||
      header.expect || header.region_size) {
    absl::FPrintF(stderr,
                  "allocfuzz: note: %s: the binary keeps placement, limit and operations only; "
                  "'# heap:', '# defect:', '# diff:', '# region-size:' and '# expect:' exist only "
                  "in text\n",
                  path.c_str());
  }
  if (header.left_out != 0) {
    absl::FPrintF(stderr,
                  "allocfuzz: note: %s: the binary does not keep '# ops: %s'; replay it with "
                  "--ops=%s, and fuzz with ALLOCFUZZ_OPS=%s\n",
                  path.c_str(), format_family_list(header.left_out),
                  format_family_list(header.left_out), format_family_list(header.left_out));
  }
  const std::vector<uint8_t> bytes = encode_binary(program);
  const std::string_view view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (out.empty()) {
    std::fwrite(view.data(), 1, view.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitBadInput;
  }
  std::string error;
  if (!write_file_bytes(out, view, &error)) {
    absl::FPrintF(stderr, "%s\n", error.c_str());
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace allocfuzz
