// Which region a plugin's brk and sbrk reach. A plugin allocator (plugins/allocfuzz_plugin.h)
// asks for memory through plain functions with glibc's signatures, either the pointers in its
// `allocfuzz_region` or, linked with WRAP_BRK, the C library's own `sbrk`/`brk`, which the
// linker's --wrap turns into calls of `__wrap_sbrk`/`__wrap_brk` defined here. A plain
// function cannot carry a PseudoBrk, so one process-global pointer names the current one.
//
// That is sound because the harness is single-threaded and calls into one heap at a time: the
// plugin adapter makes its region current for the length of each call into the allocator
// (CurrentRegionScope) and restores the previous one after it. Outside such a call no region
// is current, and a brk or sbrk then aborts with a message instead of moving the process's
// real break: an allocator that grows the real break would run outside the region, out of
// the harness's sight, and survive the per-program reset; better to say so at once.
#ifndef ALLOCFUZZ_FUZZ_PLUGIN_REGION_H_
#define ALLOCFUZZ_FUZZ_PLUGIN_REGION_H_

#include <cstdint>

#include "allocator/region/pseudo_brk.h"

namespace allocfuzz {

// Makes `region` current until the end of the scope. Scopes nest.
class CurrentRegionScope {
 public:
  explicit CurrentRegionScope(PseudoBrk& region);
  ~CurrentRegionScope();
  CurrentRegionScope(const CurrentRegionScope&) = delete;
  CurrentRegionScope& operator=(const CurrentRegionScope&) = delete;

 private:
  PseudoBrk* previous_;
};

// The region the plugins' brk and sbrk reach now, or nullptr.
PseudoBrk* current_plugin_region();

// The functions handed to plugins in `allocfuzz_region`: the current region's sbrk and brk.
// Without a current region they abort with a message.
extern "C" void* allocfuzz_region_sbrk(intptr_t delta);
extern "C" int allocfuzz_region_brk(void* addr);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_PLUGIN_REGION_H_
