// The list verb; see list.h.
#include "repro/cli/list.h"

#include <absl/strings/str_format.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/free_array/defects.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops.h"
#include "fuzz/targets/target_contract.h"
#include "repro/engines/plugin_targets.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/program_setup.h"

namespace allocfuzz {

int list_targets_and_heaps() {
  absl::PrintF("fuzz targets (allocfuzz run TARGET):\n");
  for (const FuzzTarget& target : known_fuzz_targets()) {
    absl::PrintF("  %-18s %s\n", std::string(target.name).c_str(),
                 std::string(target.description).c_str());
  }
  absl::PrintF("heaps (# heap: NAME, --heap=NAME; default %s):\n",
               std::string(kDefaultHeap).c_str());
  for (const HeapKind& kind : heap_kinds()) {
    absl::PrintF("  %-18s %s\n", std::string(kind.name).c_str(),
                 std::string(kind.description).c_str());
    const std::vector<std::string_view>& defects = heap_defect_names(kind);
    if (defects.empty()) continue;
    absl::PrintF("    defects (# defect: NAME, --defect=NAME):\n");
    for (std::string_view defect : defects) {
      absl::PrintF("      %-16s %s\n", std::string(defect),
                   std::string(defect_description(defect)));
    }
  }
  if constexpr (!kDefectsCompiledIn) {
    absl::PrintF("defects: not compiled into this build (use the dev or fuzz preset)\n");
  }
  return kExitOk;
}

}  // namespace allocfuzz
