// The region-less wrong heaps of the catalogue (regionless_rows.h): each wraps the glibc heap
// (SystemTestedHeap, no region) and breaks one promise by the smallest amount a real allocator
// could get wrong. A block they make up (a pointer into another block) never reaches glibc: the
// executor stops at the finding, and reset() frees only the blocks glibc handed out.
//
// glibc's sizes these rows rely on (64-bit): payloads are 16-aligned; a request of 24 (or any
// 16k + 8 from 24 on) has a usable size of exactly that; a request of 13 or 17 has 24 usable.
#ifndef ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGIONLESS_HEAPS_H_
#define ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGIONLESS_HEAPS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/system_heap.h"
#include "fuzz/heaps/tested_heap.h"

namespace allocfuzz::wrong {

// The glibc heap behind a heap that forwards every call to it (SystemTestedHeap is final), with
// the calls of the one operation a wrong heap breaks numbered (next_call() gives 1, 2, ...
// since the last reset()), and the one live block a wrong heap misbehaves around (watched_,
// of watched_n_ requested bytes; forgotten when it is freed or reallocated, so that a wrong
// heap never writes into or points at memory glibc owns again). `region` only sets the budget.
class WrongSystemHeap : public TestedHeap {
 public:
  explicit WrongSystemHeap(const PseudoBrk& region) : inner_(region) {}
  void* malloc(size_t n) override { return inner_.malloc(n); }
  void free(void* p) override {
    forget(p);
    inner_.free(p);
  }
  void* realloc(void* p, size_t n) override {
    forget(p);
    return inner_.realloc(p, n);
  }
  void* calloc(size_t count, size_t size) override { return inner_.calloc(count, size); }
  void* memalign(size_t align, size_t n) override { return inner_.memalign(align, n); }
  void* aligned_alloc(size_t align, size_t n) override { return inner_.aligned_alloc(align, n); }
  int posix_memalign(void** out, size_t align, size_t n) override {
    return inner_.posix_memalign(out, align, n);
  }
  CapabilitySet capabilities() const override { return inner_.capabilities(); }
  BehaviourProfile profile() const override { return inner_.profile(); }
  size_t usable_size(const void* p) override { return inner_.usable_size(p); }
  size_t alignment() const override { return inner_.alignment(); }
  std::optional<HeapFinding> check(bool full, const void* near, const LiveView& live) override {
    return inner_.check(full, near, live);
  }
  void reset() override {
    inner_.reset();
    calls_ = 0;
    watched_ = nullptr;
    watched_n_ = 0;
  }
  bool uses_region() const override { return inner_.uses_region(); }
  uint64_t refusals() const override { return inner_.refusals(); }

 protected:
  int next_call() { return ++calls_; }
  void watch(void* p, size_t n) {
    watched_ = static_cast<char*>(p);
    watched_n_ = p != nullptr ? n : 0;
  }
  void forget(const void* p) {
    if (p != nullptr && p == watched_) watch(nullptr, 0);
  }

  SystemTestedHeap inner_;
  char* watched_ = nullptr;
  size_t watched_n_ = 0;

 private:
  int calls_ = 0;
};

// overlap: while a block of more than 16 bytes is live, malloc returns its payload + 16 (a
// chunk header counted once too few): after a block of 17 bytes, a block sharing exactly that
// block's last byte.
class GlibcOverlapBelowHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* malloc(size_t n) override;
};

// overlap: while the first block is live, a malloc of more than 16 bytes returns its payload
// - 16: a block of 17 bytes there shares exactly the first byte of the block above it.
class GlibcOverlapAboveHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* malloc(size_t n) override;
};

// overlap: malloc(0) returns a pointer 16 bytes into the last block handed out (a zero-byte
// block is the one byte at its address, so it must not lie inside a live block).
class GlibcZeroInsideHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* malloc(size_t n) override;
};

// overlap: malloc(0) returns the last block's own payload address, so the zero-byte block is
// that block's first byte.
class GlibcZeroAtStartHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* malloc(size_t n) override {
    if (n == 0 && watched_ != nullptr) return watched_;
    void* p = inner_.malloc(n);
    if (n > 16) watch(p, n);
    return p;
  }
};

// misaligned: the second malloc's payload is 8 bytes past glibc's, aligned to 8 but not to the
// 16 the heap declares.
class GlibcAlignedTo8Heap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* malloc(size_t n) override;
};

// usable-too-small: the usable size is glibc's minus one, so a request whose usable size is
// exactly the request (24) is one byte short; larger chunks' slack hides it.
class GlibcUsableOneShortHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  size_t usable_size(const void* p) override;
};

// content-corrupted: each malloc also toggles bit 0 of byte `at` (counted back from the last
// byte when `from_end`) of the block handed out before it, if that block is still live, as a
// heap that keeps an in-use bit one byte off would.
class GlibcFlagByteHeap : public WrongSystemHeap {
 public:
  GlibcFlagByteHeap(const PseudoBrk& region, size_t at, bool from_end)
      : WrongSystemHeap(region), at_(at), from_end_(from_end) {}
  void* malloc(size_t n) override;

 private:
  size_t at_;
  bool from_end_;
};

// ... in the last byte of the previous block (one of 13 bytes: its last, partial word).
class GlibcLastByteFlagHeap final : public GlibcFlagByteHeap {
 public:
  explicit GlibcLastByteFlagHeap(const PseudoBrk& region) : GlibcFlagByteHeap(region, 0, true) {}
};

