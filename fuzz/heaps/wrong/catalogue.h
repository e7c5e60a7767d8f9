// The catalogue of wrong heaps: one row per (violation kind, boundary), each a
// test-only heap that is wrong in the smallest way a real allocator can be, with the program
// that makes it misbehave and what the executor must report for it in CheckMode::kEveryOp.
// The unit test (tests/oracle/wrong_heap_catalogue_test.cc) runs every row in both check modes;
// the wrong-heap gate fuzzes every row whose GATE is "" with wrong_heap_fuzzer.
//
// The rows are two X-macro tables: ALLOCFUZZ_WRONG_REGION_HEAPS (region_rows.h, heaps built on
// FreeArrayTestedHeap, on the region) and ALLOCFUZZ_WRONG_REGIONLESS_HEAPS (regionless_rows.h,
// heaps built on the glibc heap, no region). The row format is described in regionless_rows.h.
//
// Test-only: allocfuzz_wrong_heaps is linked into test binaries and wrong_heap_fuzzer, never
// into the command line or the shipped fuzz targets.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_WRONG_CATALOGUE_H_
#define ALLOCFUZZ_FUZZ_HEAPS_WRONG_CATALOGUE_H_

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

struct WrongHeapRow {
  std::string_view name;  // wrong-..., the heap's name in the registry
  std::string_view kind;  // the exact kind text, e.g. "overlap", "heap-invariant:free-tag"
  std::string_view gate;  // "" when the fuzzer must find it; else why the unit test keeps it
  bool on_region;         // built on FreeArrayTestedHeap (true) or on the glibc heap (false)
  std::unique_ptr<TestedHeap> (*make)(PseudoBrk&);
  std::string_view program;   // .ops body, without the "# allocfuzz ops v1" line
  size_t op_index;            // what kEveryOp reports: the operation...
  std::string_view message;   // ...and the message, exactly
  std::string_view boundary;  // the edge the row sits on, one sentence
};

// Every row: the region table, then the region-less one.
std::span<const WrongHeapRow> wrong_heap_catalogue();

// Registers every row as a HeapKind named after it (description: its boundary). Idempotent.
void register_wrong_heaps();

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HEAPS_WRONG_CATALOGUE_H_
