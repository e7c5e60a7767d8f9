// Where `allocfuzz run` finds things and puts things (see run_fuzzer.h for the layout), and
// the libFuzzer command line it builds. No process is started here.
#ifndef ALLOCFUZZ_REPRO_FUZZ_LAYOUT_H_
#define ALLOCFUZZ_REPRO_FUZZ_LAYOUT_H_

#include <filesystem>
#include <string>
#include <vector>

namespace allocfuzz {

struct FuzzLayout {
  std::filesystem::path root;          // the repository (absolute)
  std::filesystem::path bin_dir;       // where allocfuzz and the fuzz targets are
  std::filesystem::path fuzzer;        // bin_dir / TARGET
  std::filesystem::path work_dir;      // root/work/TARGET
  std::filesystem::path corpus_dir;    // root/work/TARGET/corpus
  std::filesystem::path log_path;      // root/work/TARGET/fuzz.log
  std::filesystem::path artifact_dir;  // root/artifacts/TARGET
};

// Finds the binaries and the root (`root_flag` empty: bin/../../..). False with a message that
// says what to do (build the fuzz preset, pass --root).
bool find_fuzz_layout(const std::string& target, const std::string& root_flag, FuzzLayout* out,
                      std::string* error);

// Recreates work/TARGET/corpus as a copy of corpus/INPUTS (the target's FuzzTarget::inputs_of;
// empty when there is none) and makes the artifact directory. Returns the number of seeds, or
// -1 with a message.
int prepare_fuzz_dirs(const std::string& inputs, const FuzzLayout& layout, std::string* error);

// "-key=value" for each "key = value" in the [libfuzzer] section of a libFuzzer-style
// .options file; lines starting with '#' or ';' are comments.
std::vector<std::string> read_libfuzzer_options(const std::filesystem::path& path);

// The whole argv: fuzzer, our flags (with fuzz/INPUTS.dict and fuzz/INPUTS.options when they
// exist), the corpus, then `user_args`.
std::vector<std::string> libfuzzer_command(const std::string& target, const std::string& inputs,
                                           const FuzzLayout& layout, unsigned seconds,
                                           unsigned jobs,
                                           const std::vector<std::string>& user_args);

// `path` relative to the root when it is inside it, else as it is: what summaries print.
std::string root_relative(const FuzzLayout& layout, const std::filesystem::path& path);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_FUZZ_LAYOUT_H_
