// The one table of operations. Every layer that knows operations reads it: the binary
// decoder/encoder (binary_codec.cc), the .ops printer/parser (ops_text.cc), the executor
// (executor.cc) and the docs (FORMAT.md). Adding an operation is one row here and one case in
// the executor.
//
// Operations (DESIGN.md section 5): slots are small integers naming live blocks; malloc and
// calloc into a live slot free the old block first; free of an empty slot does nothing;
// realloc of an empty slot is realloc(NULL, SIZE), i.e. malloc. After every successful
// malloc/calloc/realloc the executor writes the user's pattern over the whole requested range.
#ifndef ALLOCFUZZ_FUZZ_OPS_H_
#define ALLOCFUZZ_FUZZ_OPS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/region/reserved_range.h"

namespace allocfuzz {

// What an operand is, which fixes how it is printed, parsed and encoded.
enum class Arg : uint8_t {
  kNone,
  kSize,   // a byte count, 64-bit; binary: size class byte (edges) or varint
  kCount,  // a small count (fail-grow K), 0..255; binary: one byte
};

// X(enumerator, name in .ops text, takes a slot, first operand, second operand,
//   binary weight: how many of the 16 opcode values decode to it — common operations get more,
//   the operands' names in messages ("calloc needs 3 operands (slot, count, size)"))
// clang-format off
#define ALLOCFUZZ_OPS(X)                                                                  \
  X(kMalloc, "malloc", true, Arg::kSize, Arg::kNone, 4, "size", "")                       \
  X(kCalloc, "calloc", true, Arg::kSize, Arg::kSize, 1, "count", "size")                  \
  X(kRealloc, "realloc", true, Arg::kSize, Arg::kNone, 3, "size", "")                     \
  X(kFree, "free", true, Arg::kNone, Arg::kNone, 3, "", "")                               \
  X(kFill, "fill", true, Arg::kNone, Arg::kNone, 1, "", "")                               \
  X(kCheck, "check", false, Arg::kNone, Arg::kNone, 1, "", "")                            \
  X(kForeignGrow, "foreign-grow", false, Arg::kSize, Arg::kNone, 1, "size", "")           \
  X(kForeignRelease, "foreign-release", false, Arg::kNone, Arg::kNone, 1, "", "")         \
  X(kFailGrow, "fail-grow", false, Arg::kCount, Arg::kNone, 1, "count", "")
// clang-format on

enum class OpKind : uint8_t {
#define ALLOCFUZZ_X(e, name, slot, a0, a1, weight, n0, n1) e,
  ALLOCFUZZ_OPS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};

struct OpInfo {
  OpKind kind;
  const char* name;
  bool has_slot;
  Arg args[2];
  unsigned weight;
  const char* arg_names[2];  // for messages; calloc's COUNT is encoded as a size
};

inline constexpr OpInfo kOps[] = {
#define ALLOCFUZZ_X(e, name, slot, a0, a1, weight, n0, n1) \
  {OpKind::e, name, slot, {a0, a1}, weight, {n0, n1}},
    ALLOCFUZZ_OPS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
};
inline constexpr size_t kOpCount = sizeof kOps / sizeof kOps[0];

inline const OpInfo& op_info(OpKind kind) { return kOps[static_cast<size_t>(kind)]; }
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

// Header lines of .ops files. Placement and limit are also in the binary encoding; the rest
// exist only in text.
struct ProgramHeader {
  Placement placement = Placement::kHigh;
  std::optional<uint64_t> limit;   // `# limit: BYTES` — the region's break may not pass it
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
