// `allocfuzz`: the command line (docs/DESIGN.md section 8). This file owns the flags (Abseil flags,
// parsed here and nowhere else) and turns them into a VerbCall; the verbs, their operands and
// which flags each takes are the table in verb_table.h. Exit status everywhere: 0 ok, 1 a
// violation found (or an expectation not met), 2 bad input or usage.
//
// Everything after `--` is left alone: for `run` those are libFuzzer's own `-flag=value`
// arguments (afl-fuzz's with --engine=afl); for the other verbs they are operands. Usage errors
// (an unknown flag, a flag without its value) are caught before Abseil sees them, so they exit
// with 2 like every other usage error.
#include <absl/flags/flag.h>
#include <absl/flags/parse.h>
#include <absl/flags/reflection.h>
#include <absl/flags/usage.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_format.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocator/region/reserved_range.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/families.h"
#include "fuzz/program/ops.h"
#include "fuzz/targets/target_contract.h"
#include "repro/cli/flag_table.h"
#include "repro/cli/verb_call.h"
#include "repro/cli/verb_table.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/program_setup.h"

// The rows of kCliFlags (flag_table.h), whose help the usage text prints; `allocfuzz help`
// replaces Abseil's own help.
ABSL_FLAG(std::string, heap, "", "see allocfuzz help");
ABSL_FLAG(std::string, defect, "", "see allocfuzz help");
ABSL_FLAG(std::string, region, "", "see allocfuzz help");
ABSL_FLAG(std::string, region_size, "", "see allocfuzz help");
ABSL_FLAG(std::string, o, "", "see allocfuzz help");
ABSL_FLAG(int, timeout, 60, "see allocfuzz help");
ABSL_FLAG(std::string, random, "", "see allocfuzz help");
ABSL_FLAG(std::string, seed, "", "see allocfuzz help");
ABSL_FLAG(std::string, diff, "", "see allocfuzz help");
ABSL_FLAG(std::string, root, "", "see allocfuzz help");
ABSL_FLAG(std::string, engine, "", "see allocfuzz help");
ABSL_FLAG(bool, empty, false, "see allocfuzz help");
ABSL_FLAG(bool, profiles, false, "see allocfuzz help");
ABSL_FLAG(std::string, ops, "", "see allocfuzz help");

