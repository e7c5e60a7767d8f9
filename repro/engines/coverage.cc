// The coverage verb: build, run, merge, report; see coverage.h.
#include "repro/engines/coverage.h"

#include <absl/strings/str_format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "fuzz/targets/target_contract.h"
#include "repro/engines/fuzz_layout.h"
#include "repro/engines/tool_process.h"
#include "repro/tools/exit_status.h"

namespace allocfuzz {
namespace fs = std::filesystem;
namespace {

constexpr const char* kBuildDir = "build/coverage";

// One source file's figures from `llvm-cov export -summary-only`.
struct FileSummary {
  std::string path;  // as in the coverage mapping (absolute)
  uint64_t lines = 0;
  uint64_t lines_covered = 0;
  uint64_t regions = 0;
  uint64_t regions_covered = 0;
};

// --- A reader for the little of llvm-cov's JSON export that is needed. ------------------------

// `i` at an opening quote: the index after the closing one (json.size() when unterminated).
size_t skip_string(const std::string& json, size_t i) {
  for (++i; i < json.size(); ++i) {
    if (json[i] == '\\') {
      ++i;
    } else if (json[i] == '"') {
      return i + 1;
    }
  }
  return json.size();
}

// `i` at '{' or '[': the index of the bracket that closes it (json.size() when none does).
size_t matching_close(const std::string& json, size_t i) {
  int depth = 0;
  while (i < json.size()) {
    const char c = json[i];
    if (c == '"') {
      i = skip_string(json, i);
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if ((c == '}' || c == ']') && --depth == 0) return i;
    ++i;
  }
  return json.size();
}

// The string value of "key" in `object` (no unescaping beyond \" and \\), or false.
bool string_field(const std::string& object, const std::string& key, std::string* out) {
  const std::string pattern = "\"" + key + "\":\"";
  const size_t at = object.find(pattern);
  if (at == std::string::npos) return false;
  out->clear();
  for (size_t i = at + pattern.size(); i < object.size(); ++i) {
    if (object[i] == '"') return true;
    if (object[i] == '\\' && i + 1 < object.size()) ++i;
    out->push_back(object[i]);
  }
  return false;
}

// "count" and "covered" of the object "key" in `object`.
bool count_field(const std::string& object, const std::string& key, uint64_t* count,
                 uint64_t* covered) {
  const size_t at = object.find("\"" + key + "\":{");
  if (at == std::string::npos) return false;
  const size_t open = object.find('{', at);
  const std::string inner = object.substr(open, matching_close(object, open) - open);
  auto number = [&inner](const char* name, uint64_t* value) {
    const size_t field = inner.find(std::string("\"") + name + "\":");
    if (field == std::string::npos) return false;
    *value = std::strtoull(inner.c_str() + field + std::string(name).size() + 3, nullptr, 10);
    return true;
  };
  return number("count", count) && number("covered", covered);
}

bool parse_export(const std::string& json, std::vector<FileSummary>* files) {
  const size_t key = json.find("\"files\":[");
  if (key == std::string::npos) return false;
  const size_t open = json.find('[', key);
  const size_t close = matching_close(json, open);
  for (size_t i = open + 1; i < close; ++i) {
    if (json[i] != '{') continue;
    const size_t end = matching_close(json, i);
    const std::string object = json.substr(i, end + 1 - i);
    FileSummary file;
    if (!string_field(object, "filename", &file.path) ||
        !count_field(object, "lines", &file.lines, &file.lines_covered) ||
        !count_field(object, "regions", &file.regions, &file.regions_covered)) {
      return false;
    }
    files->push_back(std::move(file));
    i = end;
  }
  return true;
}

// --- Steps. -----------------------------------------------------------------------------------

// The coverage build's compiler: its id ("Clang") and major version ("14"), from the file
// CMake writes at configure time (CMakeFiles/<cmake version>/CMakeCXXCompiler.cmake).
bool build_compiler(const fs::path& build_dir, std::string* id, std::string* major) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(build_dir / "CMakeFiles", ec)) {
    std::ifstream in(entry.path() / "CMakeCXXCompiler.cmake");
    if (!in) continue;
    for (std::string line; std::getline(in, line);) {
      auto value = [&line](const std::string& name, std::string* out) {
        const std::string prefix = "set(" + name + " \"";
        if (!line.starts_with(prefix)) return;
        *out = line.substr(prefix.size(), line.find('"', prefix.size()) - prefix.size());
      };
      value("CMAKE_CXX_COMPILER_ID", id);
      std::string version;
      value("CMAKE_CXX_COMPILER_VERSION", &version);
      if (!version.empty()) *major = version.substr(0, version.find('.'));
    }
    if (!id->empty()) return true;
  }
  return false;
}

// Runs one step with its output in `log`; false after saying what failed, with the log's end.
bool run_step(const std::vector<std::string>& argv, const FuzzLayout& layout,
              const ToolEnvironment& env, const fs::path& log, const std::string& what) {
  std::string error;
  const int status = run_tool(argv, layout.root, env, log, log, &error);
  if (status == 0) return true;
  if (status < 0) {
    absl::FPrintF(stderr, "allocfuzz coverage: %s: %s\n", what, error);
  } else {
    absl::FPrintF(stderr, "allocfuzz coverage: %s failed (exit status %d); the end of %s:\n%s",
                  what, status, root_relative(layout, log), log_tail(log, 15));
  }
  return false;
}

std::string percent(uint64_t covered, uint64_t count) {
  if (count == 0) return "-";
  return absl::StrFormat("%.2f%%", 100.0 * static_cast<double>(covered) / count);
}

std::string row(const std::string& name, const FileSummary& s) {
  return absl::StrFormat("%-34s %5d/%-5d %8s   %5d/%-5d %8s\n", name, s.lines_covered, s.lines,
                         percent(s.lines_covered, s.lines), s.regions_covered, s.regions,
                         percent(s.regions_covered, s.regions));
}

}  // namespace

