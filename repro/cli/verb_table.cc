// The verb table and what is derived from it; see verb_table.h.
#include "repro/cli/verb_table.h"

#include <absl/strings/str_format.h>

#include <cstdio>

#include "repro/cli/gate_verb.h"
#include "repro/cli/list.h"
#include "repro/cli/run_verb.h"
#include "repro/engines/cmin.h"
#include "repro/engines/coverage.h"
#include "repro/tools/check.h"
#include "repro/tools/codec_verbs.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/footprint.h"
#include "repro/tools/minimize.h"
#include "repro/tools/replay.h"

namespace allocfuzz {
namespace {

constexpr FlagSet kHeap = flag_bit(CliFlag::kHeap);
constexpr FlagSet kDiff = flag_bit(CliFlag::kDiff);
constexpr FlagSet kDefect = flag_bit(CliFlag::kDefect);
constexpr FlagSet kRegion = flag_bit(CliFlag::kRegion);
constexpr FlagSet kRegionSize = flag_bit(CliFlag::kRegionSize);
constexpr FlagSet kOut = flag_bit(CliFlag::kOut);
constexpr FlagSet kTimeout = flag_bit(CliFlag::kTimeout);
constexpr FlagSet kRoot = flag_bit(CliFlag::kRoot);
constexpr FlagSet kEngine = flag_bit(CliFlag::kEngine);
constexpr FlagSet kRandom = flag_bit(CliFlag::kRandom);
constexpr FlagSet kSeed = flag_bit(CliFlag::kSeed);
constexpr FlagSet kEmpty = flag_bit(CliFlag::kEmpty);
constexpr FlagSet kProfiles = flag_bit(CliFlag::kProfiles);
constexpr FlagSet kOps = flag_bit(CliFlag::kOps);
constexpr FlagSet kIgnore = flag_bit(CliFlag::kIgnore) | flag_bit(CliFlag::kIgnoreFile);
// What every verb that reads a program file applies to it (program_setup.h).
constexpr FlagSet kProgramFlags = kHeap | kDiff | kDefect | kRegion | kOps | kRegionSize;
// What the verbs that start a fuzz target pass to it (fuzz/targets/target_contract.h); the
// target's own inputs choose their placement, so --region is not among them.
constexpr FlagSet kTargetFlags = kHeap | kDiff | kDefect | kTimeout | kRoot | kOps;

int help_verb(const VerbCall& call);

const Verb kVerbs[] = {
    {"list", "", 0, 0, "", kProfiles,
     "the fuzz targets, the heaps and their defects; --profiles: what each heap has and chose",
     [](const VerbCall& call) {
       return call.profiles ? list_heap_profiles() : list_targets_and_heaps();
     }},
    {"replay", "FILE...", 1, kAnyNumber, "", kProgramFlags | kTimeout,
     "run programs with every check after every operation; print a trace",
     [](const VerbCall& call) { return replay_files(call.operands, call.settings); }},
    {"check", "FILE...", 1, kAnyNumber, "", kProgramFlags | kTimeout,
     "run programs and compare with their '# expect:' line",
     [](const VerbCall& call) { return check_files(call.operands, call.settings); }},
    {"minimize", "FILE [-o OUT]", 1, 1, "", kProgramFlags | kTimeout | kOut,
     "shrink a failing program, keeping its signature (kind, operation name, frame)",
     [](const VerbCall& call) { return minimize_file(call.operands[0], call.out, call.settings); }},
    {"fmt", "FILE", 1, 1, "", kProgramFlags, "print a program as canonical .ops text",
     [](const VerbCall& call) { return fmt_file(call.operands[0], call.settings.overrides); }},
    {"encode", "FILE [-o OUT]", 1, 1, "", kProgramFlags | kOut,
     "write a program as canonical binary",
     [](const VerbCall& call) {
       return encode_file(call.operands[0], call.out, call.settings.overrides);
     }},
    {"run", "TARGET [SECONDS]", 1, 2, "LIBFUZZER_ARGS...",
     kTargetFlags | kEngine | kEmpty | kIgnore,
     "fuzz on all cores (fuzz build) until the time is up, past every crash; bucket every "
     "artifact by its signature, minimize one of each bucket and print the bucket table; "
     "--engine=afl: the same with afl-fuzz, one instance per core, on the afl build's targets "
     "(build/afl/bin/), with afl-fuzz's arguments after --",
     run_verb},
    {"gate", "TARGET SECONDS", 2, 2, "LIBFUZZER_ARGS...", kTargetFlags | kEngine | kIgnore,
     "for CI: the regression cases on the target's heap, then run TARGET SECONDS from the "
     "seeds; exit 1 on a failed case or a bucket not ignored",
     gate_verb},
    {"cmin", "TARGET [DIR...] [-o OUT]", 1, kAnyNumber, "", kTargetFlags | kOut,
     "minimize a corpus by libFuzzer's merge (fuzz build): the seeds and work/TARGET/corpus (or "
     "DIR...) into work/TARGET/corpus (or OUT)",
     [](const VerbCall& call) {
       CminRequest request;
       request.target = call.operands[0];
       request.inputs.assign(call.operands.begin() + 1, call.operands.end());
       request.out = call.out;
       request.root = call.root;
       request.settings = call.settings;
       return cmin(request);
     }},
    {"coverage", "TARGET [DIR...]", 1, kAnyNumber, "", kTargetFlags,
     "source coverage of the seeds and work/TARGET/corpus (or DIR...) in build/coverage (built "
     "as needed): lines and regions of allocator/, an HTML report in work/TARGET/coverage/html/",
     [](const VerbCall& call) {
       CoverageRequest request;
       request.target = call.operands[0];
       request.inputs.assign(call.operands.begin() + 1, call.operands.end());
       request.root = call.root;
       request.settings = call.settings;
       return coverage(request);
     }},
    {"footprint", "FILE | --random N [--seed S]", 0, 1, "", kRandom | kSeed,
     "peak break, live bytes and overhead of a program on every heap",
     [](const VerbCall& call) {
       FootprintRequest request;
       if (!call.operands.empty()) request.file = call.operands[0];
       request.random_ops = call.random;
       request.seed = call.seed;
       return footprint(request);
     }},
    {"help", "[VERB]", 0, 1, "", 0, "this text, or one verb's synopsis, description and flags",
     help_verb},
};

constexpr size_t kWidth = 98;       // the usage text's lines end before this column
constexpr size_t kVerbColumn = 30;  // where a verb's description starts
constexpr size_t kFlagColumn = 22;  // where a flag's help starts

// `text` from column `column` on, word-wrapped before kWidth, each line after the first
// indented to `column`. The first line continues whatever is before it on the line.
std::string wrapped(std::string_view text, size_t column) {
  std::string out;
  size_t at = column;
  bool first_word = true;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (!first_word && at + 1 + word.size() > kWidth) {
      out += "\n" + std::string(column, ' ');
      at = column;
      first_word = true;
    }
    if (!first_word) {
      out += ' ';
      ++at;
    }
    out += word;
    at += word.size();
    first_word = false;
  }
  return out + "\n";
}

// "NAME SYNOPSIS [-- AFTER]".
std::string verb_line(const Verb& verb) {
  std::string line(verb.name);
  if (!verb.synopsis.empty()) line += " " + std::string(verb.synopsis);
  if (!verb.after_dash.empty()) line += " [-- " + std::string(verb.after_dash) + "]";
  return line;
}

// A name and its help at `column`, on the same line when the name leaves room.
std::string entry(const std::string& name, std::string_view help, size_t column) {
  std::string out = "  " + name;
  if (out.size() + 1 > column) {
    out += "\n" + std::string(column, ' ');
  } else {
    out += std::string(column - out.size(), ' ');
  }
  return out + wrapped(help, column);
}

// "a", "a and b", "a, b and c".
std::string names_text(const std::vector<std::string_view>& names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " and " : ", ";
    text += names[i];
  }
  return text;
}

