/* oldgnu_malloc.c -- a boundary-tag malloc with binned free lists, written the way GNU C
   allocators were written around 1990, as the heap `oldgnu'.

   It is the test of allocfuzz_add_allocator's options (plugins/oldgnu/CMakeLists.txt): it
   compiles only as GNU C99 (typeof, statement expressions, arithmetic on void *, zero-length
   arrays, old-style function definitions), only without -Wpedantic -Werror,
   and it indexes a zero-length array in the middle of a struct on purpose, which UBSan's
   array-bounds check would stop; none of that is edited away.  Apart from those idioms it is
   a correct allocator: fuzzing it finds nothing.

   Layout.  Every chunk is 16-aligned and a multiple of 16 bytes:
       c + 0   prev_size   the size of the chunk below, valid only while that one is free
       c + 8   size        this chunk's size | INUSE | PREV_INUSE
       c + 16  payload     (a free chunk keeps its list links fd, bk here)
   A segment (the memory of one run of contiguous sbrk calls) ends in a fence: a 16-byte chunk
   that is always in use, so that coalescing stops there.  When the break has not moved since
   our last sbrk, a new chunk starts on the old fence; when someone else moved it (the
   harness's foreign moves), a new segment starts above their memory, never touching it.

   Free chunks live in NBINS doubly linked lists by size class (bin i: 32 << i bytes and up);
   neighbours are merged at free, so no two free chunks touch.  */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plugins/allocfuzz_plugin.h"

#define ALIGN 16
#define HDR 16			/* prev_size and size */
#define MINCHUNK 32		/* a header and the two links of a free chunk */
#define FENCE 16
#define NBINS 16
#define NALLOC (16 * 1024)	/* the least we ask sbrk for */
#define INUSE 1
#define PREV_INUSE 2
#define FLAGS (INUSE | PREV_INUSE)

#define PREV_SIZE(c) (*(size_t *) (c))
#define HEAD(c) (*(size_t *) ((c) + 8))
#define SIZE(c) (HEAD (c) & ~(size_t) FLAGS)
#define NEXT(c) ((c) + SIZE (c))
#define FD(c) (*(void **) ((c) + HDR))
#define BK(c) (*(void **) ((c) + HDR + sizeof (void *)))
#define MEM2CHUNK(p) ((void *) (p) - HDR)
#define CHUNK2MEM(c) ((c) + HDR)

#define MIN(a, b) ({ typeof (a) _a = (a); typeof (b) _b = (b); _a < _b ? _a : _b; })
#define ROUNDUP(n, m) ({ typeof (n) _n = (n); (_n + (m) - 1) & ~(typeof (_n)) ((m) - 1); })

/* The allocator's state.  `bin' has no elements of its own: it names the storage that
   follows it, the old trick for an array whose length the header does not want to fix.  */
static struct arena
{
  void *seg_end;		/* the end of the newest segment, just past its fence */
  size_t nbins;
  void *bin[0];			/* bin[i] is bins_[i]: indexed past its declared length */
  void *bins_[NBINS];
  const void *region_start;	/* for region offsets in messages */
} arena;

static void oldgnu_free (void *);

static void
oldgnu_init (region)
     const struct allocfuzz_region *region;
{
  memset (&arena, 0, sizeof arena);
  arena.nbins = NBINS;
  arena.region_start = region->start;
}

/* The bin of a chunk of `size' bytes.  */
static unsigned
bin_of (size)
     size_t size;
{
  unsigned i = 0;
  while (i + 1 < arena.nbins && size >= ((size_t) MINCHUNK << (i + 1)))
    i++;
  return i;
}

static void
unlink_chunk (c)
     void *c;
{
  if (BK (c))
    FD (BK (c)) = FD (c);
  else
    arena.bin[bin_of (SIZE (c))] = FD (c);
  if (FD (c))
    BK (FD (c)) = BK (c);
}

/* Marks c free, writes its footer and puts it at the head of its bin.  */
static void
link_chunk (c, size)
     void *c;
     size_t size;
{
  unsigned i = bin_of (size);
  HEAD (c) = size | (HEAD (c) & PREV_INUSE);
  PREV_SIZE (NEXT (c)) = size;
  HEAD (NEXT (c)) &= ~(size_t) PREV_INUSE;
  FD (c) = arena.bin[i];
  BK (c) = NULL;
  if (arena.bin[i])
    BK (arena.bin[i]) = c;
  arena.bin[i] = c;
}

/* Hands out the first `size' bytes of free chunk c (already unlinked) and frees the rest.  */
static void *
take (c, size)
     void *c;
     size_t size;
{
  size_t have = SIZE (c);
  if (have - size >= MINCHUNK)
    {
      void *rest = c + size;
      HEAD (rest) = PREV_INUSE;
      link_chunk (rest, have - size);
      have = size;
    }
  HEAD (c) = have | INUSE | (HEAD (c) & PREV_INUSE);
  HEAD (c + have) |= PREV_INUSE;
  return CHUNK2MEM (c);
}

/* Grows the heap by a free chunk of at least `size' bytes.  0, or -1 when sbrk refuses.  */
static int
grow (size)
     size_t size;
{
  void *now = sbrk (0), *c;
  size_t bytes = ROUNDUP (size < NALLOC ? NALLOC : size, ALIGN);
  if (now == (void *) -1)
    return -1;
  if (now == arena.seg_end)
    {				/* contiguous: the old fence starts the new chunk */
      if (sbrk (bytes) == (void *) -1)
	return -1;
      c = now - FENCE;
    }
  else
    {				/* a new segment, above whatever moved the break */
      size_t pad = (size_t) (-(uintptr_t) now & (ALIGN - 1));
      if (sbrk (pad + bytes + FENCE) == (void *) -1)
	return -1;
      c = now + pad;
      HEAD (c) = PREV_INUSE;
    }
  arena.seg_end = c + bytes + FENCE;
  HEAD (c + bytes) = FENCE | INUSE;	/* the new fence; oldgnu_free sets its PREV_INUSE */
  HEAD (c) = bytes | INUSE | (HEAD (c) & PREV_INUSE);
  oldgnu_free (CHUNK2MEM (c));
  return 0;
}

