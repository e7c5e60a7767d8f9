// executor_throughput: operations per second of the executor (fuzz/harness/executor.h) on a fixed
// set of random programs, against the heap alone, so that each checking layer's cost reads as a
// ratio.
//
// Programs (generated directly as Program/Op structs from a fixed seed): for a shape of L live
// blocks, slots s0 .. s(L-1); first a malloc into every slot (in order), then churn on random
// slots: malloc 35%, calloc 5%, realloc 20%, free 20%, fill 20%. Sizes: 95% 0..512, 5%
// 513..65536 (calloc: count 1..8, size = drawn / count). A shape runs kProgramsPerShape
// programs of --ops operations each.
//
// Configurations (each times all programs of the shape; region and heap reset per program,
// as Executor::run does):
//   (1) heap alone: a minimal interpreter of the same operations calling FreeArrayHeap
//       directly: a slot table, no checks, but it writes the user's pattern (fill_pattern) over
//       each new block and on `fill`, as the executor's shadow does, so the ratios isolate the
//       cost of checking.
//   (2) heap + shadow: the Executor in kAmortized with a TestedHeap around FreeArrayHeap whose
//       check() returns nullopt (no white-box checker).
//   (3) heap + shadow + checker, kAmortized: as heap_fuzzer runs it ("free-array" heap kind).
//   (4) heap + shadow + checker, kEveryOp: as replay runs it. Its full check after every
//       operation costs O(live blocks + live bytes), so it runs only the first
//       min(--ops, kEveryOpBudget / L) operations of each program; (1) is measured again on
//       the same prefixes for its ratio.
// Every configuration uses one PseudoBrk of 64 MiB in Protection::kPoison (the fuzzer's mode),
// and every heap has its own per-call self-check off (as the "free-array" adapter has), so a
// dev build differs from release only by its sanitizers and optimization.
// Each figure is the best of kRepeats rounds (a round times every configuration once, so a
// slow spell of the machine does not land on one configuration only). Any finding, or a NULL
// the region did not cause, stops the program: a benchmark of a broken heap measures nothing.
//
// Everything printed is deterministic except the ops/s and ratio columns.
//
// Usage: executor_throughput [--seed N] [--ops N]
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "allocator/base/random.h"
#include "allocator/free_array/free_array_heap.h"
#include "allocator/region/pseudo_brk.h"
#include "bench/bench_args.h"
#include "fuzz/harness/executor.h"
#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/content_pattern.h"
#include "fuzz/program/ops.h"

// Set by bench/CMakeLists.txt: CMAKE_BUILD_TYPE and ALLOCFUZZ_SANITIZE of this build.
#ifndef ALLOCFUZZ_BUILD_TYPE
#define ALLOCFUZZ_BUILD_TYPE "unknown"
#endif
#ifndef ALLOCFUZZ_BUILD_SANITIZE
#define ALLOCFUZZ_BUILD_SANITIZE ""
#endif

namespace allocfuzz {
namespace {

constexpr uint64_t kDefaultSeed = 1;
constexpr uint64_t kDefaultOps = 20000;
constexpr size_t kProgramsPerShape = 4;
constexpr int kRepeats = 5;
constexpr size_t kReserve = size_t{64} << 20;
constexpr size_t kShapes[] = {10, 100, 1000};
// kEveryOp runs at most this many (operations x live-block bound) per program.
constexpr uint64_t kEveryOpBudget = 4000000;

using Options = bench::SeedAndOps;

[[noreturn]] void die(const char* what) { bench::die("executor_throughput", what); }

Options parse_args(int argc, char** argv) {
  return bench::parse_seed_and_ops(argc, argv, "executor_throughput",
                                   Options{kDefaultSeed, kDefaultOps}, kMaxOps);
}

// ---- programs --------------------------------------------------------------------------------

// 95% 0..512, 5% 513..65536.
uint64_t draw_size(XorShift64& rng) {
  if (rng.below(100) < 95) return rng.below(513);
  return 513 + rng.below(65536 - 512);
}

Op make_op(OpKind kind, uint32_t slot, uint64_t a0 = 0, uint64_t a1 = 0) {
  Op op;
  op.kind = kind;
  op.slot = slot;
  op.args[0] = a0;
  op.args[1] = a1;
  return op;
}

Program make_program(uint64_t seed, size_t slots, size_t ops) {
  XorShift64 rng(seed);
  Program program;
  program.ops.reserve(ops);
  for (size_t s = 0; s < slots && program.ops.size() < ops; ++s) {
    program.ops.push_back(make_op(OpKind::kMalloc, static_cast<uint32_t>(s), draw_size(rng)));
  }
  while (program.ops.size() < ops) {
    auto slot = static_cast<uint32_t>(rng.below(slots));
    uint64_t r = rng.below(100);
    if (r < 35) {
      program.ops.push_back(make_op(OpKind::kMalloc, slot, draw_size(rng)));
    } else if (r < 40) {
      uint64_t count = 1 + rng.below(8);
      program.ops.push_back(make_op(OpKind::kCalloc, slot, count, draw_size(rng) / count));
    } else if (r < 60) {
      program.ops.push_back(make_op(OpKind::kRealloc, slot, draw_size(rng)));
    } else if (r < 80) {
      program.ops.push_back(make_op(OpKind::kFree, slot));
    } else {
      program.ops.push_back(make_op(OpKind::kFill, slot));
    }
  }
  return program;
}

Program prefix_of(const Program& program, size_t n) {
  Program p;
  p.header = program.header;
  p.ops.assign(program.ops.begin(),
               program.ops.begin() +
                   static_cast<std::ptrdiff_t>(n < program.ops.size() ? n : program.ops.size()));
  return p;
}

// ---- (1) the heap alone ------------------------------------------------------------------------

// The executor's semantics of the operations (ops.h), on FreeArrayHeap directly: malloc and
// calloc into a live slot free it first, free of an empty slot does nothing, realloc of an
// empty slot mallocs, realloc(p, 0) frees. The user's pattern is written over every new block
// and on fill, with allocation ids numbered as the shadow numbers them.
class DirectRunner {
 public:
  explicit DirectRunner(PseudoBrk& region) : region_(region), heap_(region), slots_(kMaxSlots) {
    heap_.set_self_check(false);  // no checks (expensive-check builds would run them per call)
  }

