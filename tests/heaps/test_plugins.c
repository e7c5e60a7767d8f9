/* Two tiny plugin allocators for tests/heaps/plugin_adapter_test.cc, linked with WRAP_BRK
 * (tests/CMakeLists.txt) and never registered as heaps:
 *   test_wrapped  a bump allocator that calls the C library's plain sbrk(), which only the
 *                 linker's --wrap can route to the region; its self_check is deliberately
 *                 broken: it complains as soon as a block of 13 bytes was allocated.
 *   test_api      the same bump allocator on region->sbrk, without usable_size or self_check.
 * Blocks are never reused; a 16-byte header holds the requested size. Both share the globals
 * below, as one plugin's calls would: a test uses one of them at a time. */
#define _DEFAULT_SOURCE /* sbrk() in <unistd.h> under -std=c11 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plugins/allocfuzz_plugin.h"

enum { HEADER = 16 };

static const struct allocfuzz_region* region;
static void* (*grow)(intptr_t delta); /* plain sbrk (wrapped) or region->sbrk */
static const char* unlucky;           /* the last 13-byte block since init, or NULL */
static char message[128];

static void* plain_sbrk(intptr_t delta) { return sbrk(delta); }

static void init_wrapped(const struct allocfuzz_region* r) {
  region = r;
  grow = plain_sbrk;
  unlucky = NULL;
}

static void init_api(const struct allocfuzz_region* r) {
  region = r;
  grow = r->sbrk;
  unlucky = NULL;
}

static void* bump_malloc(size_t n) {
  if (n > region->reserve_bytes) return NULL;
  size_t bytes = HEADER + (n + HEADER - 1) / HEADER * HEADER;
  char* p = grow((intptr_t)bytes);
  if (p == (char*)-1) return NULL;
  memcpy(p, &n, sizeof n);
  if (n == 13) unlucky = p + HEADER;
  return p + HEADER;
}

static void bump_free(void* p) { (void)p; }

static size_t bump_usable_size(const void* p) {
  size_t n;
  memcpy(&n, (const char*)p - HEADER, sizeof n);
  return n;
}

static void* bump_realloc(void* p, size_t n) {
  if (p == NULL) return bump_malloc(n);
  if (n == 0) return NULL;
  void* q = bump_malloc(n);
  if (q == NULL) return NULL;
  size_t old = bump_usable_size(p);
  memcpy(q, p, old < n ? old : n);
  return q;
}

static void* bump_calloc(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) return NULL;
  void* p = bump_malloc(count * size);
  if (p != NULL) memset(p, 0, count * size);
  return p;
}

static const char* unlucky_check(const void** where) {
  if (unlucky == NULL) return NULL;
  *where = unlucky;
  snprintf(message, sizeof message, "test_wrapped: the block at +0x%06zx has 13 bytes",
           (size_t)(unlucky - (const char*)region->start));
  return message;
}

static const struct allocfuzz_allocator wrapped = {
    .abi_version = ALLOCFUZZ_PLUGIN_ABI_VERSION,
    .name = "test_wrapped",
    .description = "TEST ONLY: bump allocator on plain sbrk; self_check hates 13-byte blocks",
    .alignment = 16,
    .init = init_wrapped,
    .malloc = bump_malloc,
    .free = bump_free,
    .realloc = bump_realloc,
    .calloc = bump_calloc,
    .usable_size = bump_usable_size,
    .self_check = unlucky_check,
};

static const struct allocfuzz_allocator api = {
    .abi_version = ALLOCFUZZ_PLUGIN_ABI_VERSION,
    .name = "test_api",
    .description = "TEST ONLY: bump allocator on region->sbrk",
    .alignment = 16,
    .init = init_api,
    .malloc = bump_malloc,
    .free = bump_free,
    .realloc = bump_realloc,
    .calloc = bump_calloc,
    .usable_size = NULL,
    .self_check = NULL,
};

const struct allocfuzz_allocator* allocfuzz_plugin_test_wrapped(void);
const struct allocfuzz_allocator* allocfuzz_plugin_test_api(void);
const struct allocfuzz_allocator* allocfuzz_plugin_test_wrapped(void) { return &wrapped; }
const struct allocfuzz_allocator* allocfuzz_plugin_test_api(void) { return &api; }
