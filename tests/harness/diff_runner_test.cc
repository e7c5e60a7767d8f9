// Tests of the differential runner (fuzz/harness/diff_runner.h): one program on several heaps,
// compared call by call.
//   - Divergent heaps: local HeapKinds (not registered) whose heap is free-array with one call
//     changed. Each is reported with its exact kind, operation, heap (empty for a divergence)
//     and message, in both check modes, the same report on every run.
//   - Own violations win: a NULL without a refusal is the heap's own spurious-null, not
//     divergence:null; a block for an overflowing calloc is its own api-contract, not
//     divergence:calloc-overflow; the earliest trouble wins, and among own findings at the same
//     operation the first heap in the order given.
//   - No comparison after a fair NULL: a region that refuses (fail-grow, `limit`) leaves the
//     slot in another state on the region heaps than on glibc, and nothing that follows on it
//     is a divergence.
//   - The correct heaps (free-array, glibc, kr) agree on random programs with every kind of
//     request: a false divergence would be a bug of the runner or of a heap.
//   - results(i), describe_answers and format as documented.
#include "fuzz/harness/diff_runner.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/program/ops.h"
#include "fuzz/program/ops_text.h"
#include "tests/support/harness_support.h"
#include "tests/support/random_program.h"
#include "tests/support/xorshift.h"

namespace allocfuzz {
namespace {

using testing::edge_biased_size;
using testing::ForwardingSystemHeap;
using testing::ProgramMix;
using testing::random_program;
using testing::XorShift;

// ---- the heaps -----------------------------------------------------------------------------

const HeapKind& Registered(std::string_view name) {
  const HeapKind* kind = find_heap_kind(name);
  EXPECT_NE(kind, nullptr) << name << " is not linked into this test";
  return *kind;
}
const HeapKind& FreeArray() { return Registered("free-array"); }
const HeapKind& Glibc() { return Registered("glibc"); }
const HeapKind& Kr() { return Registered("kr"); }

template <typename H>
std::unique_ptr<TestedHeap> Make(PseudoBrk& region) {
  return std::make_unique<H>(region);
}

// malloc(0) returns NULL (C allows it; free-array, glibc and kr return a block). errno is left
// alone.
class MallocZeroNullHeap final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* malloc(size_t n) override { return n == 0 ? nullptr : FreeArrayTestedHeap::malloc(n); }
};

// realloc(p, 0) of a live block hands out a fresh block (and frees p) instead of freeing p and
// returning NULL.
class ReallocZeroBlockHeap final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* realloc(void* p, size_t n) override {
    if (p == nullptr || n != 0) return FreeArrayTestedHeap::realloc(p, n);
    void* q = FreeArrayTestedHeap::malloc(0);
    if (q != nullptr) FreeArrayTestedHeap::free(p);
    return q;
  }
};

// realloc(NULL, 0) returns NULL, errno left alone, where the others return malloc(0)'s block.
class ReallocNullZeroHeap final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* realloc(void* p, size_t n) override {
    return p == nullptr && n == 0 ? nullptr : FreeArrayTestedHeap::realloc(p, n);
  }
};

// An overflowing calloc returns NULL without setting errno.
class CallocOverflowNoErrnoHeap final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* calloc(size_t count, size_t size) override {
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) return nullptr;
    return FreeArrayTestedHeap::calloc(count, size);
  }
};

// A malloc larger than the region fails at once, with EINVAL instead of ENOMEM.
class HugeEinvalHeap final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* malloc(size_t n) override {
    if (n <= kProgramRegionBytes) return FreeArrayTestedHeap::malloc(n);
    errno = EINVAL;
    return nullptr;
  }
};

// malloc(N) returns NULL with ENOMEM, although nothing refused memory.
template <size_t N>
class NullForSizeHeap final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* malloc(size_t n) override {
    if (n != N) return FreeArrayTestedHeap::malloc(n);
    errno = ENOMEM;
    return nullptr;
  }
};

// An overflowing calloc returns a (small, zeroed) block.
class CallocOverflowBlockHeap final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* calloc(size_t count, size_t size) override {
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) return FreeArrayTestedHeap::calloc(1, 16);
    return FreeArrayTestedHeap::calloc(count, size);
  }
};

// realloc(p, 0) frees p and returns NULL, as free-array does, but sets errno to EINVAL: that
// NULL is a success, and its errno is no answer to compare.
class ReallocZeroErrnoHeap final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* realloc(void* p, size_t n) override {
    if (p == nullptr || n != 0) return FreeArrayTestedHeap::realloc(p, n);
    FreeArrayTestedHeap::free(p);
    errno = EINVAL;
    return nullptr;
  }
};

