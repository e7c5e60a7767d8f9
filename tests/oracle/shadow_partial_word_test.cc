// The shadow model's messages about a corrupted word read only memory the oracle may touch. A
// changed byte in the last, partial word of a region-less block (the glibc path) lies in a word
// that reaches past the block, into ASan's redzone: read whole, the finding would become the
// sanitizer's (heap-buffer-overflow inside the oracle), in the dev build as in the fuzz build.
// The same edge on the region, a word across the break, is the catalogue's row
// wrong-foreign-last-byte (tests/oracle/wrong_heap_catalogue_test.cc). Bytes past the block
// show as zero.
#include <gtest/gtest.h>

#include <cstdlib>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/oracle/shadow.h"

namespace allocfuzz {
namespace {

// A region-less block of 21 bytes from the system heap (ASan's redzone starts at byte 21),
// allocation #1 of a shadow: its word 2 is 0x8080809080808082, of which bytes 16..20 are in the
// block. Its last byte is changed, 0x90 -> 0x80.
class RegionlessBlock : public ::testing::Test {
 protected:
  void SetUp() override {
    RegionOptions options;
    options.reserve_bytes = size_t{1} << 20;
    ASSERT_EQ(region_.init(options), 0);  // the shadow's region, unused without one
    shadow_.set_uses_region(false);
    shadow_.add(0, p_, 21);
    p_[20] ^= 0x10;
  }
  void TearDown() override { std::free(p_); }

  PseudoBrk region_;
  Shadow shadow_{region_};
  char* p_ = static_cast<char*>(std::malloc(21));
};

TEST_F(RegionlessBlock, LastPartialWordIsReadOnlyInsideTheBlock) {
  auto f = shadow_.verify_slot(0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind.text(), "content-corrupted");
  EXPECT_EQ(f->message,
            "byte 20 of live block s0 (21 bytes) changed behind the user's back; the word there "
            "reads 0x0000008080808082 (its last 3 bytes are past the block's end)");
}

TEST_F(RegionlessBlock, ReallocLosingTheLastPartialWordIsReadOnlyInsideTheNewBlock) {
  auto f = shadow_.verify_moved(p_, shadow_.slot(0), 21);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind.text(), "realloc-lost-data");
  EXPECT_EQ(f->message,
            "realloc in place (21 -> 21 bytes) lost byte 20; the word there reads "
            "0x0000008080808082 (its last 3 bytes are past the kept bytes)");
}

}  // namespace
}  // namespace allocfuzz
