// Tests of the production allocators as heaps (fuzz/heaps/mimalloc_heap.h, jemalloc_heap.h,
// tcmalloc_heap.h, on fuzz/heaps/library_heap.h), through the TestedHeap calls directly:
//   - each declaration (capabilities, profile) holds against the library on this machine;
//   - the whole API: malloc(0), realloc's edges, calloc, the aligned calls (alignment kept, a bad
//     ALIGN answered EINVAL), sized free, usable size;
//   - the budget: over the region's reserve is a counted ENOMEM refusal, a size no allocator can
//     satisfy is the library's uncounted one; reset() gives everything back;
//   - mimalloc's walk, with its exact finding when a live block is not reported;
//   - the harness's own allocations stay the sanitizer's (or glibc's without one), not theirs.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/tested_heap.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/allocator_interface.h>
#define ALLOCFUZZ_TEST_ASAN 1
#endif
#endif

namespace allocfuzz {
namespace {

constexpr size_t kReserve = size_t{1} << 20;

class LibraryHeaps : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    RegionOptions options;
    options.reserve_bytes = kReserve;
    ASSERT_EQ(region_.init(options), 0);
    const HeapKind* kind = find_heap_kind(GetParam());
    ASSERT_NE(kind, nullptr);
    heap_ = kind->make(region_);
  }
  bool is(const char* name) const { return std::string(GetParam()) == name; }

  PseudoBrk region_;
  std::unique_ptr<TestedHeap> heap_;
};

TEST_P(LibraryHeaps, DeclaresWhatItHas) {
  EXPECT_FALSE(heap_->uses_region());
  const CapabilitySet caps = heap_->capabilities();
  EXPECT_TRUE(has_capability(caps, Capability::kAligned));
  EXPECT_TRUE(has_capability(caps, Capability::kUsableSize));
  EXPECT_TRUE(has_capability(caps, Capability::kSizedFree));
  EXPECT_FALSE(has_capability(caps, Capability::kRegion));
  // An mi_heap_t allocates only on the thread that made it.
  EXPECT_EQ(has_capability(caps, Capability::kThreadSafe), !is("mimalloc"));
  const BehaviourProfile p = heap_->profile();
  EXPECT_EQ(p.malloc_zero, ZeroMalloc::kUniqueBlock);
  // mimalloc's own answer is a minimal block; the others free (jemalloc's through the adapter).
  EXPECT_EQ(p.realloc_zero, is("mimalloc") ? ReallocZero::kReturnsBlock : ReallocZero::kFrees);
  const BadAlignment memalign_bad =
      is("tcmalloc") ? BadAlignment::kNotAsked : BadAlignment::kEinval;
  EXPECT_EQ(p.memalign_bad, memalign_bad);
  EXPECT_EQ(p.aligned_alloc_bad, memalign_bad);
  EXPECT_EQ(p.posix_memalign_bad, BadAlignment::kEinval);
  EXPECT_EQ(p.refusal_errno, ENOMEM);
  EXPECT_EQ(p.usable_granularity, 0u);
}

TEST_P(LibraryHeaps, MallocZeroIsAUniqueBlock) {
  void* a = heap_->malloc(0);
  void* b = heap_->malloc(0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % heap_->alignment(), 0u);
  heap_->free(a);
  heap_->free(b);
}

TEST_P(LibraryHeaps, ReallocKeepsBytesAndAnswersItsEdgesAsProfiled) {
  char* p = static_cast<char*>(heap_->realloc(nullptr, 40));  // realloc(NULL, n) is malloc
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 40; ++i) p[i] = static_cast<char>(i);
  char* q = static_cast<char*>(heap_->realloc(p, 5000));
  ASSERT_NE(q, nullptr);
  for (int i = 0; i < 40; ++i) ASSERT_EQ(q[i], static_cast<char>(i));
  EXPECT_GE(heap_->usable_size(q), 5000u);
  void* r = heap_->realloc(q, 0);
  if (heap_->profile().realloc_zero == ReallocZero::kFrees) {
    EXPECT_EQ(r, nullptr);
  } else {
    ASSERT_NE(r, nullptr);
    heap_->free(r);
  }
}

