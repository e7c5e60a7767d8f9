// The opcode space of the binary format (FORMAT.md, "Opcodes"), derived from the opcode values
// each row of ALLOCFUZZ_OPS (ops.h) names, and checked at compile time:
//   - the primary rows' values are disjoint and cover all 16 values of c & 15;
//   - the extended rows' values are disjoint, and at least kMinFreeExtended of the 256 stay free;
//   - the escape bytes are bytes of rows without a slot, so they take nothing from slots.
// The codec (binary_codec.cc) decodes through these maps; tests print the dictionary and the
// opcode column of FORMAT.md from them.
#ifndef ALLOCFUZZ_FUZZ_OPCODES_H_
#define ALLOCFUZZ_FUZZ_OPCODES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "fuzz/program/ops.h"

namespace allocfuzz {

inline constexpr unsigned kPrimaryValues = 16;    // c & 15
inline constexpr unsigned kExtendedValues = 256;  // the extension byte

// c >> 4 == 15 means "more bytes follow": a slot-ext for a row with a slot, an extension byte
// for a row without one. So the escape bytes are c = 0xFC-0xFF (the rows without a slot own
// 0xC-0xF), each followed by one extension byte; their low nibble is ignored.
inline constexpr unsigned kHighNibbleMore = 15;
inline constexpr uint8_t kEscapeFirst = 0xFC;
inline constexpr uint8_t kEscapeLast = 0xFF;
inline constexpr uint8_t kEscapeCanonical = kEscapeFirst;  // what the encoder writes

// Room to grow: adding this many extended rows must still be possible.
inline constexpr unsigned kMinFreeExtended = 16;

// The extension value of the repeat form (FORMAT.md, "Repeat"): not an operation but a count
// and a step for the operation after it. No row may take it.
inline constexpr uint8_t kRepeatExtended = 0xFF;

namespace opcodes_detail {

// How many rows of `space` hold `value`.
constexpr unsigned holders(OpcodeSpace space, unsigned value) {
  unsigned n = 0;
  for (const OpInfo& info : kOps) {
    if (info.opcodes.space == space && info.opcodes.holds(value)) ++n;
  }
  return n;
}

constexpr bool ranges_well_formed() {
  for (const OpInfo& info : kOps) {
    if (info.opcodes.first > info.opcodes.last) return false;
    if (info.opcodes.space == OpcodeSpace::kPrimary && info.opcodes.last >= kPrimaryValues) {
      return false;
    }
  }
  return true;
}

constexpr bool primary_covered_once() {
  for (unsigned v = 0; v < kPrimaryValues; ++v) {
    if (holders(OpcodeSpace::kPrimary, v) != 1) return false;
  }
  return true;
}

constexpr bool extended_disjoint() {
  for (unsigned v = 0; v < kExtendedValues; ++v) {
    if (holders(OpcodeSpace::kExtended, v) > 1) return false;
  }
  return true;
}

constexpr unsigned free_extended() {
  unsigned n = 0;
  for (unsigned v = 0; v < kExtendedValues; ++v) {
    n += v != kRepeatExtended && holders(OpcodeSpace::kExtended, v) == 0;
  }
  return n;
}

template <size_t N>
constexpr std::array<std::optional<OpKind>, N> make_map(OpcodeSpace space) {
  std::array<std::optional<OpKind>, N> map{};
  for (const OpInfo& info : kOps) {
    if (info.opcodes.space != space) continue;
    for (unsigned v = info.opcodes.first; v <= info.opcodes.last; ++v) map[v] = info.kind;
  }
  return map;
}

}  // namespace opcodes_detail

static_assert(opcodes_detail::ranges_well_formed(),
              "an opcode range in ALLOCFUZZ_OPS (ops.h) is reversed or leaves its space");
static_assert(opcodes_detail::primary_covered_once(),
              "every primary opcode value 0x0-0xF belongs to exactly one row of ALLOCFUZZ_OPS");
static_assert(opcodes_detail::extended_disjoint(),
              "two rows of ALLOCFUZZ_OPS share an extended opcode value");
static_assert(opcodes_detail::holders(OpcodeSpace::kExtended, kRepeatExtended) == 0,
              "the repeat form's extension value 0xFF belongs to no row of ALLOCFUZZ_OPS");
static_assert(opcodes_detail::free_extended() >= kMinFreeExtended,
              "fewer than 16 extended opcode values are free: time for a second escape");

// c & 15 -> its row (every value has one).
inline constexpr std::array<std::optional<OpKind>, kPrimaryValues> kPrimaryMap =
    opcodes_detail::make_map<kPrimaryValues>(OpcodeSpace::kPrimary);
// Extension byte -> its row, or nullopt: reserved (decodes to nothing), or kRepeatExtended.
inline constexpr std::array<std::optional<OpKind>, kExtendedValues> kExtendedMap =
    opcodes_detail::make_map<kExtendedValues>(OpcodeSpace::kExtended);

// Whether opcode byte c is an escape: its row has no slot and its high nibble is 15.
constexpr bool is_escape(uint8_t c) {
  return (c >> 4) == kHighNibbleMore && !op_info(*kPrimaryMap[c & 0x0F]).has_slot;
}

constexpr bool escapes_are_exactly_the_escape_range() {
  for (unsigned c = 0; c < 256; ++c) {
    const bool in_range = kEscapeFirst <= c && c <= kEscapeLast;
    if (is_escape(static_cast<uint8_t>(c)) != in_range) return false;
  }
  return true;
}
static_assert(escapes_are_exactly_the_escape_range(),
              "the escape bytes 0xFC-0xFF must be the bytes of the rows without a slot "
              "(0xC-0xF) whose high nibble is 15");

// The opcode bytes the encoder writes for `kind`, before any slot-ext or operand: one byte (the
// row's first primary value, slot 0 in the high nibble) or two (the escape and the row's first
// extended value).
struct CanonicalOpcode {
  uint8_t bytes[2];
  uint8_t size;
};
constexpr CanonicalOpcode canonical_opcode(OpKind kind) {
  const OpcodeValues& values = op_info(kind).opcodes;
  if (values.space == OpcodeSpace::kPrimary) return {{values.first, 0}, 1};
  return {{kEscapeCanonical, values.first}, 2};
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_OPCODES_H_
