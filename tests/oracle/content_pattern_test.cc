// The content pattern (fuzz/oracle/content_pattern.h): its exact bytes, that none of them can
// be written by a heap without being seen (no byte below 0x80), and that every word decodes
// back to its owner and offset.
#include "fuzz/oracle/content_pattern.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace allocfuzz {
namespace {

// Fixed points: the bytes of a few words, written out, so that a change of the layout is a
// deliberate one (the expected messages of many tests quote these bytes).
TEST(ContentPattern, WordsHaveTheDocumentedBytes) {
  EXPECT_EQ(pattern_word(1, 0), 0x8080809080808080u);
  EXPECT_EQ(pattern_word(1, 1), 0x8080809080808081u);
  EXPECT_EQ(pattern_word(2, 0), 0x808080a080808080u);
  EXPECT_EQ(pattern_word(8, 0), 0x8080818080808080u);
  EXPECT_EQ(pattern_word(1, 127), 0x80808090808080ffu);
  EXPECT_EQ(pattern_word(1, 128), 0x8080809080808180u);
  EXPECT_EQ(pattern_word(0xffffff, 0xffffffffu), 0xffffffffffffffffu);
}

TEST(ContentPattern, NoByteOfAnyWordIsBelow0x80) {
  for (uint32_t id : {1u, 2u, 7u, 8u, 127u, 128u, 1024u, 0xffffffu}) {
    for (uint64_t k : {0ull, 1ull, 127ull, 128ull, 16383ull, 16384ull, 0xffffffffull}) {
      uint64_t w = pattern_word(id, k);
      for (int b = 0; b < 8; ++b) {
        EXPECT_GE((w >> (8 * b)) & 0xff, 0x80u) << "id " << id << " k " << k << " byte " << b;
      }
    }
  }
}

TEST(ContentPattern, EveryWordDecodesToItsOwnerAndIndex) {
  for (uint32_t id : {1u, 5u, 8u, 200u, 65536u, 0xffffffu}) {
    for (uint64_t k : {0ull, 3ull, 128ull, 1ull << 20, 0xffffffffull}) {
      uint32_t got_id = 0;
      uint64_t got_k = 0;
      ASSERT_TRUE(decode_pattern_word(pattern_word(id, k), &got_id, &got_k));
      EXPECT_EQ(got_id, id);
      EXPECT_EQ(got_k, k);
    }
  }
  // Ids are 24 bits: a larger one is its low 24 bits.
  uint32_t got_id = 0;
  uint64_t got_k = 0;
  ASSERT_TRUE(decode_pattern_word(pattern_word(0x1000003, 9), &got_id, &got_k));
  EXPECT_EQ(got_id, 3u);
}

TEST(ContentPattern, AWordWithOneTopBitClearIsNotAPatternWord) {
  uint32_t id = 0;
  uint64_t k = 0;
  for (int b = 0; b < 8; ++b) {
    uint64_t w = pattern_word(3, 4) & ~(uint64_t{0x80} << (8 * b));
    EXPECT_FALSE(decode_pattern_word(w, &id, &k)) << "byte " << b;
  }
  EXPECT_FALSE(decode_pattern_word(0, &id, &k));
}

// Whichever single byte of a block is rewritten with any other value, the first mismatch is
// that byte: there is no byte a heap can write with a small value and leave unchanged.
TEST(ContentPattern, EveryByteOfABlockIsSeenWhenZeroedOrSetToASmallValue) {
  for (size_t n : {1u, 7u, 8u, 13u, 64u, 300u, 2051u}) {
    std::vector<unsigned char> block(n);
    fill_pattern(block.data(), n, 6);
    ASSERT_EQ(first_pattern_mismatch(block.data(), n, 6), SIZE_MAX);
    for (size_t i = 0; i < n; ++i) {
      for (unsigned char v : {0x00, 0x01, 0x10, 0x7f}) {
        unsigned char was = block[i];
        block[i] = v;
        EXPECT_EQ(first_pattern_mismatch(block.data(), n, 6), i) << "n " << n << " byte " << i;
        block[i] = was;
      }
    }
  }
}

TEST(ContentPattern, MismatchFromAWordBoundarySkipsTheBytesBelowIt) {
  std::vector<unsigned char> block(100);
  fill_pattern(block.data(), block.size(), 9);
  block[3] = 0;
  block[70] = 0;
  EXPECT_EQ(first_pattern_mismatch(block.data(), block.size(), 9), 3u);
  EXPECT_EQ(first_pattern_mismatch_from(block.data(), 8, block.size(), 9), 70u);
  EXPECT_EQ(first_pattern_mismatch_from(block.data(), 72, block.size(), 9), SIZE_MAX);
}

}  // namespace
}  // namespace allocfuzz