  // Statistics of one run, for the deterministic part of the report.
  struct Stats {
    uint64_t live_block_sum = 0;  // live blocks after each operation, summed
    uint64_t live_byte_sum = 0;   // live requested bytes after each operation, summed
    size_t peak_blocks = 0;
    uint64_t peak_bytes = 0;
    size_t peak_break = 0;
  };

  template <bool kStats>
  void run(const Program& program, Stats* stats) {
    region_.reset();
    heap_.reset();
    for (Slot& s : slots_) s = Slot{};
    next_id_ = 1;
    size_t blocks = 0;
    uint64_t bytes = 0;
    for (const Op& op : program.ops) {
      Slot& s = slots_[op.slot];
      switch (op.kind) {
        case OpKind::kMalloc:
        case OpKind::kCalloc: {
          if (s.p != nullptr) {
            heap_.free(s.p);
            --blocks;
            bytes -= s.n;
            s = Slot{};
          }
          bool is_calloc = op.kind == OpKind::kCalloc;
          size_t n = is_calloc ? op.args[0] * op.args[1] : op.args[0];
          uint64_t failed = region_.stats().failed_growths;
          void* p = is_calloc ? heap_.calloc(op.args[0], op.args[1]) : heap_.malloc(n);
          if (p == nullptr) {
            if (region_.stats().failed_growths == failed && n != 0) die("unexplained NULL");
            break;
          }
          s = Slot{p, n, next_id_++};
          fill_pattern(p, n, s.id);
          ++blocks;
          bytes += n;
          break;
        }
        case OpKind::kRealloc: {
          size_t n = op.args[0];
          uint64_t failed = region_.stats().failed_growths;
          void* q = heap_.realloc(s.p, n);
          if (q == nullptr) {
            if (s.p != nullptr && n == 0) {
              --blocks;
              bytes -= s.n;
              s = Slot{};
            } else if (region_.stats().failed_growths == failed && n != 0) {
              die("unexplained NULL");
            }
            break;
          }
          if (s.p == nullptr) ++blocks;
          bytes = bytes - s.n + n;
          s = Slot{q, n, next_id_++};
          fill_pattern(q, n, s.id);
          break;
        }
        case OpKind::kFree:
          if (s.p == nullptr) break;
          heap_.free(s.p);
          --blocks;
          bytes -= s.n;
          s = Slot{};
          break;
        case OpKind::kFill:
          if (s.p == nullptr) break;
          s.id = next_id_++;
          fill_pattern(s.p, s.n, s.id);
          break;
        default:
          die("the benchmark's programs hold only malloc/calloc/realloc/free/fill");
      }
      if constexpr (kStats) {
        stats->live_block_sum += blocks;
        stats->live_byte_sum += bytes;
        if (blocks > stats->peak_blocks) stats->peak_blocks = blocks;
        if (bytes > stats->peak_bytes) stats->peak_bytes = bytes;
        if (region_.stats().peak_break_offset > stats->peak_break) {
          stats->peak_break = region_.stats().peak_break_offset;
        }
      }
    }
  }

