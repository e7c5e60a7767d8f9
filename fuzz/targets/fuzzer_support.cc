// The fuzz targets' finding line and death hooks; see fuzzer_support.h.
#include "fuzz/targets/fuzzer_support.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "allocator/base/fixed_text.h"
#include "fuzz/harness/fatal_signals.h"
#include "fuzz/oracle/report.h"
#include "fuzz/program/families.h"
#include "fuzz/targets/target_contract.h"

// ASan's hooks, weak so that builds without ASan link and simply skip them.
extern "C" {
__attribute__((weak)) void __asan_set_error_report_callback(void (*)(const char*));
__attribute__((weak)) const char* __asan_get_report_description();
}

namespace allocfuzz {
namespace {

bool g_finding_printed = false;
void (*g_death_hook)() = nullptr;

void on_signal(int signal_number) {
  print_finding_line(FindingKind::signal(signal_number), Oracle::kSignal, Executor::op_in_flight());
}

void on_heap_fatal() {
  print_finding_line(FindingKind::signal(SIGABRT), Oracle::kHeapFatal, Executor::op_in_flight());
  if (g_death_hook != nullptr) g_death_hook();
}

void on_asan_report(const char*) {
  const char* what =
      __asan_get_report_description != nullptr ? __asan_get_report_description() : nullptr;
  const FindingKind kind = kind_from_sanitizer(what != nullptr ? what : "report");
  print_finding_line(kind, kind.oracle(), Executor::op_in_flight());
  if (g_death_hook != nullptr) g_death_hook();
}

}  // namespace

void print_finding_line(const FindingKind& kind, Oracle oracle, size_t op_index) {
  if (g_finding_printed) return;
  g_finding_printed = true;
  // No allocation and no stdio lock: this may run in a signal handler, after a fault inside
  // an allocator. (FindingKind::signal's detail, "SIGSEGV", fits std::string's inline
  // buffer, so building the kind there allocates nothing either.)
  FixedText<kFindingLineCapacity> line;
  append_finding_line(line, kind, oracle, op_index);
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

// UBSan calls this for each report it makes (-fno-sanitize-recover: then it dies). A strong
// definition overrides the runtime's weak one; without UBSan it is never called.
extern "C" void __ubsan_on_report() {
  using namespace allocfuzz;
  print_finding_line(FindingKind::sanitizer("undefined-behavior"), Oracle::kSanitizer,
                     Executor::op_in_flight());
}
