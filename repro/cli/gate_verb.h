// `allocfuzz gate TARGET SECONDS [--ignore=SIGNATURE] [--ignore-file=FILE]`: the one command for
// a CI job on an allocator: the regression cases of repro/cases/ on the target's heap, then a
// time-boxed `run` from the shipped seeds (repro/engines/run_fuzzer.h), its bucket table, and a
// verdict. Which cases: on the default heap every case against its `# expect:` (as the ctest
// tests case.NAME do); on any other heap the cases that any correct heap must pass, those that
// expect ok and name no defect, heap or `# diff:` (as case.NAME.HEAP do). Exit status: 0 when
// every case passed and every bucket found is ignored (or none was found), 1 when a case failed
// or a bucket is new, 2 on bad usage or when the fuzzer could not run.
#ifndef ALLOCFUZZ_REPRO_CLI_GATE_VERB_H_
#define ALLOCFUZZ_REPRO_CLI_GATE_VERB_H_

#include "repro/cli/verb_call.h"
#include "repro/tools/buckets.h"

namespace allocfuzz {

int gate_verb(const VerbCall& call);

// --ignore and --ignore-file of `call` into `*out`. False after printing the error (a bad
// --ignore as a usage error, a bad line as FILE:LINE: message); the verb exits with 2.
bool read_ignore_list(const VerbCall& call, IgnoreList* out);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CLI_GATE_VERB_H_
