// The command line's flags, one row each: the name (an Abseil flag of main.cc), the value's
// placeholder and the help line. The verb table (verb_table.h) says which verbs take each; the
// usage text and the error for a flag given to a verb that does not take it come from both.
#ifndef ALLOCFUZZ_REPRO_CLI_FLAG_TABLE_H_
#define ALLOCFUZZ_REPRO_CLI_FLAG_TABLE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace allocfuzz {

enum class CliFlag : uint8_t {
  kHeap,
  kDiff,
  kDefect,
  kRegion,
  kRegionSize,
  kOut,
  kTimeout,
  kRoot,
  kEngine,
  kRandom,
  kSeed,
  kEmpty,
  kOps,
  kIgnore,
  kIgnoreFile,
  kProfiles,
};

// A set of flags, one bit per CliFlag.
using FlagSet = uint32_t;
constexpr FlagSet flag_bit(CliFlag flag) { return FlagSet{1} << static_cast<unsigned>(flag); }

struct CliFlagRow {
  CliFlag flag;
  std::string_view name;   // as given: --NAME=VALUE, --NAME VALUE (-NAME for one letter)
  std::string_view value;  // the placeholder in the usage text; empty for a switch (a bool flag)
  std::string_view help;
  // Given any number of times, each value kept in order (main.cc collects them itself; no
  // Abseil flag stands behind the row).
  bool repeatable = false;
};

// In the order of the usage text.
inline constexpr CliFlagRow kCliFlags[] = {
    {CliFlag::kHeap, "heap", "NAME",
     "the heap to run, overriding '# heap:' (allocfuzz list); run, cmin, coverage: the fuzz "
     "target's heap"},
    {CliFlag::kDiff, "diff", "all|HEAP,HEAP,...",
     "run on several heaps and compare them call by call (divergence:WHAT), overriding "
     "'# diff:'; run, cmin, coverage of diff_fuzzer: the heaps it compares (default all)"},
    {CliFlag::kDefect, "defect", "NAME|none",
     "the heap's historical defect to switch on, overriding '# defect:' (none: run without it); "
     "run: passed to the fuzzer (ALLOCFUZZ_DEFECT)"},
    {CliFlag::kRegion, "region", "high|low", "the region's placement, overriding the file's"},
    {CliFlag::kOps, "ops", "all|-FAMILY,...",
     "operation families to leave out (api, fill, check, foreign, fail-grow), overriding "
     "'# ops:': a binary's operations of those families are skipped, a text that uses one is "
     "an error; run, cmin, coverage: passed to the fuzzer (ALLOCFUZZ_OPS)"},
    {CliFlag::kRegionSize, "region-size", "BYTES",
     "the region's size, overriding '# region-size:' (4096 .. 67108864; default 1048576)"},
    {CliFlag::kOut, "o", "OUT",
     "output file (encode: default stdout; minimize: default FILE.min.ops); cmin: the corpus "
     "directory to write instead of work/TARGET/corpus"},
    {CliFlag::kTimeout, "timeout", "SECONDS", "limit per program run (default 60; 0: none)"},
    {CliFlag::kRoot, "root", "DIR", "the repository root (default: found from the binary's path)"},
    {CliFlag::kEngine, "engine", "libfuzzer|afl", "the fuzzing engine (default libfuzzer)"},
    {CliFlag::kRandom, "random", "N", "a random workload of N operations instead of FILE"},
    {CliFlag::kSeed, "seed", "S", "the random workload's seed (default 1)"},
    {CliFlag::kEmpty, "empty", "",
     "fuzz from no corpus: work/TARGET/empty-corpus, emptied first, no seeds (libFuzzer only)"},
    {CliFlag::kIgnore, "ignore", "SIGNATURE,...",
     "a bucket to ignore: still in the table, marked ignored, not new (signature: KIND "
     "op=OPNAME [frame=FRAME]); repeatable, or several separated by commas",
     true},
    {CliFlag::kIgnoreFile, "ignore-file", "FILE",
     "the buckets to ignore, one signature a line, '#' comments; repeatable", true},
    {CliFlag::kProfiles, "profiles", "",
     "list: each heap's capabilities and behaviour profile, side by side, instead"},
};

// The row named `name`, or nullptr.
inline const CliFlagRow* find_cli_flag(std::string_view name) {
  for (const CliFlagRow& row : kCliFlags) {
    if (row.name == name) return &row;
  }
  return nullptr;
}

inline const CliFlagRow& cli_flag_row(CliFlag flag) {
  for (const CliFlagRow& row : kCliFlags) {
    if (row.flag == flag) return row;
  }
  __builtin_unreachable();  // every CliFlag has its row (verb_table_test checks it)
}

// "--heap" or "-o": how the flag is spelled in messages.
inline std::string flag_spelling(const CliFlagRow& row) {
  return (row.name.size() == 1 ? "-" : "--") + std::string(row.name);
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CLI_FLAG_TABLE_H_
