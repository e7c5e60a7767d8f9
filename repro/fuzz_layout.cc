// Paths and the libFuzzer command line for `allocfuzz run`; see fuzz_layout.h.
#include "repro/fuzz_layout.h"

#include <absl/strings/str_format.h>
#include <unistd.h>

#include <fstream>
#include <system_error>

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
  return true;
}

int prepare_fuzz_dirs(const std::string& inputs, const FuzzLayout& layout, std::string* error) {
  std::error_code ec;
  fs::remove_all(layout.corpus_dir, ec);
  if (!ec) fs::create_directories(layout.corpus_dir, ec);
  if (!ec) fs::create_directories(layout.artifact_dir, ec);
  if (ec) {
    *error =
        absl::StrFormat("allocfuzz run: cannot prepare %s and %s: %s", layout.corpus_dir.string(),
                        layout.artifact_dir.string(), ec.message());
    return -1;
  }
  const fs::path seeds = layout.root / "corpus" / inputs;
  int count = 0;
  if (!fs::is_directory(seeds, ec)) return 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(seeds, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    fs::copy_file(entry.path(), layout.corpus_dir / entry.path().filename(), ec);
    if (ec) {
      *error =
          absl::StrFormat("allocfuzz run: cannot copy %s: %s", entry.path().string(), ec.message());
      return -1;
    }
    ++count;
  }
  return count;
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
  };
  std::error_code ec;
  const std::string dict = absl::StrFormat("fuzz/%s.dict", inputs);
  if (fs::is_regular_file(layout.root / dict, ec)) argv.push_back("-dict=" + dict);
  const fs::path options = layout.root / "fuzz" / (inputs + ".options");
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

}  // namespace allocfuzz
