// The drain probe; see drain_probe.h.
#include "fuzz/harness/drain_probe.h"

#include <absl/strings/str_format.h>

#include <algorithm>

#include "allocator/base/offset_text.h"

namespace allocfuzz {
namespace {

Op slot_op(OpKind kind, uint32_t slot, uint64_t size = 0) {
  Op op;
  op.kind = kind;
  op.slot = slot;
  op.args[0] = size;
  return op;
}

// `free sN` for every live slot, in slot order.
std::vector<Op> free_every_live_block(const Shadow& shadow) {
  std::vector<Op> ops;
  for (uint32_t s = 0; s < kMaxSlots; ++s) {
    if (shadow.slot(s).p != nullptr) ops.push_back(slot_op(OpKind::kFree, s));
  }
  return ops;
}

// Runs the probe's steps one group at a time, numbering them after the prefix.
class Steps {
 public:
  Steps(Executor& executor, size_t first_index, DrainProbeResult* out)
      : executor_(executor), next_(first_index), out_(out) {}

  // False when a step failed (the finding is in *out).
  bool run(const std::vector<Op>& ops) {
    out_->steps.insert(out_->steps.end(), ops.begin(), ops.end());
    std::optional<Finding> f = executor_.run_ops(ops, next_);
    next_ += ops.size();
    if (!f) return true;
    out_->finding = std::move(f);
    return false;
  }
  size_t next() const { return next_; }

 private:
  Executor& executor_;
  size_t next_;
  DrainProbeResult* out_;
};

// Whether the program moved the break for another party before the probe: its spans (or the
// fences a heap keeps over them) cut the free memory into pieces.
bool had_foreign_moves(const Program& program, size_t last) {
  return std::any_of(program.ops.begin(), program.ops.begin() + static_cast<ptrdiff_t>(last) + 1,
                     [](const Op& op) { return op.kind == OpKind::kForeignGrow; });
}

}  // namespace

DrainProbeResult run_drain_probe(Executor& executor, const Program& program, size_t last,
                                 CheckMode prefix_mode) {
  DrainProbeResult out;
  executor.begin(program.header, prefix_mode);
  const std::vector<Op> prefix(program.ops.begin(),
                               program.ops.begin() + static_cast<ptrdiff_t>(last) + 1);
  if (std::optional<Finding> f = executor.run_ops(prefix, 0)) {
    out.finding = std::move(f);
    out.in_prefix = true;
    return out;
  }
  executor.set_mode(CheckMode::kEveryOp);
  PseudoBrk& region = executor.region();
  region.fail_next_growths(0);
  const Shadow& shadow = executor.shadow();
  Steps steps(executor, last + 1, &out);

  // 1 and 2: the live blocks freed, then the same sizes again in the same slots.
  std::vector<Op> again;
  uint64_t again_bytes = 0;
  for (uint32_t s = 0; s < kMaxSlots; ++s) {
    const SlotState& b = shadow.slot(s);
    if (b.p == nullptr) continue;
    again.push_back(slot_op(OpKind::kMalloc, s, b.requested));
    again_bytes += b.requested;
  }
  const bool judge_leak = shadow.uses_region() && !had_foreign_moves(program, last);
  const size_t break_before = region.stats().break_offset;
  if (!steps.run(free_every_live_block(shadow))) return out;
  const size_t break_drained = region.stats().break_offset;
  if (!steps.run(again)) return out;
  const size_t break_again = region.stats().break_offset;
  if (judge_leak && !again.empty() && break_drained == break_before && break_again > break_before) {
    Finding f;
    f.kind = FindingKind::shadow(ShadowKind::kLeak);
    f.op_index = steps.next() - 1;
    f.message = absl::StrFormat(
        "the %s just freed (%d bytes), allocated again, took the break from %s to %s: memory "
        "given back was not reused",
        again.size() == 1 ? std::string("block") : absl::StrFormat("%d blocks", again.size()),
        again_bytes, offset_string(break_before), offset_string(break_again));
    out.finding = std::move(f);
    return out;
  }

  // 3: other sizes, each into the lowest empty slot, while the blocks of step 2 are live.
  std::vector<Op> extra;
  uint32_t slot = 0;
  for (uint64_t size : kDrainExtraSizes) {
    while (slot < kMaxSlots && shadow.slot(slot).p != nullptr) ++slot;
    if (slot == kMaxSlots) break;
    extra.push_back(slot_op(OpKind::kMalloc, slot++, size));
  }
  if (!steps.run(extra)) return out;

  // 4 and 5: every byte checked, every block freed, the final check.
  if (!steps.run({slot_op(OpKind::kCheck, 0)})) return out;
  if (!steps.run(free_every_live_block(shadow))) return out;
  out.finding = executor.finish(steps.next());
  return out;
}

}  // namespace allocfuzz
