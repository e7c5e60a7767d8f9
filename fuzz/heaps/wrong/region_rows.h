// The region rows of the wrong-heap catalogue (catalogue.h): heaps built on FreeArrayTestedHeap,
// on the region; their classes are in region_heaps.h, namespace allocfuzz::wrong. The row format
// is described in regionless_rows.h; a row's first line holds at least `X("NAME", "KIND", "GATE",`.
//
// Offsets on a fresh region: malloc(n) gives payloads at +0x000008, then 8 + rounded size + 8
// above the previous; the first growth sets the break to +0x001028.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_ROWS_H_
#define ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_ROWS_H_

// clang-format off
#define ALLOCFUZZ_WRONG_REGION_HEAPS(X)                                                           \
  X("wrong-overlap-below-1", "overlap", "",                                                       \
    OverlapBelowHeap, 1, "malloc s0 17\nmalloc s1 24\n",                                          \
    "block at +0x000018 of 24 bytes overlaps live block s0 at +0x000008 of 17 bytes",             \
    "overlap: the new block's first byte is the last byte of the live block below")               \
  X("wrong-overlap-above-1", "overlap", "",                                                       \
    OverlapAboveHeap, 3, "malloc s0 24\nmalloc s1 24\nfree s0\nmalloc s2 33\n",                   \
    "block at +0x000008 of 33 bytes overlaps live block s1 at +0x000028 of 24 bytes",             \
    "overlap: the new block's last byte is the first byte of the live block above")               \
  X("wrong-zero-block-inside", "overlap", "",                                                     \
    ZeroBlockInsideHeap, 1, "malloc s0 17\nmalloc s1 0\n",                                        \
    "block at +0x000018 of 0 bytes overlaps live block s0 at +0x000008 of 17 bytes",              \
    "overlap: a zero-byte block is the one byte at its address, here a live block's last byte")   \
  X("wrong-zero-block-at-start", "overlap", "",                                                   \
    ZeroBlockAtStartHeap, 1, "malloc s0 24\nmalloc s1 0\n",                                        \
    "block at +0x000008 of 0 bytes overlaps live block s0 at +0x000008 of 24 bytes",              \
    "overlap: a zero-byte block at a live block's first byte (the block starts at the same "     \
    "offset, so only the one byte at the address is shared)")                                    \
  X("wrong-misaligned-8-of-16", "misaligned", "",                                                 \
    ClaimsSixteenHeap, 0, "malloc s0 24\n",                                                       \
    "block at +0x000008 is not 16-aligned",                                                       \
    "misaligned: a pointer aligned to 8 but not to the 16 the heap declares")                     \
  X("wrong-past-break-1", "out-of-region", "",                                                    \
    PastBreakHeap, 1, "malloc s0 24\nmalloc s1 9\n",                                              \
    "block at +0x001020 of 9 bytes is not below the break +0x001028",                             \
    "out-of-region: the block's last byte is the first byte at the break")                        \
  X("wrong-at-break", "out-of-region", "",                                                        \
    AtBreakHeap, 1, "malloc s0 24\nmalloc s1 24\n",                                               \
    "block at +0x001028 of 24 bytes is not below the break +0x001028",                            \
    "out-of-region: the block starts exactly at the break")                                       \
  X("wrong-break-under-live-1", "out-of-region", "",                                             \
    LowersBreakUnderLiveHeap, 2, "malloc s0 24\nmalloc s1 24\nfree s0\n",                          \
    "live block s1 at +0x000028 of 24 bytes is no longer below the break +0x00003f: the break "   \
    "was lowered under it",                                                                       \
    "out-of-region: the break is lowered one byte under a live block's last byte")               \
  X("wrong-usable-short-1", "usable-too-small", "",                                               \
    UsableShortHeap, 0, "malloc s0 24\n",                                                         \
    "usable size 23 of the block at +0x000008 is below the requested 24",                         \
    "usable-too-small: the usable size is exactly one byte below the request")                    \
  X("wrong-usable-too-large", "overlap", "",                                                      \
    UsableTooLargeHeap, 2, "malloc s0 24\nmalloc s1 24\nusable s0\n",                             \
    "usable size 40 of block s0 at +0x000008 (24 bytes) reaches into live block s1 at "           \
    "+0x000028 of 24 bytes",                                                                      \
    "overlap: a usable size 16 bytes too large, reaching 8 bytes into the live block above")      \
  X("wrong-corrupt-last-partial-word", "content-corrupted", "",                                   \
    CorruptFirstBlockHeap<20>, 2, "malloc s0 21\nmalloc s1 24\nfree s1\n",                        \
    "byte 20 of live block s0 at +0x000008 (21 bytes) changed behind the user's back; the "       \
    "word there reads 0x0000009180808082 (its last 3 bytes are past the block's end)",            \
    "content-corrupted: one bit of the last byte of a block's last, partial word")                \
  X("wrong-corrupt-last-byte-large", "content-corrupted", "",                                    \
    LastByteOfLargeBlockHeap, 2, "malloc s0 300\nmalloc s1 24\nfree s1\n",                         \
    "byte 299 of live block s0 at +0x000008 (300 bytes) changed behind the user's back; the "     \
    "word there reads 0x00000000818080a5 (its last 4 bytes are past the block's end)",            \
    "content-corrupted: the last byte of a block too large for the amortized check to read "     \
    "whole (above 256 bytes: it reads [0, 128) and the tail from (n - 128) rounded down to 8)")  \
  X("wrong-corrupt-first-byte", "content-corrupted", "",                                          \
    CorruptFirstBlockHeap<0>, 2, "malloc s0 24\nmalloc s1 24\nfree s1\n",                         \
    "byte 0 of live block s0 at +0x000008 (24 bytes) changed behind the user's back; the "        \
    "word there is byte 8 of allocation #1's pattern",                                            \
    "content-corrupted: one bit of the first payload byte after the header")                      \
  X("wrong-zero-in-index-byte", "content-corrupted", "",                                         \
    ZeroInIndexByteHeap, 2,      "malloc s0 24\nmalloc s1 24\nfree s1\n",                   \
    "byte 1 of live block s0 at +0x000008 (24 bytes) changed behind the user's back; the "        \
    "word there reads 0x8080809080800080",                                                        \
    "content-corrupted: a zero written into byte 1, a byte of word 0's index (a pattern byte "    \
    "may never be 0x00)")                                                                         \
  X("wrong-zero-in-id-byte", "content-corrupted", "",                                            \
    ZeroInIdByteHeap, 2,          "malloc s0 24\nmalloc s1 24\nfree s1\n",                  \
    "byte 14 of live block s0 at +0x000008 (24 bytes) changed behind the user's back; the "       \
    "word there reads 0x8000809080808081",                                                        \
    "content-corrupted: a zero written into byte 6 of a word, a byte of a small id's high bits")  \
  X("wrong-flag-in-id-byte", "content-corrupted", "",                                            \
    FlagInIdByteHeap, 2,         "malloc s0 24\nmalloc s1 24\nfree s1\n",                   \
    "byte 4 of live block s0 at +0x000008 (24 bytes) changed behind the user's back; the "        \
    "word there reads 0x8080800180808080",                                                        \
    "content-corrupted: a small flag (0x01) written over the byte that holds a word's low id "    \
    "bits (no pattern byte is below 0x80)")                                                       \
  X("wrong-calloc-dirty-after-chunk", "calloc-not-zero", "",                                      \
    PartlyClearedCallocHeap<256>, 2, "malloc s0 4096\nfree s0\ncalloc s1 4096 1\n",               \
    "calloc block at +0x000008 (4096 bytes): byte 256 is 0xa0, not 0",                            \
    "calloc-not-zero: the first dirty byte is the first after the fast check's first chunk")      \
  X("wrong-calloc-dirty-last-byte", "calloc-not-zero", "",                                        \
    PartlyClearedCallocHeap<0>, 3, "malloc s0 100\nmalloc s1 24\nfree s0\ncalloc s2 88 1\n",      \
    "calloc block at +0x000008 (88 bytes): byte 87 is 0x80, not 0",                               \
    "calloc-not-zero: only the last byte of the block is dirty")                                  \
  X("wrong-calloc-product-wraps-small", "api-contract", "",                                      \
    WrappingCallocHeap, 1, "malloc s0 24\ncalloc s1 9223372036854775809 2\n",                     \
    "calloc(9223372036854775809, 2) overflows size_t but returned a block at +0x000028",          \
    "api-contract: count * size is 2^64 + 2, which wraps to a two-byte block")                    \
  X("wrong-realloc-short-copy", "realloc-lost-data", "",                                          \
    ShortCopyReallocHeap, 2, "malloc s0 24\nmalloc s1 24\nrealloc s0 100\n",                      \
    "realloc from +0x000008 to +0x000048 (24 -> 100 bytes) lost byte 23; the word there "         \
    "reads 0x0080809080808082",                                                                   \
    "realloc-lost-data: a moving realloc copies one byte fewer than the old block held")          \
  X("wrong-realloc-in-place-lost", "realloc-lost-data", "",                                       \
    InPlaceGrowLosesHeap, 1, "malloc s0 24\nrealloc s0 200\n",                                    \
    "realloc from +0x000008 to +0x000008 (24 -> 200 bytes) lost byte 23; the word there "         \
    "reads 0x0080809080808082",                                                                   \
    "realloc-lost-data: a realloc that stays in place loses the old block's last byte")           \
  X("wrong-realloc-shrink-lost", "realloc-lost-data", "",                                         \
    ShrinkLosesHeap, 2, "malloc s0 24\nrealloc s0 100\nrealloc s0 40\n",                          \
    "realloc from +0x000008 to +0x000008 (100 -> 40 bytes) lost byte 39; the word there "         \
    "reads 0x818080a080808084",                                                                   \
    "realloc-lost-data: a shrinking realloc loses the last byte it keeps; growing is correct")    \
  X("wrong-foreign-last-byte", "foreign-clobbered", "",                                           \
    SentinelBelowBreakHeap, 3, "malloc s0 24\nmalloc s1 640\nforeign-grow 1001\nfree s0\n",      \
    "the foreign byte at +0x001410 was overwritten; the word there reads "                        \
    "0x00000000000000a0 (its last 7 bytes are above the break)",                                  \
    "foreign-clobbered: the heap writes the last byte of the other party's span, which ends "     \
    "unaligned at the break; the span is longer than the amortized check's two 128-byte edges, "  \
    "and a live block of 640 bytes keeps that check from being a full one at the free")                                                                     \
  X("wrong-foreign-lost-access", "foreign-clobbered", "",                                         \
    TrimsUnderForeignHeap, 2, "malloc s0 24\nforeign-grow 1000\nfree s0\n",                       \
    "the foreign byte at +0x00140f lost access: the break was lowered to +0x00140f under the "    \
    "other party's span",                                                                         \
    "foreign-clobbered: the span's last byte loses access (the break falls one byte under it) "   \
    "although no byte of it changes")                                                             \
  X("wrong-spurious-null-after-failure", "spurious-null", "",                                     \
    StickyFailureHeap, 2, "fail-grow 2\nmalloc s0 24\nmalloc s1 24\n",                            \
    "malloc of 24 bytes returned NULL although no break growth failed during the call",           \
    "spurious-null: a growth failed in an earlier call, but none in this one")                    \
  X("wrong-null-errno-unset", "api-contract", "",                                                 \
    NullWithoutErrnoHeap, 1, "fail-grow 2\nmalloc s0 24\n",                                       \
    "malloc(24) returned NULL with errno 0, not ENOMEM",                                          \
    "api-contract: a fair NULL (both growths refused) whose errno is left at 0, not ENOMEM")     \
  X("wrong-first-free-forgets", "leak", "",                                                       \
    FirstFreeForgetsHeap, 3, "malloc s0 24\nmalloc s1 40\nfree s0\nfree s1\n",                    \
    "the user holds no block, but the heap still counts the block at +0x000008 (32 bytes with "   \
    "its header) as used: it can never be given out again",                                       \
    "leak: the user holds nothing, and one block of the heap is still counted as used")           \
  X("wrong-drain-realloc-lists-twice", "overlap", "no checker of ours by design; repro/tests/cli_drain_test.sh pins where it first broke.", \
    ReallocListsTwiceHeap, 6,                                                                     \
    "malloc s0 24\nmalloc s1 24\nrealloc s0 100\nmalloc s2 200\nfree s1\nmalloc s3 16\n"          \
    "malloc s4 16\n",                                                                             \
    "block at +0x000008 of 16 bytes overlaps live block s3 at +0x000008 of 16 bytes",             \
    "overlap, four operations after the damage: a moving realloc lists the old block twice")      \
  X("wrong-drain-realloc-loses-old", "spurious-null", "no checker of ours by design; repro/tests/cli_drain_test.sh pins where it first broke.", \
    ReallocLosesOldHeap, 5,                                                                       \
    "malloc s0 1000\nrealloc s0 2000\nfree s0\nmalloc s1 4000\nmalloc s2 3000\n"                  \
    "malloc s3 500\n",                                                                            \
    "malloc of 500 bytes returned NULL although no break growth failed during the call",          \
    "spurious-null, four operations after the damage: a moving realloc loses the old block")      \
  X("wrong-drain-realloc-keeps-old-size", "overlap", "no checker of ours by design; repro/tests/cli_drain_test.sh pins where it first broke.", \
    ReallocKeepsOldSizeHeap, 6,                                                                   \
    "malloc s0 24\nrealloc s0 200\nmalloc s1 300\nmalloc s2 500\nfree s1\nmalloc s3 400\n"        \
    "malloc s4 16\n",                                                                             \
    "block at +0x000020 of 16 bytes overlaps live block s0 at +0x000008 of 200 bytes",            \
    "overlap, five operations after the damage: realloc grown in place keeps the old size")      \
  X("wrong-two-bugs", "content-corrupted", "two bugs on purpose, either may be found first; ci/run_buckets.sh fuzzes it for both.", \
    TwoBugsHeap, 1, "malloc s0 24\nmalloc s1 24\n",                                              \
    "byte 0 of live block s0 at +0x000008 (24 bytes) changed behind the user's back; the word "  \
    "there reads 0x8080809080808000",                                                             \
    "content-corrupted: the common bug of two, a repeated request damaging the block before")
// clang-format on

#endif  // ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_ROWS_H_
