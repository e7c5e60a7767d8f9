// `allocfuzz coverage TARGET [DIR...]`: how much of the code a corpus runs, by clang's
// source-based coverage.
//
// Any build's allocfuzz does it (it finds the repository root as `run` does, or --root):
//   1. configures the `coverage` preset (CMakePresets.json) into build/coverage/ (every time:
//      quick once configured, and the cache stays in step with the preset) and builds TARGET
//      there (`cmake --build build/coverage --target TARGET`, a no-op when up to date). That
//      build is clang with -fprofile-instr-generate -fcoverage-mapping and no sanitizers;
//      without libFuzzer its fuzz targets are fuzz/targets/standalone_main.cc's replayers, which
//      run every file of the directories given;
//   2. runs TARGET once over the inputs: DIR... when given, else the shipped seeds
//      (corpus/INPUTS, INPUTS the target's inputs_of) and work/TARGET/corpus when it exists
//      (what `allocfuzz run` grew), with LLVM_PROFILE_FILE in work/TARGET/coverage/, --heap
//      and --diff passed as `run` passes them (no --heap: the target's default heap, whatever
//      ALLOCFUZZ_HEAP says) and no ALLOCFUZZ_DEFECT;
//   3. merges the profile (llvm-profdata merge), writes an HTML report of the repository's
//      sources to work/TARGET/coverage/html/ (llvm-cov show -format=html), and prints the line
//      and region coverage of each file in allocator/ (and of each plugins/ file that ran), with
//      a total for allocator/: the same text for the same inputs, every time.
// The tools are llvm-profdata and llvm-cov of the coverage build's clang (llvm-profdata-14 for
// clang 14), else the unversioned names. Logs go to work/TARGET/coverage/*.log.
// Exit status: 0 done; 1 the target failed on an input (a finding: the profile is lost); 2 bad
// usage, an unknown target, a missing tool, or a build that failed.
#ifndef ALLOCFUZZ_REPRO_COVERAGE_H_
#define ALLOCFUZZ_REPRO_COVERAGE_H_

#include <string>
#include <vector>

#include "repro/tools/program_setup.h"

namespace allocfuzz {

struct CoverageRequest {
  std::string target;
  std::vector<std::string> inputs;  // files or directories; empty: seeds + work/TARGET/corpus
  std::string root;                 // empty: from the binary's path
  RunSettings settings;             // --heap and --diff go to the target
};

int coverage(const CoverageRequest& request);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_COVERAGE_H_