int coverage(const CoverageRequest& request) {
  const FuzzTarget* target = find_target_or_complain("coverage", request.target);
  if (target == nullptr) return kExitBadInput;
  if (!check_tool_verb_flags("coverage", *target, request.settings.overrides)) {
    return kExitBadInput;
  }
  // Inputs named on the command line are relative to where it was given.
  std::vector<fs::path> inputs;
  for (const std::string& input : request.inputs) {
    std::error_code ec;
    if (!fs::exists(input, ec)) {
      absl::FPrintF(stderr, "allocfuzz coverage: %s: no such file or directory\n", input);
      return kExitBadInput;
    }
    inputs.push_back(fs::absolute(input, ec).lexically_normal());
  }
  FuzzLayout layout;
  std::string error;
  if (!find_repo_root("coverage", request.root, &layout, &error)) {
    absl::FPrintF(stderr, "%s\n", error);
    return kExitBadInput;
  }
  const std::string cmake = find_on_path({"cmake"});
  if (cmake.empty()) {
    absl::FPrintF(stderr,
                  "allocfuzz coverage: cmake not found on PATH (Debian: apt-get install cmake "
                  "ninja-build clang llvm, or run ci/deps.sh)\n");
    return kExitBadInput;
  }
  const std::string name(target->name);
  const fs::path build_dir = layout.root / kBuildDir;
  const fs::path out_dir = layout.root / "work" / name / "coverage";
  std::error_code ec;
  fs::remove_all(out_dir, ec);
  if (!ec) fs::create_directories(out_dir, ec);
  if (ec) {
    absl::FPrintF(stderr, "allocfuzz coverage: cannot make %s: %s\n", out_dir.string(),
                  ec.message());
    return kExitBadInput;
  }
  layout.work_dir = layout.root / "work" / name;
  const fs::path build_log = out_dir / "build.log";
  const ToolEnvironment no_env;

  // 1. The coverage build of the target. Configuring every time (quick once configured) keeps
  // the cache in step with the preset.
  if (!fs::exists(build_dir / "CMakeCache.txt", ec)) {
    absl::FPrintF(stderr, "allocfuzz coverage: configuring %s (cmake --preset coverage)\n",
                  kBuildDir);
  }
  if (!run_step({cmake, "--preset", "coverage"}, layout, no_env, build_log,
                "cmake --preset coverage")) {
    return kExitBadInput;
  }
  std::string compiler_id;
  std::string major;
  if (!build_compiler(build_dir, &compiler_id, &major) || compiler_id != "Clang") {
    absl::FPrintF(stderr,
                  "allocfuzz coverage: %s is not a clang build (compiler '%s'); remove it and "
                  "run again, or: cmake --fresh --preset coverage\n",
                  kBuildDir, compiler_id);
    return kExitBadInput;
  }
  std::string tools[2];
  const char* tool_names[2] = {"llvm-profdata", "llvm-cov"};
  for (int i = 0; i < 2; ++i) {
    std::vector<std::string> names;
    if (!major.empty()) names.push_back(std::string(tool_names[i]) + "-" + major);
    names.push_back(tool_names[i]);
    tools[i] = find_on_path(names);
    if (tools[i].empty()) {
      std::string wanted = names[0];
      for (size_t j = 1; j < names.size(); ++j) wanted += " or " + names[j];
      absl::FPrintF(stderr,
                    "allocfuzz coverage: %s not found on PATH (Debian: apt-get install llvm, "
                    "or run ci/deps.sh)\n",
                    wanted);
      return kExitBadInput;
    }
  }
  const std::string& profdata_tool = tools[0];
  const std::string& cov_tool = tools[1];
  absl::FPrintF(stderr, "allocfuzz coverage: building %s in %s (log: %s)\n", name, kBuildDir,
                root_relative(layout, build_log));
  if (!run_step({cmake, "--build", kBuildDir, "--target", name}, layout, no_env, build_log,
                "cmake --build " + std::string(kBuildDir) + " --target " + name)) {
    return kExitBadInput;
  }
  const fs::path binary = build_dir / "bin" / name;

  // 2. The inputs through it.
  std::vector<std::string> counts;  // "corpus/heap_fuzzer: 13"
  size_t total_inputs = 0;
  if (inputs.empty()) {
    for (const fs::path& dir :
         {layout.root / "corpus" / std::string(target->inputs_of), layout.work_dir / "corpus"}) {
      const CorpusSize size = corpus_size(dir);
      if (size.files > 0) inputs.push_back(dir);
    }
    if (inputs.empty()) {
      absl::FPrintF(stderr, "allocfuzz coverage: no inputs: corpus/%s and %s are empty\n",
                    target->inputs_of, root_relative(layout, layout.work_dir / "corpus"));
      return kExitBadInput;
    }
  }
  std::vector<std::string> run_argv = {binary.string()};
  for (const fs::path& input : inputs) {
    const size_t files = fs::is_directory(input, ec) ? corpus_size(input).files : 1;
    total_inputs += files;
    counts.push_back(absl::StrFormat("%s: %d", root_relative(layout, input), files));
    run_argv.push_back(root_relative(layout, input));
  }
  const fs::path profraw = out_dir / (name + ".profraw");
  const fs::path profdata = out_dir / (name + ".profdata");
  const fs::path run_log = out_dir / "run.log";
  ToolEnvironment env = fuzz_target_environment(request.settings.overrides);
  env.set.emplace_back("LLVM_PROFILE_FILE", profraw.string());
  absl::FPrintF(stderr, "allocfuzz coverage: running %d inputs through %s (log: %s)\n",
                total_inputs, root_relative(layout, binary), root_relative(layout, run_log));
  const int status = run_tool(run_argv, layout.root, env, run_log, run_log, &error);
  if (status != 0) {
    if (status < 0) {
      absl::FPrintF(stderr, "allocfuzz coverage: %s\n", error);
      return kExitBadInput;
    }
    // The last input started is the one it died on (standalone_main.cc prints "Running:").
    std::string last;
    std::ifstream in(run_log);
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("Running: ")) last = line.substr(9, line.rfind(" (") - 9);
    }
    const bool finding = status > 128 || status == 1;
    absl::FPrintF(stderr, "allocfuzz coverage: %s %s %d%s; no coverage written; the end of %s:\n%s",
                  name, status > 128 ? "was killed by signal" : "exited with status",
                  status > 128 ? status - 128 : status, last.empty() ? "" : " on " + last,
                  root_relative(layout, run_log), log_tail(run_log, 15));
    if (finding && !last.empty() && target->takes_programs) {
      const std::string& heap = request.settings.overrides.heap;
      absl::FPrintF(stderr, "replay: %s%s replay %s\n",
                    root_relative(layout, layout.bin_dir / "allocfuzz"),
                    heap.empty() ? "" : " --heap=" + heap, last);
    }
    return finding ? kExitViolation : kExitBadInput;
  }
  if (!fs::exists(profraw, ec)) {
    absl::FPrintF(stderr,
                  "allocfuzz coverage: %s wrote no profile: %s was not configured by the "
                  "coverage preset? remove it and run again\n",
                  root_relative(layout, binary), kBuildDir);
    return kExitBadInput;
  }

  // 3. Merge, summarize, render.
  const fs::path tools_log = out_dir / "llvm.log";
  if (!run_step({profdata_tool, "merge", "-sparse", profraw.string(), "-o", profdata.string()},
                layout, no_env, tools_log, "llvm-profdata merge")) {
    return kExitBadInput;
  }
  const fs::path summary_json = out_dir / "summary.json";
  std::string json;
  std::vector<FileSummary> files;
  {
    const int export_status = run_tool({cov_tool, "export", "-summary-only", binary.string(),
                                        "-instr-profile=" + profdata.string()},
                                       layout.root, no_env, summary_json, tools_log, &error);
    std::ifstream in(summary_json, std::ios::binary);
    json.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (export_status != 0 || !parse_export(json, &files)) {
      absl::FPrintF(stderr, "allocfuzz coverage: cannot read `llvm-cov export` output (%s); %s\n",
                    root_relative(layout, summary_json), root_relative(layout, tools_log));
      return kExitBadInput;
    }
  }
  // The repository's own sources (not the system's headers), in path order.
  const std::string root_prefix = layout.root.string() + "/";
  std::vector<FileSummary> ours;
  for (FileSummary& file : files) {
    if (!file.path.starts_with(root_prefix)) continue;
    file.path = file.path.substr(root_prefix.size());
    ours.push_back(std::move(file));
  }
  std::sort(ours.begin(), ours.end(),
            [](const FileSummary& a, const FileSummary& b) { return a.path < b.path; });
  const fs::path html_dir = out_dir / "html";
  std::vector<std::string> show = {cov_tool,
                                   "show",
                                   binary.string(),
                                   "-instr-profile=" + profdata.string(),
                                   "-format=html",
                                   "-output-dir=" + html_dir.string(),
                                   "-show-line-counts-or-regions",
                                   "-project-title=allocfuzz " + name};
  for (const FileSummary& file : ours) show.push_back((layout.root / file.path).string());
  if (!run_step(show, layout, no_env, tools_log, "llvm-cov show -format=html")) {
    return kExitBadInput;
  }

  std::string heap_note;
  if (!request.settings.overrides.heap.empty()) {
    heap_note = " on heap " + request.settings.overrides.heap;
  }
  std::string sources;
  for (const std::string& count : counts) sources += (sources.empty() ? "" : ", ") + count;
  absl::PrintF("allocfuzz coverage: %s%s, %d inputs (%s)\n", name, heap_note, total_inputs,
               sources);
  absl::PrintF("%-34s %20s   %20s\n", "file", "lines", "regions");
  // allocator/ and its total; with --heap, also the plugins/ files that ran (the plugin heap's
  // own code, which every fuzz target links).
  FileSummary total;
  bool any_allocator = false;
  for (const FileSummary& file : ours) {
    if (!file.path.starts_with("allocator/")) continue;
    absl::PrintF("%s", row(file.path, file));
    any_allocator = true;
    total.lines += file.lines;
    total.lines_covered += file.lines_covered;
    total.regions += file.regions;
    total.regions_covered += file.regions_covered;
  }
  if (any_allocator) absl::PrintF("%s", row("allocator/ total", total));
  for (const FileSummary& file : ours) {
    if (!heap_note.empty() && file.path.starts_with("plugins/") && file.lines_covered > 0) {
      absl::PrintF("%s", row(file.path, file));
    }
  }
  absl::PrintF("html: %s\n", root_relative(layout, html_dir / "index.html"));
  absl::PrintF("lines of one file: %s show %s -instr-profile=%s FILE\n",
               fs::path(cov_tool).filename().string(), root_relative(layout, binary),
               root_relative(layout, profdata));
  return kExitOk;
}

}  // namespace allocfuzz
