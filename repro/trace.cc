// Trace lines and the ok summary; see trace.h.
#include "repro/trace.h"

#include <absl/strings/str_format.h>

#include "fuzz/ops_text.h"

namespace allocfuzz {
namespace {

// The operation text is padded to this many columns, so results line up for common sizes.
constexpr size_t kOpColumn = 24;

std::string offset_text(size_t offset) { return absl::StrFormat("+0x%06x", offset); }

}  // namespace

TraceFormatter::TraceFormatter(const Executor& executor)
    : executor_(executor), slot_offset_(kMaxSlots, SIZE_MAX) {}

std::string TraceFormatter::line(size_t index, const Op& op, const OpResult& result) {
  const bool has_slot = op_info(op.kind).has_slot;
  const size_t old_offset = has_slot ? slot_offset_[op.slot] : SIZE_MAX;
  if (has_slot) {
    const SlotState& now = executor_.shadow().slot(op.slot);
    slot_offset_[op.slot] = now.p != nullptr ? executor_.region().offset_of(now.p) : SIZE_MAX;
  }
  std::string text = absl::StrFormat("%4d  %s", index, format_op(op));
  const std::string what = note(op, result, old_offset);
  if (what.empty()) return text;
  const size_t column = 6 + kOpColumn;
  text.append(text.size() + 1 < column ? column - text.size() : 1, ' ');
  return text + what;
}

std::string TraceFormatter::note(const Op& op, const OpResult& result, size_t old_offset) const {
  const bool was_live = old_offset != SIZE_MAX;
  const std::string returned = result.null ? "-> NULL" : "-> " + offset_text(result.offset);
  const size_t break_offset = executor_.region().stats().break_offset;
  switch (op.kind) {
    case OpKind::kMalloc:
    case OpKind::kCalloc:
      if (!result.returned) return "";  // a finding while freeing the slot's old block
      return was_live ? returned + " (freed " + offset_text(old_offset) + " first)" : returned;
    case OpKind::kRealloc:
      if (!result.returned || !was_live) return returned;
      if (result.null) {
        return returned + (op.args[0] == 0 ? " (freed " : " (kept ") + offset_text(old_offset) +
               ")";
      }
      return returned + (result.moved ? " (moved from " + offset_text(old_offset) + ")"
                                      : std::string(" (in place)"));
    case OpKind::kFree:
      return was_live ? "(freed " + offset_text(old_offset) + ")" : "(empty slot)";
    case OpKind::kFill:
      return was_live ? "(" + offset_text(old_offset) + ")" : "(empty slot)";
    case OpKind::kForeignGrow:
      return result.applied ? "(break " + offset_text(break_offset) + ")"
                            : "(refused; break " + offset_text(break_offset) + ")";
    case OpKind::kForeignRelease:
      return result.applied ? "(break " + offset_text(break_offset) + ")" : "(nothing to release)";
    case OpKind::kCheck:
    case OpKind::kFailGrow:
      return "";
  }
  return "";
}

std::string ok_summary(const Executor& executor, const Outcome& outcome) {
  const RegionStats& region = executor.region().stats();
  const Shadow& shadow = executor.shadow();
  return absl::StrFormat(
      "ok: %d operations, peak break %s, final break %s, %d live blocks (%d bytes), %d full "
      "checks",
      outcome.stats.ops, offset_text(region.peak_break_offset), offset_text(region.break_offset),
      shadow.live_count(), shadow.live_bytes(), outcome.stats.full_checks);
}

}  // namespace allocfuzz
