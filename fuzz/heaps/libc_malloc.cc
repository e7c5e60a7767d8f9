// The process's own malloc stays the C library's (or the sanitizer's) although the production
// allocators are linked in.
//
// libmimalloc, libjemalloc and libtcmalloc each export malloc, free, operator new and the rest:
// linked into an executable, they would become the process's allocator, and the harness's own
// allocations (the shadow model, the reports) would share a heap with the one under test. In a
// sanitizer build that cannot happen: the sanitizer defines those symbols in the executable,
// and the executable's symbols win. Without a sanitizer (the release and coverage builds) this
// file plays that part: it defines them in the executable, forwarding to glibc's own entry
// points (__libc_malloc and friends), so they win in the same way. The linker keeps this object
// because fuzz/CMakeLists.txt makes every executable ask for allocfuzz_libc_malloc_kept.
// tests/heaps/library_heaps_test.cc checks, in each build, where the harness's blocks come from.
#include <dlfcn.h>

#include <cerrno>
#include <cstddef>
#include <new>

extern "C" int allocfuzz_libc_malloc_kept = 0;

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
#define ALLOCFUZZ_SANITIZER_ALLOCATOR 1
#endif
#endif

#ifdef ALLOCFUZZ_SANITIZER_ALLOCATOR

// tcmalloc registers its MallocExtension at load time with a `new` it never deletes (by design:
// it lives as long as the process). LeakSanitizer would report it at the exit of every
// executable, since every one links the library.
extern "C" const char* __lsan_default_suppressions() { return "leak:MallocExtension::Register\n"; }
// Quietly: the suppression's summary would follow every executable's output.
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }

#else

extern "C" {
void* __libc_malloc(size_t n);
void __libc_free(void* p);
void* __libc_realloc(void* p, size_t n);
void* __libc_calloc(size_t count, size_t size);
void* __libc_memalign(size_t align, size_t n);
void* __libc_valloc(size_t n);
void* __libc_pvalloc(size_t n);

void* malloc(size_t n) { return __libc_malloc(n); }
void free(void* p) { __libc_free(p); }
void* realloc(void* p, size_t n) { return __libc_realloc(p, n); }
void* calloc(size_t count, size_t size) { return __libc_calloc(count, size); }
void* memalign(size_t align, size_t n) { return __libc_memalign(align, n); }
void* aligned_alloc(size_t align, size_t n) { return __libc_memalign(align, n); }
void* valloc(size_t n) { return __libc_valloc(n); }
void* pvalloc(size_t n) { return __libc_pvalloc(n); }
int posix_memalign(void** out, size_t align, size_t n) {
  if (align == 0 || (align & (align - 1)) != 0 || align % sizeof(void*) != 0) return EINVAL;
  const int saved = errno;
  void* p = __libc_memalign(align, n);
  if (p == nullptr) {
    errno = saved;
    return ENOMEM;
  }
  *out = p;
  return 0;
}
// glibc has no __libc_ name for it: its own, looked up in libc itself.
size_t malloc_usable_size(void* p) {
  using Fn = size_t (*)(void*);
  static const Fn glibc = [] {
    void* libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
    return libc != nullptr ? reinterpret_cast<Fn>(dlsym(libc, "malloc_usable_size")) : nullptr;
  }();
  return glibc != nullptr ? glibc(p) : 0;
}
}  // extern "C"

// The replaceable operators new and delete ([new.delete]), on the functions above; otherwise
// they would be the allocators' (each library exports them too).
namespace {

void* new_block(size_t n) {
  for (;;) {
    if (void* p = __libc_malloc(n == 0 ? 1 : n)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* new_aligned(size_t n, std::align_val_t align) {
  for (;;) {
    if (void* p = __libc_memalign(static_cast<size_t>(align), n == 0 ? 1 : n)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

template <typename F>
void* or_null(F f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

}  // namespace

void* operator new(size_t n) { return new_block(n); }
void* operator new[](size_t n) { return new_block(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return or_null([n] { return new_block(n); });
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return or_null([n] { return new_block(n); });
}
void* operator new(size_t n, std::align_val_t a) { return new_aligned(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return new_aligned(n, a); }
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return or_null([n, a] { return new_aligned(n, a); });
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return or_null([n, a] { return new_aligned(n, a); });
}
void operator delete(void* p) noexcept { __libc_free(p); }
void operator delete[](void* p) noexcept { __libc_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete(void* p, size_t) noexcept { __libc_free(p); }
void operator delete[](void* p, size_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  __libc_free(p);
}
void operator delete(void* p, size_t, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { __libc_free(p); }

#endif  // ALLOCFUZZ_SANITIZER_ALLOCATOR
