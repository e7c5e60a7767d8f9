/* kr_malloc.c: the classic first-fit allocator of Kernighan and Ritchie (The C Programming
 * Language, 2nd ed., section 8.7), written for allocfuzz as the baseline heap `kr`. It is the
 * allocator the seed compares itself with, and the real allocator that exercises the plugin
 * path: it calls the C library's plain sbrk(), and WRAP_BRK routes those calls to the region.
 *
 * Every block, used or free, starts with a one-unit header: the size of the block in units
 * (header included) and, while the block is free, the next free block. A unit is 16 bytes,
 * the alignment of every block, so every payload is 16-aligned.
 *
 * The free blocks form a circular list in address order, held together by `anchor`, a
 * zero-size block outside the heap that is never handed out and never merged:
 *
 *     anchor -> A -> B -> ... -> Z -> anchor      A < B < ... < Z, and each free block ends
 *     (0 units)                                   strictly below the next: free neighbours
 *                                                 are always merged.
 *
 * - malloc: first fit, starting where the last search ended (`freep`, the roving pointer). A
 *   larger block gives up its tail, so the list needs no relinking. When a whole lap finds
 *   nothing, morecore() asks sbrk for at least NALLOC units and frees them into the list.
 * - free: walks to the block's place in address order and merges it with the free block
 *   just below and the one just above when they touch it.
 * - realloc is malloc + copy + free; calloc is malloc + memset, after an overflow check.
 *
 * Where this differs from the book, and why:
 * - The break may be shared (allocfuzz's foreign moves): another user of sbrk can leave it off
 *   a unit boundary, so morecore() pads its request to align the new chunk.
 * - Sizes that cannot be represented in units, or that no break could hold, get NULL instead
 *   of a wrapped-around size; sbrk's failure ((void*)-1) gets NULL too. Every NULL of a
 *   failed request comes with errno ENOMEM, as POSIX asks (diff_fuzzer found this heap
 *   leaving errno alone for the sizes it refuses itself: repro/diff_cases/).
 * - Every block has at least one unit of payload, so malloc(0) returns a block of its own.
 * - The anchor never merges with a heap block, whatever the addresses (the book relies on
 *   the anchor lying in static storage, far from the heap).
 * - init() forgets everything: the harness resets the region before every program.
 * - self_check() walks the free list and names the first broken invariant.
 */
#define _DEFAULT_SOURCE /* sbrk() in <unistd.h> under -std=c11 */

#include <errno.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plugins/allocfuzz_plugin.h"

enum {
  KR_ALIGN = 16, /* bytes per unit, and the alignment of every payload */
  NALLOC = 1024  /* the least morecore() asks sbrk for, in units (16 KiB) */
};

typedef union header {
  struct {
    union header* next; /* the next free block, in address order (free blocks only) */
    size_t units;       /* the size of the block in units, this header included */
  } s;
  alignas(KR_ALIGN) unsigned char unit[KR_ALIGN]; /* forces the size and alignment of a unit */
} Header;

_Static_assert(sizeof(Header) == KR_ALIGN, "a header is exactly one unit");

static Header anchor;            /* the list's fixed point: zero units, outside the heap */
static Header* freep;            /* where the next search starts; NULL until the first malloc */
static char* heap_lo;            /* the lowest chunk sbrk gave */
static char* heap_hi;            /* the end of the highest: every free block lies in between */
static const char* region_start; /* for region offsets in messages */

static void kr_free(void* payload);

/* Addresses compared as integers: the anchor and the heap are different objects, and C
 * defines relational comparison only within one. */
static uintptr_t addr(const void* p) { return (uintptr_t)p; }

static void kr_init(const struct allocfuzz_region* region) {
  anchor.s.next = NULL;
  anchor.s.units = 0;
  freep = NULL;
  heap_lo = NULL;
  heap_hi = NULL;
  region_start = region->start;
}

/* The units for a request of n bytes: the payload rounded up to whole units, plus the header,
 * and at least one unit of payload. 0 for a request no break could hold, so that the
 * arithmetic here and in morecore() cannot overflow. */