// A correct heap that refuses a malloc larger than the region without asking the region (a
// fair NULL, but no refusal is counted).
class EarlyRefuserHeap final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* malloc(size_t n) override {
    if (n <= kProgramRegionBytes) return FreeArrayTestedHeap::malloc(n);
    errno = ENOMEM;
    return nullptr;
  }
};

// glibc with a budget of 8 MiB instead of the region's 1 MiB: it hands out blocks larger than
// the region.
class BigBudgetGlibcHeap final : public ForwardingSystemHeap {
 public:
  explicit BigBudgetGlibcHeap(PseudoBrk&) : ForwardingSystemHeap(BigRegion()) {}

 private:
  // The budget is the region's reserve; the region itself is never touched.
  static const PseudoBrk& BigRegion() {
    static PseudoBrk* region = [] {
      auto* r = new PseudoBrk;
      RegionOptions options;
      options.reserve_bytes = size_t{8} << 20;
      EXPECT_EQ(r->init(options), 0);
      return r;
    }();
    return *region;
  }
};

const HeapKind kMallocZeroNull{"malloc-zero-null", "malloc(0) is NULL", Make<MallocZeroNullHeap>};
const HeapKind kReallocZeroBlock{"realloc-zero-block", "realloc(p, 0) is a block",
                                 Make<ReallocZeroBlockHeap>};
const HeapKind kReallocNullZero{"realloc-null-zero", "realloc(NULL, 0) is NULL",
                                Make<ReallocNullZeroHeap>};
const HeapKind kCallocOverflowNoErrno{"calloc-overflow-no-errno", "no errno",
                                      Make<CallocOverflowNoErrnoHeap>};
const HeapKind kHugeEinval{"huge-einval", "EINVAL for huge", Make<HugeEinvalHeap>};
const HeapKind kNullFor40{"null-for-40", "malloc(40) is NULL", Make<NullForSizeHeap<40>>};
const HeapKind kNullFor40Too{"null-for-40-too", "malloc(40) is NULL", Make<NullForSizeHeap<40>>};
const HeapKind kNullFor48{"null-for-48", "malloc(48) is NULL", Make<NullForSizeHeap<48>>};
const HeapKind kCallocOverflowBlock{"calloc-overflow-block", "a block for an overflow",
                                    Make<CallocOverflowBlockHeap>};
const HeapKind kReallocZeroErrno{"realloc-zero-errno", "EINVAL after realloc(p, 0)",
                                 Make<ReallocZeroErrnoHeap>};
const HeapKind kEarlyRefuser{"early-refuser", "refuses huge sizes itself", Make<EarlyRefuserHeap>};
const HeapKind kBigBudgetGlibc{"glibc-8m", "glibc with 8 MiB", Make<BigBudgetGlibcHeap>};

// ---- helpers -------------------------------------------------------------------------------

Program Parse(std::string_view body) {
  ParseResult parsed = parse_ops_text(std::string(kOpsFirstLine) + "\n" + std::string(body));
  EXPECT_FALSE(parsed.error.has_value())
      << "line " << parsed.error->line << ": " << parsed.error->message;
  return parsed.program;
}

std::unique_ptr<DiffRunner> NewRunner(const std::vector<const HeapKind*>& kinds) {
  std::string error;
  std::unique_ptr<DiffRunner> runner = DiffRunner::create(kinds, Protection::kStrict, &error);
  EXPECT_NE(runner, nullptr) << error;
  EXPECT_TRUE(error.empty()) << error;
  return runner;
}

std::string Describe(const std::optional<DiffFinding>& f) {
  if (!f) return "ok";
  return (f->heap.empty() ? std::string() : "[" + f->heap + "] ") + f->finding.kind.text() + " @" +
         std::to_string(f->finding.op_index) + ": " + f->finding.message;
}

const char* ModeName(CheckMode mode) {
  return mode == CheckMode::kEveryOp ? "every-op" : "amortized";
}

