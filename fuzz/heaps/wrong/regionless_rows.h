// The region-less rows of the wrong-heap catalogue (catalogue.h): heaps built on the glibc heap
// (SystemTestedHeap, make_system_heap), whose blocks are not on the region. Their classes are in
// regionless_heaps.h, namespace allocfuzz::wrong.
//
// Row format (both tables):
//   X("NAME", "KIND", "GATE", CLASS, OP_INDEX, "PROGRAM", "MESSAGE", "BOUNDARY")
//   NAME      wrong-... in lower case with dashes: the heap's registry name
//   KIND      the exact kind text (overlap, misaligned, ..., heap-invariant:ID)
//   GATE      "" when the fuzzer must find the row from an empty corpus; otherwise one sentence
//             saying why the row is left to the unit test
//   CLASS     the heap class in allocfuzz::wrong, constructed from a PseudoBrk&
//   OP_INDEX  the operation kEveryOp names
//   PROGRAM   the .ops body that makes the heap misbehave, "\n"-separated (the test prepends
//             "# allocfuzz ops v1")
//   MESSAGE   the finding's message under kEveryOp, exactly
//   BOUNDARY  one sentence: the edge the row sits on
// The FIRST LINE of a row holds at least `X("NAME", "KIND", "GATE",`: ci/ reads name, kind and
// gate with sed -nE 's/^ *X\("([^"]+)", "([^"]+)", "([^"]*)",.*/\1 \2 \3/p'.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGIONLESS_ROWS_H_
#define ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGIONLESS_ROWS_H_

// clang-format off
#define ALLOCFUZZ_WRONG_REGIONLESS_HEAPS(X)
// clang-format on

#endif  // ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGIONLESS_ROWS_H_
