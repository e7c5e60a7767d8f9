// The violation vocabulary (fuzz/oracle/finding_kind.h): every kind a producer can build prints
// as a text that parses back to the same value (print is a fixed point), every text that is no
// kind is refused with its exact message, deaths map to the kinds the table says, and the
// finding line and the .ops parser's hook use that one print and parse.
#include <gtest/gtest.h>

#include <csignal>
#include <set>
#include <string>
#include <vector>

#include "allocator/base/fixed_text.h"
#include "allocator/free_array/heap_checker.h"
#include "fuzz/heaps/plugin_adapter.h"
#include "fuzz/oracle/finding_kind.h"
#include "fuzz/oracle/report.h"
#include "fuzz/oracle/sanitizer_kinds.h"
#include "fuzz/program/ops_text.h"

namespace allocfuzz {
namespace {

// One value of every category and every closed detail.
std::vector<FindingKind> EveryKind() {
  std::vector<FindingKind> kinds;
#define ALLOCFUZZ_X(e, text) kinds.push_back(FindingKind::shadow(ShadowKind::e));
  ALLOCFUZZ_SHADOW_KINDS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
#define ALLOCFUZZ_X(e, text) kinds.push_back(FindingKind::divergence(Divergence::e));
  ALLOCFUZZ_DIVERGENCE_KINDS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
  for (const InvariantInfo& info : kInvariants)
    kinds.push_back(FindingKind::heap_invariant(info.id));
  kinds.push_back(FindingKind::heap_invariant(kSelfCheckId));
  for (int s : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGKILL, SIGTERM, SIGINT,
                SIGPIPE, SIGALRM, 40}) {
    kinds.push_back(FindingKind::signal(s));
  }
  kinds.push_back(FindingKind::exit_status(0));
  kinds.push_back(FindingKind::exit_status(3));
#define ALLOCFUZZ_X(description) kinds.push_back(FindingKind::asan(description));
  ALLOCFUZZ_ASAN_REPORTS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
  // A UBSan check's name may stand in several rows (one per issue kind); once is enough.
  std::set<std::string_view> ubsan_names;
#define ALLOCFUZZ_X(issue_kind, prefix, name) \
  if (ubsan_names.insert(name).second) kinds.push_back(FindingKind::ubsan(name));
  ALLOCFUZZ_UBSAN_CHECKS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
  kinds.push_back(FindingKind::timeout());
  return kinds;
}

TEST(FindingKinds, EveryKindParsesBackToItselfAndPrintsTheSame) {
  std::set<std::string> texts;
  for (const FindingKind& kind : EveryKind()) {
    const std::string text = kind.text();
    std::string error;
    const std::optional<FindingKind> parsed = parse_finding_kind(text, &error);
    ASSERT_TRUE(parsed.has_value()) << text << ": " << error;
    EXPECT_EQ(*parsed, kind) << text;
    EXPECT_EQ(parsed->text(), text);
    EXPECT_EQ(check_finding_kind(text), std::nullopt) << text;
    EXPECT_TRUE(texts.insert(text).second) << "two kinds print as " << text;
  }
}

// The allocation-free print of the death paths writes exactly what text() says.
TEST(FindingKinds, AppendTextIsTheSamePrint) {
  for (const FindingKind& kind : EveryKind()) {
    FixedText<128> out;
    kind.append_text(out);
    EXPECT_EQ(out.view(), kind.text());
  }
}

TEST(FindingKinds, PrintedFormsAreThoseOfTheTable) {
  EXPECT_EQ(FindingKind::shadow(ShadowKind::kOverlap).text(), "overlap");
  EXPECT_EQ(FindingKind::heap_invariant("prev-free").text(), "heap-invariant:prev-free");
  EXPECT_EQ(FindingKind::divergence(Divergence::kMallocZero).text(), "divergence:malloc-zero");
  EXPECT_EQ(FindingKind::signal(SIGSEGV).text(), "crash:SIGSEGV");
  EXPECT_EQ(FindingKind::signal(40).text(), "crash:SIG40");
  EXPECT_EQ(FindingKind::exit_status(3).text(), "crash:exit-3");
  EXPECT_EQ(FindingKind::asan("heap-use-after-free").text(), "asan:heap-use-after-free");
  EXPECT_EQ(FindingKind::ubsan("misaligned-store").text(), "ubsan:misaligned-store");
  EXPECT_EQ(FindingKind::timeout().text(), "timeout");
}

TEST(FindingKinds, EachCategoryHasItsOwnPrefixAndOracle) {
  std::set<std::string_view> prefixes;
  for (const CategoryInfo& info : kFindingCategories) {
    EXPECT_TRUE(prefixes.insert(info.prefix).second) << info.prefix;
  }
  EXPECT_EQ(FindingKind::shadow(ShadowKind::kMisaligned).oracle(), Oracle::kShadow);
  EXPECT_EQ(FindingKind::heap_invariant("free-tag").oracle(), Oracle::kHeapChecker);
  EXPECT_EQ(FindingKind::divergence(Divergence::kErrno).oracle(), Oracle::kDifferential);
  EXPECT_EQ(FindingKind::signal(SIGBUS).oracle(), Oracle::kSignal);
  EXPECT_EQ(FindingKind::asan("double-free").oracle(), Oracle::kSanitizer);
  EXPECT_EQ(FindingKind::ubsan("array-bounds").oracle(), Oracle::kSanitizer);
  EXPECT_EQ(FindingKind::timeout().oracle(), Oracle::kSignal);
  EXPECT_EQ(oracle_name(Oracle::kHeapFatal), "heap's own check");
  EXPECT_EQ(oracle_name(Oracle::kDifferential), "differential comparison");
}

// Texts that are no kind, each with the exact reason.
TEST(FindingKinds, UnknownKindsAreRefusedWithTheirReason) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"overlapp", "unknown violation kind 'overlapp' (no shadow kind 'overlapp')"},
      {"", "unknown violation kind '' (no shadow kind '')"},
      {"heap-invariant:bogus",
       "unknown violation kind 'heap-invariant:bogus' (no heap invariant 'bogus')"},
      {"heap-invariant:", "unknown violation kind 'heap-invariant:' (no heap invariant '')"},
      {"divergence:nul", "unknown violation kind 'divergence:nul' (no divergence 'nul')"},
      {"crash:SEGV",
       "unknown violation kind 'crash:SEGV' (a crash is crash:SIGNAME or crash:exit-N)"},
      {"crash:SIG11",
       "unknown violation kind 'crash:SIG11' (a crash is crash:SIGNAME or crash:exit-N)"},
      {"crash:exit-03",
       "unknown violation kind 'crash:exit-03' (a crash is crash:SIGNAME or crash:exit-N)"},
      {"asan:", "unknown violation kind 'asan:' (no ASan report '' in ALLOCFUZZ_ASAN_REPORTS)"},
      {"asan:SEGV",
       "unknown violation kind 'asan:SEGV' (no ASan report 'SEGV' in ALLOCFUZZ_ASAN_REPORTS)"},
      {"ubsan:misaligned-pointer",
       "unknown violation kind 'ubsan:misaligned-pointer' (no UBSan check 'misaligned-pointer' in "
       "ALLOCFUZZ_UBSAN_CHECKS)"},
      {"sanitizer:heap-buffer-overflow",
       "unknown violation kind 'sanitizer:heap-buffer-overflow' (a shadow kind such as 'overlap', "
       "heap-invariant:ID, divergence:WHAT, crash:SIGNAME, asan:WHAT, ubsan:CHECK or timeout)"},
      {"timeout:5",
       "unknown violation kind 'timeout:5' (a shadow kind such as 'overlap', heap-invariant:ID, "
       "divergence:WHAT, crash:SIGNAME, asan:WHAT, ubsan:CHECK or timeout)"},
      {"segfault:x",
       "unknown violation kind 'segfault:x' (a shadow kind such as 'overlap', heap-invariant:ID, "
       "divergence:WHAT, crash:SIGNAME, asan:WHAT, ubsan:CHECK or timeout)"},
  };
  for (const auto& [text, message] : cases) {
    std::string error;
    EXPECT_EQ(parse_finding_kind(text, &error), std::nullopt) << text;
    EXPECT_EQ(error, message);
    EXPECT_EQ(check_finding_kind(text), std::optional<std::string>(message));
  }
}

