// The catalogue's two tables as one array of rows, and their registration as heap kinds.
#include "fuzz/heaps/wrong/catalogue.h"

#include <memory>
#include <span>

#include "fuzz/heaps/tested_heap.h"
#include "fuzz/heaps/wrong/region_heaps.h"
#include "fuzz/heaps/wrong/region_rows.h"
#include "fuzz/heaps/wrong/regionless_heaps.h"
#include "fuzz/heaps/wrong/regionless_rows.h"

namespace allocfuzz {
namespace {

template <typename Heap>
std::unique_ptr<TestedHeap> make_wrong(PseudoBrk& region) {
  return std::make_unique<Heap>(region);
}

#define ALLOCFUZZ_REGION_ROW(name, kind, gate, heap, op_index, program, message, boundary) \
  {name, kind, gate, true, make_wrong<wrong::heap>, program, op_index, message, boundary},
#define ALLOCFUZZ_REGIONLESS_ROW(name, kind, gate, heap, op_index, program, message, boundary) \
  {name, kind, gate, false, make_wrong<wrong::heap>, program, op_index, message, boundary},

// A sentinel keeps the array well-formed while a table is empty; it is not part of the span.
const WrongHeapRow kRows[] = {
    ALLOCFUZZ_WRONG_REGION_HEAPS(ALLOCFUZZ_REGION_ROW)
        ALLOCFUZZ_WRONG_REGIONLESS_HEAPS(ALLOCFUZZ_REGIONLESS_ROW){},
};

#undef ALLOCFUZZ_REGION_ROW
#undef ALLOCFUZZ_REGIONLESS_ROW

}  // namespace

std::span<const WrongHeapRow> wrong_heap_catalogue() {
  return std::span<const WrongHeapRow>(kRows, std::size(kRows) - 1);
}

void register_wrong_heaps() {
  // register_heap_kind refuses a name already taken, so a second call changes nothing.
  for (const WrongHeapRow& row : wrong_heap_catalogue()) {
    register_heap_kind({row.name, row.boundary, row.make});
  }
}

}  // namespace allocfuzz
