// Libraries loaded RTLD_LOCAL; see local_library.h.
#include "fuzz/heaps/local_library.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace allocfuzz {

void* local_symbol(const char* path, const char* name) {
  // dlopen counts references: a second load of the same path returns the same handle.
  void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    std::fprintf(stderr, "allocfuzz: cannot load %s: %s\n", path, dlerror());
    std::abort();
  }
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) {
    std::fprintf(stderr, "allocfuzz: %s has no %s\n", path, name);
    std::abort();
  }
  return symbol;
}

}  // namespace allocfuzz
