// Tests of the plugin path (fuzz/heaps/plugin_adapter.h, fuzz/heaps/plugin_region.h): two tiny C
// plugins from tests/heaps/test_plugins.c, linked with WRAP_BRK, driven through the executor.
//   - brk/sbrk reach the region, both through region->sbrk and through the C library's plain
//     sbrk() that only the linker's --wrap redirects: the region's growth count says so;
//   - a message from self_check is the finding heap-invariant:self-check, at the first
//     operation after which it appears, with the plugin's message and offset;
//   - the misuses the harness refuses abort with a message: sbrk outside a call from the
//     harness, a call through a heap that no longer owns the plugin's state, an unusable
//     descriptor at registration.
#include "fuzz/heaps/plugin_adapter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/heaps/plugin_region.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops_text.h"

extern "C" const allocfuzz_allocator* allocfuzz_plugin_test_wrapped(void);
extern "C" const allocfuzz_allocator* allocfuzz_plugin_test_api(void);

namespace allocfuzz {
namespace {

Program Parse(std::string_view text) {
  ParseResult result = parse_ops_text(text);
  EXPECT_FALSE(result.error.has_value())
      << "line " << result.error->line << ": " << result.error->message;
  return result.program;
}

// "kind @op offset: message", or "ok".
std::string Describe(const std::optional<Finding>& f) {
  if (!f) return "ok";
  std::string offset = f->offset == SIZE_MAX ? "-" : std::to_string(f->offset);
  return f->kind.text() + " @" + std::to_string(f->op_index) + " " + offset + ": " + f->message;
}

struct Rig {
  explicit Rig(const allocfuzz_allocator& plugin) {
    RegionOptions options;
    options.reserve_bytes = size_t{4} << 20;
    EXPECT_EQ(region.init(options), 0);
    heap = make_plugin_heap(plugin, region);
    executor = std::make_unique<Executor>(region, *heap);
  }
  PseudoBrk region;
  std::unique_ptr<TestedHeap> heap;
  std::unique_ptr<Executor> executor;
};

constexpr std::string_view kGrowingProgram =
    "# allocfuzz ops v1\n"
    "malloc s0 100\n"
    "malloc s1 5000\n"
    "realloc s0 200\n"
    "calloc s2 3 8\n"
    "free s1\n"
    "check\n";

TEST(PluginAdapter, PlainSbrkOfAWrappedPluginMovesTheRegionsBreak) {
  Rig rig(*allocfuzz_plugin_test_wrapped());
  Outcome out = rig.executor->run(Parse(kGrowingProgram), CheckMode::kEveryOp);
  EXPECT_EQ(Describe(out.finding), "ok");
  // Four blocks of 16 + 112, 16 + 5008, 16 + 208 and 16 + 32 bytes, each one sbrk.
  EXPECT_EQ(rig.region.stats().growths, 4u);
  EXPECT_EQ(rig.region.stats().break_offset, size_t{128 + 5024 + 224 + 48});
}

TEST(PluginAdapter, RegionSbrkOfAPluginMovesTheRegionsBreak) {
  Rig rig(*allocfuzz_plugin_test_api());
  Outcome out = rig.executor->run(Parse(kGrowingProgram), CheckMode::kEveryOp);
  EXPECT_EQ(Describe(out.finding), "ok");
  EXPECT_EQ(rig.region.stats().growths, 4u);
}

TEST(PluginAdapter, OptionalFunctionsMayBeMissing) {
  Rig rig(*allocfuzz_plugin_test_api());
  rig.heap->reset();
  void* p = rig.heap->malloc(40);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(rig.region.contains(p));
  EXPECT_EQ(rig.heap->usable_size(p), SIZE_MAX);  // "cannot tell"
  EXPECT_EQ(rig.heap->alignment(), 16u);
}

constexpr std::string_view kUnluckyProgram =
    "# allocfuzz ops v1\n"
    "malloc s0 8\n"
    "malloc s1 13\n"
    "malloc s2 8\n";

TEST(PluginAdapter, SelfCheckMessageIsTheFindingHeapInvariantSelfCheck) {
  Rig rig(*allocfuzz_plugin_test_wrapped());
  Outcome out = rig.executor->run(Parse(kUnluckyProgram), CheckMode::kEveryOp);
  ASSERT_TRUE(out.finding.has_value());
  EXPECT_EQ(out.finding->oracle, Oracle::kHeapChecker);
  // s0 takes +0x000000..+0x000020, so s1's payload is at +0x000030 (48).
  EXPECT_EQ(Describe(out.finding),
            "heap-invariant:self-check @1 48: test_wrapped: the block at +0x000030 has 13 bytes");
}

TEST(PluginAdapter, SelfCheckRunsAtTheFuzzersFullChecksToo) {
  Rig rig(*allocfuzz_plugin_test_wrapped());
  Outcome out = rig.executor->run(Parse(kUnluckyProgram), CheckMode::kAmortized);
  ASSERT_TRUE(out.finding.has_value());
  EXPECT_EQ(out.finding->kind.text(), "heap-invariant:self-check");
  EXPECT_GE(out.finding->op_index, 1u);
}

TEST(PluginAdapterDeathTest, SbrkOutsideACallFromTheHarnessAborts) {
  Rig rig(*allocfuzz_plugin_test_wrapped());
  rig.heap->reset();
  // The plugin called directly, not through its TestedHeap: no region is current.
  EXPECT_DEATH(allocfuzz_plugin_test_wrapped()->malloc(8),
               "allocfuzz: sbrk called while no region is current");
  EXPECT_DEATH(allocfuzz_region_brk(nullptr), "allocfuzz: brk called while no region is current");
}

TEST(PluginAdapter, ARegionIsCurrentOnlyDuringTheCall) {
  EXPECT_EQ(current_plugin_region(), nullptr);
  Rig rig(*allocfuzz_plugin_test_wrapped());
  rig.heap->reset();
  EXPECT_NE(rig.heap->malloc(8), nullptr);
  EXPECT_EQ(current_plugin_region(), nullptr);
}

TEST(PluginAdapterDeathTest, OnlyTheHeapResetLastMayCallThePlugin) {
  Rig a(*allocfuzz_plugin_test_api());
  Rig b(*allocfuzz_plugin_test_api());
  a.heap->reset();
  b.heap->reset();  // the plugin's globals now describe b's region
  EXPECT_DEATH(a.heap->malloc(8),
               "allocfuzz: plugin 'test_api' called through a heap that does not own its state");
  a.heap->reset();
  void* p = a.heap->malloc(8);
  EXPECT_TRUE(a.region.contains(p));
}

std::unique_ptr<TestedHeap> MakeWrapped(PseudoBrk& region) {
  return make_plugin_heap(*allocfuzz_plugin_test_wrapped(), region);
}

TEST(PluginAdapterDeathTest, RegistrationRefusesAnUnusableDescriptor) {
  allocfuzz_allocator bad = *allocfuzz_plugin_test_wrapped();
  bad.alignment = 24;
  EXPECT_DEATH(register_plugin_heap(&bad, "test_wrapped", MakeWrapped),
               "cannot register plugin allocator 'test_wrapped': alignment is not a power of two");
  EXPECT_DEATH(register_plugin_heap(allocfuzz_plugin_test_wrapped(), "other", MakeWrapped),
               "'other': the descriptor's name differs from the NAME it was built as");
  bad = *allocfuzz_plugin_test_wrapped();
  bad.abi_version = ALLOCFUZZ_PLUGIN_ABI_VERSION_2 + 1;  // no such version
  EXPECT_DEATH(register_plugin_heap(&bad, "test_wrapped", MakeWrapped), "abi_version");
  bad = *allocfuzz_plugin_test_wrapped();
  bad.calloc = nullptr;
  EXPECT_DEATH(register_plugin_heap(&bad, "test_wrapped", MakeWrapped), "are required");
}

TEST(PluginAdapter, RegistrationAddsAHeapKind) {
  ASSERT_EQ(find_heap_kind("test_api"), nullptr);
  EXPECT_TRUE(register_plugin_heap(allocfuzz_plugin_test_api(), "test_api", [](PseudoBrk& region) {
    return make_plugin_heap(*allocfuzz_plugin_test_api(), region);
  }));
  const HeapKind* kind = find_heap_kind("test_api");
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->description, "TEST ONLY: bump allocator on region->sbrk");
  EXPECT_DEATH(register_plugin_heap(allocfuzz_plugin_test_api(), "test_api", kind->make),
               "a heap of that name is already registered");
}

}  // namespace
}  // namespace allocfuzz
