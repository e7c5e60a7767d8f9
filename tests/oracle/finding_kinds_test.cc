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
  kinds.push_back(FindingKind::sanitizer("heap-buffer-overflow"));
  kinds.push_back(FindingKind::sanitizer("undefined-behavior"));
  kinds.push_back(FindingKind::sanitizer("bad-__sanitizer_annotate_contiguous_container"));
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
  EXPECT_EQ(FindingKind::sanitizer("heap-use-after-free").text(), "sanitizer:heap-use-after-free");
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
  EXPECT_EQ(FindingKind::sanitizer("double-free").oracle(), Oracle::kSanitizer);
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
      {"sanitizer:", "unknown violation kind 'sanitizer:' (a sanitizer report is sanitizer:WORD)"},
      {"sanitizer:a b",
       "unknown violation kind 'sanitizer:a b' (a sanitizer report is sanitizer:WORD)"},
      {"timeout:5",
       "unknown violation kind 'timeout:5' (a shadow kind such as 'overlap', heap-invariant:ID, "
       "divergence:WHAT, crash:SIGNAME, sanitizer:WHAT or timeout)"},
      {"segfault:x",
       "unknown violation kind 'segfault:x' (a shadow kind such as 'overlap', heap-invariant:ID, "
       "divergence:WHAT, crash:SIGNAME, sanitizer:WHAT or timeout)"},
  };
  for (const auto& [text, message] : cases) {
    std::string error;
    EXPECT_EQ(parse_finding_kind(text, &error), std::nullopt) << text;
    EXPECT_EQ(error, message);
    EXPECT_EQ(check_finding_kind(text), std::optional<std::string>(message));
  }
}

TEST(FindingKinds, SanitizerDescriptionsOfDeadlySignalsAreCrashes) {
  for (std::string_view fault : {"SEGV", "null-deref", "wild-jump", "wild-addr", "wild-addr-read",
                                 "wild-addr-write", "stack-overflow"}) {
    EXPECT_EQ(kind_from_sanitizer(fault), FindingKind::signal(SIGSEGV)) << fault;
  }
  EXPECT_EQ(kind_from_sanitizer("signal"), FindingKind::signal(SIGFPE));
  EXPECT_EQ(kind_from_sanitizer("heap-buffer-overflow").text(), "sanitizer:heap-buffer-overflow");
  EXPECT_EQ(kind_from_sanitizer("report").text(), "sanitizer:report");
}

TEST(FindingKinds, SignalNames) {
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGALRM), "SIGALRM");
  EXPECT_EQ(signal_name(40), "SIG40");
}

TEST(FindingLine, IsOneLineOfKeyValueFields) {
  EXPECT_EQ(finding_line(FindingKind::heap_invariant("prev-free"), Oracle::kHeapChecker, 17),
            "allocfuzz-finding: kind=heap-invariant:prev-free op=17 oracle=\"heap checker\"\n");
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
