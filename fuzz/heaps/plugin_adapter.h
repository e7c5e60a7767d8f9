// A plugin allocator (plugins/allocfuzz_plugin.h) as a TestedHeap, and its registration as a
// heap kind. allocfuzz_add_allocator() generates the registration: a static initializer that
// calls register_plugin_heap() with the plugin's descriptor and a `make` function that calls
// make_plugin_heap().
//
// A v1 plugin keeps its state in globals, once per process, while the harness may make several
// TestedHeaps of it (heap_fuzzer makes one per placement). That is fine as long as each
// program starts with reset(), which calls the plugin's init: the heap reset last owns the
// plugin's state, and a call through any other instance of the same plugin aborts with a
// message rather than corrupt it. A v2 plugin's state is the context each instance owns, so
// its instances are independent; requests above its max_request are answered by the instance
// (NULL, ENOMEM, counted in refusals()), and its walk is cross-checked at full checks.
#ifndef ALLOCFUZZ_FUZZ_PLUGIN_ADAPTER_H_
#define ALLOCFUZZ_FUZZ_PLUGIN_ADAPTER_H_

#include <memory>
#include <string_view>
#include <vector>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/tested_heap.h"
#include "plugins/allocfuzz_plugin.h"

namespace allocfuzz {

// The heap-invariant ID of a message from the plugin's self_check: "heap-invariant:self-check".
inline constexpr std::string_view kSelfCheckId = "self-check";
// The heap-invariant ID of a v2 plugin's walk that disagrees with the shadow model
// (fuzz/heaps/plugin_walk.h): "heap-invariant:walk".
inline constexpr std::string_view kWalkId = "walk";

// `plugin` on `region`. The plugin's init runs at reset(), not here: making an instance (as
// `allocfuzz list` does, to ask for its defects) must not disturb another one's state.
std::unique_ptr<TestedHeap> make_plugin_heap(const allocfuzz_allocator& plugin, PseudoBrk& region);

// Registers `plugin` (a v1 descriptor, or a v2 one through ALLOCFUZZ_PLUGIN_V2) as the heap kind
// `name`. Aborts with a message when the descriptor is unusable (unknown ABI version, name
// other than `name`, alignment not a power of two, an alignment below alignof(max_align_t)
// not declared with ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT or the flag without one, unknown flags,
// a required function missing) or the name is taken: this runs at start-up, where a plugin that
// silently failed to appear would be worse than a binary that does not start.
// `with_fuzz_target` false: a plugin without NAME_fuzzer (a test's), left out of
// plugin_heap_names().
bool register_plugin_heap(const allocfuzz_allocator* plugin, std::string_view name,
                          std::unique_ptr<TestedHeap> (*make)(PseudoBrk& region),
                          bool with_fuzz_target = true);

// The heaps registered by register_plugin_heap, in the order they were (the registry's): each
// has the fuzz target NAME_fuzzer (cmake/AllocfuzzPlugins.cmake).
const std::vector<std::string_view>& plugin_heap_names();

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_PLUGIN_ADAPTER_H_
