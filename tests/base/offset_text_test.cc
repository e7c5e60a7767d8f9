// The one offset format, "+0x%06x", at its edges: the minimum width, the last six-digit value,
// the first seven-digit one and the widest, and both forms (allocation-free and std::string)
// agreeing with printf.
#include "allocator/base/offset_text.h"

#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

#include "allocator/base/fixed_text.h"

namespace allocfuzz {
namespace {

std::string printf_offset(uint64_t offset) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+0x%06" PRIx64, offset);
  return buf;
}

TEST(OffsetText, Edges) {
  EXPECT_EQ(OffsetText(0).view(), "+0x000000");
  EXPECT_EQ(OffsetText(0x120).view(), "+0x000120");
  EXPECT_EQ(OffsetText(0xffffff).view(), "+0xffffff");
  EXPECT_EQ(OffsetText(0x1000000).view(), "+0x1000000");
  EXPECT_EQ(OffsetText(0xabcdef012).view(), "+0xabcdef012");
  EXPECT_EQ(OffsetText(UINT64_MAX).view(), "+0xffffffffffffffff");
}

TEST(OffsetText, IsAConstantExpression) {
  static_assert(OffsetText(0x1a8).view() == "+0x0001a8");
  static_assert(OffsetText(0x1000000).view() == "+0x1000000");
}

TEST(OffsetText, MatchesPrintfAndEveryForm) {
  for (uint64_t offset :
       {uint64_t{0}, uint64_t{1}, uint64_t{0xf}, uint64_t{0xfffff}, uint64_t{0x100000},
        uint64_t{0xffffff}, uint64_t{0x1000000}, uint64_t{0x7fffffffffffffff}, UINT64_MAX}) {
    const std::string expected = printf_offset(offset);
    EXPECT_EQ(OffsetText(offset).view(), expected);
    EXPECT_EQ(offset_string(offset), expected);
    FixedText<32> text;
    text.add_offset(offset);
    EXPECT_EQ(text.view(), expected);
  }
}

TEST(OffsetText, AddOffsetIsCutLikeAnyText) {
  FixedText<6> text;
  text.add_offset(0x1000000);
  EXPECT_TRUE(text.truncated());
  EXPECT_EQ(text.view(), "+0x...");
}

}  // namespace
}  // namespace allocfuzz
