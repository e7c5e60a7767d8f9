// free_array_scan_bench: the cost of FreeArrayHeap's linear best-fit scan as the free array
// grows. The seed's author warned that "past ~10,000 free blocks the linear scan is the wrong
// tool" (docs/DESIGN.md section 3); this measures that cliff.
//
// Setup (untimed): a fresh PseudoBrk (4 GiB reserve) and heap; 2K blocks alternate a block F_j
// that will be freed and a minimal used separator U_j, then every F_j is freed. The separators
// keep the free blocks from coalescing, so the array holds exactly K entries, entry j = F_j
// (address order = array order), no gaps. F_j's block size is 32 + 16 * (j % 60) (32..976),
// except the last, F_{K-1}, which is 1040 bytes: unique, and the largest.
//
// Timed: one malloc + free pair per iteration, which leaves the heap as it was:
//   nofit      a 2048-byte block, larger than every free block. The heap's largest-free bound
//              is exact after setup, so malloc skips the scan and appends at top; the free
//              lowers top again. (Expect no growth with K: the bound short-circuits.)
//   exact_end  exactly F_{K-1}'s size: the scan walks all K entries before the exact hit.
//   exact_start exactly F_0's size (32): the scan stops at entry 0.
//   bestfit    a 40-byte block, which no entry matches exactly: a full scan for the best fit
//              (a 48-byte block, taken whole since the remainder is <= 16), freed back into the
//              gap it left.
// Time per iteration = ns per malloc+free pair.
//
// The figure of interest is the RATIO of the cost at K to the cost at K = 10 within one case
// (absolute nanoseconds depend on the machine); the program prints that table after the
// results. Build with the release preset; a sanitized build measures the sanitizers.
// (Debian's libbenchmark prints "Library was built as DEBUG": that is the library's own
// build, not this program's; it does not affect the timed code.)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/base/build_config.h"
#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_checker.h"
#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"

namespace allocfuzz {
namespace {

constexpr size_t kReserve = size_t{4} << 30;
constexpr size_t kLastBlock = 1040;   // F_{K-1}: unique and the largest
constexpr size_t kNoFitBlock = 2048;  // larger than every free block
constexpr size_t kBestFitBlock = 40;  // no free block is 40 bytes; 48 is the best fit

size_t free_block_size(size_t j, size_t k) { return j + 1 == k ? kLastBlock : 32 + 16 * (j % 60); }

enum class Case { kNoFit, kExactEnd, kExactStart, kBestFit };

// A heap with K free, non-adjacent blocks.
class ScanHeap {
 public:
  explicit ScanHeap(size_t k) : k_(k) {
    RegionOptions options;
    options.reserve_bytes = kReserve;
    if (region_.init(options) != 0) return;
    heap_ = std::make_unique<FreeArrayHeap>(region_);
    std::vector<void*> to_free;
    to_free.reserve(k);
    for (size_t j = 0; j < k; ++j) {
      void* f = heap_->malloc(free_block_size(j, k) - layout::kHeader);
      void* u = heap_->malloc(8);
      if (f == nullptr || u == nullptr) return;
      to_free.push_back(f);
    }
    for (void* f : to_free) heap_->free(f);
    ok_ = true;
  }

  bool ok() const { return ok_; }
  FreeArrayHeap& heap() { return *heap_; }
  const PseudoBrk& region() const { return region_; }

  // Empty when the array holds K entries, no gaps, and the heap passes its checker.
  std::string shape_error() const {
    const FreeArrayState& s = heap_->state();
    if (s.length != k_ || s.gaps != 0) {
      return "free array length " + std::to_string(s.length) + ", gaps " + std::to_string(s.gaps) +
             "; expected " + std::to_string(k_) + ", 0";
    }
    if (s.entries[0].size != free_block_size(0, k_) ||
        s.entries[k_ - 1].size != free_block_size(k_ - 1, k_)) {
      return "free array entries are not in the expected order";
    }
    if (check_heap(*heap_).has_value()) return "check_heap reports a violation";
    return "";
  }

