// The cmin verb: libFuzzer's merge into a fresh directory, then the swap; see cmin.h.
#include "repro/engines/cmin.h"

#include <absl/strings/str_format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <system_error>

#include "fuzz/targets/target_contract.h"
#include "repro/engines/fuzz_layout.h"
#include "repro/engines/tool_process.h"
#include "repro/tools/exit_status.h"

namespace allocfuzz {
namespace fs = std::filesystem;
namespace {

// The artifacts libFuzzer wrote ("Test unit written to PATH"), in order: the inputs that failed
// during the merge. Paths are relative to the root, where it ran.
std::vector<std::string> written_artifacts(const fs::path& log) {
  constexpr std::string_view kWritten = "Test unit written to ";
  std::ifstream in(log);
  std::vector<std::string> paths;
  std::set<std::string> seen;
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.find(kWritten);
    if (at == std::string::npos) continue;
    std::string path = line.substr(at + kWritten.size());
    if (seen.insert(path).second) paths.push_back(std::move(path));
  }
  return paths;
}

// The distinct contents among the regular files directly in `dirs`: a seed that `run` copied
// into work/TARGET/corpus is one input, not two.
CorpusSize distinct_inputs(const std::vector<fs::path>& dirs) {
  std::set<std::string> seen;
  CorpusSize size;
  std::error_code ec;
  for (const fs::path& dir : dirs) {
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
      if (!entry.is_regular_file(ec)) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      const size_t length = bytes.size();
      if (seen.insert(std::move(bytes)).second) {
        ++size.files;
        size.bytes += length;
      }
    }
  }
  return size;
}

// Whether `dir` may be replaced by a corpus: missing, or a directory of regular files only.
bool replaceable(const fs::path& dir, std::string* why) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  if (!fs::is_directory(dir, ec)) {
    *why = "not a directory";
    return false;
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) {
      *why = "it holds " + entry.path().filename().string() +
             ", which is not a file (a corpus directory holds files only)";
      return false;
    }
  }
  return true;
}

// Moves the merged corpus `from` to `to`, replacing what is there.
bool replace_dir(const fs::path& from, const fs::path& to, std::string* error) {
  std::error_code ec;
  fs::remove_all(to, ec);
  if (!ec) fs::create_directories(to.parent_path(), ec);
  if (!ec) fs::rename(from, to, ec);
  if (ec) {
    // Another file system: copy, then drop the merged directory.
    ec.clear();
    fs::copy(from, to, fs::copy_options::recursive, ec);
    if (!ec) fs::remove_all(from, ec);
  }
  if (ec) *error = ec.message();
  return !ec;
}

// libFuzzer's closing merge line, "MERGE-OUTER: N new files with F new features added; E new
// coverage edges", without its prefix; empty when the log has none.
std::string merge_summary(const fs::path& log) {
  std::ifstream in(log);
  std::string found;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("MERGE-OUTER: ") && line.find(" new files with ") != std::string::npos) {
      found = line.substr(13);
    }
  }
  return found;
}

}  // namespace

