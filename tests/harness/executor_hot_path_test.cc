// Tests of the executor (fuzz/harness/executor.h): the hot path allocates nothing, counted with
// a replaced global operator new.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_checker.h"
#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/content_pattern.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/oracle/shadow.h"
#include "fuzz/program/ops.h"
#include "fuzz/program/ops_text.h"
#include "tests/harness/executor_heaps.h"
#include "tests/harness/executor_rig.h"
#include "tests/support/harness_support.h"

// ---- allocation counting -----------------------------------------------------------------
// Every global operator new of this binary, counted while g_count_allocations is set. The
// matching deletes are replaced too, so that memory from malloc always goes back to free.

namespace {

bool g_count_allocations = false;
uint64_t g_allocations = 0;

void* counted_new(size_t n) {
  if (g_count_allocations) ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

void* counted_new_aligned(size_t n, std::align_val_t align) {
  if (g_count_allocations) ++g_allocations;
  auto a = static_cast<size_t>(align);
  size_t rounded = (n + a - 1) / a * a;
  if (void* p = std::aligned_alloc(a, rounded == 0 ? a : rounded)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(size_t n) { return counted_new(n); }
void* operator new[](size_t n) { return counted_new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }

namespace allocfuzz {
namespace {

using testing::Describe;
using testing::kEveryPath;
using testing::MakeSeedRig;
using testing::ManyLiveBlocks;
using testing::Parse;
using testing::RandomProgram;

// ---- the hot path allocates nothing --------------------------------------------------------

uint64_t AllocationsDuring(const std::function<void()>& body) {
  g_allocations = 0;
  g_count_allocations = true;
  body();
  g_count_allocations = false;
  return g_allocations;
}

TEST(HotPath, SecondRunAllocatesNothing) {
  // The counter itself: a std::string of 100 characters allocates.
  EXPECT_GE(AllocationsDuring([] {
              std::string s(100, 'x');
              (void)s;
            }),
            1u);

  Program program = RandomProgram(5, 3000, 64, Placement::kHigh);
  Program many = ManyLiveBlocks();
  Program every_path = Parse(kEveryPath);
  auto rig = MakeSeedRig(Placement::kHigh);
  ASSERT_TRUE(rig);
  for (const Program* p : {&program, &many, &every_path}) {
    for (CheckMode mode : {CheckMode::kAmortized, CheckMode::kEveryOp}) {
      Outcome warm = rig->run(*p, mode);
      ASSERT_EQ(Describe(warm.finding), "ok");
      Outcome out;
      uint64_t n = AllocationsDuring([&] { out = rig->run(*p, mode); });
      EXPECT_EQ(Describe(out.finding), "ok");
      EXPECT_EQ(n, 0u) << (mode == CheckMode::kAmortized ? "amortized" : "every-op") << ", "
                       << p->ops.size() << " ops";
    }
  }
}

}  // namespace
}  // namespace allocfuzz
