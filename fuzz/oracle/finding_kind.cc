// The violation vocabulary's one print and one parse; see finding_kind.h.
#include "fuzz/oracle/finding_kind.h"

#include <absl/strings/str_format.h>

#include <csignal>
#include <string>

#include "allocator/free_array/heap_checker.h"
#include "fuzz/heaps/plugin_adapter.h"
#include "fuzz/oracle/sanitizer_kinds.h"

namespace allocfuzz {
namespace {

constexpr std::string_view kOracleNames[] = {
#define ALLOCFUZZ_X(e, name) name,
    ALLOCFUZZ_ORACLES(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

constexpr std::string_view kShadowKindText[] = {
#define ALLOCFUZZ_X(e, text) text,
    ALLOCFUZZ_SHADOW_KINDS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

constexpr std::string_view kDivergenceText[] = {
#define ALLOCFUZZ_X(e, text) text,
    ALLOCFUZZ_DIVERGENCE_KINDS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

// The signals with a short name: the fatal ones the child and the fuzz targets catch, and
// those that end a process from outside.
struct SignalName {
  int number;
  std::string_view name;
};
constexpr SignalName kSignalNames[] = {
    {SIGSEGV, "SIGSEGV"}, {SIGBUS, "SIGBUS"},   {SIGILL, "SIGILL"},   {SIGFPE, "SIGFPE"},
    {SIGABRT, "SIGABRT"}, {SIGTRAP, "SIGTRAP"}, {SIGSYS, "SIGSYS"},   {SIGKILL, "SIGKILL"},
    {SIGTERM, "SIGTERM"}, {SIGINT, "SIGINT"},   {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"},
};

bool is_decimal(std::string_view s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

template <size_t N>
bool in_list(const std::string_view (&list)[N], std::string_view s) {
  for (std::string_view item : list) {
    if (item == s) return true;
  }
  return false;
}

bool is_invariant_id(std::string_view id) {
  if (id == kSelfCheckId || id == kWalkId) return true;  // the plugins' (plugin_adapter.h)
  for (const InvariantInfo& info : kInvariants) {
    if (id == info.id) return true;
  }
  return false;
}

// A crash's detail as the constructors print it: a signal's name (SIGSEGV, or SIG<number> for
// one without a name here, never SIG11 for SIGSEGV) or exit-<number>, without leading zeros.
bool is_crash_detail(std::string_view d) {
  for (const SignalName& s : kSignalNames) {
    if (d == s.name) return true;
  }
  for (std::string_view prefix : {std::string_view("SIG"), std::string_view("exit-")}) {
    if (!d.starts_with(prefix) || !is_decimal(d.substr(prefix.size()))) continue;
    const int n = std::stoi(std::string(d.substr(prefix.size())));
    const std::string canonical = prefix == "SIG" ? signal_name(n) : absl::StrFormat("exit-%d", n);
    return canonical == d;
  }
  return false;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

std::string_view oracle_name(Oracle o) { return kOracleNames[static_cast<size_t>(o)]; }

std::string_view shadow_kind_text(ShadowKind kind) {
  return kShadowKindText[static_cast<size_t>(kind)];
}

std::string_view divergence_text(Divergence d) { return kDivergenceText[static_cast<size_t>(d)]; }

FindingKind FindingKind::shadow(ShadowKind kind) {
  return FindingKind(FindingCategory::kShadow, std::string(shadow_kind_text(kind)));
}

FindingKind FindingKind::heap_invariant(std::string_view id) {
  return FindingKind(FindingCategory::kHeapInvariant, std::string(id));
}

FindingKind FindingKind::divergence(Divergence d) {
  return FindingKind(FindingCategory::kDivergence, std::string(divergence_text(d)));
}

FindingKind FindingKind::signal(int signal_number) {
  return FindingKind(FindingCategory::kCrash, signal_name(signal_number));
}

FindingKind FindingKind::exit_status(int status) {
  return FindingKind(FindingCategory::kCrash, absl::StrFormat("exit-%d", status));
}

FindingKind FindingKind::asan(std::string_view what) {
  return FindingKind(FindingCategory::kAsan, std::string(what));
}

FindingKind FindingKind::ubsan(std::string_view what) {
  return FindingKind(FindingCategory::kUbsan, std::string(what));
}

FindingKind FindingKind::timeout() { return FindingKind(FindingCategory::kTimeout, ""); }

void FindingKind::append_text(TextBuffer& out) const {
  const std::string_view prefix = category_info(category_).prefix;
  out.add(prefix);
  if (!prefix.empty() && !detail_.empty()) out.add_char(':');
  if (prefix.empty() || !detail_.empty()) out.add(detail_);
}

std::string FindingKind::text() const {
  const std::string_view prefix = category_info(category_).prefix;
  if (prefix.empty()) return detail_;
  if (detail_.empty()) return std::string(prefix);
  return std::string(prefix) + ":" + detail_;
}

std::optional<FindingKind> parse_finding_kind(std::string_view text, std::string* error) {
  const size_t colon = text.find(':');
  const std::string_view prefix = colon == std::string_view::npos ? "" : text.substr(0, colon);
  const std::string_view detail = colon == std::string_view::npos ? text : text.substr(colon + 1);
  auto refuse = [&](std::string why) -> std::optional<FindingKind> {
    *error = "unknown violation kind " + quoted(text) + " (" + why + ")";
    return std::nullopt;
  };
  const CategoryInfo* info = nullptr;
  for (const CategoryInfo& c : kFindingCategories) {
    if (c.category == FindingCategory::kTimeout ? text == c.prefix : prefix == c.prefix) {
      info = &c;
    }
  }
  if (info == nullptr) {
    return refuse(
        "a shadow kind such as 'overlap', heap-invariant:ID, divergence:WHAT, crash:SIGNAME, "
        "asan:WHAT, ubsan:CHECK or timeout");
  }
  bool ok = false;
  std::string why;
  switch (info->category) {
    case FindingCategory::kShadow:
      ok = in_list(kShadowKindText, detail);
      why = "no shadow kind " + quoted(detail);
      break;
    case FindingCategory::kHeapInvariant:
      ok = is_invariant_id(detail);
      why = "no heap invariant " + quoted(detail);
      break;
    case FindingCategory::kDivergence:
      ok = in_list(kDivergenceText, detail);
      why = "no divergence " + quoted(detail);
      break;
    case FindingCategory::kCrash:
      ok = is_crash_detail(detail);
      why = "a crash is crash:SIGNAME or crash:exit-N";
      break;
    case FindingCategory::kAsan:
      ok = is_asan_report_name(detail);
      why = "no ASan report " + quoted(detail) + " in ALLOCFUZZ_ASAN_REPORTS";
      break;
    case FindingCategory::kUbsan:
      ok = is_ubsan_check_name(detail);
      why = "no UBSan check " + quoted(detail) + " in ALLOCFUZZ_UBSAN_CHECKS";
      break;
    case FindingCategory::kTimeout:
      return FindingKind::timeout();
  }
  if (!ok) return refuse(why);
  return FindingKind(info->category, std::string(detail));
}

std::optional<std::string> check_finding_kind(std::string_view text) {
  std::string error;
  if (parse_finding_kind(text, &error)) return std::nullopt;
  return error;
}

std::string signal_name(int signal_number) {
  for (const SignalName& s : kSignalNames) {
    if (s.number == signal_number) return std::string(s.name);
  }
  return absl::StrFormat("SIG%d", signal_number);
}

std::ostream& operator<<(std::ostream& out, const FindingKind& kind) { return out << kind.text(); }

}  // namespace allocfuzz