std::vector<std::string_view> verbs_taking(CliFlag flag) {
  std::vector<std::string_view> names;
  for (const Verb& verb : kVerbs) {
    if (verb.flags & flag_bit(flag)) names.push_back(verb.name);
  }
  return names;
}

std::string flag_entry(const CliFlagRow& row, bool with_verbs) {
  std::string spelled = flag_spelling(row);
  if (!row.value.empty()) spelled += (row.name.size() == 1 ? " " : "=") + std::string(row.value);
  std::string help(row.help);
  if (with_verbs) help += " [" + names_text(verbs_taking(row.flag)) + "]";
  return entry(spelled, help, kFlagColumn);
}

constexpr const char* kExitStatus =
    "exit status: 0 ok, 1 violation found or expectation not met, 2 bad input or usage\n";

int help_verb(const VerbCall& call) {
  if (call.operands.empty()) {
    std::fputs(usage_text().c_str(), stdout);
    return kExitOk;
  }
  const Verb* verb = find_verb(call.operands[0]);
  if (verb == nullptr) return usage_error("help: unknown verb '" + call.operands[0] + "'");
  std::fputs(verb_usage_text(*verb).c_str(), stdout);
  return kExitOk;
}

}  // namespace

std::span<const Verb> verbs() { return kVerbs; }

const Verb* find_verb(std::string_view name) {
  for (const Verb& verb : kVerbs) {
    if (verb.name == name) return &verb;
  }
  return nullptr;
}

std::string usage_text() {
  std::string out = "usage: allocfuzz [FLAGS] VERB OPERANDS...  (flags may also follow the verb)\n";
  out += "\nverbs:\n";
  for (const Verb& verb : kVerbs) out += entry(verb_line(verb), verb.description, kVerbColumn);
  out += "\nFILE is .ops text (name ends in .ops, or starts with '# allocfuzz ops') or binary.\n";
  out += "\nflags (each goes with the verbs in brackets only):\n";
  for (const CliFlagRow& row : kCliFlags) out += flag_entry(row, true);
  return out + "\n" + kExitStatus;
}

std::string verb_usage_text(const Verb& verb) {
  std::string out = "usage: allocfuzz [FLAGS] " + verb_line(verb) + "\n\n";
  out += "  " + wrapped(verb.description, 2);
  if (verb.flags != 0) {
    out += "\nflags:\n";
    for (const CliFlagRow& row : kCliFlags) {
      if (verb.flags & flag_bit(row.flag)) out += flag_entry(row, false);
    }
  }
  return out + "\n" + kExitStatus;
}

std::string operand_count_problem(const Verb& verb, size_t count) {
  if (count >= verb.min_operands && count <= verb.max_operands) return "";
  const std::string name(verb.name);
  if (verb.synopsis.empty()) return name + " takes no operands";
  return name + " takes " + std::string(verb.synopsis);
}

std::string flag_problem(const Verb& verb, const std::vector<CliFlag>& given) {
  for (const CliFlag flag : given) {
    if (verb.flags & flag_bit(flag)) continue;
    return flag_spelling(cli_flag_row(flag)) + " goes with " + names_text(verbs_taking(flag)) +
           " only";
  }
  return "";
}

}  // namespace allocfuzz
