// `allocfuzz run TARGET [SECONDS] [-- libFuzzer args...]`: runs a libFuzzer target from the
// fuzz build on all cores (fork mode) until its time is up, past every crash, timeout and oom
// (-ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1), and turns what it found into buckets
// (fuzz_artifacts.h): every artifact replayed for its signature, the first of each bucket
// minimized, a table of them all.
//
// Layout, relative to the repository root (found from the binary, build/<preset>/bin/ ->
// ../../.., or given with --root):
//   corpus/TARGET/        seeds, copied fresh each run into
//   work/TARGET/corpus/   the corpus libFuzzer grows (never written back: cmin's job)
//   work/TARGET/fuzz.log  libFuzzer's whole output
//   artifacts/TARGET/     crash-/leak-/timeout-/oom- files, and for program targets their
//                         minimized .ops next to them
// libFuzzer gets -fork=<cores> -max_total_time=SECONDS -artifact_prefix=artifacts/TARGET/,
// -dict=fuzz/targets/TARGET.dict and the [libfuzzer] options of fuzz/targets/TARGET.options when
// those exist, then the user's arguments after `--`, untouched (later flags win in libFuzzer).
// --defect=NAME (or an inherited ALLOCFUZZ_DEFECT) runs the fuzzer with that historical defect
// on, and the artifacts' programs get `# defect: NAME`, so they are minimized and replayed
// with it. A live progress line is drawn on stderr; the summary ends with the bucket table, each
// row's minimized program and the exact replay command. Exit status 1 when a bucket not in
// --ignore / --ignore-file was found, 0 when every bucket found is ignored or nothing was.
//
// TARGET is a row of the target table or a plugin's NAME_fuzzer (plugin_targets.h), which fuzzes
// and minimizes on its own heap in work/NAME_fuzzer/ and artifacts/NAME_fuzzer/. --empty starts
// from no corpus: libFuzzer grows work/TARGET/empty-corpus/, emptied first, and no seed is copied
// (work/TARGET/corpus/ is left alone); afl-fuzz needs a first input, so --engine=afl refuses it.
//
// --engine=afl runs AFL++ instead, in the same layout: see run_afl.h.
#ifndef ALLOCFUZZ_REPRO_RUN_FUZZER_H_
#define ALLOCFUZZ_REPRO_RUN_FUZZER_H_

#include <string>
#include <string_view>
#include <vector>

#include "repro/tools/buckets.h"
#include "repro/tools/program_setup.h"

namespace allocfuzz {

// The fuzzing engine `run` drives (--engine).
enum class FuzzEngine {
  kLibFuzzer,  // the fuzz build's libFuzzer targets (the default)
  kAfl,        // afl-fuzz on the afl build's targets
};

// "libfuzzer" or "afl"; false for anything else.
bool parse_fuzz_engine(std::string_view name, FuzzEngine* out);

struct FuzzRunRequest {
  std::string target;
  unsigned seconds = 60;
  FuzzEngine engine = FuzzEngine::kLibFuzzer;
  std::vector<std::string> libfuzzer_args;  // after `--`, passed as they are (to afl-fuzz for
                                            // --engine=afl, before the target)
  std::string root;                         // empty: from the binary's path
  RunSettings settings;                     // --heap and --defect go to the fuzzer (ALLOCFUZZ_HEAP,
                                            // ALLOCFUZZ_DEFECT) and to minimize
  bool empty = false;                       // --empty: from no corpus (use_empty_corpus)
  IgnoreList ignore;                        // --ignore, --ignore-file: buckets not new
};

int run_fuzzer(const FuzzRunRequest& request);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_RUN_FUZZER_H_
