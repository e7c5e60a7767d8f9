// `allocfuzz`: the command line (DESIGN.md section 8). This file owns the flags and the verb
// dispatch only; each verb lives in its own file. Exit status everywhere: 0 ok, 1 a violation
// found (or an expectation not met), 2 bad input or usage.
//
// Flags are Abseil flags, parsed here and nowhere else. Everything after `--` is left alone:
// for `run` those are libFuzzer's own `-flag=value` arguments (afl-fuzz's with --engine=afl).
// Usage errors (an unknown flag, a flag without its value) are caught before Abseil sees them,
// so they exit with 2 like every other usage error.
#include <absl/flags/flag.h>
#include <absl/flags/parse.h>
#include <absl/flags/reflection.h>
#include <absl/flags/usage.h>
#include <absl/strings/str_format.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/region/reserved_range.h"
#include "fuzz/heaps/tested_heap.h"
#include "repro/cli/list.h"
#include "repro/engines/cmin.h"
#include "repro/engines/coverage.h"
#include "repro/engines/run_fuzzer.h"
#include "repro/tools/check.h"
#include "repro/tools/codec_verbs.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/footprint.h"
#include "repro/tools/minimize.h"
#include "repro/tools/program_setup.h"
#include "repro/tools/replay.h"

ABSL_FLAG(std::string, heap, "", "the heap to run, overriding '# heap:' (see `allocfuzz list`)");
ABSL_FLAG(std::string, defect, "",
          "the historical defect to switch on, overriding '# defect:'; none: no defect");
ABSL_FLAG(std::string, region, "", "high or low: the region's placement, overriding the file's");
ABSL_FLAG(std::string, o, "", "output file (encode: default stdout; minimize: FILE.min.ops)");
ABSL_FLAG(int, timeout, 60, "seconds one program run may take before it is a 'timeout' (0: none)");
ABSL_FLAG(std::string, random, "", "footprint: run a random workload of N operations");
ABSL_FLAG(std::string, seed, "", "footprint: the random workload's seed (default 1)");
ABSL_FLAG(std::string, diff, "",
          "all or HEAP,HEAP,...: run on several heaps and compare them, overriding '# diff:'");
ABSL_FLAG(std::string, root, "", "run: the repository root (default: from the binary's path)");
ABSL_FLAG(std::string, engine, "", "run: libfuzzer (default) or afl (afl-fuzz, the afl preset)");

