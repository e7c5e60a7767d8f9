// Registers two of the version-2 test plugins (tests/heaps/test_plugins_v2.c) as heaps of
// allocfuzz_testheaps, the command line built for its own tests, and of nothing else: the CLI
// tests show what `allocfuzz list` says of a declared small alignment and a max_request, and
// the finding heap-invariant:walk as replay reports it. They have no NAME_fuzzer.
#include <memory>

#include "fuzz/heaps/plugin_adapter.h"

extern "C" const allocfuzz_allocator* allocfuzz_plugin_test_v2_align8(void);
extern "C" const allocfuzz_allocator* allocfuzz_plugin_test_v2_wrong_walk(void);

namespace allocfuzz {
namespace {

std::unique_ptr<TestedHeap> make_align8(PseudoBrk& region) {
  return make_plugin_heap(*allocfuzz_plugin_test_v2_align8(), region);
}

std::unique_ptr<TestedHeap> make_wrong_walk(PseudoBrk& region) {
  return make_plugin_heap(*allocfuzz_plugin_test_v2_wrong_walk(), region);
}

[[maybe_unused]] const bool kRegistered =
    register_plugin_heap(allocfuzz_plugin_test_v2_align8(), "test_v2_align8", make_align8,
                         /*with_fuzz_target=*/false) &&
    register_plugin_heap(allocfuzz_plugin_test_v2_wrong_walk(), "test_v2_wrong_walk",
                         make_wrong_walk, /*with_fuzz_target=*/false);

}  // namespace
}  // namespace allocfuzz
