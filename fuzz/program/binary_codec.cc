// The binary spelling of programs, exactly as FORMAT.md ("Binary encoding (v2)") describes it.
//
// Two tables drive everything here, and both are derived, never written out by hand:
//   - EDGE, built from FORMAT.md's rule at compile time (make_edge_table);
//   - the opcode maps (fuzz/program/opcodes.h), built from the opcode values each row of ops.h
//     names, so that adding a row there is the only change the binary format needs, and no
//     existing byte changes its meaning.
//
// The decoder is on the fuzzer's per-input path. Its invariants:
//   - it accepts every byte string (nothing is rejected; running out of bytes just ends it);
//   - it reads data[0 .. size) and nothing else;
//   - it makes no allocation once out->ops has capacity (clear() keeps capacity, and the
//     header strings it resets fit in the capacity they already have).
#include "fuzz/program/binary_codec.h"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/program/families.h"
#include "fuzz/program/opcodes.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {
namespace {

// --- EDGE ------------------------------------------------------------------------------------

constexpr uint64_t kSizeMax = ~uint64_t{0};  // SIZE_MAX in FORMAT.md: sizes are 64-bit

// The rule's values in order, and how many the rule gave (checked against kEdgeCount below).
struct EdgeTable {
  std::array<uint64_t, kEdgeCount> values{};
  size_t count = 0;
  constexpr void add(uint64_t v) {
    values[count] = v;  // past the end: not a constant expression, so too many fails to compile
    ++count;
  }
};

constexpr EdgeTable make_edge_table() {
  EdgeTable t;
  // Around each power of two 2^7 .. 2^20: just below, at, and just above (7 values each).
  for (unsigned k = 7; k <= 20; ++k) {
    const uint64_t p = uint64_t{1} << k;
    for (uint64_t v : {p - 16, p - 9, p - 8, p - 1, p, p + 1, p + 8}) t.add(v);
  }
  // 3·2^k, k = 7 .. 21: sizes halfway between powers of two.
  for (unsigned k = 7; k <= 21; ++k) t.add(uint64_t{3} << k);
  // Large values, up to the top of the 64-bit range (overflow in size arithmetic).
  for (uint64_t v :
       {uint64_t{1} << 24, (uint64_t{1} << 30) - 8, uint64_t{1} << 30, uint64_t{1} << 31,
        uint64_t{1} << 32, (uint64_t{1} << 32) + 8, uint64_t{1} << 48, uint64_t{1} << 63,
        kSizeMax - 16, kSizeMax - 15, kSizeMax - 8, kSizeMax - 7, kSizeMax - 1, kSizeMax}) {
    t.add(v);
  }
  return t;
}

constexpr EdgeTable kEdgeTable = make_edge_table();
static_assert(kEdgeTable.count == kEdgeCount, "FORMAT.md's EDGE rule gives 127 sizes");
constexpr const std::array<uint64_t, kEdgeCount>& kEdges = kEdgeTable.values;
static_assert(kEdges[0] == 112 && kEdges[kEdgeCount - 1] == kSizeMax);

// --- ALIGN_ODD -------------------------------------------------------------------------------

// Alignments that are not powers of two, the ones the aligned calls must refuse or round
// (FORMAT.md, "align"): 0; 3·2^k; 2^k - 1; 2^k + 1; and 100 (a decimal guess a user writes).
constexpr EdgeTable make_align_odd_table() {
  EdgeTable t;
  t.add(0);
  for (unsigned k = 0; k <= 20; ++k) t.add(uint64_t{3} << k);        // 3, 6, ..., 24, 48
  for (unsigned k = 3; k <= 22; ++k) t.add((uint64_t{1} << k) - 1);  // 7, 15, ..., 4095
  for (unsigned k = 2; k <= 22; ++k) t.add((uint64_t{1} << k) + 1);  // 5, 9, ..., 4097
  t.add(100);
  return t;
}

constexpr EdgeTable kAlignOddTable = make_align_odd_table();
static_assert(kAlignOddTable.count == kAlignOddCount, "FORMAT.md's ALIGN_ODD rule gives 64");
constexpr const std::array<uint64_t, kEdgeCount>& kAlignOdd = kAlignOddTable.values;

// --- Byte layout constants -------------------------------------------------------------------

constexpr uint8_t kConfigLow = 1u << 0;    // config bit 0: placement low
constexpr uint8_t kConfigLimit = 1u << 1;  // config bit 1: a limit varint follows
constexpr unsigned kSlotInOpcode = 15;     // c >> 4 below this is the slot; equal: slot-ext
constexpr uint8_t kSizeEdgeBase = 0x80;    // size bytes 0x80 .. 0xFE index EDGE
constexpr uint8_t kSizeVarint = 0xFF;      // size byte: a varint follows
constexpr unsigned kMaxVarintBytes = 10;   // ceil(64 / 7)

static_assert(kSizeEdgeBase + kEdgeCount == kSizeVarint);
// The align byte: a < 0x40: 2^a; 0x40 <= a < 0x80: ALIGN_ODD[a - 0x40]; 0x80 <= a < 0xFF: the
// value a - 0x80 (0 .. 126); 0xFF: a varint follows.
constexpr uint8_t kAlignOddBase = 0x40;
constexpr uint8_t kAlignDirectBase = 0x80;
constexpr uint8_t kAlignVarint = 0xFF;
static_assert(kAlignOddBase == 64 && kAlignOddBase + kAlignOddCount == kAlignDirectBase);
static_assert(kSlotInOpcode == kHighNibbleMore, "c >> 4 == 15: more bytes follow, for every row");
static_assert(kMaxSlots == 1024, "FORMAT.md takes slot-ext modulo 1024");

// --- Decoding --------------------------------------------------------------------------------

// A cursor over data[0 .. size). Every read checks the bound first and reports running out
// with `false`; nothing ever reads at or past `size`.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  size_t pos() const { return pos_; }
  bool at_end() const { return pos_ == size_; }

