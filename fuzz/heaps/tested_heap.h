// TestedHeap: the small interface through which the executor drives any heap. The executor
// knows nothing else of the heap: the shadow model judges it from the outside, and the
// optional white-box check (`check`) judges it from the inside.
//
// A heap lives on a PseudoBrk region that the harness owns; `reset()` is called after the
// region was reset, once per program, and must forget every block. A heap that does not
// (the system allocator) says so with uses_region(); its reset() must give back every block
// it still holds.
#ifndef ALLOCFUZZ_FUZZ_TESTED_HEAP_H_
#define ALLOCFUZZ_FUZZ_TESTED_HEAP_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/base/fixed_text.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/heap_traits.h"

namespace allocfuzz {

// What the user holds, for white-box checks that want it (sizes of the live blocks).
class LiveView {
 public:
  virtual ~LiveView() = default;
  // The requested size of the live block whose payload is at `p`, or SIZE_MAX.
  virtual size_t requested_size(const void* p) const = 0;
  // The live blocks in address order: how many, and the payload of the i-th (i < live_count()),
  // for a check that must see every one (a plugin's walk, fuzz/heaps/plugin_walk.h).
  virtual size_t live_count() const = 0;
  virtual const char* live_payload(size_t i) const = 0;
};

// A white-box finding: the kind after "heap-invariant:" (e.g. "free-tag"), the region offset,
// and a one-line message.
struct HeapFinding {
  std::string id;
  size_t offset = 0;
  std::string message;
};

class TestedHeap {
 public:
  virtual ~TestedHeap() = default;
  virtual void* malloc(size_t n) = 0;
  virtual void free(void* p) = 0;
  virtual void* realloc(void* p, size_t n) = 0;
  virtual void* calloc(size_t count, size_t size) = 0;
  // The aligned calls (C11 aligned_alloc, POSIX posix_memalign, the older memalign), called only
  // on a heap whose capabilities() hold Capability::kAligned; a heap without them keeps these
  // defaults, which stop the process (the executor never gets there). posix_memalign returns 0
  // and sets *out, or returns an error number and leaves *out alone. A bad ALIGN is answered as
  // profile() says.
  virtual void* memalign(size_t align, size_t n);
  virtual void* aligned_alloc(size_t align, size_t n);
  virtual int posix_memalign(void** out, size_t align, size_t n);
  // C23's sized free: n (and align) are what the block was asked with. Called only with
  // Capability::kSizedFree; the defaults ignore the size, which C23 allows.
  virtual void free_sized(void* p, size_t n) {
    (void)n;
    free(p);
  }
  virtual void free_aligned_sized(void* p, size_t align, size_t n) {
    (void)align;
    (void)n;
    free(p);
  }
  // What the heap has (heap_traits.h). Default: usable-size, and region when uses_region().
  virtual CapabilitySet capabilities() const;
  // Its implementation-defined choices (heap_traits.h). Default: glibc's.
  virtual BehaviourProfile profile() const { return {}; }
  // Bytes usable at p, or SIZE_MAX when the heap cannot tell.
  virtual size_t usable_size(const void* p) = 0;
  // The payload alignment the heap promises.
  virtual size_t alignment() const = 0;
  // White-box checks. `near` null: the whole heap; otherwise cheap checks around that live
  // block (or, with near == nullptr and full == false, only the O(1) ones). Heaps without a
  // checker return nullopt.
  virtual std::optional<HeapFinding> check(bool full, const void* near, const LiveView& live) = 0;
  // Whether check() is a white-box checker of ours, which sees a broken heap at the operation
  // that broke it. False for heaps judged from the outside only (glibc, plugins, whose
  // self_check is theirs): for them a symptom may come operations after the damage, and
  // replay searches for the first broken operation with the drain probe
  // (fuzz/harness/drain_probe.h).
  virtual bool has_checker() const { return false; }
  // The white-box leak check, asked when the user holds no block (and so must have given every
  // byte back): a message naming memory the heap still counts as used, or nullopt. Only a heap
  // that knows its layout can say; the others return nullopt (the drain probe judges them).
  virtual std::optional<HeapFinding> check_empty() { return std::nullopt; }
  // A map of the heap around `offset`, for reports (optional).
  virtual void append_map(size_t offset, TextBuffer& out) const {
    (void)offset;
    (void)out;
  }
  virtual void reset() = 0;
  // False for a heap whose blocks are not on the region (the system allocator). The shadow
  // model then skips the judgements that need the region (below the break, clear of foreign
  // spans), and reports name blocks by allocation number, not by region offset, since their
  // addresses differ from run to run.
  virtual bool uses_region() const { return true; }
  // How many requests the heap refused for want of memory without asking the region (a
  // region-less heap's budget), since it was made. A NULL is fair when this count or the
  // region's failed growths rose during the call.
  virtual uint64_t refusals() const { return 0; }
  // For `footprint`: the bytes a heap off the region holds from the system, by its own
  // statistics, or nullopt when glibc's mapped bytes are the measure (glibc itself).
  virtual std::optional<uint64_t> footprint_bytes() { return std::nullopt; }
  // Turns on the named historical defect (`# defect: NAME`), or none for an empty name.
  // False when this heap (or this build) has no such defect. Set before run(); reset() keeps it.
  virtual bool set_defect(std::string_view name) { return name.empty(); }
  // The defects this heap can switch on in this build (empty without ALLOCFUZZ_DEFECTS).
  virtual std::vector<std::string_view> defect_names() const { return {}; }
};

// The heaps the harness can build, by name (`# heap: NAME`, `--heap=NAME`).
struct HeapKind {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<TestedHeap> (*make)(PseudoBrk& region);
};
const std::vector<HeapKind>& heap_kinds();
const HeapKind* find_heap_kind(std::string_view name);
// Adds a heap kind to the registry, e.g. the deliberately broken heaps that only a test build
// of the command line links in. Call it before any lookup (a static initializer will do); the
// name and description must outlive the process. Returns false, changing nothing, when the
// name is taken.
bool register_heap_kind(const HeapKind& kind);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_TESTED_HEAP_H_
