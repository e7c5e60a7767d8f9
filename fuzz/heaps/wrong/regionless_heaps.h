// The region-less wrong heaps of the catalogue (regionless_rows.h): each wraps the glibc heap and
// breaks one promise.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGIONLESS_HEAPS_H_
#define ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGIONLESS_HEAPS_H_

#include "fuzz/heaps/system_heap.h"
#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz::wrong {}  // namespace allocfuzz::wrong

#endif  // ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGIONLESS_HEAPS_H_
