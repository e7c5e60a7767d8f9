// Tests of the binary spelling of programs (fuzz/program/binary_codec.h) against FORMAT.md: the
// EDGE table, the opcode values, each byte form (config, limit, slot, slot-ext, size, count),
// truncation in every place it can happen, both round trips, the length cap, reuse of the
// output's capacity, and every 1- and 2-byte input plus random inputs decoding to a program that
// survives encode/decode unchanged.
#include "fuzz/program/binary_codec.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fuzz/program/ops.h"

namespace allocfuzz::testing {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint64_t kMax = ~uint64_t{0};

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
  Op o;
  o.kind = kind;
  o.slot = slot;
  o.args[0] = a0;
  o.args[1] = a1;
  return o;
}

// The operations `bytes` decode to; expects no truncation.
std::vector<Op> ops_of(const Bytes& bytes) {
  const Decoded d = decode(bytes);
  EXPECT_FALSE(d.status.truncated) << "truncated at " << d.status.truncated_at;
  return d.program.ops;
}

// --- EDGE --------------------------------------------------------------------------------------

TEST(EdgeSizes, HasTheLengthAndOrderOfTheRule) {
  const auto edges = edge_sizes();
  ASSERT_EQ(edges.size(), kEdgeCount);
  ASSERT_EQ(edges.size(), 127u);

  const std::vector<uint64_t> first(edges.begin(), edges.begin() + 7);
  EXPECT_EQ(first, (std::vector<uint64_t>{112, 119, 120, 127, 128, 129, 136}));
  EXPECT_EQ(edges[7], 256u - 16);                 // the next power of two's group
  EXPECT_EQ(edges[5 * 7 + 3], 4095u);             // 2^12 - 1
  EXPECT_EQ(edges[5 * 7 + 4], 4096u);             // 2^12
  EXPECT_EQ(edges[97], (uint64_t{1} << 20) + 8);  // the last of the 98
  EXPECT_EQ(edges[98], 384u);                     // 3·2^7
  EXPECT_EQ(edges[112], uint64_t{3} << 21);       // 3·2^21
  EXPECT_EQ(edges[113], uint64_t{1} << 24);       // the first large value
  EXPECT_EQ(edges[120], uint64_t{1} << 63);
  EXPECT_EQ(edges[121], kMax - 16);
  EXPECT_EQ(edges[126], kMax);

  // Increasing, except where the 3·2^k group restarts below the end of the first group.
  for (size_t i = 1; i < edges.size(); ++i) {
    if (i == 98) {
      EXPECT_LT(edges[i], edges[i - 1]) << i;
    } else {
      EXPECT_GT(edges[i], edges[i - 1]) << i;
    }
  }
  // Distinct, so the encoder's choice of index is unambiguous.
  EXPECT_EQ(std::set<uint64_t>(edges.begin(), edges.end()).size(), kEdgeCount);
  // The sizes FORMAT.md names.
  for (uint64_t v :
       {uint64_t{4088}, uint64_t{4096}, uint64_t{4104}, uint64_t{256} << 10, uint64_t{512} << 10}) {
    EXPECT_EQ(std::set<uint64_t>(edges.begin(), edges.end()).count(v), 1u) << v;
  }
}

// --- Opcodes -----------------------------------------------------------------------------------

TEST(DecodeBinary, OpcodeValuesFollowTheTable) {
  const OpKind expected[16] = {
      OpKind::kMalloc, OpKind::kMalloc,      OpKind::kMalloc,         OpKind::kMalloc,
      OpKind::kCalloc, OpKind::kRealloc,     OpKind::kRealloc,        OpKind::kRealloc,
      OpKind::kFree,   OpKind::kFree,        OpKind::kFree,           OpKind::kFill,
      OpKind::kCheck,  OpKind::kForeignGrow, OpKind::kForeignRelease, OpKind::kFailGrow,
  };
  for (unsigned c = 0; c < 16; ++c) {
    for (unsigned high = 0; high < 15; ++high) {  // the slot nibble does not change the kind
      const Decoded d = decode({0x00, static_cast<uint8_t>(c | high << 4), 0, 0});
      ASSERT_FALSE(d.program.ops.empty()) << c;
      EXPECT_EQ(d.program.ops[0].kind, expected[c]) << "opcode value " << c;
    }
  }
}

