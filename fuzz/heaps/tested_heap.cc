// TestedHeap's defaults; see tested_heap.h.
#include "fuzz/heaps/tested_heap.h"

#include <cstdio>
#include <cstdlib>

namespace allocfuzz {
namespace {

// The executor asks a heap for an aligned call only when it declares Capability::kAligned: a
// heap that gets here declared what it lacks.
[[noreturn]] void undeclared(const char* call) {
  std::fprintf(stderr, "allocfuzz: %s called on a heap without the aligned capability\n", call);
  std::abort();
}

}  // namespace

void* TestedHeap::memalign(size_t, size_t) { undeclared("memalign"); }
void* TestedHeap::aligned_alloc(size_t, size_t) { undeclared("aligned_alloc"); }
int TestedHeap::posix_memalign(void**, size_t, size_t) { undeclared("posix_memalign"); }

CapabilitySet TestedHeap::capabilities() const {
  CapabilitySet set = capability_bit(Capability::kUsableSize);
  if (uses_region()) set |= capability_bit(Capability::kRegion);
  return set;
}

}  // namespace allocfuzz