TEST_P(LibraryHeaps, CallocZeroesAndRefusesAnOverflowingProduct) {
  auto* p = static_cast<unsigned char*>(heap_->calloc(10, 100));
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(p[i], 0);
  heap_->free(p);
  errno = 0;
  EXPECT_EQ(heap_->calloc(SIZE_MAX / 2, 3), nullptr);
  EXPECT_EQ(errno, ENOMEM);
}

TEST_P(LibraryHeaps, AlignedCallsKeepTheirAlignment) {
  for (size_t align : {size_t{1}, size_t{8}, size_t{64}, size_t{4096}, size_t{1} << 20}) {
    SCOPED_TRACE(align);
    void* a = heap_->memalign(align, 100);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % align, 0u);
    EXPECT_GE(heap_->usable_size(a), 100u);
    heap_->free_aligned_sized(a, align, 100);
    void* b = heap_->aligned_alloc(align, 24);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % align, 0u);
    heap_->free(b);
  }
  void* out = &out;
  ASSERT_EQ(heap_->posix_memalign(&out, 256, 10), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(out) % 256, 0u);
  heap_->free_sized(out, 10);
}

TEST_P(LibraryHeaps, BadAlignmentIsEinvalAndNeverReachesTheLibrary) {
  void* const untouched = reinterpret_cast<void*>(uintptr_t{0x1234});
  for (size_t align : {size_t{0}, size_t{4}, size_t{24}}) {
    SCOPED_TRACE(align);
    void* out = untouched;
    EXPECT_EQ(heap_->posix_memalign(&out, align, 100), EINVAL);
    EXPECT_EQ(out, untouched);
  }
  for (size_t align : {size_t{0}, size_t{24}, size_t{100}}) {
    SCOPED_TRACE(align);
    errno = 0;
    EXPECT_EQ(heap_->memalign(align, 100), nullptr);
    EXPECT_EQ(errno, EINVAL);
    errno = 0;
    EXPECT_EQ(heap_->aligned_alloc(align, 100), nullptr);
    EXPECT_EQ(errno, EINVAL);
  }
  EXPECT_EQ(heap_->refusals(), 0u);
}

