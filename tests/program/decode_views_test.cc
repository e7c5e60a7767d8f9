// Tests of what the one decoder (decode_binary) hands to the fuzz targets and the command line
// alike (FORMAT.md, "End of input", "Families", "Repeat"):
// - every prefix of a program's bytes decodes, never fails, and is the program's whole items
//   before the cut, with the cut reported where its item began and described in one line;
// - families left out are skipped in decoding, counted, and kept in the header; the text
//   parser refuses an operation of a left-out family at its line;
// - the repeat form expands in both spellings, and encode/decode and parse/print are fixed
//   points around it;
// - the repro case that uses it grows FreeArrayHeap's free array to four pages.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/program/binary_codec.h"
#include "fuzz/program/families.h"
#include "fuzz/program/opcodes.h"
#include "fuzz/program/ops.h"
#include "fuzz/program/ops_text.h"

namespace allocfuzz::testing {
namespace {

using Bytes = std::vector<uint8_t>;

Program parse(const std::string& body) {
  ParseResult parsed = parse_ops_text(std::string(kOpsFirstLine) + "\n" + body);
  EXPECT_FALSE(parsed.error) << parsed.error->line << ": " << parsed.error->message;
  return parsed.program;
}

struct Decoded {
  Program program;
  DecodeStatus status;
};

Decoded decode(const Bytes& bytes, FamilySet left_out = 0) {
  Decoded d;
  d.status = decode_binary(bytes.data(), bytes.size(), &d.program, DecodeOptions{left_out});
  return d;
}

// The byte offset where each operation's bytes begin in `program`'s canonical encoding (one
// operation at a time, so without repeats), and the offset after the last.
std::vector<size_t> op_starts(const Program& program, size_t* header_end) {
  Program header_only = program;
  header_only.ops.clear();
  *header_end = encode_binary(header_only).size();
  std::vector<size_t> starts;
  size_t at = *header_end;
  for (const Op& op : program.ops) {
    starts.push_back(at);
    Program one;
    one.ops = {op};
    at += encode_binary(one).size() - 1;  // without the config byte
  }
  starts.push_back(at);
  return starts;
}

// --- Every prefix decodes -------------------------------------------------------------------

TEST(DecodeViews, EveryPrefixIsTheWholeItemsBeforeTheCut) {
  const char* programs[] = {
      "malloc s0 24\ncalloc s1 3 8\nrealloc s0 4096\nfree s1\nfill s0\ncheck\n",
      "# region: low\n# limit: 1048576\nmalloc s15 300\nmalloc s1023 18446744073709551615\n",
      "foreign-grow 12345\nforeign-release\nfail-grow 255\ncalloc s900 9223372036854775809 2\n",
  };
  for (const char* text : programs) {
    const Program program = parse(text);
    const Bytes bytes = encode_binary(program);
    size_t header_end = 0;
    const std::vector<size_t> starts = op_starts(program, &header_end);
    ASSERT_EQ(starts.back(), bytes.size()) << text;
    for (size_t n = 0; n <= bytes.size(); ++n) {
      const Decoded d = decode(Bytes(bytes.begin(), bytes.begin() + n));
      // Whole operations: those whose bytes end by n.
      size_t whole = 0;
      while (whole < program.ops.size() && starts[whole + 1] <= n) ++whole;
      const bool cut = n == 0 ? false : n < header_end ? true : n != starts[whole];
      SCOPED_TRACE(std::string(text) + " prefix " + std::to_string(n));
      EXPECT_EQ(d.status.truncated, cut);
      if (n < header_end) {
        EXPECT_TRUE(d.program.ops.empty());
        EXPECT_FALSE(d.program.header.limit);
        if (cut) EXPECT_STREQ(d.status.cut, "limit");
      } else {
        EXPECT_EQ(d.program.ops, std::vector<Op>(program.ops.begin(), program.ops.begin() + whole));
        EXPECT_EQ(d.program.header.limit, program.header.limit);
        if (cut) {
          EXPECT_EQ(d.status.truncated_at, starts[whole]);
          EXPECT_STREQ(d.status.cut, op_info(program.ops[whole].kind).name);
        }
      }
      EXPECT_EQ(describe_truncation(d.status, n).empty(), !d.status.truncated);
    }
  }
}

TEST(DecodeViews, TheTruncationLineSaysWhatWasDropped) {
  Decoded d = decode({0x00, 0x00, 0x01, 0x00});
  EXPECT_EQ(describe_truncation(d.status, 4),
            "byte 3 is an incomplete last operation (malloc), dropped as the fuzzer drops it");
  d = decode({0x00, 0x04, 0xFF, 0x80});  // calloc s0 with a varint count that never ends
  EXPECT_EQ(describe_truncation(d.status, 4),
            "bytes 1..3 are an incomplete last operation (calloc), dropped as the fuzzer drops "
            "them");
  d = decode({0x02, 0x80, 0x80});
  EXPECT_EQ(describe_truncation(d.status, 3),
            "bytes 1..2 are an incomplete limit, dropped as the fuzzer drops it (no limit)");
  d = decode({0x02});
  EXPECT_EQ(describe_truncation(d.status, 1),
            "the limit that byte 0 announces is missing, dropped as the fuzzer drops it (no "
            "limit)");
  d = decode({0x00, 0x0C, kEscapeCanonical});
  EXPECT_EQ(describe_truncation(d.status, 3),
            "byte 2 is an incomplete last operation (extended operation), dropped as the "
            "fuzzer drops it");
  d = decode({0x00, kEscapeCanonical, kRepeatExtended, 0x40});
  EXPECT_EQ(describe_truncation(d.status, 4),
            "bytes 1..3 are an incomplete last operation (repeat), dropped as the fuzzer drops "
            "them");
  d = decode({0x00, kEscapeCanonical, kRepeatExtended, 0x40, 0x01, 0x00});  // malloc, no size
  EXPECT_STREQ(d.status.cut, "repeat");
  EXPECT_EQ(d.status.truncated_at, 1u);
  EXPECT_TRUE(d.program.ops.empty());
  EXPECT_EQ(describe_truncation(decode({0x00, 0x0C}).status, 2), "");
}

// --- Families -------------------------------------------------------------------------------

TEST(DecodeViews, EveryOperationHasAFamilyAndEveryFamilyAnOperation) {
  for (const FamilyInfo& family : kFamilies) {
    bool used = false;
    for (const OpInfo& info : kOps) used = used || info.family == family.family;
    EXPECT_TRUE(used) << family.name;
    EXPECT_EQ(family_by_name(family.name), family.family);
  }
  EXPECT_EQ(family_of(OpKind::kForeignGrow), Family::kForeign);
  EXPECT_EQ(family_of(OpKind::kForeignRelease), Family::kForeign);
  EXPECT_EQ(family_of(OpKind::kFailGrow), Family::kFailGrow);
  EXPECT_EQ(family_of(OpKind::kCalloc), Family::kApi);
}

TEST(DecodeViews, FamilyListsParseAndPrintInTableOrder) {
  FamilySet set = 0;
  std::string error;
  ASSERT_TRUE(parse_family_list("-fail-grow,-foreign", &set, &error)) << error;
  EXPECT_EQ(set, family_bit(Family::kFailGrow) | family_bit(Family::kForeign));
  EXPECT_EQ(format_family_list(set), "-foreign,-fail-grow");
  ASSERT_TRUE(parse_family_list("all", &set, &error));
  EXPECT_EQ(set, 0);
  EXPECT_EQ(format_family_list(0), "all");
  const struct {
    const char* text;
    const char* error;
  } bad[] = {
      {"-nope",
       "unknown operation family 'nope' (families: api, fill, check, foreign, fail-grow, aligned, "
       "sized)"},
      {"foreign",
       "'foreign' must be written -FAMILY: the list names the families to leave out "
       "(or is all)"},
      {"-foreign,-foreign", "operation family 'foreign' is named twice"},
      {"-foreign,",
       "'' must be written -FAMILY: the list names the families to leave out (or "
       "is all)"},
      {"",
       "no operation family to leave out (write all, or -FAMILY,...; families: api, fill, "
       "check, foreign, fail-grow, aligned, sized)"},
  };
  for (const auto& [text, message] : bad) {
    EXPECT_FALSE(parse_family_list(text, &set, &error)) << text;
    EXPECT_EQ(error, message) << text;
  }
}

TEST(DecodeViews, LeftOutFamiliesAreSkippedInDecodingAndKeptInTheHeader) {
  const Program program =
      parse("malloc s0 8\nforeign-grow 4096\nfail-grow 1\nrepeat 40 1 check\nforeign-release\n");
  const Bytes bytes = encode_binary(program);
  const FamilySet left_out = family_bit(Family::kForeign) | family_bit(Family::kCheck);
  const Decoded d = decode(bytes, left_out);
  EXPECT_FALSE(d.status.truncated);
  EXPECT_EQ(d.status.skipped, 42u);
  EXPECT_EQ(d.program.header.left_out, left_out);
  EXPECT_EQ(print_ops_text(d.program),
            "# allocfuzz ops v1\n# ops: -check,-foreign\nmalloc s0 8\nfail-grow 1\n");
  EXPECT_EQ(describe_skipped(d.status, left_out),
            "42 operations of left-out families (-check,-foreign) were skipped, as the fuzzer "
            "skips them");
  EXPECT_EQ(describe_skipped(decode(bytes).status, 0), "");
  // What was decoded this way parses back to itself: the header leaves out what is not there.
  const ParseResult again = parse_ops_text(print_ops_text(d.program));
  ASSERT_FALSE(again.error);
  EXPECT_EQ(again.program, d.program);
}

TEST(DecodeViews, ATextThatUsesALeftOutFamilyIsAnErrorAtItsLine) {
  ParseResult r = parse_ops_text(
      "# allocfuzz ops v1\n# ops: -foreign\nmalloc s0 8\n\n"
      "foreign-release\n");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->line, 5u);
  EXPECT_EQ(r.error->message,
            "'foreign-release' is of family 'foreign', which '# ops:' leaves out (-foreign)");
  ParseOptions options;
  options.left_out = family_bit(Family::kFill);
  options.left_out_by = "--ops";
  r = parse_ops_text("# allocfuzz ops v1\n# ops: -foreign\nmalloc s0 8\nfill s0\n", options);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->line, 4u);
  EXPECT_EQ(r.error->message, "'fill' is of family 'fill', which --ops leaves out (-fill)");
  // The override replaces the header: foreign is allowed again, and the header says -fill.
  r = parse_ops_text("# allocfuzz ops v1\n# ops: -foreign\nforeign-grow 8\n", options);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.program.header.left_out, family_bit(Family::kFill));
  r = parse_ops_text("# allocfuzz ops v1\n# ops: -bogus\n");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->line, 2u);
  EXPECT_EQ(r.error->message,
            "unknown operation family 'bogus' (families: api, fill, check, foreign, fail-grow, "
            "aligned, sized)");
}