// Runs `body` on `kinds` in both check modes, twice each, and on a second runner: the same
// finding every time, with exactly this kind, operation, heap and message, and the same report
// (returned in *report).
void ExpectFinding(const std::vector<const HeapKind*>& kinds, std::string_view body,
                   std::string_view kind, size_t op_index, std::string_view heap,
                   std::string_view message, std::string* report = nullptr) {
  const Program program = Parse(body);
  std::unique_ptr<DiffRunner> runner = NewRunner(kinds);
  std::unique_ptr<DiffRunner> other = NewRunner(kinds);
  ASSERT_TRUE(runner != nullptr && other != nullptr);
  std::string first;
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    SCOPED_TRACE(ModeName(mode));
    for (DiffRunner* r : {runner.get(), runner.get(), other.get()}) {
      const std::optional<DiffFinding> f = r->run(program, mode);
      ASSERT_TRUE(f.has_value()) << "missed " << kind;
      EXPECT_EQ(f->finding.kind.text(), kind) << Describe(f);
      EXPECT_EQ(f->finding.op_index, op_index) << Describe(f);
      EXPECT_EQ(f->heap, heap) << Describe(f);
      EXPECT_EQ(f->finding.message, message);
      if (heap.empty()) {
        EXPECT_EQ(f->finding.oracle, Oracle::kDifferential);
        EXPECT_EQ(f->finding.offset, SIZE_MAX);
      } else {
        EXPECT_NE(f->finding.oracle, Oracle::kDifferential);
      }
      const std::string text = r->format(program, *f);
      if (first.empty()) {
        first = text;
      } else {
        EXPECT_EQ(text, first) << "the report changed between runs";
      }
    }
  }
  if (report != nullptr) *report = first;
}

void ExpectNoFinding(const std::vector<const HeapKind*>& kinds, const Program& program) {
  std::unique_ptr<DiffRunner> runner = NewRunner(kinds);
  ASSERT_NE(runner, nullptr);
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    const std::optional<DiffFinding> f = runner->run(program, mode);
    EXPECT_EQ(Describe(f), "ok") << ModeName(mode) << "\n"
                                 << (f ? runner->format(program, *f) : std::string());
  }
}

// What an operation did on one heap, without addresses: returned, NULL, refused, slot live
// before, errno.
std::string Summary(const OpResult& r) {
  if (!r.returned) return "-";
  return std::string(r.null ? "N" : "B") + (r.refused ? "R" : "") + (r.slot_live ? "L" : "") +
         (r.null && r.error != 0 ? "e" + std::to_string(r.error) : "");
}

std::string Summaries(const DiffRunner& runner, size_t heap) {
  std::string text;
  for (const OpResult& r : runner.results(heap)) text += (text.empty() ? "" : " ") + Summary(r);
  return text;
}

// ---- divergences ---------------------------------------------------------------------------

TEST(DiffDivergence, MallocZero) {
  ExpectFinding({&FreeArray(), &Glibc(), &kMallocZeroNull}, "malloc s0 24\nmalloc s1 0\n",
                "divergence:malloc-zero", 1, "",
                "the heaps disagree on malloc s1 0: free-array, glibc: a block; "
                "malloc-zero-null: NULL, errno 0");
  // The broken heap first: the groups follow the order given.
  ExpectFinding({&kMallocZeroNull, &Kr(), &FreeArray()}, "malloc s1 0\n", "divergence:malloc-zero",
                0, "",
                "the heaps disagree on malloc s1 0: malloc-zero-null: NULL, errno 0; "
                "kr, free-array: a block");
}

TEST(DiffDivergence, CallocOfZeroBytesIsMallocZero) {
  // FreeArrayHeap's calloc does not go through the overridden malloc: a heap of its own.
  class CallocZeroNullHeap final : public FreeArrayTestedHeap {
   public:
    using FreeArrayTestedHeap::FreeArrayTestedHeap;
    void* calloc(size_t count, size_t size) override {
      return count == 0 || size == 0 ? nullptr : FreeArrayTestedHeap::calloc(count, size);
    }
  };
  static const HeapKind kCallocZeroNull{"calloc-zero-null", "calloc of 0 bytes is NULL",
                                        Make<CallocZeroNullHeap>};
  ExpectFinding({&FreeArray(), &kCallocZeroNull, &Glibc()}, "calloc s0 3 8\ncalloc s1 0 100\n",
                "divergence:malloc-zero", 1, "",
                "the heaps disagree on calloc s1 0 100: free-array, glibc: a block; "
                "calloc-zero-null: NULL, errno 0");
  ExpectFinding({&FreeArray(), &kCallocZeroNull}, "calloc s1 18446744073709551615 0\n",
                "divergence:malloc-zero", 0, "",
                "the heaps disagree on calloc s1 18446744073709551615 0: free-array: a block; "
                "calloc-zero-null: NULL, errno 0");
}

TEST(DiffDivergence, ReallocZero) {
  ExpectFinding({&FreeArray(), &Glibc(), &Kr(), &kReallocZeroBlock},
                "malloc s0 100\nfill s0\nrealloc s0 0\n", "divergence:realloc-zero", 2, "",
                "the heaps disagree on realloc s0 0: free-array, glibc, kr: NULL (freed); "
                "realloc-zero-block: a block");
}

