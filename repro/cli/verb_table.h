// The command line's verbs, one row each (in the spirit of libFuzzer's FuzzerFlags.def): the
// name, the synopsis (its operands' names), how many operands it takes, what follows `--`,
// the flags it takes, a description and the handler. The usage text (`allocfuzz help`,
// `allocfuzz help VERB`), the operand-count errors and the error for a flag given to a verb that
// does not take it all come from the table; repro/tests/cli_verbs_test.sh fails when
// repro/README.md lacks a verb of it.
//
// A new verb is one row in verb_table.cc, its handler (a file of its own when it is more than a
// call), and its row in repro/README.md.
#ifndef ALLOCFUZZ_REPRO_CLI_VERB_TABLE_H_
#define ALLOCFUZZ_REPRO_CLI_VERB_TABLE_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "repro/cli/flag_table.h"
#include "repro/cli/verb_call.h"

namespace allocfuzz {

inline constexpr size_t kAnyNumber = static_cast<size_t>(-1);

struct Verb {
  std::string_view name;
  std::string_view synopsis;  // after the name; also what "VERB takes ..." says
  size_t min_operands;
  size_t max_operands;          // kAnyNumber: no limit
  std::string_view after_dash;  // what follows `--` ("LIBFUZZER_ARGS..."); empty: operands
  FlagSet flags;                // the flags it takes
  std::string_view description;
  int (*handler)(const VerbCall& call);
};

// Every verb, in the order of the usage text.
std::span<const Verb> verbs();

// The verb named `name`, or nullptr.
const Verb* find_verb(std::string_view name);

// The whole usage text (`allocfuzz help`), and one verb's (`allocfuzz help VERB`).
std::string usage_text();
std::string verb_usage_text(const Verb& verb);

// "" when `count` operands suit the verb, else "VERB takes SYNOPSIS" ("VERB takes no
// operands").
std::string operand_count_problem(const Verb& verb, size_t count);

// "" when the verb takes every flag of `given` (in the order given), else, for the first it
// does not take, "--FLAG goes with VERB only" or "--FLAG goes with A, B and C only".
std::string flag_problem(const Verb& verb, const std::vector<CliFlag>& given);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CLI_VERB_TABLE_H_