// --- Repeat ---------------------------------------------------------------------------------

TEST(DecodeViews, RepeatExpandsWithTheSlotAdvancingByItsStep) {
  const Program p = parse("repeat 3 2 malloc s1022 8\nrepeat 2 0 fail-grow 1\n");
  const std::vector<Op> want = {
      {OpKind::kMalloc, 1022, {8, 0}}, {OpKind::kMalloc, 0, {8, 0}},  // 1024 wraps to s0
      {OpKind::kMalloc, 2, {8, 0}},    {OpKind::kFailGrow, 0, {1, 0}},
      {OpKind::kFailGrow, 0, {1, 0}},
  };
  EXPECT_EQ(p.ops, want);
  // Binary: escape, 0xFF, count 3, step 2, then the operation.
  const Decoded d = decode({0x00, kEscapeCanonical, kRepeatExtended, 0x03, 0x02, 0xF0, 0xEF, 0x07,
                            0x08, 0xFC, 0xFF, 0x02, 0x00, 0x0F, 0x01});
  EXPECT_FALSE(d.status.truncated);
  EXPECT_EQ(d.program.ops, want);
}

TEST(DecodeViews, RepeatCountsAreCappedAndARepeatOfARepeatIsNothing) {
  // Count 2^14 is taken as 1024.
  Decoded d = decode({0x00, kEscapeCanonical, kRepeatExtended, 0x80, 0x80, 0x01, 0x00, 0x0C});
  EXPECT_EQ(d.program.ops.size(), kMaxRepeat);
  // A repeat of a repeat: the inner escape and 0xFF are nothing and so is the outer repeat;
  // the inner count and step bytes then decode as they are (0x05 is realloc s0, 0x01 its size).
  d = decode({0x00, kEscapeCanonical, kRepeatExtended, 0x05, 0x01, kEscapeCanonical,
              kRepeatExtended, 0x05, 0x01});
  EXPECT_FALSE(d.status.truncated);
  EXPECT_EQ(d.program.ops, (std::vector<Op>{{OpKind::kRealloc, 0, {1, 0}}}));
  // Count 0 is nothing.
  d = decode({0x00, kEscapeCanonical, kRepeatExtended, 0x00, 0x00, 0x0C, 0x0C});
  EXPECT_EQ(d.program.ops, (std::vector<Op>{{OpKind::kCheck, 0, {0, 0}}}));
}

