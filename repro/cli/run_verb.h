// The handler of `allocfuzz run`: the engine and SECONDS checked, then run_fuzzer
// (repro/engines/run_fuzzer.h).
#ifndef ALLOCFUZZ_REPRO_CLI_RUN_VERB_H_
#define ALLOCFUZZ_REPRO_CLI_RUN_VERB_H_

#include "repro/cli/verb_call.h"

namespace allocfuzz {

int run_verb(const VerbCall& call);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CLI_RUN_VERB_H_
