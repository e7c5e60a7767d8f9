// Delta debugging of programs; see minimize.h.
#include "repro/tools/minimize.h"

#include <absl/strings/str_format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <vector>

#include "fuzz/program/binary_codec.h"
#include "fuzz/program/ops_text.h"
#include "repro/tools/check.h"
#include "repro/tools/child_run.h"
#include "repro/tools/exit_status.h"
#include "repro/tools/input_file.h"
#include "repro/tools/run_signature.h"

namespace allocfuzz {
namespace {

// Sizes and counts are tried at these values first (each only when below the current one),
// then halved while the failure holds.
constexpr uint64_t kSmallValues[] = {0, 1, 8, 16};
// Rounds of all passes; each round only runs when the one before changed something.
constexpr int kMaxRounds = 4;
// Candidates may take this many times as long as the original run, and at least this long.
constexpr double kTimeoutMargin = 10.0;
constexpr unsigned kMinCandidateTimeout = 5;

class Minimizer {
 public:
  Minimizer(const Program& original, const HeapKind& heap, Signature signature, unsigned timeout,
            std::vector<const HeapKind*> diff_heaps)
      : candidate_(original), heap_(heap), signature_(std::move(signature)) {
    options_.diff_heaps = std::move(diff_heaps);
    options_.timeout_seconds = timeout;
    options_.quiet = true;
  }

  std::vector<Op> minimize(std::vector<Op> ops, size_t failing_op) {
    truncate_after(&ops, failing_op);
    for (int round = 0; round < kMaxRounds; ++round) {
      bool changed = remove_chunks(&ops);
      changed = remove_singles(&ops) || changed;
      changed = simplify_operands(&ops) || changed;
      changed = renumber_slots(&ops) || changed;
      if (!changed) break;
    }
    return ops;
  }

  size_t runs() const { return runs_; }
  size_t operands_simplified() const { return operands_simplified_; }

 private:
  // Whether `ops` under the original header still fails with the kept signature (kind,
  // operation name and frame: a candidate failing with the same kind in another operation is
  // another bug, and keeping it would let the repro slide into that bug); `*op` gets the
  // failing operation. Candidates are remembered by their bytes, so no program runs twice.
  bool fails(const std::vector<Op>& ops, size_t* op = nullptr) {
    candidate_.ops = ops;
    const std::vector<uint8_t> bytes = encode_binary(candidate_);
    std::string key(bytes.begin(), bytes.end());
    if (auto it = seen_.find(key); it != seen_.end()) {
      if (op != nullptr) *op = it->second.op;
      return it->second.fails;
    }
    ++runs_;
    const ChildRunResult result = run_program_in_child(candidate_, heap_, options_);
    const bool same =
        result.status == RunStatus::kViolation && run_signature(result, candidate_) == signature_;
    const Verdict verdict{same, result.op_index};
    seen_.emplace(std::move(key), verdict);
    if (op != nullptr) *op = verdict.op;
    return verdict.fails;
  }

  // The operations after the failing one never ran: drop them (checked, like every step).
  void truncate_after(std::vector<Op>* ops, size_t failing_op) {
    if (failing_op == SIZE_MAX || failing_op + 1 >= ops->size()) return;
    std::vector<Op> cut(ops->begin(), ops->begin() + static_cast<ptrdiff_t>(failing_op + 1));
    if (fails(cut)) *ops = std::move(cut);
  }

  // ddmin over complements: remove one of n chunks at a time; on success keep going with
  // n - 1 chunks, otherwise double n until chunks are single operations.
  bool remove_chunks(std::vector<Op>* ops) {
    bool changed = false;
    size_t n = 2;
    while (ops->size() >= 2) {
      const size_t chunk = (ops->size() + n - 1) / n;
      bool reduced = false;
      for (size_t start = 0; start < ops->size() && !reduced; start += chunk) {
        std::vector<Op> rest(ops->begin(), ops->begin() + static_cast<ptrdiff_t>(start));
        const size_t end = std::min(ops->size(), start + chunk);
        rest.insert(rest.end(), ops->begin() + static_cast<ptrdiff_t>(end), ops->end());
        size_t op = SIZE_MAX;
        if (fails(rest, &op)) {
          *ops = std::move(rest);
          truncate_after(ops, op);
          n = n > 2 ? n - 1 : 2;
          reduced = changed = true;
        }
      }
      if (!reduced) {
        if (n >= ops->size()) break;
        n = std::min(ops->size(), n * 2);
      }
    }
    return changed;
  }

  // Every single operation once more, from the end (later ones depend on earlier ones, so
  // removing from the end first frees the earlier ones), until a sweep removes nothing.
  bool remove_singles(std::vector<Op>* ops) {
    bool changed = false;
    for (bool again = true; again;) {
      again = false;
      for (size_t i = ops->size(); i-- > 0;) {
        std::vector<Op> rest = *ops;
        rest.erase(rest.begin() + static_cast<ptrdiff_t>(i));
        if (fails(rest)) {
          *ops = std::move(rest);
          again = changed = true;
        }
      }
    }
    return changed;
  }

