// The child's signal, sanitizer and heap-fatal hooks; see child_hooks.h.
#include "repro/tools/child_hooks.h"

#include <sys/resource.h>

#include <iterator>

#include "allocator/free_array/free_array_heap.h"
#include "fuzz/harness/crash_frame.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/fatal_signals.h"
#include "fuzz/oracle/sanitizer_kinds.h"

// The sanitizers' hooks, weak so that a build without sanitizers (release) links: there they
// are null and never called.
extern "C" {
__attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)());
__attribute__((weak)) int __asan_report_present();
__attribute__((weak)) const char* __asan_get_report_description();
}

namespace allocfuzz {
namespace {

ChildRecord* g_record = nullptr;

void record_frame(const void* fault_pc) {
  TextBuffer frame(g_record->frame, sizeof g_record->frame - 1);
  append_crash_frame(fault_pc, frame);
  g_record->frame[frame.size()] = '\0';
}

// Records a sanitizer report's kind, its own name and the frame, unless a signal or an
// earlier report came first.
void record_report(const FindingKind& kind, const char* what) {
  if (g_record->signal != 0 || g_record->ubsan != 0 || g_record->sanitizer != 0) return;
  copy_text(g_record->sanitizer_kind, sizeof g_record->sanitizer_kind, kind.text().c_str());
  copy_text(g_record->sanitizer_what, sizeof g_record->sanitizer_what, what);
  g_record->op_at_death = Executor::op_in_flight();
  record_frame(nullptr);
}

// Records the signal, the operation in flight and the frame, unless a sanitizer report came
// first (then this is the abort that ends its report).
void on_signal(int signal_number, const void* fault_pc) {
  if (g_record != nullptr && g_record->signal == 0 && g_record->sanitizer == 0 &&
      g_record->ubsan == 0) {
    g_record->op_at_death = Executor::op_in_flight();
    g_record->signal = signal_number;
    record_frame(fault_pc);
  }
}

// The sanitizers call this after printing a report and before exiting (or aborting). A report
// that our own signal handler led to (ASan's SEGV report) keeps the signal as the cause; a
// UBSan report was recorded by its own hook.
void on_sanitizer_death() {
  if (g_record == nullptr || g_record->sanitizer != 0) return;
  if (g_record->ubsan == 0 && g_record->signal == 0) {
    const char* what = nullptr;
    if (__asan_report_present != nullptr && __asan_get_report_description != nullptr &&
        __asan_report_present() != 0) {
      what = __asan_get_report_description();
    }
    record_report(kind_from_asan(what), what != nullptr ? what : "a report");
  }
  g_record->sanitizer = 1;
}

void on_heap_fatal() {
  if (g_record != nullptr) g_record->heap_fatal = 1;
}

}  // namespace

void install_child_hooks(ChildRecord* record, bool chain) {
  g_record = record;
  int signals[std::size(kFatalSignals) + 1];
  int count = 0;
  for (int s : kFatalSignals) signals[count++] = s;
  signals[count++] = SIGALRM;  // the timeout: no sanitizer has a handler for it
  install_fatal_signal_handlers(signals, count, on_signal, chain);
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(on_sanitizer_death);
  set_heap_fatal_hook(on_heap_fatal);
  // A crashing heap should not leave core files behind (ASan already turns them off).
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
}

}  // namespace allocfuzz

// UBSan calls this for each report it makes, before its death callback, with the report's check
// and message available: the one way to tell its death from ASan's. A strong definition
// overrides the runtime's weak one; without UBSan it is never called.
extern "C" void __ubsan_on_report() {
  using namespace allocfuzz;
  if (g_record == nullptr) return;
  const UbsanReport report = current_ubsan_report();
  record_report(report.kind, report.issue_kind != nullptr ? report.issue_kind : "a report");
  g_record->ubsan = 1;
}