TEST(DecodeViews, RunsOfThirtyTwoOrMoreEncodeAsARepeatAndComeBack) {
  const Program p = parse(
      "repeat 31 1 malloc s0 8\nrepeat 32 3 free s40\nrepeat 1000 1 check\nrepeat 40 1 fill s1\n"
      "malloc s0 8\n");
  const Bytes bytes = encode_binary(p);
  // 31 mallocs stay one by one; 32 frees, 1000 checks and 40 fills are one repeat each.
  size_t repeats = 0;
  for (size_t i = 0; i + 1 < bytes.size(); ++i) {
    repeats += bytes[i] == kEscapeCanonical && bytes[i + 1] == kRepeatExtended;
  }
  EXPECT_EQ(repeats, 3u);
  EXPECT_LT(bytes.size(), 31u * 2 + 40);
  const Decoded d = decode(bytes);
  EXPECT_FALSE(d.status.truncated);
  EXPECT_EQ(d.program, p);
  EXPECT_EQ(encode_binary(d.program), bytes);  // canonical: a fixed point
  // Text: parse, print, parse gives the program; print is flat and a fixed point.
  const std::string printed = print_ops_text(p);
  const ParseResult again = parse_ops_text(printed);
  ASSERT_FALSE(again.error);
  EXPECT_EQ(again.program, p);
  EXPECT_EQ(print_ops_text(again.program), printed);
}

