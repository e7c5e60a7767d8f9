// What a verb's handler gets from the command line (main.cc fills it): its operands, what came
// after `--`, the settings every program-running verb shares and the values of the other flags.
// The verb table (verb_table.h) has already checked the operand count and that every flag given
// is one the verb takes; a flag not given is empty.
#ifndef ALLOCFUZZ_REPRO_CLI_VERB_CALL_H_
#define ALLOCFUZZ_REPRO_CLI_VERB_CALL_H_

#include <string>
#include <vector>

#include "repro/tools/program_setup.h"

namespace allocfuzz {

struct VerbCall {
  std::vector<std::string> operands;
  // Only for a verb whose row names what follows `--` (run); for the others those arguments
  // are operands.
  std::vector<std::string> after_dash;
  RunSettings settings;                   // --heap, --diff, --defect, --region, --timeout
  std::string out;                        // -o
  std::string root;                       // --root
  std::string engine;                     // --engine
  std::string random;                     // --random, as given
  std::string seed;                       // --seed, as given
  bool empty = false;                     // --empty
  bool profiles = false;                  // --profiles (list)
  std::vector<std::string> ignore;        // each --ignore value, in order
  std::vector<std::string> ignore_files;  // each --ignore-file value, in order
};

// Prints "allocfuzz: MESSAGE" and the pointer to the usage on stderr; returns exit status 2.
int usage_error(const std::string& message);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CLI_VERB_CALL_H_