TEST(FindingKinds, AsanDescriptionsOfDeadlySignalsAreCrashes) {
  for (const char* fault : {"SEGV", "null-deref", "wild-jump", "wild-addr", "wild-addr-read",
                            "wild-addr-write", "stack-overflow"}) {
    EXPECT_EQ(kind_from_asan(fault), FindingKind::signal(SIGSEGV)) << fault;
  }
  EXPECT_EQ(kind_from_asan("signal"), FindingKind::signal(SIGFPE));
  EXPECT_EQ(kind_from_asan("heap-buffer-overflow").text(), "asan:heap-buffer-overflow");
  EXPECT_EQ(kind_from_asan("use-after-poison").text(), "asan:use-after-poison");
  // A description the table does not know, or none, is asan:report.
  EXPECT_EQ(kind_from_asan("brand-new-bug").text(), "asan:report");
  EXPECT_EQ(kind_from_asan(nullptr).text(), "asan:report");
}

// UBSan's issue kinds, refined by the message where one check covers several faults.
TEST(FindingKinds, UbsanChecksByIssueKindAndMessage) {
  const char* misaligned = "misaligned-pointer-use";
  EXPECT_EQ(kind_from_ubsan(misaligned,
                            "Store to misaligned address 0x6 for type 'uint64_t' (aka 'unsigned "
                            "long'), which requires 8 byte alignment")
                .text(),
            "ubsan:misaligned-store");
  EXPECT_EQ(kind_from_ubsan(misaligned, "Load of misaligned address 0x6 for type 'int'").text(),
            "ubsan:misaligned-load");
  EXPECT_EQ(kind_from_ubsan(misaligned, "Member access within misaligned address").text(),
            "ubsan:misaligned-member-access");
  EXPECT_EQ(kind_from_ubsan(misaligned, "something new").text(), "ubsan:misaligned-pointer-use");
  EXPECT_EQ(kind_from_ubsan("null-pointer-use", "Store to null pointer of type 'int'").text(),
            "ubsan:null-store");
  EXPECT_EQ(kind_from_ubsan("out-of-bounds-index", "index 3 out of bounds").text(),
            "ubsan:array-bounds");
  EXPECT_EQ(kind_from_ubsan("invalid-shift-exponent", "shift exponent 64 is too large").text(),
            "ubsan:shift-exponent");
  EXPECT_EQ(kind_from_ubsan("pointer-overflow", "pointer index expression").text(),
            "ubsan:pointer-overflow");
  EXPECT_EQ(kind_from_ubsan("a-check-of-tomorrow", "x").text(), "ubsan:report");
  EXPECT_EQ(kind_from_ubsan(nullptr, nullptr).text(), "ubsan:report");
}

