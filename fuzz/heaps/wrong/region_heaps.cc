// The region wrong heaps of the catalogue (region_heaps.h).
#include "fuzz/heaps/wrong/region_heaps.h"

#include <cstddef>

namespace allocfuzz::wrong {

void* OverlapBelowHeap::malloc(size_t n) {
  char* p = static_cast<char*>(inner_.malloc(n));
  return next_call() == 2 && p != nullptr ? p - 16 : p;
}

}  // namespace allocfuzz::wrong
