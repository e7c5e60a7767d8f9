// The executor's loop and its check policy; see executor.h.
#include "fuzz/harness/executor.h"

#include <absl/strings/str_format.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace allocfuzz {
namespace {

// Read by signal handlers and death callbacks: a plain word written before each operation.
volatile size_t g_op_in_flight = SIZE_MAX;

}  // namespace

// "malloc(64)", "calloc(3, 8)", "realloc(s2, 100)", "realloc(NULL, 100)", "memalign(64, 100)",
// "posix_memalign(&s0, 64, 100)": the call as the user wrote it, blocks named by slot
// (addresses differ from run to run).
std::string call_text(const Op& op, bool slot_live) {
  switch (op.kind) {
    case OpKind::kMemalign:
    case OpKind::kAlignedAlloc:
      return absl::StrFormat("%s(%d, %d)", op_info(op.kind).name, op.args[0], op.args[1]);
    case OpKind::kPosixMemalign:
      return absl::StrFormat("posix_memalign(&s%d, %d, %d)", op.slot, op.args[0], op.args[1]);
    case OpKind::kCalloc:
      return absl::StrFormat("calloc(%d, %d)", op.args[0], op.args[1]);
    case OpKind::kRealloc:
      if (!slot_live) return absl::StrFormat("realloc(NULL, %d)", op.args[0]);
      return absl::StrFormat("realloc(s%d, %d)", op.slot, op.args[0]);
    default:
      return absl::StrFormat("%s(%d)", op_info(op.kind).name, op.args[0]);
  }
}

std::string errno_name(int error) {
  if (error == 0) return "0";
  const char* name = strerrorname_np(error);
  return name != nullptr ? std::string(name) : absl::StrFormat("%d", error);
}

namespace {

// Every program region reserves kMaxRegionSize, which the parser and the flag check against:
// only a caller's own smaller region (a test's) can get here.
[[noreturn]] void region_too_small(const ProgramHeader& header) {
  std::fprintf(stderr,
               "allocfuzz: the program's region-size %llu exceeds its region's reservation\n",
               static_cast<unsigned long long>(*header.region_size));
  std::abort();
}

}  // namespace

size_t Executor::op_in_flight() { return g_op_in_flight; }

Executor::Executor(PseudoBrk& region, TestedHeap& heap)
    : region_(region), heap_(heap), shadow_(region) {
  shadow_.set_uses_region(heap.uses_region());
}

uint64_t Executor::refusals() const { return region_.stats().failed_growths + heap_.refusals(); }

void Executor::begin(const ProgramHeader& header, CheckMode mode) {
  mode_ = mode;
  stats_ = ExecStats{};
  work_since_full_ = 0;
  region_.reset();
  // The program's own region size, before the heap's init sees the region (its reserve_bytes).
  if (header.region_size && !region_.set_size(*header.region_size)) region_too_small(header);
  heap_.reset();
  shadow_.reset();
  if (header.limit) region_.set_limit(*header.limit);
}

std::optional<Finding> Executor::run_ops(const std::vector<Op>& ops, size_t first_index,
                                         OpObserver* observer) {
  std::optional<Finding> finding;
  for (size_t k = 0; k < ops.size() && !finding; ++k) {
    const size_t i = first_index + k;
    g_op_in_flight = i;
    OpResult result;
    const size_t live_before = shadow_.live_count();
    const CapabilitySet missing = op_info(ops[k].kind).needs & ~usable_capabilities();
    if (missing != 0) {
      result.skipped = true;
      result.missing = missing;
    } else {
      finding = step(ops[k], &result);
    }
    // The user has just given back their last block: a heap that knows its layout must hold
    // nothing now (`leak`), in every check mode, so the operation is named exactly.
    if (!finding && live_before > 0 && shadow_.live_count() == 0) finding = leak_check();
    ++stats_.ops;
    if (observer != nullptr) observer->on_op(i, ops[k], result);
    if (finding) finding->op_index = i;
  }
  g_op_in_flight = SIZE_MAX;
  return finding;
}

std::optional<Finding> Executor::finish(size_t end_index) {
  // The end of the program is a check point in every mode; index ops.size() means "at the
  // end, after the last operation".
  g_op_in_flight = end_index;
  std::optional<Finding> finding = full_check();
  if (finding) finding->op_index = end_index;
  g_op_in_flight = SIZE_MAX;
  return finding;
}

Outcome Executor::run(const Program& program, CheckMode mode, OpObserver* observer) {
  begin(program.header, mode);
  Outcome out;
  out.finding = run_ops(program.ops, 0, observer);
  if (!out.finding) out.finding = finish(program.ops.size());
  out.stats = stats_;
  return out;
}

