// The region wrong heaps of the catalogue (region_rows.h): each is the registry's free-array heap
// (FreeArrayTestedHeap, on the region) with one call overridden to break one promise by the
// smallest amount a real allocator could get wrong.
//
// FreeArrayHeap's layout on a fresh region (tests/free_array/): the heap starts at offset 0, a
// block is an 8-byte header then its payload, payload sizes are rounded up to 8 with a minimum of
// 24; so malloc(24) twice gives payloads at +8 and +40, and the first growth sets the break to
// +0x001028 (block + end marker + 4096 preallocation).
#ifndef ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_HEAPS_H_
#define ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_HEAPS_H_

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/free_array_adapter.h"

namespace allocfuzz::wrong {

// The free-array heap with the calls of the one operation a wrong heap breaks numbered:
// next_call() gives 1, 2, ... since the last reset().
class WrongFreeArrayHeap : public FreeArrayTestedHeap {
 public:
  explicit WrongFreeArrayHeap(PseudoBrk& region)
      : FreeArrayTestedHeap(region), region_(region), inner_(heap()) {}
  void reset() override {
    FreeArrayTestedHeap::reset();
    calls_ = 0;
  }

 protected:
  int next_call() { return ++calls_; }

  PseudoBrk& region_;
  FreeArrayHeap& inner_;

 private:
  int calls_ = 0;
};

// ---- overlap ---------------------------------------------------------------------------------

// The newest block malloc returned, while it is live: the heaps below misbehave around it.
// Every call that can end it (free, realloc, reset) forgets it.
class NewestBlockHeap : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void free(void* p) override {
    if (p == newest_) newest_ = nullptr;
    inner_.free(p);
  }
  void* realloc(void* p, size_t n) override {
    if (p == newest_) newest_ = nullptr;
    return inner_.realloc(p, n);
  }
  void reset() override {
    WrongFreeArrayHeap::reset();
    newest_ = nullptr;
  }

 protected:
  // Where the newest block's last word starts (its requested bytes rounded DOWN to a word),
  // or null when there is none or it has no byte.
  char* newest_last_word() const {
    return newest_ != nullptr && newest_size_ > 0 ? newest_ + ((newest_size_ - 1) & ~size_t{7})
                                                  : nullptr;
  }
  // Serves malloc(n) correctly and remembers the block as the newest.
  void* malloc_newest(size_t n) {
    newest_ = static_cast<char*>(inner_.malloc(n));
    newest_size_ = n;
    return newest_;
  }
  void forget_newest() { newest_ = nullptr; }
  // The newest live block, or null.
  char* newest() const { return newest_; }
  // One past the newest block's requested bytes, or null when there is none.
  char* newest_end() const { return newest_ != nullptr ? newest_ + newest_size_ : nullptr; }

 private:
  char* newest_ = nullptr;
  size_t newest_size_ = 0;
};

// overlap, below: while the newest block is live, malloc places the next one after that block's
// requested bytes rounded DOWN to a word instead of up, so the two share the last bytes of the
// block below (exactly one when its size is 8k + 1).
class OverlapBelowHeap final : public NewestBlockHeap {
 public:
  using NewestBlockHeap::NewestBlockHeap;
  void* malloc(size_t n) override;
};

// overlap, above: malloc(n) is served from a block 9 bytes too small (a fit test that forgets
// the header and one byte) when that block lies right below a live one and its end is then
// exactly one byte into the live block's payload (n - 9 a payload size); otherwise it is
// served correctly. Without the condition the short block would also be found as
// usable-too-small, or clobber the heap's own header above it: other kinds than the row's.
// The heap knows its live blocks (every call that makes or ends one is wrapped) to tell.
class OverlapAboveHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* malloc(size_t n) override;
  void free(void* p) override;
  void* realloc(void* p, size_t n) override;
  void* calloc(size_t count, size_t size) override;
  void reset() override {
    WrongFreeArrayHeap::reset();
    live_.clear();
  }

 private:
  void* keep(void* p) {
    if (p != nullptr) live_.insert(static_cast<char*>(p));
    return p;
  }
  std::unordered_set<char*> live_;  // payloads of the blocks this heap has handed out
};