TEST(EncodeBinary, WritesTheFirstOpcodeValueOfEachRow) {
  const std::pair<Op, uint8_t> cases[] = {
      {op(OpKind::kMalloc, 0, 1), 0},
      {op(OpKind::kCalloc, 0, 1, 1), 4},
      {op(OpKind::kRealloc, 0, 1), 5},
      {op(OpKind::kFree), 8},
      {op(OpKind::kFill), 11},
      {op(OpKind::kCheck), 12},
      {op(OpKind::kForeignGrow, 0, 1), 13},
      {op(OpKind::kForeignRelease), 14},
      {op(OpKind::kFailGrow, 0, 1), 15},
  };
  for (const auto& [o, c] : cases) {
    Program p;
    p.ops = {o};
    const Bytes bytes = encode_binary(p);
    ASSERT_GE(bytes.size(), 2u);
    EXPECT_EQ(bytes[1], c) << op_info(o.kind).name;
  }
}

// --- Header ------------------------------------------------------------------------------------

TEST(DecodeBinary, EmptyInputIsTheEmptyProgram) {
  const Decoded d = decode({});
  EXPECT_FALSE(d.status.truncated);
  EXPECT_EQ(d.program, Program{});
  EXPECT_EQ(d.program.header.placement, Placement::kHigh);
}

TEST(DecodeBinary, ResetsWhatBinaryDoesNotCarry) {
  Program p;
  p.header.placement = Placement::kLow;
  p.header.limit = 5;
  p.header.heap = "some-other-heap";
  p.header.defect = "a-defect";
  p.header.expect = Expectation{true, "overlap"};
  p.ops = {op(OpKind::kCheck), op(OpKind::kFree, 3)};
  const Bytes bytes = {0x00};
  const DecodeStatus status = decode_binary(bytes.data(), bytes.size(), &p);
  EXPECT_FALSE(status.truncated);
  EXPECT_EQ(p, Program{});
  EXPECT_EQ(p.header.heap, kDefaultHeap);
}

