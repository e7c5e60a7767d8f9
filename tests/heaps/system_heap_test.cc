// Tests of the heap "glibc" (fuzz/heaps/system_heap.h) and of the region-less mode of the shadow
// model and the executor that it runs in (fuzz/oracle/shadow.h, fuzz/harness/executor.h).
//   - SystemTestedHeap itself: the budget (the region's reserve) refuses with ENOMEM and counts
//     a refusal without asking glibc; sizes no allocator can satisfy are glibc's to refuse and
//     are not counted; realloc's and calloc's edge cases; reset(); the region is never touched.
//   - The executor on it: random programs pass in both check modes; NULLs over the budget are
//     fair and marked refused; errno after a NULL is reported.
//   - Wrong heaps wrapping it: each is caught with its exact kind and message, with no region
//     offset and no address, the same on every run.
#include "fuzz/heaps/system_heap.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/program/ops.h"
#include "fuzz/program/ops_text.h"
#include "tests/support/harness_support.h"
#include "tests/support/random_program.h"
#include "tests/support/xorshift.h"

namespace allocfuzz {
namespace {

using testing::CallCounting;
using testing::edge_biased_size;
using testing::ForwardingSystemHeap;
using testing::ProgramMix;
using testing::random_program;
using testing::ResultRecorder;
using testing::XorShift;

constexpr size_t kSmallBudget = size_t{64} << 10;
constexpr size_t kTooBigForAnyone = size_t{PTRDIFF_MAX} + 1;

void NewRegion(PseudoBrk& region, size_t reserve) {
  RegionOptions options;
  options.reserve_bytes = reserve;
  EXPECT_EQ(region.init(options), 0);
  EXPECT_EQ(region.reserve_bytes(), reserve);
}

// The region's break never moves: glibc's blocks live elsewhere.
void ExpectRegionUntouched(const PseudoBrk& region) {
  EXPECT_EQ(region.stats().break_offset, 0u);
  EXPECT_EQ(region.stats().peak_break_offset, 0u);
  EXPECT_EQ(region.stats().moves + region.stats().failed_moves, 0u);
}

// ---- SystemTestedHeap directly -------------------------------------------------------------

class SystemHeap : public ::testing::Test {
 protected:
  void SetUp() override {
    NewRegion(region_, kSmallBudget);
    heap_ = std::make_unique<SystemTestedHeap>(region_);
  }
  void TearDown() override { ExpectRegionUntouched(region_); }

  // A NULL with ENOMEM, and whether the heap counted it as its own refusal.
  void ExpectEnomem(void* p, int error, bool counted, uint64_t refusals_before) {
    EXPECT_EQ(p, nullptr);
    EXPECT_EQ(error, ENOMEM);
    EXPECT_EQ(heap_->refusals(), refusals_before + (counted ? 1 : 0));
  }

