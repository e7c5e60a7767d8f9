// The differential runner; see diff_runner.h.
#include "fuzz/harness/diff_runner.h"

#include <absl/strings/str_format.h>

#include <cerrno>

#include "fuzz/harness/heap_lane.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/heaps/alignment_rules.h"
#include "fuzz/oracle/report.h"
#include "fuzz/program/ops_text.h"

namespace allocfuzz {
namespace {

// errno by name for the values allocators use, so that reports read the same everywhere.
std::string errno_text(int error) {
  switch (error) {
    case 0:
      return "errno 0";
    case ENOMEM:
      return "ENOMEM";
    case EINVAL:
      return "EINVAL";
    case EAGAIN:
      return "EAGAIN";
    case EOVERFLOW:
      return "EOVERFLOW";
    default:
      return absl::StrFormat("errno %d", error);
  }
}

bool aligned_call(OpKind kind) {
  return kind == OpKind::kMemalign || kind == OpKind::kAlignedAlloc ||
         kind == OpKind::kPosixMemalign;
}

// The calls that answer a block or NULL (posix_memalign: its return value stands for errno).
bool allocates(OpKind kind) {
  return kind == OpKind::kMalloc || kind == OpKind::kCalloc || kind == OpKind::kRealloc ||
         aligned_call(kind);
}

// The profile field that may explain a divergence: the implementation's choice C or POSIX
// leaves open in that case. None for the others, where a correct heap has no freedom.
std::optional<ProfileField> explaining_field(Divergence what) {
  switch (what) {
    case Divergence::kMallocZero:
      return ProfileField::kMallocZero;
    case Divergence::kReallocZero:
      return ProfileField::kReallocZero;
    case Divergence::kErrno:
      return ProfileField::kRefusalErrno;
    default:
      return std::nullopt;
  }
}

// The profile field of an aligned call's answer to an alignment it does not accept.
std::optional<ProfileField> bad_alignment_field(OpKind call) {
  switch (call) {
    case OpKind::kMemalign:
      return ProfileField::kMemalignBad;
    case OpKind::kAlignedAlloc:
      return ProfileField::kAlignedAllocBad;
    case OpKind::kPosixMemalign:
      return ProfileField::kPosixMemalignBad;
    default:
      return std::nullopt;
  }
}

// kEinval: NULL with EINVAL; kRoundsUp: a block, or a refusal's ENOMEM. (kNotAsked never
// reaches a comparison: the call was skipped.)
bool follows_bad_alignment(const OpResult& r, BadAlignment answer) {
  if (answer == BadAlignment::kEinval) return r.null && r.error == EINVAL;
  return !r.null || r.error == ENOMEM;
}

// Whether `r` is the answer `profile` declares for `field`.
bool follows_profile(const OpResult& r, const BehaviourProfile& profile, ProfileField field) {
  switch (field) {
    case ProfileField::kMallocZero:
      return r.null == (profile.malloc_zero == ZeroMalloc::kNull);
    case ProfileField::kReallocZero:
      return r.null == (profile.realloc_zero == ReallocZero::kFrees);
    case ProfileField::kRefusalErrno:
      return !r.null || r.error == profile.refusal_errno;
    case ProfileField::kMemalignBad:
      return follows_bad_alignment(r, profile.memalign_bad);
    case ProfileField::kAlignedAllocBad:
      return follows_bad_alignment(r, profile.aligned_alloc_bad);
    case ProfileField::kPosixMemalignBad:
      return follows_bad_alignment(r, profile.posix_memalign_bad);
    default:
      return false;
  }
}

}  // namespace

// One heap: a lane per placement (a plugin's instances take turns owning its state, see
// plugin_adapter.h), and the results of the last run, recorded as they come.
struct DiffRunner::Lane final : OpObserver {
  const HeapKind* kind = nullptr;
  HeapLane placements[2];  // indexed by Placement
  size_t active = 0;       // the placement of the last run
  std::vector<OpResult> results;
  std::optional<Finding> finding;

