// Tests of the executor's judgement of the aligned calls and sized frees against the heap's own
// declaration (fuzz/harness/executor_api.cc, fuzz/heaps/heap_traits.h):
//   - free_sized and free_aligned_sized pass the block's requested size (and alignment) on; a
//     sized free of the wrong family (C23: undefined) runs a plain free and says so;
//   - a bad ALIGN on a heap whose profile says EINVAL must be refused with EINVAL and nothing
//     else (api-contract otherwise); on one whose profile leaves it undefined (kNotAsked) the
//     call is not made at all and the slot keeps its block;
//   - posix_memalign's refusal leaves *out alone.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/harness/executor.h"
#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/heap_traits.h"
#include "fuzz/program/ops.h"
#include "tests/harness/executor_rig.h"

namespace allocfuzz {
namespace {

using testing::Describe;
using testing::MakeRig;
using testing::Parse;

Program Ops(std::string_view body) { return Parse("# allocfuzz ops v1\n" + std::string(body)); }

// Every operation's result, by index.
class Results final : public OpObserver {
 public:
  void on_op(size_t index, const Op&, const OpResult& result) override {
    if (index >= results.size()) results.resize(index + 1);
    results[index] = result;
  }
  std::vector<OpResult> results;
};

// The free-array heap, recording which free each block got: "free", "free_sized N" or
// "free_aligned_sized A N", and how many aligned calls reached it.
class FreeRecordingHeap final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  void free(void* p) override {
    if (p != nullptr) frees.push_back("free");
    FreeArrayTestedHeap::free(p);
  }
  void free_sized(void* p, size_t n) override {
    frees.push_back("free_sized " + std::to_string(n));
    FreeArrayTestedHeap::free_sized(p, n);
  }
  void free_aligned_sized(void* p, size_t align, size_t n) override {
    frees.push_back("free_aligned_sized " + std::to_string(align) + " " + std::to_string(n));
    FreeArrayTestedHeap::free_aligned_sized(p, align, n);
  }
  void* memalign(size_t align, size_t n) override {
    ++aligned_calls;
    return FreeArrayTestedHeap::memalign(align, n);
  }
  void reset() override {
    frees.clear();
    aligned_calls = 0;
    FreeArrayTestedHeap::reset();
  }
  std::vector<std::string> frees;
  int aligned_calls = 0;
};

// The free-array heap with memalign's bad ALIGN declared `bad` and answered by `answer`: a
// block (the heap rounds up), or NULL with errno `error`.
class BadAlignHeap final : public FreeArrayTestedHeap {
 public:
  BadAlignHeap(PseudoBrk& region, BadAlignment bad, bool block, int error)
      : FreeArrayTestedHeap(region), bad_(bad), block_(block), error_(error) {}
  void* memalign(size_t align, size_t n) override {
    ++aligned_calls;
    if ((align & (align - 1)) == 0) return FreeArrayTestedHeap::memalign(align, n);
    if (block_) return FreeArrayTestedHeap::memalign(64, n);
    errno = error_;
    return nullptr;
  }
  BehaviourProfile profile() const override {
    BehaviourProfile p = FreeArrayTestedHeap::profile();
    p.memalign_bad = bad_;
    return p;
  }
  int aligned_calls = 0;

 private:
  BadAlignment bad_;
  bool block_;
  int error_;
};

// posix_memalign refuses a bad ALIGN with EINVAL, but writes NULL to *out first.
class PosixMemalignClearsOutHeap final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  int posix_memalign(void** out, size_t align, size_t n) override {
    if (align % sizeof(void*) != 0 || (align & (align - 1)) != 0) {
      *out = nullptr;
      return EINVAL;
    }
    return FreeArrayTestedHeap::posix_memalign(out, align, n);
  }
};

TEST(ExecutorApi, SizedFreesPassTheRequestedSizeAndAlignment) {
  auto rig = MakeRig<FreeRecordingHeap>(Placement::kHigh);
  ASSERT_NE(rig, nullptr);
  auto& heap = static_cast<FreeRecordingHeap&>(*rig->heap);
  Results seen;
  const Program program =
      Ops("malloc s0 100\naligned_alloc s1 64 128\nfree_sized s0\nfree_aligned_sized s1\n");
  EXPECT_EQ(Describe(rig->run(program, CheckMode::kEveryOp, &seen).finding), "ok");
  EXPECT_EQ(heap.frees, (std::vector<std::string>{"free_sized 100", "free_aligned_sized 64 128"}));
  ASSERT_EQ(seen.results.size(), 4u);
  EXPECT_FALSE(seen.results[2].mismatched);
  EXPECT_FALSE(seen.results[3].mismatched);
  EXPECT_TRUE(seen.results[2].slot_live);
}

TEST(ExecutorApi, ASizedFreeOfTheWrongFamilyIsAPlainFree) {
  auto rig = MakeRig<FreeRecordingHeap>(Placement::kHigh);
  ASSERT_NE(rig, nullptr);
  auto& heap = static_cast<FreeRecordingHeap&>(*rig->heap);
  Results seen;
  const Program program =
      Ops("memalign s0 64 100\nmalloc s1 40\nfree_sized s0\nfree_aligned_sized s1\n");
  EXPECT_EQ(Describe(rig->run(program, CheckMode::kEveryOp, &seen).finding), "ok");
  EXPECT_EQ(heap.frees, (std::vector<std::string>{"free", "free"}));
  ASSERT_EQ(seen.results.size(), 4u);
  EXPECT_TRUE(seen.results[2].mismatched);
  EXPECT_TRUE(seen.results[3].mismatched);
}

