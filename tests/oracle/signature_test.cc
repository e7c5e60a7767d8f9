// A finding's signature (fuzz/oracle/signature.h): its text parses back to itself, with and
// without a frame, bad texts are refused with their exact reason, and a finding's signature
// names its operation by the table's name, "end" or "none".
#include "fuzz/oracle/signature.h"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "fuzz/program/ops_text.h"

namespace allocfuzz {
namespace {

TEST(Signature, PrintsAndParsesBackWithAndWithoutFrame) {
  const Signature with{FindingKind::signal(SIGSEGV), "free", "oldgnu_malloc.c:214 in og_free"};
  EXPECT_EQ(with.text(), "crash:SIGSEGV op=free frame=oldgnu_malloc.c:214 in og_free");
  const Signature without{FindingKind::shadow(ShadowKind::kOverlap), "malloc", ""};
  EXPECT_EQ(without.text(), "overlap op=malloc");
  const Signature unknown{FindingKind::signal(SIGBUS), "end", std::string(kUnknownFrame)};
  EXPECT_EQ(unknown.text(), "crash:SIGBUS op=end frame=?");
  for (const Signature& s : {with, without, unknown}) {
    std::string error;
    const std::optional<Signature> back = parse_signature(s.text(), &error);
    ASSERT_TRUE(back.has_value()) << error;
    EXPECT_EQ(*back, s);
  }
}

TEST(Signature, RefusesBadTextsWithTheirReason) {
  const std::pair<std::string, std::string> cases[] = {
      {"overlap", "signature 'overlap' has no ' op=OPNAME' after its kind"},
      {"overlop op=free",
       "signature 'overlop op=free' has unknown violation kind 'overlop' (no shadow kind "
       "'overlop')"},
      {"overlap op=frob",
       "signature 'overlap op=frob' has no operation 'frob' (an operation's name, 'end' or "
       "'none')"},
      {"crash:SIGSEGV op=free frame=",
       "signature 'crash:SIGSEGV op=free frame=' has an empty or unprintable frame (FILE:LINE "
       "in FUNCTION, or ?)"},
  };
  for (const auto& [text, why] : cases) {
    std::string error;
    EXPECT_FALSE(parse_signature(text, &error).has_value()) << text;
    EXPECT_EQ(error, why);
  }
}

TEST(Signature, OfAFindingNamesItsOperation) {
  const ParseResult parsed = parse_ops_text("# allocfuzz ops v1\nmalloc s0 16\nfree s0\n");
  ASSERT_FALSE(parsed.error.has_value()) << parsed.error->message;
  const Program* program = &parsed.program;
  Finding f;
  f.kind = FindingKind::signal(SIGSEGV);
  f.op_index = 1;
  f.frame = "x.c:3 in f";
  EXPECT_EQ(signature_of(*program, f).text(), "crash:SIGSEGV op=free frame=x.c:3 in f");
  f.op_index = 2;
  f.frame = "";
  EXPECT_EQ(signature_of(*program, f).text(), "crash:SIGSEGV op=end");
  f.op_index = SIZE_MAX;
  EXPECT_EQ(signature_of(*program, f).text(), "crash:SIGSEGV op=none");
}

// Kind, operation and frame all tell buckets apart; tables order them by their text.
TEST(Signature, KindOpAndFrameAllCountAndOrderIsByText) {
  std::string error;
  auto parsed = [&error](std::string_view text) { return *parse_signature(text, &error); };
  const Signature a = parsed("content-corrupted op=malloc");
  EXPECT_EQ(a, parsed("content-corrupted op=malloc"));
  EXPECT_FALSE(a == parsed("content-corrupted op=realloc"));
  EXPECT_FALSE(a == parsed("overlap op=malloc"));
  EXPECT_FALSE(a == parsed("content-corrupted op=malloc frame=f.c:1 in f"));
  EXPECT_TRUE(signature_less(a, parsed("content-corrupted op=realloc")));
  EXPECT_FALSE(signature_less(parsed("overlap op=free"), parsed("content-corrupted op=free")));
}

}  // namespace
}  // namespace allocfuzz