/* The chunk size for a request of n bytes; 0 when no break could hold it.  */
static size_t
request2size (n)
     size_t n;
{
  if (n > PTRDIFF_MAX / 2)
    return 0;
  return n + HDR < MINCHUNK ? MINCHUNK : ROUNDUP (n + HDR, ALIGN);
}

static void *
oldgnu_malloc (size_t n)
{
  size_t size = request2size (n);
  unsigned i;
  void *c;
  if (size == 0)
    {
      errno = ENOMEM;
      return NULL;
    }
  for (;;)
    {
      for (i = bin_of (size); i < arena.nbins; i++)
	for (c = arena.bin[i]; c; c = FD (c))
	  if (SIZE (c) >= size)
	    {
	      unlink_chunk (c);
	      return take (c, size);
	    }
      if (grow (size) < 0)
	return NULL;		/* sbrk set ENOMEM */
    }
}

static void
oldgnu_free (void *p)
{
  void *c, *next;
  size_t size;
  if (p == NULL)
    return;
  c = MEM2CHUNK (p);
  size = SIZE (c);
  next = c + size;
  if (!(HEAD (next) & INUSE))
    {
      unlink_chunk (next);
      size += SIZE (next);
    }
  if (!(HEAD (c) & PREV_INUSE))
    {
      c -= PREV_SIZE (c);
      unlink_chunk (c);
      size += SIZE (c);
    }
  link_chunk (c, size);
}

static void *
oldgnu_realloc (void *p, size_t n)
{
  void *c, *q;
  size_t size, have;
  if (p == NULL)
    return oldgnu_malloc (n);
  if (n == 0)
    {
      oldgnu_free (p);
      return NULL;
    }
  size = request2size (n);
  if (size == 0)
    {
      errno = ENOMEM;
      return NULL;
    }
  c = MEM2CHUNK (p);
  have = SIZE (c);
  if (!(HEAD (c + have) & INUSE) && have + SIZE (c + have) >= size)
    {				/* absorb the free chunk above */
      unlink_chunk (c + have);
      have += SIZE (c + have);
      HEAD (c) = have | (HEAD (c) & PREV_INUSE);
      return take (c, size);
    }
  if (have >= size)
    {
      if (have - size >= MINCHUNK)
	{
	  HEAD (c) = size | INUSE | (HEAD (c) & PREV_INUSE);
	  HEAD (c + size) = (have - size) | INUSE | PREV_INUSE;
	  oldgnu_free (CHUNK2MEM (c + size));
	}
      return p;
    }
  q = oldgnu_malloc (n);
  if (q == NULL)
    return NULL;		/* p stays as it was */
  memcpy (q, p, MIN (have - HDR, n));
  oldgnu_free (p);
  return q;
}

static void *
oldgnu_calloc (size_t count, size_t size)
{
  void *p;
  if (size != 0 && count > SIZE_MAX / size)
    {
      errno = ENOMEM;
      return NULL;
    }
  p = oldgnu_malloc (count * size);
  if (p)
    memset (p, 0, count * size);
  return p;
}

static size_t
oldgnu_usable_size (const void *p)
{
  return SIZE (MEM2CHUNK (p)) - HDR;
}

/* Every chunk on a bin is free, in its size class, with its footer, between chunks in use.  */
static const char *
oldgnu_self_check (const void **where)
{
  static char message[160];
  unsigned i;
  void *c;
  for (i = 0; i < arena.nbins; i++)
    for (c = arena.bin[i]; c; c = FD (c))
      {
	const char *what = NULL;
	if (HEAD (c) & INUSE)
	  what = "is marked in use";
	else if (SIZE (c) < MINCHUNK || bin_of (SIZE (c)) != i)
	  what = "has a size outside its bin";
	else if (PREV_SIZE (NEXT (c)) != SIZE (c) || (HEAD (NEXT (c)) & PREV_INUSE))
	  what = "disagrees with its footer";
	else if (!(HEAD (c) & PREV_INUSE) || !(HEAD (NEXT (c)) & INUSE))
	  what = "touches another free chunk";
	if (what)
	  {
	    snprintf (message, sizeof message, "oldgnu: free chunk at +0x%06zx in bin %u %s",
		      (size_t) ((const char *) c - (const char *) arena.region_start), i, what);
	    *where = c;
	    return message;
	  }
      }
  return NULL;
}

static const struct allocfuzz_allocator oldgnu = {
  .abi_version = ALLOCFUZZ_PLUGIN_ABI_VERSION,
  .name = "oldgnu",
  .description = "boundary tags and size-class bins in old GNU C (plugin, WRAP_BRK); 16-aligned",
  .alignment = ALIGN,
  .init = oldgnu_init,
  .malloc = oldgnu_malloc,
  .free = oldgnu_free,
  .realloc = oldgnu_realloc,
  .calloc = oldgnu_calloc,
  .usable_size = oldgnu_usable_size,
  .self_check = oldgnu_self_check,
};

const struct allocfuzz_allocator *
allocfuzz_plugin_oldgnu ()
{
  return &oldgnu;
}
