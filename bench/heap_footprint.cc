// heap_footprint: deterministic space figures of FreeArrayHeap on a fresh PseudoBrk.
//
//   a) N live blocks of S requested bytes: heap bytes (heap_start..top) per block beyond the
//      rounded request (the header: 8 bytes), with the break's slack (brk - top, the
//      preallocation) and the free array's own mapping reported apart.
//   b) A fixed-seed random workload (malloc/free/realloc/calloc, sizes biased small with some
//      up to 64 KiB, a bounded number of live blocks): break moves, growths, shrinks, peak
//      break against peak live requested bytes, and the free array's final shape.
//
// Every figure is an offset or a size, never an address, so the output is byte-identical
// from run to run (and between the release and dev builds). Only the public interface of
// FreeArrayHeap and PseudoBrk is used (state() is read, never written); the heap checker
// (check_heap) verifies the heap along the way in b).
//
// Usage: heap_footprint [--seed N] [--ops N]
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "allocator/base/fixed_text.h"
#include "allocator/base/random.h"
#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_checker.h"
#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"
#include "bench/bench_args.h"

namespace allocfuzz {
namespace {

constexpr uint64_t kDefaultSeed = 1;
constexpr uint64_t kDefaultOps = 100000;
constexpr size_t kSlots = 2000;         // bound on live blocks in part b
constexpr uint64_t kCheckEvery = 1000;  // part b runs check_heap every this many operations

using Options = bench::SeedAndOps;

[[noreturn]] void die(const char* what) { bench::die("heap_footprint", what); }

Options parse_args(int argc, char** argv) {
  return bench::parse_seed_and_ops(argc, argv, "heap_footprint", Options{kDefaultSeed, kDefaultOps},
                                   UINT64_MAX);
}

// A region plus a heap on it, both fresh. The region is heap-allocated because the heap keeps
// a reference to it.
struct Fixture {
  std::unique_ptr<PseudoBrk> region;
  std::unique_ptr<FreeArrayHeap> heap;

