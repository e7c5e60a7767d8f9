// heap_comparison: the same seeded random workloads on free-array, kr, glibc, mimalloc,
// jemalloc and tcmalloc; peak footprint and time per operation, each as a ratio to glibc's.
//
// Workloads: the footprint tool's random workload (repro/tools/footprint.h random_workload:
// malloc 40%, calloc 10%, realloc 20%, free 30% over 1000 slots), and the same with half of its
// mallocs turned into aligned calls (memalign, aligned_alloc, posix_memalign in turn, ALIGN a
// power of two from 16 to 4096 drawn from the seed), so that each heap's aligned path is
// measured on the same sequence of sizes.
//
// Footprint: measure_footprint (the footprint tool's figure: a region heap's peak break, a heap
// off the region by its own statistics or glibc's mapped bytes), under the executor's amortized
// checks, so a wrong heap cannot produce a figure. Time: the workload's calls made on the heap
// directly (a slot table, the first and last byte of each new block written, no checks), the
// best of kRounds rounds, each round timing every heap once so that a slow spell of the machine
// does not fall on one heap only. A heap that lacks what a workload needs (kr: no aligned calls)
// has "-" in that workload's rows.
//
// Everything printed is deterministic except the time columns, which vary from run to run.
// Figures worth quoting come from the release preset (no sanitizers).
//
// Usage: heap_comparison [--seed N] [--ops N]
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "allocator/base/random.h"
#include "bench/bench_args.h"
#include "fuzz/harness/heap_lane.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops.h"
#include "repro/tools/footprint.h"

