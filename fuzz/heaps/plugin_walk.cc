// The walk's cross-check; see plugin_walk.h.
#include "fuzz/heaps/plugin_walk.h"

#include <absl/strings/str_format.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "fuzz/heaps/plugin_adapter.h"

namespace allocfuzz {
namespace {

HeapFinding walk_finding(size_t offset, std::string message) {
  return HeapFinding{std::string(kWalkId), offset, std::move(message)};
}

// By address, in-use first at one address, so that each block's reports are adjacent.
bool walk_order(const WalkBlock& a, const WalkBlock& b) {
  return a.payload != b.payload ? a.payload < b.payload : a.in_use > b.in_use;
}

// The in-use reports that stand for the live block at p: those at p on the region; off it,
// those at the start of the last in-use block at or below p, when that block contains p (a
// zero-byte block contains its own address). Empty when there are none.
std::pair<const WalkBlock*, const WalkBlock*> reports_for(const std::vector<WalkBlock>& blocks,
                                                          const char* p, bool exact) {
  const WalkBlock* begin = blocks.data();
  const WalkBlock* end = begin + blocks.size();
  const char* start = p;
  if (!exact) {
    const WalkBlock* it = std::upper_bound(begin, end, WalkBlock{p, 0, false}, walk_order);
    while (it != begin && !(it - 1)->in_use) --it;
    if (it == begin) return {end, end};
    const WalkBlock& b = *(it - 1);
    if (p >= b.payload + std::max<size_t>(b.size, 1)) return {end, end};
    start = b.payload;
  }
  return std::equal_range(
      begin, end, WalkBlock{start, 0, true}, [](const WalkBlock& a, const WalkBlock& b) {
        return a.payload != b.payload ? a.payload < b.payload : a.in_use > b.in_use;
      });
}

}  // namespace

std::optional<HeapFinding> check_walk(std::vector<WalkBlock>& blocks, const LiveView& live,
                                      WalkSpace space) {
  const PseudoBrk* region = space.region;
  // An address off the region cannot be named by offset, nor be any user's block.
  for (const WalkBlock& b : blocks) {
    if (region != nullptr && !region->contains(b.payload)) {
      return walk_finding(SIZE_MAX,
                          absl::StrFormat("the walk reports a %s block of %d bytes outside the "
                                          "region",
                                          b.in_use ? "used" : "free", b.size));
    }
  }
  std::sort(blocks.begin(), blocks.end(), walk_order);
  auto offset_of = [&](const char* p) {
    return region != nullptr ? region->offset_of(p) : SIZE_MAX;
  };
  const size_t live_count = live.live_count();
  for (size_t i = 0; i < live_count; ++i) {
    const char* p = live.live_payload(i);
    const size_t requested = live.requested_size(p);
    const size_t at = offset_of(p);
    auto [first, last] = reports_for(blocks, p, region != nullptr);
    const auto used = static_cast<size_t>(last - first);
    if (used == 0) {
      return walk_finding(
          at, region != nullptr
                  ? absl::StrFormat("the walk does not report the live block at +0x%06x (%d "
                                    "bytes) in use",
                                    at, requested)
                  : absl::StrFormat("the walk does not report a live block of %d bytes in use",
                                    requested));
    }
    if (used > 1) {
      return walk_finding(
          at, region != nullptr
                  ? absl::StrFormat("the walk reports the live block at +0x%06x in use %d times",
                                    at, used)
                  : absl::StrFormat("the walk reports a live block of %d bytes in use %d times",
                                    requested, used));
    }
    // Off the region the reported block may start before p: what it holds from p on.
    const size_t from_p = static_cast<size_t>(first->payload + first->size - p);
    if (from_p < requested) {
      return walk_finding(
          at, region != nullptr
                  ? absl::StrFormat("the walk reports the live block at +0x%06x with %d bytes, "
                                    "fewer than the %d requested",
                                    at, from_p, requested)
                  : absl::StrFormat("the walk reports a live block with %d bytes, fewer than "
                                    "the %d requested",
                                    from_p, requested));
    }
  }
  // The live blocks are disjoint and in address order, so the last one that starts below a
  // free block's end is the only one that can reach into it.
  for (const WalkBlock& b : blocks) {
    if (b.in_use || live_count == 0) continue;
    size_t lo = 0, hi = live_count;  // first live block starting at or past b's end
    const char* end = b.payload + b.size;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (live.live_payload(mid) < end) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo == 0) continue;
    const char* p = live.live_payload(lo - 1);
    const size_t extent = std::max<size_t>(live.requested_size(p), 1);
    if (b.size > 0 && p + extent > b.payload) {
      const size_t at = offset_of(b.payload);
      return walk_finding(
          at, region != nullptr
                  ? absl::StrFormat("the walk reports a free block at +0x%06x (%d bytes) "
                                    "overlapping the live block at +0x%06x",
                                    at, b.size, region->offset_of(p))
                  : absl::StrFormat("the walk reports a free block of %d bytes overlapping a "
                                    "live block of %d bytes",
                                    b.size, live.requested_size(p)));
    }
  }
  return std::nullopt;
}

}  // namespace allocfuzz
