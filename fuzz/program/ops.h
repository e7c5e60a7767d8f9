// The one table of operations. Every layer that knows operations reads it: the binary
// decoder/encoder (binary_codec.cc), the .ops printer/parser (ops_text.cc), the executor
// (executor.cc) and the docs (FORMAT.md). Adding an operation is one row here (with opcode
// values of its own) and one case in the executor.
//
// Operations (docs/DESIGN.md section 5): slots are small integers naming live blocks; malloc and
// calloc into a live slot free the old block first; free of an empty slot does nothing;
// realloc of an empty slot is realloc(NULL, SIZE), i.e. malloc. After every successful
// malloc/calloc/realloc the executor writes the user's pattern over the whole requested range.
// The aligned calls (memalign, aligned_alloc, posix_memalign sN ALIGN SIZE) are malloc with an
// alignment; free_sized and free_aligned_sized are free telling the block's size (and
// alignment); `usable sN` asks the usable size and writes the pattern over all of it.
#ifndef ALLOCFUZZ_FUZZ_OPS_H_
#define ALLOCFUZZ_FUZZ_OPS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/region/reserved_range.h"
#include "fuzz/program/capabilities.h"

namespace allocfuzz {

// What an operand is, which fixes how it is printed, parsed and encoded.
enum class Arg : uint8_t {
  kNone,
  kSize,   // a byte count, 64-bit; binary: size class byte (edges) or varint
  kCount,  // a small count (fail-grow K), 0..255; binary: one byte
  kAlign,  // an alignment, 64-bit, any value (bad ones too); binary: align byte (powers of
           // two, ALIGN_ODD, small values) or varint (FORMAT.md, "align")
};

// Where an operation's binary opcode values live (FORMAT.md, "Opcodes"). Each row names its
// values explicitly, so that a row's place in the table never decides a byte's meaning: adding
// a row never changes what an existing byte decodes to.
enum class OpcodeSpace : uint8_t {
  kPrimary,   // the opcode byte's low nibble, c & 15: 16 values, all taken by the rows below
  kExtended,  // the extension byte e after an escape opcode byte (c = 0xFC-0xFF): 256 values
};

// The values first .. last (inclusive) of `space`. In the primary space a row's value count is
// its weight: how often a random opcode byte decodes to it (common operations get more).
struct OpcodeValues {
  OpcodeSpace space;
  uint8_t first;
  uint8_t last;
  constexpr unsigned count() const { return last - first + 1u; }
  constexpr bool holds(unsigned value) const { return first <= value && value <= last; }
};
constexpr OpcodeValues primary(uint8_t first, uint8_t last) {
  return {OpcodeSpace::kPrimary, first, last};
}
constexpr OpcodeValues extended(uint8_t first, uint8_t last) {
  return {OpcodeSpace::kExtended, first, last};
}

// Families of operations: what a run or a program can leave out (`# ops: -foreign`, `--ops=`,
// ALLOCFUZZ_OPS), so that a user fuzzes the plain API first and adds fault injection after.
// X(enumerator, name, what it holds). Every operation is of exactly one family (the column of
// ALLOCFUZZ_OPS below); the header settings (placement, limit) are no operations and no family.
// clang-format off
#define ALLOCFUZZ_FAMILIES(X)                                                                  \
  X(kApi, "api", "malloc, calloc, realloc and free: the allocator's API")                      \
  X(kFill, "fill", "fill: the user rewrites a block's requested range")                        \
  X(kCheck, "check", "check: a full heap check at that point")                                 \
  X(kForeign, "foreign", "foreign-grow and foreign-release: another party moves the break")    \
  X(kFailGrow, "fail-grow", "fail-grow: the next break growths fail with ENOMEM")             \
  X(kAligned, "aligned", "memalign, aligned_alloc and posix_memalign: aligned allocation")     \
  X(kSized, "sized", "free_sized, free_aligned_sized and usable: a block's size told or asked")
// clang-format on

enum class Family : uint8_t {
#define ALLOCFUZZ_X(e, name, what) e,
  ALLOCFUZZ_FAMILIES(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

struct FamilyInfo {
  Family family;
  const char* name;
  const char* what;
};

inline constexpr FamilyInfo kFamilies[] = {
#define ALLOCFUZZ_X(e, name, what) {Family::e, name, what},
    ALLOCFUZZ_FAMILIES(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};
inline constexpr size_t kFamilyCount = sizeof kFamilies / sizeof kFamilies[0];

// A set of families, one bit each (bit i: kFamilies[i]); used for the families left out.
using FamilySet = uint8_t;
static_assert(kFamilyCount <= 8, "FamilySet has a bit per family");
constexpr FamilySet family_bit(Family family) {
  return static_cast<FamilySet>(1u << static_cast<unsigned>(family));
}

// X(enumerator, name in .ops text, family (an enumerator of ALLOCFUZZ_FAMILIES), takes a slot,
//   first operand, second operand,
//   opcode values (never change those of an existing row: every corpus depends on them; a new
//   operation takes free values of the extended space, e.g. extended(0x00, 0x03)),
//   the operands' names in messages ("calloc needs 3 operands (slot, count, size)"),
//   what it needs of a heap (a CapabilitySet, capabilities.h): a heap without it never runs it)
// The new rows take 16 extended values each: an escape byte is 4 in 256, so that random bytes
// still reach them (the weight among extended operations, as among primary ones).
// fuzz/program/opcodes.h checks at compile time that the values are disjoint and cover the
// primary space; tests/program/binary_format_v2_test.cc pins every byte's meaning.
// clang-format off
#define ALLOCFUZZ_OPS(X)                                                                                                   \
  X(kMalloc, "malloc", kApi, true, Arg::kSize, Arg::kNone, primary(0x0, 0x3), "size", "", kNeedsNothing)                   \
  X(kCalloc, "calloc", kApi, true, Arg::kSize, Arg::kSize, primary(0x4, 0x4), "count", "size", kNeedsNothing)              \
  X(kRealloc, "realloc", kApi, true, Arg::kSize, Arg::kNone, primary(0x5, 0x7), "size", "", kNeedsNothing)                 \
  X(kFree, "free", kApi, true, Arg::kNone, Arg::kNone, primary(0x8, 0xA), "", "", kNeedsNothing)                           \
  X(kFill, "fill", kFill, true, Arg::kNone, Arg::kNone, primary(0xB, 0xB), "", "", kNeedsNothing)                          \
  X(kCheck, "check", kCheck, false, Arg::kNone, Arg::kNone, primary(0xC, 0xC), "", "", kNeedsNothing)                      \
  X(kForeignGrow, "foreign-grow", kForeign, false, Arg::kSize, Arg::kNone, primary(0xD, 0xD), "size", "", kNeedsNothing)   \
  X(kForeignRelease, "foreign-release", kForeign, false, Arg::kNone, Arg::kNone, primary(0xE, 0xE), "", "", kNeedsNothing) \
  X(kFailGrow, "fail-grow", kFailGrow, false, Arg::kCount, Arg::kNone, primary(0xF, 0xF), "count", "", kNeedsNothing)         \
  X(kMemalign, "memalign", kAligned, true, Arg::kAlign, Arg::kSize, extended(0x00, 0x0F), "align", "size", kNeedsAligned)    \
  X(kAlignedAlloc, "aligned_alloc", kAligned, true, Arg::kAlign, Arg::kSize, extended(0x10, 0x1F), "align", "size",          \
    kNeedsAligned)                                                                                                           \
  X(kPosixMemalign, "posix_memalign", kAligned, true, Arg::kAlign, Arg::kSize, extended(0x20, 0x2F), "align", "size",        \
    kNeedsAligned)                                                                                                           \
  X(kFreeSized, "free_sized", kSized, true, Arg::kNone, Arg::kNone, extended(0x30, 0x3F), "", "", kNeedsSizedFree)            \
  X(kFreeAlignedSized, "free_aligned_sized", kSized, true, Arg::kNone, Arg::kNone, extended(0x40, 0x4F), "", "",              \
    kNeedsSizedFree)                                                                                                         \
  X(kUsable, "usable", kSized, true, Arg::kNone, Arg::kNone, extended(0x50, 0x5F), "", "", kNeedsUsableSize)
// clang-format on

enum class OpKind : uint8_t {
#define ALLOCFUZZ_X(e, name, family, slot, a0, a1, opcodes, n0, n1, needs) e,
  ALLOCFUZZ_OPS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

struct OpInfo {
  OpKind kind;
  const char* name;
  Family family;
  bool has_slot;
  Arg args[2];
  OpcodeValues opcodes;
  const char* arg_names[2];  // for messages; calloc's COUNT is encoded as a size
  CapabilitySet needs;       // what a heap must have to run it (kNeedsNothing: every heap)
};

inline constexpr OpInfo kOps[] = {
#define ALLOCFUZZ_X(e, name, family, slot, a0, a1, opcodes, n0, n1, needs) \
  {OpKind::e, name, Family::family, slot, {a0, a1}, opcodes, {n0, n1}, needs},
    ALLOCFUZZ_OPS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};
inline constexpr size_t kOpCount = sizeof kOps / sizeof kOps[0];

constexpr const OpInfo& op_info(OpKind kind) { return kOps[static_cast<size_t>(kind)]; }
// The operation named `name`, or nullopt.
std::optional<OpKind> op_by_name(std::string_view name);

// Slots name live blocks: s0 .. s(kMaxSlots - 1).
inline constexpr uint32_t kMaxSlots = 1024;
// fail-grow K: K in 0 .. kMaxFailGrow.
inline constexpr uint64_t kMaxFailGrow = 255;
// A program holds at most this many operations (the decoder stops there; the parser refuses).
inline constexpr size_t kMaxOps = 100000;

struct Op {
  OpKind kind = OpKind::kCheck;
  uint32_t slot = 0;          // when op_info(kind).has_slot
  uint64_t args[2] = {0, 0};  // as op_info(kind).args says; unused ones are 0
  friend bool operator==(const Op&, const Op&) = default;
};

// `# expect:` in .ops files.
struct Expectation {
  bool violation = false;  // false: "ok"
  std::string kind;        // with violation: "overlap", "heap-invariant:free-tag", "crash:SIGSEGV"
  friend bool operator==(const Expectation&, const Expectation&) = default;
};

inline constexpr std::string_view kDefaultHeap = "free-array";

// `# region-size:` and --region-size=: from one page to the reservation every program's region
// is made in (fuzz/harness/program_region.h).
inline constexpr uint64_t kMinRegionSize = 4096;
inline constexpr uint64_t kMaxRegionSize = uint64_t{64} << 20;
// nullopt for a size in that range, else "region size 100 is outside 4096 .. 67108864 (one page
// to the reservation)".
std::optional<std::string> check_region_size(uint64_t bytes);

// Header lines of .ops files. Placement and limit are also in the binary encoding; the rest
// exist only in text.
struct ProgramHeader {
  Placement placement = Placement::kHigh;
  std::optional<uint64_t> limit;  // `# limit: BYTES` — the region's break may not pass it
  // `# ops: -FAMILY,...`: the families this program leaves out; none of its operations is of
  // one of them. Binary does not carry it: the decoder is told (DecodeOptions) and sets it.
  FamilySet left_out = 0;
  // `# region-size: BYTES` — the region's size for this program, kMinRegionSize ..
  // kMaxRegionSize (default: fuzz/harness/program_region.h's kProgramRegionBytes). Text only.
  std::optional<uint64_t> region_size;
  std::string heap{kDefaultHeap};  // `# heap: NAME`
  std::string defect;              // `# defect: NAME` (empty: none)
  // `# diff: all` or `# diff: NAME NAME...`: run on several heaps and compare them
  // (fuzz/harness/diff_runner.h) instead of on `heap`. Empty: one heap.
  std::vector<std::string> diff;
  std::optional<Expectation> expect;  // `# expect: ...`
  friend bool operator==(const ProgramHeader&, const ProgramHeader&) = default;
};

struct Program {
  ProgramHeader header;
  std::vector<Op> ops;
  friend bool operator==(const Program&, const Program&) = default;
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_OPS_H_