// The repeats of one input expand to kRepeatBudget operations in all: the fifth repeat of 1024
// gets nothing, a plain operation after it still decodes, and the encoder writes a run the
// budget cannot hold operation by operation, so that the bytes still decode to the program.
TEST(DecodeViews, RepeatsShareABudgetAndTheEncoderKeepsToIt) {
  Bytes bytes = {0x00};
  for (int i = 0; i < 5; ++i) {
    const Bytes repeat = {kEscapeCanonical, kRepeatExtended, 0x80, 0x08, 0x01, 0x08};
    bytes.insert(bytes.end(), repeat.begin(), repeat.end());  // repeat 1024 1 free s0
  }
  bytes.push_back(0x0C);
  const Decoded d = decode(bytes);
  ASSERT_EQ(d.program.ops.size(), kRepeatBudget + 1);
  EXPECT_EQ(d.program.ops.back().kind, OpKind::kCheck);
  std::string text;
  for (int i = 0; i < 5; ++i) text += "repeat 1024 1 free s0\n";
  const Program p = parse(text);
  ASSERT_EQ(p.ops.size(), 5 * 1024u);
  const Bytes encoded = encode_binary(p);
  const Decoded back = decode(encoded);
  EXPECT_EQ(back.program, p);
  EXPECT_EQ(encode_binary(back.program), encoded);
  EXPECT_GT(encoded.size(), 1024u);                  // the fifth run is written out
  EXPECT_LT(encoded.size(), 1024u * 3 + 4 * 6 + 2);  // at most 3 bytes per free
}