// ... in the first byte of the previous block, the first byte after glibc's chunk header.
class GlibcFirstByteFlagHeap final : public GlibcFlagByteHeap {
 public:
  explicit GlibcFirstByteFlagHeap(const PseudoBrk& region) : GlibcFlagByteHeap(region, 0, false) {}
};

// calloc-not-zero: calloc is malloc over stale bytes (0xa5) followed by a memset(0) of the
// first `zeroed(n)` bytes only.
class GlibcPartlyZeroedCallocHeap : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* calloc(size_t count, size_t size) override;

 protected:
  virtual size_t zeroed(size_t n) const = 0;
};

// ... zeroes the first 256 bytes (the first chunk of the zero check) and no more.
class GlibcCallocFirstChunkHeap final : public GlibcPartlyZeroedCallocHeap {
 public:
  using GlibcPartlyZeroedCallocHeap::GlibcPartlyZeroedCallocHeap;

 private:
  size_t zeroed(size_t n) const override { return n < 256 ? n : 256; }
};

// ... zeroes all but the last byte.
class GlibcCallocLastByteHeap final : public GlibcPartlyZeroedCallocHeap {
 public:
  using GlibcPartlyZeroedCallocHeap::GlibcPartlyZeroedCallocHeap;

 private:
  size_t zeroed(size_t n) const override { return n == 0 ? 0 : n - 1; }
};

// realloc-lost-data: realloc always moves, into zeroed memory, and copies one byte less than
// the old block's usable size (which for a request of 24 is the request itself).
class GlibcCopyOneShortHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* realloc(void* p, size_t n) override;
};

// realloc-lost-data: a realloc that fits the block's usable size stays in place (glibc keeps
// such a block where it is) but leaves a free-list link, here 0, in the block's first word.
class GlibcInPlaceLinkHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* realloc(void* p, size_t n) override;
};

// realloc-lost-data: a shrinking realloc stays in place and writes the split-off remainder's
// header (its size and in-use bit, 0x19) at the new size rounded down to 8 instead of up, over
// the kept bytes of the last partial word; growing is glibc's.
class GlibcShrinkHeaderHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* realloc(void* p, size_t n) override;
};

// spurious-null: once the budget refused a malloc, every later malloc returns NULL (ENOMEM)
// without asking again: the refusal was in an earlier call, not in this one.
class GlibcStickyRefusalHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* malloc(size_t n) override;
  void reset() override {
    WrongSystemHeap::reset();
    refused_ = false;
  }

 private:
  bool refused_ = false;
};

// api-contract: calloc multiplies count by size without an overflow check and allocates the
// wrapped product; for 2^32 x 2^32 (exactly SIZE_MAX + 1) that is malloc(0).
class GlibcWrappingCallocHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* calloc(size_t count, size_t size) override;
};

// misaligned: memalign of an ALIGN of 32 or more returns glibc's block (16 bytes larger) + 16,
// which is still 16-aligned (the fundamental alignment) but not ALIGN-aligned, as a heap that
// places the payload after a header it forgot to count would. Every other call is glibc's own,
// so that misaligned is the only thing wrong: a SIZE that 16 more bytes would wrap past 2^64
// goes to glibc unchanged (and fails there) instead of becoming a small block that is merely
// too small, and an ALIGN below 32 is not padded at all.
class GlibcMemalignOffBy16Heap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* memalign(size_t align, size_t n) override {
    if (align < 32 || n > SIZE_MAX - 16) return inner_.memalign(align, n);
    auto* p = static_cast<char*>(inner_.memalign(align, n + 16));
    return p != nullptr ? p + 16 : p;
  }
};

// api-contract: posix_memalign takes any power of two, 1, 2 and 4 included, which POSIX says
// must be EINVAL (not a multiple of sizeof(void*)): it rounds them up as memalign does.
class GlibcPosixMemalignSmallHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  int posix_memalign(void** out, size_t align, size_t n) override {
    if (align == 1 || align == 2 || align == 4) align = sizeof(void*);
    return inner_.posix_memalign(out, align, n);
  }
};

// realloc-lost-data: realloc of a block from an aligned call moves it and copies from the
// start of glibc's chunk rounded down to the alignment, 16 bytes early, as a heap that
// forgot the aligned block's gap would; other blocks are glibc's.
class GlibcAlignedReallocHeap final : public WrongSystemHeap {
 public:
  using WrongSystemHeap::WrongSystemHeap;
  void* memalign(size_t align, size_t n) override {
    void* p = inner_.memalign(align, n);
    if (align > 16 && p != nullptr) watch(p, n);
    return p;
  }
  void* realloc(void* p, size_t n) override {
    if (p == nullptr || p != watched_ || n == 0) return WrongSystemHeap::realloc(p, n);
    const size_t old = watched_n_;
    forget(p);
    auto* q = static_cast<char*>(inner_.malloc(n));
    if (q == nullptr) return nullptr;
    // The first 16 bytes come from below the block (zero here, glibc's header there): the
    // block's first 16 bytes are lost and the rest is copied 16 bytes late.
    const size_t keep = old < n ? old : n;
    std::memset(q, 0, keep < 16 ? keep : 16);
    if (keep > 16) std::memcpy(q + 16, p, keep - 16);
    inner_.free(p);
    return q;
  }
};

}  // namespace allocfuzz::wrong

#endif  // ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGIONLESS_HEAPS_H_
