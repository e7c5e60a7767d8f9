// The rigs and shared programs of the executor's tests (executor_rig.h).
#include "tests/harness/executor_rig.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops_text.h"

namespace allocfuzz::testing {

Program Parse(std::string_view text) {
  ParseResult result = parse_ops_text(text);
  EXPECT_FALSE(result.error.has_value())
      << "line " << result.error->line << ": " << result.error->message;
  return result.program;
}

std::string Describe(const std::optional<Finding>& f) {
  if (!f) return "ok";
  std::string offset = f->offset == SIZE_MAX ? "-" : std::to_string(f->offset);
  return f->kind.text() + " @" + std::to_string(f->op_index) + " [" +
         std::string(oracle_name(f->oracle)) + "] " + offset + ": " + f->message;
}

bool InitRegion(PseudoBrk& region, Placement placement) {
  RegionOptions options;
  options.reserve_bytes = kReserve;
  options.placement = placement;
  int rc = region.init(options);
  EXPECT_EQ(rc, 0) << "cannot reserve the " << placement_name(placement) << " region";
  return rc == 0;
}

std::unique_ptr<Rig> MakeSeedRig(Placement placement) {
  auto rig = std::make_unique<Rig>();
  if (!InitRegion(rig->region, placement)) return nullptr;
  const HeapKind* kind = find_heap_kind(kDefaultHeap);
  EXPECT_NE(kind, nullptr);
  if (kind == nullptr) return nullptr;
  rig->heap = kind->make(rig->region);
  rig->executor = std::make_unique<Executor>(rig->region, *rig->heap);
  return rig;
}

const std::string_view kEveryPath = R"(# allocfuzz ops v1
malloc s0 24          # 0  [0,32) from a fresh break
malloc s1 100         # 1  [32,144)
malloc s2 24          # 2  [144,176)
realloc s1 40         # 3  shrink in place: the 64-byte tail becomes a free block
realloc s1 48         # 4  grow into the free successor, splitting it
realloc s1 140        # 5  no room around: malloc + copy + free, moves to [176,328)
realloc s2 100        # 6  grow into the free predecessor: moves down to [32,144)
realloc s1 200        # 7  grow in place at the top, inside the preallocation
realloc s1 5000       # 8  grow in place at the top, growing the break
realloc s1 5000       # 9  same size
realloc s1 4990       # 10 shrink at the top: the 8-byte tail goes back to the top
realloc s0 8          # 11 shrink by 16 next to a used block: kept as slack
realloc s2 96         # 12 shrink: an 8-byte tail joins the free successor
realloc s2 130        # 13 grow into the free successor, taking all of it
malloc s3 24          # 14 [5176,5208)
malloc s4 24          # 15 [5208,5240)
malloc s5 24          # 16 [5240,5272)
malloc s6 24          # 17 [5272,5304)
free s3               # 18
free s5               # 19
realloc s4 80         # 20 grow into predecessor and successor together: moves to [5176,5272)
realloc s6 0          # 21 realloc(p, 0) frees
realloc s7 64         # 22 realloc of an empty slot is malloc
calloc s8 10 10       # 23 [5344,5456)
free s0               # 24
calloc s9 2 4         # 25 calloc of reused memory (s0's old block)
fill s9               # 26
fill s2               # 27
foreign-grow 1000     # 28 another party moves the break
realloc s8 20000      # 29 at the top, but the break moved: fence, moves to [14384,34392)
foreign-release       # 30 its span is no longer at the top: nothing happens
check                 # 31
free s8               # 32
foreign-grow 2048     # 33
foreign-release       # 34 at the top: given back
malloc s10 100000     # 35
fail-grow 2           # 36
malloc s11 1000000    # 37 both growth attempts refused: a fair NULL
fail-grow 4           # 38
realloc s10 300000    # 39 in place and the fallback both refused: NULL, s10 stays
realloc s10 200000    # 40 grows in place
malloc s12 1000000    # 41
foreign-grow 4096     # 42
free s12              # 43 a free top, but the break is not the heap's: no release
foreign-release       # 44
malloc s13 2000000    # 45
free s13              # 46 the break is lowered
malloc s1 24          # 47 into a live slot: s1 is freed first
free s1               # 48
free s1               # 49 empty slot
fill s14              # 50 empty slot
realloc s15 0         # 51 realloc(NULL, 0)
malloc s16 0          # 52
calloc s17 0 8        # 53
calloc s18 4294967296 4294967296   # 54 overflow: refused
malloc s19 1099511627776           # 55 larger than the region: refused
malloc s20 24         # 56
malloc s21 24         # 57
free s17              # 58
free s21              # 59
free s20              # 60 coalesces with both neighbours
)";

Program ManyLiveBlocks() {
  Program program;
  auto op = [&program](OpKind kind, uint32_t slot, uint64_t size) {
    Op o;
    o.kind = kind;
    o.slot = slot;
    o.args[0] = size;
    program.ops.push_back(o);
  };
  constexpr uint32_t kLive = 600;
  for (uint32_t s = 0; s < kLive; ++s) op(OpKind::kMalloc, s, 64);
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    uint32_t s = rng() % kLive;
    switch (i % 4) {
      case 0:
        op(OpKind::kFill, s, 0);
        break;
      case 1:
        op(OpKind::kRealloc, s, 56 + 8 * (rng() % 2));
        break;
      case 2:
        op(OpKind::kFree, s, 0);
        break;
      default:
        op(OpKind::kMalloc, s, 64);
        break;
    }
  }
  return program;
}

Program RandomProgram(uint32_t seed, size_t count, uint32_t slots, Placement placement) {
  static constexpr uint64_t kSizes[] = {0,   1,   7,   8,   9,   15,   16,   17,   23,   24,
                                        25,  31,  32,  33,  40,  48,   56,   64,   100,  127,
                                        128, 129, 255, 256, 500, 1000, 4088, 4096, 4104, 10000};
  static constexpr uint64_t kForeign[] = {1, 7, 8, 100, 4096, 10000};
  std::mt19937 rng(seed);
  Program program;
  program.header.placement = placement;
  for (size_t i = 0; i < count; ++i) {
    Op op;
    op.slot = rng() % slots;
    uint32_t r = rng() % 100;
    uint64_t size = kSizes[rng() % (sizeof kSizes / sizeof kSizes[0])];
    if (r < 30) {
      op.kind = OpKind::kMalloc;
      op.args[0] = size;
    } else if (r < 35) {
      op.kind = OpKind::kCalloc;
      op.args[0] = 1 + rng() % 8;
      op.args[1] = size;
    } else if (r < 60) {
      op.kind = OpKind::kRealloc;
      op.args[0] = size;
    } else if (r < 85) {
      op.kind = OpKind::kFree;
    } else if (r < 92) {
      op.kind = OpKind::kFill;
    } else if (r < 93) {
      op.kind = OpKind::kCheck;
      op.slot = 0;
    } else if (r < 96) {
      op.kind = OpKind::kForeignGrow;
      op.slot = 0;
      op.args[0] = kForeign[rng() % (sizeof kForeign / sizeof kForeign[0])];
    } else if (r < 98) {
      op.kind = OpKind::kForeignRelease;
      op.slot = 0;
    } else {
      op.kind = OpKind::kFailGrow;
      op.slot = 0;
      op.args[0] = 1 + rng() % 3;
    }
    program.ops.push_back(op);
  }
  return program;
}

}  // namespace allocfuzz::testing
