// The registry of heap kinds: the built-in heaps, then whatever registers itself at start-up
// (plugin allocators, the command line's test heaps). Its order is the order of every listing.
#include <memory>
#include <vector>

#include "fuzz/heaps/builtin_heaps.h"
#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

namespace {

std::vector<HeapKind>& registry() {
  static std::vector<HeapKind> kinds = {
#define ALLOCFUZZ_X(name, make, description) {name, description, make},
      ALLOCFUZZ_BUILTIN_HEAPS(ALLOCFUZZ_X)
#undef ALLOCFUZZ_X
  };
  return kinds;
}

}  // namespace

const std::vector<HeapKind>& heap_kinds() { return registry(); }

bool register_heap_kind(const HeapKind& kind) {
  if (find_heap_kind(kind.name) != nullptr) return false;
  registry().push_back(kind);
  return true;
}

const HeapKind* find_heap_kind(std::string_view name) {
  for (const HeapKind& kind : heap_kinds()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

}  // namespace allocfuzz