namespace allocfuzz {
namespace {

constexpr const char* kHeaps[] = {"free-array", "kr", "glibc", "mimalloc", "jemalloc", "tcmalloc"};
constexpr const char* kBaseline = "glibc";
constexpr int kRounds = 3;

// Half of the mallocs become aligned calls, in turn memalign, aligned_alloc, posix_memalign.
Program with_aligned_calls(Program program, uint64_t seed) {
  SplitMix64 rng(seed ^ 0xa11e);
  const OpKind calls[] = {OpKind::kMemalign, OpKind::kAlignedAlloc, OpKind::kPosixMemalign};
  size_t next = 0;
  for (Op& op : program.ops) {
    if (op.kind != OpKind::kMalloc || rng.below(2) == 0) continue;
    const uint64_t size = op.args[0];
    op.kind = calls[next++ % 3];
    op.args[0] = uint64_t{16} << rng.below(9);  // 16 .. 4096
    op.args[1] = size;
  }
  return program;
}

void touch(void* p, size_t n) {
  if (p == nullptr || n == 0) return;
  auto* bytes = static_cast<volatile char*>(p);
  bytes[0] = 1;
  bytes[n - 1] = 1;
}

// The workload's calls on the heap alone; nanoseconds for the whole program.
double time_program(HeapLane& lane, const Program& program) {
  TestedHeap& heap = *lane.heap;
  lane.region.reset();
  heap.reset();
  std::vector<void*> slots(kRandomSlots, nullptr);
  const auto start = std::chrono::steady_clock::now();
  for (const Op& op : program.ops) {
    void*& p = slots[op.slot];
    switch (op.kind) {
      case OpKind::kMalloc:
        if (p != nullptr) heap.free(p);
        p = heap.malloc(op.args[0]);
        touch(p, op.args[0]);
        break;
      case OpKind::kCalloc:
        if (p != nullptr) heap.free(p);
        p = heap.calloc(op.args[0], op.args[1]);
        touch(p, op.args[0] * op.args[1]);
        break;
      case OpKind::kRealloc: {
        void* q = heap.realloc(p, op.args[0]);
        if (q != nullptr || op.args[0] == 0) p = q;
        touch(p, op.args[0]);
        break;
      }
      case OpKind::kMemalign:
      case OpKind::kAlignedAlloc:
      case OpKind::kPosixMemalign:
        if (p != nullptr) heap.free(p);
        p = nullptr;
        if (op.kind == OpKind::kMemalign) {
          p = heap.memalign(op.args[0], op.args[1]);
        } else if (op.kind == OpKind::kAlignedAlloc) {
          p = heap.aligned_alloc(op.args[0], op.args[1]);
        } else if (heap.posix_memalign(&p, op.args[0], op.args[1]) != 0) {
          p = nullptr;
        }
        touch(p, op.args[1]);
        break;
      case OpKind::kFree:
        if (p != nullptr) heap.free(p);
        p = nullptr;
        break;
      default:
        break;  // the workloads hold no other operation
    }
  }
  const auto stop = std::chrono::steady_clock::now();
  for (void*& p : slots) {
    if (p != nullptr) heap.free(p);
    p = nullptr;
  }
  return std::chrono::duration<double, std::nano>(stop - start).count();
}

struct Column {
  std::string heap;
  bool runs = false;
  std::string violation;
  std::optional<uint64_t> footprint;
  double best_ns = 0;
};

std::string ratio_text(double num, double den) {
  if (den <= 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", num / den);
  return text;
}

void run_workload(const char* title, const FootprintWorkload& workload, bool aligned) {
  std::vector<Column> columns;
  std::vector<HeapLane> lanes(std::size(kHeaps));
  for (size_t h = 0; h < std::size(kHeaps); ++h) {
    Column c;
    c.heap = kHeaps[h];
    const HeapKind* kind = find_heap_kind(kHeaps[h]);
    if (kind != nullptr && lanes[h].init(*kind, workload.region) == 0) {
      c.runs = !aligned || has_capability(lanes[h].heap->capabilities(), Capability::kAligned);
    }
    if (c.runs) {
      const FootprintRow row = measure_footprint(lanes[h], c.heap, workload);
      c.violation = row.violation;
      c.footprint = row.footprint;
    }
    columns.push_back(c);
  }
  for (int round = 0; round < kRounds; ++round) {
    for (size_t h = 0; h < columns.size(); ++h) {
      if (!columns[h].runs || !columns[h].violation.empty()) continue;
      const double ns = time_program(lanes[h], workload.program);
      if (round == 0 || ns < columns[h].best_ns) columns[h].best_ns = ns;
    }
  }
  const Column* base = nullptr;
  for (const Column& c : columns) {
    if (c.heap == kBaseline) base = &c;
  }
  std::printf("%s (%zu operations)\n", title, workload.program.ops.size());
  std::printf("  %-10s %12s %10s %10s %10s  %s\n", "heap", "footprint", "vs-glibc", "ns/op",
              "vs-glibc", "result");
  const double ops = static_cast<double>(workload.program.ops.size());
  for (const Column& c : columns) {
    if (!c.runs) {
      std::printf("  %-10s %12s %10s %10s %10s  %s\n", c.heap.c_str(), "-", "-", "-", "-",
                  "lacks aligned calls");
      continue;
    }
    const std::string fp = c.footprint ? std::to_string(*c.footprint) : std::string("-");
    const std::string fp_ratio = c.footprint && base && base->footprint
                                     ? footprint_ratio(*c.footprint, *base->footprint)
                                     : std::string("-");
    char ns_text[32];
    std::snprintf(ns_text, sizeof ns_text, "%.1f", c.best_ns / ops);
    std::printf("  %-10s %12s %10s %10s %10s  %s\n", c.heap.c_str(), fp.c_str(), fp_ratio.c_str(),
                ns_text, base ? ratio_text(c.best_ns, base->best_ns).c_str() : "-",
                c.violation.empty() ? "ok" : c.violation.c_str());
  }
}

}  // namespace
}  // namespace allocfuzz

int main(int argc, char** argv) {
  using namespace allocfuzz;
  const bench::SeedAndOps args =
      bench::parse_seed_and_ops(argc, argv, "heap_comparison", {1, 100000}, 10000000);
  FootprintWorkload plain = random_footprint_workload(args.ops, args.seed);
  FootprintWorkload aligned = plain;
  aligned.program = with_aligned_calls(plain.program, args.seed);
  std::printf("heap_comparison --seed %" PRIu64 " --ops %" PRIu64
              "  (footprint: peak bytes, deterministic per heap; ns/op: best of %d rounds, "
              "varies)\n\n",
              args.seed, args.ops, kRounds);
  run_workload("random workload", plain, false);
  std::printf("\n");
  run_workload("random workload, half the mallocs aligned (16 .. 4096)", aligned, true);
  return 0;
}