namespace allocfuzz {

int usage_error(const std::string& message) {
  absl::FPrintF(stderr, "allocfuzz: %s\n(allocfuzz help for usage)\n", message.c_str());
  return kExitBadInput;
}

namespace {

// Abseil's flag names are C identifiers: a table row's '-' is '_' in its Abseil flag
// (--region-size is region_size).
std::string abseil_name(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = c == '-' ? '_' : c;
  return out;
}

// `arg` as Abseil must see it: a flag of the table with '-' in its name respelled.
std::string abseil_spelling(std::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-') return std::string(arg);
  const size_t dashes = arg[1] == '-' ? 2 : 1;
  const std::string_view name = arg.substr(dashes, arg.find('=') - dashes);
  if (find_cli_flag(name) == nullptr) return std::string(arg);
  return std::string(arg.substr(0, dashes)) + abseil_name(name) +
         std::string(arg.substr(dashes + name.size()));
}

// Checks the flags among argv[1 .. end) before Abseil parses them: Abseil would exit with 1
// on an unknown flag or a missing value. Appends each flag given to `given`, in order; the
// values of repeatable flags (which Abseil never sees) go to `repeated`, and everything else to
// `for_abseil` (argv[0] first). Returns -1 to go on, or an exit status.
int precheck_flags(int end, char** argv, std::vector<CliFlag>* given,
                   std::vector<std::pair<CliFlag, std::string>>* repeated,
                   std::vector<char*>* for_abseil) {
  for_abseil->push_back(argv[0]);
  for (int i = 1; i < end; ++i) {
    const std::string_view arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') {
      for_abseil->push_back(argv[i]);
      continue;
    }
    std::string_view name = arg.substr(arg[1] == '-' ? 2 : 1);
    const size_t equals = name.find('=');
    const bool has_value = equals != std::string_view::npos;
    name = name.substr(0, equals);
    if (name == "help" || name == "h" || name == "helpfull" || name == "helpshort") {
      std::fputs(usage_text().c_str(), stdout);
      return kExitOk;
    }
    const CliFlagRow* row = find_cli_flag(name);
    if (row != nullptr && row->repeatable) {
      given->push_back(row->flag);
      if (has_value) {
        repeated->emplace_back(row->flag, std::string(arg.substr(arg.find('=') + 1)));
      } else if (i + 1 < end) {
        repeated->emplace_back(row->flag, argv[++i]);
      } else {
        return usage_error("flag '" + std::string(arg) + "' needs a value");
      }
      if (repeated->back().second.empty()) {
        return usage_error(flag_spelling(*row) + " needs a " + std::string(row->value));
      }
      continue;
    }
    for_abseil->push_back(argv[i]);
    absl::CommandLineFlag* flag =
        row != nullptr ? absl::FindCommandLineFlag(abseil_name(name)) : nullptr;
    if (flag == nullptr) return usage_error("unknown flag '" + std::string(arg) + "'");
    given->push_back(row->flag);
    std::string value;
    if (has_value) {
      value = std::string(arg.substr(arg.find('=') + 1));
    } else if (!flag->IsOfType<bool>()) {
      if (i + 1 >= end) return usage_error("flag '" + std::string(arg) + "' needs a value");
      value = argv[++i];
      for_abseil->push_back(argv[i]);
    } else {
      continue;
    }
    // An empty --defect would read as "not given"; removing it is --defect=none.
    if (name == "defect" && value.empty()) return usage_error("--defect needs a NAME, or none");
    if (name == "ops" && value.empty()) {
      return usage_error("--ops needs all, or -FAMILY,... (families: " + family_names() + ")");
    }
    // Parsing sets the flag; Abseil sets it again to the same value below.
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return usage_error("flag '" + std::string(arg) + "': " + error);
    }
  }
  return -1;
}

// --heap, --defect, --diff, --region, --ops and --timeout into `settings`; -1 to go on, or an exit
// status.
int read_settings(RunSettings* settings) {
  settings->overrides.heap = absl::GetFlag(FLAGS_heap);
  if (!settings->overrides.heap.empty() && find_heap_kind(settings->overrides.heap) == nullptr) {
    return usage_error("unknown heap '" + settings->overrides.heap +
                       "' (known: " + known_heap_names() + ")");
  }
  // Empty: not given (precheck_flags refuses an empty value).
  if (const std::string defect = absl::GetFlag(FLAGS_defect); !defect.empty()) {
    for (const char c : defect) {
      if (c < 0x21 || c > 0x7e) {
        return usage_error("--defect: bad defect name '" + defect + "' (printable ASCII only)");
      }
    }
    settings->overrides.defect = defect == "none" ? "" : defect;
  }
  if (const std::string diff = absl::GetFlag(FLAGS_diff); !diff.empty()) {
    std::vector<std::string> names = split_heap_list(diff);
    const HeapListCheck check = check_heap_list(names);
    switch (check.problem) {
      case HeapListProblem::kNone:
        break;
      case HeapListProblem::kTooFew:
        return usage_error("--diff takes all, or two or more heaps");
      case HeapListProblem::kUnknown:
        return usage_error("--diff: unknown heap '" + check.heap +
                           "' (known: " + known_heap_names() + ")");
      case HeapListProblem::kTwice:
        return usage_error("--diff: heap '" + check.heap + "' twice");
    }
    settings->overrides.diff = std::move(names);
  }
  const std::string region = absl::GetFlag(FLAGS_region);
  if (!region.empty()) {
    Placement placement;
    if (!parse_placement(region.data(), region.size(), &placement)) {
      return usage_error("--region must be high or low, not '" + region + "'");
    }
    settings->overrides.placement = placement;
  }
  if (const std::string ops = absl::GetFlag(FLAGS_ops); !ops.empty()) {
    FamilySet left_out = 0;
    std::string error;
    if (!parse_family_list(ops, &left_out, &error)) return usage_error("--ops: " + error);
    settings->overrides.left_out = left_out;
  }
  if (const std::string size = absl::GetFlag(FLAGS_region_size); !size.empty()) {
    uint64_t bytes = 0;
    if (!absl::SimpleAtoi(size, &bytes) || size.find_first_not_of("0123456789") != size.npos) {
      return usage_error("--region-size must be a number of bytes, not '" + size + "'");
    }
    if (std::optional<std::string> problem = check_region_size(bytes)) {
      return usage_error("--region-size: " + *problem);
    }
    settings->overrides.region_size = bytes;
  }
  const int timeout = absl::GetFlag(FLAGS_timeout);
  if (timeout < 0) return usage_error("--timeout must be 0 or more seconds");
  settings->timeout_seconds = static_cast<unsigned>(timeout);
  return -1;
}

