// The check verb; see check.h.
#include "repro/tools/check.h"

#include <absl/strings/str_format.h>

#include <cstdio>
#include <optional>

#include "repro/tools/child_run.h"
#include "repro/tools/exit_status.h"

namespace allocfuzz {
namespace {

std::string describe_expectation(const Expectation& expect) {
  return expect.violation ? "violation " + expect.kind : "ok";
}

// The expected kind, typed. The parser refused unknown kinds already (input_file.cc passes it
// check_finding_kind), so this fails only for a program that did not come from a file.
std::optional<FindingKind> expected_kind(const std::string& path, const Expectation& expect) {
  std::string error;
  std::optional<FindingKind> kind = parse_finding_kind(expect.kind, &error);
  if (!kind) absl::FPrintF(stderr, "%s: %s\n", path.c_str(), error.c_str());
  return kind;
}

int check_one(const std::string& path, const RunSettings& settings) {
  InputFile file;
  const HeapKind* heap = nullptr;
  ChildRunOptions options;
  if (!load_runnable(path, settings.overrides, &file, &heap, &options.diff_heaps)) {
    return kExitBadInput;
  }
  if (!file.program.header.expect) {
    absl::FPrintF(stderr, "%s: no '# expect:' header\n", path.c_str());
    return kExitBadInput;
  }
  const Expectation& expect = *file.program.header.expect;
  std::optional<FindingKind> want;
  if (expect.violation && !(want = expected_kind(path, expect))) return kExitBadInput;
  options.timeout_seconds = settings.timeout_seconds;
  const ChildRunResult result = run_program_in_child(file.program, *heap, options);
  if (result.status == RunStatus::kSetupFailed) {
    absl::FPrintF(stderr, "%s: %s", path.c_str(), result.text.c_str());
    return kExitBadInput;
  }
  const bool violation = result.status == RunStatus::kViolation;
  const std::string got =
      violation ? describe_outcome(result.kind, result.op_index, file.program.ops.size()) : "ok";
  if (violation == expect.violation && (!violation || result.kind == *want)) {
    absl::PrintF("PASS %s (%s)\n", path.c_str(), got.c_str());
    return kExitOk;
  }
  absl::PrintF("FAIL %s: expected %s, got %s\n", path.c_str(), describe_expectation(expect).c_str(),
               got.c_str());
  if (violation) std::fputs(result.text.c_str(), stdout);
  return kExitViolation;
}

}  // namespace

std::string describe_outcome(const FindingKind& kind, size_t op_index, size_t op_count) {
  const std::string text = kind.text();
  if (op_index == SIZE_MAX) return absl::StrFormat("violation %s before the first operation", text);
  if (op_index >= op_count) return absl::StrFormat("violation %s at the end of the program", text);
  return absl::StrFormat("violation %s at operation %d", text, op_index);
}

int check_files(const std::vector<std::string>& paths, const RunSettings& settings) {
  int status = kExitOk;
  for (const std::string& path : paths) {
    status = worst_status(status, check_one(path, settings));
    std::fflush(stdout);
  }
  return status;
}

}  // namespace allocfuzz
