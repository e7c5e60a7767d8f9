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
#define ALLOCFUZZ_WRONG_REGIONLESS_HEAPS(X) \
  X("wrong-glibc-overlap-below-1", "overlap", "", \
    GlibcOverlapBelowHeap, 1, "malloc s0 17\nmalloc s1 24\n", \
    "block of 24 bytes overlaps live block s0 of 17 bytes", \
    "overlap: the new block's first byte is the last byte of the live block below it") \
  X("wrong-glibc-overlap-above-1", "overlap", "", \
    GlibcOverlapAboveHeap, 1, "malloc s0 24\nmalloc s1 17\n", \
    "block of 17 bytes overlaps live block s0 of 24 bytes", \
    "overlap: the new block's last byte is the first byte of the live block above it") \
  X("wrong-glibc-overlap-huge", "overlap", "", \
    GlibcOverlapAboveHeap, 1, "malloc s0 4\nmalloc s1 18446744073709551607\n", \
    "block of 18446744073709551607 bytes overlaps live block s0 of 4 bytes", \
    "overlap: a block for a request near 2^64, 16 bytes below a live one; its end is past the " \
    "top of the address space, not the small value o + n wraps to") \
  X("wrong-glibc-overlap-zero-inside", "overlap", "", \
    GlibcZeroInsideHeap, 1, "malloc s0 24\nmalloc s1 0\n", \
    "block of 0 bytes overlaps live block s0 of 24 bytes", \
    "overlap: a zero-byte block is the one byte at its address, here inside a live block") \
  X("wrong-glibc-overlap-zero-at-start", "overlap", "", \
    GlibcZeroAtStartHeap, 1, "malloc s0 24\nmalloc s1 0\n", \
    "block of 0 bytes overlaps live block s0 of 24 bytes", \
    "overlap: a zero-byte block at a live block's first byte, the one byte both start at") \
  X("wrong-glibc-misaligned-8", "misaligned", "", \
    GlibcAlignedTo8Heap, 1, "malloc s0 24\nmalloc s1 24\n", \
    "block is not 16-aligned", \
    "misaligned: a payload aligned to 8 but not to the 16 the heap declares") \
  X("wrong-glibc-usable-short-1", "usable-too-small", "", \
    GlibcUsableOneShortHeap, 1, "malloc s0 100\nmalloc s1 24\n", \
    "usable size 23 of the block is below the requested 24", \
    "usable-too-small: a usable size exactly one byte below the request") \
  X("wrong-glibc-corrupt-last-partial-byte", "content-corrupted", "", \
    GlibcLastByteFlagHeap, 1, "malloc s0 13\nmalloc s1 24\n", \
    "byte 12 of live block s0 (13 bytes) changed behind the user's back; the word there reads 0x0000009180808081 (its last 3 bytes are past the block's end)", \
    "content-corrupted: one wrong byte, the last of a block's last, partial word") \
  X("wrong-glibc-corrupt-first-byte", "content-corrupted", "", \
    GlibcFirstByteFlagHeap, 1, "malloc s0 24\nmalloc s1 24\n", \
    "byte 0 of live block s0 (24 bytes) changed behind the user's back; the word there is byte 8 of allocation #1's pattern", \
    "content-corrupted: one wrong byte, the first after the heap's header") \
  X("wrong-glibc-calloc-dirty-after-first-chunk", "calloc-not-zero", "", \
    GlibcCallocFirstChunkHeap, 0, "calloc s0 64 64\n", \
    "calloc block (4096 bytes): byte 256 is 0xa5, not 0", \
    "calloc-not-zero: a large calloc dirty only after the first 256-byte chunk of the zero check") \
  X("wrong-glibc-calloc-dirty-last-byte", "calloc-not-zero", "", \
    GlibcCallocLastByteHeap, 0, "calloc s0 3 1000\n", \
    "calloc block (3000 bytes): byte 2999 is 0xa5, not 0", \
    "calloc-not-zero: dirty only in its last byte, in the tail after the last whole chunk") \
  X("wrong-glibc-realloc-copy-one-short", "realloc-lost-data", "", \
    GlibcCopyOneShortHeap, 1, "malloc s0 24\nrealloc s0 100\n", \
    "realloc to a new block (24 -> 100 bytes) lost byte 23; the word there reads 0x0080809080808082", \
    "realloc-lost-data: a moving realloc that copies one byte too few") \
  X("wrong-glibc-realloc-lost-in-place", "realloc-lost-data", "", \
    GlibcInPlaceLinkHeap, 1, "malloc s0 17\nrealloc s0 24\n", \
    "realloc in place (17 -> 24 bytes) lost byte 0; the word there reads 0x0000000000000000", \
    "realloc-lost-data: a realloc that stays in place and still loses data") \
  X("wrong-glibc-realloc-lost-shrinking", "realloc-lost-data", "", \
    GlibcShrinkHeaderHeap, 2, "malloc s0 40\nrealloc s0 100\nrealloc s0 13\n", \
    "realloc in place (100 -> 13 bytes) lost byte 8; the word there reads 0x0000000000000019 (its last 3 bytes are past the kept bytes)", \
    "realloc-lost-data: only a shrinking realloc loses data, in the kept bytes of its last partial word") \
  X("wrong-glibc-null-after-earlier-refusal", "spurious-null", "", \
    GlibcStickyRefusalHeap, 2, "malloc s0 600000\nmalloc s1 600000\nmalloc s2 24\n", \
    "malloc of 24 bytes returned NULL although the heap's budget refused nothing during the call", \
    "spurious-null: the budget refused an earlier call, not this one") \
  X("wrong-glibc-calloc-overflow-wraps", "api-contract", "", \
    GlibcWrappingCallocHeap, 0, "calloc s0 4294967296 4294967296\n", \
    "calloc(4294967296, 4294967296) overflows size_t but returned a block", \
    "api-contract: count * size is exactly SIZE_MAX + 1, which wraps to a zero-byte block") \
  X("wrong-glibc-memalign-off-by-16", "misaligned", "", \
    GlibcMemalignOffBy16Heap, 1, "malloc s0 24\nmemalign s1 64 100\n", \
    "memalign(64, 100) returned a block 16 bytes past a multiple of 64", \
    "misaligned: an aligned block aligned to the fundamental 16 but not to the ALIGN asked for") \
  X("wrong-glibc-posix-memalign-takes-4", "api-contract", "", \
    GlibcPosixMemalignSmallHeap, 0, "posix_memalign s0 4 100\n", \
    "posix_memalign(&s0, 4, 100) returned 0 (a block), not EINVAL: 4 is not a power of two times 8", \
    "api-contract: a power of two below sizeof(void*), which only posix_memalign must refuse") \
  X("wrong-glibc-aligned-realloc-loses-head", "realloc-lost-data", "", \
    GlibcAlignedReallocHeap, 1, "memalign s0 64 40\nrealloc s0 100\n", \
    "realloc to a new block (40 -> 100 bytes) lost byte 0; the word there reads 0x0000000000000000", \
    "realloc-lost-data: realloc of an aligned block copies from the wrong start, past its gap")
// clang-format on

#endif  // ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGIONLESS_ROWS_H_
