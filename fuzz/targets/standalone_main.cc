// A main for fuzz targets in builds without libFuzzer (dev, release): replays inputs through
// LLVMFuzzerTestOneInput the way `fuzzer FILE...` does under libFuzzer, so a corpus or a crash
// file can be run under the dev sanitizers and in ctest. Any target that defines
// LLVMFuzzerTestOneInput (and optionally LLVMFuzzerInitialize) can link this file.
//
// Usage: TARGET FILE_OR_DIR...   Each file is one input; a directory means every regular file
// directly in it, in name order. Arguments starting with '-' (libFuzzer flags) are ignored.
// Exit status: 0 when every input ran, 2 when an input could not be read or none was given.
// A finding aborts in the target, as under libFuzzer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return false;
  }
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                std::istreambuf_iterator<char>()};
  std::fprintf(stderr, "Running: %s (%zu bytes)\n", path.c_str(), bytes.size());
  // Copy into an exactly sized heap block, so ASan catches a read one past the end (as under
  // libFuzzer); an empty input gets a non-null pointer too.
  std::vector<uint8_t> input(bytes.begin(), bytes.end());
  input.shrink_to_fit();
  LLVMFuzzerTestOneInput(input.empty() ? reinterpret_cast<const uint8_t*>("") : input.data(),
                         input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  size_t ran = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("-")) continue;
    const std::filesystem::path path(arg);
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
        if (entry.is_regular_file(error)) files.push_back(entry.path());
      }
      if (error) {
        std::fprintf(stderr, "cannot list %s: %s\n", path.c_str(), error.message().c_str());
        ok = false;
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        ok = run_file(file) && ok;
        ++ran;
      }
    } else {
      ok = run_file(path) && ok;
      ++ran;
    }
  }
  if (ran == 0) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR... (replays inputs; no fuzzing in this build)\n",
                 argv[0]);
    return 2;
  }
  std::fprintf(stderr, "Executed %zu inputs%s\n", ran, ok ? "" : " (some could not be read)");
  return ok ? 0 : 2;
}
