// The registry of heap kinds: the built-in heaps, then whatever registers itself at start-up
// (plugin allocators, the command line's test heaps). Its order is the order of every listing.
#include <memory>
#include <vector>

#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/system_heap.h"
#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

namespace {

std::unique_ptr<TestedHeap> make_free_array(PseudoBrk& region) {
  return std::make_unique<FreeArrayTestedHeap>(region);
}

std::vector<HeapKind>& registry() {
  static std::vector<HeapKind> kinds = {
      {"free-array", "the seed's brk allocator on 64-bit (FreeArrayHeap), with its heap checker",
       make_free_array},
      {"glibc",
       "the C library's malloc, called past any sanitizer; no region: a budget of the "
       "region's size",
       make_system_heap},
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
