// The test heaps of the executor's tests (tests/harness/executor*_test.cc): wrong heaps, each
// wrapping a real FreeArrayHeap on the test's region and breaking exactly one promise, and a
// correct heap that records the calls it serves.
#ifndef ALLOCFUZZ_TESTS_HARNESS_EXECUTOR_HEAPS_H_
#define ALLOCFUZZ_TESTS_HARNESS_EXECUTOR_HEAPS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/tested_heap.h"
#include "tests/support/harness_support.h"

namespace allocfuzz::testing {

// Somewhere that is not the region: a wrong heap hands it out.
alignas(64) inline char g_outside[256];

// The registry's free-array heap, which the wrong heaps below derive from: each overrides one
// call and breaks one promise, numbering that call's calls with next_call().
class WrappedHeap : public CallCounting<FreeArrayTestedHeap> {
 public:
  explicit WrappedHeap(PseudoBrk& region) : CallCounting(region), region_(region), heap_(heap()) {}

 protected:
  PseudoBrk& region_;
  FreeArrayHeap& heap_;
};

// overlap: the second malloc hands out the first block again.
class SameBlockTwiceHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void* malloc(size_t n) override {
    int call = next_call();
    void* p = heap_.malloc(n);
    if (call == 1) first_ = p;
    return call == 2 ? first_ : p;
  }

 private:
  void* first_ = nullptr;
};

// overlap: the second malloc's block starts 16 bytes early, inside the block below it.
class ShiftedBlockHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void* malloc(size_t n) override {
    char* p = static_cast<char*>(heap_.malloc(n));
    return next_call() == 2 && p != nullptr ? p - 16 : p;
  }
};

// overlap (foreign): once another party owns a span, malloc hands out its first bytes.
class ForeignBlockHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void* malloc(size_t n) override {
    if (region_.foreign_span_count() == 0) return heap_.malloc(n);
    return region_.start() + ((region_.foreign_span(0).offset + 7) & ~size_t{7});
  }
};

// realloc-lost-data: realloc moves every block and copies nothing.
class NoCopyReallocHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void* realloc(void* p, size_t n) override {
    if (p == nullptr || n == 0) return heap_.realloc(p, n);
    void* q = heap_.malloc(n);
    if (q != nullptr) heap_.free(p);
    return q;
  }
};

// misaligned: from the second malloc on, the pointer is one byte off.
class MisalignedHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void* malloc(size_t n) override {
    char* p = static_cast<char*>(heap_.malloc(n));
    return next_call() >= 2 && p != nullptr ? p + 1 : p;
  }
};

// misaligned, outside the region: the second malloc returns g_outside + 1.
class MisalignedOutsideHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void* malloc(size_t n) override {
    if (next_call() == 2) return g_outside + 1;
    return heap_.malloc(n);
  }
};

// out-of-region: the second malloc returns a block that is not below the break.
enum class Elsewhere { kStaticBuffer, kAboveBreak, kAcrossBreak };
class OutOfRegionHeap final : public WrappedHeap {
 public:
  OutOfRegionHeap(PseudoBrk& region, Elsewhere where) : WrappedHeap(region), where_(where) {}
  void* malloc(size_t n) override {
    if (next_call() != 2) return heap_.malloc(n);
    switch (where_) {
      case Elsewhere::kStaticBuffer:
        return g_outside;
      case Elsewhere::kAboveBreak:
        return region_.current_break() + 8;
      case Elsewhere::kAcrossBreak:
        return region_.current_break() - 16;
    }
    return nullptr;
  }

 private:
  Elsewhere where_;
};

// calloc-not-zero: calloc is malloc (with the overflow check), so reused memory stays dirty.
class DirtyCallocHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void* calloc(size_t count, size_t size) override {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) return nullptr;
    return heap_.malloc(total);
  }
};

// usable-too-small: usable_size reports 8 bytes less than the block has.
class ShortUsableSizeHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  size_t usable_size(const void* p) override { return heap_.usable_size(p) - 8; }
};

// spurious-null: the third malloc (or the first realloc of a live block) returns NULL without
// asking the region for anything.
class SpuriousNullHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void* malloc(size_t n) override { return next_call() == 3 ? nullptr : heap_.malloc(n); }
  void* realloc(void* p, size_t n) override {
    return p != nullptr && n != 0 ? nullptr : heap_.realloc(p, n);
  }
};

