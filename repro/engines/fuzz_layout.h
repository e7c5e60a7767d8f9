// Where `allocfuzz run` finds things and puts things (see run_fuzzer.h for the layout), and
// the libFuzzer and afl-fuzz command lines it builds. No process is started here.
#ifndef ALLOCFUZZ_REPRO_FUZZ_LAYOUT_H_
#define ALLOCFUZZ_REPRO_FUZZ_LAYOUT_H_

#include <filesystem>
#include <string>
#include <vector>

#include "allocator/base/build_config.h"

namespace allocfuzz {

// kFuzzBuild (build_config.h): only in a fuzz build are the fuzz targets beside allocfuzz
// libFuzzer binaries; elsewhere `run` and `cmin` refuse and say which preset to build.

struct FuzzLayout {
  std::filesystem::path root;          // the repository (absolute)
  std::filesystem::path bin_dir;       // where the fuzz targets (and allocfuzz) are; for
                                       // --engine=afl the AFL++ build's bin/
  std::filesystem::path fuzzer;        // bin_dir / TARGET
  std::filesystem::path work_dir;      // root/work/TARGET
  std::filesystem::path corpus_dir;    // root/work/TARGET/corpus
  std::filesystem::path log_path;      // root/work/TARGET/fuzz.log
  std::filesystem::path artifact_dir;  // root/artifacts/TARGET
  std::filesystem::path cli;           // the allocfuzz replay hints name: this running binary,
                                       // which knows the heaps the artifacts ran on
  std::filesystem::path afl_dir;       // root/work/TARGET/afl: afl-fuzz's -o (--engine=afl)
};

// Finds the binaries and the root (`root_flag` empty: bin/../../..). False with a message that
// says what to do (build the fuzz preset, pass --root).
bool find_fuzz_layout(const std::string& target, const std::string& root_flag, FuzzLayout* out,
                      std::string* error);

// Makes work/TARGET/corpus (kept from earlier runs: it grows run by run, and `cmin` shrinks it;
// delete it to start over) and copies corpus/INPUTS into it (the target's FuzzTarget::inputs_of;
// nothing when there is none), and makes the artifact directory. Returns the number of seeds,
// or -1 with a message.
int prepare_fuzz_dirs(const std::string& inputs, const FuzzLayout& layout, std::string* error);

// `run --empty`: the run's corpus becomes work/TARGET/empty-corpus/, emptied now, and gets no
// seeds (prepare_fuzz_dirs with `inputs` empty); work/TARGET/corpus/ is left as it is. False
// with a message when the directory cannot be emptied.
bool use_empty_corpus(FuzzLayout* layout, std::string* error);

// "-key=value" for each "key = value" in the [libfuzzer] section of a libFuzzer-style
// .options file; lines starting with '#' or ';' are comments.
std::vector<std::string> read_libfuzzer_options(const std::filesystem::path& path);

// The whole argv: fuzzer, our flags (with fuzz/targets/INPUTS.dict and fuzz/targets/INPUTS.options
// when they exist), the corpus, then `user_args`.
std::vector<std::string> libfuzzer_command(const std::string& target, const std::string& inputs,
                                           const FuzzLayout& layout, unsigned seconds,
                                           unsigned jobs,
                                           const std::vector<std::string>& user_args);

// Whether this binary was compiled by AFL++'s afl-clang-fast (it links AFL++'s runtime): then
// the fuzz targets next to it run under afl-fuzz, not as libFuzzer binaries.
bool built_with_afl();

// For `run --engine=afl`: the root as find_repo_root finds it, and the fuzz targets of the AFL++
// build: next to this binary when it is itself one (the afl preset, in any build directory),
// else in root/build/afl/bin. False with a message that says what to do (build the afl preset).
bool find_afl_layout(const std::string& target, const std::string& root_flag, FuzzLayout* out,
                     std::string* error);

// The name of afl-fuzz instance `index` of `count` (its directory under afl_dir): "default"
// when it is alone, else "main" (-M) and "s1", "s2", ... (-S).
std::string afl_instance_name(unsigned index, unsigned count);

// The argv of afl-fuzz instance `index` of `count`: -i the corpus copy, -o afl_dir,
// -V SECONDS, -M/-S when count > 1, -G max_len from fuzz/targets/INPUTS.options and -x
// fuzz/targets/INPUTS.dict when they exist (-G only when `user_args` has none), then `user_args`,
// untouched, and
// `-- FUZZER`. Paths are relative to the root.
std::vector<std::string> afl_command(const std::string& afl_fuzz, const std::string& inputs,
                                     const FuzzLayout& layout, unsigned seconds, unsigned index,
                                     unsigned count, const std::vector<std::string>& user_args);

// `path` relative to the root when it is inside it, else as it is: what summaries print.
std::string root_relative(const FuzzLayout& layout, const std::filesystem::path& path);

// The root and bin_dir of a layout only, as find_fuzz_layout finds them (`root_flag` empty:
// bin/../../..), for verbs that need no fuzzer next to the binary (`coverage`, `cmin`). The
// message names `verb` ("allocfuzz VERB: ...") and says what to do.
bool find_repo_root(const std::string& verb, const std::string& root_flag, FuzzLayout* out,
                    std::string* error);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_FUZZ_LAYOUT_H_
