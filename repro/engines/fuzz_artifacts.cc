// Turning a fuzzer's artifact into a minimized program; see fuzz_artifacts.h.
#include "repro/engines/fuzz_artifacts.h"

#include <absl/strings/str_format.h>

#include <cstdio>

#include "fuzz/program/ops_text.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/input_file.h"
#include "repro/tools/minimize.h"

namespace allocfuzz {
namespace {

// The program the fuzzer ran, as canonical text next to the artifact (ARTIFACT.ops): the
// artifact may end in a cut-off operation (which the fuzzer and the tools drop), or
// even begin like a text file. False with a message.
bool write_artifact_program(const std::string& artifact, const Overrides& overrides,
                            std::string* program_path, std::string* error) {
  InputFile input;
  if (!load_fuzzer_input(artifact, &input, error, load_options(overrides))) return false;
  apply_overrides(overrides, &input.program);
  *program_path = artifact + ".ops";
  return write_file_bytes(*program_path, print_ops_text(input.program), error);
}

}  // namespace

void report_artifact(const FuzzTarget& target, const FuzzLayout& layout, const std::string& name,
                     const RunSettings& settings, std::map<std::string, std::string>* printed) {
  const std::string artifact = root_relative(layout, layout.artifact_dir / name);
  absl::PrintF("\nallocfuzz: new artifact %s\n", artifact);
  std::fflush(stdout);
  const std::string cli = root_relative(layout, layout.cli);
  if (!target.takes_programs) {
    absl::PrintF("reproduce: %s %s\n", root_relative(layout, layout.fuzzer), artifact);
    return;
  }
  std::string program_path;
  std::string error;
  if (!write_artifact_program(artifact, settings.overrides, &program_path, &error)) {
    absl::PrintF("allocfuzz: %s\n", error);
    return;
  }
  MinimizeSummary summary;
  const int status = minimize_file(program_path, default_min_path(artifact), settings, &summary);
  if (status == kExitOk && printed != nullptr && printed->contains(summary.text)) {
    absl::PrintF("minimized to %s, the same program as %s\n", summary.out_path,
                 printed->at(summary.text));
  } else if (status == kExitOk) {
    if (printed != nullptr) printed->emplace(summary.text, summary.out_path);
    absl::PrintF("--- %s ---\n%s---\n", summary.out_path, summary.text);
    absl::PrintF("replay: %s replay %s\n", cli, summary.out_path);
  } else {
    absl::PrintF(
        "allocfuzz: %s did not fail under replay (every-op checks, %d s timeout); the "
        "fuzzer's own run is in %s\n",
        artifact, settings.timeout_seconds, root_relative(layout, layout.log_path));
    absl::PrintF("replay: %s replay %s\n", cli, program_path);
  }
}

}  // namespace allocfuzz