TEST_P(LibraryHeaps, TheBudgetRefusesPastTheReserveAndResetGivesItBack) {
  void* half = heap_->malloc(kReserve / 2);
  ASSERT_NE(half, nullptr);
  errno = 0;
  EXPECT_EQ(heap_->malloc(kReserve / 2 + 1), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(heap_->refusals(), 1u);
  void* out = nullptr;
  EXPECT_EQ(heap_->posix_memalign(&out, 64, kReserve), ENOMEM);
  EXPECT_EQ(heap_->refusals(), 2u);
  // A size no allocator can satisfy is the library's to refuse: not counted, errno ENOMEM.
  errno = 0;
  EXPECT_EQ(heap_->malloc(SIZE_MAX - 64), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(heap_->refusals(), 2u);
  heap_->reset();  // gives `half` back: the whole reserve fits again
  void* all = heap_->malloc(kReserve);
  ASSERT_NE(all, nullptr);
  std::memset(all, 0x5a, kReserve);
  heap_->free_sized(all, kReserve);
  EXPECT_EQ(heap_->refusals(), 2u);
}

TEST_P(LibraryHeaps, ReportsItsFootprint) {
  void* p = heap_->malloc(100000);
  ASSERT_NE(p, nullptr);
  std::optional<uint64_t> bytes = heap_->footprint_bytes();
  ASSERT_TRUE(bytes.has_value());
  EXPECT_GE(*bytes, 100000u);
  heap_->free(p);
}

// jemalloc's reset is arena.<i>.reset of the one arena (jemalloc_heap.h says why not a fresh
// arena per program): every block of the program is discarded, so the arena's active pages
// are back to none, program after program.
TEST(JemallocHeap, ResetDiscardsEveryBlockOfItsArena) {
  RegionOptions options;
  options.reserve_bytes = kReserve;
  PseudoBrk region;
  ASSERT_EQ(region.init(options), 0);
  std::unique_ptr<TestedHeap> heap = find_heap_kind("jemalloc")->make(region);
  ASSERT_EQ(heap->footprint_bytes(), std::optional<uint64_t>(0));
  for (int program = 0; program < 100; ++program) {
    for (size_t i = 0; i < 50; ++i) ASSERT_NE(heap->malloc(16 + i * 977 % 5000), nullptr);
    ASSERT_GT(heap->footprint_bytes().value_or(0), 0u);
    heap->reset();
    ASSERT_EQ(heap->footprint_bytes(), std::optional<uint64_t>(0)) << "program " << program;
  }
}

TEST_P(LibraryHeaps, ItsBlocksAreNotTheProcessAllocators) {
  void* p = heap_->malloc(16);
  ASSERT_NE(p, nullptr);
#ifdef ALLOCFUZZ_TEST_ASAN
  EXPECT_EQ(__sanitizer_get_ownership(p), 0);
#endif
  heap_->free(p);
}

INSTANTIATE_TEST_SUITE_P(Each, LibraryHeaps, ::testing::Values("mimalloc", "jemalloc", "tcmalloc"));

// A LiveView of given blocks, in address order.
class Held final : public LiveView {
 public:
  explicit Held(std::vector<std::pair<const char*, size_t>> blocks) : blocks_(std::move(blocks)) {
    std::sort(blocks_.begin(), blocks_.end());
  }
  size_t requested_size(const void* p) const override {
    for (const auto& [payload, n] : blocks_) {
      if (payload == p) return n;
    }
    return SIZE_MAX;
  }
  size_t live_count() const override { return blocks_.size(); }
  const char* live_payload(size_t i) const override { return blocks_[i].first; }

 private:
  std::vector<std::pair<const char*, size_t>> blocks_;
};

TEST(MimallocWalk, AgreesWithTheLiveBlocksAndNamesOneItMisses) {
  RegionOptions options;
  options.reserve_bytes = kReserve;
  PseudoBrk region;
  ASSERT_EQ(region.init(options), 0);
  std::unique_ptr<TestedHeap> heap = find_heap_kind("mimalloc")->make(region);
  auto* a = static_cast<const char*>(heap->malloc(24));
  auto* b = static_cast<const char*>(heap->memalign(4096, 100));  // inside a larger block
  auto* c = static_cast<const char*>(heap->malloc(3000));
  heap->free(heap->malloc(40));
  EXPECT_EQ(heap->check(true, nullptr, Held({{a, 24}, {b, 100}, {c, 3000}})), std::nullopt);
  // Cheap checks do not walk.
  static char elsewhere[32];
  EXPECT_EQ(heap->check(false, nullptr, Held({{elsewhere, 24}})), std::nullopt);
  std::optional<HeapFinding> f = heap->check(true, nullptr, Held({{a, 24}, {elsewhere, 24}}));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->id, "walk");
  EXPECT_EQ(f->offset, SIZE_MAX);
  EXPECT_EQ(f->message, "the walk does not report a live block of 24 bytes in use");
  // More than the block holds from the payload on (mimalloc puts 24 bytes in its 32-byte class).
  f = heap->check(true, nullptr, Held({{a, 4000}}));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->message,
            "the walk reports a live block with 32 bytes, fewer than the 4000 "
            "requested");
}

// The harness's own allocations: the sanitizer's in this build, or glibc's without one (the
// executable's malloc, fuzz/heaps/libc_malloc.cc), never one of the libraries'.
TEST(ProcessAllocator, StaysTheSanitizersOrGlibcs) {
  void* p = std::malloc(16);
  auto* q = new int(7);
  ASSERT_NE(p, nullptr);
#ifdef ALLOCFUZZ_TEST_ASAN
  EXPECT_EQ(__sanitizer_get_ownership(p), 1);
  EXPECT_EQ(__sanitizer_get_ownership(q), 1);
#endif
  // Whatever this build's malloc is, it is defined in the executable: a library's would lose.
  Dl_info info{};
  ASSERT_NE(dladdr(dlsym(RTLD_DEFAULT, "malloc"), &info), 0);
  const std::string where = info.dli_fname;
  EXPECT_EQ(where.find("malloc"), std::string::npos) << where;  // no lib*malloc*.so
  ASSERT_NE(dladdr(dlsym(RTLD_DEFAULT, "_Znwm"), &info), 0);
  EXPECT_EQ(std::string(info.dli_fname).find("malloc"), std::string::npos) << info.dli_fname;
  ASSERT_NE(dladdr(dlsym(RTLD_DEFAULT, "__libc_malloc"), &info), 0);
  EXPECT_NE(std::string(info.dli_fname).find("libc.so"), std::string::npos) << info.dli_fname;
  delete q;
  std::free(p);
}

}  // namespace
}  // namespace allocfuzz