  PseudoBrk region_;
  std::unique_ptr<SystemTestedHeap> heap_;
};

TEST_F(SystemHeap, IsRegisteredAsGlibcWithoutARegion) {
  const HeapKind* kind = find_heap_kind("glibc");
  ASSERT_NE(kind, nullptr);
  std::unique_ptr<TestedHeap> heap = kind->make(region_);
  EXPECT_NE(dynamic_cast<SystemTestedHeap*>(heap.get()), nullptr);
  EXPECT_FALSE(heap->uses_region());
  EXPECT_EQ(heap->alignment(), 16u);
  EXPECT_EQ(heap->refusals(), 0u);
  EXPECT_TRUE(heap->defect_names().empty());
}

TEST_F(SystemHeap, MallocWithinTheBudgetIsGlibcs) {
  size_t total = 0;
  for (size_t n : {size_t{1}, size_t{24}, size_t{100}, size_t{4000}, size_t{20000}}) {
    void* p = heap_->malloc(n);
    ASSERT_NE(p, nullptr) << n;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u) << n;
    EXPECT_GE(heap_->usable_size(p), n);
    EXPECT_NE(heap_->usable_size(p), SIZE_MAX) << "glibc's malloc_usable_size was not found";
    EXPECT_FALSE(region_.contains(p));
    std::memset(p, 0x5a, n);
    total += n;
    EXPECT_EQ(heap_->live_bytes(), total);
  }
  EXPECT_EQ(heap_->refusals(), 0u);
  heap_->free(nullptr);  // harmless, and changes no count
  EXPECT_EQ(heap_->live_bytes(), total);
  EXPECT_EQ(heap_->refusals(), 0u);
}

TEST_F(SystemHeap, OverTheBudgetIsRefusedAndCounted) {
  // kSmallBudget + 1 bytes is nothing to glibc: a NULL means the budget refused it.
  errno = 0;
  void* p = heap_->malloc(kSmallBudget + 1);
  ExpectEnomem(p, errno, true, 0);
  EXPECT_EQ(heap_->live_bytes(), 0u);

  // The budget is on live requested bytes: exactly the budget fits, one more byte does not.
  void* a = heap_->malloc(kSmallBudget - 100);
  void* b = heap_->malloc(100);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(heap_->live_bytes(), kSmallBudget);
  errno = 0;
  p = heap_->malloc(1);
  ExpectEnomem(p, errno, true, 1);
  errno = 0;
  p = heap_->calloc(1, 1);
  ExpectEnomem(p, errno, true, 2);
  // PTRDIFF_MAX could be had in principle: the budget refuses it.
  errno = 0;
  p = heap_->malloc(PTRDIFF_MAX);
  ExpectEnomem(p, errno, true, 3);
  heap_->free(b);
  EXPECT_EQ(heap_->live_bytes(), kSmallBudget - 100);
  b = heap_->malloc(100);
  EXPECT_NE(b, nullptr) << "freeing gave the budget back";
}

TEST_F(SystemHeap, SizesNoAllocatorCanSatisfyAreGlibcsToRefuse) {
  for (size_t n : {SIZE_MAX, kTooBigForAnyone}) {
    errno = 0;
    void* p = heap_->malloc(n);
    ExpectEnomem(p, errno, false, 0);
    errno = 0;
    p = heap_->realloc(nullptr, n);
    ExpectEnomem(p, errno, false, 0);
  }
  // calloc whose product overflows size_t, and one whose product is merely too big for anyone.
  errno = 0;
  void* p = heap_->calloc(SIZE_MAX, 2);
  ExpectEnomem(p, errno, false, 0);
  errno = 0;
  p = heap_->calloc(size_t{1} << 32, size_t{1} << 32);
  ExpectEnomem(p, errno, false, 0);
  errno = 0;
  p = heap_->calloc(kTooBigForAnyone / 2, 2);
  ExpectEnomem(p, errno, false, 0);
  EXPECT_EQ(heap_->live_bytes(), 0u);
}

TEST_F(SystemHeap, CallocZeroesAndCountsTheProduct) {
  auto* p = static_cast<unsigned char*>(heap_->calloc(10, 10));
  ASSERT_NE(p, nullptr);
  for (size_t i = 0; i < 100; ++i) ASSERT_EQ(p[i], 0) << i;
  EXPECT_EQ(heap_->live_bytes(), 100u);
  errno = 0;
  void* q = heap_->calloc(kSmallBudget, 2);  // no overflow, but over the budget
  ExpectEnomem(q, errno, true, 0);
}

TEST_F(SystemHeap, Realloc) {
  // realloc(NULL, n) allocates.
  auto* p = static_cast<char*>(heap_->realloc(nullptr, 100));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(heap_->live_bytes(), 100u);
  for (int i = 0; i < 100; ++i) p[i] = static_cast<char>(i);

  // Growth within the budget keeps the bytes and counts the new size only.
  p = static_cast<char*>(heap_->realloc(p, 200));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(heap_->live_bytes(), 200u);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(p[i], static_cast<char>(i)) << i;

  // Growth past the budget fails: the old block is intact and still counted.
  void* other = heap_->malloc(40000);
  ASSERT_NE(other, nullptr);
  errno = 0;
  void* q = heap_->realloc(p, 30000);
  ExpectEnomem(q, errno, true, 0);
  EXPECT_EQ(heap_->live_bytes(), 40200u);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(p[i], static_cast<char>(i)) << i;
  // The block's own bytes count as given back: growing it to the rest of the budget fits.
  p = static_cast<char*>(heap_->realloc(p, kSmallBudget - 40000));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(heap_->live_bytes(), kSmallBudget);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(p[i], static_cast<char>(i)) << i;

  // A size no allocator can satisfy: glibc refuses, p is untouched and not a refusal.
  errno = 0;
  q = heap_->realloc(p, SIZE_MAX);
  ExpectEnomem(q, errno, false, 1);
  EXPECT_EQ(heap_->live_bytes(), kSmallBudget);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(p[i], static_cast<char>(i)) << i;

  // realloc(p, 0) frees p and returns NULL.
  EXPECT_EQ(heap_->realloc(p, 0), nullptr);
  EXPECT_EQ(heap_->live_bytes(), 40000u);
  EXPECT_EQ(heap_->refusals(), 1u);
  heap_->free(other);
  EXPECT_EQ(heap_->live_bytes(), 0u);
}

TEST_F(SystemHeap, ResetFreesEverythingAndTheHeapIsUsableAgain) {
  for (int i = 0; i < 10; ++i) ASSERT_NE(heap_->malloc(6000), nullptr);
  ASSERT_EQ(heap_->malloc(6000), nullptr);
  EXPECT_EQ(heap_->refusals(), 1u);
  heap_->reset();
  EXPECT_EQ(heap_->live_bytes(), 0u);
  EXPECT_EQ(heap_->refusals(), 1u) << "refusals count since the heap was made";
  void* p = heap_->malloc(kSmallBudget);  // the whole budget is back
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(heap_->live_bytes(), kSmallBudget);
  heap_->free(p);
  EXPECT_EQ(heap_->live_bytes(), 0u);
}

// ---- the executor on the glibc heap ----------------------------------------------------------

struct Rig {
  explicit Rig(size_t reserve) {
    NewRegion(region, reserve);
    const HeapKind* kind = find_heap_kind("glibc");
    EXPECT_NE(kind, nullptr);
    heap = kind->make(region);
    executor = std::make_unique<Executor>(region, *heap);
  }
  size_t heap_live_bytes() const { return dynamic_cast<SystemTestedHeap&>(*heap).live_bytes(); }