 private:
  struct Slot {
    void* p = nullptr;
    size_t n = 0;
    uint32_t id = 0;
  };
  PseudoBrk& region_;
  FreeArrayHeap heap_;
  std::vector<Slot> slots_;
  uint32_t next_id_ = 1;
};

// ---- (2) a TestedHeap without a white-box checker ------------------------------------------

class UncheckedFreeArray final : public FreeArrayTestedHeap {
 public:
  using FreeArrayTestedHeap::FreeArrayTestedHeap;
  std::optional<HeapFinding> check(bool, const void*, const LiveView&) override {
    return std::nullopt;
  }
};

// ---- timing ------------------------------------------------------------------------------------

template <typename Body>
double seconds_of(Body&& body) {
  auto t0 = std::chrono::steady_clock::now();
  body();
  auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(t1 - t0).count();
}

struct Row {
  const char* config;
  uint64_t ops = 0;          // operations per timed run (all programs of the shape)
  uint64_t full_checks = 0;  // per timed run (executor configurations)
  uint64_t near_checks = 0;
  bool executor = false;
  double seconds = 0;         // best of kRepeats
  const Row* base = nullptr;  // (1) on the same operations
};

void keep_best(Row* row, double seconds) {
  if (row->seconds == 0 || seconds < row->seconds) row->seconds = seconds;
}

void print_row(size_t shape, const Row& row) {
  char full[24] = "-", near[24] = "-";
  if (row.executor) {
    std::snprintf(full, sizeof full, "%" PRIu64, row.full_checks);
    std::snprintf(near, sizeof near, "%" PRIu64, row.near_checks);
  }
  double ops_per_s = static_cast<double>(row.ops) / row.seconds;
  std::printf("%5zu  %-36s %8" PRIu64 " %6s %8s %12.0f %8.2f\n", shape, row.config, row.ops, full,
              near, ops_per_s, row.seconds / row.base->seconds);
}

class Bench {
 public:
  Bench() {
    RegionOptions options;
    options.reserve_bytes = kReserve;
    options.placement = Placement::kHigh;
    options.protection = Protection::kPoison;
    if (int rc = region_.init(options); rc != 0) die("cannot reserve the region");
    const HeapKind* kind = find_heap_kind(kDefaultHeap);
    if (kind == nullptr) die("no free-array heap kind");
    direct_ = std::make_unique<DirectRunner>(region_);
    unchecked_ = std::make_unique<UncheckedFreeArray>(region_);
    checked_ = kind->make(region_);
    shadow_only_ = std::make_unique<Executor>(region_, *unchecked_);
    full_ = std::make_unique<Executor>(region_, *checked_);
  }

  // One timed run of (1) over the programs.
  void time_direct(const std::vector<Program>& programs, Row* row) {
    keep_best(row, seconds_of([&] {
                for (const Program& p : programs) direct_->run<false>(p, nullptr);
              }));
  }

  DirectRunner::Stats profile(const std::vector<Program>& programs) {
    DirectRunner::Stats stats;
    for (const Program& p : programs) direct_->run<true>(p, &stats);
    return stats;
  }

  // One timed run of `executor` over the programs; sets the row's check counts.
  void time_executor(Executor& executor, const std::vector<Program>& programs, CheckMode mode,
                     Row* row) {
    row->executor = true;
    row->full_checks = row->near_checks = 0;
    keep_best(row, seconds_of([&] {
                for (const Program& p : programs) {
                  Outcome out = executor.run(p, mode);
                  if (out.finding) {
                    std::fprintf(stderr, "executor_throughput: finding at op %zu: %s: %s\n",
                                 out.finding->op_index, out.finding->kind.text().c_str(),
                                 out.finding->message.c_str());
                    std::exit(1);
                  }
                  row->full_checks += out.stats.full_checks;
                  row->near_checks += out.stats.near_checks;
                }
              }));
  }