  void on_op(size_t, const Op&, const OpResult& result) override { results.push_back(result); }
};

DiffRunner::~DiffRunner() = default;

std::unique_ptr<DiffRunner> DiffRunner::create(const std::vector<const HeapKind*>& kinds,
                                               Protection protection, std::string* error) {
  std::unique_ptr<DiffRunner> runner(new DiffRunner);
  for (const HeapKind* kind : kinds) {
    auto lane = std::make_unique<Lane>();
    lane->kind = kind;
    for (Placement placement : {Placement::kHigh, Placement::kLow}) {
      const auto p = static_cast<size_t>(placement);
      if (int rc = lane->placements[p].init(*kind, program_region_options(placement, protection));
          rc != 0) {
        *error = absl::StrFormat("cannot reserve the %s region for heap '%s' (errno %d)",
                                 placement_name(placement), kind->name, rc);
        return nullptr;
      }
    }
    runner->shared_ &= lane->placements[0].heap->capabilities();
    runner->lanes_.push_back(std::move(lane));
  }
  for (const auto& lane : runner->lanes_) {
    for (HeapLane& placement : lane->placements) placement.executor->set_allowed(runner->shared_);
  }
  return runner;
}

std::string_view DiffRunner::heap_name(size_t i) const { return lanes_[i]->kind->name; }

const std::vector<OpResult>& DiffRunner::results(size_t i) const { return lanes_[i]->results; }

std::optional<DiffFinding> DiffRunner::run(const Program& program, CheckMode mode) {
  // Every heap runs the whole program (up to its own first finding); then the earliest
  // trouble wins: a divergence strictly before any heap's finding, else the first heap's
  // finding at the earliest operation.
  size_t end = SIZE_MAX;
  explained_.clear();
  for (const auto& lane : lanes_) {
    lane->results.clear();
    lane->active = static_cast<size_t>(program.header.placement);
    lane->finding = lane->placements[lane->active].executor->run(program, mode, lane.get()).finding;
    if (lane->finding && lane->finding->op_index < end) end = lane->finding->op_index;
  }
  for (size_t i = 0; i < program.ops.size() && i < end; ++i) {
    if (auto d = compare(program, i)) return d;
  }
  for (const auto& lane : lanes_) {
    if (lane->finding && lane->finding->op_index == end) {
      return DiffFinding{*lane->finding, std::string(lane->kind->name)};
    }
  }
  return std::nullopt;
}

std::optional<DiffFinding> DiffRunner::compare(const Program& program, size_t index) {
  const Op& op = program.ops[index];
  if (!allocates(op.kind) || lanes_.size() < 2) return std::nullopt;
  bool any_refused = false;
  size_t nulls = 0;
  for (const auto& lane : lanes_) {
    const OpResult& r = lane->results[index];
    // A heap whose slot differs (an earlier fair NULL) is in another state: not comparable.
    if (!r.returned || r.slot_live != lanes_[0]->results[index].slot_live) return std::nullopt;
    any_refused = any_refused || r.refused;
    nulls += r.null ? 1 : 0;
  }
  const bool live = lanes_[0]->results[index].slot_live;
  // An aligned call's size is its second operand; an alignment past the region is as huge.
  size_t bytes = aligned_call(op.kind) ? op.args[1] : op.args[0];
  const uint64_t region_bytes = program.header.region_size.value_or(kProgramRegionBytes);
  const bool huge_align = aligned_call(op.kind) && op.args[0] > region_bytes;
  const bool overflow =
      op.kind == OpKind::kCalloc && __builtin_mul_overflow(op.args[0], op.args[1], &bytes);
  Divergence what = Divergence::kNull;
  if (overflow) {
    what = Divergence::kCallocOverflow;
  } else if (op.kind == OpKind::kRealloc && live && bytes == 0) {
    what = Divergence::kReallocZero;
  } else if (op.kind == OpKind::kRealloc && !live) {
    what = Divergence::kReallocNull;
  } else if (aligned_call(op.kind) && !alignment_accepted(op.kind, op.args[0])) {
    what = Divergence::kBadAlignment;
  } else if (bytes == 0) {
    what = Divergence::kMallocZero;
  } else if (bytes > region_bytes || huge_align) {
    what = Divergence::kHuge;
  }
  // errno is an answer only where NULL is a failure: not realloc(p, 0)'s NULL, which means
  // "freed", and not the NULL C allows for a zero-byte request, after which POSIX leaves errno
  // to the implementation.
  const bool null_is_failure = what != Divergence::kReallocZero && (bytes != 0 || overflow);
  std::optional<Divergence> found;
  if (!any_refused && nulls != 0 && nulls != lanes_.size()) {
    found = what;
  } else if (null_is_failure && nulls >= 2) {
    int first = -1;
    for (const auto& lane : lanes_) {
      const OpResult& r = lane->results[index];
      if (!r.null) continue;
      if (first == -1) {
        first = r.error;
      } else if (r.error != first) {
        found = Divergence::kErrno;
      }
    }
  }
  if (!found) return std::nullopt;
  // A bad alignment's answers (NULL or a block, and which errno) are the profile's to explain.
  if (const std::optional<ProfileField> field = what == Divergence::kBadAlignment
                                                    ? bad_alignment_field(op.kind)
                                                    : explaining_field(*found);
      field && answers_follow_profiles(index, *field)) {
    explained_.push_back({index, *field});
    return std::nullopt;
  }

  const bool of_null = op.kind == OpKind::kRealloc && !live;
  std::string message = absl::StrFormat("the heaps disagree on %s%s: %s", format_op(op),
                                        of_null ? " (an empty slot: realloc(NULL, n))" : "",
                                        describe_answers(program, index));
  DiffFinding d;
  d.finding.kind = FindingKind::divergence(*found);
  d.finding.oracle = Oracle::kDifferential;
  d.finding.op_index = index;
  d.finding.message = std::move(message);
  return d;
}

bool DiffRunner::answers_follow_profiles(size_t index, ProfileField field) const {
  for (const auto& lane : lanes_) {
    const TestedHeap& heap = *lane->placements[lane->active].heap;
    if (!follows_profile(lane->results[index], heap.profile(), field)) return false;
  }
  return true;
}

std::string DiffRunner::explanation(size_t index) const {
  for (const Explained& e : explained_) {
    if (e.index != index) continue;
    // The heaps grouped by their profile's value, groups in the order of their first heap.
    std::vector<std::string> values;
    std::vector<std::string> holders;
    for (const auto& lane : lanes_) {
      const TestedHeap& heap = *lane->placements[lane->active].heap;
      const std::string value = profile_value(heap.profile(), e.field);
      size_t k = 0;
      while (k < values.size() && values[k] != value) ++k;
      if (k == values.size()) {
        values.push_back(value);
        holders.emplace_back();
      }
      holders[k] += (holders[k].empty() ? "" : ", ") + std::string(lane->kind->name);
    }
    std::string text = std::string(kProfileFields[static_cast<size_t>(e.field)].label) + ": ";
    for (size_t k = 0; k < values.size(); ++k) {
      absl::StrAppendFormat(&text, "%s%s (%s)", k == 0 ? "" : "; ", values[k], holders[k]);
    }
    return text;
  }
  return "";
}

std::string DiffRunner::describe_answers(const Program& program, size_t index) const {
  const Op& op = program.ops[index];
  if (!allocates(op.kind)) return "";
  for (const auto& lane : lanes_) {
    if (index >= lane->results.size() || !lane->results[index].returned) return "";
  }
  std::vector<std::string> answers;
  std::vector<std::string> holders;
  for (const auto& lane : lanes_) {
    const OpResult& r = lane->results[index];
    // realloc(p, 0)'s NULL means "freed", a success. Each heap's own slot says whether there
    // was a p: after a fair NULL the heaps' slots may differ.
    const bool null_frees = op.kind == OpKind::kRealloc && op.args[0] == 0 && r.slot_live;
    std::string answer = !r.null      ? std::string("a block")
                         : null_frees ? std::string("NULL (freed)")
                                      : "NULL, " + errno_text(r.error);
    size_t k = 0;
    while (k < answers.size() && answers[k] != answer) ++k;
    if (k == answers.size()) {
      answers.push_back(answer);
      holders.emplace_back();
    }
    holders[k] += (holders[k].empty() ? "" : ", ") + std::string(lane->kind->name);
  }
  std::string text;
  for (size_t k = 0; k < answers.size(); ++k) {
    absl::StrAppendFormat(&text, "%s%s: %s", k == 0 ? "" : "; ", holders[k], answers[k]);
  }
  return text;
}

std::string DiffRunner::format(const Program& program, const DiffFinding& finding) const {
  const Lane* lane = lanes_.front().get();
  for (const auto& l : lanes_) {
    if (l->kind->name == finding.heap) lane = l.get();
  }
  std::string report =
      format_report(program, finding.finding, *lane->placements[lane->active].heap);
  std::string heaps;
  for (const auto& l : lanes_) heaps += (heaps.empty() ? "" : ", ") + std::string(l->kind->name);
  // After the first line: which heap, or which heaps were compared.
  const size_t eol = report.find('\n') + 1;
  report.insert(eol, finding.heap.empty() ? "  heaps: " + heaps + "\n"
                                          : "  heap: " + finding.heap + " (of " + heaps + ")\n");
  return report;
}

}  // namespace allocfuzz