  PseudoBrk region;
  std::unique_ptr<TestedHeap> heap;
  std::unique_ptr<Executor> executor;
};

// What an operation did, without the addresses (which differ from run to run) and without
// `moved`: whether glibc grows a block in place depends on the chunks earlier runs left free.
std::string Summary(const OpResult& r) {
  return std::string(r.returned ? "r" : "-") + (r.null ? "n" : "-") + (r.refused ? "R" : "-") +
         (r.slot_live ? "l" : "-") + (r.applied ? "a" : "-") + std::to_string(r.error);
}

std::string Describe(const std::optional<Finding>& f) {
  if (!f) return "ok";
  return f->kind.text() + " @" + std::to_string(f->op_index) + ": " + f->message;
}

// Sizes at the edges of glibc's bins and mmap threshold, of the 1 MiB budget, and past what any
// allocator can satisfy.
uint64_t RandomSize(XorShift& rng) {
  static constexpr uint64_t kEdges[] = {0,
                                        1,
                                        15,
                                        16,
                                        24,
                                        25,
                                        1032,
                                        131072,
                                        300000,
                                        kProgramRegionBytes,
                                        kProgramRegionBytes + 1,
                                        5000000000,
                                        PTRDIFF_MAX,
                                        kTooBigForAnyone,
                                        SIZE_MAX};
  return edge_biased_size(rng, kEdges, {{300}, {5000}});
}

// Over 32 slots; now and then a calloc whose product overflows.
constexpr ProgramMix kMix = {.slots = 32,
                             .mallocs = 6,
                             .foreign_grow_below = 5000,
                             .calloc_overflow_one_in = 8,
                             .size = RandomSize};

TEST(GlibcExecutor, RandomProgramsHaveNoFinding) {
  Rig rig(kProgramRegionBytes);
  uint64_t refused = 0, glibc_nulls = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    Program program = random_program(seed, 800, kMix);
    std::vector<std::string> first;
    for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
      ResultRecorder recorder;
      Outcome out = rig.executor->run(program, mode, &recorder);
      ASSERT_EQ(Describe(out.finding), "ok")
          << "seed " << seed << (mode == CheckMode::kEveryOp ? " every-op: " : " amortized: ")
          << (out.finding && out.finding->op_index < program.ops.size()
                  ? format_op(program.ops[out.finding->op_index])
                  : std::string());
      EXPECT_EQ(rig.heap_live_bytes(), rig.executor->shadow().live_bytes()) << "seed " << seed;
      EXPECT_EQ(rig.region.stats().growths + rig.region.stats().failed_growths, 0u)
          << "only the foreign party moves the break";
      std::vector<std::string> summaries;
      for (const OpResult& r : recorder.results) {
        summaries.push_back(Summary(r));
        if (r.null && r.refused) ++refused;
        if (r.null && !r.refused && r.error == ENOMEM) ++glibc_nulls;
        if (r.null && r.refused) EXPECT_EQ(r.error, ENOMEM);
      }
      // The check mode decides how much is checked, not what the heap does.
      if (first.empty()) {
        first = summaries;
      } else {
        EXPECT_EQ(summaries, first) << "seed " << seed;
      }
    }
  }
  // The programs reached both kinds of fair NULL.
  EXPECT_GT(refused, 50u);
  EXPECT_GT(glibc_nulls, 50u);
}