  Fixture() : region(std::make_unique<PseudoBrk>()) {
    if (region->init(RegionOptions{}) != 0) die("cannot reserve the region");
    heap = std::make_unique<FreeArrayHeap>(*region);
  }
  size_t off(const char* p) const { return p == nullptr ? 0 : region->offset_of(p); }
  size_t heap_bytes() const {
    const FreeArrayState& s = heap->state();
    return s.heap_start == nullptr ? 0 : static_cast<size_t>(s.top - s.heap_start);
  }
  size_t slack() const {
    const FreeArrayState& s = heap->state();
    return s.heap_start == nullptr ? 0 : static_cast<size_t>(s.brk - s.top);
  }
};

// "a/b" with two decimals, computed in integers so the text cannot vary.
void print_ratio(uint64_t num, uint64_t den, int width) {
  if (den == 0) {
    std::printf("%*s", width, "-");
    return;
  }
  uint64_t hundredths = (num * 100 + den / 2) / den;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIu64 ".%02" PRIu64, hundredths / 100, hundredths % 100);
  std::printf("%*s", width, buf);
}

// ---- a) overhead per live block --------------------------------------------------------------

void part_a() {
  static constexpr size_t kSizes[] = {0, 1, 8, 13, 24, 100, 1000, 4096};
  static constexpr size_t kCounts[] = {1000, 10000};
  std::printf(
      "a) N live blocks of S requested bytes, nothing freed (fresh region and heap per row)\n");
  std::printf("   block = round_up(S,8) + 8-byte header, at least 16 (layout::block_size_for)\n");
  std::printf("   ovh/blk  = (top - heap_start - N*round_up(S,8)) / N  (the header)\n");
  std::printf("   ovh/req  = (top - heap_start - N*S) / N              (header + rounding)\n");
  std::printf("   slack    = brk - top (preallocation; includes the 8-byte end marker)\n");
  std::printf("   array    = heap.array_mapped_bytes() (the free array's own mapping)\n\n");
  std::printf("%6s %6s %6s %10s %8s %8s %8s %8s %6s %7s\n", "S", "N", "block", "heap_bytes",
              "ovh/blk", "ovh/req", "slack", "array", "moves", "growths");
  for (size_t n : kCounts) {
    for (size_t s : kSizes) {
      Fixture f;
      for (size_t i = 0; i < n; ++i) {
        if (f.heap->malloc(s) == nullptr) die("malloc failed in part a");
      }
      size_t bytes = f.heap_bytes();
      uint64_t rounded = uint64_t{n} * layout::round_up8(s);
      uint64_t requested = uint64_t{n} * s;
      std::printf("%6zu %6zu %6zu %10zu ", s, n, layout::block_size_for(s), bytes);
      print_ratio(bytes - rounded, n, 8);
      std::printf(" ");
      print_ratio(bytes - requested, n, 8);
      std::printf(" %8zu %8zu %6" PRIu64 " %7" PRIu64 "\n", f.slack(), f.heap->array_mapped_bytes(),
                  f.region->stats().moves, f.region->stats().growths);
    }
  }
  std::printf(
      "\n   S >= 1: the header is the whole overhead, 8 bytes per block; S not a multiple\n"
      "   of 8 adds rounding (ovh/req). S = 0 (malloc(0), a unique minimal block) is the\n"
      "   only request the 16-byte minimum block inflates: 16 bytes for 0 requested.\n"
      "   S = 1..8 gives block 16 = 8 + 8 either way, so the minimum never binds there.\n"
      "   The free array maps nothing until the first free.\n\n");
}

// ---- b) random workload ----------------------------------------------------------------------

// 1% zero, 69% 1..128, 20% 129..1024, 8% 1025..8192, 2% 8193..65536.
size_t draw_size(XorShift64& rng) {
  uint64_t r = rng.below(100);
  if (r < 1) return 0;
  if (r < 70) return 1 + rng.below(128);
  if (r < 90) return 129 + rng.below(1024 - 128);
  if (r < 98) return 1025 + rng.below(8192 - 1024);
  return 8193 + rng.below(65536 - 8192);
}

struct Slot {
  unsigned char* p = nullptr;
  size_t n = 0;
  unsigned char tag = 0;
};

struct Counts {
  uint64_t malloc = 0, free = 0, free_empty = 0, realloc = 0, realloc_in_place = 0,
           realloc_to_zero = 0, calloc = 0, null_returns = 0, checks = 0;
};

void verify(const Slot& s, size_t n, size_t slot) {
  for (size_t i = 0; i < n; ++i) {
    if (s.p[i] != s.tag) {
      std::fprintf(stderr, "heap_footprint: slot %zu: byte %zu of %zu changed\n", slot, i, s.n);
      std::exit(1);
    }
  }
}

void check_or_die(const FreeArrayHeap& heap, uint64_t op) {
  std::optional<HeapViolation> v = check_heap(heap);
  if (!v) return;
  FixedText<512> text;
  append_violation(*v, text);
  std::fprintf(stderr, "heap_footprint: after op %" PRIu64 ": %.*s\n", op,
               static_cast<int>(text.view().size()), text.view().data());
  std::exit(1);
}

void part_b(const Options& o) {
  Fixture f;
  FreeArrayHeap& heap = *f.heap;
  XorShift64 rng(o.seed);
  std::vector<Slot> slots(kSlots);
  Counts c;
  uint64_t live = 0, peak_live = 0;
  size_t peak_blocks = 0, blocks = 0;
  unsigned char next_tag = 1;

  auto fill = [&](Slot& s, size_t slot) {
    s.tag = next_tag;
    next_tag = static_cast<unsigned char>(next_tag == 255 ? 1 : next_tag + 1);
    std::memset(s.p, s.tag, s.n);
    if (heap.usable_size(s.p) < s.n) {
      std::fprintf(stderr, "heap_footprint: slot %zu: usable_size below request\n", slot);
      std::exit(1);
    }
  };
  auto drop = [&](Slot& s, size_t slot) {
    verify(s, s.n, slot);
    heap.free(s.p);
    live -= s.n;
    --blocks;
    s = Slot{};
  };

  // One operation; `return` ends it early (the heap check below still runs).
  auto step = [&] {
    size_t slot = static_cast<size_t>(rng.below(kSlots));
    Slot& s = slots[slot];
    uint64_t kind = rng.below(100);
    if (kind < 40 || kind >= 90) {  // malloc (40%) or calloc (10%) into the slot
      bool is_calloc = kind >= 90;
      size_t n = draw_size(rng);
      size_t count = is_calloc ? 1 + static_cast<size_t>(rng.below(8)) : 1;
      size_t each = is_calloc ? n / count : n;
      if (s.p != nullptr) drop(s, slot);
      void* p = is_calloc ? heap.calloc(count, each) : heap.malloc(n);
      is_calloc ? ++c.calloc : ++c.malloc;
      if (p == nullptr) {
        ++c.null_returns;
        return;
      }
      s.p = static_cast<unsigned char*>(p);
      s.n = count * each;
      if (is_calloc) {
        for (size_t i = 0; i < s.n; ++i) {
          if (s.p[i] != 0) die("calloc returned memory that is not zero");
        }
      }
      fill(s, slot);
      live += s.n;
      ++blocks;
    } else if (kind < 70) {  // free (30%)
      ++c.free;
      if (s.p == nullptr) {
        ++c.free_empty;
        return;
      }
      drop(s, slot);
    } else {  // realloc (20%)
      ++c.realloc;
      size_t n = draw_size(rng);
      if (s.p != nullptr) verify(s, s.n, slot);
      void* p = heap.realloc(s.p, n);
      if (n == 0 && s.p != nullptr) {  // realloc(p, 0) frees and returns NULL
        ++c.realloc_to_zero;
        if (p != nullptr) die("realloc(p, 0) returned a block");
        live -= s.n;
        --blocks;
        s = Slot{};
        return;
      }
      if (p == nullptr) {
        ++c.null_returns;
        return;
      }
      if (p == s.p) ++c.realloc_in_place;
      if (s.p == nullptr) ++blocks;
      Slot moved = s;
      moved.p = static_cast<unsigned char*>(p);
      verify(moved, n < s.n ? n : s.n, slot);
      live = live - s.n + n;
      s.p = moved.p;
      s.n = n;
      fill(s, slot);
    }
  };

  for (uint64_t op = 0; op < o.ops; ++op) {
    step();
    if (live > peak_live) peak_live = live;
    if (blocks > peak_blocks) peak_blocks = blocks;
    if ((op + 1) % kCheckEvery == 0) {
      check_or_die(heap, op);
      ++c.checks;
    }
  }
  check_or_die(heap, o.ops);
  ++c.checks;

  const RegionStats& rs = f.region->stats();
  const FreeArrayState& st = heap.state();
  std::printf("b) random workload: seed %" PRIu64 ", %" PRIu64
              " operations, %zu slots (live-block bound)\n",
              o.seed, o.ops, kSlots);
  std::printf(
      "   ops: malloc 40%%, free 30%%, realloc 20%%, calloc 10%%; sizes: 0 1%%, 1..128 69%%,\n"
      "   129..1024 20%%, 1025..8192 8%%, 8193..65536 2%%; xorshift64 (13, 7, 17)\n");
  std::printf(
      "   HeapConfig defaults: prealloc 4096 doubling to 256 KiB, release above 512 KiB\n"
      "   of slack down to 64 KiB\n\n");
  std::printf(
      "   calls: malloc %" PRIu64 ", calloc %" PRIu64 ", free %" PRIu64 " (%" PRIu64
      " of an empty slot), realloc %" PRIu64 " (%" PRIu64 " in place, %" PRIu64 " to size 0)\n",
      c.malloc, c.calloc, c.free, c.free_empty, c.realloc, c.realloc_in_place, c.realloc_to_zero);
  std::printf("   NULL returns              %12" PRIu64 "\n", c.null_returns);
  std::printf("   heap checks passed        %12" PRIu64 "\n", c.checks);
  std::printf("   break moves               %12" PRIu64 "\n", rs.moves);
  std::printf("     growths                 %12" PRIu64 "\n", rs.growths);
  std::printf("     shrinks (moves-growths) %12" PRIu64 "\n", rs.moves - rs.growths);
  std::printf("   failed moves              %12" PRIu64 "\n", rs.failed_moves);
  std::printf("   peak break (offset)       %12zu\n", rs.peak_break_offset);
  std::printf("   peak live requested bytes %12" PRIu64 "\n", peak_live);
  std::printf("   peak live blocks          %12zu\n", peak_blocks);
  std::printf("   peak break / peak live    %12s", "");
  print_ratio(rs.peak_break_offset, peak_live, 0);
  std::printf("\n");
  std::printf("   final: break %zu, top %zu, slack %zu, live requested %" PRIu64 " in %zu blocks\n",
              rs.break_offset, f.off(st.top), f.slack(), live, blocks);
  std::printf("   final free array: length %zu, gaps %zu, free bytes %" PRIu64
              ", capacity %zu entries, mapping %zu bytes\n",
              st.length, st.gaps, st.free_bytes, st.capacity, heap.array_mapped_bytes());
  std::printf("   final break / live        %12s", "");
  print_ratio(rs.break_offset, live, 0);
  std::printf("\n");

  for (size_t i = 0; i < kSlots; ++i) {
    if (slots[i].p != nullptr) drop(slots[i], i);
  }
  check_or_die(heap, o.ops);
  std::printf(
      "   after freeing every block: break %zu, top %zu, free array length %zu, "
      "break moves %" PRIu64 " (shrinks %" PRIu64 ")\n",
      rs.break_offset, f.off(st.top), st.length, rs.moves, rs.moves - rs.growths);
}

}  // namespace
}  // namespace allocfuzz

int main(int argc, char** argv) {
  allocfuzz::Options o = allocfuzz::parse_args(argc, argv);
  std::printf(
      "heap_footprint: FreeArrayHeap space figures (deterministic; offsets and sizes only)\n");
  std::printf(
      "reproduce: cmake --workflow --preset release && build/release/bin/heap_footprint"
      " --seed %" PRIu64 " --ops %" PRIu64 "\n\n",
      o.seed, o.ops);
  allocfuzz::part_a();
  allocfuzz::part_b(o);
  return 0;
}