TEST(DiffDivergence, ReallocNull) {
  ExpectFinding({&FreeArray(), &Glibc(), &kReallocNullZero}, "malloc s1 8\nrealloc s0 0\n",
                "divergence:realloc-null", 1, "",
                "the heaps disagree on realloc s0 0 (an empty slot: realloc(NULL, n)): "
                "free-array, glibc: a block; realloc-null-zero: NULL, errno 0");
  // realloc(NULL, 0) is realloc-null, not malloc-zero: the slot is empty after a free too.
  ExpectFinding({&kReallocNullZero, &FreeArray()}, "malloc s0 8\nfree s0\nrealloc s0 0\n",
                "divergence:realloc-null", 2, "",
                "the heaps disagree on realloc s0 0 (an empty slot: realloc(NULL, n)): "
                "realloc-null-zero: NULL, errno 0; free-array: a block");
}

// A failure's errno is judged on each heap alone now (a NULL for a non-zero request carries
// ENOMEM, executor.cc), before any comparison: the heap that broke the rule is named, and
// divergence:errno is the backstop behind it, as null is behind spurious-null.
TEST(DiffOwnViolation, ErrnoOfAnOverflowingCallocIsTheHeapsApiContract) {
  ExpectFinding({&FreeArray(), &Glibc(), &Kr(), &kCallocOverflowNoErrno},
                "calloc s0 4611686018427387904 8\n", "api-contract", 0, "calloc-overflow-no-errno",
                "calloc(4611686018427387904, 8) returned NULL with errno 0, not ENOMEM");
}

TEST(DiffOwnViolation, ErrnoOfAHugeMallocIsTheHeapsApiContract) {
  // Larger than the region: free-array's region and glibc's budget refuse with ENOMEM.
  ExpectFinding({&FreeArray(), &Glibc(), &kHugeEinval}, "malloc s0 24\nmalloc s1 2000000\n",
                "api-contract", 1, "huge-einval",
                "malloc(2000000) returned NULL with errno EINVAL, not ENOMEM");
  // Past what any allocator can hold: nobody asks a region, glibc refuses it itself.
  ExpectFinding({&kHugeEinval, &Kr(), &Glibc()}, "malloc s1 18446744073709551615\n", "api-contract",
                0, "huge-einval",
                "malloc(18446744073709551615) returned NULL with errno EINVAL, not ENOMEM");
}

TEST(DiffDivergence, Huge) {
  // Nobody refused: early-refuser fails 2 MB itself (fair: larger than the region) and glibc-8m
  // holds it.
  ExpectFinding({&kEarlyRefuser, &kBigBudgetGlibc}, "malloc s0 24\nmalloc s1 2000000\n",
                "divergence:huge", 1, "",
                "the heaps disagree on malloc s1 2000000: early-refuser: NULL, ENOMEM; "
                "glibc-8m: a block");
}

TEST(DiffDivergence, ReportNamesTheHeaps) {
  std::string report;
  ExpectFinding({&FreeArray(), &Glibc(), &kMallocZeroNull},
                "malloc s0 24\nfree s0\nmalloc s1 0\ncheck\n", "divergence:malloc-zero", 2, "",
                "the heaps disagree on malloc s1 0: free-array, glibc: a block; "
                "malloc-zero-null: NULL, errno 0",
                &report);
  EXPECT_EQ(report,
            "allocfuzz: violation divergence:malloc-zero at operation 2: malloc s1 0\n"
            "  heaps: free-array, glibc, malloc-zero-null\n"
            "  seen by: differential comparison\n"
            "  the heaps disagree on malloc s1 0: free-array, glibc: a block; "
            "malloc-zero-null: NULL, errno 0\n"
            "  operations:\n"
            "        0  malloc s0 24\n"
            "        1  free s0\n"
            "  >     2  malloc s1 0\n");
}

// ---- own violations --------------------------------------------------------------------------

TEST(DiffOwnViolation, NullWithoutARefusalIsTheHeapsSpuriousNull) {
  // Also a NULL against blocks with nothing refused: the own violation wins the tie.
  std::string report;
  ExpectFinding({&FreeArray(), &Glibc(), &kNullFor40}, "malloc s0 24\nmalloc s1 40\n",
                "spurious-null", 1, "null-for-40",
                "malloc of 40 bytes returned NULL although no break growth failed during the call",
                &report);
  EXPECT_EQ(report,
            "allocfuzz: violation spurious-null at operation 1: malloc s1 40\n"
            "  heap: null-for-40 (of free-array, glibc, null-for-40)\n"
            "  seen by: shadow model\n"
            "  malloc of 40 bytes returned NULL although no break growth failed during the call\n"
            "  operations:\n"
            "        0  malloc s0 24\n"
            "  >     1  malloc s1 40\n");
}

