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

}  // namespace

std::optional<HeapFinding> check_walk(std::vector<WalkBlock>& blocks, const LiveView& live,
                                      const PseudoBrk& region) {
  // An address off the region cannot be named by offset, nor be any user's block.
  for (const WalkBlock& b : blocks) {
    if (!region.contains(b.payload)) {
      return walk_finding(SIZE_MAX,
                          absl::StrFormat("the walk reports a %s block of %d bytes outside the "
                                          "region",
                                          b.in_use ? "used" : "free", b.size));
    }
  }
  // By address, in-use first at one address, so that each live block's reports are adjacent.
  std::sort(blocks.begin(), blocks.end(), [](const WalkBlock& a, const WalkBlock& b) {
    return a.payload != b.payload ? a.payload < b.payload : a.in_use > b.in_use;
  });
  auto reports_at = [&](const char* p) {
    return std::equal_range(blocks.begin(), blocks.end(), WalkBlock{p, 0, true},
                            [](const WalkBlock& a, const WalkBlock& b) {
                              return a.payload != b.payload ? a.payload < b.payload
                                                            : a.in_use > b.in_use;
                            });
  };
  const size_t live_count = live.live_count();
  for (size_t i = 0; i < live_count; ++i) {
    const char* p = live.live_payload(i);
    const size_t requested = live.requested_size(p);
    const size_t at = region.offset_of(p);
    auto [first, last] = reports_at(p);
    const auto used = static_cast<size_t>(last - first);
    if (used == 0) {
      return walk_finding(at, absl::StrFormat("the walk does not report the live block at "
                                              "+0x%06x (%d bytes) in use",
                                              at, requested));
    }
    if (used > 1) {
      return walk_finding(at, absl::StrFormat("the walk reports the live block at +0x%06x in "
                                              "use %d times",
                                              at, used));
    }
    if (first->size < requested) {
      return walk_finding(at, absl::StrFormat("the walk reports the live block at +0x%06x with "
                                              "%d bytes, fewer than the %d requested",
                                              at, first->size, requested));
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
      const size_t at = region.offset_of(b.payload);
      return walk_finding(at, absl::StrFormat("the walk reports a free block at +0x%06x (%d "
                                              "bytes) overlapping the live block at +0x%06x",
                                              at, b.size, region.offset_of(p)));
    }
  }
  return std::nullopt;
}

}  // namespace allocfuzz
