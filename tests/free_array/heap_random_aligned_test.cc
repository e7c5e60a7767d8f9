// Randomized programs of malloc, memalign, realloc, free and the sized frees against
// FreeArrayHeap through HeapHarness: every step is checked for the alignment asked for (the
// harness's memalign), the checker (and, in expensive-check builds, the heap's own self-check
// after every call) and the contents of every live block. Fixed seeds, so a failure replays;
// foreign moves of the break and injected growth failures are mixed in, and every NULL must
// follow a growth the region refused.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "allocator/free_array/heap_layout.h"
#include "tests/free_array/heap_harness.h"
#include "tests/support/xorshift.h"

namespace allocfuzz::testing {
namespace {

size_t random_size(XorShift& rng) {
  static const uint64_t kEdges[] = {0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 4088, 4096};
  return edge_biased_size(rng, kEdges, {{64}, {700, 8, 40000}});
}

// Powers of two up to 1 MiB (the small ones more often), some that are not, and the ones that
// are plain malloc.
size_t random_align(XorShift& rng) {
  static const uint64_t kAligns[] = {0,        1,  2,  4,   8,   16,   16,   32,
                                     32,       64, 64, 128, 256, 512,  4096, 65536,
                                     1u << 20, 24, 48, 100, 640, 3000, 5000};
  return kAligns[rng.below(std::size(kAligns))];
}

struct Params {
  Placement placement;
  uint64_t seed;
};

class HeapRandomAligned : public ::testing::TestWithParam<Params> {};

TEST_P(HeapRandomAligned, EveryResultIsAlignedAndTheHeapStaysValid) {
  RegionOptions options;
  options.placement = GetParam().placement;
  options.reserve_bytes = size_t{64} << 20;
  HeapConfig config;
  config.release_threshold = 64 << 10;
  config.keep_after_release = 16 << 10;
  HeapHarness h(options, config);
  XorShift rng(GetParam().seed);
  // The live blocks with the alignment each was asked with (0: malloc or realloc, which
  // promise only the heap's 8).
  struct Slot {
    void* p;
    size_t align;
  };
  std::vector<Slot> live;
  uint64_t nulls_without_failure = 0, aligned = 0, aligned_frees = 0;
  for (int step = 0; step < 2000 && !::testing::Test::HasFailure(); ++step) {
    const uint64_t failed_before = h.region().stats().failed_growths;
    const size_t op = rng.below(100);
    void* got = nullptr;
    bool asked = false;
    if (op < 35 || live.empty()) {
      const size_t align = random_align(rng);
      got = h.memalign(align, random_size(rng));
      asked = true;
      ++aligned;
      if (got) live.push_back({got, align});
    } else if (op < 50) {
      got = h.malloc(random_size(rng));
      asked = true;
      if (got) live.push_back({got, 0});
    } else if (op < 75) {
      const size_t k = rng.below(live.size());
      // Plain, sized and (for a block that may be aligned) aligned-sized frees alike; the
      // harness passes the size the block was asked with, the heap checks it.
      const size_t how = rng.below(3);
      if (how == 0) {
        h.free(live[k].p);
      } else if (how == 1 || live[k].align == 0) {
        h.free_sized(live[k].p);
      } else {
        h.free_sized(live[k].p, live[k].align);
        ++aligned_frees;
      }
      live[k] = live.back();
      live.pop_back();
    } else if (op < 93) {
      const size_t k = rng.below(live.size());
      const size_t n = random_size(rng);
      got = h.realloc(live[k].p, n);  // the harness checks the kept prefix
      if (n == 0) {
        live[k] = live.back();
        live.pop_back();
      } else {
        asked = true;
        if (got) live[k] = {got, 0};
      }
    } else if (op < 96) {
      h.region().foreign_grow(1 + rng.below(9000));
    } else if (op < 98) {
      h.region().foreign_release();
    } else {
      h.region().fail_next_growths(1 + static_cast<uint32_t>(rng.below(3)));
    }
    if (asked && got == nullptr && h.region().stats().failed_growths == failed_before) {
      ++nulls_without_failure;
    }
    ASSERT_EQ(h.live_count(), live.size()) << "step " << step;
  }
  EXPECT_EQ(nulls_without_failure, 0u) << "a NULL came back although no growth failed";
  EXPECT_GT(aligned, 500u);
  EXPECT_GT(aligned_frees, 50u);
  for (const Slot& q : live) h.free(q.p);
  EXPECT_EQ(h.live_count(), 0u);
}

std::vector<Params> all_params() {
  std::vector<Params> out;
  for (Placement placement : {Placement::kHigh, Placement::kLow}) {
    for (uint64_t seed : {11, 12, 13}) out.push_back({placement, seed});
  }
  return out;
}

std::string param_name(const ::testing::TestParamInfo<Params>& info) {
  return std::string(placement_name(info.param.placement)) + "_seed" +
         std::to_string(info.param.seed);
}

INSTANTIATE_TEST_SUITE_P(PlacementsSeeds, HeapRandomAligned, ::testing::ValuesIn(all_params()),
                         param_name);

}  // namespace
}  // namespace allocfuzz::testing
