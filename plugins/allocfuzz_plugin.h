/* allocfuzz_plugin.h: how an allocator describes itself to the allocfuzz harness. Plain C, so
 * that an allocator written in C (or C++) can include it unchanged.
 *
 * A plugin exports one function, named after the heap (a C identifier):
 *
 *     const struct allocfuzz_allocator* allocfuzz_plugin_NAME(void);
 *
 * returning a descriptor that lives as long as the process. CMake's
 * `allocfuzz_add_allocator(NAME SOURCES ... [WRAP_BRK])` (cmake/AllocfuzzPlugins.cmake) builds
 * the sources, registers the heap as NAME (`# heap: NAME`, `allocfuzz --heap=NAME`) and builds
 * the fuzz target NAME_fuzzer.
 *
 * The rules, for every function of the descriptor:
 * - Memory comes from the region only. Either through `region->sbrk` / `region->brk`, or, with
 *   WRAP_BRK, through plain `sbrk()` / `brk()`, which the linker routes to the same region. No
 *   mmap, no C library malloc: the harness judges every byte of the region, and only it.
 * - `init(region)` is called at the start of every program, after the region was reset to an
 *   empty break at `region->start`. The allocator must forget ALL its state then: the memory
 *   of the last program is gone. An allocator kept in globals (the usual case) resets them.
 *   `region` stays valid until the next `init`.
 * - One program at a time, on one thread: the harness never calls in concurrently. A plugin
 *   has one instance of its state per process, so every program begins with `init`.
 * - malloc, free, realloc and calloc keep the C standard's contracts. realloc(NULL, n) is
 *   malloc(n); realloc(p, 0) may free p and return NULL; calloc returns NULL when
 *   count * size overflows. A NULL while the region refused no growth is reported as
 *   `spurious-null` (unless no region could hold the request).
 * - `alignment` (a power of two): every payload address is a multiple of it. Declare what the
 *   allocator truly guarantees; the harness checks it on every block (`misaligned`).
 * - `usable_size` may be NULL (the harness then checks nothing there). Otherwise it returns the
 *   bytes usable at a live payload, at least what was asked for (`usable-too-small`).
 * - `self_check` may be NULL. Otherwise it walks the allocator's own structures and returns
 *   NULL when every invariant holds, or a one-line message saying what is broken, and may set
 *   `*where` to the address concerned. The message lives in the plugin's own storage (not in
 *   the heap under test) until the next call. It is reported as `heap-invariant:self-check`.
 *   It runs at full checks: after every operation in replay, amortized in the fuzzer.
 * - Messages should name region offsets (address - region->start), not addresses, so that a
 *   report is the same on every run and machine.
 * - The allocator must not define malloc/free/... under the C library's names: they would
 *   replace the process's own allocator. Export them only through the descriptor.
 */
#ifndef ALLOCFUZZ_PLUGINS_ALLOCFUZZ_PLUGIN_H_
#define ALLOCFUZZ_PLUGINS_ALLOCFUZZ_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when the structs below change incompatibly; the harness refuses other versions. */
#define ALLOCFUZZ_PLUGIN_ABI_VERSION 1

/* The region the harness hands to `init`: a private program break with the kernel's rules
 * (allocator/region/pseudo_brk.h). sbrk returns the old break, or (void*)-1 with errno ENOMEM when
 * it refuses to grow; brk returns 0 or -1. The break may move by itself between calls: another
 * party can take memory above it, as any other user of sbrk would. */
struct allocfuzz_region {
  void* (*sbrk)(intptr_t delta);
  int (*brk)(void* addr);
  void* start;          /* the break after the reset: the lowest address the heap may use */
  size_t reserve_bytes; /* the break never grows past start + reserve_bytes */
};

struct allocfuzz_allocator {
  unsigned abi_version;    /* ALLOCFUZZ_PLUGIN_ABI_VERSION */
  const char* name;        /* the NAME of allocfuzz_plugin_NAME */
  const char* description; /* one line for `allocfuzz list` */
  size_t alignment;        /* payload alignment guaranteed, a power of two */
  void (*init)(const struct allocfuzz_region* region);
  void* (*malloc)(size_t n);
  void (*free)(void* p);
  void* (*realloc)(void* p, size_t n);
  void* (*calloc)(size_t count, size_t size);
  size_t (*usable_size)(const void* p);          /* may be NULL */
  const char* (*self_check)(const void** where); /* may be NULL */
};

#ifdef __cplusplus
}
#endif

#endif /* ALLOCFUZZ_PLUGINS_ALLOCFUZZ_PLUGIN_H_ */
