// Tests of descriptor version 2 (plugins/allocfuzz_plugin.h, fuzz/heaps/plugin_adapter.h) on the
// allocators of tests/heaps/test_plugins_v2.c, through the executor:
//   - the context: each heap owns one, so two heaps of one plugin coexist;
//   - max_request: larger requests are answered by the harness (NULL, ENOMEM, a fair NULL),
//     and never reach the allocator (which exits if one does);
//   - the walk: a correct one passes, a wrong one is heap-invariant:walk at the operation;
//   - alignment below alignof(max_align_t): accepted and listed when declared, refused when
//     not (v1 included), and the flag refused without a small alignment.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/heaps/plugin_adapter.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops_text.h"
#include "tests/harness/executor_rig.h"

extern "C" const allocfuzz_allocator* allocfuzz_plugin_test_v2(void);
extern "C" const allocfuzz_allocator* allocfuzz_plugin_test_v2_wrong_walk(void);
extern "C" const allocfuzz_allocator* allocfuzz_plugin_test_v2_align8(void);

namespace allocfuzz {
namespace {

using testing::Describe;  // "kind @op [oracle] offset: message", or "ok"
using testing::Parse;

struct Rig {
  explicit Rig(const allocfuzz_allocator* plugin) {
    RegionOptions options;
    options.reserve_bytes = size_t{1} << 20;
    EXPECT_EQ(region.init(options), 0);
    heap = make_plugin_heap(*plugin, region);
    executor = std::make_unique<Executor>(region, *heap);
  }
  PseudoBrk region;
  std::unique_ptr<TestedHeap> heap;
  std::unique_ptr<Executor> executor;
};

// Reuse from the free list, realloc both ways, calloc, fills, and foreign moves of the break
// that leave it off 16-byte alignment between blocks.
constexpr std::string_view kWorkout =
    "# allocfuzz ops v1\n"
    "malloc s0 100\n"
    "foreign-grow 13\n"
    "malloc s1 5\n"
    "calloc s2 7 9\n"
    "free s0\n"
    "malloc s3 64\n"
    "realloc s1 300\n"
    "fill s2\n"
    "realloc s3 10\n"
    "malloc s4 0\n"
    "free s2\n"
    "check\n";

TEST(PluginV2, AWalkingAllocatorWithAContextPassesTheWorkout) {
  for (const allocfuzz_allocator* plugin :
       {allocfuzz_plugin_test_v2(), allocfuzz_plugin_test_v2_align8()}) {
    Rig rig(plugin);
    for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
      Outcome out = rig.executor->run(Parse(kWorkout), mode);
      EXPECT_EQ(Describe(out.finding), "ok") << plugin->name;
    }
  }
}

TEST(PluginV2, EachHeapOwnsItsContextSoTwoCoexist) {
  Rig a(allocfuzz_plugin_test_v2());
  Rig b(allocfuzz_plugin_test_v2());
  a.heap->reset();
  b.heap->reset();  // a v1 plugin would now refuse calls through a
  void* p = a.heap->malloc(40);
  void* q = b.heap->malloc(40);
  EXPECT_TRUE(a.region.contains(p));
  EXPECT_TRUE(b.region.contains(q));
  EXPECT_EQ(a.region.offset_of(p), b.region.offset_of(q));
  a.heap->free(p);
  EXPECT_EQ(a.heap->malloc(8), p);  // a's free list, untouched by b
}

TEST(PluginV2, RequestsAboveMaxRequestAreRefusedByTheHarness) {
  Rig rig(allocfuzz_plugin_test_v2());
  rig.heap->reset();
  errno = 0;
  EXPECT_EQ(rig.heap->malloc(4097), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(rig.heap->calloc(SIZE_MAX / 2, 4), nullptr);  // the product overflows
  void* p = rig.heap->malloc(4096);                       // the largest it takes
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(rig.heap->realloc(p, 5000), nullptr);
  EXPECT_EQ(rig.heap->usable_size(p), 4096u);  // still live
  EXPECT_EQ(rig.heap->refusals(), 3u);
  // In a program the NULLs are fair (a refusal, with ENOMEM), not spurious-null; the allocator
  // would exit had any of them reached it.
  Outcome out = rig.executor->run(Parse("# allocfuzz ops v1\n"
                                        "malloc s0 4097\n"
                                        "calloc s1 2 3000\n"
                                        "calloc s2 4611686018427387904 4\n"
                                        "malloc s3 100\n"
                                        "realloc s3 1000000\n"
                                        "realloc s4 4097\n"
                                        "check\n"),
                                  CheckMode::kEveryOp);
  EXPECT_EQ(Describe(out.finding), "ok");
}

TEST(PluginV2, AWalkThatMisreportsIsHeapInvariantWalk) {
  Rig rig(allocfuzz_plugin_test_v2_wrong_walk());
  constexpr std::string_view kReuse =
      "# allocfuzz ops v1\n"
      "malloc s0 100\n"
      "free s0\n"
      "malloc s1 100\n"
      "free s1\n";
  // s0's payload is at +0x000010, after its header; s1 reuses it, and the walk calls it free.
  EXPECT_EQ(Describe(rig.executor->run(Parse(kReuse), CheckMode::kEveryOp).finding),
            "heap-invariant:walk @2 [heap checker] 16: the walk does not report the live block at "
            "+0x000010 "
            "(100 bytes) in use");
  // The fuzzer's mode sees it at a full check too: at the latest at the end.
  Outcome amortized = rig.executor->run(Parse("# allocfuzz ops v1\n"
                                              "malloc s0 100\n"
                                              "free s0\n"
                                              "malloc s1 100\n"),
                                        CheckMode::kAmortized);
  ASSERT_TRUE(amortized.finding.has_value());
  EXPECT_EQ(amortized.finding->kind.text(), "heap-invariant:walk");
  EXPECT_EQ(amortized.finding->oracle, Oracle::kHeapChecker);
}

std::unique_ptr<TestedHeap> MakeNothing(PseudoBrk&) { return nullptr; }

const allocfuzz_allocator_v2& V2(const allocfuzz_allocator* plugin) {
  return *reinterpret_cast<const allocfuzz_allocator_v2*>(plugin);
}

TEST(PluginV2, ADeclaredSmallAlignmentRegistersAndIsListed) {
  Rig rig(allocfuzz_plugin_test_v2_align8());
  EXPECT_EQ(rig.heap->alignment(), 8u);
  ASSERT_TRUE(
      register_plugin_heap(allocfuzz_plugin_test_v2_align8(), "test_v2_align8", MakeNothing));
  const HeapKind* kind = find_heap_kind("test_v2_align8");
  ASSERT_NE(kind, nullptr);
  // What `allocfuzz list` prints beside the name.
  EXPECT_EQ(kind->description,
            "TEST ONLY: payloads 8-aligned [alignment 8, below max_align_t: declared] "
            "[max request 4096]");
}

TEST(PluginV2DeathTest, AnUndeclaredSmallAlignmentIsRefusedAtRegistration) {
  allocfuzz_allocator_v2 bad = V2(allocfuzz_plugin_test_v2_align8());
  bad.name = "test_v2_bad";
  bad.flags = 0;
  EXPECT_DEATH(register_plugin_heap(ALLOCFUZZ_PLUGIN_V2(&bad), "test_v2_bad", MakeNothing),
               "allocfuzz: cannot register plugin allocator 'test_v2_bad': alignment 8 is below "
               "the C standard's fundamental alignment \\(alignof\\(max_align_t\\) = 16\\); a v2 "
               "descriptor may declare it with ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT in flags");
  // A v1 descriptor cannot declare it: an alignment of 4 was accepted silently before.
  allocfuzz_allocator v1{};
  v1.abi_version = ALLOCFUZZ_PLUGIN_ABI_VERSION;
  v1.name = "test_v1_bad";
  v1.alignment = 4;
  EXPECT_DEATH(register_plugin_heap(&v1, "test_v1_bad", MakeNothing),
               "'test_v1_bad': alignment 4 is below the C standard's fundamental alignment");
  bad = V2(allocfuzz_plugin_test_v2());
  bad.name = "test_v2_bad";
  bad.flags = ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT;
  EXPECT_DEATH(register_plugin_heap(ALLOCFUZZ_PLUGIN_V2(&bad), "test_v2_bad", MakeNothing),
               "'test_v2_bad': flags declares ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT, but alignment 16 "
               "is not below alignof\\(max_align_t\\) = 16");
  bad.flags = 4;
  EXPECT_DEATH(register_plugin_heap(ALLOCFUZZ_PLUGIN_V2(&bad), "test_v2_bad", MakeNothing),
               "'test_v2_bad': flags has bits other than ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT");
  bad.flags = 0;
  bad.abi_version = 3;
  EXPECT_DEATH(register_plugin_heap(ALLOCFUZZ_PLUGIN_V2(&bad), "test_v2_bad", MakeNothing),
               "abi_version is neither");
  bad.abi_version = ALLOCFUZZ_PLUGIN_ABI_VERSION_2;
  bad.walk = nullptr;  // optional
  bad.malloc = nullptr;
  EXPECT_DEATH(register_plugin_heap(ALLOCFUZZ_PLUGIN_V2(&bad), "test_v2_bad", MakeNothing),
               "are required");
}

}  // namespace
}  // namespace allocfuzz
