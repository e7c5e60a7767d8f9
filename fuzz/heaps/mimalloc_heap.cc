// mimalloc behind the TestedHeap interface; see mimalloc_heap.h.
#include "fuzz/heaps/mimalloc_heap.h"

#include <mimalloc.h>

#include <vector>

#include "fuzz/heaps/library_heap.h"
#include "fuzz/heaps/local_library.h"
#include "fuzz/heaps/plugin_walk.h"

namespace allocfuzz {
namespace {

// mimalloc's functions, from the library loaded RTLD_LOCAL (local_library.h; the path is
// fuzz/CMakeLists.txt's ALLOCFUZZ_MIMALLOC_LIBRARY).
struct Mimalloc {
#define ALLOCFUZZ_MI(name) \
  decltype(&::name) name = local_function<decltype(::name)>(ALLOCFUZZ_MIMALLOC_LIBRARY, #name)
  ALLOCFUZZ_MI(mi_heap_new);
  ALLOCFUZZ_MI(mi_heap_destroy);
  ALLOCFUZZ_MI(mi_heap_malloc);
  ALLOCFUZZ_MI(mi_heap_calloc);
  ALLOCFUZZ_MI(mi_heap_realloc);
  ALLOCFUZZ_MI(mi_heap_malloc_aligned);
  ALLOCFUZZ_MI(mi_heap_visit_blocks);
  ALLOCFUZZ_MI(mi_free);
  ALLOCFUZZ_MI(mi_free_size);
  ALLOCFUZZ_MI(mi_free_size_aligned);
  ALLOCFUZZ_MI(mi_usable_size);
#undef ALLOCFUZZ_MI
};

const Mimalloc& mi() {
  static const Mimalloc fns;
  return fns;
}

class MimallocHeap final : public LibraryHeap {
 public:
  explicit MimallocHeap(const PseudoBrk& region) : LibraryHeap(region), heap_(mi().mi_heap_new()) {}
  ~MimallocHeap() override { mi().mi_heap_destroy(heap_); }

  CapabilitySet capabilities() const override {
    return LibraryHeap::capabilities() & ~capability_bit(Capability::kThreadSafe);
  }
  BehaviourProfile profile() const override {
    BehaviourProfile p;
    p.malloc_zero = ZeroMalloc::kUniqueBlock;
    // mimalloc's own answer (mi_heap_realloc(p, 0), checked): a minimal block. A differential
    // run against glibc's freeing NULL reads this line as the explanation.
    p.realloc_zero = ReallocZero::kReturnsBlock;
    p.memalign_bad = BadAlignment::kEinval;
    p.aligned_alloc_bad = BadAlignment::kEinval;
    p.posix_memalign_bad = BadAlignment::kEinval;
    return p;
  }

  // Every block mimalloc counts in use in this heap, against the live ones. An aligned block
  // may start inside the block mimalloc reports, so a live block is matched by containment.
  std::optional<HeapFinding> check(bool full, const void* near, const LiveView& live) override {
    if (!full || near != nullptr) return std::nullopt;  // the walk is O(heap): full checks only
    walked_.clear();
    mi().mi_heap_visit_blocks(heap_, true, &MimallocHeap::visit, &walked_);
    return check_walk(walked_, live, WalkSpace::off_region());
  }

  std::optional<uint64_t> footprint_bytes() override {
    uint64_t committed = 0;
    mi().mi_heap_visit_blocks(heap_, false, &MimallocHeap::add_committed, &committed);
    return committed;
  }

 protected:
  void* lib_malloc(size_t n) override { return mi().mi_heap_malloc(heap_, n); }
  void* lib_calloc(size_t count, size_t size) override {
    return mi().mi_heap_calloc(heap_, count, size);
  }
  void* lib_realloc(void* p, size_t n) override { return mi().mi_heap_realloc(heap_, p, n); }
  void* lib_aligned(size_t align, size_t n) override {
    return mi().mi_heap_malloc_aligned(heap_, n, align);
  }
  void lib_free(void* p) override { mi().mi_free(p); }
  void lib_free_sized(void* p, size_t n, size_t align) override {
    if (align == 0) {
      mi().mi_free_size(p, n);
    } else {
      mi().mi_free_size_aligned(p, n, align);
    }
  }
  size_t lib_usable_size(const void* p) override { return mi().mi_usable_size(p); }
  void lib_reset(const std::vector<void*>&) override {
    mi().mi_heap_destroy(heap_);
    heap_ = mi().mi_heap_new();
  }

 private:
  static bool visit(const mi_heap_t*, const mi_heap_area_t*, void* block, size_t size, void* arg) {
    if (block != nullptr) {  // null: the area itself, visited before its blocks
      static_cast<std::vector<WalkBlock>*>(arg)->push_back(
          WalkBlock{static_cast<const char*>(block), size, true});
    }
    return true;
  }
  static bool add_committed(const mi_heap_t*, const mi_heap_area_t* area, void* block, size_t,
                            void* arg) {
    if (block == nullptr) *static_cast<uint64_t*>(arg) += area->committed;
    return true;
  }

  mi_heap_t* heap_;
  std::vector<WalkBlock> walked_;
};

}  // namespace

std::unique_ptr<TestedHeap> make_mimalloc_heap(PseudoBrk& region) {
  return std::make_unique<MimallocHeap>(region);
}

}  // namespace allocfuzz