int cli_main(int argc, char** argv) {
  absl::SetProgramUsageMessage("allocfuzz help: the verbs and flags");
  // Split at the first "--": Abseil sees only what is before it.
  int dash = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--") {
      dash = i;
      break;
    }
  }
  std::vector<CliFlag> given;
  std::vector<std::pair<CliFlag, std::string>> repeated;
  std::vector<char*> for_abseil;
  if (int status = precheck_flags(dash, argv, &given, &repeated, &for_abseil); status >= 0) {
    return status;
  }
  // Abseil knows a table flag by its name with '_' for '-' (--region-size is region_size).
  std::vector<std::string> spelled;
  for (size_t i = 0; i < for_abseil.size(); ++i) {
    spelled.push_back(i == 0 ? std::string(for_abseil[i]) : abseil_spelling(for_abseil[i]));
  }
  std::vector<char*> abseil_argv;
  for (std::string& arg : spelled) abseil_argv.push_back(arg.data());
  const std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(abseil_argv.size()), abseil_argv.data());
  std::vector<std::string> args(positional.begin() + 1, positional.end());
  const std::vector<std::string> after_dash(argv + (dash < argc ? dash + 1 : argc), argv + argc);

  VerbCall call;
  if (int status = read_settings(&call.settings); status >= 0) return status;
  if (args.empty()) return usage_error("no verb given");
  const Verb* verb = find_verb(args[0]);
  if (verb == nullptr) return usage_error("unknown verb '" + args[0] + "'");
  if (const std::string problem = flag_problem(*verb, given); !problem.empty()) {
    return usage_error(problem);
  }
  call.operands.assign(args.begin() + 1, args.end());
  if (verb->after_dash.empty()) {
    call.operands.insert(call.operands.end(), after_dash.begin(), after_dash.end());
  } else {
    call.after_dash = after_dash;
  }
  if (const std::string problem = operand_count_problem(*verb, call.operands.size());
      !problem.empty()) {
    return usage_error(problem);
  }
  call.out = absl::GetFlag(FLAGS_o);
  call.root = absl::GetFlag(FLAGS_root);
  call.engine = absl::GetFlag(FLAGS_engine);
  call.random = absl::GetFlag(FLAGS_random);
  call.seed = absl::GetFlag(FLAGS_seed);
  call.empty = absl::GetFlag(FLAGS_empty);
  call.profiles = absl::GetFlag(FLAGS_profiles);
  for (auto& [flag, value] : repeated) {
    (flag == CliFlag::kIgnore ? call.ignore : call.ignore_files).push_back(std::move(value));
  }
  return verb->handler(call);
}

}  // namespace
}  // namespace allocfuzz

int main(int argc, char** argv) { return allocfuzz::cli_main(argc, argv); }