  bool try_operand(std::vector<Op>* ops, size_t i, size_t arg, uint64_t value) {
    std::vector<Op> changed = *ops;
    changed[i].args[arg] = value;
    if (!fails(changed)) return false;
    *ops = std::move(changed);
    ++operands_simplified_;
    return true;
  }

  bool simplify_operands(std::vector<Op>* ops) {
    bool changed = false;
    for (size_t i = 0; i < ops->size(); ++i) {
      const OpInfo& info = op_info((*ops)[i].kind);
      for (size_t arg = 0; arg < 2; ++arg) {
        if (info.args[arg] == Arg::kNone) continue;
        bool small = false;
        for (uint64_t value : kSmallValues) {
          if (value >= (*ops)[i].args[arg]) break;
          if (try_operand(ops, i, arg, value)) {
            small = changed = true;
            break;
          }
        }
        while (!small && (*ops)[i].args[arg] > kSmallValues[3] &&
               try_operand(ops, i, arg, (*ops)[i].args[arg] / 2)) {
          changed = true;
        }
      }
    }
    return changed;
  }

  // Slots are names: number them s0, s1, ... in order of first use.
  bool renumber_slots(std::vector<Op>* ops) {
    std::vector<uint32_t> map(kMaxSlots, UINT32_MAX);
    uint32_t next = 0;
    std::vector<Op> renamed = *ops;
    for (Op& op : renamed) {
      if (!op_info(op.kind).has_slot) continue;
      if (map[op.slot] == UINT32_MAX) map[op.slot] = next++;
      op.slot = map[op.slot];
    }
    if (renamed == *ops || !fails(renamed)) return false;
    *ops = std::move(renamed);
    return true;
  }

  struct Verdict {
    bool fails = false;
    size_t op = SIZE_MAX;
  };

  Program candidate_;  // the original header; ops replaced per candidate
  const HeapKind& heap_;
  const Signature signature_;
  ChildRunOptions options_;
  std::unordered_map<std::string, Verdict> seen_;
  size_t runs_ = 0;
  size_t operands_simplified_ = 0;
};

// A candidate is a part of the original program, so it needs no more time than the original
// took (with a generous margin): a candidate that hangs then costs seconds, not a minute. When
// the violation is the timeout itself, candidates get the full limit.
unsigned candidate_timeout(const FindingKind& kind, double original_seconds, unsigned limit) {
  if (kind.category() == FindingCategory::kTimeout) return limit;
  const auto margin = static_cast<unsigned>(std::ceil(original_seconds * kTimeoutMargin));
  const unsigned seconds = std::max(kMinCandidateTimeout, margin);
  return limit == 0 ? seconds : std::min(limit, seconds);
}

}  // namespace

std::string default_min_path(const std::string& path) {
  const size_t slash = path.rfind('/');
  const size_t base = slash == std::string::npos ? 0 : slash + 1;
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos || dot <= base) return path + ".min.ops";
  return path.substr(0, dot) + ".min.ops";
}

int minimize_file(const std::string& path, const std::string& out, const RunSettings& settings,
                  MinimizeSummary* summary) {
  InputFile file;
  const HeapKind* heap = nullptr;
  ChildRunOptions options;
  if (!load_runnable(path, settings.overrides, &file, &heap, &options.diff_heaps)) {
    return kExitBadInput;
  }
  options.timeout_seconds = settings.timeout_seconds;
  const auto started = std::chrono::steady_clock::now();
  const ChildRunResult first = run_program_in_child(file.program, *heap, options);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (first.status == RunStatus::kSetupFailed) {
    absl::FPrintF(stderr, "%s: %s", path.c_str(), first.text.c_str());
    return kExitBadInput;
  }
  const size_t before = file.program.ops.size();
  if (first.status == RunStatus::kOk) {
    absl::PrintF("minimize: %s: the program passes (ok): nothing to minimize\n", path.c_str());
    return kExitViolation;
  }
  absl::PrintF("minimize: %s: %s (%d operations)\n", path.c_str(),
               describe_outcome(first.kind, first.op_index, before).c_str(), before);
  std::fflush(stdout);

  const Signature signature = run_signature(first, file.program);
  absl::PrintF("minimize: keeping the signature %s\n", signature.text());
  Minimizer minimizer(file.program, *heap, signature,
                      candidate_timeout(first.kind, took, settings.timeout_seconds),
                      options.diff_heaps);
  Program result = file.program;
  result.ops = minimizer.minimize(file.program.ops, first.op_index);
  result.header.expect = Expectation{true, first.kind.text()};
  const std::string text = print_ops_text(result);
  const std::string out_path = out.empty() ? default_min_path(path) : out;
  std::string error;
  if (!write_file_bytes(out_path, text, &error)) {
    absl::FPrintF(stderr, "%s\n", error.c_str());
    return kExitBadInput;
  }
  absl::PrintF("minimize: %d -> %d operations, %d operands simplified (%d runs)\n", before,
               result.ops.size(), minimizer.operands_simplified(), minimizer.runs() + 1);
  absl::PrintF("minimize: wrote %s\n", out_path.c_str());
  std::fflush(stdout);
  if (summary != nullptr) {
    *summary = MinimizeSummary{out_path, text, first.kind, signature, before, result.ops.size()};
  }
  return kExitOk;
}

}  // namespace allocfuzz
