// `allocfuzz cmin TARGET [DIR...] [-o OUT]`: corpus minimization through libFuzzer's merge.
//
// It needs the fuzz build (as `run` does): build/fuzz/bin/allocfuzz and the libFuzzer TARGET
// next to it. The inputs are DIR... when given, else the shipped seeds (corpus/INPUTS, INPUTS
// the target's inputs_of) and work/TARGET/corpus (what `allocfuzz run` grew). It runs
//   TARGET -merge=1 [the [libfuzzer] options of fuzz/targets/INPUTS.options]
//          -artifact_prefix=artifacts/TARGET/ work/TARGET/cmin.new INPUT_DIR...
// in the repository root (output in work/TARGET/cmin.log), which keeps the smallest set of
// inputs that reaches every feature (coverage edge and counter) the inputs reach together. Only
// when the merge succeeded does the result replace the output directory: work/TARGET/corpus,
// or OUT with -o (made when missing; refused when it holds anything but files). corpus/ (the
// committed seeds) is never written unless given as OUT. It prints the distinct inputs and their
// bytes before and after. --heap and --diff go to the target as `run` passes them (no --heap:
// the target's default heap, whatever ALLOCFUZZ_HEAP says); --defect is refused (the corpus of
// the heap without its defects).
// Exit status: 0 done; 1 some inputs failed during the merge (findings: libFuzzer saved them in
// artifacts/TARGET/ and left them out; the rest still replaced the output); 2 bad usage, an
// unknown target, not a fuzz build, or a failed merge (then nothing is replaced, also when
// every input failed).
#ifndef ALLOCFUZZ_REPRO_CMIN_H_
#define ALLOCFUZZ_REPRO_CMIN_H_

#include <string>
#include <vector>

#include "repro/tools/program_setup.h"

namespace allocfuzz {

struct CminRequest {
  std::string target;
  std::vector<std::string> inputs;  // directories; empty: seeds + work/TARGET/corpus
  std::string out;                  // -o; empty: work/TARGET/corpus
  std::string root;                 // empty: from the binary's path
  RunSettings settings;             // --heap and --diff go to the target
};

int cmin(const CminRequest& request);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CMIN_H_