TEST(ExecutorApi, ASizedFreeOfAnEmptySlotDoesNothing) {
  auto rig = MakeRig<FreeRecordingHeap>(Placement::kHigh);
  ASSERT_NE(rig, nullptr);
  auto& heap = static_cast<FreeRecordingHeap&>(*rig->heap);
  Results seen;
  EXPECT_EQ(
      Describe(rig->run(Ops("free_sized s3\nfree_aligned_sized s4\n"), CheckMode::kEveryOp, &seen)
                   .finding),
      "ok");
  EXPECT_TRUE(heap.frees.empty());
  ASSERT_EQ(seen.results.size(), 2u);
  EXPECT_FALSE(seen.results[0].slot_live);
  EXPECT_FALSE(seen.results[0].mismatched);
}

TEST(ExecutorApi, ADeclaredEinvalRefusalIsFair) {
  auto rig = MakeRig<BadAlignHeap>(Placement::kHigh, BadAlignment::kEinval, false, EINVAL);
  ASSERT_NE(rig, nullptr);
  Results seen;
  EXPECT_EQ(Describe(rig->run(Ops("memalign s0 48 100\n"), CheckMode::kEveryOp, &seen).finding),
            "ok");
  ASSERT_EQ(seen.results.size(), 1u);
  EXPECT_TRUE(seen.results[0].null);
  EXPECT_EQ(seen.results[0].error, EINVAL);
}

TEST(ExecutorApi, ABlockForABadAlignDeclaredEinvalBreaksTheContract) {
  auto rig = MakeRig<BadAlignHeap>(Placement::kHigh, BadAlignment::kEinval, true, 0);
  ASSERT_NE(rig, nullptr);
  const std::optional<Finding> f =
      rig->run(Ops("memalign s0 48 100\n"), CheckMode::kEveryOp).finding;
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind.text(), "api-contract");
  EXPECT_EQ(f->op_index, 0u);
  EXPECT_EQ(f->message,
            "memalign(48, 100) returned a block, but 48 is not a power of two (the heap's "
            "profile: EINVAL)");
}

TEST(ExecutorApi, ARefusalOfABadAlignDeclaredEinvalNeedsThatErrno) {
  auto rig = MakeRig<BadAlignHeap>(Placement::kHigh, BadAlignment::kEinval, false, ENOMEM);
  ASSERT_NE(rig, nullptr);
  const std::optional<Finding> f =
      rig->run(Ops("memalign s0 48 100\n"), CheckMode::kEveryOp).finding;
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind.text(), "api-contract");
  EXPECT_EQ(f->message,
            "memalign(48, 100) returned NULL with errno ENOMEM, not EINVAL (48 is not a power of "
            "two)");
}

TEST(ExecutorApi, ABadAlignTheProfileLeavesUndefinedIsNotAsked) {
  auto rig = MakeRig<BadAlignHeap>(Placement::kHigh, BadAlignment::kNotAsked, true, 0);
  ASSERT_NE(rig, nullptr);
  auto& heap = static_cast<BadAlignHeap&>(*rig->heap);
  Results seen;
  // s0's block from malloc survives the skipped call: `usable` still finds it (and checks its
  // contents first), and the leak check at the end passes.
  const Program program = Ops("malloc s0 40\nfill s0\nmemalign s0 48 100\nusable s0\nfree s0\n");
  EXPECT_EQ(Describe(rig->run(program, CheckMode::kEveryOp, &seen).finding), "ok");
  EXPECT_EQ(heap.aligned_calls, 0);
  ASSERT_EQ(seen.results.size(), 5u);
  EXPECT_TRUE(seen.results[2].skipped);
  EXPECT_TRUE(seen.results[2].undefined);
  EXPECT_EQ(seen.results[2].missing, 0u);
  EXPECT_TRUE(seen.results[3].slot_live);
  EXPECT_GE(seen.results[3].usable, 40u);
  EXPECT_LT(seen.results[3].usable, 100u);
}

TEST(ExecutorApi, ABadAlignTheProfileRoundsUpNeedsTheRoundedAlignment) {
  auto rig = MakeRig<BadAlignHeap>(Placement::kHigh, BadAlignment::kRoundsUp, true, 0);
  ASSERT_NE(rig, nullptr);
  // 48 rounds up to 64, which the heap's block has.
  EXPECT_EQ(Describe(rig->run(Ops("memalign s0 48 100\nfree s0\n"), CheckMode::kEveryOp).finding),
            "ok");
}

TEST(ExecutorApi, APosixMemalignRefusalMustLeaveOutAlone) {
  auto rig = MakeRig<PosixMemalignClearsOutHeap>(Placement::kHigh);
  ASSERT_NE(rig, nullptr);
  const std::optional<Finding> f =
      rig->run(Ops("posix_memalign s0 4 100\n"), CheckMode::kEveryOp).finding;
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind.text(), "api-contract");
  EXPECT_EQ(f->message, "posix_memalign(&s0, 4, 100) returned EINVAL but changed *out");
}

}  // namespace
}  // namespace allocfuzz
