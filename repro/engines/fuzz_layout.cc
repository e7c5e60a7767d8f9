// Paths and the libFuzzer and afl-fuzz command lines for `allocfuzz run`; see fuzz_layout.h.
#include "repro/engines/fuzz_layout.h"

#include <absl/strings/str_format.h>
#include <unistd.h>

#include <fstream>
#include <system_error>

// In AFL++'s runtime (afl-compiler-rt.o), which afl-clang-fast links into every executable it
// builds; absent (null) anywhere else. (Not __afl_area_ptr: AFL++'s instrumentation declares
// that one itself.)
extern "C" __attribute__((weak)) void __afl_manual_init();

namespace allocfuzz {
namespace fs = std::filesystem;
namespace {

constexpr const char* kBuildFuzzPreset = "build the fuzz preset: cmake --workflow --preset fuzz";

bool looks_like_root(const fs::path& dir) {
  std::error_code error;
  return fs::is_regular_file(dir / "CMakeLists.txt", error) &&
         fs::is_directory(dir / "fuzz", error);
}

std::string trim(std::string text) {
  const char* blanks = " \t\r";
  const size_t first = text.find_first_not_of(blanks);
  if (first == std::string::npos) return "";
  const size_t last = text.find_last_not_of(blanks);
  return text.substr(first, last - first + 1);
}

}  // namespace

bool find_fuzz_layout(const std::string& target, const std::string& root_flag, FuzzLayout* out,
                      std::string* error) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    *error = absl::StrFormat("allocfuzz run: cannot find my own binary: %s", ec.message());
    return false;
  }
  out->bin_dir = self.parent_path();
  // The replay hints name this very binary: it knows the heaps the artifacts ran on.
  out->cli = self;
  out->fuzzer = out->bin_dir / target;
  if (access(out->fuzzer.c_str(), X_OK) != 0) {
    *error = absl::StrFormat("allocfuzz run: no fuzzer binary %s; %s", out->fuzzer.string(),
                             kBuildFuzzPreset);
    return false;
  }
  if (!root_flag.empty()) {
    out->root = fs::absolute(root_flag, ec);
    if (ec || !looks_like_root(out->root)) {
      *error = absl::StrFormat(
          "allocfuzz run: --root=%s is not the allocfuzz repository "
          "(no CMakeLists.txt and fuzz/ there)",
          root_flag);
      return false;
    }
  } else {
    out->root = out->bin_dir.parent_path().parent_path().parent_path();
    if (!looks_like_root(out->root)) {
      *error = absl::StrFormat(
          "allocfuzz run: %s is not in build/<preset>/bin/ of the "
          "repository; pass --root=DIR",
          self.string());
      return false;
    }
  }
  out->work_dir = out->root / "work" / target;
  out->corpus_dir = out->work_dir / "corpus";
  out->log_path = out->work_dir / "fuzz.log";
  out->artifact_dir = out->root / "artifacts" / target;
  out->afl_dir = out->work_dir / "afl";
  return true;
}

int prepare_fuzz_dirs(const std::string& inputs, const FuzzLayout& layout, std::string* error) {
  std::error_code ec;
  // The corpus is kept between runs (what earlier runs grew, or what `cmin` left), as a fuzzing
  // corpus is: each run adds to it. The seeds are copied in again, so a seed changed since is
  // the current one.
  fs::create_directories(layout.corpus_dir, ec);
  if (!ec) fs::create_directories(layout.artifact_dir, ec);
  if (ec) {
    *error =
        absl::StrFormat("allocfuzz run: cannot prepare %s and %s: %s", layout.corpus_dir.string(),
                        layout.artifact_dir.string(), ec.message());
    return -1;
  }
  if (inputs.empty()) return 0;
  const fs::path seeds = layout.root / "corpus" / inputs;
  int count = 0;
  if (!fs::is_directory(seeds, ec)) return 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(seeds, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    fs::copy_file(entry.path(), layout.corpus_dir / entry.path().filename(),
                  fs::copy_options::overwrite_existing, ec);
    if (ec) {
      *error =
          absl::StrFormat("allocfuzz run: cannot copy %s: %s", entry.path().string(), ec.message());
      return -1;
    }
    ++count;
  }
  return count;
}

bool use_empty_corpus(FuzzLayout* layout, std::string* error) {
  layout->corpus_dir = layout->work_dir / "empty-corpus";
  std::error_code ec;
  fs::remove_all(layout->corpus_dir, ec);
  if (ec) {
    *error = absl::StrFormat("allocfuzz run: cannot empty %s: %s", layout->corpus_dir.string(),
                             ec.message());
    return false;
  }
  return true;
}

std::vector<std::string> read_libfuzzer_options(const fs::path& path) {
  std::vector<std::string> flags;
  std::ifstream in(path);
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_section = trim(line.substr(1, line.size() - 2)) == "libfuzzer";
      continue;
    }
    const size_t equals = line.find('=');
    if (!in_section || equals == std::string::npos) continue;
    flags.push_back("-" + trim(line.substr(0, equals)) + "=" + trim(line.substr(equals + 1)));
  }
  return flags;
}

