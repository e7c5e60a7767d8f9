// The heap `free-array` as the harness sees it (fuzz/heaps/free_array_adapter.h): its aligned
// calls answer a bad ALIGN as its profile says, posix_memalign's error numbers and *out, the
// sized frees, and what it declares (capabilities, profile).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/heap_traits.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/capabilities.h"

namespace allocfuzz {
namespace {

class FreeArrayAligned : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(region_.init(program_region_options(Placement::kHigh, Protection::kStrict)), 0);
    const HeapKind* kind = find_heap_kind("free-array");
    ASSERT_NE(kind, nullptr);
    heap_ = kind->make(region_);
  }
  void TearDown() override { heap_.reset(); }
  static bool aligned(const void* p, size_t align) {
    return reinterpret_cast<uintptr_t>(p) % align == 0;
  }

  PseudoBrk region_;
  std::unique_ptr<TestedHeap> heap_;
};

TEST_F(FreeArrayAligned, DeclaresTheWholeApiButThreadSafety) {
  EXPECT_EQ(capability_names(heap_->capabilities()), "aligned, usable-size, sized-free, region");
  const BehaviourProfile p = heap_->profile();
  EXPECT_EQ(p.malloc_zero, ZeroMalloc::kUniqueBlock);
  EXPECT_EQ(p.realloc_zero, ReallocZero::kFrees);
  EXPECT_EQ(p.memalign_bad, BadAlignment::kRoundsUp);
  EXPECT_EQ(p.aligned_alloc_bad, BadAlignment::kEinval);
  EXPECT_EQ(p.posix_memalign_bad, BadAlignment::kEinval);
  EXPECT_EQ(p.refusal_errno, ENOMEM);
  EXPECT_EQ(p.usable_granularity, 25u);
}

TEST_F(FreeArrayAligned, PosixMemalignRefusesWhatIsNotAPowerOfTwoTimesAPointer) {
  int marker = 0;
  for (size_t align : {size_t{0}, size_t{1}, size_t{2}, size_t{4}, size_t{12}, size_t{24},
                       size_t{48}, (size_t{1} << 20) + 8}) {
    void* out = &marker;
    errno = 0;
    EXPECT_EQ(heap_->posix_memalign(&out, align, 16), EINVAL) << align;
    EXPECT_EQ(out, &marker) << "*out changed for " << align;
    EXPECT_EQ(errno, 0) << align;
  }
  for (size_t align : {size_t{8}, size_t{16}, size_t{64}, size_t{4096}, size_t{1} << 18}) {
    void* out = nullptr;
    ASSERT_EQ(heap_->posix_memalign(&out, align, 100), 0) << align;
    ASSERT_NE(out, nullptr);
    EXPECT_TRUE(aligned(out, align)) << align;
    EXPECT_GE(heap_->usable_size(out), 100u);
    heap_->free_aligned_sized(out, align, 100);
  }
  // The program region is 1 MiB (program_region.h): a 1 MiB-aligned block never fits after
  // the heap's start, so it is a fair ENOMEM, not an overflow.
  void* out = &marker;
  EXPECT_EQ(heap_->posix_memalign(&out, size_t{1} << 20, 100), ENOMEM);
  EXPECT_EQ(out, &marker);
}

TEST_F(FreeArrayAligned, PosixMemalignOutOfMemoryIsEnomemWithOutAndErrnoUntouched) {
  int marker = 0;
  void* out = &marker;
  errno = 0;
  EXPECT_EQ(heap_->posix_memalign(&out, 64, region_.reserve_bytes()), ENOMEM);
  EXPECT_EQ(out, &marker);
  EXPECT_EQ(errno, 0);
  region_.fail_next_growths(2);
  EXPECT_EQ(heap_->posix_memalign(&out, 4096, 10000), ENOMEM);
  EXPECT_EQ(out, &marker);
}

TEST_F(FreeArrayAligned, AlignedAllocRefusesANonPowerOfTwoAndMemalignRoundsItUp) {
  errno = 0;
  EXPECT_EQ(heap_->aligned_alloc(24, 48), nullptr);
  EXPECT_EQ(errno, EINVAL);
  errno = 0;
  EXPECT_EQ(heap_->aligned_alloc(0, 48), nullptr);
  EXPECT_EQ(errno, EINVAL);
  void* p = heap_->memalign(24, 48);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(aligned(p, 32));
  for (size_t align : {size_t{1}, size_t{2}, size_t{4}, size_t{16}, size_t{256}}) {
    void* q = heap_->aligned_alloc(align, 40);
    ASSERT_NE(q, nullptr) << align;
    EXPECT_TRUE(aligned(q, align < 8 ? 8 : align)) << align;
    heap_->free_sized(q, 40);
  }
  heap_->free_aligned_sized(p, 24, 48);  // not a power of two: only the size is checked
  errno = 0;
  EXPECT_EQ(heap_->aligned_alloc(size_t{1} << 62, 8), nullptr);
  EXPECT_EQ(errno, ENOMEM);
}

}  // namespace
}  // namespace allocfuzz
