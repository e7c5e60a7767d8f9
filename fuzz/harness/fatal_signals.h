// The fatal signals a run watches for, caught before they kill the process so that the death
// can be named (its kind, fuzz/oracle/finding_kind.h, and the operation in flight), then passed
// on. Shared by the fuzz targets (fuzz/targets/fuzzer_support.h) and the command line's child
// (repro/tools/child_hooks.h), so both name the same death the same way.
#ifndef ALLOCFUZZ_FUZZ_HARNESS_FATAL_SIGNALS_H_
#define ALLOCFUZZ_FUZZ_HARNESS_FATAL_SIGNALS_H_

#include <csignal>

namespace allocfuzz {

// The signals a heap's failure arrives as (not SIGALRM: a timeout belongs to whoever set it).
inline constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS};

// Installs, for each signal of `signals`, a handler that calls `on_signal(number, fault_pc)`
// (which must be async-signal-safe, or at least not rely on the heap under test; `fault_pc` is
// the interrupted instruction, crash_frame.h, or null) and then
// hands the signal to the handler that was there before (a sanitizer's, which prints its
// report with the faulting stack, or libFuzzer's, which saves the input) when `chain` is set,
// or else dies of it by its default action, so that the wait status tells the truth too.
// Handlers run on an alternate stack, so a stack overflow is caught as well.
void install_fatal_signal_handlers(const int* signals, int count,
                                   void (*on_signal)(int, const void*), bool chain);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HARNESS_FATAL_SIGNALS_H_
