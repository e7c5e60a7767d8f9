// FreeArrayTestedHeap's aligned calls, declaration, checks, map and defects.
#include "fuzz/heaps/free_array_adapter.h"

#include <absl/strings/str_format.h>

#include <bit>
#include <cerrno>
#include <memory>

#include "allocator/base/offset_text.h"
#include "allocator/free_array/heap_checker.h"
#include "allocator/free_array/heap_map.h"
#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz {

void* FreeArrayTestedHeap::aligned_alloc(size_t align, size_t n) {
  if (!std::has_single_bit(align)) {
    errno = EINVAL;
    return nullptr;
  }
  return heap_.memalign(align, n);
}

int FreeArrayTestedHeap::posix_memalign(void** out, size_t align, size_t n) {
  if (!std::has_single_bit(align) || align % sizeof(void*) != 0) return EINVAL;
  const int saved = errno;
  void* p = heap_.memalign(align, n);
  errno = saved;
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

CapabilitySet FreeArrayTestedHeap::capabilities() const {
  return capability_bit(Capability::kAligned) | capability_bit(Capability::kUsableSize) |
         capability_bit(Capability::kSizedFree) | capability_bit(Capability::kRegion);
}

BehaviourProfile FreeArrayTestedHeap::profile() const {
  BehaviourProfile p;
  p.malloc_zero = ZeroMalloc::kUniqueBlock;  // a 16-byte block
  p.realloc_zero = ReallocZero::kFrees;
  p.memalign_bad = BadAlignment::kRoundsUp;
  p.aligned_alloc_bad = BadAlignment::kEinval;
  p.posix_memalign_bad = BadAlignment::kEinval;
  p.refusal_errno = ENOMEM;
  // usable - requested: the rounding to 8 (at most 7, or 8 for a request of 0, whose block is
  // the 16-byte minimum) plus a remainder kept because it is no larger than the split slack.
  p.usable_granularity = layout::kMinBlock - layout::kHeader + layout::kSplitSlack + 1;
  return p;
}

std::optional<HeapFinding> FreeArrayTestedHeap::check(bool full, const void* near,
                                                      const LiveView& live) {
  CheckOptions options;
  options.context = &live;
  options.requested_size = [](const void* context, const void* payload) {
    return static_cast<const LiveView*>(context)->requested_size(payload);
  };
  std::optional<HeapViolation> v =
      full ? check_heap(heap_, options) : check_heap_near(heap_, near, options);
  if (!v) return std::nullopt;
  FixedText<512> text;
  append_violation(*v, text);
  return HeapFinding{invariant_info(v->invariant).id, v->offset, std::string(text.view())};
}

std::optional<HeapFinding> FreeArrayTestedHeap::check_empty() {
  const FreeArrayState& s = heap_.state();
  if (s.heap_start == nullptr) return std::nullopt;
  // A walk that trusts nothing: a size that does not fit stops it (the checker names that).
  const char* cur = s.heap_start;
  while (cur < s.top) {
    const size_t room = static_cast<size_t>(s.top - cur);
    if (room < layout::kWord) return std::nullopt;
    const uint64_t h = layout::load_word(cur);
    uint64_t size = 0;
    if ((h & layout::kFree) != 0) {
      const uint64_t index = h >> layout::kIndexShift;
      if (index >= s.length) return std::nullopt;
      size = s.entries[index].size;
    } else {
      size = h & ~layout::kFlagMask;
      if ((h & layout::kFence) == 0 && size >= layout::kMinBlock && size <= room) {
        PseudoBrk& region = heap_.region();
        return HeapFinding{
            "", region.offset_of(cur),
            absl::StrFormat(
                "the user holds no block, but the heap still counts the block at "
                "%s (%d bytes with its header) as used: it can never be given out again",
                offset_string(region.offset_of(cur + layout::kHeader)), size)};
      }
    }
    if (size < layout::kWord || size > room || size % layout::kWord != 0) return std::nullopt;
    cur += size;
  }
  return std::nullopt;
}

void FreeArrayTestedHeap::append_map(size_t offset, TextBuffer& out) const {
  append_heap_map(heap_, offset, 4, out);
}

bool FreeArrayTestedHeap::set_defect(std::string_view name) {
  if (name.empty()) return heap_.set_defect(std::nullopt);
  std::optional<Defect> d = defect_by_name(name);
  return d.has_value() && heap_.set_defect(d);
}

std::vector<std::string_view> FreeArrayTestedHeap::defect_names() const {
  std::vector<std::string_view> names;
  if constexpr (kDefectsCompiledIn) {
    for (const DefectInfo& d : kDefects) names.push_back(d.name);
  }
  return names;
}

std::unique_ptr<TestedHeap> make_free_array_heap(PseudoBrk& region) {
  return std::make_unique<FreeArrayTestedHeap>(region);
}

}  // namespace allocfuzz
