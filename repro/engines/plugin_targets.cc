// The table's fuzz targets and the plugins' NAME_fuzzer; see plugin_targets.h.
#include "repro/engines/plugin_targets.h"

#include <absl/strings/str_format.h>

#include <cstdio>
#include <deque>

#include "fuzz/heaps/plugin_adapter.h"

namespace allocfuzz {
namespace {

constexpr std::string_view kPluginTargetSuffix = "_fuzzer";

struct KnownTargets {
  std::vector<FuzzTarget> targets;
  std::vector<std::string_view> heaps;  // heaps[i]: the plugin heap of targets[i], or empty
  std::deque<std::string> text;         // the plugin targets' names and descriptions
};

std::vector<FuzzTarget>& test_targets() {
  static std::vector<FuzzTarget>* const targets = new std::vector<FuzzTarget>;
  return *targets;
}

// Built at the first call, after main started: every plugin (and test target) registered itself
// before.
const KnownTargets& known() {
  static const KnownTargets* const all = [] {
    auto* known = new KnownTargets;
    for (const FuzzTarget& row : kFuzzTargets) {
      known->targets.push_back(row);
      known->heaps.emplace_back();
    }
    for (std::string_view heap : plugin_heap_names()) {
      const std::string& name =
          known->text.emplace_back(std::string(heap) + std::string(kPluginTargetSuffix));
      const std::string& description = known->text.emplace_back(absl::StrFormat(
          "heap_fuzzer on the plugin heap %s, in work/%s/ and artifacts/%s/", heap, name, name));
      known->targets.push_back(FuzzTarget{name, "heap_fuzzer", true, false, description});
      known->heaps.push_back(heap);
    }
    for (const FuzzTarget& target : test_targets()) {
      known->targets.push_back(target);
      known->heaps.emplace_back();
    }
    return known;
  }();
  return *all;
}

}  // namespace

void register_test_fuzz_target(const FuzzTarget& target) { test_targets().push_back(target); }

const std::vector<FuzzTarget>& known_fuzz_targets() { return known().targets; }

const FuzzTarget* find_known_fuzz_target(std::string_view name) {
  for (const FuzzTarget& target : known().targets) {
    if (target.name == name) return &target;
  }
  return nullptr;
}

std::string_view plugin_heap_of(const FuzzTarget& target) {
  const KnownTargets& all = known();
  for (size_t i = 0; i < all.targets.size(); ++i) {
    if (all.targets[i].name == target.name) return all.heaps[i];
  }
  return {};
}

bool settle_target_heap(std::string_view verb, const FuzzTarget& target, Overrides* overrides) {
  const std::string_view heap = plugin_heap_of(target);
  if (heap.empty()) return true;
  if (!overrides->heap.empty() && overrides->heap != heap) {
    absl::FPrintF(stderr,
                  "allocfuzz %s: %s fuzzes the heap %s, not %s; for another heap use heap_fuzzer "
                  "--heap=%s\n",
                  verb, target.name, heap, overrides->heap, overrides->heap);
    return false;
  }
  overrides->heap = std::string(heap);
  return true;
}

}  // namespace allocfuzz