  bool byte(uint8_t* out) {
    if (pos_ == size_) return false;
    *out = data_[pos_++];
    return true;
  }

  // LEB128, low bits first. At most kMaxVarintBytes are read whatever their high bits say, and
  // payload bits past bit 63 are dropped (the shift discards them: unsigned, well defined).
  bool varint(uint64_t* out) {
    uint64_t value = 0;
    for (unsigned i = 0; i < kMaxVarintBytes; ++i) {
      uint8_t b;
      if (!byte(&b)) return false;
      value |= uint64_t{b & 0x7Fu} << (7 * i);
      if ((b & 0x80) == 0) break;
    }
    *out = value;
    return true;
  }

  bool size_operand(uint64_t* out) {
    uint8_t s;
    if (!byte(&s)) return false;
    if (s < kSizeEdgeBase) {
      *out = s;
      return true;
    }
    if (s < kSizeVarint) {
      *out = kEdges[s - kSizeEdgeBase];
      return true;
    }
    return varint(out);
  }

  bool align_operand(uint64_t* out) {
    uint8_t a;
    if (!byte(&a)) return false;
    if (a < kAlignOddBase) {
      *out = uint64_t{1} << a;
    } else if (a < kAlignDirectBase) {
      *out = kAlignOdd[a - kAlignOddBase];
    } else if (a < kAlignVarint) {
      *out = a - kAlignDirectBase;
    } else {
      return varint(out);
    }
    return true;
  }