TEST(GlibcExecutor, NullsOverTheBudgetAreFairAndRefused) {
  ParseResult parsed = parse_ops_text(R"(# allocfuzz ops v1
malloc s0 40000
malloc s1 40000
realloc s0 70000
calloc s2 1000 30
malloc s3 25536
malloc s4 1
free s0
malloc s1 40000
malloc s5 18446744073709551615
realloc s1 9223372036854775808
calloc s6 4611686018427387904 8
realloc s1 0
)");
  ASSERT_FALSE(parsed.error.has_value()) << parsed.error->message;
  // Per operation: null, refused (the budget), errno.
  struct Want {
    bool null, refused;
    int error;
  };
  const Want kWant[] = {
      {false, false, 0},      // 40000 live
      {true, true, ENOMEM},   // 80000 > 65536
      {true, true, ENOMEM},   // s0 would grow to 70000
      {true, true, ENOMEM},   // calloc of 30000: 70000
      {false, false, 0},      // exactly the budget
      {true, true, ENOMEM},   // one byte more
      {false, false, 0},      // (free)
      {false, false, 0},      // fits again
      {true, false, ENOMEM},  // SIZE_MAX: glibc refuses it
      {true, false, ENOMEM},  // PTRDIFF_MAX + 1: the same, s1 kept
      {true, false, ENOMEM},  // the product overflows
      {true, false, 0},       // realloc(p, 0) frees
  };
  Rig rig(kSmallBudget);
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    ResultRecorder recorder;
    Outcome out = rig.executor->run(parsed.program, mode, &recorder);
    EXPECT_EQ(Describe(out.finding), "ok");
    ASSERT_EQ(recorder.results.size(), std::size(kWant));
    for (size_t i = 0; i < std::size(kWant); ++i) {
      const OpResult& r = recorder.results[i];
      if (parsed.program.ops[i].kind == OpKind::kFree) continue;
      EXPECT_TRUE(r.returned) << i;
      EXPECT_EQ(r.null, kWant[i].null) << i;
      EXPECT_EQ(r.refused, kWant[i].refused) << i;
      EXPECT_EQ(r.error, kWant[i].error) << i;
    }
    EXPECT_TRUE(recorder.results[2].slot_live);
    EXPECT_EQ(rig.executor->shadow().live_count(), 1u) << "s3";
    EXPECT_EQ(rig.heap_live_bytes(), 25536u);
    EXPECT_EQ(rig.heap->refusals(), mode == CheckMode::kEveryOp ? 4u : 8u);
  }
  ExpectRegionUntouched(rig.region);
}

// ---- wrong heaps on glibc, judged without a region -------------------------------------------

// The glibc heap with one call changed, that call's calls numbered.
using WrappedSystemHeap = CallCounting<ForwardingSystemHeap>;

// overlap: the second malloc hands out the first block again (glibc is not asked, so the block
// is freed once, by reset()).
class SameBlockTwiceHeap final : public WrappedSystemHeap {
 public:
  using WrappedSystemHeap::WrappedSystemHeap;
  void* malloc(size_t n) override {
    if (next_call() == 2) return first_;
    first_ = inner_.malloc(n);
    return first_;
  }

 private:
  void* first_ = nullptr;
};

// misaligned: the second malloc's pointer is one byte off.
class OffByOneHeap final : public WrappedSystemHeap {
 public:
  using WrappedSystemHeap::WrappedSystemHeap;
  void* malloc(size_t n) override {
    char* p = static_cast<char*>(inner_.malloc(n));
    return next_call() == 2 && p != nullptr ? p + 1 : p;
  }
};

// calloc-not-zero: calloc is malloc, and the block holds stale bytes (0xa5, so that the message
// does not depend on which chunk glibc hands out).
class DirtyCallocHeap final : public WrappedSystemHeap {
 public:
  using WrappedSystemHeap::WrappedSystemHeap;
  void* calloc(size_t count, size_t size) override {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) return nullptr;
    void* p = inner_.malloc(total);
    if (p != nullptr) std::memset(p, 0xa5, total);
    return p;
  }
};

// spurious-null: the second malloc returns NULL without asking glibc or refusing anything.
class SpuriousNullHeap final : public WrappedSystemHeap {
 public:
  using WrappedSystemHeap::WrappedSystemHeap;
  void* malloc(size_t n) override { return next_call() == 2 ? nullptr : inner_.malloc(n); }
};

