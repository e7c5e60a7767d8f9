// Unit tests for the .ops parser and printer (fuzz/program/ops_text.h, FORMAT.md "Text encoding"):
// every error with its exact line and message, every operation and header parsed and printed,
// the lexical rules (comments, blanks, tabs, CRLF, hex), and the round trip over generated
// programs: parse(print(p)) == p and print is a fixed point.
#include "fuzz/program/ops_text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace allocfuzz {
namespace {

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

// The text with the first line prepended.
std::string ops(const std::string& body) { return std::string{kOpsFirstLine} + "\n" + body; }

Program parse_ok(std::string_view text) {
  ParseResult result = parse_ops_text(text);
  EXPECT_FALSE(result.error.has_value())
      << "line " << result.error->line << ": " << result.error->message;
  return result.program;
}

// Asserts that `text` is refused at `line` with exactly `message`.
void expect_error(std::string_view text, size_t line, const std::string& message) {
  ParseResult result = parse_ops_text(text);
  ASSERT_TRUE(result.error.has_value()) << "accepted: " << text;
  EXPECT_EQ(result.error->line, line) << result.error->message;
  EXPECT_EQ(result.error->message, message);
}

Op make_op(OpKind kind, uint32_t slot = 0, uint64_t a0 = 0, uint64_t a1 = 0) {
  Op op;
  op.kind = kind;
  op.slot = slot;
  op.args[0] = a0;
  op.args[1] = a1;
  return op;
}

// --- Errors, one test per kind. ------------------------------------------------------------

TEST(OpsTextErrorTest, EmptyFile) { expect_error("", 0, "empty file"); }

TEST(OpsTextErrorTest, MissingFirstLine) {
  expect_error("malloc s0 8\n", 1, "missing first line '# allocfuzz ops v1'");
  expect_error("\n# allocfuzz ops v1\n", 1, "missing first line '# allocfuzz ops v1'");
  expect_error(" # allocfuzz ops v1\n", 1, "missing first line '# allocfuzz ops v1'");
}

TEST(OpsTextErrorTest, WrongFirstLine) {
  expect_error("# allocfuzz ops v2\n", 1,
               "wrong first line '# allocfuzz ops v2' (expected '# allocfuzz ops v1')");
  expect_error("# allocfuzz ops v1 \n", 1,
               "wrong first line '# allocfuzz ops v1 ' (expected '# allocfuzz ops v1')");
}

TEST(OpsTextErrorTest, UnknownOperation) {
  expect_error(ops("malloc s0 8\n\nmallco s1 8\n"), 4, "unknown operation 'mallco'");
  expect_error(ops("MALLOC s0 8\n"), 2, "unknown operation 'MALLOC'");
  expect_error(ops("s0 malloc 8\n"), 2, "unknown operation 's0'");
}

TEST(OpsTextErrorTest, BadSlot) {
  expect_error(ops("free s1024\n"), 2, "bad slot 's1024' (slots are s0..s1023)");
  expect_error(ops("free 3\n"), 2, "bad slot '3' (slots are s0..s1023)");
  expect_error(ops("free s\n"), 2, "bad slot 's' (slots are s0..s1023)");
  expect_error(ops("free s-1\n"), 2, "bad slot 's-1' (slots are s0..s1023)");
  expect_error(ops("free s0x1\n"), 2, "bad slot 's0x1' (slots are s0..s1023)");
  expect_error(ops("free s99999999999999999999999\n"), 2,
               "bad slot 's99999999999999999999999' (slots are s0..s1023)");
}

TEST(OpsTextErrorTest, SizeDoesNotFit) {
  expect_error(ops("malloc s0 99999999999999999999\n"), 2,
               "size '99999999999999999999' does not fit in 64 bits");
  expect_error(ops("malloc s0 18446744073709551616\n"), 2,
               "size '18446744073709551616' does not fit in 64 bits");
  expect_error(ops("foreign-grow 0x10000000000000000\n"), 2,
               "size '0x10000000000000000' does not fit in 64 bits");
  expect_error(ops("calloc s0 1 0x1ffffffffffffffff\n"), 2,
               "size '0x1ffffffffffffffff' does not fit in 64 bits");
}

TEST(OpsTextErrorTest, NotANumber) {
  expect_error(ops("malloc s0 12ab\n"), 2, "size '12ab' is not a number");
  expect_error(ops("malloc s0 -1\n"), 2, "size '-1' is not a number");
  expect_error(ops("malloc s0 +1\n"), 2, "size '+1' is not a number");
  expect_error(ops("malloc s0 0x\n"), 2, "size '0x' is not a number");
  expect_error(ops("malloc s0 0xg\n"), 2, "size '0xg' is not a number");
  expect_error(ops("malloc s0 0X10\n"), 2, "size '0X10' is not a number");
  expect_error(ops("fail-grow many\n"), 2, "count 'many' is not a number");
}

TEST(OpsTextErrorTest, MissingOperand) {
  expect_error(ops("malloc s0\n"), 2, "malloc needs 2 operands (slot, size)");
  expect_error(ops("malloc\n"), 2, "malloc needs 2 operands (slot, size)");
  expect_error(ops("calloc s1 3   # one short\n"), 2,
               "calloc needs 3 operands (slot, count, size)");
  expect_error(ops("realloc s1\n"), 2, "realloc needs 2 operands (slot, size)");
  expect_error(ops("free\n"), 2, "free needs 1 operand (slot)");
  expect_error(ops("fill\t\n"), 2, "fill needs 1 operand (slot)");
  expect_error(ops("foreign-grow\n"), 2, "foreign-grow needs 1 operand (size)");
  expect_error(ops("fail-grow\n"), 2, "fail-grow needs 1 operand (count)");
}

TEST(OpsTextErrorTest, ExtraOperand) {
  expect_error(ops("malloc s0 8 7\n"), 2, "extra operand '7'");
  expect_error(ops("check now\n"), 2, "extra operand 'now'");
  expect_error(ops("foreign-release s0\n"), 2, "extra operand 's0'");
  expect_error(ops("free s0 s1 # two\n"), 2, "extra operand 's1'");
}

TEST(OpsTextErrorTest, FailGrowCountAbove255) {
  expect_error(ops("fail-grow 300\n"), 2, "fail-grow count 300 is above 255");
  expect_error(ops("fail-grow 0x100\n"), 2, "fail-grow count 256 is above 255");
  expect_error(ops("fail-grow 18446744073709551616\n"), 2,
               "count '18446744073709551616' does not fit in 64 bits");
}

TEST(OpsTextErrorTest, UnknownRegion) {
  expect_error(ops("# region: mid\n"), 2, "unknown region 'mid' (high or low)");
  expect_error(ops("# region: LOW\n"), 2, "unknown region 'LOW' (high or low)");
}

TEST(OpsTextErrorTest, RepeatedHeader) {
  expect_error(ops("# expect: ok\n# heap: x\n# expect: ok\n"), 4, "header 'expect' repeated");
  expect_error(ops("# region: low\n# region: low\n"), 3, "header 'region' repeated");
  expect_error(ops("# limit: 1\n#limit: 2\n"), 3, "header 'limit' repeated");
  expect_error(ops("# diff: all\n# expect: ok\n# diff: kr glibc\n"), 4, "header 'diff' repeated");
}

TEST(OpsTextErrorTest, HeaderWithoutValue) {
  expect_error(ops("# heap:\n"), 2, "header 'heap' needs a value (NAME)");
  expect_error(ops("# defect:   # none\n"), 2, "header 'defect' needs a value (NAME)");
  expect_error(ops("# region:\n"), 2, "header 'region' needs a value (high or low)");
  expect_error(ops("# limit:\n"), 2, "header 'limit' needs a value (BYTES)");
  expect_error(ops("# expect:\n"), 2, "header 'expect' needs a value (ok or violation KIND)");
  expect_error(ops("# diff:\n"), 2, "header 'diff' needs a value (all, or two or more heap NAMEs)");
  expect_error(ops("# region: low\n#diff: \t # which?\n"), 3,
               "header 'diff' needs a value (all, or two or more heap NAMEs)");
}

TEST(OpsTextErrorTest, ExtraHeaderValue) {
  expect_error(ops("# region: low high\n"), 2, "extra value 'high' in header 'region'");
  expect_error(ops("# expect: ok fine\n"), 2, "extra value 'fine' in header 'expect'");
  expect_error(ops("# expect: violation overlap twice\n"), 2,
               "extra value 'twice' in header 'expect'");
  expect_error(ops("# heap: free array\n"), 2, "extra value 'array' in header 'heap'");
}

TEST(OpsTextErrorTest, BadExpectation) {
  expect_error(ops("# expect: violation\n"), 2,
               "'# expect: violation' needs a kind, e.g. 'violation overlap'");
  expect_error(ops("# expect: violation   # which?\n"), 2,
               "'# expect: violation' needs a kind, e.g. 'violation overlap'");
  expect_error(ops("# expect: crash\n"), 2, "bad expectation 'crash' (ok or violation KIND)");
  expect_error(ops("# expect: OK\n"), 2, "bad expectation 'OK' (ok or violation KIND)");
}

TEST(OpsTextErrorTest, BadDiff) {
  // One name only.
  expect_error(ops("# diff: kr\n"), 2, "'# diff:' needs all, or two or more heap names");
  expect_error(ops("# expect: ok\n\n# diff: glibc   # and?\nmalloc s0 8\n"), 4,
               "'# diff:' needs all, or two or more heap names");
  // A name twice, `all` included.
  expect_error(ops("# diff: kr glibc kr\n"), 2, "heap 'kr' named twice in '# diff:'");
  expect_error(ops("# diff: glibc\tglibc\n"), 2, "heap 'glibc' named twice in '# diff:'");
  expect_error(ops("# diff: all all\n"), 2, "heap 'all' named twice in '# diff:'");
  // `all` beside other names, wherever it stands.
  expect_error(ops("# diff: all kr\n"), 2, "'# diff: all' takes no other names");
  expect_error(ops("# diff: kr glibc all\n"), 2, "'# diff: all' takes no other names");
  expect_error(ops("# region: high\n# diff: kr all glibc\n"), 3,
               "'# diff: all' takes no other names");
  // Names are printable ASCII, as in '# heap:'.
  expect_error(ops("# diff: kr h\xc3\xa9\n"), 2,
               "bad heap name 'h\\xc3\\xa9' (printable ASCII only)");
}

TEST(OpsTextErrorTest, BadLimit) {
  expect_error(ops("# limit: 1MiB\n"), 2, "limit '1MiB' is not a number");
  expect_error(ops("# limit: 0x10000000000000000\n"), 2,
               "limit '0x10000000000000000' does not fit in 64 bits");
}

TEST(OpsTextErrorTest, NonAsciiName) {
  expect_error(ops("# heap: h\xc3\xa9\n"), 2, "bad heap name 'h\\xc3\\xa9' (printable ASCII only)");
  expect_error(ops("# defect: \x80\n"), 2, "bad defect name '\\x80' (printable ASCII only)");
  expect_error(ops("# expect: violation \xff\n"), 2,
               "bad violation kind '\\xff' (printable ASCII only)");
}

TEST(OpsTextErrorTest, TooManyOperations) {
  std::string text = ops("");
  for (size_t i = 0; i < kMaxOps; ++i) text += "check\n";
  ParseResult result = parse_ops_text(text);
  ASSERT_FALSE(result.error.has_value()) << result.error->message;
  EXPECT_EQ(result.program.ops.size(), kMaxOps);
  text += "# still fine\n\ncheck\n";
  expect_error(text, kMaxOps + 4, "more than 100000 operations");
}

TEST(OpsTextErrorTest, BinaryJunk) {
  expect_error(ops(std::string{"malloc s0 8\0", 12}), 2, "bad byte 0x00 (not text)");
  expect_error(ops(std::string{"# a comment \0 too\n", 18}), 2, "bad byte 0x00 (not text)");
  expect_error(ops("check\rcheck\n"), 2, "bad byte 0x0d (not text)");
  expect_error(ops("check\r\r\n"), 2, "bad byte 0x0d (not text)");
  expect_error(ops("\x7f\n"), 2, "bad byte 0x7f (not text)");
  expect_error(ops("check\n\x1b[31m\n"), 3, "bad byte 0x1b (not text)");
  expect_error(std::string{"\0\0\0\0", 4}, 1, "missing first line '# allocfuzz ops v1'");
  // Bytes >= 0x80 outside comments are never part of a valid token; the message escapes them.
  expect_error(ops("mall\xc3\xb6\x63 s0 8\n"), 2, "unknown operation 'mall\\xc3\\xb6c'");
}

TEST(OpsTextErrorTest, LongTokensAreCutInMessages) {
  const std::string name(10000, 'x');
  expect_error(ops(name + "\n"), 2, "unknown operation '" + std::string(40, 'x') + "...'");
}

// --- Accepted text. ------------------------------------------------------------------------

TEST(OpsTextTest, EveryOperation) {
  const Program program =
      parse_ok(ops("malloc s0 24\n"
                   "calloc s1 3 8\n"
                   "realloc s1023 4096\n"
                   "free s0\n"
                   "fill s1\n"
                   "check\n"
                   "foreign-grow 65536\n"
                   "foreign-release\n"
                   "fail-grow 255\n"
                   "memalign s2 64 100\n"
                   "aligned_alloc s3 24 0\n"
                   "posix_memalign s4 0x1000 18446744073709551615\n"
                   "free_sized s2\n"
                   "free_aligned_sized s3\n"
                   "usable s4\n"));
  const std::vector<Op> expected = {
      make_op(OpKind::kMalloc, 0, 24),
      make_op(OpKind::kCalloc, 1, 3, 8),
      make_op(OpKind::kRealloc, 1023, 4096),
      make_op(OpKind::kFree, 0),
      make_op(OpKind::kFill, 1),
      make_op(OpKind::kCheck),
      make_op(OpKind::kForeignGrow, 0, 65536),
      make_op(OpKind::kForeignRelease),
      make_op(OpKind::kFailGrow, 0, 255),
      make_op(OpKind::kMemalign, 2, 64, 100),
      make_op(OpKind::kAlignedAlloc, 3, 24, 0),
      make_op(OpKind::kPosixMemalign, 4, 4096, kU64Max),
      make_op(OpKind::kFreeSized, 2),
      make_op(OpKind::kFreeAlignedSized, 3),
      make_op(OpKind::kUsable, 4),
  };
  EXPECT_EQ(program.ops, expected);
  EXPECT_EQ(program.header, ProgramHeader{});

  std::set<OpKind> kinds;
  for (const Op& op : program.ops) kinds.insert(op.kind);
  EXPECT_EQ(kinds.size(), kOpCount) << "a row of kOps is not covered by this test";

  EXPECT_EQ(print_ops_text(program), ops("malloc s0 24\n"
                                         "calloc s1 3 8\n"
                                         "realloc s1023 4096\n"
                                         "free s0\n"
                                         "fill s1\n"
                                         "check\n"
                                         "foreign-grow 65536\n"
                                         "foreign-release\n"
                                         "fail-grow 255\n"
                                         "memalign s2 64 100\n"
                                         "aligned_alloc s3 24 0\n"
                                         "posix_memalign s4 4096 18446744073709551615\n"
                                         "free_sized s2\n"
                                         "free_aligned_sized s3\n"
                                         "usable s4\n"));
}

TEST(OpsTextTest, FormatOp) {
  EXPECT_EQ(format_op(make_op(OpKind::kCalloc, 1, 3, 8)), "calloc s1 3 8");
  EXPECT_EQ(format_op(make_op(OpKind::kMalloc, 7, kU64Max)), "malloc s7 18446744073709551615");
  EXPECT_EQ(format_op(make_op(OpKind::kCheck)), "check");
  EXPECT_EQ(format_op(make_op(OpKind::kFailGrow, 0, 3)), "fail-grow 3");
  EXPECT_EQ(format_op(make_op(OpKind::kForeignRelease)), "foreign-release");
}

TEST(OpsTextTest, EveryHeader) {
  const Program program =
      parse_ok(ops("# region: low\n"
                   "# limit: 1048576\n"
                   "# heap: other-heap\n"
                   "# defect: addr32\n"
                   "# expect: violation heap-invariant:free-tag\n"));
  ProgramHeader expected;
  expected.placement = Placement::kLow;
  expected.limit = 1048576;
  expected.heap = "other-heap";
  expected.defect = "addr32";
  expected.expect = Expectation{true, "heap-invariant:free-tag"};
  EXPECT_EQ(program.header, expected);
  EXPECT_TRUE(program.ops.empty());

  EXPECT_EQ(parse_ok(ops("# expect: ok\n")).header.expect, (Expectation{false, ""}));
  EXPECT_EQ(parse_ok(ops("# expect: violation crash:SIGSEGV\n")).header.expect,
            (Expectation{true, "crash:SIGSEGV"}));
  EXPECT_EQ(parse_ok(ops("# region: high\n")).header.placement, Placement::kHigh);
  EXPECT_EQ(parse_ok(ops("# limit: 0\n")).header.limit, uint64_t{0});
}

TEST(OpsTextTest, HeadersInAnyOrderPrintInCanonicalOrder) {
  const Program program =
      parse_ok(ops("# expect: violation overlap\n"
                   "# defect: small-grow\n"
                   "# heap: free-array\n"
                   "# limit: 0x1000\n"
                   "# region: low\n"
                   "malloc s0 1\n"));
  EXPECT_EQ(print_ops_text(program), ops("# region: low\n"
                                         "# limit: 4096\n"
                                         "# defect: small-grow\n"
                                         "# expect: violation overlap\n"
                                         "malloc s0 1\n"));
}

TEST(OpsTextTest, DiffHeader) {
  using Names = std::vector<std::string>;
  EXPECT_EQ(parse_ok(ops("# diff: all\n")).header.diff, Names{"all"});
  EXPECT_EQ(parse_ok(ops("# diff: free-array glibc\n")).header.diff,
            (Names{"free-array", "glibc"}));
  // Blanks and tabs anywhere, a trailing comment; the names keep their order.
  EXPECT_EQ(parse_ok(ops("\t#diff:\tkr   glibc\tfree-array  # three heaps\n")).header.diff,
            (Names{"kr", "glibc", "free-array"}));
  // The registry is not asked here (as with '# heap:'); 'all' is special only when exact.
  EXPECT_EQ(parse_ok(ops("# diff: All all-heaps no-such-heap\n")).header.diff,
            (Names{"All", "all-heaps", "no-such-heap"}));
  // The other headers are untouched; without '# diff:' the list is empty.
  const Program program = parse_ok(ops("# diff: kr glibc\nmalloc s0 8\n"));
  ProgramHeader expected;
  expected.diff = {"kr", "glibc"};
  EXPECT_EQ(program.header, expected);
  EXPECT_TRUE(parse_ok(ops("# heap: kr\n")).header.diff.empty());
}

TEST(OpsTextTest, DiffHeaderRoundTrip) {
  // Accepted forms, the canonical text each prints as, and parse(print) == parse.
  const std::pair<std::string, std::string> kForms[] = {
      {"# diff: all\n", "# diff: all\n"},
      {"#diff:all   # every heap\n", "# diff: all\n"},
      {"# diff: free-array glibc\n", "# diff: free-array glibc\n"},
      {"#  diff:\tkr\t\tglibc   free-array\n", "# diff: kr glibc free-array\n"},
      {"# diff: glibc free-array # a comment\n", "# diff: glibc free-array\n"},
  };
  for (const auto& [form, canonical] : kForms) {
    const Program program = parse_ok(ops(form + "malloc s0 0\n"));
    const std::string text = print_ops_text(program);
    EXPECT_EQ(text, ops(canonical + "malloc s0 0\n")) << form;
    EXPECT_EQ(parse_ok(text), program) << form;
    EXPECT_EQ(print_ops_text(parse_ok(text)), text) << form;
  }
}

TEST(OpsTextTest, DiffHeaderPrintsAfterDefectBeforeExpect) {
  const Program program =
      parse_ok(ops("# expect: violation divergence:errno\n"
                   "# diff: kr glibc\n"
                   "# defect: addr32\n"
                   "# heap: other-heap\n"
                   "# limit: 0x10\n"
                   "# region: low\n"
                   "malloc s0 1\n"));
  const std::string text = print_ops_text(program);
  EXPECT_EQ(text, ops("# region: low\n"
                      "# limit: 16\n"
                      "# heap: other-heap\n"
                      "# defect: addr32\n"
                      "# diff: kr glibc\n"
                      "# expect: violation divergence:errno\n"
                      "malloc s0 1\n"));
  EXPECT_EQ(parse_ok(text), program);
  // '# diff:' alone, and beside '# expect:' only.
  Program diff_only;
  diff_only.header.diff = {"all"};
  EXPECT_EQ(print_ops_text(diff_only), ops("# diff: all\n"));
  diff_only.header.expect = Expectation{false, ""};
  EXPECT_EQ(print_ops_text(diff_only), ops("# diff: all\n# expect: ok\n"));
}

TEST(OpsTextTest, DiffLinesThatAreComments) {
  // Another case, no ':', or after the first operation: comments, never errors.
  const Program program =
      parse_ok(ops("# Diff: kr\n"
                   "# diff kr\n"
                   "# diffs: kr\n"
                   "check\n"
                   "# diff: kr\n"
                   "# diff: all kr\n"));
  EXPECT_EQ(program.header, ProgramHeader{});
  EXPECT_EQ(program.ops, std::vector<Op>{make_op(OpKind::kCheck)});
}

TEST(OpsTextTest, HeaderSpelling) {
  // Blanks between '#' and the key and after ':' are free; a trailing comment is allowed.
  const Program program =
      parse_ok(ops("#region:low\n"
                   "\t#   limit:\t8   # the break stops here\n"
                   "  # expect:  ok\n"));
  EXPECT_EQ(program.header.placement, Placement::kLow);
  EXPECT_EQ(program.header.limit, uint64_t{8});
  EXPECT_EQ(program.header.expect, (Expectation{false, ""}));
}

TEST(OpsTextTest, NotHeadersAreComments) {
  // Unknown keys, a key without ':', other case: comments. After the first operation, header
  // lines are comments too (so they may repeat and need not be valid).
  const Program program =
      parse_ok(ops("# Region: mid\n"
                   "# region low\n"
                   "# regions: mid\n"
                   "# expectation: whatever\n"
                   "#\n"
                   "check\n"
                   "# region: mid\n"
                   "# expect: violation\n"
                   "# expect: ok\n"));
  EXPECT_EQ(program.header, ProgramHeader{});
  EXPECT_EQ(program.ops, std::vector<Op>{make_op(OpKind::kCheck)});
}

TEST(OpsTextTest, CommentsBlankLinesTabs) {
  const Program program =
      parse_ok(ops("\n"
                   "# a comment line\n"
                   "   \t  \n"
                   "\tmalloc\ts0\t\t24   # trailing comment\n"
                   "  calloc  s1  3  8#no space before\n"
                   "free s0 # caf\xc3\xa9: non-ASCII in comments is fine\n"
                   "check#\n"
                   "\n"));
  const std::vector<Op> expected = {make_op(OpKind::kMalloc, 0, 24),
                                    make_op(OpKind::kCalloc, 1, 3, 8), make_op(OpKind::kFree, 0),
                                    make_op(OpKind::kCheck)};
  EXPECT_EQ(program.ops, expected);
}

TEST(OpsTextTest, CrlfLineEndings) {
  const Program program =
      parse_ok("# allocfuzz ops v1\r\n# region: low\r\n\r\nmalloc s0 8\r\nfree s0\r\ncheck\r");
  EXPECT_EQ(program.header.placement, Placement::kLow);
  const std::vector<Op> expected = {make_op(OpKind::kMalloc, 0, 8), make_op(OpKind::kFree, 0),
                                    make_op(OpKind::kCheck)};
  EXPECT_EQ(program.ops, expected);
  expect_error("# allocfuzz ops v1\r\nmallco s0 8\r\n", 2, "unknown operation 'mallco'");
}

TEST(OpsTextTest, NoFinalNewline) {
  EXPECT_EQ(parse_ok("# allocfuzz ops v1").ops.size(), 0u);
  EXPECT_EQ(parse_ok(ops("free s3")).ops, std::vector<Op>{make_op(OpKind::kFree, 3)});
}

TEST(OpsTextTest, Numbers) {
  const Program program =
      parse_ok(ops("malloc s0 0x10\n"
                   "malloc s1 0xFFFFFFFFFFFFFFFF\n"
                   "malloc s2 18446744073709551615\n"
                   "malloc s3 0x00000000000000000000001\n"
                   "malloc s4 000000000000000000000000042\n"
                   "malloc s005 0\n"
                   "fail-grow 0xff\n"
                   "calloc s6 0xaBc 0\n"));
  const std::vector<Op> expected = {
      make_op(OpKind::kMalloc, 0, 16),      make_op(OpKind::kMalloc, 1, kU64Max),
      make_op(OpKind::kMalloc, 2, kU64Max), make_op(OpKind::kMalloc, 3, 1),
      make_op(OpKind::kMalloc, 4, 42),      make_op(OpKind::kMalloc, 5, 0),
      make_op(OpKind::kFailGrow, 0, 255),   make_op(OpKind::kCalloc, 6, 0xabc, 0),
  };
  EXPECT_EQ(program.ops, expected);
}

TEST(OpsTextTest, ExactCanonicalText) {
  const Program program = parse_ok(
      "# allocfuzz ops v1\n"
      "# A regression case, as a person might write it.\n"
      "# expect: violation heap-invariant:free-tag\n"
      "#region: low\n"
      "\n"
      "malloc  s0   0x18      # 24\n"
      "calloc\ts1\t3\t8\n"
      "\n"
      "free s0\n"
      "fail-grow 2\n"
      "foreign-grow 0x1000\n"
      "realloc s1 100\n"
      "foreign-release\n"
      "fill s1\n"
      "check\n");
  EXPECT_EQ(print_ops_text(program),
            "# allocfuzz ops v1\n"
            "# region: low\n"
            "# expect: violation heap-invariant:free-tag\n"
            "malloc s0 24\n"
            "calloc s1 3 8\n"
            "free s0\n"
            "fail-grow 2\n"
            "foreign-grow 4096\n"
            "realloc s1 100\n"
            "foreign-release\n"
            "fill s1\n"
            "check\n");
}

TEST(OpsTextTest, EmptyProgramPrintsFirstLineOnly) {
  EXPECT_EQ(print_ops_text(Program{}), "# allocfuzz ops v1\n");
  EXPECT_EQ(parse_ok("# allocfuzz ops v1\n"), Program{});
}

// --- Round trip over generated programs. ---------------------------------------------------

uint64_t random_size(std::mt19937_64& rng) {
  static constexpr uint64_t kEdges[] = {
      0, 1, 7, 8, 9, 15, 16, 17, 4088, 4096, 4104, uint64_t{1} << 32, kU64Max - 16, kU64Max};
  switch (rng() % 3) {
    case 0:
      return kEdges[rng() % (sizeof kEdges / sizeof kEdges[0])];
    case 1:
      return rng() % 1024;
    default:
      return rng();
  }
}

Program random_program(std::mt19937_64& rng) {
  static const char* const kHeaps[] = {"free-array", "other-heap"};
  static const char* const kDefects[] = {"", "addr32", "shared-break", "stale-largest"};
  static const std::vector<std::string> kDiffs[] = {
      {}, {"all"}, {"free-array", "glibc"}, {"kr", "glibc", "free-array"}};
  static const char* const kKinds[] = {"overlap", "heap-invariant:free-tag", "crash:SIGSEGV",
                                       "content-corrupted"};
  Program program;
  ProgramHeader& header = program.header;
  header.placement = rng() % 2 ? Placement::kLow : Placement::kHigh;
  if (rng() % 2) header.limit = random_size(rng);
  header.heap = kHeaps[rng() % 2];
  header.defect = kDefects[rng() % 4];
  header.diff = kDiffs[rng() % 4];
  switch (rng() % 3) {
    case 0:
      break;
    case 1:
      header.expect = Expectation{false, ""};
      break;
    default:
      header.expect = Expectation{true, kKinds[rng() % 4]};
      break;
  }
  const size_t count = rng() % 40;
  for (size_t i = 0; i < count; ++i) {
    const OpInfo& info = kOps[rng() % kOpCount];
    Op op;
    op.kind = info.kind;
    if (info.has_slot) op.slot = static_cast<uint32_t>(rng() % kMaxSlots);
    for (size_t a = 0; a < 2; ++a) {
      if (info.args[a] == Arg::kSize) op.args[a] = random_size(rng);
      if (info.args[a] == Arg::kCount) op.args[a] = rng() % (kMaxFailGrow + 1);
    }
    program.ops.push_back(op);
  }
  return program;
}

TEST(OpsTextTest, RoundTripGeneratedPrograms) {
  std::mt19937_64 rng(20240611);
  std::set<OpKind> kinds_seen;
  unsigned headers_seen = 0;
  for (int i = 0; i < 500; ++i) {
    const Program program = random_program(rng);
    for (const Op& op : program.ops) kinds_seen.insert(op.kind);
    headers_seen |= (program.header.placement == Placement::kLow ? 1u : 0u) |
                    (program.header.limit ? 2u : 0u) |
                    (program.header.heap != kDefaultHeap ? 4u : 0u) |
                    (!program.header.defect.empty() ? 8u : 0u) |
                    (program.header.expect && program.header.expect->violation ? 16u : 0u) |
                    (program.header.expect && !program.header.expect->violation ? 32u : 0u) |
                    (!program.header.diff.empty() ? 64u : 0u);

    const std::string text = print_ops_text(program);
    ParseResult parsed = parse_ops_text(text);
    ASSERT_FALSE(parsed.error.has_value())
        << "line " << parsed.error->line << ": " << parsed.error->message << "\n"
        << text;
    ASSERT_EQ(parsed.program, program) << text;
    ASSERT_EQ(print_ops_text(parsed.program), text);
  }
  EXPECT_EQ(kinds_seen.size(), kOpCount);
  EXPECT_EQ(headers_seen, 127u);
}

}  // namespace
}  // namespace allocfuzz
