// Deliberately broken heaps, registered at start-up in `allocfuzz_testheaps` (the command
// line built for its own tests) and nowhere else: the real heaps are correct, and the tests
// of crash reports, of minimize and of --diff need programs that fail on purpose.
//   test-crash      free() writes to address 0x10: SIGSEGV on the first free of a live block
//   test-overlap    every 3rd malloc returns the block the previous malloc returned
//   test-zero-null  malloc(0) returns NULL: allowed by C, so only a comparison with another
//                   heap (divergence:malloc-zero) can tell
//   test-overflow   free() writes one element past the end of the heap's own free list, an
//                   array from the process's malloc: ASan's heap-buffer-overflow, in the
//                   heap's own code, in every build with ASan (the region's memory would give
//                   use-after-poison under the fuzz preset and SEGV under mprotect)
//   test-misaligned free() stores an 8-byte "freed" tag one byte off alignment: UBSan's
//                   misaligned-store
// The lines the finding's frame must name are marked "FRAME: NAME" (repro/tests/
// cli_signals_test.sh reads them).
//   wrong-drain-*   the wrong-heap catalogue's heaps without our checker (fuzz/heaps/wrong/)
//   wrong-two-bugs  the catalogue's heap with two bugs (content-corrupted in malloc and in
//                   realloc), for the buckets of `allocfuzz run` and `minimize`'s signature
// and the fuzz target wrong_heap_fuzzer (heap_fuzzer with the catalogue's heaps), so that
// `allocfuzz_testheaps --heap=wrong-two-bugs run wrong_heap_fuzzer` can fuzz and replay it.
// All are bump allocators on the region's break (blocks are never reused), 8-byte aligned,
// with the requested size in an 8-byte header so that usable_size is exact.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/heaps/wrong/catalogue.h"

namespace allocfuzz {
namespace {

class BumpHeap : public TestedHeap {
 public:
  explicit BumpHeap(PseudoBrk& region) : region_(region) {}

  void* malloc(size_t n) override {
    if (n > region_.reserve_bytes()) {
      errno = ENOMEM;
      return nullptr;
    }
    const size_t block = ((n + 7) & ~size_t{7}) + kHeader;
    void* start = region_.sbrk(static_cast<intptr_t>(block));
    if (start == reinterpret_cast<void*>(-1)) return nullptr;
    auto* header = static_cast<uint64_t*>(start);
    *header = n;
    return header + 1;
  }
  void free(void* p) override { (void)p; }
  void* realloc(void* p, size_t n) override {
    if (p == nullptr) return malloc(n);
    if (n == 0) {
      free(p);
      return nullptr;
    }
    void* q = malloc(n);
    if (q == nullptr) return nullptr;
    const size_t old = requested(p);
    std::memcpy(q, p, old < n ? old : n);
    free(p);
    return q;
  }
  void* calloc(size_t count, size_t size) override {
    size_t bytes = 0;
    if (__builtin_mul_overflow(count, size, &bytes)) {
      errno = ENOMEM;
      return nullptr;
    }
    void* p = malloc(bytes);
    if (p != nullptr) std::memset(p, 0, bytes);
    return p;
  }
  size_t usable_size(const void* p) override { return requested(p); }
  size_t alignment() const override { return 8; }
  std::optional<HeapFinding> check(bool, const void*, const LiveView&) override {
    return std::nullopt;
  }
  void reset() override {}

 protected:
  static constexpr size_t kHeader = 8;
  static size_t requested(const void* p) { return static_cast<const uint64_t*>(p)[-1]; }

  PseudoBrk& region_;
};

class CrashOnFreeHeap final : public BumpHeap {
 public:
  using BumpHeap::BumpHeap;
  void free(void* p) override {
    if (p == nullptr) return;
    *reinterpret_cast<volatile int*>(uintptr_t{0x10}) = 1;  // FRAME: test-crash
  }
};

class OverlapHeap final : public BumpHeap {
 public:
  using BumpHeap::BumpHeap;
  void* malloc(size_t n) override {
    ++mallocs_;
    if (mallocs_ % 3 == 0 && last_ != nullptr) return last_;
    last_ = BumpHeap::malloc(n);
    return last_;
  }
  void reset() override {
    mallocs_ = 0;
    last_ = nullptr;
  }

 private:
  uint64_t mallocs_ = 0;
  void* last_ = nullptr;
};

class ZeroNullHeap final : public BumpHeap {
 public:
  using BumpHeap::BumpHeap;
  void* malloc(size_t n) override { return n == 0 ? nullptr : BumpHeap::malloc(n); }
};

class OverflowOnFreeHeap final : public BumpHeap {
 public:
  using BumpHeap::BumpHeap;
  void free(void* p) override {
    if (p == nullptr) return;
    // The free list fills from its top down, and its top is (wrongly) one past its end: the
    // first free writes past the array.
    if (freed_ < kSlots) slots_[kSlots - freed_] = p;  // FRAME: test-overflow
    ++freed_;
  }
  void reset() override { freed_ = 0; }

 private:
  static constexpr size_t kSlots = 4;
  std::unique_ptr<void*[]> slots_ = std::make_unique<void*[]>(kSlots);
  size_t freed_ = 0;
};

class MisalignedTagHeap final : public BumpHeap {
 public:
  using BumpHeap::BumpHeap;
  void free(void* p) override {
    if (p == nullptr) return;
    auto* tag = reinterpret_cast<uint64_t*>(static_cast<char*>(p) + 1);
    *tag = kFreedTag;  // FRAME: test-misaligned
  }

 private:
  static constexpr uint64_t kFreedTag = 0xf7eedf7eedf7eedULL;
};

template <typename Heap>
std::unique_ptr<TestedHeap> make(PseudoBrk& region) {
  return std::make_unique<Heap>(region);
}

[[maybe_unused]] const bool kRegistered = [] {
  register_heap_kind(
      {"test-crash", "TEST ONLY: free() writes to address 0x10 (SIGSEGV)", make<CrashOnFreeHeap>});
  register_heap_kind({"test-overlap", "TEST ONLY: every 3rd malloc returns the previous block",
                      make<OverlapHeap>});
  register_heap_kind({"test-zero-null", "TEST ONLY: malloc(0) returns NULL", make<ZeroNullHeap>});
  register_heap_kind({"test-overflow",
                      "TEST ONLY: free() writes past its own free list (heap-buffer-overflow)",
                      make<OverflowOnFreeHeap>});
  register_heap_kind(
      {"test-misaligned", "TEST ONLY: free() stores a misaligned tag", make<MisalignedTagHeap>});
  // The catalogue's heaps without our checker whose damage shows later
  // (fuzz/heaps/wrong/region_rows.h): repro/tests/cli_drain_test.sh replays them to pin the
  // first broken operation the drain probe finds.
  for (const WrongHeapRow& row : wrong_heap_catalogue()) {
    if (row.name.starts_with("wrong-drain-") || row.name == "wrong-two-bugs")
      register_heap_kind({row.name, row.boundary, row.make});
  }
  return true;
}();

}  // namespace
}  // namespace allocfuzz
