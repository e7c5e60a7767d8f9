// The list verb; see list.h.
#include "repro/cli/list.h"

#include <absl/strings/str_format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/free_array/defects.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/heap_traits.h"
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

int list_heap_profiles() {
  // One instance of each heap, on a region just big enough to build it, tells what it declares.
  std::vector<std::string> names{""};
  std::vector<std::vector<std::string>> rows;  // rows[r][0] the label, then one value per heap
  for (const CapabilityInfo& info : kCapabilities) rows.push_back({info.name});
  for (const ProfileFieldInfo& info : kProfileFields) rows.push_back({info.label});
  for (const HeapKind& kind : heap_kinds()) {
    RegionOptions options;
    options.reserve_bytes = size_t{64} << 10;
    PseudoBrk region;
    if (int rc = region.init(options); rc != 0) {
      absl::FPrintF(stderr, "allocfuzz: cannot reserve a region for heap '%s' (errno %d)\n",
                    kind.name, rc);
      return kExitBadInput;
    }
    const std::unique_ptr<TestedHeap> heap = kind.make(region);
    const CapabilitySet has = heap->capabilities();
    const BehaviourProfile profile = heap->profile();
    names.emplace_back(kind.name);
    size_t r = 0;
    for (const CapabilityInfo& info : kCapabilities) {
      rows[r++].emplace_back(has_capability(has, info.capability) ? "yes" : "-");
    }
    for (const ProfileFieldInfo& info : kProfileFields) {
      const bool applies = (info.needs & ~has) == 0;
      rows[r++].push_back(applies ? profile_value(profile, info.field) : std::string("-"));
    }
  }
  std::vector<size_t> width(names.size(), 0);
  for (size_t c = 0; c < names.size(); ++c) {
    width[c] = names[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t c = 0; c < cells.size(); ++c) {
      line += cells[c];
      if (c + 1 < cells.size()) line.append(width[c] + 2 - cells[c].size(), ' ');
    }
    absl::PrintF("%s\n", line);
  };
  absl::PrintF(
      "capabilities (an operation a heap lacks is skipped) and behaviour profiles (a "
      "difference they explain is no divergence):\n");
  print_row(names);
  for (const auto& row : rows) print_row(row);
  return kExitOk;
}

}  // namespace allocfuzz
