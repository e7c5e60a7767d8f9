// Tests of the K&R baseline heap `kr` (plugins/kr/kr_malloc.c) as the harness sees it: a
// plugin registered through allocfuzz_add_allocator(... WRAP_BRK), reached by name.
//   - randomized programs with foreign moves and failed growths pass every check after every
//     operation, on both placements, and grow the region's break through the wrapped sbrk;
//   - its self_check names a corrupted free list: a size past the heap's end, free blocks that
//     overlap, and free neighbours left unmerged.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops.h"
#include "fuzz/program/ops_text.h"
#include "tests/support/xorshift.h"

namespace allocfuzz {
namespace {

using testing::edge_biased_size;
using testing::XorShift;

const HeapKind& Kr() {
  const HeapKind* kind = find_heap_kind("kr");
  EXPECT_NE(kind, nullptr) << "plugins/kr is not linked into this test";
  return *kind;
}

// Sizes biased to the edges of K&R's 16-byte units, NALLOC (16 KiB) and the 1 MiB region.
size_t RandomSize(XorShift& rng) {
  static const uint64_t kEdges[] = {0,  1,     15,    16,    17,    31,      32,
                                    33, 16368, 16384, 16400, 65536, 1 << 20, SIZE_MAX};
  return edge_biased_size(rng, kEdges, {{300}, {5000, 8, 200000}});
}

// A random program in .ops text: allocation in all its forms over 24 slots, with the break
// moved by another party and growths refused now and then.
std::string RandomProgram(XorShift& rng, Placement placement) {
  std::string text = "# allocfuzz ops v1\n# region: ";
  text += placement == Placement::kHigh ? "high\n" : "low\n";
  for (int i = 0; i < 150; ++i) {
    const std::string slot = " s" + std::to_string(rng.below(24));
    switch (rng.below(16)) {
      case 0:
        text += "foreign-grow " + std::to_string(1 + rng.below(5000)) + "\n";
        break;
      case 1:
        text += "foreign-release\n";
        break;
      case 2:
        text += "fail-grow " + std::to_string(1 + rng.below(2)) + "\n";
        break;
      case 3:
        text += "calloc" + slot + " " + std::to_string(rng.below(40)) + " " +
                std::to_string(RandomSize(rng) % 100) + "\n";
        break;
      case 4:
      case 5:
      case 6:
        text += "realloc" + slot + " " + std::to_string(RandomSize(rng)) + "\n";
        break;
      case 7:
      case 8:
      case 9:
        text += "free" + slot + "\n";
        break;
      default:
        text += "malloc" + slot + " " + std::to_string(RandomSize(rng)) + "\n";
        break;
    }
  }
  return text;
}

TEST(KrHeap, IsRegisteredWithItsAlignment) {
  PseudoBrk region;
  ASSERT_EQ(region.init(program_region_options(Placement::kHigh, Protection::kStrict)), 0);
  std::unique_ptr<TestedHeap> heap = Kr().make(region);
  EXPECT_EQ(heap->alignment(), 16u);
  EXPECT_TRUE(heap->defect_names().empty());
}

TEST(KrHeap, RandomProgramsPassEveryCheckAfterEveryOperation) {
  for (Placement placement : {Placement::kHigh, Placement::kLow}) {
    PseudoBrk region;
    ASSERT_EQ(region.init(program_region_options(placement, Protection::kStrict)), 0);
    std::unique_ptr<TestedHeap> heap = Kr().make(region);
    Executor executor(region, *heap);
    uint64_t growths = 0;
    for (uint64_t seed = 1; seed <= 100; ++seed) {
      XorShift rng(seed);
      const std::string text = RandomProgram(rng, placement);
      ParseResult parsed = parse_ops_text(text);
      ASSERT_FALSE(parsed.error.has_value()) << parsed.error->message;
      Outcome out = executor.run(parsed.program, CheckMode::kEveryOp);
      ASSERT_FALSE(out.finding.has_value())
          << "seed " << seed << ": " << out.finding->kind << " at operation "
          << out.finding->op_index << ": " << out.finding->message << "\n"
          << text;
      growths += region.stats().growths;
    }
    EXPECT_GT(growths, 100u) << "the wrapped sbrk did not reach the region";
  }
}

// Nobody's blocks: the kr checker does not ask.
class NoLiveBlocks final : public LiveView {
 public:
  size_t requested_size(const void*) const override { return SIZE_MAX; }
  size_t live_count() const override { return 0; }
  const char* live_payload(size_t) const override { return nullptr; }
};

// On a fresh region kr's first chunk is 1024 units (16 KiB) at +0x000000. Two mallocs of 100
// bytes (8 units each) take its tail: p at +0x003f80, q at +0x003f00. Freeing p leaves the
// free list: the chunk's head (+0x000000, 1008 units, up to q) and p (+0x003f80, 8 units).
class KrSelfCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(region_.init(program_region_options(Placement::kHigh, Protection::kStrict)), 0);
    heap_ = Kr().make(region_);
    heap_->reset();
    char* p = static_cast<char*>(heap_->malloc(100));
    char* q = static_cast<char*>(heap_->malloc(100));
    ASSERT_EQ(region_.offset_of(p), 0x3f90u);
    ASSERT_EQ(region_.offset_of(q), 0x3f10u);
    heap_->free(p);
    ASSERT_EQ(Check(), "ok");
  }

  // The units word of the free block whose header is at `offset`.
  size_t& Units(size_t offset) {
    return *reinterpret_cast<size_t*>(region_.start() + offset + sizeof(void*));
  }

  std::string Check() {
    std::optional<HeapFinding> f = heap_->check(true, nullptr, live_);
    if (!f) return "ok";
    return f->id + " " + std::to_string(f->offset) + ": " + f->message;
  }

  PseudoBrk region_;
  std::unique_ptr<TestedHeap> heap_;
  NoLiveBlocks live_;
};

TEST_F(KrSelfCheck, NamesASizePastTheHeapsEnd) {
  Units(0x3f80) = 1000;
  EXPECT_EQ(Check(),
            "self-check 16256: kr: free block at +0x003f80 of 1000 units runs past the heap's end "
            "+0x004000");
}

TEST_F(KrSelfCheck, NamesOverlappingFreeBlocks) {
  Units(0) = 1020;
  EXPECT_EQ(Check(),
            "self-check 16256: kr: free block at +0x003f80 overlaps the one at +0x000000 (1020 "
            "units)");
}

TEST_F(KrSelfCheck, NamesFreeNeighboursLeftUnmerged) {
  Units(0) = 1016;
  EXPECT_EQ(Check(),
            "self-check 16256: kr: free blocks at +0x000000 and +0x003f80 touch but were not "
            "merged");
}

TEST_F(KrSelfCheck, OnlyFullChecksRunIt) {
  Units(0x3f80) = 1000;
  EXPECT_FALSE(heap_->check(false, nullptr, live_).has_value());
}

}  // namespace
}  // namespace allocfuzz
