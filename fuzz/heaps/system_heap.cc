// SystemTestedHeap: glibc's entry points behind the TestedHeap interface; see system_heap.h.
#include "fuzz/heaps/system_heap.h"

#include <dlfcn.h>
#include <malloc.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/heaps/alignment_rules.h"

// glibc exports its allocator under these names as well as the public ones; a sanitizer
// replaces only the public ones.
extern "C" {
void* __libc_malloc(size_t n);
void __libc_free(void* p);
void* __libc_realloc(void* p, size_t n);
void* __libc_calloc(size_t count, size_t size);
}

namespace allocfuzz {
namespace {

// A function of glibc's, looked up in libc itself: a sanitizer defines its own under the public
// name (malloc_usable_size, mallinfo) and would answer for its allocator. Null where it lacks it.
void* glibc_symbol(const char* name) {
  void* libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
  return libc != nullptr ? dlsym(libc, name) : nullptr;
}

struct GlibcFunctions {
  size_t (*usable_size)(void*);
  struct mallinfo2 (*info)();
  int (*trim)(size_t);
  // glibc exports no __libc_ names for aligned_alloc and posix_memalign, and ASan intercepts
  // __libc_memalign (the dynamic loader's TLS blocks come from it): all three from libc.
  void* (*memalign)(size_t, size_t);
  void* (*aligned_alloc)(size_t, size_t);
  int (*posix_memalign)(void**, size_t, size_t);
};

const GlibcFunctions& glibc() {
  static const GlibcFunctions fns{
      reinterpret_cast<size_t (*)(void*)>(glibc_symbol("malloc_usable_size")),
      reinterpret_cast<struct mallinfo2 (*)()>(glibc_symbol("mallinfo2")),
      reinterpret_cast<int (*)(size_t)>(glibc_symbol("malloc_trim")),
      reinterpret_cast<void* (*)(size_t, size_t)>(glibc_symbol("memalign")),
      reinterpret_cast<void* (*)(size_t, size_t)>(glibc_symbol("aligned_alloc")),
      reinterpret_cast<int (*)(void**, size_t, size_t)>(glibc_symbol("posix_memalign")),
  };
  return fns;
}

// What an aligned request may take of the budget: its size and its alignment (glibc asks for
// n + ALIGN and gives the rest back), saturating.
size_t aligned_cost(size_t align, size_t n) { return align > SIZE_MAX - n ? SIZE_MAX : n + align; }

// The libc's function, which every glibc has; reaching here without it is a broken libc.
template <typename F>
F need(F f, const char* name) {
  if (f == nullptr) {
    std::fprintf(stderr, "allocfuzz: libc.so.6 has no %s\n", name);
    std::abort();
  }
  return f;
}

}  // namespace

SystemTestedHeap::SystemTestedHeap(const PseudoBrk& region) : budget_(region.reserve_bytes()) {}

SystemTestedHeap::~SystemTestedHeap() { reset(); }

bool SystemTestedHeap::over_budget(size_t released, size_t wanted) {
  if (wanted > PTRDIFF_MAX) return false;  // glibc refuses these itself
  size_t base = live_bytes_ - released;
  if (wanted <= budget_ && base <= budget_ - wanted) return false;
  ++refusals_;
  errno = ENOMEM;
  return true;
}

void* SystemTestedHeap::malloc(size_t n) {
  if (over_budget(0, n)) return nullptr;
  void* p = __libc_malloc(n);
  if (p != nullptr) {
    live_[p] = n;
    live_bytes_ += n;
  }
  return p;
}

void SystemTestedHeap::free(void* p) {
  if (p == nullptr) return;
  auto it = live_.find(p);
  if (it != live_.end()) {
    live_bytes_ -= it->second;
    live_.erase(it);
  }
  __libc_free(p);
}

void* SystemTestedHeap::realloc(void* p, size_t n) {
  size_t old = 0;
  auto it = p != nullptr ? live_.find(p) : live_.end();
  if (it != live_.end()) old = it->second;
  if (n != 0 || p == nullptr) {
    if (over_budget(old, n)) return nullptr;
  }
  void* q = __libc_realloc(p, n);
  if (q == nullptr && (p == nullptr || n != 0)) return nullptr;  // failed: p is untouched
  // Success, or realloc(p, 0) that freed p and returned NULL.
  if (it != live_.end()) {
    live_bytes_ -= old;
    live_.erase(it);
  }
  if (q != nullptr) {
    live_[q] = n;
    live_bytes_ += n;
  }
  return q;
}

void* SystemTestedHeap::calloc(size_t count, size_t size) {
  size_t bytes = 0;
  if (!__builtin_mul_overflow(count, size, &bytes) && over_budget(0, bytes)) return nullptr;
  void* p = __libc_calloc(count, size);
  if (p != nullptr) {
    live_[p] = bytes;
    live_bytes_ += bytes;
  }
  return p;
}

void* SystemTestedHeap::track(void* p, size_t n) {
  if (p != nullptr) {
    live_[p] = n;
    live_bytes_ += n;
  }
  return p;
}

void* SystemTestedHeap::memalign(size_t align, size_t n) {
  if (over_budget(0, aligned_cost(align, n))) return nullptr;
  return track(need(glibc().memalign, "memalign")(align, n), n);
}

void* SystemTestedHeap::aligned_alloc(size_t align, size_t n) {
  if (over_budget(0, aligned_cost(align, n))) return nullptr;
  return track(need(glibc().aligned_alloc, "aligned_alloc")(align, n), n);
}

int SystemTestedHeap::posix_memalign(void** out, size_t align, size_t n) {
  auto call = need(glibc().posix_memalign, "posix_memalign");
  // A bad alignment goes to glibc before the budget: it refuses with EINVAL before allocating,
  // and the budget's ENOMEM would hide that answer.
  if (alignment_accepted(OpKind::kPosixMemalign, align) && over_budget(0, aligned_cost(align, n))) {
    return ENOMEM;
  }
  void* p = nullptr;
  const int rc = call(&p, align, n);
  if (rc == 0) *out = track(p, n);
  return rc;
}

CapabilitySet SystemTestedHeap::capabilities() const {
  return capability_bit(Capability::kAligned) | capability_bit(Capability::kUsableSize);
}

BehaviourProfile SystemTestedHeap::profile() const {
  BehaviourProfile p;
  p.malloc_zero = ZeroMalloc::kUniqueBlock;
  p.realloc_zero = ReallocZero::kFrees;
  p.memalign_bad = BadAlignment::kRoundsUp;
  p.aligned_alloc_bad = BadAlignment::kRoundsUp;
  p.posix_memalign_bad = BadAlignment::kEinval;
  return p;
}

size_t SystemTestedHeap::usable_size(const void* p) {
  return glibc().usable_size != nullptr ? glibc().usable_size(const_cast<void*>(p)) : SIZE_MAX;
}

void SystemTestedHeap::reset() {
  for (const auto& [p, bytes] : live_) __libc_free(p);  // order does not matter: no output
  live_.clear();
  live_bytes_ = 0;
}

std::unique_ptr<TestedHeap> make_system_heap(PseudoBrk& region) {
  return std::make_unique<SystemTestedHeap>(region);
}

std::optional<uint64_t> glibc_mapped_bytes() {
  if (glibc().info == nullptr) return std::nullopt;
  const struct mallinfo2 m = glibc().info();
  return uint64_t{m.arena} + m.hblkhd;
}

void glibc_trim() {
  if (glibc().trim != nullptr) glibc().trim(0);
}

}  // namespace allocfuzz