TEST(DiffOwnViolation, BlockForAnOverflowingCallocIsTheHeapsApiContract) {
  std::string report;
  ExpectFinding(
      {&Glibc(), &kCallocOverflowBlock, &FreeArray()},
      "malloc s0 24\ncalloc s1 4611686018427387904 8\n", "api-contract", 1, "calloc-overflow-block",
      "calloc(4611686018427387904, 8) overflows size_t but returned a block at +0x000028", &report);
  EXPECT_NE(report.find("\n  heap: calloc-overflow-block (of glibc, calloc-overflow-block, "
                        "free-array)\n"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("  heap around +0x000028:\n"), std::string::npos) << report;
}

TEST(DiffOwnViolation, TheEarliestTroubleWins) {
  const std::vector<const HeapKind*> kinds = {&FreeArray(), &kNullFor40, &kMallocZeroNull};
  // A divergence before an own violation.
  ExpectFinding(kinds, "malloc s0 0\nmalloc s1 40\n", "divergence:malloc-zero", 0, "",
                "the heaps disagree on malloc s0 0: free-array, null-for-40: a block; "
                "malloc-zero-null: NULL, errno 0");
  // An own violation before a divergence.
  ExpectFinding(kinds, "malloc s1 40\nmalloc s0 0\n", "spurious-null", 0, "null-for-40",
                "malloc of 40 bytes returned NULL although no break growth failed during the call");
  // The earliest own violation, whichever heap's it is.
  ExpectFinding({&FreeArray(), &kNullFor40, &kNullFor48}, "malloc s0 48\nmalloc s1 40\n",
                "spurious-null", 0, "null-for-48",
                "malloc of 48 bytes returned NULL although no break growth failed during the call");
  // At the same operation: the first heap in the order given.
  ExpectFinding({&FreeArray(), &kNullFor40Too, &kNullFor40}, "malloc s0 8\nmalloc s1 40\n",
                "spurious-null", 1, "null-for-40-too",
                "malloc of 40 bytes returned NULL although no break growth failed during the call");
  ExpectFinding({&kNullFor40, &kNullFor40Too}, "malloc s0 8\nmalloc s1 40\n", "spurious-null", 1,
                "null-for-40",
                "malloc of 40 bytes returned NULL although no break growth failed during the call");
}

// ---- what is not a divergence ----------------------------------------------------------------

TEST(DiffNoDivergence, ErrnoOfReallocZeroIsNoAnswer) {
  const Program program = Parse("malloc s0 100\nrealloc s0 0\nmalloc s0 0\ncheck\n");
  ExpectNoFinding({&FreeArray(), &kReallocZeroErrno, &Glibc(), &Kr()}, program);
  std::unique_ptr<DiffRunner> runner = NewRunner({&FreeArray(), &kReallocZeroErrno, &Glibc()});
  ASSERT_NE(runner, nullptr);
  ASSERT_FALSE(runner->run(program, CheckMode::kEveryOp).has_value());
  EXPECT_EQ(runner->results(1)[1].error, EINVAL);
  EXPECT_EQ(runner->results(0)[1].error, 0);
  EXPECT_EQ(runner->describe_answers(program, 1),
            "free-array, realloc-zero-errno, glibc: NULL (freed)");
}

TEST(DiffNoDivergence, NoComparisonAfterAFairNullFromFailGrow) {
  // The region heaps' growths are refused; glibc has no region to refuse. From then on s1 is
  // empty on free-array and kr and live on glibc: realloc(NULL, 0) (a block) against
  // realloc(p, 0) (freed) and realloc(NULL, 100) against growing a block are not compared.
  const Program program = Parse(
      "malloc s0 24\n"
      "fail-grow 10\n"
      "malloc s1 300000\n"
      "realloc s1 0\n"
      "realloc s1 100\n"
      "realloc s1 0\n"
      "malloc s2 0\n"
      "calloc s3 4611686018427387904 8\n"
      "free s1\n"
      "check\n");
  const std::vector<const HeapKind*> kinds = {&FreeArray(), &Glibc(), &Kr()};
  ExpectNoFinding(kinds, program);
  std::unique_ptr<DiffRunner> runner = NewRunner(kinds);
  ASSERT_NE(runner, nullptr);
  ASSERT_EQ(Describe(runner->run(program, CheckMode::kEveryOp)), "ok");
  // Per heap: B a block, N NULL, R refused, L the slot was live, eN errno N (12: ENOMEM).
  EXPECT_EQ(Summaries(*runner, 0), "B - NRe12 B BL NL B Ne12 - -");
  EXPECT_EQ(Summaries(*runner, 1), "B - B NL B NL B Ne12 - -");
  EXPECT_EQ(Summaries(*runner, 2), "B - NRe12 B BL NL B Ne12 - -");
  EXPECT_EQ(runner->describe_answers(program, 2), "free-array, kr: NULL, ENOMEM; glibc: a block");
  // Each heap's NULL is described by its own slot: glibc's realloc(p, 0) freed p.
  EXPECT_EQ(runner->describe_answers(program, 3), "free-array, kr: a block; glibc: NULL (freed)");
  EXPECT_EQ(runner->describe_answers(program, 5), "free-array, glibc, kr: NULL (freed)");

  // The same on a heap with a divergence of its own: only the comparable operations count, and
  // the first of those that differs is reported.
  ExpectFinding({&FreeArray(), &Glibc(), &kMallocZeroNull},
                "malloc s0 24\nfail-grow 10\nmalloc s1 300000\nrealloc s1 0\nmalloc s2 0\n",
                "divergence:malloc-zero", 4, "",
                "the heaps disagree on malloc s2 0: free-array, glibc: a block; "
                "malloc-zero-null: NULL, errno 0");
}

TEST(DiffNoDivergence, NoComparisonAfterAFairNullFromALimit) {
  // With a limit of 0 the region heaps never get memory: every NULL of theirs is fair, and s0
  // differs from glibc's until glibc's realloc(p, 0) empties it.
  const std::string body =
      "# limit: 0\n"
      "malloc s0 24\n"
      "realloc s0 0\n"
      "malloc s1 100\n"
      "realloc s1 200\n"
      "realloc s1 0\n"
      "malloc s0 0\n"
      "calloc s2 0 8\n"
      "realloc s3 0\n"
      "free s0\n"
      "check\n";
  const Program program = Parse(body);
  ExpectNoFinding({&FreeArray(), &Glibc(), &Kr()}, program);
  ExpectNoFinding({&Glibc(), &kReallocZeroBlock}, program);
  std::unique_ptr<DiffRunner> runner = NewRunner({&Glibc(), &FreeArray()});
  ASSERT_NE(runner, nullptr);
  ASSERT_EQ(Describe(runner->run(program, CheckMode::kEveryOp)), "ok");
  EXPECT_EQ(Summaries(*runner, 0), "B NL B BL NL B B B - -");
  EXPECT_EQ(Summaries(*runner, 1), "NRe12 NRe12 NRe12 NRe12 NRe12 NRe12 NRe12 NRe12 - -");
  // realloc s0 0: glibc freed its block; free-array's realloc(NULL, 0) failed.
  EXPECT_EQ(runner->describe_answers(program, 1), "glibc: NULL (freed); free-array: NULL, ENOMEM");

  // Liveness is compared per operation: once glibc's realloc(p, 0) has emptied s0, s0 is
  // comparable again, and a heap whose malloc(0) is NULL without asking the region diverges.
  ExpectFinding(
      {&Glibc(), &kMallocZeroNull}, body, "divergence:malloc-zero", 5, "",
      "the heaps disagree on malloc s0 0: glibc: a block; malloc-zero-null: NULL, errno 0");
  // A slot never used is comparable throughout.
  ExpectFinding({&Glibc(), &kReallocNullZero}, body, "divergence:realloc-null", 7, "",
                "the heaps disagree on realloc s3 0 (an empty slot: realloc(NULL, n)): glibc: a "
                "block; realloc-null-zero: NULL, errno 0");
}

TEST(DiffNoDivergence, AHugeBlockAgainstARefusedNullIsFair) {
  // glibc's budget refuses what glibc-8m holds: the NULL is fair, and s1 is not comparable
  // afterwards.
  const Program program =
      Parse("malloc s0 24\nmalloc s1 2000000\nfill s1\nrealloc s1 0\nrealloc s1 3000000\n");
  ExpectNoFinding({&Glibc(), &kBigBudgetGlibc}, program);
  ExpectNoFinding({&FreeArray(), &kBigBudgetGlibc, &Kr()}, program);
}

// ---- results, describe_answers, format ---------------------------------------------------------

TEST(DiffRunnerApi, ResultsAndAnswers) {
  const Program program = Parse(
      "malloc s0 24\n"                     // 0
      "free s0\n"                          // 1
      "realloc s0 0\n"                     // 2: realloc(NULL, 0)
      "realloc s0 0\n"                     // 3: realloc(p, 0)
      "calloc s1 4611686018427387904 8\n"  // 4
      "malloc s2 18446744073709551615\n"   // 5
      "fill s2\n"                          // 6
      "foreign-grow 4096\n"                // 7
      "malloc s3 40\n"                     // 8: NULL on null-for-40
      "malloc s4 8\n");                    // 9: never reached by null-for-40
  std::unique_ptr<DiffRunner> runner = NewRunner({&FreeArray(), &Glibc(), &Kr(), &kNullFor40});
  ASSERT_NE(runner, nullptr);
  ASSERT_EQ(runner->heap_count(), 4u);
  EXPECT_EQ(runner->heap_name(0), "free-array");
  EXPECT_EQ(runner->heap_name(1), "glibc");
  EXPECT_EQ(runner->heap_name(2), "kr");
  EXPECT_EQ(runner->heap_name(3), "null-for-40");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    SCOPED_TRACE(ModeName(mode));
    const std::optional<DiffFinding> f = runner->run(program, mode);
    ASSERT_EQ(Describe(f),
              "[null-for-40] spurious-null @8: malloc of 40 bytes returned NULL although no "
              "break growth failed during the call");
    // Every heap's results up to its own first finding; the others to the end.
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(runner->results(i).size(), program.ops.size()) << i;
      EXPECT_EQ(Summaries(*runner, i), "B - B NL Ne12 Ne12 - - B B") << i;
    }
    EXPECT_EQ(runner->results(3).size(), 9u);
    EXPECT_EQ(Summaries(*runner, 3), "B - B NL Ne12 Ne12 - - Ne12");
    EXPECT_TRUE(runner->results(0)[7].applied);

    EXPECT_EQ(runner->describe_answers(program, 0), "free-array, glibc, kr, null-for-40: a block");
    EXPECT_EQ(runner->describe_answers(program, 1), "") << "free returns nothing";
    EXPECT_EQ(runner->describe_answers(program, 2), "free-array, glibc, kr, null-for-40: a block");
    EXPECT_EQ(runner->describe_answers(program, 3),
              "free-array, glibc, kr, null-for-40: NULL (freed)");
    EXPECT_EQ(runner->describe_answers(program, 4),
              "free-array, glibc, kr, null-for-40: NULL, ENOMEM");
    EXPECT_EQ(runner->describe_answers(program, 5),
              "free-array, glibc, kr, null-for-40: NULL, ENOMEM");
    EXPECT_EQ(runner->describe_answers(program, 6), "") << "fill returns nothing";
    EXPECT_EQ(runner->describe_answers(program, 7), "") << "foreign-grow returns nothing";
    EXPECT_EQ(runner->describe_answers(program, 8),
              "free-array, glibc, kr: a block; null-for-40: NULL, ENOMEM");
    EXPECT_EQ(runner->describe_answers(program, 9), "") << "not every heap reached it";
  }
}