// overlap, zero bytes: malloc(0) returns the address of the newest live block's last word
// instead of a block of its own (a zero-byte block is the one byte at its address).
class ZeroBlockInsideHeap final : public NewestBlockHeap {
 public:
  using NewestBlockHeap::NewestBlockHeap;
  void* malloc(size_t n) override;
};

// overlap, at the start: malloc(0) returns the newest live block's own address, so the
// zero-byte block is that block's first byte (no live block starts below it and reaches it:
// only the block starting at the same offset is shared).
class ZeroBlockAtStartHeap final : public NewestBlockHeap {
 public:
  using NewestBlockHeap::NewestBlockHeap;
  void* malloc(size_t n) override {
    if (n == 0 && newest() != nullptr) return newest();
    return malloc_newest(n);
  }
};

// ---- misaligned ------------------------------------------------------------------------------

// misaligned: the free-array heap's blocks (8-aligned) under a heap that declares 16.
class ClaimsSixteenHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  size_t alignment() const override { return 16; }
};

// ---- out-of-region ---------------------------------------------------------------------------

// out-of-region: the second malloc of more than 8 bytes is carved from the last word below the
// break, so it reaches past the break (by exactly one byte for 9 bytes).
class PastBreakHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* malloc(size_t n) override;
};

// out-of-region: the second malloc returns the break itself (the top block's end, not its
// payload).
class AtBreakHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* malloc(size_t n) override;
};

// ---- usable-too-small ------------------------------------------------------------------------

// usable-too-small: usable_size counts one byte too few.
class UsableShortHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  size_t usable_size(const void* p) override;
};

// overlap, through `usable`: the usable size of a block right below a live block this heap
// handed out counts the neighbour's 8-byte header and first 8 payload bytes as its own (16 too
// many), as a heap that measures to the next payload and then adds a header it already counted
// would. The executor judges a usable size before writing over it, so the neighbour is reported,
// never written. Below a free block or the end marker the usable size is right: otherwise `usable`
// would overwrite the heap's own header there, found as another kind than the row's.
class UsableTooLargeHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* malloc(size_t n) override { return keep(inner_.malloc(n)); }
  void free(void* p) override {
    live_.erase(static_cast<const char*>(p));
    inner_.free(p);
  }
  void* realloc(void* p, size_t n) override;
  void* calloc(size_t count, size_t size) override { return keep(inner_.calloc(count, size)); }
  size_t usable_size(const void* p) override;
  void reset() override {
    WrongFreeArrayHeap::reset();
    live_.clear();
  }

 private:
  void* keep(void* p) {
    if (p != nullptr) live_.insert(static_cast<const char*>(p));
    return p;
  }
  std::unordered_set<const char*> live_;  // payloads of the blocks this heap has handed out
};

// ---- content-corrupted -----------------------------------------------------------------------

// content-corrupted: the first free flips one bit of byte `kAt` of the first block malloc
// returned (a tag written a few bytes low), while that block is live; or, when `kValue` is a
// byte value (0..255), writes that value there instead (a zero or a small flag, the values a
// heap writes: the pattern must have no byte that equals them).
inline constexpr int kFlipOneBit = -1;
template <size_t kAt, int kValue = kFlipOneBit>
class CorruptFirstBlockHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* malloc(size_t n) override {
    void* p = inner_.malloc(n);
    if (first_ == nullptr && n > kAt) first_ = static_cast<char*>(p);
    return p;
  }
  void free(void* p) override {
    if (p == first_) {
      first_ = nullptr;
    } else if (first_ != nullptr && next_call() == 1) {
      if constexpr (kValue == kFlipOneBit) {
        first_[kAt] ^= 1;
      } else {
        first_[kAt] = static_cast<char>(kValue);
      }
    }
    inner_.free(p);
  }
  void reset() override {
    WrongFreeArrayHeap::reset();
    first_ = nullptr;
  }

 private:
  char* first_ = nullptr;
};

