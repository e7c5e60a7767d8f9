// The current region and the brk/sbrk trampolines; see plugin_region.h.
#include "fuzz/heaps/plugin_region.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace allocfuzz {
namespace {

PseudoBrk* g_current = nullptr;

// Plain write(2): this may run inside the allocator's own call, where nothing may allocate.
[[noreturn]] void no_current_region(const char* function) {
  const char* parts[] = {
      "allocfuzz: ", function,
      " called while no region is current: a plugin allocator may move the "
      "break only inside a call from the harness (fuzz/heaps/plugin_region.h)\n"};
  for (const char* part : parts) (void)!write(2, part, std::strlen(part));
  abort();
}

}  // namespace

CurrentRegionScope::CurrentRegionScope(PseudoBrk& region) : previous_(g_current) {
  g_current = &region;
}

CurrentRegionScope::~CurrentRegionScope() { g_current = previous_; }

PseudoBrk* current_plugin_region() { return g_current; }

extern "C" void* allocfuzz_region_sbrk(intptr_t delta) {
  if (g_current == nullptr) no_current_region("sbrk");
  return g_current->sbrk(delta);
}

extern "C" int allocfuzz_region_brk(void* addr) {
  if (g_current == nullptr) no_current_region("brk");
  return g_current->brk(addr);
}

}  // namespace allocfuzz

// What the linker calls instead of the C library's sbrk and brk in a binary linked with
// --wrap=sbrk,--wrap=brk (a WRAP_BRK plugin's link options): only references from the objects
// of that link are rewritten, so the C library's own malloc keeps the real break.
extern "C" void* __wrap_sbrk(intptr_t delta) { return allocfuzz::allocfuzz_region_sbrk(delta); }
extern "C" int __wrap_brk(void* addr) { return allocfuzz::allocfuzz_region_brk(addr); }
