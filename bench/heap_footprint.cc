// heap_footprint: deterministic space figures of FreeArrayHeap on a fresh PseudoBrk.
//
//   a) N live blocks of S requested bytes: heap bytes (heap_start..top) per block beyond the
//      rounded request (the header: 8 bytes), with the break's slack (brk - top, the
//      preallocation) and the free array's own mapping reported apart.
//   b) The random workload of the footprint tool (`allocfuzz footprint --random N --seed S`,
//      repro/tools/footprint.h), measured by the tool itself on free-array: the tool's row,
//      then FreeArrayHeap's break moves, growths and shrinks and the free array's final shape,
//      which the tool (one row per heap) does not show. The tool compares the heaps; this
//      bench only adds the one heap's internals, and prints the tool's command for the row.
//
// Every figure is an offset or a size, never an address, so the output is byte-identical
// from run to run (and between the release and dev builds). Only the public interface of
// FreeArrayHeap and PseudoBrk is used (state() is read, never written); in b) the executor's
// checks (amortized, as the tool runs them) verify the heap along the way.
//
// Usage: heap_footprint [--seed N] [--ops N]
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"
#include "bench/bench_args.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/heap_lane.h"
#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops.h"
#include "repro/tools/footprint.h"

namespace allocfuzz {
namespace {

constexpr uint64_t kDefaultSeed = 1;
constexpr uint64_t kDefaultOps = kMaxOps;  // the most the footprint tool takes

using Options = bench::SeedAndOps;

[[noreturn]] void die(const char* what) { bench::die("heap_footprint", what); }

Options parse_args(int argc, char** argv) {
  return bench::parse_seed_and_ops(argc, argv, "heap_footprint", Options{kDefaultSeed, kDefaultOps},
                                   kMaxOps);
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

// ---- b) the footprint tool's random workload, with FreeArrayHeap's own counters ----------

// The tool's free-array row (allocfuzz footprint: the same workload, region, checks and
// measurement), then what only FreeArrayHeap has: its break moves and its free array, at the end
// of the workload and after a second run that also frees every slot.
FreeArrayHeap& free_array_of(HeapLane& lane) {
  auto* adapter = dynamic_cast<FreeArrayTestedHeap*>(lane.heap.get());
  if (adapter == nullptr) die("the default heap is not FreeArrayHeap");
  return adapter->heap();
}

void part_b(const Options& o) {
  const FootprintWorkload workload = random_footprint_workload(o.ops, o.seed);
  const HeapKind* kind = find_heap_kind(kDefaultHeap);
  if (kind == nullptr) die("no default heap");
  HeapLane lane;
  if (lane.init(*kind, workload.region) != 0) die("cannot reserve the region");
  const FootprintRow row = measure_footprint(lane, kind->name, workload);
  if (!row.violation.empty()) {
    std::fprintf(stderr, "heap_footprint: %s\n", row.violation.c_str());
    std::exit(1);
  }
  const FreeArrayHeap& heap = free_array_of(lane);
  const RegionStats& rs = lane.region.stats();
  const FreeArrayState& st = heap.state();
  const Shadow& shadow = lane.executor->shadow();
  const uint64_t footprint = row.footprint.value_or(0);
  auto off = [&lane](const char* p) { return p == nullptr ? 0 : lane.region.offset_of(p); };
  std::printf("b) the footprint tool's random workload on %s (HeapConfig defaults)\n",
              row.heap.c_str());
  std::printf("   %s\n", workload.description.c_str());
  std::printf("   its row of `%s`:\n", workload.command.c_str());
  std::printf("   peak break (footprint)    %12" PRIu64 "\n", footprint);
  std::printf("   peak live requested bytes %12" PRIu64 "\n", row.peak_live);
  std::printf("   live blocks at peak-live  %12zu\n", row.blocks);
  std::printf("   ovh/block at peak-live    %12s\n", row.overhead.c_str());
  std::printf("   peak break / peak live    %12s\n",
              footprint_ratio(footprint, row.peak_live).c_str());
  std::printf("   and FreeArrayHeap's own counters:\n");
  std::printf("   break moves               %12" PRIu64 "\n", rs.moves);
  std::printf("     growths                 %12" PRIu64 "\n", rs.growths);
  std::printf("     shrinks (moves-growths) %12" PRIu64 "\n", rs.moves - rs.growths);
  std::printf("   failed moves              %12" PRIu64 "\n", rs.failed_moves);
  std::printf("   final: break %zu, top %zu, slack %zu, live requested %" PRIu64 " in %zu blocks\n",
              rs.break_offset, off(st.top), off(st.brk) - off(st.top), shadow.live_bytes(),
              shadow.live_count());
  std::printf("   final free array: length %zu, gaps %zu, free bytes %" PRIu64
              ", capacity %zu entries, mapping %zu bytes\n",
              st.length, st.gaps, st.free_bytes, st.capacity, heap.array_mapped_bytes());
  std::printf("   final break / live        %12s\n",
              footprint_ratio(rs.break_offset, shadow.live_bytes()).c_str());

  // The same workload again, then `free` of every slot: what the heap gives back.
  FootprintWorkload freeing = workload;
  for (uint32_t slot = 0; slot < kRandomSlots; ++slot) {
    Op op;
    op.kind = OpKind::kFree;
    op.slot = slot;
    freeing.program.ops.push_back(op);
  }
  const Outcome outcome = lane.executor->run(freeing.program, freeing.mode);
  if (outcome.finding) die("the heap reported a violation while freeing every block");
  std::printf(
      "   after freeing every block: break %zu, top %zu, free array length %zu, "
      "break moves %" PRIu64 " (shrinks %" PRIu64 ")\n",
      rs.break_offset, off(st.top), st.length, rs.moves, rs.moves - rs.growths);
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