TEST(DiffRunnerApi, OneHeapReportsOnlyItsOwnViolations) {
  std::unique_ptr<DiffRunner> runner = NewRunner({&kMallocZeroNull});
  ASSERT_NE(runner, nullptr);
  EXPECT_EQ(Describe(runner->run(Parse("malloc s0 0\nrealloc s0 0\n"), CheckMode::kEveryOp)), "ok");
  const Program program = Parse("malloc s0 0\nmalloc s1 40\n");
  std::unique_ptr<DiffRunner> broken = NewRunner({&kNullFor40});
  ASSERT_NE(broken, nullptr);
  const std::optional<DiffFinding> f = broken->run(program, CheckMode::kAmortized);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->heap, "null-for-40");
  EXPECT_EQ(f->finding.op_index, 1u);
  EXPECT_NE(broken->format(program, *f).find("\n  heap: null-for-40 (of null-for-40)\n"),
            std::string::npos);
}

TEST(DiffRunnerApi, TheLastRunIsWhatResultsShow) {
  std::unique_ptr<DiffRunner> runner = NewRunner({&FreeArray(), &Glibc()});
  ASSERT_NE(runner, nullptr);
  const Program longer = Parse("malloc s0 8\nmalloc s1 8\nmalloc s2 8\n");
  const Program shorter = Parse("# region: low\nmalloc s0 0\n");
  ASSERT_FALSE(runner->run(longer, CheckMode::kEveryOp).has_value());
  EXPECT_EQ(runner->results(0).size(), 3u);
  ASSERT_FALSE(runner->run(shorter, CheckMode::kEveryOp).has_value());
  EXPECT_EQ(runner->results(0).size(), 1u);
  EXPECT_EQ(runner->results(1).size(), 1u);
  EXPECT_EQ(runner->describe_answers(shorter, 0), "free-array, glibc: a block");
}

