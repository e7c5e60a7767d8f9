// The page a forked child shares with its parent (MAP_SHARED): how far the child got and how it
// ended. The child writes it, partly from signal handlers (child_hooks.h); the parent reads it
// after the child is gone (child_run.h, child_death.h). Only plain words and fixed arrays.
#ifndef ALLOCFUZZ_REPRO_CHILD_RECORD_H_
#define ALLOCFUZZ_REPRO_CHILD_RECORD_H_

#include <csignal>
#include <cstddef>

namespace allocfuzz {

enum ChildPhase : sig_atomic_t { kPhaseSetup = 0, kPhaseRunning = 1, kPhaseDone = 2 };

struct ChildRecord {
  volatile sig_atomic_t phase;
  volatile sig_atomic_t setup_failed;
  volatile sig_atomic_t signal;      // a fatal signal the child caught (SIGALRM: its timeout)
  volatile sig_atomic_t sanitizer;   // the sanitizers' death callback ran
  volatile sig_atomic_t ubsan;       // UBSan made a report (its death follows)
  volatile sig_atomic_t heap_fatal;  // the heap's own fatal check fired (its abort follows)
  volatile size_t op_at_death;       // Executor::op_in_flight() when the signal/report came
  volatile size_t ops_done;          // operations completed, for deaths no handler saw
  size_t finding_op;                 // with phase kPhaseDone and a non-empty finding_kind
  char finding_kind[256];            // the printed kind (FindingKind::text)
  char sanitizer_kind[128];          // the sanitizer report's kind, printed (asan:..., ubsan:...)
  char sanitizer_what[128];          // the sanitizer's own name of its report, for the message
  char frame[256];                   // the innermost frame inside the heap under test, or ""
  char finding_message[512];         // the finding's message, cut to fit
};

// The child's exit status when it could not set up (no region): not a finding.
inline constexpr int kSetupFailedExit = 3;

// Copies `from` (may be null) into a fixed array, cut to fit; async-signal-safe.
inline void copy_text(char* to, size_t capacity, const char* from) {
  size_t i = 0;
  for (; from != nullptr && from[i] != '\0' && i + 1 < capacity; ++i) to[i] = from[i];
  to[i] = '\0';
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CHILD_RECORD_H_