// The rows' names for the writes of a value (a row's class is one macro argument).
using LastByteOfLargeBlockHeap = CorruptFirstBlockHeap<299>;
using ZeroInIndexByteHeap = CorruptFirstBlockHeap<1, 0x00>;
using ZeroInIdByteHeap = CorruptFirstBlockHeap<14, 0x00>;
using FlagInIdByteHeap = CorruptFirstBlockHeap<4, 0x01>;

// ---- calloc-not-zero -------------------------------------------------------------------------

// calloc-not-zero: calloc clears only the first kCleared bytes of a block it reuses (all but
// the last byte when kCleared is 0).
template <size_t kCleared>
class PartlyClearedCallocHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* calloc(size_t count, size_t size) override {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
      errno = ENOMEM;  // a refusal as the C library's: wrong only where the row says
      return nullptr;
    }
    auto* p = static_cast<char*>(inner_.malloc(total));
    if (p == nullptr) return nullptr;
    size_t cleared = kCleared == 0 ? (total == 0 ? 0 : total - 1) : kCleared;
    std::memset(p, 0, cleared < total ? cleared : total);
    return p;
  }
};

// api-contract: calloc multiplies without an overflow check, so a product past SIZE_MAX wraps
// to its value modulo 2^64 and a small block is returned for it, cleared.
class WrappingCallocHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* calloc(size_t count, size_t size) override {
    size_t total;
    __builtin_mul_overflow(count, size, &total);  // the product modulo 2^64, unchecked
    return inner_.calloc(total, 1);
  }
};

// ---- realloc-lost-data -----------------------------------------------------------------------

// realloc-lost-data: a realloc that moves copies one byte too few.
class ShortCopyReallocHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* realloc(void* p, size_t n) override;
};

// realloc-lost-data: a realloc that grows in place writes over the last byte of the old
// payload (the old end, taken for the new block's boundary).
class InPlaceGrowLosesHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* realloc(void* p, size_t n) override;
};

// realloc-lost-data: a realloc that shrinks writes over the last byte it keeps (the split-off
// tail's header placed one byte low); growing is correct.
class ShrinkLosesHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* realloc(void* p, size_t n) override;
};

// ---- foreign-clobbered -----------------------------------------------------------------------

// foreign-clobbered: the first free writes a sentinel byte just below the break, which is the
// last byte of the newest foreign span when another party moved the break last.
class SentinelBelowBreakHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void free(void* p) override;
};

// foreign-clobbered: once another party owns a span ending at the break, the first free trims
// the break by one byte (a release that rounds the wrong way), so the span's last byte loses
// access although no byte of it changes.
class TrimsUnderForeignHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void free(void* p) override;
};

// ---- out-of-region, after the fact -----------------------------------------------------------

// out-of-region: the first free of another block lowers the break to one byte under the end of
// the newest live block (a trim that miscounts the top block's size), so that block's last byte
// loses access while it is live.
class LowersBreakUnderLiveHeap final : public NewestBlockHeap {
 public:
  using NewestBlockHeap::NewestBlockHeap;
  void* malloc(size_t n) override { return malloc_newest(n); }
  void free(void* p) override;
};

// ---- spurious-null ---------------------------------------------------------------------------

// spurious-null: once a growth of the break failed, malloc keeps returning NULL without asking
// again (a sticky out-of-memory flag).
class StickyFailureHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* malloc(size_t n) override;
  void reset() override {
    WrongFreeArrayHeap::reset();
    failed_ = false;
  }

 private:
  bool failed_ = false;
};

// ---- errno -------------------------------------------------------------------------------------

// api-contract: a NULL for a non-zero request comes back with errno left at 0 (the heap's
// refusal path returns before it sets ENOMEM).
class NullWithoutErrnoHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* malloc(size_t n) override {
    void* p = inner_.malloc(n);
    if (p == nullptr) errno = 0;
    return p;
  }
};

// ---- leak --------------------------------------------------------------------------------------

// leak: the first free of a block forgets it: the block never reaches the heap, which still
// counts it as used once the user holds nothing.
class FirstFreeForgetsHeap final : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void free(void* p) override {
    if (p != nullptr && next_call() == 1) return;
    inner_.free(p);
  }
};

// ---- heaps without our checker, damaged operations before the symptom (the drain probe) ------