// Not a violation: malloc(0) may return NULL.
class NullForZeroHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void* malloc(size_t n) override { return n == 0 ? nullptr : heap_.malloc(n); }
};

// foreign-clobbered: the first free also writes a zero byte `at` bytes into the first
// foreign span.
class ForeignScribbleHeap final : public WrappedHeap {
 public:
  ForeignScribbleHeap(PseudoBrk& region, size_t at) : WrappedHeap(region), at_(at) {}
  void free(void* p) override {
    heap_.free(p);
    if (next_call() == 1 && region_.foreign_span_count() > 0) {
      region_.start()[region_.foreign_span(0).offset + at_] = 0;
    }
  }

 private:
  size_t at_;
};

// content-corrupted: the first free copies the freed block's first word `at` bytes into the
// payload of the block after it (a live neighbour), as a stray memmove would.
class NeighbourScribbleHeap final : public WrappedHeap {
 public:
  NeighbourScribbleHeap(PseudoBrk& region, size_t at) : WrappedHeap(region), at_(at) {}
  void free(void* p) override {
    auto* payload = static_cast<char*>(p);
    uint64_t word = layout::load_word(payload);
    char* next_payload = payload + heap_.usable_size(p) + layout::kHeader;
    heap_.free(p);
    if (next_call() == 1) layout::store_word(next_payload + at_, word);
  }

 private:
  size_t at_;
};

// api-contract: calloc multiplies without checking for overflow.
class CallocOverflowHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void* calloc(size_t count, size_t size) override {
    size_t total = count * size;  // wraps
    void* p = heap_.malloc(total);
    if (p != nullptr) std::memset(p, 0, total);
    return p;
  }
};

// heap-invariant:free-tag: the first free leaves the freed block's tag wrong (found through the
// state: the free array's entry gives the block's size).
class TagBreakingHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void free(void* p) override {
    heap_.free(p);
    if (next_call() != 1) return;
    char* block = static_cast<char*>(p) - layout::kHeader;
    uint64_t h = layout::load_word(block);
    if ((h & layout::kFree) == 0) return;
    uint64_t index = h >> layout::kIndexShift;
    const layout::FreeEntry& e = heap_.state_for_testing().entries[index];
    layout::store_word(reinterpret_cast<char*>(e.pos) + e.size - layout::kWord, index + 7);
  }
};

// heap-invariant:free-bytes: the first free miscounts the free bytes (only the full check
// sees counters).
class MiscountingHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void free(void* p) override {
    heap_.free(p);
    if (next_call() == 1) heap_.state_for_testing().free_bytes += 8;
  }
};

// A correct heap that records the calls it serves, as region offsets (SIZE_MAX for NULL).
struct Call {
  std::string op;
  size_t offset;
  size_t n;
  friend bool operator==(const Call&, const Call&) = default;
};
inline std::ostream& operator<<(std::ostream& os, const Call& c) {
  os << c.op << "(" << (c.offset == SIZE_MAX ? std::string("NULL") : std::to_string(c.offset))
     << ", " << c.n << ")";
  return os;
}

class RecordingHeap final : public WrappedHeap {
 public:
  using WrappedHeap::WrappedHeap;
  void* malloc(size_t n) override {
    calls.push_back({"malloc", SIZE_MAX, n});
    return heap_.malloc(n);
  }
  void free(void* p) override {
    calls.push_back({"free", at(p), 0});
    heap_.free(p);
  }
  void* realloc(void* p, size_t n) override {
    calls.push_back({"realloc", at(p), n});
    return heap_.realloc(p, n);
  }
  void* calloc(size_t count, size_t size) override {
    calls.push_back({"calloc", SIZE_MAX, count * size});
    return heap_.calloc(count, size);
  }
  void reset() override {
    WrappedHeap::reset();
    calls.clear();
  }
  std::vector<Call> calls;

 private:
  size_t at(const void* p) const { return p == nullptr ? SIZE_MAX : region_.offset_of(p); }
};

}  // namespace allocfuzz::testing

#endif  // ALLOCFUZZ_TESTS_HARNESS_EXECUTOR_HEAPS_H_