std::optional<Finding> Executor::leak_check() {
  std::optional<HeapFinding> h = heap_.check_empty();
  if (!h) return std::nullopt;
  Finding f;
  // Seen by the shadow model, which knows the user holds nothing; the heap's layout only says
  // what it still counts as used.
  f.kind = FindingKind::shadow(ShadowKind::kLeak);
  f.message = std::move(h->message);
  f.offset = h->offset;
  return f;
}

std::optional<Finding> Executor::step(const Op& op, OpResult* result) {
  switch (op.kind) {
    case OpKind::kMalloc:
    case OpKind::kCalloc:
      return allocate(op, result);
    case OpKind::kRealloc:
      return reallocate(op, result);
    case OpKind::kFree:
      if (shadow_.slot(op.slot).p == nullptr) return std::nullopt;
      return release(op.slot);
    case OpKind::kMemalign:
    case OpKind::kAlignedAlloc:
    case OpKind::kPosixMemalign:
      return allocate_aligned(op, result);
    case OpKind::kFreeSized:
    case OpKind::kFreeAlignedSized:
      return release_sized(op, result);
    case OpKind::kUsable:
      return use_usable(op, result);
    case OpKind::kFill: {
      const SlotState& b = shadow_.slot(op.slot);
      if (b.p == nullptr) return std::nullopt;
      // Before the user overwrites it, the block must still hold what they wrote last.
      if (auto f = shadow_.verify_slot(op.slot)) return f;
      shadow_.refill(op.slot);
      return after(shadow_.position(b.p), b.p);
    }
    case OpKind::kCheck:
      return full_check();
    case OpKind::kForeignGrow:
      result->applied = region_.foreign_grow(op.args[0]);
      return after(SIZE_MAX, nullptr);
    case OpKind::kForeignRelease:
      // Once given back the span is forgotten: whatever happened to it must be seen now.
      if (auto f = shadow_.verify_foreign()) return f;
      result->applied = region_.foreign_release();
      return after(SIZE_MAX, nullptr);
    case OpKind::kFailGrow:
      region_.fail_next_growths(static_cast<uint32_t>(op.args[0]));
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Finding> Executor::release(uint32_t slot, OpKind how) {
  // Corrupted while live, seen at its end. Every byte: after this the block is forgotten, so
  // no later full check could see it (the fill that wrote them already cost as much).
  if (auto f = shadow_.verify_slot(slot)) return f;
  const SlotState b = shadow_.slot(slot);
  size_t offset = shadow_.position(b.p);
  shadow_.remove(slot);
  if (how == OpKind::kFreeSized) {
    heap_.free_sized(b.p, b.requested);
  } else if (how == OpKind::kFreeAlignedSized) {
    heap_.free_aligned_sized(b.p, b.align, b.requested);
  } else {
    heap_.free(b.p);
  }
  return after(offset, nullptr);
}

std::optional<Finding> Executor::judge_null(const Op& op, size_t bytes, bool representable,
                                            const OpResult& result) {
  // A NULL is fair when the region (or a region-less heap's budget) refused memory during the
  // call, when no region could hold the request, or for a zero-byte request (C lets malloc(0)
  // return NULL).
  const bool zero = representable && bytes == 0;
  const bool fair = result.refused || !representable || bytes > region_.reserve_bytes() || zero;
  if (!fair) {
    Finding f;
    f.kind = FindingKind::shadow(ShadowKind::kSpuriousNull);
    f.message = absl::StrFormat(
        "%s of %d bytes returned NULL although %s during the call", op_info(op.kind).name, bytes,
        heap_.uses_region() ? "no break growth failed" : "the heap's budget refused nothing");
    return f;
  }
  // A fair NULL for a non-zero request is a failure, and POSIX says how it is told: errno
  // ENOMEM, unless the heap's profile declares another errno for its refusals. (A zero-byte
  // request's NULL may be a success; realloc(p, 0)'s never comes here.)
  const int declared = heap_.profile().refusal_errno;
  if (zero || result.error == declared) return std::nullopt;
  Finding f;
  f.kind = FindingKind::shadow(ShadowKind::kApiContract);
  f.message = absl::StrFormat("%s returned NULL with errno %s, not %s",
                              call_text(op, op.kind == OpKind::kRealloc && result.slot_live),
                              errno_name(result.error), errno_name(declared));
  return f;
}

std::optional<Finding> Executor::allocate(const Op& op, OpResult* result) {
  if (shadow_.slot(op.slot).p != nullptr) {
    result->slot_live = true;
    if (auto f = release(op.slot)) return f;  // malloc into a live slot frees it first
  }
  bool is_calloc = op.kind == OpKind::kCalloc;
  size_t bytes = op.args[0];
  bool overflow = is_calloc && __builtin_mul_overflow(op.args[0], op.args[1], &bytes);
  char* p = call_heap(result, [&] {
    return is_calloc ? heap_.calloc(op.args[0], op.args[1]) : heap_.malloc(op.args[0]);
  });
  if (p == nullptr) return judge_null(op, bytes, !overflow, *result);
  result->offset = shadow_.position(p);
  if (overflow) {
    Finding f;
    f.kind = FindingKind::shadow(ShadowKind::kApiContract);
    f.message = absl::StrFormat("calloc(%d, %d) overflows size_t but returned a block%s",
                                op.args[0], op.args[1], shadow_.at_text(result->offset));
    f.offset = shadow_.finding_offset(result->offset);
    return f;
  }
  if (auto f = shadow_.judge_new_block(p, bytes, heap_)) return f;
  if (is_calloc) {
    if (auto f = shadow_.verify_zero(p, bytes)) return f;
  }
  shadow_.add(op.slot, p, bytes);
  return after(result->offset, p);
}

std::optional<Finding> Executor::reallocate(const Op& op, OpResult* result) {
  SlotState old = shadow_.slot(op.slot);
  size_t n = op.args[0];
  result->slot_live = old.p != nullptr;
  if (old.p != nullptr) {
    if (auto f = shadow_.verify_slot(op.slot)) return f;
  }
  char* q = call_heap(result, [&] { return heap_.realloc(old.p, n); });
  size_t old_offset = old.p != nullptr ? shadow_.position(old.p) : SIZE_MAX;
  if (q == nullptr) {
    if (old.p != nullptr && n == 0) {  // realloc(p, 0): freed
      shadow_.remove(op.slot);
      return after(old_offset, nullptr);
    }
    if (auto f = judge_null(op, n, true, *result)) return f;
    // A failed realloc leaves the old block live and unchanged.
    if (old.p != nullptr) {
      if (auto f = shadow_.verify_slot(op.slot)) return f;
    }
    return after(old_offset, old.p);
  }
  result->offset = shadow_.position(q);
  result->moved = old.p != nullptr && q != old.p;
  if (old.p != nullptr) shadow_.remove(op.slot);
  if (auto f = shadow_.judge_new_block(q, n, heap_)) return f;
  if (old.p != nullptr) {
    if (auto f = shadow_.verify_moved(q, old, n)) return f;
  }
  shadow_.add(op.slot, q, n);
  if (result->moved) {
    if (auto f = after(old_offset, nullptr)) return f;
  }
  return after(result->offset, q);
}

std::optional<Finding> Executor::heap_check(bool full, const char* near) {
  if (full) {
    ++stats_.full_checks;
  } else {
    ++stats_.near_checks;
  }
  std::optional<HeapFinding> h = heap_.check(full, near, shadow_);
  if (!h) return std::nullopt;
  Finding f;
  f.kind = FindingKind::heap_invariant(h->id);
  f.oracle = Oracle::kHeapChecker;
  f.message = std::move(h->message);
  f.offset = h->offset;
  return f;
}

std::optional<Finding> Executor::full_check() {
  work_since_full_ = 0;
  if (auto f = shadow_.verify_below_break()) return f;
  if (auto f = shadow_.verify_all()) return f;
  if (auto f = shadow_.verify_foreign()) return f;
  return heap_check(true, nullptr);
}

std::optional<Finding> Executor::after(size_t touched, const char* result) {
  if (mode_ == CheckMode::kEveryOp) return full_check();
  if (auto f = shadow_.verify_below_break()) return f;
  if (auto f = shadow_.verify_foreign(/*edges_only=*/true)) return f;
  const char* below = nullptr;
  const char* above = nullptr;
  if (touched != SIZE_MAX) {
    if (auto f = shadow_.verify_neighbours(touched, &below, &above)) return f;
  }
  if (auto f = heap_check(false, result)) return f;
  if (below != nullptr) {
    if (auto f = heap_check(false, below)) return f;
  }
  if (above != nullptr) {
    if (auto f = heap_check(false, above)) return f;
  }
  // A full check costs about one unit per live block and per 64 live bytes; running one when
  // as many operations have passed keeps the checking cost per operation O(1) amortized.
  ++work_since_full_;
  if (work_since_full_ > shadow_.live_count() + shadow_.live_bytes() / 64) return full_check();
  return std::nullopt;
}

}  // namespace allocfuzz