  void shape(size_t live, const Options& o) {
    std::vector<Program> programs;
    uint64_t ops = 0;
    for (size_t i = 0; i < kProgramsPerShape; ++i) {
      programs.push_back(make_program(o.seed * 1000003 + live * 16 + i, live, o.ops));
      ops += programs.back().ops.size();
    }
    size_t every_cap = static_cast<size_t>(kEveryOpBudget / live);
    if (every_cap > o.ops) every_cap = o.ops;
    std::vector<Program> prefixes;
    uint64_t prefix_ops = 0;
    for (const Program& p : programs) {
      prefixes.push_back(prefix_of(p, every_cap));
      prefix_ops += prefixes.back().ops.size();
    }
    bool capped = prefix_ops != ops;

    DirectRunner::Stats st = profile(programs);
    std::printf("L=%zu: %zu programs x %" PRIu64
                " ops; live blocks mean %.1f peak %zu; "
                "live bytes mean %.0f peak %" PRIu64 "; peak break %zu\n",
                live, programs.size(), o.ops,
                static_cast<double>(st.live_block_sum) / static_cast<double>(ops), st.peak_blocks,
                static_cast<double>(st.live_byte_sum) / static_cast<double>(ops), st.peak_bytes,
                st.peak_break);

    Row base{"(1) heap alone"};
    Row shadow{"(2) heap + shadow, kAmortized"};
    Row amortized{"(3) + checker, kAmortized (fuzzer)"};
    Row prefix_base{"(1) heap alone, same ops as (4)"};
    Row every{"(4) + checker, kEveryOp (replay)"};
    base.ops = shadow.ops = amortized.ops = ops;
    prefix_base.ops = every.ops = prefix_ops;
    base.base = shadow.base = amortized.base = &base;
    prefix_base.base = &prefix_base;
    every.base = capped ? &prefix_base : &base;
    // Rounds of every configuration in turn, so that a slow spell of the machine does not
    // land on one configuration only.
    for (int r = 0; r < kRepeats; ++r) {
      time_direct(programs, &base);
      time_executor(*shadow_only_, programs, CheckMode::kAmortized, &shadow);
      time_executor(*full_, programs, CheckMode::kAmortized, &amortized);
      if (capped) time_direct(prefixes, &prefix_base);
      time_executor(*full_, prefixes, CheckMode::kEveryOp, &every);
    }

    print_row(live, base);
    print_row(live, shadow);
    print_row(live, amortized);
    if (capped) print_row(live, prefix_base);
    print_row(live, every);
    std::printf("\n");
  }

 private:
  PseudoBrk region_;
  std::unique_ptr<DirectRunner> direct_;
  std::unique_ptr<TestedHeap> unchecked_;
  std::unique_ptr<TestedHeap> checked_;
  std::unique_ptr<Executor> shadow_only_;
  std::unique_ptr<Executor> full_;
};

}  // namespace
}  // namespace allocfuzz

int main(int argc, char** argv) {
  using namespace allocfuzz;
  Options o = parse_args(argc, argv);
  std::printf(
      "executor_throughput: executor operations per second on fixed random programs "
      "(only ops/s and x(1) vary between runs)\n");
  std::printf(
      "reproduce: cmake --workflow --preset release && build/release/bin/executor_throughput"
      " --seed %" PRIu64 " --ops %" PRIu64 "\n",
      o.seed, o.ops);
  const char* sanitize = ALLOCFUZZ_BUILD_SANITIZE;
  std::printf("build: %s, sanitizers %s (heaps' own per-call checks off in every config)\n",
              ALLOCFUZZ_BUILD_TYPE, *sanitize != '\0' ? sanitize : "none");
  if (*sanitize != '\0' || std::strcmp(ALLOCFUZZ_BUILD_TYPE, "Release") != 0) {
    std::printf("  (not the release build: the figures below measure the sanitizers)\n");
  }
  std::printf("region: %zu MiB reserve, placement high, Protection::kPoison; heap FreeArrayHeap\n",
              kReserve >> 20);
  std::printf(
      "programs: per shape L, %zu programs (seed = --seed * 1000003 + L * 16 + i) on slots\n"
      "  s0..s(L-1): a malloc into each slot, then churn on random slots: malloc 35%%, calloc "
      "5%%,\n"
      "  realloc 20%%, free 20%%, fill 20%%; sizes 95%% 0..512, 5%% 513..65536 (calloc: count\n"
      "  1..8, size/count)\n",
      kProgramsPerShape);
  std::printf(
      "configs: (1) slot table + FreeArrayHeap + fill_pattern on new blocks and fill, no checks\n"
      "         (2) Executor kAmortized, TestedHeap whose check() returns nullopt\n"
      "         (3) Executor kAmortized, \"free-array\" heap with its checker (as heap_fuzzer)\n"
      "         (4) Executor kEveryOp, same heap (as replay), on the first min(--ops, %" PRIu64
      " / L)\n"
      "             ops of each program\n",
      kEveryOpBudget);
  std::printf(
      "timing: best of %d rounds, a round timing each config once over all programs of the\n"
      "  shape (region and heap reset per program); ops = operations per timed run; full, near =\n"
      "  the executor's full and near heap checks per run; x(1) = time / time of (1) on the same\n"
      "  operations\n\n",
      kRepeats);
  std::printf("%5s  %-36s %8s %6s %8s %12s %8s\n", "L", "config", "ops", "full", "near", "ops/s",
              "x(1)");
  Bench bench;
  for (size_t live : kShapes) bench.shape(live, o);
  std::printf("goal: x(1) of (3), the fuzzer's checking, at most 4.00 up to L = 1000\n");
  return 0;
}
