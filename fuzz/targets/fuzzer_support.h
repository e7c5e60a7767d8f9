// What the program fuzz targets (heap_fuzzer, diff_fuzzer) share: how their regions are
// protected, the line that names the operation in flight when the process dies, and the
// machine-readable finding line for every finding, deaths included.
#ifndef ALLOCFUZZ_FUZZ_FUZZER_SUPPORT_H_
#define ALLOCFUZZ_FUZZ_FUZZER_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "allocator/base/build_config.h"
#include "allocator/free_array/free_array_heap.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/oracle/finding_kind.h"
#include "fuzz/oracle/report.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

// Under ASan, poisoning guards the memory above the break without a system call per input;
// elsewhere mprotect does (Protection::kStrict).
inline constexpr Protection kFuzzerProtection =
    kAddressSanitizer ? Protection::kPoison : Protection::kStrict;

// Called when the process dies inside an operation (an ASan report, or the heap's own fatal
// check): names the operation, which the sanitizer cannot know. `program` may be null (not
// started yet).
inline void say_operation_in_flight(const Program* program) {
  if (program == nullptr) return;
  size_t i = Executor::op_in_flight();
  if (i == SIZE_MAX) return;
  std::string line = "allocfuzz: the process died during " + describe_operation(*program, i) + "\n";
  fputs(line.c_str(), stderr);
}

// Prints the finding line (fuzz/oracle/report.h, finding_line) on stderr for the process's
// first finding only: whatever follows it (the abort that ends a report, ASan's report of a
// signal already named) is the same death. The fuzz targets call it for the findings their
// executor returns; install_death_hooks makes the deaths call it.
void print_finding_line(const FindingKind& kind, Oracle oracle, size_t op_index,
                        std::string_view frame = {});

// Makes the process name its death, once, as `allocfuzz replay` would name the same input
// (repro/tools/child_death.h): a fatal signal (fuzz/harness/fatal_signals.h, passed on to
// ASan's or libFuzzer's handler) is crash:SIGNAME, or with the heap's own fatal check
// (heap_fatal) crash:SIGABRT seen by that check; an ASan report is asan:WHAT (or the crash its
// description stands for), a UBSan report ubsan:CHECK (fuzz/oracle/sanitizer_kinds.h). Each
// prints the finding line, with the innermost frame inside the heap under test
// (fuzz/harness/crash_frame.h), and then runs `hook` (which names the operation in flight). Not
// __sanitizer_set_death_callback: libFuzzer owns that one (it saves the crashing input).
void install_death_hooks(void (*hook)());

// The families ALLOCFUZZ_OPS (target_contract.h) leaves out, for decode_binary; none when it is
// unset. A bad value stops the process with exit status 2 and "TARGET: ALLOCFUZZ_OPS: why".
FamilySet left_out_families(const char* target);

// " --ops=-foreign,-fail-grow" for the printed replay command when families are left out, so
// that the command replays what the fuzzer ran; "" when none are.
std::string ops_flag(FamilySet left_out);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_FUZZER_SUPPORT_H_