// realloc-lost-data: realloc moves every block into zeroed memory and copies nothing.
class NoCopyReallocHeap final : public WrappedSystemHeap {
 public:
  using WrappedSystemHeap::WrappedSystemHeap;
  void* realloc(void* p, size_t n) override {
    if (p == nullptr || n == 0) return inner_.realloc(p, n);
    void* q = inner_.malloc(n);
    if (q == nullptr) return nullptr;
    std::memset(q, 0, n);
    inner_.free(p);
    return q;
  }
};

// Runs `text` on a fresh heap H twice in each check mode: the same finding every time, caught
// at once, with the exact kind and message, no region offset and no address.
template <typename H>
void ExpectCaught(std::string_view text, std::string_view kind, size_t op_index,
                  std::string_view message) {
  ParseResult parsed = parse_ops_text("# allocfuzz ops v1\n" + std::string(text));
  ASSERT_FALSE(parsed.error.has_value()) << parsed.error->message;
  PseudoBrk region;
  NewRegion(region, kProgramRegionBytes);
  H heap(region);
  Executor executor(region, heap);
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    Outcome first = executor.run(parsed.program, mode);
    Outcome second = executor.run(parsed.program, mode);
    ASSERT_TRUE(first.finding.has_value()) << "missed " << kind;
    const Finding& f = *first.finding;
    EXPECT_EQ(f.kind.text(), kind) << Describe(first.finding);
    EXPECT_EQ(f.oracle, Oracle::kShadow);
    EXPECT_EQ(f.op_index, op_index) << Describe(first.finding);
    EXPECT_EQ(f.message, message);
    EXPECT_EQ(f.offset, SIZE_MAX) << "a region-less heap has no region offsets";
    EXPECT_EQ(f.message.find("+0x"), std::string::npos) << f.message;
    EXPECT_EQ(Describe(second.finding), Describe(first.finding));
  }
  ExpectRegionUntouched(region);
}

TEST(GlibcWrongHeap, ControlTheWrapperItselfIsCorrect) {
  ParseResult parsed = parse_ops_text(R"(# allocfuzz ops v1
malloc s0 24
malloc s1 24
realloc s0 100
calloc s2 8 8
free s1
calloc s3 8 8
foreign-grow 4096
malloc s4 5000
check
)");
  ASSERT_FALSE(parsed.error.has_value());
  PseudoBrk region;
  NewRegion(region, kProgramRegionBytes);
  WrappedSystemHeap heap(region);
  Executor executor(region, heap);
  EXPECT_EQ(Describe(executor.run(parsed.program, CheckMode::kEveryOp).finding), "ok");
  EXPECT_EQ(Describe(executor.run(parsed.program, CheckMode::kAmortized).finding), "ok");
}

TEST(GlibcWrongHeap, SameBlockTwiceIsOverlap) {
  ExpectCaught<SameBlockTwiceHeap>("malloc s0 24\nmalloc s1 24\n", "overlap", 1,
                                   "block of 24 bytes overlaps live block s0 of 24 bytes");
}

TEST(GlibcWrongHeap, OffByOneIsMisaligned) {
  ExpectCaught<OffByOneHeap>("malloc s0 24\nmalloc s1 24\n", "misaligned", 1,
                             "block is not 16-aligned");
}

TEST(GlibcWrongHeap, DirtyCallocIsCallocNotZero) {
  ExpectCaught<DirtyCallocHeap>("malloc s0 24\ncalloc s1 8 8\n", "calloc-not-zero", 1,
                                "calloc block (64 bytes): byte 0 is 0xa5, not 0");
}

TEST(GlibcWrongHeap, NullWithoutARefusalIsSpurious) {
  ExpectCaught<SpuriousNullHeap>(
      "malloc s0 1\nmalloc s1 2\n", "spurious-null", 1,
      "malloc of 2 bytes returned NULL although the heap's budget refused nothing during the call");
}

TEST(GlibcWrongHeap, ReallocThatCopiesNothingLosesData) {
  // Fresh memory reads 0, and no byte of a pattern is 0: byte 0 is the first one lost.
  ExpectCaught<NoCopyReallocHeap>(
      "malloc s0 24\nrealloc s0 100\n", "realloc-lost-data", 1,
      "realloc to a new block (24 -> 100 bytes) lost byte 0; the word there reads "
      "0x0000000000000000");
}

}  // namespace
}  // namespace allocfuzz