// ---- the correct heaps agree -------------------------------------------------------------------

// Sizes at the edges of the heaps' units and thresholds, of the region, and past any heap.
uint64_t RandomSize(XorShift& rng) {
  static constexpr uint64_t kEdges[] = {0,
                                        1,
                                        8,
                                        15,
                                        16,
                                        24,
                                        25,
                                        4088,
                                        4096,
                                        16368,
                                        16384,
                                        131072,
                                        262144,
                                        300000,
                                        524288,
                                        kProgramRegionBytes - 16,
                                        kProgramRegionBytes,
                                        kProgramRegionBytes + 1,
                                        5000000000,
                                        uint64_t{PTRDIFF_MAX} / 2 + 1,
                                        PTRDIFF_MAX,
                                        uint64_t{PTRDIFF_MAX} + 1,
                                        SIZE_MAX - 16,
                                        SIZE_MAX - 15,
                                        SIZE_MAX};
  return edge_biased_size(rng, kEdges, {{300}, {5000, 6, 200000}, {64}});
}

// High or low, and one time in four a limit.
void RandomHeader(XorShift& rng, ProgramHeader& header) {
  header.placement = rng.below(2) == 0 ? Placement::kHigh : Placement::kLow;
  if (rng.below(4) == 0) {
    static constexpr uint64_t kLimits[] = {0, 4096, 20000, 100000, 600000};
    header.limit = kLimits[rng.below(sizeof kLimits / sizeof kLimits[0])];
  }
}

