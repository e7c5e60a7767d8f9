// Tests of binary format v2's opcode space (FORMAT.md, "Opcodes" and "Binary v1 → v2"):
// - every opcode byte's meaning is pinned by a table written out here, so a new or edited row
//   of ALLOCFUZZ_OPS cannot silently change what an existing byte decodes to;
// - every operation is a fixed point of encode/decode, in the canonical opcode the table gives;
// - an escape with a reserved extension value decodes, deterministically, to nothing;
// - canonical v1 bytes decode as they did, and the bytes v2 took over (0xFC-0xFF) now escape;
// - fuzz/targets/heap_fuzzer.dict and FORMAT.md's opcode column match the table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/program/binary_codec.h"
#include "fuzz/program/opcodes.h"
#include "fuzz/program/ops.h"
#include "tests/program/format_tables.h"

namespace allocfuzz::testing {
namespace {

using Bytes = std::vector<uint8_t>;

struct Decoded {
  Program program;
  DecodeStatus status;
};

Decoded decode(const Bytes& bytes) {
  Decoded d;
  d.status = decode_binary(bytes.data(), bytes.size(), &d.program);
  return d;
}

Op op(OpKind kind, uint32_t slot = 0, uint64_t a0 = 0, uint64_t a1 = 0) {
  return Op{kind, slot, {a0, a1}};
}

// --- The pinned meaning of every byte --------------------------------------------------------

// Primary value (c & 15) -> operation, as binary v1 and v2 both define it. Never edit a line of
// this table: every corpus depends on it. (A new operation takes extended values, below.)
constexpr OpKind kPinnedPrimary[16] = {
    OpKind::kMalloc, OpKind::kMalloc,      OpKind::kMalloc,         OpKind::kMalloc,    // 0x0-0x3
    OpKind::kCalloc, OpKind::kRealloc,     OpKind::kRealloc,        OpKind::kRealloc,   // 0x4-0x7
    OpKind::kFree,   OpKind::kFree,        OpKind::kFree,           OpKind::kFill,      // 0x8-0xB
    OpKind::kCheck,  OpKind::kForeignGrow, OpKind::kForeignRelease, OpKind::kFailGrow,  // 0xC-0xF
};
constexpr uint8_t kPinnedEscapeFirst = 0xFC;
constexpr uint8_t kPinnedEscapeLast = 0xFF;
// Extended value -> operation. Empty in v2's first version; a new row adds its values here, and
// no line may change once added.
struct PinnedRange {
  uint8_t first;
  uint8_t last;
  OpKind kind;
};
constexpr PinnedRange kPinnedExtendedRanges[] = {
    {0x00, 0x0F, OpKind::kMemalign},         {0x10, 0x1F, OpKind::kAlignedAlloc},
    {0x20, 0x2F, OpKind::kPosixMemalign},    {0x30, 0x3F, OpKind::kFreeSized},
    {0x40, 0x4F, OpKind::kFreeAlignedSized}, {0x50, 0x5F, OpKind::kUsable},
};
const std::map<uint8_t, OpKind> kPinnedExtended = [] {
  std::map<uint8_t, OpKind> pinned;
  for (const PinnedRange& r : kPinnedExtendedRanges) {
    for (unsigned v = r.first; v <= r.last; ++v) pinned[static_cast<uint8_t>(v)] = r.kind;
  }
  return pinned;
}();
// The repeat form's extension value (FORMAT.md, "Repeat"): never an operation's.
constexpr uint8_t kPinnedRepeat = 0xFF;

std::optional<OpKind> pinned_extended(unsigned e) {
  const auto it = kPinnedExtended.find(static_cast<uint8_t>(e));
  if (it == kPinnedExtended.end()) return std::nullopt;
  return it->second;
}

TEST(BinaryFormatV2, TheMapsAreThePinnedTables) {
  for (unsigned v = 0; v < kPrimaryValues; ++v) {
    ASSERT_TRUE(kPrimaryMap[v].has_value()) << v;
    EXPECT_EQ(*kPrimaryMap[v], kPinnedPrimary[v]) << "primary value " << v;
  }
  for (unsigned e = 0; e < kExtendedValues; ++e) {
    EXPECT_EQ(kExtendedMap[e], pinned_extended(e)) << "extended value " << e;
  }
  EXPECT_EQ(kRepeatExtended, kPinnedRepeat);
  EXPECT_EQ(kEscapeFirst, kPinnedEscapeFirst);
  EXPECT_EQ(kEscapeLast, kPinnedEscapeLast);
  for (unsigned c = 0; c < 256; ++c) {
    EXPECT_EQ(is_escape(static_cast<uint8_t>(c)), c >= kPinnedEscapeFirst) << c;
  }
}

// Decoding each of the 256 opcode bytes, followed by enough bytes for any slot-ext and operands,
// gives the pinned operation with the slot the byte says.
TEST(BinaryFormatV2, EveryOpcodeByteDecodesAsPinned) {
  for (unsigned c = 0; c < 256; ++c) {
    if (c >= kPinnedEscapeFirst) continue;  // the escapes: below
    const OpKind kind = kPinnedPrimary[c & 15];
    const bool has_slot = op_info(kind).has_slot;
    // Slot-ext 2, then operands 5 and 6 (each a one-byte size or count), then a marker check.
    const Decoded d = decode({0x00, static_cast<uint8_t>(c), 0x02, 0x05, 0x06, 0x0C});
    ASSERT_FALSE(d.status.truncated) << c;
    ASSERT_FALSE(d.program.ops.empty()) << c;
    const Op& got = d.program.ops[0];
    EXPECT_EQ(got.kind, kind) << "opcode byte " << c;
    const unsigned high = c >> 4;
    EXPECT_EQ(got.slot, !has_slot ? 0u : high < 15 ? high : 15u + 2) << "opcode byte " << c;
  }
}

TEST(BinaryFormatV2, EscapesReadTheExtensionByte) {
  for (unsigned c = kPinnedEscapeFirst; c <= kPinnedEscapeLast; ++c) {
    for (unsigned e = 0; e < kExtendedValues; ++e) {
      const Decoded d =
          decode({0x00, static_cast<uint8_t>(c), static_cast<uint8_t>(e), 0x03, 0x05, 0x06, 0x0C});
      if (e == kPinnedRepeat) continue;  // the repeat form: its own tests
      ASSERT_FALSE(d.status.truncated) << c << " " << e;
      ASSERT_FALSE(d.program.ops.empty());
      const std::optional<OpKind> kind = pinned_extended(e);
      if (!kind) {
        // Reserved: the escape and e are nothing; 0x03 is the next operation (malloc s0 5).
        EXPECT_EQ(d.program.ops[0], op(OpKind::kMalloc, 0, 5)) << c << " " << e;
        continue;
      }
      EXPECT_EQ(d.program.ops[0].kind, *kind);
      EXPECT_EQ(d.program.ops[0].slot, op_info(*kind).has_slot ? 3u : 0u);
    }
  }
}

// --- Reserved extension values ---------------------------------------------------------------

TEST(BinaryFormatV2, ReservedExtensionValuesDecodeToNothingDeterministically) {
  unsigned reserved = 0;
  for (unsigned e = 0; e < kExtendedValues; ++e) {
    if (kExtendedMap[e] || e == kPinnedRepeat) continue;
    ++reserved;
    for (unsigned c = kEscapeFirst; c <= kEscapeLast; ++c) {
      const uint8_t esc = static_cast<uint8_t>(c);
      const uint8_t ext = static_cast<uint8_t>(e);
      // Alone, between operations, and repeated: never truncated, always nothing, and never
      // written back (the canonical bytes have no trace of them).
      const struct {
        Bytes bytes;
        std::vector<Op> ops;
        Bytes canonical;
      } cases[] = {
          {{0x00, esc, ext}, {}, {0x00}},
          {{0x00, 0x38, esc, ext, 0x0C},
           {op(OpKind::kFree, 3), op(OpKind::kCheck)},
           {0x00, 0x38, 0x0C}},
          {{0x01, esc, ext, esc, ext, 0x00, 0x18},
           {op(OpKind::kMalloc, 0, 24)},
           {0x01, 0x00, 0x18}},
      };
      for (const auto& [bytes, ops, canonical] : cases) {
        const Decoded first = decode(bytes);
        const Decoded second = decode(bytes);
        EXPECT_FALSE(first.status.truncated) << c << " " << e;
        EXPECT_EQ(first.program.ops, ops) << c << " " << e;
        EXPECT_EQ(first.program, second.program);
        EXPECT_EQ(encode_binary(first.program), canonical) << c << " " << e;
      }
    }
  }
  EXPECT_GE(reserved, kMinFreeExtended);
  EXPECT_EQ(reserved, kExtendedValues - kPinnedExtended.size() - 1);  // 0xFF is the repeat
}

TEST(BinaryFormatV2, AnEscapeCutShortIsATruncation) {
  for (unsigned c = kEscapeFirst; c <= kEscapeLast; ++c) {
    const Decoded d = decode({0x00, 0x0C, static_cast<uint8_t>(c)});
    EXPECT_TRUE(d.status.truncated);
    EXPECT_EQ(d.status.truncated_at, 2u);
    EXPECT_EQ(d.program.ops, std::vector<Op>{op(OpKind::kCheck)});
  }
}

// --- Fixed points of encode/decode for every operation ---------------------------------------

// Operations of `info`'s row at several slots and operands.
std::vector<Op> samples(const OpInfo& info) {
  std::vector<Op> out;
  const std::vector<uint32_t> slots =
      info.has_slot ? std::vector<uint32_t>{0, 1, 14, 15, 16, 142, 1023} : std::vector<uint32_t>{0};
  const uint64_t sizes[] = {0, 24, 127, 128, 4096, 5000, ~uint64_t{0}};
  const uint64_t counts[] = {0, 1, 128, 255};
  // Each form of the align byte: a power of two, ALIGN_ODD, a small value, a varint.
  const uint64_t aligns[] = {1, 1u << 20, uint64_t{1} << 63, 24, 100, 40, 1000};
  for (uint32_t slot : slots) {
    for (size_t i = 0; i < 7; ++i) {
      Op o = op(info.kind, slot);
      for (size_t a = 0; a < 2; ++a) {
        if (info.args[a] == Arg::kSize) o.args[a] = sizes[(i + a * 3) % 7];
        if (info.args[a] == Arg::kCount) o.args[a] = counts[i % 4];
        if (info.args[a] == Arg::kAlign) o.args[a] = aligns[i];
      }
      out.push_back(o);
    }
  }
  return out;
}

TEST(BinaryFormatV2, EveryOperationIsAFixedPointInItsCanonicalOpcode) {
  for (const OpInfo& info : kOps) {
    const CanonicalOpcode opcode = canonical_opcode(info.kind);
    // The canonical opcode is the row's first value, in its space.
    if (info.opcodes.space == OpcodeSpace::kPrimary) {
      EXPECT_EQ(opcode.size, 1u);
      EXPECT_EQ(opcode.bytes[0], info.opcodes.first);
    } else {
      EXPECT_EQ(opcode.size, 2u);
      EXPECT_EQ(opcode.bytes[0], kEscapeCanonical);
      EXPECT_EQ(opcode.bytes[1], info.opcodes.first);
    }
    for (const Op& o : samples(info)) {
      Program p;
      p.ops = {o};
      const Bytes bytes = encode_binary(p);
      ASSERT_GE(bytes.size(), 1u + opcode.size);
      if (opcode.size == 2 || !info.has_slot) {
        EXPECT_EQ(bytes[1], opcode.bytes[0]) << info.name;
      } else {
        EXPECT_EQ(bytes[1] & 15, opcode.bytes[0]) << info.name;  // the slot is in the high nibble
      }
      if (opcode.size == 2) EXPECT_EQ(bytes[2], opcode.bytes[1]) << info.name;
      const Decoded d = decode(bytes);
      EXPECT_FALSE(d.status.truncated) << info.name;
      EXPECT_EQ(d.program, p) << info.name << " slot " << o.slot;
      EXPECT_EQ(encode_binary(d.program), bytes) << info.name;
    }
  }
}

// The align byte's forms (FORMAT.md, "align"), pinned: memalign s0 ALIGN 0 is escape, 0x00,
// slot 0, the align byte(s), size 0.
TEST(BinaryFormatV2, TheAlignByteIsPinned) {
  const struct {
    Bytes align;
    uint64_t value;
  } pinned[] = {
      {{0x00}, 1},
      {{0x04}, 16},
      {{0x0C}, 4096},
      {{0x14}, uint64_t{1} << 20},
      {{0x3F}, uint64_t{1} << 63},
      {{0x40}, 0},
      {{0x41}, 3},
      {{0x44}, 24},
      {{0x45}, 48},
      {{0x56}, 7},
      {{0x5F}, 4095},
      {{0x6A}, 5},
      {{0x7F}, 100},
      {{0x80}, 0},
      {{0xA8}, 40},
      {{0xFE}, 126},
      {{0xFF, 0xE8, 0x07}, 1000},
  };
  for (const auto& [align, value] : pinned) {
    Bytes bytes = {0x00, kEscapeCanonical, 0x00, 0x00};
    bytes.insert(bytes.end(), align.begin(), align.end());
    bytes.push_back(0x00);
    const Decoded d = decode(bytes);
    ASSERT_EQ(d.program.ops.size(), 1u) << value;
    EXPECT_EQ(d.program.ops[0], op(OpKind::kMemalign, 0, value, 0)) << value;
    // The canonical form is the first that holds the value (0x80's 0 is written 0x40).
    if (value != 0 || align[0] == 0x40) EXPECT_EQ(encode_binary(d.program), bytes) << value;
  }
  // ALIGN_ODD holds no power of two, and every entry once.
  const std::span<const uint64_t> odd = align_odd_values();
  ASSERT_EQ(odd.size(), kAlignOddCount);
  for (size_t i = 0; i < odd.size(); ++i) {
    EXPECT_FALSE(odd[i] != 0 && (odd[i] & (odd[i] - 1)) == 0) << odd[i];
    for (size_t j = 0; j < i; ++j) EXPECT_NE(odd[i], odd[j]);
  }
}

// Every value of a row, not only its first, decodes to the row.
TEST(BinaryFormatV2, EveryValueOfARowDecodesToIt) {
  for (const OpInfo& info : kOps) {
    for (unsigned v = info.opcodes.first; v <= info.opcodes.last; ++v) {
      const Bytes bytes =
          info.opcodes.space == OpcodeSpace::kPrimary
              ? Bytes{0x00, static_cast<uint8_t>(v), 0x01, 0x01}
              : Bytes{0x00, kEscapeCanonical, static_cast<uint8_t>(v), 0x01, 0x01, 0x01};
      const Decoded d = decode(bytes);
      ASSERT_FALSE(d.program.ops.empty()) << info.name << " " << v;
      EXPECT_EQ(d.program.ops[0].kind, info.kind) << info.name << " " << v;
    }
  }
}

// --- Binary v1 -> v2 -------------------------------------------------------------------------

TEST(BinaryFormatV2, CanonicalV1BytesDecodeAsInV1) {
  // A canonical v1 input, byte for byte as v1's encoder wrote it, with every operation.
  const Bytes v1 = {
      0x03, 0x80,      0x20,        // low, limit 4096
      0x00, 0x18,                   // malloc s0 24
      0x14, 0x03,      0x08,        // calloc s1 3 8
      0xFB, 0x05,                   // fill s20
      0x25, 0xFF,      0x88, 0x27,  // realloc s2 5000
      0x08,                         // free s0
      0x0C,                         // check
      0x0D, 0x80 + 39,              // foreign-grow 4096
      0x0E,                         // foreign-release
      0x0F, 0x03,                   // fail-grow 3
      0xF0, 0xF0,      0x07, 0xFE,  // malloc s1023 SIZE_MAX
  };
  Program expected;
  expected.header.placement = Placement::kLow;
  expected.header.limit = 4096;
  expected.ops = {op(OpKind::kMalloc, 0, 24),
                  op(OpKind::kCalloc, 1, 3, 8),
                  op(OpKind::kFill, 20),
                  op(OpKind::kRealloc, 2, 5000),
                  op(OpKind::kFree, 0),
                  op(OpKind::kCheck),
                  op(OpKind::kForeignGrow, 0, 4096),
                  op(OpKind::kForeignRelease),
                  op(OpKind::kFailGrow, 0, 3),
                  op(OpKind::kMalloc, 1023, ~uint64_t{0})};
  const Decoded d = decode(v1);
  EXPECT_FALSE(d.status.truncated);
  EXPECT_EQ(d.program, expected);
  EXPECT_EQ(encode_binary(expected), v1);  // and v2 writes the same bytes
}

TEST(BinaryFormatV2, TheBytesV2TookOverNowEscape) {
  // v1: 0xFC was check (high nibble ignored), so 0x38 was free s3. v2: 0xFC 0x38 is an escape
  // with the value 0x38, at first reserved (nothing, and 0x0C the next operation), now
  // free_sized, whose slot varint is 0x0C.
  ASSERT_EQ(kExtendedMap[0x38], OpKind::kFreeSized);
  EXPECT_EQ(decode({0x00, 0xFC, 0x38, 0x0C}).program.ops,
            std::vector<Op>{op(OpKind::kFreeSized, 12)});
  // With a value still reserved, the escape and the value are nothing.
  ASSERT_FALSE(kExtendedMap[0x88].has_value());
  EXPECT_EQ(decode({0x00, 0xFC, 0x88, 0x0C}).program.ops, std::vector<Op>{op(OpKind::kCheck)});
  // v1: 0xFF 0x07 was fail-grow 7. v2: at first nothing, now a memalign cut short.
  ASSERT_EQ(kExtendedMap[0x07], OpKind::kMemalign);
  const Decoded cut = decode({0x00, 0xFF, 0x07});
  EXPECT_TRUE(cut.program.ops.empty());
  EXPECT_TRUE(cut.status.truncated);
  // The same operations with any other high nibble keep their v1 meaning.
  EXPECT_EQ(decode({0x00, 0xEF, 0x07}).program.ops, std::vector<Op>{op(OpKind::kFailGrow, 0, 7)});
  EXPECT_EQ(decode({0x00, 0x3D, 0x10}).program.ops,
            std::vector<Op>{op(OpKind::kForeignGrow, 0, 16)});
}

// --- Files copied from the table -------------------------------------------------------------

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(ALLOCFUZZ_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(BinaryFormatV2, TheDictionaryIsGeneratedFromTheTable) {
  const std::string expected = dictionary_text(heap_fuzzer_dictionary());
  EXPECT_EQ(read_source_file("fuzz/targets/heap_fuzzer.dict"), expected)
      << "fuzz/targets/heap_fuzzer.dict is out of date with fuzz/program/ops.h; its text must be:\n"
      << expected;
}

std::string entry_name_of(const OpInfo& info) {
  std::string name = info.name;
  std::replace(name.begin(), name.end(), '-', '_');
  return info.has_slot ? name + "_s0" : name;
}

TEST(BinaryFormatV2, TheDictionaryHasEveryOperation) {
  // Each row's canonical opcode bytes are an entry of their own, so a new row cannot be left out
  // (the fuzzer rarely builds an escape and an extension value from random bytes).
  const std::vector<DictEntry> entries = heap_fuzzer_dictionary();
  for (const OpInfo& info : kOps) {
    const CanonicalOpcode opcode = canonical_opcode(info.kind);
    const Bytes bytes(opcode.bytes, opcode.bytes + opcode.size);
    bool found = false;
    for (const DictEntry& e : entries) {
      // The entry may go on with the slot (an extended operation's slot varint).
      found = found || (e.name == entry_name_of(info) && e.bytes.size() >= bytes.size() &&
                        std::equal(bytes.begin(), bytes.end(), e.bytes.begin()));
    }
    EXPECT_TRUE(found) << info.name;
  }
}

// The operations table's rows in FORMAT.md: `| `NAME ...` | OPCODES | meaning |`.
std::map<std::string, std::string> format_md_opcode_column() {
  std::map<std::string, std::string> column;
  std::istringstream in(read_source_file("fuzz/program/FORMAT.md"));
  std::string line;
  bool in_operations = false;
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) in_operations = line == "## Operations";
    if (!in_operations || !line.starts_with("| `")) continue;
    const size_t name_end = line.find_first_of(" `", 3);
    const size_t cell = line.find('|', 1);
    const size_t cell_end = line.find('|', cell + 1);
    if (name_end == std::string::npos || cell_end == std::string::npos) continue;
    std::string opcodes = line.substr(cell + 1, cell_end - cell - 1);
    opcodes.erase(0, opcodes.find_first_not_of(' '));
    opcodes.erase(opcodes.find_last_not_of(' ') + 1);
    column[line.substr(3, name_end - 3)] = opcodes;
  }
  return column;
}

TEST(BinaryFormatV2, FormatMdOpcodeColumnMatchesTheTable) {
  std::map<std::string, std::string> expected;
  for (const OpInfo& info : kOps) expected[info.name] = opcode_column(info);
  EXPECT_EQ(format_md_opcode_column(), expected);
  EXPECT_NE(read_source_file("fuzz/program/FORMAT.md").find("0xFC-0xFF"), std::string::npos)
      << "FORMAT.md names the escape bytes";
}

}  // namespace
}  // namespace allocfuzz::testing