static size_t units_for(size_t n) {
  if (n > PTRDIFF_MAX / 2) return 0;
  size_t units = (n + sizeof(Header) - 1) / sizeof(Header) + 1;
  return units < 2 ? 2 : units;
}

/* Grows the break by at least `units` units and frees the new chunk into the list. Returns
 * the roving pointer, from which malloc resumes its search, or NULL when sbrk refuses. */
static Header* morecore(size_t units) {
  if (units < NALLOC) units = NALLOC;
  size_t bytes = units * sizeof(Header);
  char* now = sbrk(0);
  if (now == (char*)-1) return NULL;
  size_t pad = (size_t)(-addr(now) & (KR_ALIGN - 1));
  char* got = sbrk((intptr_t)(pad + bytes));
  if (got == (char*)-1) return NULL;
  /* Aligned from what sbrk returned, not from `now`: right even if the break moved between. */
  char* end = got + pad + bytes;
  Header* chunk = (Header*)(got + (-addr(got) & (KR_ALIGN - 1)));
  chunk->s.units = (size_t)(end - (char*)chunk) / sizeof(Header);
  if (heap_lo == NULL || addr(chunk) < addr(heap_lo)) heap_lo = (char*)chunk;
  if (addr(end) > addr(heap_hi)) heap_hi = end;
  kr_free(chunk + 1);
  return freep;
}

static void* kr_malloc(size_t n) {
  size_t units = units_for(n);
  if (units == 0) {
    errno = ENOMEM; /* POSIX: a failed malloc sets ENOMEM (sbrk's refusal already did) */
    return NULL;
  }
  if (freep == NULL) { /* the first call: a list of the anchor alone */
    anchor.s.next = &anchor;
    anchor.s.units = 0;
    freep = &anchor;
  }
  Header* prev = freep;
  for (Header* p = prev->s.next;; prev = p, p = p->s.next) {
    if (p->s.units >= units) {
      if (p->s.units == units) {
        prev->s.next = p->s.next; /* an exact fit leaves the list */
      } else {
        p->s.units -= units; /* the tail is handed out; the head stays on the list */
        p += p->s.units;
        p->s.units = units;
      }
      freep = prev;
      return p + 1;
    }
    if (p == freep) { /* a whole lap without a fit */
      p = morecore(units);
      if (p == NULL) return NULL;
    }
  }
}

static void kr_free(void* payload) {
  if (payload == NULL) return;
  Header* bp = (Header*)payload - 1;
  /* Find p with p < bp < p->next; or, when bp lies below the lowest or above the highest free
   * block, the list's wrap point (p >= p->next). */
  Header* p = freep;
  while (!(addr(bp) > addr(p) && addr(bp) < addr(p->s.next))) {
    if (addr(p) >= addr(p->s.next) && (addr(bp) > addr(p) || addr(bp) < addr(p->s.next))) break;
    p = p->s.next;
  }
  Header* above = p->s.next;
  if (above != &anchor && bp + bp->s.units == above) { /* touches the free block above */
    bp->s.units += above->s.units;
    bp->s.next = above->s.next;
  } else {
    bp->s.next = above;
  }
  if (p != &anchor && p + p->s.units == bp) { /* the free block below touches it */
    p->s.units += bp->s.units;
    p->s.next = bp->s.next;
  } else {
    p->s.next = bp;
  }
  freep = p;
}

static size_t kr_usable_size(const void* payload) {
  const Header* h = (const Header*)payload - 1;
  return (h->s.units - 1) * sizeof(Header);
}

static void* kr_calloc(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) {
    errno = ENOMEM;
    return NULL;
  }
  size_t bytes = count * size;
  void* p = kr_malloc(bytes);
  if (p != NULL) memset(p, 0, bytes); /* a reused block holds its last owner's bytes */
  return p;
}

