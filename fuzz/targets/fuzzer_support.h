// What the program fuzz targets (heap_fuzzer, diff_fuzzer) share: how their regions are
// protected, and the line that names the operation in flight when the process dies.
#ifndef ALLOCFUZZ_FUZZ_FUZZER_SUPPORT_H_
#define ALLOCFUZZ_FUZZ_FUZZER_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/oracle/report.h"
#include "fuzz/program/ops.h"

// ASan's hook, called with each report before the process dies; weak, so builds without ASan
// link and simply skip it.
extern "C" __attribute__((weak)) void __asan_set_error_report_callback(void (*)(const char*));

namespace allocfuzz {

// Under ASan, poisoning guards the memory above the break without a system call per input;
// elsewhere mprotect does (Protection::kStrict).
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr Protection kFuzzerProtection = Protection::kPoison;
#else
inline constexpr Protection kFuzzerProtection = Protection::kStrict;
#endif
#else
inline constexpr Protection kFuzzerProtection = Protection::kStrict;
#endif

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

// Makes `hook` run when the process dies inside an operation: on an ASan report, and on the
// heap's own fatal check. Not __sanitizer_set_death_callback: libFuzzer owns that one (it saves
// the crashing input).
inline void (*g_death_hook)() = nullptr;
inline void install_death_hooks(void (*hook)()) {
  g_death_hook = hook;
  if (&__asan_set_error_report_callback != nullptr) {
    __asan_set_error_report_callback([](const char*) { g_death_hook(); });
  }
  set_heap_fatal_hook(hook);
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_FUZZER_SUPPORT_H_