std::vector<std::string> libfuzzer_command(const std::string& target, const std::string& inputs,
                                           const FuzzLayout& layout, unsigned seconds,
                                           unsigned jobs,
                                           const std::vector<std::string>& user_args) {
  std::vector<std::string> argv = {
      layout.fuzzer.string(),
      absl::StrFormat("-fork=%d", jobs),
      absl::StrFormat("-max_total_time=%d", seconds),
      absl::StrFormat("-artifact_prefix=artifacts/%s/", target),
      // Keep fuzzing past what was found until the time is up: run buckets every artifact.
      "-ignore_crashes=1",
      "-ignore_ooms=1",
      "-ignore_timeouts=1",
  };
  std::error_code ec;
  const std::string dict = absl::StrFormat("fuzz/targets/%s.dict", inputs);
  if (fs::is_regular_file(layout.root / dict, ec)) argv.push_back("-dict=" + dict);
  const fs::path options = layout.root / "fuzz" / "targets" / (inputs + ".options");
  if (fs::is_regular_file(options, ec)) {
    for (std::string& flag : read_libfuzzer_options(options)) argv.push_back(std::move(flag));
  }
  argv.push_back(root_relative(layout, layout.corpus_dir));
  argv.insert(argv.end(), user_args.begin(), user_args.end());
  return argv;
}

std::string root_relative(const FuzzLayout& layout, const fs::path& path) {
  const fs::path relative = path.lexically_relative(layout.root);
  if (relative.empty() || *relative.begin() == "..") return path.string();
  return relative.string();
}

bool find_repo_root(const std::string& verb, const std::string& root_flag, FuzzLayout* out,
                    std::string* error) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    *error = absl::StrFormat("allocfuzz %s: cannot find my own binary: %s", verb, ec.message());
    return false;
  }
  out->bin_dir = self.parent_path();
  // The replay hints name this very binary: it knows the heaps the artifacts ran on.
  out->cli = self;
  if (!root_flag.empty()) {
    out->root = fs::absolute(root_flag, ec);
    if (ec || !looks_like_root(out->root)) {
      *error = absl::StrFormat(
          "allocfuzz %s: --root=%s is not the allocfuzz repository (no CMakeLists.txt and fuzz/ "
          "there)",
          verb, root_flag);
      return false;
    }
    out->root = out->root.lexically_normal();
    if (!out->root.has_filename()) out->root = out->root.parent_path();  // "DIR/"
    return true;
  }
  out->root = out->bin_dir.parent_path().parent_path().parent_path();
  if (!looks_like_root(out->root)) {
    *error = absl::StrFormat(
        "allocfuzz %s: %s is not in build/<preset>/bin/ of the repository; pass --root=DIR", verb,
        self.string());
    return false;
  }
  return true;
}

bool built_with_afl() { return &__afl_manual_init != nullptr; }

bool find_afl_layout(const std::string& target, const std::string& root_flag, FuzzLayout* out,
                     std::string* error) {
  if (!find_repo_root("run", root_flag, out, error)) return false;
  if (!built_with_afl()) out->bin_dir = out->root / "build" / "afl" / "bin";
  out->fuzzer = out->bin_dir / target;
  if (access(out->fuzzer.c_str(), X_OK) != 0) {
    *error = absl::StrFormat(
        "allocfuzz run: no AFL++ build of %s (%s); build the afl preset: cmake --workflow "
        "--preset afl",
        target, out->fuzzer.string());
    return false;
  }
  out->work_dir = out->root / "work" / target;
  out->corpus_dir = out->work_dir / "corpus";
  out->log_path = out->work_dir / "fuzz.log";
  out->artifact_dir = out->root / "artifacts" / target;
  out->afl_dir = out->work_dir / "afl";
  return true;
}

std::string afl_instance_name(unsigned index, unsigned count) {
  if (count <= 1) return "default";
  return index == 0 ? "main" : absl::StrFormat("s%d", index);
}

std::vector<std::string> afl_command(const std::string& afl_fuzz, const std::string& inputs,
                                     const FuzzLayout& layout, unsigned seconds, unsigned index,
                                     unsigned count, const std::vector<std::string>& user_args) {
  std::vector<std::string> argv = {
      afl_fuzz,
      "-i",
      root_relative(layout, layout.corpus_dir),
      "-o",
      root_relative(layout, layout.afl_dir),
      "-V",
      absl::StrFormat("%d", seconds),
  };
  if (count > 1) {
    argv.push_back(index == 0 ? "-M" : "-S");
    argv.push_back(afl_instance_name(index, count));
  }
  // libFuzzer's max_len is afl-fuzz's -G, the longest input it generates.
  bool user_sets_length = false;
  for (const std::string& arg : user_args) user_sets_length |= arg.starts_with("-G");
  std::error_code ec;
  const fs::path options = layout.root / "fuzz" / "targets" / (inputs + ".options");
  if (!user_sets_length && fs::is_regular_file(options, ec)) {
    for (const std::string& flag : read_libfuzzer_options(options)) {
      if (flag.starts_with("-max_len=")) {
        argv.push_back("-G");
        argv.push_back(flag.substr(std::string_view("-max_len=").size()));
      }
    }
  }
  const std::string dict = absl::StrFormat("fuzz/targets/%s.dict", inputs);
  if (fs::is_regular_file(layout.root / dict, ec)) {
    argv.push_back("-x");
    argv.push_back(dict);
  }
  argv.insert(argv.end(), user_args.begin(), user_args.end());
  argv.push_back("--");
  argv.push_back(root_relative(layout, layout.fuzzer));
  return argv;
}

}  // namespace allocfuzz
