// The sanitizers' names of their reports as finding kinds; see sanitizer_kinds.h.
#include "fuzz/oracle/sanitizer_kinds.h"

#include <csignal>

// UBSan's report data, weak so that builds without UBSan link (the pointer is then null).
extern "C" __attribute__((weak)) int __ubsan_get_current_report_data(
    const char** issue_kind, const char** message, const char** filename, unsigned* line,
    unsigned* column, char** memory_addr);

namespace allocfuzz {
namespace {

constexpr std::string_view kAsanReports[] = {
#define ALLOCFUZZ_X(description) description,
    ALLOCFUZZ_ASAN_REPORTS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

constexpr std::string_view kAsanMemoryFaults[] = {
#define ALLOCFUZZ_X(description) description,
    ALLOCFUZZ_ASAN_MEMORY_FAULTS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

struct UbsanCheck {
  std::string_view issue_kind;  // empty: any (the last row)
  std::string_view prefix;      // empty: any message
  std::string_view name;
};
constexpr UbsanCheck kUbsanChecks[] = {
#define ALLOCFUZZ_X(issue_kind, prefix, name) {issue_kind, prefix, name},
    ALLOCFUZZ_UBSAN_CHECKS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

// UBSan's messages start with a capital ("Store to misaligned address ..."); the table's
// prefixes are compared without regard to case.
bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(text[i]) != lower(prefix[i])) return false;
  }
  return true;
}

template <size_t N>
bool listed(const std::string_view (&list)[N], std::string_view s) {
  for (std::string_view item : list) {
    if (item == s) return true;
  }
  return false;
}

}  // namespace

bool is_asan_report_name(std::string_view name) { return listed(kAsanReports, name); }

bool is_ubsan_check_name(std::string_view name) {
  for (const UbsanCheck& check : kUbsanChecks) {
    if (check.name == name) return true;
  }
  return false;
}

FindingKind kind_from_asan(const char* description) {
  const std::string_view what = description != nullptr ? description : "report";
  if (listed(kAsanMemoryFaults, what)) return FindingKind::signal(SIGSEGV);
  if (what == "signal") return FindingKind::signal(SIGFPE);
  return FindingKind::asan(is_asan_report_name(what) ? what : "report");
}

FindingKind kind_from_ubsan(const char* issue_kind, const char* message) {
  const std::string_view kind = issue_kind != nullptr ? issue_kind : "";
  const std::string_view text = message != nullptr ? message : "";
  for (const UbsanCheck& check : kUbsanChecks) {
    if (!check.issue_kind.empty() && check.issue_kind != kind) continue;
    if (!starts_with_ignoring_case(text, check.prefix)) continue;
    return FindingKind::ubsan(check.name);
  }
  return FindingKind::ubsan("report");  // not reached: the last row matches everything
}

UbsanReport current_ubsan_report() {
  const char* issue_kind = nullptr;
  const char* message = nullptr;
  if (__ubsan_get_current_report_data != nullptr) {
    const char* file = nullptr;
    unsigned line = 0;
    unsigned column = 0;
    char* address = nullptr;
    __ubsan_get_current_report_data(&issue_kind, &message, &file, &line, &column, &address);
  }
  return UbsanReport{issue_kind, kind_from_ubsan(issue_kind, message)};
}

}  // namespace allocfuzz
