// A shared library loaded with RTLD_LOCAL, so that none of its symbols enters the process's
// global scope: libmimalloc and libtcmalloc export malloc, free, operator new and even glibc's
// own __libc_malloc names, and linked at start-up they would replace the process's allocator
// (and glibc's, for SystemTestedHeap). Their functions are reached through local_symbol only.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_LOCAL_LIBRARY_H_
#define ALLOCFUZZ_FUZZ_HEAPS_LOCAL_LIBRARY_H_

namespace allocfuzz {

// The function `name` of the library at `path`, loaded on first use (RTLD_NOW | RTLD_LOCAL).
// Stops the process with a message naming both when either is missing: a heap without its
// library cannot run.
void* local_symbol(const char* path, const char* name);

// local_symbol with the declared type of the function, e.g.
// local_function<decltype(mi_free)>(path, "mi_free"); the declaration is not linked against.
template <typename F>
F* local_function(const char* path, const char* name) {
  return reinterpret_cast<F*>(local_symbol(path, name));
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HEAPS_LOCAL_LIBRARY_H_
