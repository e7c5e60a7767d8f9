// What `allocfuzz coverage` and `allocfuzz cmin` share, and in part `allocfuzz run`: starting
// another program (cmake, llvm-profdata, llvm-cov, a fuzz target) with its output in a log file,
// finding tools on PATH (afl-fuzz too), the fuzz target's environment, and the size of a corpus
// directory.
#ifndef ALLOCFUZZ_REPRO_TOOL_PROCESS_H_
#define ALLOCFUZZ_REPRO_TOOL_PROCESS_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/targets/target_contract.h"
#include "repro/tools/program_setup.h"

namespace allocfuzz {

// Variables to set and to unset in a tool's environment.
using ToolEnvironment = TargetEnvironment;

// Runs argv (argv[0] a path, or a name looked up on PATH) in `cwd`, stdin from /dev/null, its
// stdout appended to `out_path` and its stderr to `err_path` (the same file is fine). Returns
// its exit status (0..255), 128 + N when signal N killed it, or -1 with a message when it could
// not start at all.
int run_tool(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
             const ToolEnvironment& env, const std::filesystem::path& out_path,
             const std::filesystem::path& err_path, std::string* error);

// The first of `names` that is an executable file in a directory of PATH, as its full path;
// empty when none is.
std::string find_on_path(const std::vector<std::string>& names);

// The environment a fuzz target runs in for run (either engine), cmin and coverage, by the one
// builder (target_environment, fuzz/targets/target_contract.h): --heap as ALLOCFUZZ_HEAP, the
// defect as ALLOCFUZZ_DEFECT, --diff (diff_fuzzer) as ALLOCFUZZ_DIFF_HEAPS; each variable not
// given is unset, never inherited. run settles the defect first (--defect, or an inherited
// ALLOCFUZZ_DEFECT it adopts, so that its artifacts are minimized with it); cmin and coverage
// refuse a defect (check_tool_verb_flags), so theirs is always unset.
TargetEnvironment fuzz_target_environment(const Overrides& overrides);

// The target named `name`, a row of the table or a plugin's NAME_fuzzer (plugin_targets.h), or
// nullptr after printing "allocfuzz VERB: unknown target 'NAME' (known: ...)" on stderr.
const FuzzTarget* find_target_or_complain(std::string_view verb, const std::string& name);

// Checks the flags that neither verb takes (--defect; --diff with a target that compares no
// heaps; a --heap other than a plugin target's own). False after printing why on stderr.
bool check_tool_verb_flags(std::string_view verb, const FuzzTarget& target,
                           const Overrides& overrides);

struct CorpusSize {
  size_t files = 0;
  uintmax_t bytes = 0;
};

// The regular files directly in `dir` (as the fuzz targets and libFuzzer read a corpus).
CorpusSize corpus_size(const std::filesystem::path& dir);

// The last `count` lines of a log, each indented by two spaces: what a failed step shows.
std::string log_tail(const std::filesystem::path& path, size_t count);

// "1 file" or "N files", and "1 byte" or "N bytes".
std::string count_files_text(size_t files);
std::string count_bytes_text(uintmax_t bytes);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_TOOL_PROCESS_H_
