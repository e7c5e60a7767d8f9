// `allocfuzz gate`; see gate_verb.h.
#include "repro/cli/gate_verb.h"

#include <absl/strings/str_format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "repro/cli/run_verb.h"
#include "repro/engines/fuzz_layout.h"
#include "repro/engines/plugin_targets.h"
#include "repro/engines/tool_process.h"
#include "repro/tools/check.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/input_file.h"

namespace allocfuzz {
namespace fs = std::filesystem;
namespace {

// Whether the case's text has a line starting with `prefix`: the header fields are read as the
// ctest registration in repro/CMakeLists.txt reads them, so that gate runs the same cases.
bool has_line(const std::string& text, std::string_view prefix) {
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find('\n', at), text.size());
    if (std::string_view(text).substr(at, end - at).starts_with(prefix)) return true;
    at = end + 1;
  }
  return false;
}

// The cases of `dir` that run on `heap` (see gate_verb.h), sorted by name. `on_default`: the
// heap is the default one, which runs every case.
std::vector<std::string> gate_cases(const fs::path& dir, bool on_default, std::string* error) {
  std::vector<std::string> cases;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string path = entry.path().string();
    if (!path.ends_with(".ops")) continue;
    std::string text;
    if (!read_file_bytes(path, &text, error)) return {};
    const bool specific =
        has_line(text, "# defect:") || has_line(text, "# heap:") || has_line(text, "# diff:");
    const bool ok = has_line(text, "# expect: ok");
    if (on_default || (!specific && ok)) cases.push_back(path);
  }
  if (ec)
    *error = absl::StrFormat("allocfuzz gate: cannot read %s: %s", dir.string(), ec.message());
  std::sort(cases.begin(), cases.end());
  return cases;
}

}  // namespace

bool read_ignore_list(const VerbCall& call, IgnoreList* out) {
  std::string error;
  for (const std::string& value : call.ignore) {
    if (!out->add_flag(value, &error)) {
      usage_error(error);
      return false;
    }
  }
  for (const std::string& path : call.ignore_files) {
    if (!out->add_file(path, &error)) {
      absl::FPrintF(stderr, "%s\n", error);
      return false;
    }
  }
  return true;
}

int gate_verb(const VerbCall& call) {
  const std::string& target_name = call.operands[0];
  const FuzzTarget* target = find_target_or_complain("gate", target_name);
  if (target == nullptr) return kExitBadInput;
  if (!target->takes_programs || target->compares_heaps) {
    return usage_error("gate: " + target_name +
                       " runs no single heap; gate takes heap_fuzzer or a plugin's NAME_fuzzer");
  }
  IgnoreList ignore;
  if (!read_ignore_list(call, &ignore)) return kExitBadInput;
  Overrides overrides = call.settings.overrides;
  if (!settle_target_heap("gate", *target, &overrides)) return kExitBadInput;
  FuzzLayout layout;
  std::string error;
  if (!find_repo_root("gate", call.root, &layout, &error)) {
    absl::FPrintF(stderr, "%s\n", error);
    return kExitBadInput;
  }
  const std::string heap = overrides.heap.empty() ? std::string(kDefaultHeap) : overrides.heap;
  const std::vector<std::string> cases =
      gate_cases(layout.root / "repro" / "cases", heap == kDefaultHeap, &error);
  if (!error.empty()) {
    absl::FPrintF(stderr, "%s\n", error);
    return kExitBadInput;
  }
  absl::PrintF("allocfuzz gate: %d regression cases of repro/cases/ on the heap %s\n", cases.size(),
               heap);
  std::fflush(stdout);
  RunSettings settings = call.settings;
  if (heap != kDefaultHeap) settings.overrides.heap = heap;
  size_t failed = 0;
  for (const std::string& path : cases) {
    const int status = check_files({path}, settings);
    if (status == kExitBadInput) return kExitBadInput;
    failed += status == kExitOk ? 0 : 1;
  }
  absl::PrintF("allocfuzz gate: %d of %d cases passed\n\n", cases.size() - failed, cases.size());
  std::fflush(stdout);

  const int run_status = run_verb(call);
  if (run_status == kExitBadInput) {
    absl::PrintF("allocfuzz gate: the fuzz run of %s did not run (exit status 2)\n", target_name);
    return kExitBadInput;
  }
  const bool pass = failed == 0 && run_status == kExitOk;
  absl::PrintF("allocfuzz gate: %s: %d failed cases, %s\n", pass ? "pass" : "FAIL", failed,
               run_status == kExitOk ? "no new bucket" : "new buckets (see the table)");
  std::fflush(stdout);
  return pass ? kExitOk : kExitViolation;
}

}  // namespace allocfuzz