int cmin(const CminRequest& request) {
  const FuzzTarget* target = find_target_or_complain("cmin", request.target);
  if (target == nullptr) return kExitBadInput;
  if (!check_tool_verb_flags("cmin", *target, request.settings.overrides)) return kExitBadInput;
  std::vector<fs::path> inputs;
  for (const std::string& input : request.inputs) {
    std::error_code ec;
    if (!fs::is_directory(input, ec)) {
      absl::FPrintF(stderr,
                    "allocfuzz cmin: %s is not a directory (cmin merges corpus "
                    "directories)\n",
                    input);
      return kExitBadInput;
    }
    inputs.push_back(fs::absolute(input, ec).lexically_normal());
  }
  if (!kFuzzBuild) {
    absl::FPrintF(stderr,
                  "allocfuzz cmin: this allocfuzz is not from a fuzz build, and the fuzz targets "
                  "next to it only replay files; build the fuzz preset: cmake --workflow --preset "
                  "fuzz, then use build/fuzz/bin/allocfuzz cmin %s\n",
                  request.target);
    return kExitBadInput;
  }
  FuzzLayout layout;
  std::string error;
  if (!find_repo_root("cmin", request.root, &layout, &error)) {
    absl::FPrintF(stderr, "%s\n", error);
    return kExitBadInput;
  }
  const std::string name(target->name);
  const std::string inputs_of(target->inputs_of);
  layout.fuzzer = layout.bin_dir / name;
  layout.work_dir = layout.root / "work" / name;
  layout.corpus_dir = layout.work_dir / "corpus";
  layout.artifact_dir = layout.root / "artifacts" / name;
  if (access(layout.fuzzer.c_str(), X_OK) != 0) {
    absl::FPrintF(stderr,
                  "allocfuzz cmin: no fuzzer binary %s; build the fuzz preset: cmake --workflow "
                  "--preset fuzz\n",
                  layout.fuzzer.string());
    return kExitBadInput;
  }
  std::error_code ec;
  if (inputs.empty()) {
    for (const fs::path& dir : {layout.root / "corpus" / inputs_of, layout.corpus_dir}) {
      if (fs::is_directory(dir, ec)) inputs.push_back(dir);
    }
  }
  const CorpusSize before = distinct_inputs(inputs);
  std::string shown_inputs;
  for (const fs::path& dir : inputs) {
    shown_inputs += (shown_inputs.empty() ? "" : ", ") + root_relative(layout, dir);
  }
  if (before.files == 0) {
    absl::FPrintF(stderr, "allocfuzz cmin: nothing to minimize: no files in %s\n",
                  shown_inputs.empty()
                      ? "corpus/" + inputs_of + " or " + root_relative(layout, layout.corpus_dir)
                      : shown_inputs);
    return kExitBadInput;
  }
  const fs::path out =
      request.out.empty() ? layout.corpus_dir : fs::absolute(request.out, ec).lexically_normal();
  std::string why;
  if (!replaceable(out, &why)) {
    absl::FPrintF(stderr, "allocfuzz cmin: will not replace %s: %s\n", request.out, why);
    return kExitBadInput;
  }
  const fs::path merged = layout.work_dir / "cmin.new";
  const fs::path log = layout.work_dir / "cmin.log";
  fs::remove_all(merged, ec);
  if (!ec) fs::create_directories(merged, ec);
  if (!ec) fs::create_directories(layout.artifact_dir, ec);
  if (!ec) fs::remove(log, ec);
  if (ec) {
    absl::FPrintF(stderr, "allocfuzz cmin: cannot prepare %s: %s\n",
                  root_relative(layout, layout.work_dir), ec.message());
    return kExitBadInput;
  }

  std::vector<std::string> argv = {layout.fuzzer.string(), "-merge=1"};
  for (std::string& flag :
       read_libfuzzer_options(layout.root / "fuzz" / "targets" / (inputs_of + ".options"))) {
    argv.push_back(std::move(flag));
  }
  argv.push_back(absl::StrFormat("-artifact_prefix=artifacts/%s/", name));
  argv.push_back(root_relative(layout, merged));
  for (const fs::path& dir : inputs) argv.push_back(root_relative(layout, dir));
  std::string shown = root_relative(layout, argv[0]);
  for (size_t i = 1; i < argv.size(); ++i) shown += " " + argv[i];
  absl::FPrintF(stderr, "allocfuzz cmin: merging %s (%s) from %s; log in %s\n  %s\n",
                count_files_text(before.files), count_bytes_text(before.bytes), shown_inputs,
                root_relative(layout, log), shown);

  const int status = run_tool(
      argv, layout.root, fuzz_target_environment(request.settings.overrides), log, log, &error);
  if (status != 0) {
    if (status < 0) {
      absl::FPrintF(stderr, "allocfuzz cmin: %s\n", error);
    } else {
      absl::FPrintF(stderr,
                    "allocfuzz cmin: the merge failed (exit status %d); %s is unchanged; the end "
                    "of %s:\n%s",
                    status, root_relative(layout, out), root_relative(layout, log),
                    log_tail(log, 15));
    }
    fs::remove_all(merged, ec);
    return kExitBadInput;
  }
  const CorpusSize after = corpus_size(merged);
  const std::vector<std::string> failed = written_artifacts(log);
  if (after.files == 0) {
    // Every input failed: the target is broken, not the corpus. Keep what is there.
    absl::FPrintF(stderr,
                  "allocfuzz cmin: the merge kept no input (%d failed); %s is unchanged; the "
                  "end of %s:\n%s",
                  failed.size(), root_relative(layout, out), root_relative(layout, log),
                  log_tail(log, 15));
    fs::remove_all(merged, ec);
    return kExitBadInput;
  }
  if (!replace_dir(merged, out, &error)) {
    absl::FPrintF(stderr, "allocfuzz cmin: cannot replace %s with %s: %s\n",
                  root_relative(layout, out), root_relative(layout, merged), error);
    return kExitBadInput;
  }
  absl::PrintF("allocfuzz cmin: %s: %s (%s) -> %s (%s) in %s\n", name,
               count_files_text(before.files), count_bytes_text(before.bytes),
               count_files_text(after.files), count_bytes_text(after.bytes),
               root_relative(layout, out));
  if (const std::string summary = merge_summary(log); !summary.empty()) {
    absl::PrintF("libFuzzer: %s\n", summary);
  }
  if (!failed.empty()) {
    // Findings: libFuzzer saved each failing input as an artifact and left it out.
    absl::PrintF("allocfuzz cmin: %d inputs failed during the merge and were left out:\n",
                 failed.size());
    constexpr size_t kShown = 10;
    for (size_t i = 0; i < failed.size() && i < kShown; ++i) absl::PrintF("  %s\n", failed[i]);
    if (failed.size() > kShown) absl::PrintF("  ... and %d more\n", failed.size() - kShown);
    std::string how = root_relative(layout, layout.fuzzer);
    if (target->takes_programs) {
      const std::string& heap = request.settings.overrides.heap;
      how = root_relative(layout, layout.bin_dir / "allocfuzz") +
            (heap.empty() ? "" : " --heap=" + heap) + " replay";
    }
    absl::PrintF("reproduce: %s FILE\n", how);
    return kExitViolation;
  }
  return kExitOk;
}

}  // namespace allocfuzz
