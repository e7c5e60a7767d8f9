// `allocfuzz run`; see run_verb.h.
#include "repro/cli/run_verb.h"

#include <string>

#include "repro/cli/gate_verb.h"
#include "repro/engines/run_fuzzer.h"
#include "repro/tools/exit_status.h"

namespace allocfuzz {
namespace {

// A positive number of at most 9 digits.
bool parse_seconds(const std::string& text, unsigned* out) {
  if (text.empty() || text.size() > 9) return false;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  *out = value;
  return value > 0;
}

}  // namespace

int run_verb(const VerbCall& call) {
  FuzzRunRequest request;
  request.target = call.operands[0];
  if (!call.engine.empty() && !parse_fuzz_engine(call.engine, &request.engine)) {
    return usage_error("--engine must be libfuzzer or afl, not '" + call.engine + "'");
  }
  if (call.operands.size() == 2 && !parse_seconds(call.operands[1], &request.seconds)) {
    return usage_error("run: SECONDS must be a positive number, not '" + call.operands[1] + "'");
  }
  request.libfuzzer_args = call.after_dash;
  request.root = call.root;
  request.settings = call.settings;
  request.empty = call.empty;
  if (!read_ignore_list(call, &request.ignore)) return kExitBadInput;
  return run_fuzzer(request);
}

}  // namespace allocfuzz
