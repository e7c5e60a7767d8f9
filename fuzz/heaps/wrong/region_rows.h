// The region rows of the wrong-heap catalogue (catalogue.h): heaps built on FreeArrayTestedHeap,
// on the region; their classes are in region_heaps.h, namespace allocfuzz::wrong. The row format
// is described in regionless_rows.h; a row's first line holds at least `X("NAME", "KIND", "GATE",`.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_ROWS_H_
#define ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_ROWS_H_

// clang-format off
#define ALLOCFUZZ_WRONG_REGION_HEAPS(X)                                                         \
  X("wrong-overlap-below-1", "overlap", "",                                                     \
    OverlapBelowHeap, 1, "malloc s0 17\nmalloc s1 24\n",                                        \
    "block at +0x000018 of 24 bytes overlaps live block s0 at +0x000008 of 17 bytes",         \
    "overlap: [a, a+n) and [b, b+m) share one byte, the last of the block below")
// clang-format on

#endif  // ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_ROWS_H_
