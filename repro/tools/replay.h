// `allocfuzz replay FILE...`: runs each program in a child (child_run.h) with the heap checked
// after every operation, printing the numbered trace and then the "ok:" line or the report.
// The output depends only on the program: region offsets, no addresses, no timing. A program
// with `# defect: NAME` (or --defect=NAME) runs with that defect on, and a first line says so.
// On a heap without a white-box checker of ours, a violation is followed by one more line: the
// first broken operation, found with the drain probe (first_broken.h).
#ifndef ALLOCFUZZ_REPRO_REPLAY_H_
#define ALLOCFUZZ_REPRO_REPLAY_H_

#include <string>
#include <vector>

#include "repro/tools/program_setup.h"

namespace allocfuzz {

// Exit status: the worst over the files (0 ok, 1 a violation, 2 a bad file).
int replay_files(const std::vector<std::string>& paths, const RunSettings& settings);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_REPLAY_H_