// Over 24 slots; now and then a calloc whose product overflows or is zero, and a realloc to 0.
constexpr ProgramMix kMix = {.header = RandomHeader,
                             .slots = 24,
                             .mallocs = 10,
                             .foreign_grow_below = 20000,
                             .calloc_overflow_one_in = 6,
                             .calloc_any_size_one_in = 6,
                             .realloc_zero_one_in = 5,
                             .size = RandomSize};

TEST(DiffAgreement, CorrectHeapsAgreeOnRandomPrograms) {
  const std::vector<const HeapKind*> kinds = {&FreeArray(), &Glibc(), &Kr()};
  std::unique_ptr<DiffRunner> runner = NewRunner(kinds);
  ASSERT_NE(runner, nullptr);
  // What the programs reached, counted over the every-op runs: the comparisons must not all be
  // vacuous.
  uint64_t compared = 0, all_blocks = 0, all_nulls = 0, refused = 0, freed = 0, skipped = 0;
  uint64_t calloc_overflows = 0, zero_requests = 0, realloc_of_null = 0, huge = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const Program program = random_program(seed, 400, kMix);
    std::vector<std::string> first;
    for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
      const std::optional<DiffFinding> f = runner->run(program, mode);
      ASSERT_EQ(Describe(f), "ok") << "seed " << seed << " " << ModeName(mode) << "\n"
                                   << runner->format(program, *f) << "\n"
                                   << print_ops_text(program);
      std::vector<std::string> summaries;
      for (size_t h = 0; h < kinds.size(); ++h) summaries.push_back(Summaries(*runner, h));
      if (first.empty()) {
        first = summaries;
      } else {
        EXPECT_EQ(summaries, first) << "seed " << seed << ": the check mode changed an answer";
        continue;
      }
      for (size_t i = 0; i < program.ops.size(); ++i) {
        const Op& op = program.ops[i];
        const OpResult& r0 = runner->results(0)[i];
        if (!r0.returned) continue;
        bool same_slot = true, any_refused = false;
        size_t nulls = 0;
        for (size_t h = 0; h < kinds.size(); ++h) {
          const OpResult& r = runner->results(h)[i];
          same_slot = same_slot && r.slot_live == r0.slot_live;
          any_refused = any_refused || r.refused;
          nulls += r.null ? 1 : 0;
        }
        if (!same_slot) {
          ++skipped;
          continue;
        }
        ++compared;
        all_blocks += nulls == 0 ? 1 : 0;
        all_nulls += nulls == kinds.size() ? 1 : 0;
        refused += any_refused ? 1 : 0;
        size_t bytes = op.args[0];
        const bool overflow =
            op.kind == OpKind::kCalloc && __builtin_mul_overflow(op.args[0], op.args[1], &bytes);
        calloc_overflows += overflow ? 1 : 0;
        zero_requests += !overflow && bytes == 0 ? 1 : 0;
        freed += op.kind == OpKind::kRealloc && r0.slot_live && op.args[0] == 0 ? 1 : 0;
        realloc_of_null += op.kind == OpKind::kRealloc && !r0.slot_live ? 1 : 0;
        huge += !overflow && bytes > kProgramRegionBytes ? 1 : 0;
      }
    }
  }
  EXPECT_GT(compared, 4000u);
  EXPECT_GT(all_blocks, 2000u);
  EXPECT_GT(all_nulls, 300u);
  EXPECT_GT(refused, 100u);
  EXPECT_GT(skipped, 50u) << "fair NULLs left slots in different states";
  EXPECT_GT(freed, 50u);
  EXPECT_GT(calloc_overflows, 50u);
  EXPECT_GT(zero_requests, 200u);
  EXPECT_GT(realloc_of_null, 200u);
  EXPECT_GT(huge, 300u);
}

}  // namespace
}  // namespace allocfuzz
