// The shadow's description of a corrupted word (fuzz/oracle/shadow.cc, describe_word) reads only
// the bytes of the block or foreign span it is in. The word holding the bad byte of a block (or
// span) whose size is not a multiple of 8 runs past its end; the bytes there are another
// owner's, a region-less heap's slack left by an earlier run, or above the break. Reading them
// made the message depend on history (region-less) and, for a foreign span that ends at the
// break, was a read of poisoned memory (ASan's use-after-poison instead of foreign-clobbered).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/oracle/shadow.h"
#include "tests/harness/executor_heaps.h"
#include "tests/harness/executor_rig.h"

namespace allocfuzz {
namespace {

using testing::Describe;
using testing::ForeignScribbleHeap;
using testing::MakeRig;
using testing::Parse;

TEST(ShadowWordText, ALastPartialWordIsShownFromTheBlocksOwnBytes) {
  PseudoBrk unused;  // a region-less shadow never reads its region
  Shadow shadow(unused);
  shadow.set_uses_region(false);
  alignas(16) char chunk[32] = {};
  shadow.add(0, chunk, 13);
  chunk[12] ^= 0x01;  // the block's last byte: byte 4 of word 1 (allocation #1's low id byte)
  const std::string want =
      "byte 12 of live block s0 (13 bytes) changed behind the user's back; the 5 bytes of the "
      "word there read 0x0000000001";
  for (char slack : {'\0', '\xee', '\x80'}) {
    std::memset(chunk + 13, slack, 3);  // not the block's: must not change the message
    std::optional<Finding> f = shadow.verify_slot(0);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->message, want);
  }
}

TEST(ShadowWordText, AForeignSpanEndingAtTheBreakIsClobberedNotASanitizerReport) {
  // The span is [+0x001028, +0x001035), 13 bytes, ending at the break; the first free writes 0
  // over its last byte, +0x001034, whose word runs to +0x001038, above the break.
  const Program program = Parse(R"(# allocfuzz ops v1
malloc s0 24
foreign-grow 13
malloc s1 24
free s1
)");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    auto rig = MakeRig<ForeignScribbleHeap>(Placement::kHigh, size_t{12});
    ASSERT_TRUE(rig);
    EXPECT_EQ(Describe(rig->run(program, mode).finding),
              "foreign-clobbered @3 [shadow model] 4148: the foreign byte at +0x001034 was "
              "overwritten; the 5 bytes of the word there read 0x00a1a1a1a1");
  }
}

}  // namespace
}  // namespace allocfuzz
