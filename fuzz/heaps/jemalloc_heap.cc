// jemalloc behind the TestedHeap interface; see jemalloc_heap.h.
#include "fuzz/heaps/jemalloc_heap.h"

#include <jemalloc/jemalloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/heaps/library_heap.h"

namespace allocfuzz {
namespace {

// A mallctl that must not fail: the harness cannot run a program without its arena.
void must(int error, const char* what) {
  if (error == 0) return;
  std::fprintf(stderr, "allocfuzz: jemalloc: mallctl(\"%s\") failed with error %d\n", what, error);
  std::abort();
}

unsigned create_arena() {
  unsigned arena = 0;
  size_t size = sizeof arena;
  must(mallctl("arenas.create", &arena, &size, nullptr, 0), "arenas.create");
  return arena;
}

class JemallocHeap final : public LibraryHeap {
 public:
  explicit JemallocHeap(const PseudoBrk& region) : LibraryHeap(region), arena_(create_arena()) {}
  ~JemallocHeap() override { destroy_arena(); }

  BehaviourProfile profile() const override {
    BehaviourProfile p;
    p.malloc_zero = ZeroMalloc::kUniqueBlock;
    p.realloc_zero = ReallocZero::kFrees;
    p.memalign_bad = BadAlignment::kEinval;
    p.aligned_alloc_bad = BadAlignment::kEinval;
    p.posix_memalign_bad = BadAlignment::kEinval;
    return p;
  }
  std::optional<HeapFinding> check(bool, const void*, const LiveView&) override {
    return std::nullopt;  // jemalloc has no walk of its blocks
  }

  // The arena's active pages (stats.arenas.<i>.pactive, refreshed by "epoch"), in bytes.
  std::optional<uint64_t> footprint_bytes() override {
    uint64_t epoch = 1;
    size_t size = sizeof epoch;
    if (mallctl("epoch", &epoch, &size, &epoch, size) != 0) return std::nullopt;
    size_t pages = 0, page = 0;
    size = sizeof pages;
    const std::string name = "stats.arenas." + std::to_string(arena_) + ".pactive";
    if (mallctl(name.c_str(), &pages, &size, nullptr, 0) != 0) return std::nullopt;
    size = sizeof page;
    if (mallctl("arenas.page", &page, &size, nullptr, 0) != 0) return std::nullopt;
    return uint64_t{pages} * page;
  }

 protected:
  void* lib_malloc(size_t n) override { return mallocx(std::max<size_t>(n, 1), flags()); }
  // LibraryHeap::calloc has refused a product that overflows.
  void* lib_calloc(size_t count, size_t size) override {
    return mallocx(std::max<size_t>(count * size, 1), flags() | MALLOCX_ZERO);
  }
  void* lib_realloc(void* p, size_t n) override { return rallocx(p, n, flags()); }
  void* lib_aligned(size_t align, size_t n) override {
    return mallocx(std::max<size_t>(n, 1), flags() | MALLOCX_ALIGN(align));
  }
  void lib_free(void* p) override { dallocx(p, MALLOCX_TCACHE_NONE); }
  void lib_free_sized(void* p, size_t n, size_t align) override {
    // The size a block was asked with: mallocx got at least 1 byte.
    const int align_flag = align == 0 ? 0 : MALLOCX_ALIGN(align);
    sdallocx(p, std::max<size_t>(n, 1), MALLOCX_TCACHE_NONE | align_flag);
  }
  size_t lib_usable_size(const void* p) override {
    return sallocx(const_cast<void*>(p), MALLOCX_TCACHE_NONE);
  }
  // See jemalloc_heap.h for why a reset and not a destroy. No thread cache holds a block of the
  // arena (every call says MALLOCX_TCACHE_NONE), as arena.<i>.reset requires.
  void lib_reset(const std::vector<void*>&) override {
    const std::string name = "arena." + std::to_string(arena_) + ".reset";
    must(mallctl(name.c_str(), nullptr, nullptr, nullptr, 0), "arena.<i>.reset");
  }

 private:
  int flags() const { return static_cast<int>(MALLOCX_ARENA(arena_)) | MALLOCX_TCACHE_NONE; }
  void destroy_arena() {
    const std::string name = "arena." + std::to_string(arena_) + ".destroy";
    must(mallctl(name.c_str(), nullptr, nullptr, nullptr, 0), "arena.<i>.destroy");
  }

  const unsigned arena_;
};

}  // namespace

std::unique_ptr<TestedHeap> make_jemalloc_heap(PseudoBrk& region) {
  return std::make_unique<JemallocHeap>(region);
}

}  // namespace allocfuzz
