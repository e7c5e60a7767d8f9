// tcmalloc behind the TestedHeap interface; see tcmalloc_heap.h.
#include "fuzz/heaps/tcmalloc_heap.h"

#include <gperftools/malloc_extension_c.h>
#include <gperftools/tcmalloc.h>

#include <new>
#include <vector>

#include "fuzz/heaps/library_heap.h"
#include "fuzz/heaps/local_library.h"

namespace allocfuzz {
namespace {

// tcmalloc's functions, from the library loaded RTLD_LOCAL (local_library.h; the path is
// fuzz/CMakeLists.txt's ALLOCFUZZ_TCMALLOC_LIBRARY).
struct Tcmalloc {
#define ALLOCFUZZ_TC(name) \
  decltype(&::name) name = local_function<decltype(::name)>(ALLOCFUZZ_TCMALLOC_LIBRARY, #name)
  ALLOCFUZZ_TC(tc_malloc);
  ALLOCFUZZ_TC(tc_calloc);
  ALLOCFUZZ_TC(tc_realloc);
  ALLOCFUZZ_TC(tc_memalign);
  ALLOCFUZZ_TC(tc_free);
  ALLOCFUZZ_TC(tc_free_sized);
  ALLOCFUZZ_TC(tc_delete_sized_aligned);
  ALLOCFUZZ_TC(tc_malloc_size);
  ALLOCFUZZ_TC(MallocExtension_GetNumericProperty);
#undef ALLOCFUZZ_TC
};

const Tcmalloc& tc() {
  static const Tcmalloc fns;
  return fns;
}

class TcmallocHeap final : public LibraryHeap {
 public:
  explicit TcmallocHeap(const PseudoBrk& region) : LibraryHeap(region) {}
  ~TcmallocHeap() override { reset(); }

  BehaviourProfile profile() const override {
    BehaviourProfile p;
    p.malloc_zero = ZeroMalloc::kUniqueBlock;
    p.realloc_zero = ReallocZero::kFrees;
    p.memalign_bad = BadAlignment::kNotAsked;
    p.aligned_alloc_bad = BadAlignment::kNotAsked;
    p.posix_memalign_bad = BadAlignment::kEinval;
    return p;
  }
  std::optional<HeapFinding> check(bool, const void*, const LiveView&) override {
    return std::nullopt;  // no walk; MallocExtension_VerifyAllMemory checks only the debug build
  }

  // The pages tcmalloc's spans hold (generic.heap_size less the page heap's free and unmapped
  // bytes): what its size classes and caches keep, process-wide like glibc's mapped bytes.
  // heap_size alone never shrinks, so a program run after others would show no growth.
  std::optional<uint64_t> footprint_bytes() override {
    size_t heap = 0, free = 0, unmapped = 0;
    if (tc().MallocExtension_GetNumericProperty("generic.heap_size", &heap) == 0 ||
        tc().MallocExtension_GetNumericProperty("tcmalloc.pageheap_free_bytes", &free) == 0 ||
        tc().MallocExtension_GetNumericProperty("tcmalloc.pageheap_unmapped_bytes", &unmapped) ==
            0) {
      return std::nullopt;
    }
    return uint64_t{heap} - free - unmapped;
  }

 protected:
  void* lib_malloc(size_t n) override { return tc().tc_malloc(n); }
  void* lib_calloc(size_t count, size_t size) override { return tc().tc_calloc(count, size); }
  void* lib_realloc(void* p, size_t n) override { return tc().tc_realloc(p, n); }
  void* lib_aligned(size_t align, size_t n) override { return tc().tc_memalign(align, n); }
  void lib_free(void* p) override { tc().tc_free(p); }
  void lib_free_sized(void* p, size_t n, size_t align) override {
    if (align == 0) {
      tc().tc_free_sized(p, n);
    } else {  // an aligned block's size class follows from size and alignment together
      tc().tc_delete_sized_aligned(p, n, static_cast<std::align_val_t>(align));
    }
  }
  size_t lib_usable_size(const void* p) override {
    return tc().tc_malloc_size(const_cast<void*>(p));
  }
  void lib_reset(const std::vector<void*>& held) override {
    for (void* p : held) tc().tc_free(p);
  }
};

}  // namespace

std::unique_ptr<TestedHeap> make_tcmalloc_heap(PseudoBrk& region) {
  return std::make_unique<TcmallocHeap>(region);
}

}  // namespace allocfuzz
