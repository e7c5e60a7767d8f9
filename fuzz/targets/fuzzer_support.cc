// The fuzz targets' finding line and death hooks; see fuzzer_support.h.
#include "fuzz/targets/fuzzer_support.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "allocator/base/fixed_text.h"
#include "fuzz/harness/crash_frame.h"
#include "fuzz/harness/fatal_signals.h"
#include "fuzz/oracle/report.h"
#include "fuzz/oracle/sanitizer_kinds.h"
#include "fuzz/program/families.h"
#include "fuzz/targets/target_contract.h"

// The sanitizers' hooks, weak so that builds without them link and simply skip them.
extern "C" {
__attribute__((weak)) void __asan_set_error_report_callback(void (*)(const char*));
__attribute__((weak)) const char* __asan_get_report_description();
}

namespace allocfuzz {
namespace {

bool g_finding_printed = false;
bool g_hook_ran = false;
bool g_heap_fatal = false;  // the heap's own check fired: the SIGABRT that follows is its
void (*g_death_hook)() = nullptr;

// Names the death once: its finding line, with the frame inside the heap under test, then the
// hook (the operation in flight). Whatever follows (the abort that ends a report, ASan's
// report of a signal already named) is the same death.
void name_death(const FindingKind& kind, Oracle oracle, const void* fault_pc) {
  if (!g_finding_printed) {
    FixedText<kCrashFrameCapacity> frame;
    append_crash_frame(fault_pc, frame);
    print_finding_line(kind, oracle, Executor::op_in_flight(), frame.view());
  }
  if (!g_hook_ran && g_death_hook != nullptr) {
    g_hook_ran = true;
    g_death_hook();
  }
}

void on_signal(int signal_number, const void* fault_pc) {
  const Oracle oracle =
      signal_number == SIGABRT && g_heap_fatal ? Oracle::kHeapFatal : Oracle::kSignal;
  name_death(FindingKind::signal(signal_number), oracle, fault_pc);
}

// The heap's own check aborts next; the abort names the death (its frame is then the same
// as in `allocfuzz replay`, whose child sees only the signal), the operation is named now.
void on_heap_fatal() {
  g_heap_fatal = true;
  if (!g_hook_ran && g_death_hook != nullptr) {
    g_hook_ran = true;
    g_death_hook();
  }
}

void on_asan_report(const char*) {
  const FindingKind kind = kind_from_asan(
      __asan_get_report_description != nullptr ? __asan_get_report_description() : nullptr);
  name_death(kind, kind.oracle(), nullptr);
}

}  // namespace

void print_finding_line(const FindingKind& kind, Oracle oracle, size_t op_index,
                        std::string_view frame) {
  if (g_finding_printed) return;
  g_finding_printed = true;
  // No allocation and no stdio lock: this may run in a signal handler, after a fault inside
  // an allocator. (FindingKind::signal's detail, "SIGSEGV", fits std::string's inline
  // buffer, so building the kind there allocates nothing either.)
  FixedText<kFindingLineCapacity> line;
  append_finding_line(line, kind, oracle, op_index, frame);
  const std::string_view text = line.view();
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = write(STDERR_FILENO, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

FamilySet left_out_families(const char* target) {
  const char* text = getenv(kOpsVariable);
  if (text == nullptr) return 0;
  FamilySet left_out = 0;
  std::string error;
  if (!parse_family_list(text, &left_out, &error)) {
    fprintf(stderr, "%s: %s: %s\n", target, kOpsVariable, error.c_str());
    exit(2);
  }
  return left_out;
}

std::string ops_flag(FamilySet left_out) {
  return left_out == 0 ? "" : " --ops=" + format_family_list(left_out);
}

void install_death_hooks(void (*hook)()) {
  g_death_hook = hook;
  install_fatal_signal_handlers(kFatalSignals, static_cast<int>(std::size(kFatalSignals)),
                                on_signal, /*chain=*/true);
  if (&__asan_set_error_report_callback != nullptr) {
    __asan_set_error_report_callback(on_asan_report);
  }
  set_heap_fatal_hook(on_heap_fatal);
}

}  // namespace allocfuzz

// UBSan calls this for each report it makes (-fno-sanitize-recover: then it dies), with the
// report's check and message available. A strong definition overrides the runtime's weak one;
// without UBSan it is never called.
extern "C" void __ubsan_on_report() {
  using namespace allocfuzz;
  const FindingKind kind = current_ubsan_report().kind;
  name_death(kind, kind.oracle(), nullptr);
}