TEST(DecodeViews, BadRepeatLinesAreErrorsAtTheirLine) {
  const struct {
    const char* line;
    const char* message;
  } bad[] = {
      {"repeat 0 1 malloc s0 8", "repeat count 0 is not in 1..1024"},
      {"repeat 1025 1 malloc s0 8", "repeat count 1025 is not in 1..1024"},
      {"repeat 2 1024 malloc s0 8", "repeat step 1024 is not in 0..1023"},
      {"repeat 2 1", "repeat needs an operation after its step"},
      {"repeat 2", "repeat needs a count, a step and an operation"},
      {"repeat x 1 check", "repeat count 'x' is not a number"},
      {"repeat 2 1 repeat 2 1 check", "a repeat cannot repeat a repeat"},
      {"repeat 2 1 mallok s0 8", "unknown operation 'mallok'"},
  };
  for (const auto& [line, message] : bad) {
    const ParseResult r = parse_ops_text(std::string(kOpsFirstLine) + "\ncheck\n" + line + "\n");
    ASSERT_TRUE(r.error) << line;
    EXPECT_EQ(r.error->line, 3u) << line;
    EXPECT_EQ(r.error->message, message) << line;
  }
  const ParseResult r = parse_ops_text(std::string(kOpsFirstLine) + "\nrepeat 1024 1023 free s5\n");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.program.ops.size(), 1024u);
  EXPECT_EQ(r.program.ops.back().slot, 6u);  // 5 + 1023 * 1023 = 5 + 1 (mod 1024)
}

// --- The four-page case ---------------------------------------------------------------------

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(ALLOCFUZZ_SOURCE_DIR) + "/" + relative, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// repro/cases/free_array_past_four_pages.ops claims its free array grows to 1024 entries (four
// pages), with 600 in use at once. Run its operations straight on the heap and look.
TEST(DecodeViews, TheRepeatCaseGrowsTheFreeArrayToFourPages) {
  const ParseResult parsed =
      parse_ops_text(read_source_file("repro/cases/free_array_past_four_pages.ops"));
  ASSERT_FALSE(parsed.error) << parsed.error->message;
  PseudoBrk region;
  RegionOptions options;
  options.reserve_bytes = size_t{1} << 20;
  ASSERT_EQ(region.init(options), 0);
  FreeArrayHeap heap(region);
  std::vector<void*> slots(kMaxSlots, nullptr);
  size_t most_entries = 0;
  for (const Op& op : parsed.program.ops) {
    void*& p = slots[op.slot];
    switch (op.kind) {
      case OpKind::kMalloc:
        if (p != nullptr) heap.free(p);
        p = heap.malloc(op.args[0]);
        ASSERT_NE(p, nullptr);
        break;
      case OpKind::kRealloc:
        p = heap.realloc(p, op.args[0]);
        ASSERT_NE(p, nullptr);
        break;
      case OpKind::kFree:
        heap.free(p);
        p = nullptr;
        break;
      case OpKind::kCheck:
        break;
      default:
        FAIL() << "the case uses only malloc, realloc, free and check";
    }
    const size_t used = heap.state().length - heap.state().gaps;
    if (used > most_entries) most_entries = used;
  }
  EXPECT_EQ(heap.state().capacity, 1024u);
  EXPECT_GE(most_entries, 599u);
  EXPECT_EQ(heap.array_mapped_bytes(), 1024 * sizeof(layout::FreeEntry));
}

}  // namespace
}  // namespace allocfuzz::testing
