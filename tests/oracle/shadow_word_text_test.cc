// The shadow's description of a corrupted word (fuzz/oracle/shadow.cc, describe_word) reads only
// the bytes of the block it is in. The word holding the bad byte of a block whose size is not a
// multiple of 8 runs past its end; for a region-less heap the bytes there are the chunk's slack,
// which holds whatever an earlier run left, so reading them made the message depend on history.
// (Above the break, reading them was ASan's use-after-poison: the catalogue's row
// wrong-foreign-last-byte holds that.)
#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/oracle/shadow.h"

namespace allocfuzz {
namespace {

TEST(ShadowWordText, ALastPartialWordIsShownFromTheBlocksOwnBytes) {
  PseudoBrk unused;  // a region-less shadow never reads its region
  Shadow shadow(unused);
  shadow.set_uses_region(false);
  alignas(16) char chunk[32] = {};
  shadow.add(0, chunk, 13);
  chunk[12] ^= 0x01;  // the block's last byte: byte 4 of word 1 (allocation #1's low id byte)
  const std::string want =
      "byte 12 of live block s0 (13 bytes) changed behind the user's back; the word there reads "
      "0x0000009180808081 (its last 3 bytes are past the block's end)";
  for (char slack : {'\0', '\xee', '\x80'}) {
    std::memset(chunk + 13, slack, 3);  // not the block's: must not change the message
    std::optional<Finding> f = shadow.verify_slot(0);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->message, want);
  }
}

}  // namespace
}  // namespace allocfuzz
