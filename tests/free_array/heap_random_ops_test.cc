// Randomized programs against FreeArrayHeap through HeapHarness: the checker, the contents of
// every live block and the foreign spans are verified after every step. Fixed seeds, so a
// failure replays; the parameters cover both placements, both protection modes, foreign moves
// of the break and injected growth failures.
#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

#include "tests/free_array/heap_harness.h"
#include "tests/support/xorshift.h"

namespace allocfuzz::testing {
namespace {

// Sizes biased to the edges that break allocators: tiny, around 8/16, the split slack, pages.
size_t random_size(XorShift& rng) {
  static const uint64_t kEdges[] = {0,  1,  7,  8,  9,  15,   16,   17,  23,
                                    24, 25, 31, 32, 33, 4088, 4096, 4104};
  return edge_biased_size(rng, kEdges, {{64}, {512}, {3000, 8, 70000}});
}

struct Params {
  Placement placement;
  Protection protection;
  uint64_t seed;
};

class HeapRandomOps : public ::testing::TestWithParam<Params> {};

TEST_P(HeapRandomOps, EveryStepKeepsTheHeapValidAndTheDataIntact) {
  const Params& p = GetParam();
  RegionOptions options;
  options.placement = p.placement;
  options.protection = p.protection;
  options.reserve_bytes = size_t{64} << 20;
  HeapConfig config;
  config.release_threshold = 64 << 10;  // small, so that releases happen often
  config.keep_after_release = 16 << 10;
  HeapHarness h(options, config);
  XorShift rng(p.seed);
  std::vector<void*> live;
  uint64_t nulls_without_failure = 0, nulls = 0, foreign_grows = 0;
  for (int step = 0; step < 2500 && !::testing::Test::HasFailure(); ++step) {
    uint64_t failed_before = h.region().stats().failed_growths;
    size_t op = rng.below(100);
    void* got = nullptr;
    bool asked = false;
    if (op < 30 || live.empty()) {
      got = h.malloc(random_size(rng));
      asked = true;
      if (got) live.push_back(got);
    } else if (op < 40) {
      got = h.calloc(1 + rng.below(4), random_size(rng) / 2);
      asked = true;
      if (got) live.push_back(got);
    } else if (op < 65) {
      size_t k = rng.below(live.size());
      h.free(live[k]);
      live[k] = live.back();
      live.pop_back();
    } else if (op < 90) {
      size_t k = rng.below(live.size());
      size_t n = random_size(rng);
      got = h.realloc(live[k], n);
      if (n == 0) {
        live[k] = live.back();
        live.pop_back();
      } else {
        asked = true;
        if (got) live[k] = got;
      }
    } else if (op < 92) {
      h.fill(live[rng.below(live.size())]);
    } else if (op < 94) {
      if (h.region().foreign_grow(1 + rng.below(9000))) ++foreign_grows;
    } else if (op < 97) {
      h.region().foreign_release();
    } else {
      h.region().fail_next_growths(1 + static_cast<uint32_t>(rng.below(3)));
    }
    if (asked && got == nullptr) {
      ++nulls;
      if (h.region().stats().failed_growths == failed_before) ++nulls_without_failure;
    }
    ASSERT_EQ(h.live_count(), live.size()) << "step " << step;
    if (op >= 90) ASSERT_TRUE(h.verify_all());
  }
  EXPECT_EQ(nulls_without_failure, 0u) << "a NULL came back although no growth failed";
  EXPECT_GT(nulls, 0u) << "the injected failures never bit";
  EXPECT_GT(foreign_grows, 0u);
  for (size_t i = 0; i < h.region().foreign_span_count(); ++i) {
    // The heap never lowered the break under the other party's memory.
    const ForeignSpan& span = h.region().foreign_span(i);
    EXPECT_GE(h.region().stats().break_offset, span.offset + span.length);
  }
  for (void* q : live) h.free(q);
  // With everything freed, only free blocks and fences (which are permanent) remain.
  const FreeArrayState& s = h.state();
  uint64_t fence_bytes = 0;
  for (const char* b = s.heap_start; b != nullptr && b < s.top;) {
    uint64_t header = layout::load_word(b);
    uint64_t size = (header & layout::kFree) ? s.entries[header >> layout::kIndexShift].size
                                             : header & ~layout::kFlagMask;
    if (!(header & layout::kFree)) {
      EXPECT_TRUE(header & layout::kFence) << "a used block survived freeing everything";
      fence_bytes += size;
    }
    b += size;
  }
  if (s.heap_start != nullptr) {
    EXPECT_EQ(s.free_bytes + fence_bytes, static_cast<uint64_t>(s.top - s.heap_start));
  }
  if (fence_bytes == 0) {
    EXPECT_EQ(s.top, s.heap_start);
    EXPECT_EQ(s.length, 0u);
  }
}

std::vector<Params> all_params() {
  std::vector<Params> out;
  for (Placement placement : {Placement::kHigh, Placement::kLow}) {
    for (Protection protection : {Protection::kStrict, Protection::kPoison}) {
      for (uint64_t seed : {1, 2, 3}) out.push_back({placement, protection, seed});
    }
  }
  return out;
}

std::string param_name(const ::testing::TestParamInfo<Params>& info) {
  return std::string(placement_name(info.param.placement)) +
         (info.param.protection == Protection::kStrict ? "_strict_" : "_poison_") + "seed" +
         std::to_string(info.param.seed);
}

INSTANTIATE_TEST_SUITE_P(PlacementsModesSeeds, HeapRandomOps, ::testing::ValuesIn(all_params()),
                         param_name);

}  // namespace
}  // namespace allocfuzz::testing