static void* kr_realloc(void* payload, size_t n) {
  if (payload == NULL) return kr_malloc(n);
  if (n == 0) {
    kr_free(payload);
    return NULL;
  }
  void* q = kr_malloc(n);
  if (q == NULL) return NULL; /* the old block stays as it was */
  size_t old = kr_usable_size(payload);
  memcpy(q, payload, old < n ? old : n);
  kr_free(payload);
  return q;
}

/* --- self_check: the free list's invariants, first broken one named. ------------------------ */

static char message[256]; /* the last report: static, never from the heap under test */

static size_t offset_of(const void* p) { return (size_t)(addr(p) - addr(region_start)); }

static const char* report(const void** where, const Header* at, const char* format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  *where = at;
  return message;
}

static const char* kr_self_check(const void** where) {
  if (freep == NULL) return NULL; /* nothing allocated since init */
  if (anchor.s.units != 0) {
    return report(where, NULL, "kr: the anchor's size is %zu units, not 0", anchor.s.units);
  }
  /* Free blocks are at least one unit and never touch: the heap holds at most this many. */
  size_t most = (size_t)(addr(heap_hi) - addr(heap_lo)) / (2 * sizeof(Header)) + 1;
  size_t count = 0;
  int freep_seen = freep == &anchor;
  const Header* prev = NULL; /* the free block before p, in list order */
  for (const Header* p = anchor.s.next; p != &anchor; prev = p, p = p->s.next) {
    if (p == NULL) return report(where, prev, "kr: a free block's next link is NULL");
    if (++count > most) {
      return report(where, NULL,
                    "kr: the free list does not come back to its anchor within %zu blocks", most);
    }
    if (addr(p) < addr(heap_lo) || addr(p) >= addr(heap_hi)) {
      if (prev == NULL)
        return report(where, NULL, "kr: the first free block lies outside the heap");
      return report(where, prev, "kr: the free block after +0x%06zx lies outside the heap",
                    offset_of(prev));
    }
    size_t at = offset_of(p);
    if (addr(p) % KR_ALIGN != 0) {
      return report(where, p, "kr: free block at +0x%06zx is not %d-aligned", at, KR_ALIGN);
    }
    if (p->s.units == 0 || p->s.units > (size_t)(addr(heap_hi) - addr(p)) / sizeof(Header)) {
      return report(where, p,
                    "kr: free block at +0x%06zx of %zu units runs past the heap's end +0x%06zx", at,
                    p->s.units, offset_of(heap_hi));
    }
    if (prev != NULL) {
      uintptr_t prev_end = addr(prev + prev->s.units);
      if (addr(p) <= addr(prev)) {
        return report(where, p, "kr: free block at +0x%06zx follows +0x%06zx: not in address order",
                      at, offset_of(prev));
      }
      if (prev_end > addr(p)) {
        return report(where, p,
                      "kr: free block at +0x%06zx overlaps the one at +0x%06zx (%zu units)", at,
                      offset_of(prev), prev->s.units);
      }
      if (prev_end == addr(p)) {
        return report(where, p,
                      "kr: free blocks at +0x%06zx and +0x%06zx touch but were not merged",
                      offset_of(prev), at);
      }
    }
    if (p == freep) freep_seen = 1;
  }
  if (!freep_seen) return report(where, freep, "kr: the roving pointer is not on the free list");
  return NULL;
}

static const struct allocfuzz_allocator kr_allocator = {
    .abi_version = ALLOCFUZZ_PLUGIN_ABI_VERSION,
    .name = "kr",
    .description = "K&R first-fit circular free list on plain sbrk (plugin, WRAP_BRK); 16-aligned",
    .alignment = KR_ALIGN,
    .init = kr_init,
    .malloc = kr_malloc,
    .free = kr_free,
    .realloc = kr_realloc,
    .calloc = kr_calloc,
    .usable_size = kr_usable_size,
    .self_check = kr_self_check,
};

const struct allocfuzz_allocator* allocfuzz_plugin_kr(void);
const struct allocfuzz_allocator* allocfuzz_plugin_kr(void) { return &kr_allocator; }