// The free-array heap judged from the outside only, like a plugin: no white-box check, no
// leak check; in front of it a LIFO lookaside list of {block, bytes} that malloc serves first
// (an entry serves any request of at most its bytes). Correct as long as the list is; the rows
// below corrupt it in realloc only, which the drain probe never calls, so the probe after an
// operation fails only once that operation has done the damage (fuzz/harness/drain_probe.h).
class LookasideHeap : public WrongFreeArrayHeap {
 public:
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  std::optional<HeapFinding> check(bool, const void*, const LiveView&) override {
    return std::nullopt;
  }
  bool has_checker() const override { return false; }
  std::optional<HeapFinding> check_empty() override { return std::nullopt; }
  void* malloc(size_t n) override;
  void reset() override {
    WrongFreeArrayHeap::reset();
    list_.clear();
  }

 protected:
  struct Entry {
    char* block;
    size_t bytes;
  };
  std::vector<Entry> list_;
};

// Corrupted metadata: a realloc that moves puts the old block on the lookaside list twice
// (instead of freeing it), so two later mallocs get the same block.
class ReallocListsTwiceHeap final : public LookasideHeap {
 public:
  using LookasideHeap::LookasideHeap;
  void* realloc(void* p, size_t n) override;
};

// A lost block: a realloc that moves never frees the old block. The heap keeps a count of the
// bytes it has handed out against a capacity of its own (kCapacity, never asking the region
// for more), so the lost bytes end in a refusal that nothing explains.
class ReallocLosesOldHeap final : public LookasideHeap {
 public:
  static constexpr size_t kCapacity = 8192;
  using LookasideHeap::LookasideHeap;
  void* malloc(size_t n) override;
  void free(void* p) override;
  void* realloc(void* p, size_t n) override;
  void reset() override {
    LookasideHeap::reset();
    held_ = 0;
    sizes_.clear();
  }

 private:
  size_t held_ = 0;                                // requested bytes of the blocks it counts
  std::unordered_map<const void*, size_t> sizes_;  // block -> its requested bytes
};

// A wrong size: a realloc that grows in place keeps the old size on record, and the grown tail
// goes on the lookaside list as if it were free, so a later malloc overlaps the live block.
class ReallocKeepsOldSizeHeap final : public LookasideHeap {
 public:
  using LookasideHeap::LookasideHeap;
  void* realloc(void* p, size_t n) override;
};

// ---- two bugs at once (allocfuzz run's buckets) -------------------------------------------------

// Two independent bugs of the same kind, content-corrupted, in two different calls, one common
// and one rare, so that `allocfuzz run` must keep fuzzing past the first to find the second and
// bucket them apart, and `minimize` must keep the operation (a repro of the realloc bug that
// loses an operation becomes a repro of the malloc bug):
//   malloc  right after a malloc of the same size, writes 0 over byte 0 of that previous block
//           while it is live (common: any repeated request);
//   realloc of a live block to kLargeRealloc bytes or more, while kOthersLive other blocks are
//           live, writes 0 over byte 0 of the lowest live block other than the result (rare: a
//           large request on top of several live blocks; a fourth to a tenth as often as the
//           other).
// Blocks of 0 bytes have no byte to damage and are left alone.
class TwoBugsHeap final : public WrongFreeArrayHeap {
 public:
  static constexpr size_t kLargeRealloc = 16384;
  static constexpr size_t kOthersLive = 3;  // the realloc bug needs this many other live blocks
  using WrongFreeArrayHeap::WrongFreeArrayHeap;
  void* malloc(size_t n) override;
  void* calloc(size_t count, size_t size) override;
  void free(void* p) override;
  void* realloc(void* p, size_t n) override;
  void reset() override {
    WrongFreeArrayHeap::reset();
    live_.clear();
    previous_ = nullptr;
  }

 private:
  std::map<char*, size_t> live_;  // block -> requested bytes; ordered, so "lowest" is fixed
  char* previous_ = nullptr;      // the block the last malloc returned
  size_t previous_size_ = 0;
};

}  // namespace allocfuzz::wrong

#endif  // ALLOCFUZZ_FUZZ_HEAPS_WRONG_REGION_HEAPS_H_
