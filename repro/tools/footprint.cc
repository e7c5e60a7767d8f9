// The footprint verb; see footprint.h.
#include "repro/tools/footprint.h"

#include <absl/strings/str_format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "allocator/base/random.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/heaps/system_heap.h"
#include "fuzz/heaps/tested_heap.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/input_file.h"

namespace allocfuzz {
namespace {

// The random workload, "randomized allocations and frees" with small blocks:
//   slot       uniform in s0 .. s999 (at most 1,000 live blocks)
//   operation  malloc 40%, calloc 10%, realloc 20%, free 30% (free of an empty slot does
//              nothing; malloc/calloc into a live slot frees it first; realloc of an empty
//              slot is malloc)
//   size       1..256 bytes 90%, 257..4096 bytes 10%, uniform within each range; calloc
//              splits it as COUNT 1..8 times SIZE = max(1, size / COUNT)
//   generator  splitmix64 from the seed
constexpr const char* kRandomDescription =
    "slots s0..s999 uniform; malloc 40%, calloc 10% (count 1..8), realloc 20%, free 30%; "
    "sizes 1..256 90%, 257..4096 10%; splitmix64";

uint64_t draw_size(SplitMix64& rng) {
  if (rng.below(10) < 9) return 1 + rng.below(256);
  return 257 + rng.below(4096 - 256);
}

// A decimal number in 0..max, or nullopt.
std::optional<uint64_t> parse_decimal(const std::string& text, uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// "(a - b)/den", signed.
std::string difference_ratio(uint64_t a, uint64_t b, uint64_t den) {
  return a >= b ? footprint_ratio(a - b, den) : "-" + footprint_ratio(b - a, den);
}

// Samples after every operation; the peak of live bytes is kept at its first moment. The
// footprint is the region's break, or for a heap off the region (mapped_base set) glibc's
// mapped bytes above mapped_base, floored at 0.
class FootprintObserver final : public OpObserver {
 public:
  FootprintObserver(const Executor& executor, std::optional<uint64_t> mapped_base)
      : executor_(executor), mapped_base_(mapped_base) {}
  void on_op(size_t, const Op&, const OpResult&) override {
    const uint64_t now = footprint();
    peak_footprint = std::max(peak_footprint, now);
    const uint64_t live = executor_.shadow().live_bytes();
    if (live <= peak_live) return;
    peak_live = live;
    blocks_at_peak = executor_.shadow().live_count();
    footprint_at_peak = now;
  }

  uint64_t peak_live = 0;
  size_t blocks_at_peak = 0;
  uint64_t footprint_at_peak = 0;
  uint64_t peak_footprint = 0;  // sampled after operations; a region's own peak is finer

 private:
  uint64_t footprint() const {
    if (!mapped_base_) return executor_.region().stats().break_offset;
    const uint64_t mapped =
        executor_.heap().footprint_bytes().value_or(glibc_mapped_bytes().value_or(0));
    return mapped > *mapped_base_ ? mapped - *mapped_base_ : 0;
  }

  const Executor& executor_;
  const std::optional<uint64_t> mapped_base_;
};

void usage(const std::string& message) {
  absl::FPrintF(stderr, "allocfuzz footprint: %s\n(allocfuzz help for usage)\n", message);
}

}  // namespace

Program random_workload(uint64_t ops, uint64_t seed) {
  SplitMix64 rng(seed);
  Program program;
  program.ops.reserve(ops);
  for (uint64_t i = 0; i < ops; ++i) {
    Op op;
    op.slot = static_cast<uint32_t>(rng.below(kRandomSlots));
    const uint64_t kind = rng.below(100);
    if (kind < 40) {
      op.kind = OpKind::kMalloc;
      op.args[0] = draw_size(rng);
    } else if (kind < 50) {
      op.kind = OpKind::kCalloc;
      const uint64_t size = draw_size(rng);
      const uint64_t count = 1 + rng.below(8);
      op.args[0] = count;
      op.args[1] = size / count > 0 ? size / count : 1;
    } else if (kind < 70) {
      op.kind = OpKind::kRealloc;
      op.args[0] = draw_size(rng);
    } else {
      op.kind = OpKind::kFree;
    }
    program.ops.push_back(op);
  }
  return program;
}

std::string footprint_ratio(uint64_t num, uint64_t den) {
  if (den == 0) return "-";
  const unsigned __int128 hundredths = (static_cast<unsigned __int128>(num) * 100 + den / 2) / den;
  return absl::StrFormat("%d.%02d", static_cast<uint64_t>(hundredths / 100),
                         static_cast<uint64_t>(hundredths % 100));
}

FootprintWorkload random_footprint_workload(uint64_t ops, uint64_t seed) {
  FootprintWorkload w;
  w.program = random_workload(ops, seed);
  w.command = absl::StrFormat("allocfuzz footprint --random %d --seed %d", ops, seed);
  w.description =
      absl::StrFormat("random, %d operations, seed %d: %s", ops, seed, kRandomDescription);
  w.region.reserve_bytes = kRandomRegionBytes;
  w.region.placement = Placement::kHigh;
  w.region.protection = Protection::kStrict;
  w.mode = CheckMode::kAmortized;  // the full checks every O(live blocks) operations and at the end
  return w;
}

FootprintRow measure_footprint(HeapLane& lane, std::string_view heap_name,
                               const FootprintWorkload& workload) {
  TestedHeap& heap = *lane.heap;
  // Off the region, the footprint is glibc's mapped bytes above their value after the heap's
  // reset. Trimming first hands back the free memory earlier rows left in glibc's arena, which
  // would otherwise hide this row's growth (release, --random 3000 --seed 7: 270336 untrimmed,
  // 405504 trimmed as under ASan, where the harness does not share glibc's arena).
  std::optional<uint64_t> mapped_base;
  if (!heap.uses_region()) {
    heap.reset();
    glibc_trim();
    // A heap with statistics of its own (mimalloc, jemalloc, tcmalloc) measures itself.
    mapped_base =
        heap.footprint_bytes().has_value() ? heap.footprint_bytes() : glibc_mapped_bytes();
  }
  const bool measurable = heap.uses_region() || mapped_base.has_value();
  FootprintObserver observer(*lane.executor, mapped_base);
  const Outcome outcome = lane.executor->run(workload.program, workload.mode, &observer);
  FootprintRow row;
  row.heap = std::string(heap_name);
  if (measurable) {
    row.footprint =
        mapped_base ? observer.peak_footprint : uint64_t{lane.region.stats().peak_break_offset};
  }
  row.peak_live = observer.peak_live;
  row.blocks = observer.blocks_at_peak;
  row.overhead = observer.blocks_at_peak == 0 || !measurable
                     ? "-"
                     : difference_ratio(observer.footprint_at_peak, observer.peak_live,
                                        observer.blocks_at_peak);
  if (outcome.finding) {
    const Finding& f = *outcome.finding;
    row.violation = absl::StrFormat("violation %s at operation %d (%s): %s", f.kind.text(),
                                    f.op_index, oracle_name(f.oracle), f.message);
  }
  return row;
}

int footprint(const FootprintRequest& request) {
  const bool random = !request.random_ops.empty();
  if (random == !request.file.empty()) {
    usage("takes FILE or --random N, one of them");
    return kExitBadInput;
  }
  if (!random && !request.seed.empty()) {
    usage("--seed goes with --random N");
    return kExitBadInput;
  }

  FootprintWorkload workload;
  if (random) {
    const std::optional<uint64_t> ops = parse_decimal(request.random_ops, kMaxOps);
    if (!ops || *ops == 0) {
      usage(absl::StrFormat("--random must be 1..%d operations, not '%s'", kMaxOps,
                            request.random_ops));
      return kExitBadInput;
    }
    const std::optional<uint64_t> seed =
        request.seed.empty() ? std::optional<uint64_t>(1) : parse_decimal(request.seed, UINT64_MAX);
    if (!seed) {
      usage("--seed must be a number 0.." + std::to_string(UINT64_MAX) + ", not '" + request.seed +
            "'");
      return kExitBadInput;
    }
    workload = random_footprint_workload(*ops, *seed);
  } else {
    InputFile file;
    std::string error;
    if (!load_input_file(request.file, &file, &error)) {
      absl::FPrintF(stderr, "%s\n", error);
      return kExitBadInput;
    }
    workload.program = std::move(file.program);
    // Every heap runs it, without defects: the file's heap and defect are not used.
    workload.program.header.heap = std::string(kDefaultHeap);
    workload.program.header.defect.clear();
    workload.command = "allocfuzz footprint " + request.file;
    workload.description =
        absl::StrFormat("file %s, %d operations", request.file, workload.program.ops.size());
    workload.region =
        program_region_options(workload.program.header.placement, Protection::kStrict);
  }

  const RegionOptions& region_options = workload.region;
  std::vector<FootprintRow> rows;
  for (const HeapKind& kind : heap_kinds()) {
    HeapLane lane;
    if (int rc = lane.init(kind, region_options); rc != 0) {
      absl::FPrintF(stderr, "allocfuzz footprint: cannot reserve the %s region: %s\n",
                    placement_name(region_options.placement), std::strerror(rc));
      return kExitBadInput;
    }
    rows.push_back(measure_footprint(lane, kind.name, workload));
  }

  size_t name_width = 4;
  for (const FootprintRow& row : rows) name_width = std::max(name_width, row.heap.size());
  absl::PrintF("command: %s\n", workload.command);
  absl::PrintF("workload: %s\n", workload.description);
  absl::PrintF("region: %d MiB reserve, %s placement; checks: %s\n",
               region_options.reserve_bytes >> 20, placement_name(region_options.placement),
               workload.mode == CheckMode::kEveryOp ? "every operation" : "amortized");
  absl::PrintF("%-*s %12s %12s %8s %10s %6s %9s  %s\n", name_width, "heap", "footprint",
               "peak-live", "blocks", "ovh/block", "frag", "vs-first", "result");
  int status = kExitOk;
  const uint64_t first = rows.front().footprint.value_or(0);
  for (const FootprintRow& row : rows) {
    const std::string text = row.footprint ? std::to_string(*row.footprint) : "-";
    absl::PrintF("%-*s %12s %12d %8d %10s %6s %9s  %s\n", name_width, row.heap, text, row.peak_live,
                 row.blocks, row.overhead,
                 row.footprint ? footprint_ratio(*row.footprint, row.peak_live) : "-",
                 row.footprint ? footprint_ratio(*row.footprint, first) : "-",
                 row.violation.empty() ? "ok" : row.violation);
    if (!row.violation.empty()) status = kExitViolation;
  }
  absl::PrintF(
      "footprint: the region's peak break; for glibc, its peak mapped bytes (mallinfo2 arena + "
      "hblkhd above their value before the program; approximate: glibc's arena is shared with "
      "the rest of this process); for mimalloc, jemalloc and tcmalloc, their own statistics "
      "(committed bytes of the mi_heap's areas, the arena's active pages, tcmalloc's span "
      "pages) above their value before the program; peak-live: peak live requested bytes; blocks "
      "and ovh/block "
      "((footprint - live) / blocks): at the first moment of peak-live; frag: footprint / "
      "peak-live; vs-first: footprint / %s's\n",
      rows.front().heap);
  std::fflush(stdout);
  return status;
}

}  // namespace allocfuzz