TEST(DecodeBinary, ConfigBytePlacementAndLimit) {
  EXPECT_EQ(decode({0x00}).program.header.placement, Placement::kHigh);
  EXPECT_EQ(decode({0x01}).program.header.placement, Placement::kLow);
  EXPECT_EQ(decode({0x01}).program.header.limit, std::nullopt);

  // Reserved bits 2-7 are ignored.
  const Decoded reserved = decode({0xFC});
  EXPECT_FALSE(reserved.status.truncated);
  EXPECT_EQ(reserved.program, Program{});

  const Decoded limit = decode({0x02, 0x80, 0x20});  // limit 4096
  EXPECT_FALSE(limit.status.truncated);
  EXPECT_EQ(limit.program.header.placement, Placement::kHigh);
  EXPECT_EQ(limit.program.header.limit, 4096u);
  EXPECT_TRUE(limit.program.ops.empty());

  const Decoded low_zero = decode({0x03, 0x00, 0x0C});  // low, limit 0, check
  EXPECT_EQ(low_zero.program.header.placement, Placement::kLow);
  EXPECT_EQ(low_zero.program.header.limit, 0u);
  EXPECT_EQ(low_zero.program.ops, std::vector<Op>{op(OpKind::kCheck)});

  const Decoded max = decode({0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
  EXPECT_EQ(max.program.header.limit, kMax);
}

// --- Slots -------------------------------------------------------------------------------------

TEST(DecodeBinary, SlotsInTheOpcodeByte) {
  EXPECT_EQ(ops_of({0x00, 0x08}), std::vector<Op>{op(OpKind::kFree, 0)});
  EXPECT_EQ(ops_of({0x00, 0x38}), std::vector<Op>{op(OpKind::kFree, 3)});
  EXPECT_EQ(ops_of({0x00, 0xE8}), std::vector<Op>{op(OpKind::kFree, 14)});
  EXPECT_EQ(ops_of({0x00, 0x7B}), std::vector<Op>{op(OpKind::kFill, 7)});
  EXPECT_EQ(ops_of({0x00, 0x21, 0x05}), std::vector<Op>{op(OpKind::kMalloc, 2, 5)});
}

TEST(DecodeBinary, SlotsViaSlotExt) {
  EXPECT_EQ(ops_of({0x00, 0xF8, 0x00}), std::vector<Op>{op(OpKind::kFree, 15)});
  EXPECT_EQ(ops_of({0x00, 0xF8, 0x01}), std::vector<Op>{op(OpKind::kFree, 16)});
  EXPECT_EQ(ops_of({0x00, 0xF8, 0xF0, 0x07}), std::vector<Op>{op(OpKind::kFree, 1023)});
  // Modulo 1024: 15 + 1009 = 1024 -> s0, 15 + 1024 -> s15.
  EXPECT_EQ(ops_of({0x00, 0xF8, 0xF1, 0x07}), std::vector<Op>{op(OpKind::kFree, 0)});
  EXPECT_EQ(ops_of({0x00, 0xF8, 0x80, 0x08}), std::vector<Op>{op(OpKind::kFree, 15)});
  // 15 + (2^64 - 1) = 2^64 + 14 -> s14, with no overflow trouble.
  EXPECT_EQ(ops_of({0x00, 0xF8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}),
            std::vector<Op>{op(OpKind::kFree, 14)});
  // Non-minimal slot-ext still decodes.
  EXPECT_EQ(ops_of({0x00, 0xF8, 0x81, 0x00}), std::vector<Op>{op(OpKind::kFree, 16)});
  // A slot-ext comes before the operands.
  EXPECT_EQ(ops_of({0x00, 0xF4, 0x02, 0x03, 0x08}), std::vector<Op>{op(OpKind::kCalloc, 17, 3, 8)});
}

TEST(DecodeBinary, OperationsWithoutASlotIgnoreTheHighNibble) {
  // 0xEC is check with c >> 4 == 14: no slot-ext is read, so 0x08 is the next operation. (High
  // nibble 15 is the escape of binary v2: binary_format_v2_test.cc.)
  EXPECT_EQ(ops_of({0x00, 0xEC, 0x08}),
            (std::vector<Op>{op(OpKind::kCheck), op(OpKind::kFree, 0)}));
  EXPECT_EQ(ops_of({0x00, 0x5E}), std::vector<Op>{op(OpKind::kForeignRelease)});
  EXPECT_EQ(ops_of({0x00, 0xEF, 0x07}), std::vector<Op>{op(OpKind::kFailGrow, 0, 7)});
  EXPECT_EQ(ops_of({0x00, 0x3D, 0x10}), std::vector<Op>{op(OpKind::kForeignGrow, 0, 16)});
}

// --- Sizes and counts --------------------------------------------------------------------------

TEST(DecodeBinary, SizeForms) {
  // Direct.
  EXPECT_EQ(ops_of({0x00, 0x00, 0x00}), std::vector<Op>{op(OpKind::kMalloc, 0, 0)});
  EXPECT_EQ(ops_of({0x00, 0x00, 0x18}), std::vector<Op>{op(OpKind::kMalloc, 0, 24)});
  EXPECT_EQ(ops_of({0x00, 0x00, 0x7F}), std::vector<Op>{op(OpKind::kMalloc, 0, 127)});
  // EDGE.
  EXPECT_EQ(ops_of({0x00, 0x00, 0x80}), std::vector<Op>{op(OpKind::kMalloc, 0, 112)});
  EXPECT_EQ(ops_of({0x00, 0x00, 0x84}), std::vector<Op>{op(OpKind::kMalloc, 0, 128)});
  EXPECT_EQ(ops_of({0x00, 0x00, 0x80 + 39}), std::vector<Op>{op(OpKind::kMalloc, 0, 4096)});
  EXPECT_EQ(ops_of({0x00, 0x00, 0xFE}), std::vector<Op>{op(OpKind::kMalloc, 0, kMax)});
  // Varint.
  EXPECT_EQ(ops_of({0x00, 0x00, 0xFF, 0x00}), std::vector<Op>{op(OpKind::kMalloc, 0, 0)});
  EXPECT_EQ(ops_of({0x00, 0x00, 0xFF, 0x88, 0x27}), std::vector<Op>{op(OpKind::kMalloc, 0, 5000)});
  EXPECT_EQ(ops_of({0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}),
            std::vector<Op>{op(OpKind::kMalloc, 0, kMax)});
  // Bits past 64 are dropped: the tenth byte contributes only its lowest bit.
  EXPECT_EQ(ops_of({0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}),
            std::vector<Op>{op(OpKind::kMalloc, 0, kMax)});
  EXPECT_EQ(ops_of({0x00, 0x00, 0xFF, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02}),
            std::vector<Op>{op(OpKind::kMalloc, 0, 0)});
  // At most ten bytes are read: the eleventh (0x0C) is the next operation, whatever the tenth's
  // high bit says.
  EXPECT_EQ(
      ops_of({0x00, 0x00, 0xFF, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x0C}),
      (std::vector<Op>{op(OpKind::kMalloc, 0, 1), op(OpKind::kCheck)}));
}

TEST(DecodeBinary, OperandsInTextOrder) {
  // calloc COUNT SIZE, both in the size form.
  EXPECT_EQ(ops_of({0x00, 0x14, 0x03, 0x08}), std::vector<Op>{op(OpKind::kCalloc, 1, 3, 8)});
  EXPECT_EQ(ops_of({0x00, 0x04, 0xFE, 0xFF, 0x80, 0x01}),
            std::vector<Op>{op(OpKind::kCalloc, 0, kMax, 128)});
  EXPECT_EQ(ops_of({0x00, 0x05, 0x80}), std::vector<Op>{op(OpKind::kRealloc, 0, 112)});
  // fail-grow's K is one plain byte, not a size: 0xFF is 255 and nothing follows.
  EXPECT_EQ(ops_of({0x00, 0x0F, 0xFF, 0x0C}),
            (std::vector<Op>{op(OpKind::kFailGrow, 0, 255), op(OpKind::kCheck)}));
  EXPECT_EQ(ops_of({0x00, 0x0F, 0x80}), std::vector<Op>{op(OpKind::kFailGrow, 0, 128)});
}

// --- Truncation --------------------------------------------------------------------------------

struct TruncationCase {
  Bytes bytes;
  std::vector<Op> ops;  // what is kept
  size_t at;
};

TEST(DecodeBinary, TruncationDropsThePartialOperationAndSaysWhereItBegan) {
  const TruncationCase cases[] = {
      // Missing operand byte.
      {{0x00, 0x0C, 0x00}, {op(OpKind::kCheck)}, 2},
      {{0x00, 0x04, 0x03}, {}, 1},                    // calloc with its COUNT but not its SIZE
      {{0x00, 0x0C, 0x0F}, {op(OpKind::kCheck)}, 2},  // fail-grow without K
      {{0x00, 0x0D}, {}, 1},                          // foreign-grow without BYTES
      // Mid-varint (size).
      {{0x00, 0x0C, 0x00, 0xFF}, {op(OpKind::kCheck)}, 2},
      {{0x00, 0x0C, 0x00, 0xFF, 0x80}, {op(OpKind::kCheck)}, 2},
      {{0x00, 0x0C, 0x04, 0x01, 0xFF, 0x80, 0x80}, {op(OpKind::kCheck)}, 2},
      // Missing or partial slot-ext.
      {{0x00, 0x0C, 0xF8}, {op(OpKind::kCheck)}, 2},
      {{0x00, 0xF8, 0x80}, {}, 1},
      {{0x00, 0xF0, 0x00}, {}, 1},  // malloc s15: slot-ext present, size missing
      // After a limit.
      {{0x02, 0x80, 0x20, 0x0C, 0x38, 0x00}, {op(OpKind::kCheck), op(OpKind::kFree, 3)}, 5},
  };
  for (const TruncationCase& c : cases) {
    const Decoded d = decode(c.bytes);
    EXPECT_TRUE(d.status.truncated);
    EXPECT_EQ(d.status.truncated_at, c.at);
    EXPECT_EQ(d.program.ops, c.ops);
  }
}

TEST(DecodeBinary, TruncatedLimitIsDroppedAndReportedWhereItBegan) {
  for (const Bytes& bytes : {Bytes{0x02}, Bytes{0x03, 0x80}, Bytes{0x02, 0xFF, 0xFF}}) {
    const Decoded d = decode(bytes);
    EXPECT_TRUE(d.status.truncated);
    EXPECT_EQ(d.status.truncated_at, 1u);
    EXPECT_EQ(d.program.header.limit, std::nullopt);
    EXPECT_TRUE(d.program.ops.empty());
  }
  EXPECT_EQ(decode({0x03, 0x80}).program.header.placement, Placement::kLow);
}

TEST(DecodeBinary, CompleteInputIsNotTruncated) {
  const Decoded d = decode({0x00, 0x00, 0xFF, 0x80, 0x01});
  EXPECT_FALSE(d.status.truncated);
  EXPECT_EQ(d.status.truncated_at, 0u);
}

// --- Length cap --------------------------------------------------------------------------------

TEST(DecodeBinary, StopsAfterMaxOps) {
  Bytes bytes(1 + kMaxOps + 5, 0x0C);  // config, then checks beyond the cap
  bytes[0] = 0x00;
  Decoded d = decode(bytes);
  EXPECT_FALSE(d.status.truncated);
  EXPECT_EQ(d.program.ops.size(), kMaxOps);

  // An operation cut short past the cap is never read, so it is not a truncation.
  bytes.resize(1 + kMaxOps);
  bytes.push_back(0x00);  // malloc without its size
  d = decode(bytes);
  EXPECT_FALSE(d.status.truncated);
  EXPECT_EQ(d.program.ops.size(), kMaxOps);

  // One below the cap it is.
  bytes.erase(bytes.begin() + 1);
  d = decode(bytes);
  EXPECT_TRUE(d.status.truncated);
  EXPECT_EQ(d.status.truncated_at, kMaxOps);
  EXPECT_EQ(d.program.ops.size(), kMaxOps - 1);
}

// --- No allocation once warm -------------------------------------------------------------------

TEST(DecodeBinary, ReusesTheOutputsStorage) {
  Program p;
  p.header.heap.assign(40, 'h');  // a heap buffer, which the reset must keep
  Bytes big(1 + 1000, 0x0C);
  big[0] = 0x00;
  decode_binary(big.data(), big.size(), &p);
  ASSERT_EQ(p.ops.size(), 1000u);
  const Op* ops_storage = p.ops.data();
  const size_t capacity = p.ops.capacity();
  const char* heap_storage = p.header.heap.data();

  const Bytes small = {0x01, 0x00, 0x18, 0x14, 0x03, 0x08, 0xF8, 0x05};
  decode_binary(small.data(), small.size(), &p);
  EXPECT_EQ(p.ops.size(), 3u);
  EXPECT_EQ(p.ops.data(), ops_storage);
  EXPECT_EQ(p.ops.capacity(), capacity);
  EXPECT_EQ(p.header.heap.data(), heap_storage);
  EXPECT_EQ(p.header.heap, kDefaultHeap);

  decode_binary(big.data(), big.size(), &p);
  EXPECT_EQ(p.ops.data(), ops_storage);
}

// --- Encoding and round trips ------------------------------------------------------------------

TEST(EncodeBinary, WritesCanonicalBytes) {
  Program p;
  p.header.placement = Placement::kLow;
  p.header.limit = 4096;
  p.ops = {
      op(OpKind::kMalloc, 0, 24),
      op(OpKind::kCalloc, 1, 3, 8),
      op(OpKind::kFree, 0),
      op(OpKind::kCheck),
      op(OpKind::kFill, 20),
      op(OpKind::kRealloc, 2, 5000),
      op(OpKind::kForeignGrow, 0, 4096),
      op(OpKind::kForeignRelease),
      op(OpKind::kFailGrow, 0, 3),
      op(OpKind::kMalloc, 1023, kMax),
      op(OpKind::kMalloc, 14, 112),
      op(OpKind::kMalloc, 15, 128),
  };
  const Bytes expected = {
      0x03, 0x80,      0x20,        // low, limit 4096
      0x00, 0x18,                   // malloc s0 24
      0x14, 0x03,      0x08,        // calloc s1 3 8
      0x08,                         // free s0
      0x0C,                         // check
      0xFB, 0x05,                   // fill s20
      0x25, 0xFF,      0x88, 0x27,  // realloc s2 5000
      0x0D, 0x80 + 39,              // foreign-grow 4096 (EDGE)
      0x0E,                         // foreign-release
      0x0F, 0x03,                   // fail-grow 3
      0xF0, 0xF0,      0x07, 0xFE,  // malloc s1023 SIZE_MAX
      0xE0, 0x70,                   // malloc s14 112: direct, not EDGE
      0xF0, 0x00,      0x84,        // malloc s15 128 (EDGE)
  };
  EXPECT_EQ(encode_binary(p), expected);
  EXPECT_EQ(decode(expected).program, p);
}

TEST(EncodeBinary, EmptyProgramIsOneConfigByte) {
  EXPECT_EQ(encode_binary(Program{}), Bytes{0x00});
}

TEST(EncodeBinary, ExpectHeapAndDefectExistOnlyInText) {
  Program p;
  p.header.heap = "other";
  p.header.defect = "d";
  p.header.expect = Expectation{};
  EXPECT_EQ(encode_binary(p), Bytes{0x00});
}

TEST(EncodeBinary, SizeForms) {
  const auto size_bytes = [](uint64_t size) {
    Program p;
    p.ops = {op(OpKind::kForeignGrow, 0, size)};
    const Bytes bytes = encode_binary(p);
    return Bytes(bytes.begin() + 2, bytes.end());
  };
  EXPECT_EQ(size_bytes(0), Bytes{0x00});
  EXPECT_EQ(size_bytes(127), Bytes{0x7F});
  EXPECT_EQ(size_bytes(128), Bytes{0x84});
  EXPECT_EQ(size_bytes(130), (Bytes{0xFF, 0x82, 0x01}));
  EXPECT_EQ(size_bytes(kMax), Bytes{0xFE});
  EXPECT_EQ(size_bytes(kMax - 2),
            (Bytes{0xFF, 0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));
  const auto edges = edge_sizes();
  for (size_t i = 0; i < edges.size(); ++i) {
    if (edges[i] < 0x80) continue;
    EXPECT_EQ(size_bytes(edges[i]), Bytes{static_cast<uint8_t>(0x80 + i)}) << i;
  }
}

// A program with every kind, slots in and out of the opcode byte, sizes in every form.
Program every_kind_program() {
  Program p;
  p.header.placement = Placement::kLow;
  p.header.limit = (uint64_t{1} << 40) + 3;
  for (uint32_t slot : {0u, 1u, 14u, 15u, 16u, 142u, 143u, 1000u, 1023u}) {
    p.ops.push_back(op(OpKind::kMalloc, slot, slot * 3));
    p.ops.push_back(op(OpKind::kCalloc, slot, slot, 4096));
    p.ops.push_back(op(OpKind::kRealloc, slot, kMax - slot));
    p.ops.push_back(op(OpKind::kFill, slot));
    p.ops.push_back(op(OpKind::kFree, slot));
  }
  p.ops.push_back(op(OpKind::kCheck));
  p.ops.push_back(op(OpKind::kForeignGrow, 0, 8192));
  p.ops.push_back(op(OpKind::kForeignRelease));
  for (uint64_t k : {0u, 1u, 127u, 128u, 255u}) p.ops.push_back(op(OpKind::kFailGrow, 0, k));
  for (uint64_t size : edge_sizes()) p.ops.push_back(op(OpKind::kMalloc, 5, size));
  for (uint64_t size = 0; size < 300; ++size) p.ops.push_back(op(OpKind::kRealloc, 6, size));
  for (unsigned shift = 0; shift < 64; ++shift) {
    const uint64_t v = uint64_t{1} << shift;
    for (uint64_t size : {v - 1, v, v + 1, v + 5, v * 3 + 1}) {
      p.ops.push_back(op(OpKind::kForeignGrow, 0, size));
    }
  }
  return p;
}

TEST(RoundTrip, DecodeOfEncodeIsTheProgram) {
  Program p = every_kind_program();
  Decoded d = decode(encode_binary(p));
  EXPECT_FALSE(d.status.truncated);
  EXPECT_EQ(d.program, p);

  // High placement, and each limit form.
  p.header.placement = Placement::kHigh;
  for (std::optional<uint64_t> limit :
       {std::optional<uint64_t>{}, std::optional<uint64_t>{0}, std::optional<uint64_t>{127},
        std::optional<uint64_t>{128}, std::optional<uint64_t>{kMax}}) {
    p.header.limit = limit;
    d = decode(encode_binary(p));
    EXPECT_FALSE(d.status.truncated);
    EXPECT_EQ(d.program, p);
  }
}

TEST(RoundTrip, RandomProgramsSurviveEncodeDecode) {
  std::mt19937_64 rng(0x5eed0001);
  const auto edges = edge_sizes();
  const auto random_size = [&]() -> uint64_t {
    switch (rng() % 4) {
      case 0:
        return rng() % 0x80;
      case 1:
        return edges[rng() % edges.size()];
      case 2:
        return rng() >> (rng() % 64);
      default:
        return rng();
    }
  };
  for (int iter = 0; iter < 2000; ++iter) {
    Program p;
    p.header.placement = rng() % 2 ? Placement::kLow : Placement::kHigh;
    if (rng() % 2) p.header.limit = random_size();
    const size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) {
      const OpInfo& info = kOps[rng() % kOpCount];
      Op o;
      o.kind = info.kind;
      if (info.has_slot) o.slot = static_cast<uint32_t>(rng() % 2 ? rng() % 15 : rng() % kMaxSlots);
      for (size_t a = 0; a < 2; ++a) {
        if (info.args[a] == Arg::kSize) o.args[a] = random_size();
        if (info.args[a] == Arg::kCount) o.args[a] = rng() % (kMaxFailGrow + 1);
      }
      p.ops.push_back(o);
    }
    const Bytes bytes = encode_binary(p);
    const Decoded d = decode(bytes);
    ASSERT_FALSE(d.status.truncated);
    ASSERT_EQ(d.program, p) << "iteration " << iter;
    ASSERT_EQ(encode_binary(d.program), bytes) << "iteration " << iter;
  }
}

TEST(RoundTrip, EncodeOfDecodeIsCanonicalBytes) {
  const Bytes canonical[] = {
      {0x00},
      {0x01},
      {0x02, 0x00},
      {0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01},
      {0x00, 0x00, 0x00},
      {0x00, 0xE0, 0x7F, 0x10, 0x84, 0x05, 0xFE},
      {0x00, 0x14, 0x03, 0x08, 0xF4, 0x00, 0x84, 0xFF, 0x82, 0x01},
      {0x00, 0x08, 0x0B, 0xFB, 0xF0, 0x07, 0x0C, 0x0D, 0xA7, 0x0E, 0x0F, 0xFF},
      {0x01, 0x0C, 0x0C, 0xF0, 0x80, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
       0xFD, 0x01},
      encode_binary(every_kind_program()),
  };
  for (const Bytes& bytes : canonical) {
    const Decoded d = decode(bytes);
    ASSERT_FALSE(d.status.truncated);
    EXPECT_EQ(encode_binary(d.program), bytes);
  }
}

// Non-canonical inputs decode to a program whose canonical bytes decode to it again.
TEST(RoundTrip, NonCanonicalInputsBecomeCanonical) {
  const std::pair<Bytes, Bytes> cases[] = {
      {{0xFC}, {0x00}},                                      // reserved config bits
      {{0x00, 0x01, 0x05}, {0x00, 0x00, 0x05}},              // a later opcode value of the row
      {{0x00, 0x00, 0x80}, {0x00, 0x00, 0x70}},              // EDGE index of a size below 0x80
      {{0x00, 0x00, 0xFF, 0x05}, {0x00, 0x00, 0x05}},        // varint of a direct size
      {{0x00, 0x00, 0xFF, 0x80, 0x01}, {0x00, 0x00, 0x84}},  // varint of an EDGE size
      {{0x00, 0x00, 0xFF, 0x82, 0x81, 0x00}, {0x00, 0x00, 0xFF, 0x82, 0x01}},  // long varint
      {{0x00, 0x3C}, {0x00, 0x0C}},                    // slot nibble on check
      {{0x00, 0xF8, 0x80, 0x08}, {0x00, 0xF8, 0x00}},  // slot-ext past 1024
      {{0x00, 0xF8, 0xF1, 0x07}, {0x00, 0x08}},        // wraps to s0
  };
  for (const auto& [input, canonical] : cases) {
    const Decoded d = decode(input);
    ASSERT_FALSE(d.status.truncated);
    EXPECT_EQ(encode_binary(d.program), canonical);
    EXPECT_EQ(decode(canonical).program, d.program);
  }
}

// --- Every input decodes -----------------------------------------------------------------------

// The properties every input must have; returns false (after reporting) on the first failure.
bool check_any_input(const Bytes& input) {
  const Decoded d = decode(input);
  const auto where = [&input] { return ::testing::PrintToString(input); };
  if (d.program.ops.size() > kMaxOps) {
    ADD_FAILURE() << where() << ": too many ops";
    return false;
  }
  for (const Op& o : d.program.ops) {
    const OpInfo& info = op_info(o.kind);
    if (o.slot >= kMaxSlots || (!info.has_slot && o.slot != 0)) {
      ADD_FAILURE() << where() << ": bad slot " << o.slot;
      return false;
    }
    for (size_t a = 0; a < 2; ++a) {
      if ((info.args[a] == Arg::kNone && o.args[a] != 0) ||
          (info.args[a] == Arg::kCount && o.args[a] > kMaxFailGrow)) {
        ADD_FAILURE() << where() << ": bad operand " << a;
        return false;
      }
    }
  }
  if (d.program.header.heap != kDefaultHeap || !d.program.header.defect.empty() ||
      d.program.header.expect) {
    ADD_FAILURE() << where() << ": text-only header fields set";
    return false;
  }
  // decode(encode(decode(x))) == decode(x), and the encoding is a fixed point.
  const Bytes canonical = encode_binary(d.program);
  const Decoded again = decode(canonical);
  if (again.status.truncated || again.program != d.program) {
    ADD_FAILURE() << where() << ": does not survive encode/decode";
    return false;
  }
  if (encode_binary(again.program) != canonical) {
    ADD_FAILURE() << where() << ": encoding is not a fixed point";
    return false;
  }
  if (d.status.truncated) {
    if (d.status.truncated_at > input.size() || d.status.truncated_at == 0) {
      ADD_FAILURE() << where() << ": truncated_at " << d.status.truncated_at;
      return false;
    }
    const bool limit_cut = (input[0] & 0x02) && !d.program.header.limit;
    if (limit_cut) {
      // The limit begins at byte 1, which may be just past a one-byte input.
      if (d.status.truncated_at != 1 || !d.program.ops.empty()) {
        ADD_FAILURE() << where() << ": a cut limit";
        return false;
      }
    } else {
      // The dropped op's opcode byte is in the input, and the input up to it decodes
      // completely to the same program.
      if (d.status.truncated_at >= input.size()) {
        ADD_FAILURE() << where() << ": truncated_at past the last byte";
        return false;
      }
      const Decoded prefix = decode(Bytes(input.begin(), input.begin() + d.status.truncated_at));
      if (prefix.status.truncated || prefix.program != d.program) {
        ADD_FAILURE() << where() << ": prefix before truncated_at differs";
        return false;
      }
    }
  } else if (d.status.truncated_at != 0) {
    ADD_FAILURE() << where() << ": truncated_at without truncation";
    return false;
  }
  return true;
}

TEST(DecodeBinary, EveryOneAndTwoByteInput) {
  for (unsigned a = 0; a < 256; ++a) {
    ASSERT_TRUE(check_any_input({static_cast<uint8_t>(a)}));
    for (unsigned b = 0; b < 256; ++b) {
      ASSERT_TRUE(check_any_input({static_cast<uint8_t>(a), static_cast<uint8_t>(b)}));
    }
  }
}

TEST(DecodeBinary, RandomInputs) {
  std::mt19937_64 rng(0xa110cf022);
  // Byte sources: uniform, and one biased to the bytes that start longer forms (0xF_ opcodes,
  // 0xFF sizes, continuation bits) so varints and slot-exts are common and get cut.
  const uint8_t biased[] = {0x00, 0x04, 0x0C, 0x0F, 0x7F, 0x80, 0xF0, 0xF8, 0xFE, 0xFF};
  Bytes input;
  for (int iter = 0; iter < 300000; ++iter) {
    const size_t n = rng() % 48;
    const bool biased_input = rng() % 2;
    input.resize(n);
    for (uint8_t& byte : input) {
      byte = biased_input ? biased[rng() % sizeof biased] : static_cast<uint8_t>(rng());
    }
    ASSERT_TRUE(check_any_input(input)) << "iteration " << iter;
  }
}

TEST(DecodeBinary, NeverReadsPastSize) {
  // Decode each prefix from a buffer exactly its size: ASan catches any read past the end.
  const Bytes full = encode_binary(every_kind_program());
  for (size_t n = 0; n <= full.size(); ++n) {
    const Bytes prefix(full.begin(), full.begin() + n);
    Program p;
    const DecodeStatus status = decode_binary(prefix.data(), prefix.size(), &p);
    if (status.truncated) EXPECT_LE(status.truncated_at, n);
  }
}

}  // namespace
}  // namespace allocfuzz::testing