TEST(FindingKinds, SignalNames) {
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGALRM), "SIGALRM");
  EXPECT_EQ(signal_name(40), "SIG40");
}

TEST(FindingLine, IsOneLineOfKeyValueFields) {
  EXPECT_EQ(finding_line(FindingKind::heap_invariant("prev-free"), Oracle::kHeapChecker, 17),
            "allocfuzz-finding: kind=heap-invariant:prev-free op=17 oracle=\"heap checker\"\n");
  EXPECT_EQ(finding_line(FindingKind::asan("heap-buffer-overflow"), Oracle::kSanitizer, 1,
                         "x_malloc.c:12 in x_free"),
            "allocfuzz-finding: kind=asan:heap-buffer-overflow op=1 oracle=\"sanitizer\" "
            "frame=\"x_malloc.c:12 in x_free\"\n");
  EXPECT_EQ(finding_line(FindingKind::signal(SIGABRT), Oracle::kHeapFatal, SIZE_MAX),
            "allocfuzz-finding: kind=crash:SIGABRT op=none oracle=\"heap's own check\"\n");
}

// The .ops parser takes the vocabulary as a hook: with it, an unknown kind is refused at the
// line of its `# expect:`; without it (the program layer alone) the text is kept as written.
TEST(ExpectHeader, UnknownKindIsRefusedAtItsLineThroughTheHook) {
  const std::string text =
      "# allocfuzz ops v1\n# heap: free-array\n# expect: violation heap-invariant:bogus\nmalloc "
      "s0 8\n";
  const ParseResult checked = parse_ops_text(text, ParseOptions{check_finding_kind});
  ASSERT_TRUE(checked.error.has_value());
  EXPECT_EQ(checked.error->line, 3u);
  EXPECT_EQ(checked.error->message,
            "unknown violation kind 'heap-invariant:bogus' (no heap invariant 'bogus')");

  const ParseResult unchecked = parse_ops_text(text);
  ASSERT_FALSE(unchecked.error.has_value());
  EXPECT_EQ(unchecked.program.header.expect->kind, "heap-invariant:bogus");
}

TEST(ExpectHeader, KnownKindsAndOkPassTheHook) {
  for (std::string_view expect : {"ok", "violation overlap", "violation crash:SIGABRT",
                                  "violation divergence:malloc-zero", "violation timeout"}) {
    const std::string text = "# allocfuzz ops v1\n# expect: " + std::string(expect) + "\n";
    const ParseResult parsed = parse_ops_text(text, ParseOptions{check_finding_kind});
    EXPECT_FALSE(parsed.error.has_value()) << expect << ": " << parsed.error->message;
  }
}

}  // namespace
}  // namespace allocfuzz
