// The executor's operations beyond malloc, calloc, realloc and free (executor.h): the aligned
// calls, sized free and `usable`. The rules for alignments are fuzz/heaps/alignment_rules.h's;
// docs/DESIGN.md section 5 says what each operation does and how it is judged.
#include <absl/strings/str_format.h>

#include <cerrno>
#include <string>

#include "fuzz/harness/executor.h"
#include "fuzz/heaps/alignment_rules.h"

namespace allocfuzz {
namespace {

// What posix_memalign finds in *out before the call: no heap returns it, so a call that left
// *out alone is told from one that wrote it (a NULL included).
char g_out_sentinel;
void* sentinel() { return &g_out_sentinel; }

Finding contract(std::string message) {
  Finding f;
  f.kind = FindingKind::shadow(ShadowKind::kApiContract);
  f.message = std::move(message);
  return f;
}

}  // namespace

std::optional<Finding> Executor::allocate_aligned(const Op& op, OpResult* result) {
  const uint64_t asked = op.args[0];
  const uint64_t n = op.args[1];
  const bool accepted = alignment_accepted(op.kind, asked);
  const BadAlignment answer =
      accepted ? BadAlignment::kRoundsUp : bad_alignment_answer(heap_.profile(), op.kind);
  if (answer == BadAlignment::kNotAsked) {
    // Not run at all, so the slot's block stays as it was (no free first).
    result->skipped = true;
    result->undefined = true;
    return std::nullopt;
  }
  if (shadow_.slot(op.slot).p != nullptr) {
    result->slot_live = true;
    if (auto f = release(op.slot)) return f;  // as malloc into a live slot, free it first
  }
  const std::string call = call_text(op, false);
  char* p = nullptr;
  if (op.kind == OpKind::kPosixMemalign) {
    if (auto f = call_posix_memalign(op, accepted, result, &p)) return f;
    // A refused bad alignment, or a failure: nothing was allocated.
    if (result->null) return after(SIZE_MAX, nullptr);
  } else {
    p = call_heap(result, [&] {
      return op.kind == OpKind::kMemalign ? heap_.memalign(asked, n)
                                          : heap_.aligned_alloc(asked, n);
    });
    if (!accepted && answer == BadAlignment::kEinval) {
      if (p != nullptr) {
        return contract(absl::StrFormat(
            "%s returned a block, but %d is not a power of two (the heap's profile: EINVAL)", call,
            asked));
      }
      if (result->error != EINVAL) {
        return contract(
            absl::StrFormat("%s returned NULL with errno %s, not EINVAL (%d is not a "
                            "power of two)",
                            call, errno_name(result->error), asked));
      }
      return after(SIZE_MAX, nullptr);
    }
  }
  // What the block must be aligned to: ALIGN, or a bad one rounded up (0: none fits in 64
  // bits, so no block can be right and any NULL is fair).
  const uint64_t required = rounded_alignment(op.kind, asked);
  if (p == nullptr) {
    // An alignment no 64-bit power of two reaches: no block could be right, so a NULL is, with
    // ENOMEM or EINVAL (glibc says EINVAL above 2^63).
    if (required == 0 && (result->error == ENOMEM || result->error == EINVAL)) {
      return after(SIZE_MAX, nullptr);
    }
    const bool representable = required != 0 && required <= region_.reserve_bytes();
    return judge_null(op, n, representable, *result);
  }
  result->offset = shadow_.position(p);
  if (required == 0) {
    return contract(absl::StrFormat(
        "%s returned a block, but no power of two that fits in 64 bits is at or above %d", call,
        asked));
  }
  // Before judge_new_block, which asks the heap for the block's usable size: a heap that
  // returned a pointer into its block must not be asked about it.
  if (auto f = shadow_.judge_alignment(p, required, call)) return f;
  if (auto f = shadow_.judge_new_block(p, n, heap_)) return f;
  shadow_.add(op.slot, p, n, required);
  return after(result->offset, p);
}

std::optional<Finding> Executor::call_posix_memalign(const Op& op, bool accepted, OpResult* result,
                                                     char** block) {
  const std::string call = call_text(op, false);
  const uint64_t refusals_before = refusals();
  void* out = sentinel();
  const int rc = heap_.posix_memalign(&out, op.args[0], op.args[1]);
  result->returned = true;
  result->refused = refusals() > refusals_before;
  result->error = rc;  // posix_memalign's answer is its return value, not errno
  result->null = rc != 0 || out == nullptr;
  const bool einval = !accepted && heap_.profile().posix_memalign_bad == BadAlignment::kEinval;
  if (einval) {
    if (rc == 0) {
      return contract(
          absl::StrFormat("%s returned 0 (a block), not EINVAL: %d is not a power of "
                          "two times %d",
                          call, op.args[0], sizeof(void*)));
    }
    if (rc != EINVAL) {
      return contract(
          absl::StrFormat("%s returned %s, not EINVAL: %d is not a power of two "
                          "times %d",
                          call, errno_name(rc), op.args[0], sizeof(void*)));
    }
    if (out != sentinel()) return contract(call + " returned EINVAL but changed *out");
    result->null = true;
    return std::nullopt;
  }
  if (rc != 0) {
    // A failure leaves *out alone (or sets it to NULL, as some implementations do).
    if (out != sentinel() && out != nullptr) {
      return contract(
          absl::StrFormat("%s returned %s but set *out to a block", call, errno_name(rc)));
    }
    result->null = true;
    const uint64_t required = rounded_alignment(op.kind, op.args[0]);
    const bool representable = required != 0 && required <= region_.reserve_bytes();
    // ENOMEM is the one failure POSIX allows for an accepted alignment, and it must be fair.
    if (rc != ENOMEM) {
      return contract(absl::StrFormat("%s returned %s, not ENOMEM", call, errno_name(rc)));
    }
    return judge_null(op, op.args[1], representable, *result);
  }
  if (out == sentinel()) return contract(call + " returned 0 but left *out unset");
  if (out == nullptr && op.args[1] != 0) {
    return contract(absl::StrFormat("%s returned 0 with *out NULL for %d bytes", call, op.args[1]));
  }
  *block = static_cast<char*>(out);
  return std::nullopt;
}

std::optional<Finding> Executor::release_sized(const Op& op, OpResult* result) {
  const SlotState& b = shadow_.slot(op.slot);
  if (b.p == nullptr) return std::nullopt;  // as free: an empty slot does nothing
  // C23: free_sized is for blocks from malloc, calloc and realloc, free_aligned_sized for those
  // of aligned_alloc (we extend it to the other aligned calls). A mismatch is undefined, so the
  // user's program is wrong, not the heap: a plain free stands in, and the trace says so.
  const bool aligned_block = b.align != 0;
  result->mismatched = aligned_block != (op.kind == OpKind::kFreeAlignedSized);
  result->slot_live = true;
  return release(op.slot, result->mismatched ? OpKind::kFree : op.kind);
}

std::optional<Finding> Executor::use_usable(const Op& op, OpResult* result) {
  const SlotState& b = shadow_.slot(op.slot);
  if (b.p == nullptr) return std::nullopt;
  result->slot_live = true;
  // Before the user writes over it, the block must still hold what they wrote last.
  if (auto f = shadow_.verify_slot(op.slot)) return f;
  const size_t usable = heap_.usable_size(b.p);
  result->usable = usable;
  if (usable != SIZE_MAX) {
    if (auto f = shadow_.judge_usable(op.slot, usable)) return f;
    // The user owns what they once wrote: a usable size that shrank (but still covers the
    // request) takes nothing back.
    if (usable > b.covered) shadow_.extend(op.slot, usable);
  }
  return after(shadow_.position(b.p), b.p);
}

}  // namespace allocfuzz
