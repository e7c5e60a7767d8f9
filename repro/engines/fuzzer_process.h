// What both engines of `allocfuzz run` (run_fuzzer.h, run_afl.h) start their fuzzers with: a
// child process in the root with its stdout and stderr on a pipe and the fuzz target's
// environment (fuzz/targets/target_contract.h), and the monotonic clock the runs are timed by.
#ifndef ALLOCFUZZ_REPRO_FUZZER_PROCESS_H_
#define ALLOCFUZZ_REPRO_FUZZER_PROCESS_H_

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/targets/target_contract.h"

namespace allocfuzz {

// Seconds on the monotonic clock.
double seconds_now();

// Variables set in a fuzzer's environment, name and value.
using FuzzerEnvironment = std::vector<std::pair<std::string, std::string>>;

// Starts argv[0] in `cwd` with stdout and stderr into the returned pipe's write end, the
// target's environment applied and `extra_env` (the engine's own variables) set on top. Returns
// its pid with the pipe's read end in `read_fd`, or -1 with a message.
pid_t spawn_fuzzer(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                   const TargetEnvironment& target_env, int* read_fd, std::string* error,
                   const FuzzerEnvironment& extra_env = {});

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_FUZZER_PROCESS_H_
