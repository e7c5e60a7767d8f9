/* Plugin allocators of descriptor version 2 (plugins/allocfuzz_plugin.h) for
 * tests/heaps/plugin_v2_test.cc, driven by descriptor and never registered as heaps of the
 * command line. One allocator, four descriptors:
 *   test_v2             context, walk, usable_size and max_request 4096: a request above it
 *                       aborts here, so a passing program shows the harness kept it away;
 *   test_v2_wrong_walk  its walk reports a block reused from the free list as free (a stale
 *                       flag in the walk only; the allocator itself is right);
 *   test_v2_align8      payloads 8 bytes off 16-alignment, declared with
 *                       ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT (the test clears the flag to see the
 *                       registration refuse it).
 * Every block has a 16-byte header at a 16-aligned address (pad first when another party left
 * the break unaligned): the payload's usable size with bit 0 set while in use and bit 1 set once
 * reused, and the next block (the list in address order that the walk follows; foreign moves of
 * the break may leave gaps between blocks). malloc takes the first free block large enough, else
 * grows the break; free clears the in-use bit. All state is in the context. */
#define _DEFAULT_SOURCE /* write() and _exit() in <unistd.h> under -std=c11 */

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "plugins/allocfuzz_plugin.h"

enum { HEADER = 16, MAX_REQUEST = 4096, IN_USE = 1, REUSED = 2, FLAGS = 3 };

struct header {
  size_t word; /* usable bytes | IN_USE | REUSED */
  struct header* next;
};

struct state {
  const struct allocfuzz_region* region;
  struct header* first;
  struct header* last;
  size_t skew;     /* bytes between the header's end and the payload: 0, or 8 (test_v2_align8) */
  int wrong_walk;  /* test_v2_wrong_walk */
};

static void init_v2(void* context, const struct allocfuzz_region* region) {
  struct state* s = context;
  s->region = region;
}

static void init_wrong_walk(void* context, const struct allocfuzz_region* region) {
  init_v2(context, region);
  ((struct state*)context)->wrong_walk = 1;
}

static void init_align8(void* context, const struct allocfuzz_region* region) {
  init_v2(context, region);
  ((struct state*)context)->skew = 8;
}

static char* payload_of(const struct state* s, struct header* h) {
  return (char*)h + HEADER + s->skew;
}

static struct header* header_of(const struct state* s, const void* p) {
  return (struct header*)((char*)p - HEADER - s->skew);
}

static void* v2_malloc(void* context, size_t n) {
  struct state* s = context;
  if (n > MAX_REQUEST) {
    static const char text[] = "test_v2: a request above max_request reached the allocator\n";
    (void)!write(2, text, sizeof text - 1);
    _exit(3);
  }
  size_t usable = (n + s->skew + 15) / 16 * 16 - s->skew;
  if (usable < 8) usable = 8 + (s->skew == 0 ? 8 : 0);
  for (struct header* h = s->first; h != NULL; h = h->next) {
    if ((h->word & IN_USE) == 0 && (h->word & ~(size_t)FLAGS) >= usable) {
      h->word |= IN_USE | REUSED;
      return payload_of(s, h);
    }
  }
  char* now = s->region->sbrk(0);
  size_t pad = (size_t)(-(uintptr_t)now & 15);
  char* start = s->region->sbrk((intptr_t)(pad + HEADER + s->skew + usable));
  if (start == (char*)-1) return NULL; /* the region's sbrk set errno ENOMEM */
  struct header* h = (struct header*)(start + pad);
  h->word = usable | IN_USE;
  h->next = NULL;
  if (s->last != NULL) s->last->next = h;
  if (s->first == NULL) s->first = h;
  s->last = h;
  return payload_of(s, h);
}

static void v2_free(void* context, void* p) {
  if (p != NULL) header_of(context, p)->word &= ~(size_t)IN_USE;
}

static size_t v2_usable_size(void* context, const void* p) {
  return header_of(context, p)->word & ~(size_t)FLAGS;
}

static void* v2_realloc(void* context, void* p, size_t n) {
  if (p == NULL) return v2_malloc(context, n);
  if (n == 0) {
    v2_free(context, p);
    return NULL;
  }
  void* q = v2_malloc(context, n);
  if (q == NULL) return NULL;
  size_t old = v2_usable_size(context, p);
  memcpy(q, p, old < n ? old : n);
  v2_free(context, p);
  return q;
}

static void* v2_calloc(void* context, size_t count, size_t size) {
  /* The harness refuses an overflowing product (max_request is set): never seen here. */
  void* p = v2_malloc(context, count * size);
  if (p != NULL) memset(p, 0, count * size);
  return p;
}

static void v2_walk(void* context, allocfuzz_walk_visit visit, void* visit_context) {
  struct state* s = context;
  for (struct header* h = s->first; h != NULL; h = h->next) {
    int in_use = (h->word & IN_USE) != 0;
    if (s->wrong_walk && (h->word & REUSED) != 0) in_use = 0;
    visit(visit_context, payload_of(s, h), h->word & ~(size_t)FLAGS, in_use);
  }
}

#define TEST_V2_DESCRIPTOR(NAME, DESCRIPTION, ALIGNMENT, FLAGS_, INIT) \
  {                                                                   \
      .abi_version = ALLOCFUZZ_PLUGIN_ABI_VERSION_2,                  \
      .name = NAME,                                                   \
      .description = DESCRIPTION,                                     \
      .alignment = ALIGNMENT,                                         \
      .flags = FLAGS_,                                                \
      .max_request = MAX_REQUEST,                                     \
      .context_bytes = sizeof(struct state),                          \
      .init = INIT,                                                   \
      .malloc = v2_malloc,                                            \
      .free = v2_free,                                                \
      .realloc = v2_realloc,                                          \
      .calloc = v2_calloc,                                            \
      .usable_size = v2_usable_size,                                  \
      .self_check = NULL,                                             \
      .walk = v2_walk,                                                \
  }

static const struct allocfuzz_allocator_v2 v2 =
    TEST_V2_DESCRIPTOR("test_v2", "TEST ONLY: first fit with a context and a walk", 16, 0, init_v2);
static const struct allocfuzz_allocator_v2 wrong_walk = TEST_V2_DESCRIPTOR(
    "test_v2_wrong_walk", "TEST ONLY: its walk reports reused blocks free", 16, 0, init_wrong_walk);
static const struct allocfuzz_allocator_v2 align8 =
    TEST_V2_DESCRIPTOR("test_v2_align8", "TEST ONLY: payloads 8-aligned", 8,
                       ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT, init_align8);

const struct allocfuzz_allocator* allocfuzz_plugin_test_v2(void);
const struct allocfuzz_allocator* allocfuzz_plugin_test_v2_wrong_walk(void);
const struct allocfuzz_allocator* allocfuzz_plugin_test_v2_align8(void);
const struct allocfuzz_allocator* allocfuzz_plugin_test_v2(void) { return ALLOCFUZZ_PLUGIN_V2(&v2); }
const struct allocfuzz_allocator* allocfuzz_plugin_test_v2_wrong_walk(void) {
  return ALLOCFUZZ_PLUGIN_V2(&wrong_walk);
}
const struct allocfuzz_allocator* allocfuzz_plugin_test_v2_align8(void) {
  return ALLOCFUZZ_PLUGIN_V2(&align8);
}
