// Tests of what the differential runner takes from the heaps' declarations
// (fuzz/heaps/heap_traits.h, fuzz/harness/diff_runner.h):
//   - a difference the profiles explain (malloc-zero, realloc-zero, errno) is no finding, is
//     counted, and explanation() names each heap's profile line;
//   - a heap that answers against its own profile keeps the divergence;
//   - operations are run only where every heap has what they need: the runner narrows its
//     executors to the shared capabilities, and an operation one heap lacks is skipped on all.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/harness/diff_runner.h"
#include "fuzz/harness/executor.h"
#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/heap_traits.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/capabilities.h"
#include "fuzz/program/ops.h"
#include "tests/harness/executor_rig.h"

namespace allocfuzz {
namespace {

using testing::Parse;

// A program from its operations, after the first line every .ops file starts with.
Program Ops(std::string_view body) { return Parse("# allocfuzz ops v1\n" + std::string(body)); }

template <typename H>
std::unique_ptr<TestedHeap> Make(PseudoBrk& region) {
  return std::make_unique<H>(region);
}

const HeapKind& FreeArray() { return *find_heap_kind("free-array"); }

// malloc(0) is NULL, and the heap says so in its profile.
class DeclaredMallocZeroNull final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* malloc(size_t n) override { return n == 0 ? nullptr : FreeArrayTestedHeap::malloc(n); }
  BehaviourProfile profile() const override {
    BehaviourProfile p = FreeArrayTestedHeap::profile();
    p.malloc_zero = ZeroMalloc::kNull;
    return p;
  }
};

// The same answer, but the profile claims a unique block: its own declaration is broken.
class UndeclaredMallocZeroNull final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* malloc(size_t n) override { return n == 0 ? nullptr : FreeArrayTestedHeap::malloc(n); }
};

// realloc(p, 0) returns a fresh minimal block (and frees p), as declared.
class DeclaredReallocZeroBlock final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* realloc(void* p, size_t n) override {
    if (p == nullptr || n != 0) return FreeArrayTestedHeap::realloc(p, n);
    void* q = FreeArrayTestedHeap::malloc(0);
    if (q != nullptr) FreeArrayTestedHeap::free(p);
    return q;
  }
  BehaviourProfile profile() const override {
    BehaviourProfile p = FreeArrayTestedHeap::profile();
    p.realloc_zero = ReallocZero::kReturnsBlock;
    return p;
  }
};

// A huge malloc fails with EOVERFLOW, which the profile declares as its refusal errno.
class DeclaredOverflowErrno final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void* malloc(size_t n) override {
    void* p = FreeArrayTestedHeap::malloc(n);
    if (p == nullptr && errno == ENOMEM) errno = EOVERFLOW;
    return p;
  }
  BehaviourProfile profile() const override {
    BehaviourProfile p = FreeArrayTestedHeap::profile();
    p.refusal_errno = EOVERFLOW;
    return p;
  }
};

// free-array without usable_size.
class NoUsableSize final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  CapabilitySet capabilities() const override {
    return FreeArrayTestedHeap::capabilities() & ~capability_bit(Capability::kUsableSize);
  }
};

const HeapKind kDeclaredMallocZeroNull{"malloc-zero-null", "declares malloc(0) NULL",
                                       Make<DeclaredMallocZeroNull>};
const HeapKind kUndeclaredMallocZeroNull{"malloc-zero-null-undeclared",
                                         "malloc(0) NULL against its profile",
                                         Make<UndeclaredMallocZeroNull>};
const HeapKind kDeclaredReallocZeroBlock{"realloc-zero-block", "declares realloc(p, 0) a block",
                                         Make<DeclaredReallocZeroBlock>};
const HeapKind kDeclaredOverflowErrno{"eoverflow", "declares EOVERFLOW for a refusal",
                                      Make<DeclaredOverflowErrno>};
const HeapKind kNoUsableSize{"no-usable-size", "free-array without usable_size",
                             Make<NoUsableSize>};

std::unique_ptr<DiffRunner> NewRunner(const std::vector<const HeapKind*>& kinds) {
  std::string error;
  std::unique_ptr<DiffRunner> runner = DiffRunner::create(kinds, Protection::kStrict, &error);
  EXPECT_NE(runner, nullptr) << error;
  return runner;
}

std::string KindOf(const std::optional<DiffFinding>& f) {
  return f ? f->finding.kind.text() + " @" + std::to_string(f->finding.op_index) : "ok";
}

TEST(DiffProfile, ADeclaredMallocZeroNullIsExplained) {
  auto runner = NewRunner({&FreeArray(), &kDeclaredMallocZeroNull});
  const Program program = Ops("malloc s0 24\nmalloc s1 0\nfree s0\n");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    EXPECT_EQ(KindOf(runner->run(program, mode)), "ok");
    EXPECT_EQ(runner->explained_count(), 1u);
    EXPECT_EQ(runner->explanation(0), "");
    EXPECT_EQ(runner->explanation(1), "malloc(0): block (free-array); NULL (malloc-zero-null)");
  }
}

TEST(DiffProfile, AnAnswerAgainstTheHeapsOwnProfileStaysADivergence) {
  auto runner = NewRunner({&FreeArray(), &kUndeclaredMallocZeroNull});
  EXPECT_EQ(KindOf(runner->run(Ops("malloc s1 0\n"), CheckMode::kEveryOp)),
            "divergence:malloc-zero @0");
  EXPECT_EQ(runner->explained_count(), 0u);
}

TEST(DiffProfile, ADeclaredReallocZeroBlockIsExplained) {
  auto runner = NewRunner({&kDeclaredReallocZeroBlock, &FreeArray()});
  EXPECT_EQ(KindOf(runner->run(Ops("malloc s0 100\nfill s0\nrealloc s0 0\n"), CheckMode::kEveryOp)),
            "ok");
  EXPECT_EQ(runner->explanation(2),
            "realloc(p, 0): block (realloc-zero-block); frees (free-array)");
}

TEST(DiffProfile, ADeclaredRefusalErrnoIsExplained) {
  auto runner = NewRunner({&FreeArray(), &kDeclaredOverflowErrno});
  // Larger than the region: a fair NULL on both, with each heap's declared errno.
  EXPECT_EQ(KindOf(runner->run(Ops("malloc s0 4611686018427387904\n"), CheckMode::kEveryOp)), "ok");
  EXPECT_EQ(runner->explanation(0),
            "errno of a refusal: ENOMEM (free-array); EOVERFLOW (eoverflow)");
}

TEST(DiffProfile, TheRunnerUsesOnlyTheCapabilitiesEveryHeapHas) {
  auto both = NewRunner({&FreeArray(), &kNoUsableSize});
  EXPECT_FALSE(has_capability(both->shared_capabilities(), Capability::kUsableSize));
  EXPECT_TRUE(has_capability(both->shared_capabilities(), Capability::kRegion));
  auto one = NewRunner({&FreeArray()});
  EXPECT_TRUE(has_capability(one->shared_capabilities(), Capability::kUsableSize));
}

}  // namespace
}  // namespace allocfuzz