  bool operand(Arg arg, uint64_t* out) {
    switch (arg) {
      case Arg::kNone:
        *out = 0;
        return true;
      case Arg::kSize:
        return size_operand(out);
      case Arg::kAlign:
        return align_operand(out);
      case Arg::kCount: {
        uint8_t k;
        if (!byte(&k)) return false;
        *out = k;
        return true;
      }
    }
    return false;  // not reached: every Arg is handled above
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// What one item of the input decoded to.
enum class Item {
  kOp,        // an operation, in *op, `repeat` times
  kReserved,  // an escape with a reserved extension value: nothing (FORMAT.md, "Opcodes")
  kCut,       // the bytes ran out (*op is then unspecified); *cut says inside what
};

// Reads a slot-ext-style varint and takes `base + ext` modulo kMaxSlots. The sum may wrap mod
// 2^64, but 1024 divides 2^64, so the wrapped sum has the same residue as the true one.
bool slot_varint(Reader& in, uint64_t base, uint32_t* slot) {
  uint64_t ext;
  if (!in.varint(&ext)) return false;
  *slot = static_cast<uint32_t>((base + ext) % kMaxSlots);
  return true;
}

// A repeat's count and step (FORMAT.md, "Repeat"); a single operation is {1, 0, false}.
struct Repeat {
  uint64_t count = 1;
  uint32_t step = 0;
  bool repeated = false;  // from the repeat form: its count is taken from the budget
};

// One item from the reader. `allow_repeat` is false for the operation a repeat applies to: a
// repeat of a repeat is nothing, as a reserved value is.
Item decode_op(Reader& in, Op* op, Repeat* repeat, const char** cut, bool allow_repeat = true) {
  // *cut names the item from its first byte on (the caller never asks before that byte).
  uint8_t c;
  *cut = "operation";
  if (!in.byte(&c)) return Item::kCut;
  op->slot = 0;
  const OpInfo* info = &op_info(*kPrimaryMap[c & 0x0F]);
  const unsigned high = c >> 4;
  const bool escape = !info->has_slot && high == kHighNibbleMore;
  *cut = escape ? "extended operation" : info->name;
  if (escape) {
    // The escape: the operation is the extension byte's row; its slot, if any, is a varint.
    uint8_t e;
    if (!in.byte(&e)) return Item::kCut;
    if (e == kRepeatExtended) {
      // A repeat of a repeat: the inner escape and 0xFF are nothing, and so is the outer one.
      if (!allow_repeat) return Item::kReserved;
      *cut = "repeat";
      uint64_t count;
      uint64_t step;
      if (!in.varint(&count) || !in.varint(&step)) return Item::kCut;
      Repeat inner;
      const char* inner_cut = nullptr;
      const Item item = decode_op(in, op, &inner, &inner_cut, /*allow_repeat=*/false);
      if (item != Item::kOp) return item;  // kCut keeps *cut: the repeat is what was cut
      repeat->count = count < kMaxRepeat ? count : kMaxRepeat;
      repeat->repeated = true;
      repeat->step = static_cast<uint32_t>(step % kMaxSlots);
      return Item::kOp;
    }
    const std::optional<OpKind> kind = kExtendedMap[e];
    if (!kind) return Item::kReserved;
    info = &op_info(*kind);
    *cut = info->name;
    if (info->has_slot && !slot_varint(in, 0, &op->slot)) return Item::kCut;
  } else if (info->has_slot) {
    if (high < kSlotInOpcode) {
      op->slot = high;
    } else if (!slot_varint(in, kSlotInOpcode, &op->slot)) {
      return Item::kCut;
    }
  }
  op->kind = info->kind;
  for (size_t i = 0; i < 2; ++i) {
    if (!in.operand(info->args[i], &op->args[i])) return Item::kCut;
  }
  return Item::kOp;
}

// --- Encoding --------------------------------------------------------------------------------

void put_varint(uint64_t value, std::vector<uint8_t>* out) {
  // Minimal: stop as soon as the rest is zero (0 itself is one byte).
  while (value >= 0x80) {
    out->push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<uint8_t>(value));
}

void put_size(uint64_t size, std::vector<uint8_t>* out) {
  // The direct form wins over EDGE: EDGE's first entries (112 .. 127) are also below 0x80.
  if (size < kSizeEdgeBase) {
    out->push_back(static_cast<uint8_t>(size));
    return;
  }
  for (size_t i = 0; i < kEdgeCount; ++i) {
    if (kEdges[i] == size) {
      out->push_back(static_cast<uint8_t>(kSizeEdgeBase + i));
      return;
    }
  }
  out->push_back(kSizeVarint);
  put_varint(size, out);
}

void put_align(uint64_t align, std::vector<uint8_t>* out) {
  // In the order the decoder tries: a power of two, ALIGN_ODD, a small value, a varint.
  if (align != 0 && (align & (align - 1)) == 0) {
    out->push_back(static_cast<uint8_t>(__builtin_ctzll(align)));
    return;
  }
  for (size_t i = 0; i < kAlignOddCount; ++i) {
    if (kAlignOdd[i] == align) {
      out->push_back(static_cast<uint8_t>(kAlignOddBase + i));
      return;
    }
  }
  if (align < kAlignVarint - kAlignDirectBase) {
    out->push_back(static_cast<uint8_t>(kAlignDirectBase + align));
    return;
  }
  out->push_back(kAlignVarint);
  put_varint(align, out);
}

// The run of operations that starts at ops[i]: the longest (at most kMaxRepeat) in which each
// is ops[i] with the slot advanced by the same step (mod kMaxSlots; 0 for slotless rows).
Repeat run_at(const std::vector<Op>& ops, size_t i) {
  Repeat run;
  if (i + 1 >= ops.size()) return run;
  const Op& first = ops[i];
  const bool has_slot = op_info(first.kind).has_slot;
  const uint32_t step = has_slot ? (ops[i + 1].slot + kMaxSlots - first.slot) % kMaxSlots : 0;
  Op next = first;
  while (i + run.count < ops.size() && run.count < kMaxRepeat) {
    if (has_slot) next.slot = (next.slot + step) % kMaxSlots;
    if (!(ops[i + run.count] == next)) break;
    ++run.count;
  }
  run.step = step;
  return run;
}

}  // namespace

std::span<const uint64_t> edge_sizes() { return kEdges; }
std::span<const uint64_t> align_odd_values() {
  return std::span<const uint64_t>(kAlignOdd.data(), kAlignOddCount);
}

DecodeStatus decode_binary(const uint8_t* data, size_t size, Program* out,
                           const DecodeOptions& options) {
  // Reset everything, keeping capacity. "free-array" fits in any std::string's inline buffer,
  // and assignment never shrinks, so none of this allocates.
  out->header.placement = Placement::kHigh;
  out->header.limit.reset();
  out->header.left_out = options.left_out;
  out->header.heap.assign(kDefaultHeap);
  out->header.defect.clear();
  out->header.expect.reset();
  out->ops.clear();

  DecodeStatus status;
  Reader in(data, size);
  uint8_t config;
  if (!in.byte(&config)) return status;  // empty input: the empty program, placement high
  if (config & kConfigLow) out->header.placement = Placement::kLow;
  // Bits 2-7 are reserved and ignored.
  if (config & kConfigLimit) {
    // A limit whose varint runs out is treated like a cut operation: it is dropped (no limit)
    // and the input is reported truncated where the limit began.
    const size_t start = in.pos();
    uint64_t limit;
    if (!in.varint(&limit)) {
      status.truncated = true;
      status.truncated_at = start;
      status.cut = "limit";
      return status;
    }
    out->header.limit = limit;
  }

  uint64_t budget = kRepeatBudget;  // what repeats may still expand to
  while (!in.at_end() && out->ops.size() < kMaxOps) {
    const size_t start = in.pos();
    Op op;
    Repeat repeat;
    const char* cut = nullptr;
    switch (decode_op(in, &op, &repeat, &cut)) {
      case Item::kOp:
        if (repeat.repeated) {
          repeat.count = repeat.count < budget ? repeat.count : budget;
          budget -= repeat.count;
        }
        if (left_out(options.left_out, op.kind)) {
          status.skipped += repeat.count;
          break;
        }
        for (uint64_t i = 0; i < repeat.count && out->ops.size() < kMaxOps; ++i) {
          out->ops.push_back(op);
          if (op_info(op.kind).has_slot) op.slot = (op.slot + repeat.step) % kMaxSlots;
        }
        break;
      case Item::kReserved:
        break;
      case Item::kCut:
        status.truncated = true;  // the partial item is dropped
        status.truncated_at = start;
        status.cut = cut;
        return status;
    }
  }
  return status;
}

std::string describe_truncation(const DecodeStatus& status, size_t size) {
  if (!status.truncated) return "";
  if (status.truncated_at >= size) {
    // Only a limit can begin at the end: the config byte announced it, and no byte followed.
    return "the limit that byte 0 announces is missing, dropped as the fuzzer drops it (no limit)";
  }
  const size_t last = size > status.truncated_at ? size - 1 : status.truncated_at;
  std::string where =
      last == status.truncated_at
          ? "byte " + std::to_string(status.truncated_at) + " is"
          : "bytes " + std::to_string(status.truncated_at) + ".." + std::to_string(last) + " are";
  const std::string_view what = status.cut != nullptr ? status.cut : "operation";
  if (what == "limit") {
    return where + " an incomplete limit, dropped as the fuzzer drops it (no limit)";
  }
  return where + " an incomplete last operation (" + std::string(what) +
         "), dropped as the fuzzer drops " + (last == status.truncated_at ? "it" : "them");
}

std::string describe_skipped(const DecodeStatus& status, FamilySet left_out) {
  if (status.skipped == 0) return "";
  return std::to_string(status.skipped) +
         (status.skipped == 1 ? " operation of a left-out family ("
                              : " operations of left-out families (") +
         format_family_list(left_out) + ") " + (status.skipped == 1 ? "was" : "were") +
         " skipped, as the fuzzer skips them";
}

std::vector<uint8_t> encode_binary(const Program& program) {
  std::vector<uint8_t> out;
  out.reserve(2 + program.ops.size() * 2);  // a guess: most canonical ops take one to three

  const ProgramHeader& header = program.header;
  uint8_t config = 0;
  if (header.placement == Placement::kLow) config |= kConfigLow;
  if (header.limit) config |= kConfigLimit;
  out.push_back(config);
  if (header.limit) put_varint(*header.limit, &out);

  const std::vector<Op>& ops = program.ops;
  uint64_t budget = kRepeatBudget;  // as the decoder counts it
  for (size_t i = 0; i < ops.size();) {
    const Op& op = ops[i];
    const OpInfo& info = op_info(op.kind);
    const Repeat run = run_at(ops, i);
    i += run.count;
    // A run the budget cannot hold whole is written operation by operation.
    if (run.count >= kMinRepeatRun && run.count <= budget) {
      budget -= run.count;
      out.push_back(kEscapeCanonical);
      out.push_back(kRepeatExtended);
      put_varint(run.count, &out);
      put_varint(run.step, &out);
    } else {
      i -= run.count - 1;  // a short run is written op by op
    }
    const CanonicalOpcode opcode = canonical_opcode(op.kind);
    // A valid program's slots are below kMaxSlots; anything else would not come back.
    assert(!info.has_slot || op.slot < kMaxSlots);
    if (opcode.size == 2) {
      // Escape, extension value, then the slot (if any) as a varint.
      out.push_back(opcode.bytes[0]);
      out.push_back(opcode.bytes[1]);
      if (info.has_slot) put_varint(op.slot, &out);
    } else if (!info.has_slot) {
      out.push_back(opcode.bytes[0]);  // c >> 4 is written 0 for operations without a slot
    } else if (op.slot < kSlotInOpcode) {
      out.push_back(static_cast<uint8_t>(opcode.bytes[0] | op.slot << 4));
    } else {
      out.push_back(static_cast<uint8_t>(opcode.bytes[0] | kSlotInOpcode << 4));
      put_varint(op.slot - kSlotInOpcode, &out);
    }
    for (size_t i = 0; i < 2; ++i) {
      switch (info.args[i]) {
        case Arg::kNone:
          break;
        case Arg::kSize:
          put_size(op.args[i], &out);
          break;
        case Arg::kAlign:
          put_align(op.args[i], &out);
          break;
        case Arg::kCount:
          assert(op.args[i] <= kMaxFailGrow);  // one byte; the text parser enforces K <= 255
          out.push_back(static_cast<uint8_t>(op.args[i]));
          break;
      }
    }
  }
  return out;
}

}  // namespace allocfuzz
