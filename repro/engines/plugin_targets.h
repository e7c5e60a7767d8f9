// The fuzz targets that `run`, `cmin`, `coverage` and `list` know: the rows of the target table
// (fuzz/targets/target_contract.h), then NAME_fuzzer for each plugin heap NAME, in the
// registry's order. allocfuzz_add_allocator (cmake/AllocfuzzPlugins.cmake) builds NAME_fuzzer as
// heap_fuzzer with NAME as its heap, so such a target takes heap_fuzzer's inputs (seeds,
// dictionary, options) and programs, compares no heaps, and runs its own heap only: its work
// and artifacts are work/NAME_fuzzer/ and artifacts/NAME_fuzzer/, apart from heap_fuzzer's.
//
// Invariant: a plugin target's artifacts are minimized and replayed on its heap, which is why
// settle_target_heap() gives the settings that heap (and refuses any other).
#ifndef ALLOCFUZZ_REPRO_ENGINES_PLUGIN_TARGETS_H_
#define ALLOCFUZZ_REPRO_ENGINES_PLUGIN_TARGETS_H_

#include <string>
#include <string_view>
#include <vector>

#include "fuzz/targets/target_contract.h"
#include "repro/tools/program_setup.h"

namespace allocfuzz {

// For a test binary's static initializer only (allocfuzz_testheaps registers wrong_heap_fuzzer,
// fuzz/CMakeLists.txt): one more known target, after the plugins' (no plugin heap of its own).
// `target`'s strings must live as long as the process.
void register_test_fuzz_target(const FuzzTarget& target);

// Every known target, the table's rows first. The entries live as long as the process.
const std::vector<FuzzTarget>& known_fuzz_targets();

// The known target named `name`, or nullptr.
const FuzzTarget* find_known_fuzz_target(std::string_view name);

// The plugin heap whose NAME_fuzzer `target` is, or empty for a row of the target table.
std::string_view plugin_heap_of(const FuzzTarget& target);

// For a plugin target: sets overrides->heap to its heap when no --heap was given; false after
// printing "allocfuzz VERB: NAME_fuzzer fuzzes the heap NAME, not HEAP; ..." when another was.
// Other targets: true, changing nothing.
bool settle_target_heap(std::string_view verb, const FuzzTarget& target, Overrides* overrides);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_ENGINES_PLUGIN_TARGETS_H_
