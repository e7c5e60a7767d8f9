/* allocfuzz_plugin.h: how an allocator describes itself to the allocfuzz harness. Plain C, so
 * that an allocator written in C (or C++) can include it unchanged.
 *
 * A plugin exports one function, named after the heap (a C identifier):
 *
 *     const struct allocfuzz_allocator* allocfuzz_plugin_NAME(void);
 *
 * returning a descriptor that lives as long as the process. There are two versions of the
 * descriptor, told apart by `abi_version`, its first member in both:
 *   v1  struct allocfuzz_allocator, abi_version ALLOCFUZZ_PLUGIN_ABI_VERSION (1): the
 *       allocator keeps its state in globals; the rules below.
 *   v2  struct allocfuzz_allocator_v2, abi_version ALLOCFUZZ_PLUGIN_ABI_VERSION_2: a context
 *       pointer in every call, `max_request`, `flags` and an optional `walk`; the rules below
 *       and those above the struct. The function returns ALLOCFUZZ_PLUGIN_V2(&descriptor). CMake's
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
 *   allocator truly guarantees; the harness checks it on every block (`misaligned`). The C
 *   standard asks malloc for alignof(max_align_t) (16 on x86-64): a smaller alignment is refused
 *   at registration unless a v2 descriptor declares it with ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT
 *   (`allocfuzz list` then shows it), so that a weaker promise is never made by accident.
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

/* The versions of the descriptor the harness takes; it refuses any other. A new version is a
 * new struct and a new number: a descriptor's layout never changes under its number, so a v1
 * source keeps compiling and loading with v1's behaviour. */
#define ALLOCFUZZ_PLUGIN_ABI_VERSION 1   /* struct allocfuzz_allocator */
#define ALLOCFUZZ_PLUGIN_ABI_VERSION_2 2 /* struct allocfuzz_allocator_v2 */

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

/* --- Version 2 ------------------------------------------------------------------------------
 * The rules of v1 hold, except where said here.
 * - Context. The harness owns the plugin's state: for every heap it makes of the plugin it
 *   allocates `context_bytes` bytes (outside the region, aligned to max_align_t), zeroes them
 *   before every `init`, passes them as `context` to every call, and releases them when the
 *   heap is destroyed. A plugin that keeps ALL its state there (no globals) can have several
 *   heaps alive at once, each on its own region, as heap_fuzzer makes them; the harness allows
 *   it (v1's "the heap reset last owns the state" rule is gone). context_bytes 0: context is
 *   NULL.
 * - `max_request`: the largest request (malloc's n, realloc's n, calloc's count * size) the
 *   allocator takes; 0 means no limit of its own. The harness answers a larger one itself,
 *   without calling the allocator: NULL with errno ENOMEM, realloc's block left as it was (a
 *   calloc whose product overflows likewise). For an allocator whose sizes wrap inside it
 *   (32-bit size fields), so that such requests never reach it; the shadow counts the answer as
 *   a refusal, so the NULL is fair.
 * - `flags`: ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT declares an `alignment` below
 *   alignof(max_align_t) on purpose. Other bits must be 0.
 * - `walk` may be NULL. Otherwise it calls `visit(visit_context, payload, size, in_use)` once for
 *   every block the allocator has, in any order: `payload` the address malloc returned (or would
 *   return) for it, `size` the bytes usable from there, `in_use` 1 for a block handed out and not
 *   yet freed, 0 for a free one. The harness cross-checks it with what the user holds, at full
 *   checks (as self_check): every live block reported exactly once in use, with at least its
 *   requested size, and no free block overlapping a live one; else `heap-invariant:walk`.
 *   Blocks in use that the user does not hold (the allocator's own) are allowed. `walk` must not
 *   allocate and must not call back into the allocator.
 */

/* flags of struct allocfuzz_allocator_v2 */
#define ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT 1u

typedef void (*allocfuzz_walk_visit)(void* visit_context, const void* payload, size_t size,
                                     int in_use);

struct allocfuzz_allocator_v2 {
  unsigned abi_version;    /* ALLOCFUZZ_PLUGIN_ABI_VERSION_2 (first, as in v1) */
  const char* name;        /* the NAME of allocfuzz_plugin_NAME */
  const char* description; /* one line for `allocfuzz list` */
  size_t alignment;        /* payload alignment guaranteed, a power of two */
  unsigned flags;          /* ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT, or 0 */
  size_t max_request;      /* the largest request taken; 0: no limit of the allocator's own */
  size_t context_bytes;    /* the size of the state the harness keeps for each heap */
  void (*init)(void* context, const struct allocfuzz_region* region);
  void* (*malloc)(void* context, size_t n);
  void (*free)(void* context, void* p);
  void* (*realloc)(void* context, void* p, size_t n);
  void* (*calloc)(void* context, size_t count, size_t size);
  size_t (*usable_size)(void* context, const void* p);                          /* may be NULL */
  const char* (*self_check)(void* context, const void** where);                 /* may be NULL */
  void (*walk)(void* context, allocfuzz_walk_visit visit, void* visit_context); /* may be NULL */
};

/* What allocfuzz_plugin_NAME returns for a v2 descriptor: the harness reads abi_version, the
 * first member of both structs, and converts back. */
#define ALLOCFUZZ_PLUGIN_V2(descriptor) \
  ((const struct allocfuzz_allocator*)(const void*)(descriptor))

#ifdef __cplusplus
}
#endif

#endif /* ALLOCFUZZ_PLUGINS_ALLOCFUZZ_PLUGIN_H_ */
