// Trace lines and the ok summary; see trace.h.
#include "repro/tools/trace.h"

#include <absl/strings/str_format.h>

#include "allocator/base/offset_text.h"
#include "fuzz/program/ops_text.h"

namespace allocfuzz {
namespace {

// The operation text is padded to this many columns, so results line up for common sizes.
constexpr size_t kOpColumn = 24;

}  // namespace

TraceFormatter::TraceFormatter(const Executor& executor)
    : executor_(executor),
      by_offset_(executor.shadow().uses_region()),
      slot_place_(kMaxSlots, SIZE_MAX) {}

std::string TraceFormatter::place_text(size_t place) const {
  return by_offset_ ? offset_string(place) : absl::StrFormat("#%d", place);
}

std::string TraceFormatter::line(size_t index, const Op& op, const OpResult& result) {
  const bool has_slot = op_info(op.kind).has_slot;
  const size_t old_place = has_slot ? slot_place_[op.slot] : SIZE_MAX;
  if (has_slot) {
    const SlotState& now = executor_.shadow().slot(op.slot);
    size_t place = SIZE_MAX;
    if (now.p != nullptr && by_offset_) {
      place = executor_.region().offset_of(now.p);
    } else if (now.p != nullptr) {
      // A block keeps its number until it is freed or moves; a new block takes the next one.
      const bool new_block =
          result.returned && !result.null &&
          !(op.kind == OpKind::kRealloc && old_place != SIZE_MAX && !result.moved);
      place = new_block ? next_block_++ : old_place;
    }
    slot_place_[op.slot] = place;
  }
  std::string text = absl::StrFormat("%4d  %s", index, format_op(op));
  const std::string what = note(op, result, old_place);
  if (what.empty()) return text;
  const size_t column = 6 + kOpColumn;
  text.append(text.size() + 1 < column ? column - text.size() : 1, ' ');
  return text + what;
}

std::string TraceFormatter::note(const Op& op, const OpResult& result, size_t old_place) const {
  const bool was_live = old_place != SIZE_MAX;
  if (result.undefined) {
    return absl::StrFormat("(skipped: profile leaves alignment %d undefined)", op.args[0]);
  }
  if (result.skipped) return "(skipped: " + capability_names(result.missing) + " missing)";
  // Without a region the new block is named by the number line() just gave it; a block the
  // shadow refused (a finding) has none.
  std::string returned = "-> NULL";
  if (!result.null && by_offset_) returned = "-> " + offset_string(result.offset);
  if (!result.null && !by_offset_) {
    const size_t place = slot_place_[op.slot];
    returned = place != SIZE_MAX ? "-> " + place_text(place) : std::string("-> a block");
  }
  const size_t break_offset = executor_.region().stats().break_offset;
  switch (op.kind) {
    case OpKind::kMalloc:
    case OpKind::kCalloc:
      if (!result.returned) return "";  // a finding while freeing the slot's old block
      return was_live ? returned + " (freed " + place_text(old_place) + " first)" : returned;
    case OpKind::kRealloc:
      if (!result.returned || !was_live) return returned;
      if (result.null) {
        return returned + (op.args[0] == 0 ? " (freed " : " (kept ") + place_text(old_place) + ")";
      }
      return returned + (result.moved ? " (moved from " + place_text(old_place) + ")"
                                      : std::string(" (in place)"));
    case OpKind::kMemalign:
    case OpKind::kAlignedAlloc:
    case OpKind::kPosixMemalign: {
      if (!result.returned) return "";  // a finding while freeing the slot's old block
      // posix_memalign's answer is its return value; the others' refusal is told by errno.
      if (result.null && result.error != 0) returned += " (" + errno_name(result.error) + ")";
      return was_live ? returned + " (freed " + place_text(old_place) + " first)" : returned;
    }
    case OpKind::kFree:
      return was_live ? "(freed " + place_text(old_place) + ")" : "(empty slot)";
    case OpKind::kFreeSized:
    case OpKind::kFreeAlignedSized:
      if (!was_live) return "(empty slot)";
      return "(freed " + place_text(old_place) +
             (result.mismatched ? "; mismatched: a plain free)" : ")");
    case OpKind::kUsable:
      if (!was_live) return "(empty slot)";
      if (result.usable == SIZE_MAX) return "(" + place_text(old_place) + ": the heap cannot tell)";
      return absl::StrFormat("(%s: usable %d)", place_text(old_place), result.usable);
    case OpKind::kFill:
      return was_live ? "(" + place_text(old_place) + ")" : "(empty slot)";
    case OpKind::kForeignGrow:
      return result.applied ? "(break " + offset_string(break_offset) + ")"
                            : "(refused; break " + offset_string(break_offset) + ")";
    case OpKind::kForeignRelease:
      return result.applied ? "(break " + offset_string(break_offset) + ")"
                            : "(nothing to release)";
    case OpKind::kCheck:
    case OpKind::kFailGrow:
      return "";
  }
  return "";
}

std::string ok_summary(const Executor& executor, const Outcome& outcome) {
  const RegionStats& region = executor.region().stats();
  const Shadow& shadow = executor.shadow();
  if (!shadow.uses_region()) {
    return absl::StrFormat(
        "ok: %d operations, no region, %d live blocks (%d bytes), %d full checks",
        outcome.stats.ops, shadow.live_count(), shadow.live_bytes(), outcome.stats.full_checks);
  }
  return absl::StrFormat(
      "ok: %d operations, peak break %s, final break %s, %d live blocks (%d bytes), %d full "
      "checks",
      outcome.stats.ops, offset_string(region.peak_break_offset),
      offset_string(region.break_offset), shadow.live_count(), shadow.live_bytes(),
      outcome.stats.full_checks);
}

std::string diff_heap_names(const DiffRunner& runner) {
  std::string heaps;
  for (size_t i = 0; i < runner.heap_count(); ++i) {
    heaps += (i == 0 ? "" : ", ") + std::string(runner.heap_name(i));
  }
  return heaps;
}

std::string diff_trace(const Program& program, const DiffRunner& runner, size_t shown) {
  std::string out = "diff: " + diff_heap_names(runner) + "\n";
  for (size_t i = 0; i < shown; ++i) {
    std::string line = absl::StrFormat("%4d  %s", i, format_op(program.ops[i]));
    const std::string answers = runner.describe_answers(program, i);
    if (!answers.empty()) line.append(line.size() < 30 ? 30 - line.size() : 1, ' ') += answers;
    if (const std::string why = runner.explanation(i); !why.empty()) {
      line += "\n      explained by the profiles: " + why;
    }
    if (runner.heap_count() > 0 && i < runner.results(0).size() && runner.results(0)[i].skipped) {
      line.append(line.size() < 30 ? 30 - line.size() : 1, ' ') +=
          "(skipped: " + capability_names(runner.results(0)[i].missing) + " missing on a heap)";
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace allocfuzz
