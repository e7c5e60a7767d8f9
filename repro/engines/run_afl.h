// `allocfuzz run --engine=afl TARGET [SECONDS] [-- afl-fuzz args...]`: the AFL++ engine of the
// run verb (run_fuzzer.h: the verb, its layout and the checks before either engine starts).
//
// It runs afl-fuzz on the fuzz targets of the afl preset (build/afl/bin/, or next to this binary
// when it is one of them; any allocfuzz can drive it), one instance per core (-M main, then -S
// s1, s2, ...; a single core: one plain instance, "default"), each for SECONDS (-V). The same
// seeds (a fresh work/TARGET/corpus), dictionary (-x) and max_len (as -G) as libFuzzer; the
// output directory is work/TARGET/afl/ (fresh each run), the instances' output goes to
// work/TARGET/fuzz.log (each line prefixed with its instance's name when there are several),
// colours removed. The arguments after `--` go to afl-fuzz, before its own `--`. Like libFuzzer,
// the run keeps going past crashes until its time is up. Each crash and hang of the instances
// becomes artifacts/TARGET/afl-crash-HASH (afl-hang-HASH; HASH of the contents), bucketed and
// reported as libFuzzer's artifacts are (fuzz_artifacts.h).
// The summary (executions, exec/s, edges, corpus, crashes, hangs) comes from the instances'
// fuzzer_stats.
#ifndef ALLOCFUZZ_REPRO_RUN_AFL_H_
#define ALLOCFUZZ_REPRO_RUN_AFL_H_

#include "fuzz/targets/target_contract.h"
#include "repro/engines/run_fuzzer.h"
#include "repro/tools/program_setup.h"

namespace allocfuzz {

// `request` with engine kAfl, for `target` (the table's entry for request.target); `settings`
// are request.settings as run_fuzzer has checked and completed them (--defect, --diff).
// Returns the exit status of `run`.
int run_afl(const FuzzRunRequest& request, const FuzzTarget& target, const RunSettings& settings);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_RUN_AFL_H_