 private:
  size_t k_;
  PseudoBrk region_;
  std::unique_ptr<FreeArrayHeap> heap_;
  bool ok_ = false;
};

size_t request_for(Case c, size_t k) {
  size_t block = 0;
  switch (c) {
    case Case::kNoFit:
      block = kNoFitBlock;
      break;
    case Case::kExactEnd:
      block = free_block_size(k - 1, k);
      break;
    case Case::kExactStart:
      block = free_block_size(0, k);
      break;
    case Case::kBestFit:
      block = kBestFitBlock;
      break;
  }
  return block - layout::kHeader;
}

void BM_scan(benchmark::State& state, Case c) {
  size_t k = static_cast<size_t>(state.range(0));
  ScanHeap h(k);
  if (!h.ok()) {
    state.SkipWithError("setup failed (region or malloc)");
    return;
  }
  if (std::string e = h.shape_error(); !e.empty()) {
    state.SkipWithError(("setup: " + e).c_str());
    return;
  }
  FreeArrayHeap& heap = h.heap();
  size_t n = request_for(c, k);
  uint64_t moves_before = h.region().stats().moves;
  for (auto _ : state) {
    void* p = heap.malloc(n);
    benchmark::DoNotOptimize(p);
    heap.free(p);
  }
  if (std::string e = h.shape_error(); !e.empty()) {
    state.SkipWithError(("after the loop: " + e).c_str());
    return;
  }
  // Break moves per iteration: should be 0 (at most a first growth for nofit).
  state.counters["brk_moves"] = static_cast<double>(h.region().stats().moves - moves_before);
  state.counters["entries"] = static_cast<double>(heap.state().length);
}

void register_all() {
  struct Named {
    const char* name;
    Case c;
  };
  static constexpr Named kCases[] = {{"scan/nofit", Case::kNoFit},
                                     {"scan/exact_end", Case::kExactEnd},
                                     {"scan/exact_start", Case::kExactStart},
                                     {"scan/bestfit", Case::kBestFit}};
  for (const Named& n : kCases) {
    benchmark::RegisterBenchmark(n.name, BM_scan, n.c)
        ->ArgName("K")
        ->Arg(10)
        ->Arg(100)
        ->Arg(1000)
        ->Arg(10000)
        ->Arg(100000)
        ->Unit(benchmark::kNanosecond);
  }
}

// The console output plus a record of each run's time, for the ratio table.
// Colour only on a terminal (a reporter passed to RunSpecifiedBenchmarks does not follow
// --benchmark_color), so that redirected output stays plain text.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  RatioReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      std::string fn = r.run_name.function_name;
      auto& row = table_[fn];
      if (row.empty()) order_.push_back(fn);
      row.emplace_back(r.run_name.args, r.GetAdjustedCPUTime());
    }
  }

  void print_ratios() const {
    if (order_.empty()) return;
    std::printf(
        "\nratio of CPU time per malloc+free to the first K of the same case "
        "(the figure of interest)\n");
    for (const std::string& fn : order_) {
      const auto& row = table_.at(fn);
      std::printf("  %-18s", fn.c_str());
      for (const auto& [args, t] : row) {
        std::printf("  %s %7.1fx", args.c_str(), t / row.front().second);
      }
      std::printf("\n");
    }
  }

 private:
  std::vector<std::string> order_;
  std::map<std::string, std::vector<std::pair<std::string, double>>> table_;
};

bool sanitized() { return kAddressSanitizer || kUndefinedBehaviorSanitizer; }

// An argument as a shell would need it: single-quoted unless it is plain.
std::string shell_quote(const char* arg) {
  std::string a(arg);
  bool plain = !a.empty();
  for (char ch : a) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              std::string_view("_-./=:,+").find(ch) != std::string_view::npos;
    if (!ok) plain = false;
  }
  if (plain) return a;
  std::string q = "'";
  for (char ch : a) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

}  // namespace
}  // namespace allocfuzz

int main(int argc, char** argv) {
  std::string this_run;
  for (int i = 0; i < argc; ++i) (this_run += i ? " " : "") += allocfuzz::shell_quote(argv[i]);
  std::string args;
  for (int i = 1; i < argc; ++i) (args += " ") += allocfuzz::shell_quote(argv[i]);
  std::string reproduce =
      "cmake --workflow --preset release && build/release/bin/free_array_scan_bench" + args;
  benchmark::AddCustomContext("command", this_run);
  benchmark::AddCustomContext("reproduce", reproduce);
#ifdef NDEBUG
  const char* build = allocfuzz::sanitized() ? "NDEBUG, SANITIZED (times are not meaningful)"
                                             : "NDEBUG, no sanitizers";
#else
  const char* build = allocfuzz::sanitized() ? "assertions on, SANITIZED (times are not meaningful)"
                                             : "assertions on (not a release build)";
#endif
  benchmark::AddCustomContext("build", build);
  if constexpr (allocfuzz::kExpensiveChecks) {
    // The heap runs its whole checker after every call: every case becomes O(K), and the setup
    // O(K^2) (in dev, filter to small K: --benchmark_filter='K:(10|100|1000)$').
    benchmark::AddCustomContext("expensive_checks",
                                "ON: the heap checker runs on every call, so every case is O(K)");
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  allocfuzz::register_all();
  allocfuzz::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  std::printf("\ncommand: %s\nreproduce: %s\n", this_run.c_str(), reproduce.c_str());
  benchmark::Shutdown();
  return 0;
}