namespace allocfuzz {
namespace {

constexpr const char* kUsage = R"(usage: allocfuzz [FLAGS] VERB ARGS...

verbs:
  list                        the fuzz targets, the heaps and their defects
  replay FILE...              run programs with every check after every operation; print a trace
  check FILE...               run programs and compare with their '# expect:' line
  minimize FILE [-o OUT]      shrink a failing program, keeping its violation kind
  fmt FILE                    print a program as canonical .ops text
  encode FILE [-o OUT]        write a program as canonical binary
  run TARGET [SECONDS] [-- LIBFUZZER_ARGS...]
                              fuzz on all cores (fuzz build), then minimize what was found
  run --engine=afl TARGET [SECONDS] [-- AFL_FUZZ_ARGS...]
                              the same with afl-fuzz, one instance per core, on the afl
                              build's targets (build/afl/bin/)
  cmin TARGET [DIR...] [-o OUT]
                              minimize a corpus by libFuzzer's merge (fuzz build): the seeds
                              and work/TARGET/corpus (or DIR...) into work/TARGET/corpus (or OUT)
  coverage TARGET [DIR...]    source coverage of the seeds and work/TARGET/corpus (or DIR...)
                              in build/coverage (built as needed): lines and regions of
                              allocator/, an HTML report in work/TARGET/coverage/html/
  footprint FILE | --random N [--seed S]
                              peak break, live bytes and overhead of a program on every heap

FILE is .ops text (name ends in .ops, or starts with '# allocfuzz ops') or binary.

flags:
  --heap=NAME      the heap to run, overriding '# heap:'
  --diff=all|HEAP,HEAP,...  replay, check, minimize: run on several heaps and compare them
                   call by call (divergence:WHAT), overriding '# diff:'; run diff_fuzzer:
                   the heaps it compares (default all)
  --defect=NAME|none  the heap's historical defect to switch on, overriding '# defect:'
                   (none: run without it); run: passed to the fuzzer (ALLOCFUZZ_DEFECT)
  --region=high|low  the region's placement, overriding the file's
  -o OUT           output file (encode, minimize); cmin: the corpus directory to replace
  --timeout=SECONDS  limit per program run (default 60; 0: none)
  --root=DIR       run, cmin, coverage: the repository root (default: found from the
                   binary's path)
  --engine=libfuzzer|afl  run: the fuzzing engine (default libfuzzer)
  --random=N       footprint: a random workload of N operations instead of FILE
  --seed=S         footprint: the random workload's seed (default 1)

exit status: 0 ok, 1 violation found or expectation not met, 2 bad input or usage
)";

int usage_error(const std::string& message) {
  absl::FPrintF(stderr, "allocfuzz: %s\n(allocfuzz help for usage)\n", message.c_str());
  return kExitBadInput;
}

// Checks the flags among argv[1 .. end) before Abseil parses them: Abseil would exit with 1
// on an unknown flag or a missing value. Returns -1 to go on, or an exit status.
int precheck_flags(int end, char** argv) {
  for (int i = 1; i < end; ++i) {
    const std::string_view arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') continue;
    std::string_view name = arg.substr(arg[1] == '-' ? 2 : 1);
    const size_t equals = name.find('=');
    const bool has_value = equals != std::string_view::npos;
    name = name.substr(0, equals);
    if (name == "help" || name == "h" || name == "helpfull" || name == "helpshort") {
      std::fputs(kUsage, stdout);
      return kExitOk;
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(std::string(name));
    if (flag == nullptr) return usage_error("unknown flag '" + std::string(arg) + "'");
    std::string value;
    if (has_value) {
      value = std::string(arg.substr(arg.find('=') + 1));
    } else if (!flag->IsOfType<bool>()) {
      if (i + 1 >= end) return usage_error("flag '" + std::string(arg) + "' needs a value");
      value = argv[++i];
    } else {
      continue;
    }
    // An empty --defect would read as "not given"; removing it is --defect=none.
    if (name == "defect" && value.empty()) return usage_error("--defect needs a NAME, or none");
    // Parsing sets the flag; Abseil sets it again to the same value below.
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return usage_error("flag '" + std::string(arg) + "': " + error);
    }
  }
  return -1;
}

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

int dispatch(const std::vector<std::string>& args, const std::vector<std::string>& after_dash,
             const RunSettings& settings) {
  if (args.empty()) return usage_error("no verb given");
  const std::string& verb = args[0];
  std::vector<std::string> operands(args.begin() + 1, args.end());
  if (verb != "run") operands.insert(operands.end(), after_dash.begin(), after_dash.end());
  auto count_error = [&verb](const char* what) { return usage_error(verb + " takes " + what); };
  const std::string out = absl::GetFlag(FLAGS_o);

  const std::string random = absl::GetFlag(FLAGS_random);
  const std::string seed = absl::GetFlag(FLAGS_seed);
  if (verb != "footprint" && (!random.empty() || !seed.empty())) {
    return usage_error("--random and --seed go with footprint only");
  }
  const std::string engine = absl::GetFlag(FLAGS_engine);
  if (verb != "run" && !engine.empty()) return usage_error("--engine goes with run only");

  if (verb == "help") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (verb == "list") {
    if (!operands.empty()) return count_error("no arguments");
    return list_targets_and_heaps();
  }
  if (verb == "replay" || verb == "check") {
    if (operands.empty()) return count_error("one or more files");
    return verb == "replay" ? replay_files(operands, settings) : check_files(operands, settings);
  }
  if (verb == "fmt" || verb == "encode" || verb == "minimize") {
    if (operands.size() != 1) return count_error("one file");
    if (verb == "fmt") return fmt_file(operands[0], settings.overrides);
    if (verb == "encode") return encode_file(operands[0], out, settings.overrides);
    return minimize_file(operands[0], out, settings);
  }
  if (verb == "footprint") {
    if (operands.size() > 1) return count_error("FILE or --random N [--seed S]");
    FootprintRequest request;
    if (!operands.empty()) request.file = operands[0];
    request.random_ops = random;
    request.seed = seed;
    return footprint(request);
  }
  if (verb == "run") {
    if (operands.empty() || operands.size() > 2) return count_error("TARGET [SECONDS]");
    FuzzRunRequest request;
    request.target = operands[0];
    if (!engine.empty() && !parse_fuzz_engine(engine, &request.engine)) {
      return usage_error("--engine must be libfuzzer or afl, not '" + engine + "'");
    }
    if (operands.size() == 2 && !parse_seconds(operands[1], &request.seconds)) {
      return usage_error("run: SECONDS must be a positive number, not '" + operands[1] + "'");
    }
    request.libfuzzer_args = after_dash;
    request.root = absl::GetFlag(FLAGS_root);
    request.settings = settings;
    return run_fuzzer(request);
  }
  if (verb == "cmin") {
    if (operands.empty()) return count_error("TARGET [DIR...] [-o OUT]");
    CminRequest request;
    request.target = operands[0];
    request.inputs.assign(operands.begin() + 1, operands.end());
    request.out = out;
    request.root = absl::GetFlag(FLAGS_root);
    request.settings = settings;
    return cmin(request);
  }
  if (verb == "coverage") {
    if (operands.empty()) return count_error("TARGET [DIR...]");
    CoverageRequest request;
    request.target = operands[0];
    request.inputs.assign(operands.begin() + 1, operands.end());
    request.root = absl::GetFlag(FLAGS_root);
    request.settings = settings;
    return coverage(request);
  }
  return usage_error("unknown verb '" + verb + "'");
}

int cli_main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  // Split at the first "--": Abseil sees only what is before it.
  int dash = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--") {
      dash = i;
      break;
    }
  }
  if (int status = precheck_flags(dash, argv); status >= 0) return status;
  const std::vector<char*> positional = absl::ParseCommandLine(dash, argv);
  const std::vector<std::string> args(positional.begin() + 1, positional.end());
  const std::vector<std::string> after_dash(argv + (dash < argc ? dash + 1 : argc), argv + argc);

  RunSettings settings;
  settings.overrides.heap = absl::GetFlag(FLAGS_heap);
  if (!settings.overrides.heap.empty() && find_heap_kind(settings.overrides.heap) == nullptr) {
    return usage_error("unknown heap '" + settings.overrides.heap +
                       "' (known: " + known_heap_names() + ")");
  }
  // Empty: not given (precheck_flags refuses an empty value).
  if (const std::string defect = absl::GetFlag(FLAGS_defect); !defect.empty()) {
    for (const char c : defect) {
      if (c < 0x21 || c > 0x7e) {
        return usage_error("--defect: bad defect name '" + defect + "' (printable ASCII only)");
      }
    }
    settings.overrides.defect = defect == "none" ? "" : defect;
  }
  if (const std::string diff = absl::GetFlag(FLAGS_diff); !diff.empty()) {
    std::vector<std::string> names;
    for (size_t start = 0; start <= diff.size();) {
      size_t comma = diff.find(',', start);
      if (comma == std::string::npos) comma = diff.size();
      names.push_back(diff.substr(start, comma - start));
      start = comma + 1;
    }
    const bool all = names.size() == 1 && names[0] == "all";
    if (!all && names.size() < 2) return usage_error("--diff takes all, or two or more heaps");
    for (size_t i = 0; i < names.size() && !all; ++i) {
      if (find_heap_kind(names[i]) == nullptr) {
        return usage_error("--diff: unknown heap '" + names[i] + "' (known: " + known_heap_names() +
                           ")");
      }
      for (size_t j = 0; j < i; ++j) {
        if (names[j] == names[i]) return usage_error("--diff: heap '" + names[i] + "' twice");
      }
    }
    settings.overrides.diff = std::move(names);
  }
  const std::string region = absl::GetFlag(FLAGS_region);
  if (!region.empty()) {
    Placement placement;
    if (!parse_placement(region.data(), region.size(), &placement)) {
      return usage_error("--region must be high or low, not '" + region + "'");
    }
    settings.overrides.placement = placement;
  }
  const int timeout = absl::GetFlag(FLAGS_timeout);
  if (timeout < 0) return usage_error("--timeout must be 0 or more seconds");
  settings.timeout_seconds = static_cast<unsigned>(timeout);
  return dispatch(args, after_dash, settings);
}

}  // namespace
}  // namespace allocfuzz

int main(int argc, char** argv) { return allocfuzz::cli_main(argc, argv); }
