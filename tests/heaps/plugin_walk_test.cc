// Tests of the walk's cross-check (fuzz/heaps/plugin_walk.h) on made-up reports: each rule's
// exact message, and the edges where a report is still right (an allocator's own block in use,
// a free block that touches a live one, a zero-byte live block, any order).
#include "fuzz/heaps/plugin_walk.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "allocator/region/pseudo_brk.h"

namespace allocfuzz {
namespace {

// Live blocks by offset: offset -> requested bytes.
class Live final : public LiveView {
 public:
  Live(const PseudoBrk& region, std::map<size_t, size_t> blocks) {
    for (auto [offset, requested] : blocks) blocks_.push_back({region.start() + offset, requested});
  }
  size_t requested_size(const void* p) const override {
    for (const auto& [payload, requested] : blocks_) {
      if (payload == p) return requested;
    }
    return SIZE_MAX;
  }
  size_t live_count() const override { return blocks_.size(); }
  const char* live_payload(size_t i) const override { return blocks_[i].first; }

 private:
  std::vector<std::pair<const char*, size_t>> blocks_;
};

class PluginWalk : public ::testing::Test {
 protected:
  void SetUp() override {
    RegionOptions options;
    options.reserve_bytes = size_t{1} << 16;
    ASSERT_EQ(region_.init(options), 0);
  }
  WalkBlock Used(size_t offset, size_t size) { return {region_.start() + offset, size, true}; }
  WalkBlock Free(size_t offset, size_t size) { return {region_.start() + offset, size, false}; }
  // "ok", or "offset: message".
  std::string Judge(std::vector<WalkBlock> blocks, std::map<size_t, size_t> live) {
    std::optional<HeapFinding> f = check_walk(blocks, Live(region_, std::move(live)), region_);
    if (!f) return "ok";
    EXPECT_EQ(f->id, "walk");
    return (f->offset == SIZE_MAX ? std::string("-") : std::to_string(f->offset)) + ": " +
           f->message;
  }
  PseudoBrk region_;
};

TEST_F(PluginWalk, ARightReportPassesInAnyOrder) {
  EXPECT_EQ(Judge({Free(0x80, 32), Used(0x10, 48), Used(0x400, 16), Used(0x60, 16)},
                  {{0x10, 40}, {0x60, 0}, {0x400, 16}}),
            "ok");
  // A free block may end where a live block starts, and start where one ends.
  EXPECT_EQ(Judge({Used(0x100, 16), Free(0xc0, 64), Free(0x110, 16)}, {{0x100, 16}}), "ok");
  EXPECT_EQ(Judge({}, {}), "ok");
}

TEST_F(PluginWalk, ALiveBlockNotReportedInUse) {
  EXPECT_EQ(Judge({Used(0x10, 48)}, {{0x10, 40}, {0x60, 8}}),
            "96: the walk does not report the live block at +0x000060 (8 bytes) in use");
  // Reported, but free: the same (and the free block overlaps it, the later rule).
  EXPECT_EQ(Judge({Free(0x60, 16)}, {{0x60, 8}}),
            "96: the walk does not report the live block at +0x000060 (8 bytes) in use");
}

TEST_F(PluginWalk, ALiveBlockReportedTwice) {
  EXPECT_EQ(Judge({Used(0x60, 16), Used(0x10, 16), Used(0x60, 16)}, {{0x60, 8}}),
            "96: the walk reports the live block at +0x000060 in use 2 times");
}

TEST_F(PluginWalk, ALiveBlockReportedSmallerThanRequested) {
  EXPECT_EQ(Judge({Used(0x60, 39)}, {{0x60, 40}}),
            "96: the walk reports the live block at +0x000060 with 39 bytes, fewer than the 40 "
            "requested");
  EXPECT_EQ(Judge({Used(0x60, 40)}, {{0x60, 40}}), "ok");
}

TEST_F(PluginWalk, AFreeBlockOverlappingALiveOne) {
  // The free block's last byte is the live block's first.
  EXPECT_EQ(Judge({Used(0x100, 16), Free(0xc0, 65)}, {{0x100, 16}}),
            "192: the walk reports a free block at +0x0000c0 (65 bytes) overlapping the live "
            "block at +0x000100");
  // A zero-byte live block inside a free one.
  EXPECT_EQ(Judge({Used(0x100, 0), Free(0xf0, 32)}, {{0x100, 0}}),
            "240: the walk reports a free block at +0x0000f0 (32 bytes) overlapping the live "
            "block at +0x000100");
  // Reaching into the live block from above its start.
  EXPECT_EQ(Judge({Used(0x100, 64), Free(0x130, 8)}, {{0x100, 64}}),
            "304: the walk reports a free block at +0x000130 (8 bytes) overlapping the live "
            "block at +0x000100");
}

TEST_F(PluginWalk, AnAllocatorsOwnBlockInUseIsAllowed) {
  EXPECT_EQ(Judge({Used(0x0, 16), Used(0x20, 16)}, {{0x20, 16}}), "ok");
}

TEST_F(PluginWalk, ABlockOutsideTheRegion) {
  static char elsewhere[16];
  std::vector<WalkBlock> blocks = {{elsewhere, 16, false}};
  EXPECT_EQ(Judge(blocks, {}), "-: the walk reports a free block of 16 bytes outside the region");
}

}  // namespace
}  // namespace allocfuzz
