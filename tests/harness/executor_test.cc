// Tests of the executor and the shadow model (fuzz/harness/executor.h, fuzz/oracle/shadow.h;
// DESIGN.md sections 5 and 6).
//
// - Wrong heaps: TestedHeaps defined here, each wrapping a real FreeArrayHeap on the test's
//   region and breaking exactly one promise. Each is caught with the exact violation kind, at
//   the first bad operation and with the right offsets in kEveryOp, and with the same kind (at
//   that operation or later, never earlier) in kAmortized.
// - The correct FreeArrayHeap on programs that reach every operation and every realloc path:
//   no finding in either mode, and statistics that add up.
// - Slot semantics (FORMAT.md), determinism (same findings twice and on high and low regions),
//   and a hot path that allocates nothing (counted with a replaced global operator new).
//
// Programs are written as .ops text. Offsets in the comments and messages are region offsets:
// on a fresh region the heap starts at offset 0, so the first block's payload is at +0x000008,
// and the first growth sets the break to +0x001028 (block + end marker + 4096 preallocation).
#include "fuzz/harness/executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocator/free_array/free_array_heap.h"
#include "allocator/free_array/heap_checker.h"
#include "allocator/free_array/heap_layout.h"
#include "allocator/region/pseudo_brk.h"
#include "fuzz/heaps/free_array_adapter.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/content_pattern.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/oracle/shadow.h"
#include "fuzz/program/ops.h"
#include "fuzz/program/ops_text.h"
#include "tests/support/harness_support.h"

// ---- allocation counting -----------------------------------------------------------------
// Every global operator new of this binary, counted while g_count_allocations is set. The
// matching deletes are replaced too, so that memory from malloc always goes back to free.

namespace {

bool g_count_allocations = false;
uint64_t g_allocations = 0;

void* counted_new(size_t n) {
  if (g_count_allocations) ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

void* counted_new_aligned(size_t n, std::align_val_t align) {
  if (g_count_allocations) ++g_allocations;
  auto a = static_cast<size_t>(align);
  size_t rounded = (n + a - 1) / a * a;
  if (void* p = std::aligned_alloc(a, rounded == 0 ? a : rounded)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(size_t n) { return counted_new(n); }
void* operator new[](size_t n) { return counted_new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }

namespace allocfuzz {
namespace {

using testing::CallCounting;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ResultRecorder;

constexpr size_t kReserve = size_t{64} << 20;

// Somewhere that is not the region: a wrong heap hands it out.
alignas(64) char g_outside[256];

Program Parse(std::string_view text) {
  ParseResult result = parse_ops_text(text);
  EXPECT_FALSE(result.error.has_value())
      << "line " << result.error->line << ": " << result.error->message;
  return result.program;
}

// "kind @op [oracle] +offset: message", or "ok": one string to compare and to print.
std::string Describe(const std::optional<Finding>& f) {
  if (!f) return "ok";
  std::string offset = f->offset == SIZE_MAX ? "-" : std::to_string(f->offset);
  return f->kind.text() + " @" + std::to_string(f->op_index) + " [" +
         std::string(oracle_name(f->oracle)) + "] " + offset + ": " + f->message;
}

// ---- the heaps ---------------------------------------------------------------------------

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
std::ostream& operator<<(std::ostream& os, const Call& c) {
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

// ---- rigs ----------------------------------------------------------------------------------

// A region of one placement, a heap on it and an executor.
struct Rig {
  PseudoBrk region;
  std::unique_ptr<TestedHeap> heap;
  std::unique_ptr<Executor> executor;

  Outcome run(const Program& program, CheckMode mode, OpObserver* observer = nullptr) {
    return executor->run(program, mode, observer);
  }
};

using RigMaker = std::function<std::unique_ptr<Rig>(Placement)>;

bool InitRegion(PseudoBrk& region, Placement placement) {
  RegionOptions options;
  options.reserve_bytes = kReserve;
  options.placement = placement;
  int rc = region.init(options);
  EXPECT_EQ(rc, 0) << "cannot reserve the " << placement_name(placement) << " region";
  return rc == 0;
}

template <typename H, typename... Args>
std::unique_ptr<Rig> MakeRig(Placement placement, Args... args) {
  auto rig = std::make_unique<Rig>();
  if (!InitRegion(rig->region, placement)) return nullptr;
  rig->heap = std::make_unique<H>(rig->region, args...);
  rig->executor = std::make_unique<Executor>(rig->region, *rig->heap);
  return rig;
}

template <typename H, typename... Args>
RigMaker Maker(Args... args) {
  return [=](Placement placement) { return MakeRig<H>(placement, args...); };
}

// The registry's FreeArrayHeap: what the fuzzer drives.
std::unique_ptr<Rig> MakeSeedRig(Placement placement) {
  auto rig = std::make_unique<Rig>();
  if (!InitRegion(rig->region, placement)) return nullptr;
  const HeapKind* kind = find_heap_kind(kDefaultHeap);
  EXPECT_NE(kind, nullptr);
  if (kind == nullptr) return nullptr;
  rig->heap = kind->make(rig->region);
  rig->executor = std::make_unique<Executor>(rig->region, *rig->heap);
  return rig;
}

// ---- the wrong heaps, each caught with its kind ----------------------------------------------

struct Expected {
  std::string kind;
  size_t op_index;
  std::string message;  // exact; empty: not checked here
  Oracle oracle = Oracle::kShadow;
};

// Runs `text` in kEveryOp (exact kind, operation and message) and in kAmortized (same kind, at
// that operation or later, within the program or at its end), on a fresh rig. Returns the
// kEveryOp outcome.
Outcome ExpectCaught(const RigMaker& make, const std::string& text, const Expected& want) {
  Program program = Parse(text);
  std::unique_ptr<Rig> rig = make(program.header.placement);
  if (!rig) return Outcome{};
  Outcome every = rig->run(program, CheckMode::kEveryOp);
  EXPECT_TRUE(every.finding.has_value()) << "kEveryOp missed " << want.kind;
  if (every.finding) {
    const Finding& f = *every.finding;
    EXPECT_EQ(f.kind.text(), want.kind) << Describe(every.finding);
    EXPECT_EQ(f.op_index, want.op_index) << Describe(every.finding);
    EXPECT_EQ(f.oracle, want.oracle) << Describe(every.finding);
    if (!want.message.empty()) {
      EXPECT_EQ(f.message, want.message);
    }
  }
  Outcome amortized = rig->run(program, CheckMode::kAmortized);
  EXPECT_TRUE(amortized.finding.has_value()) << "kAmortized missed " << want.kind;
  if (amortized.finding) {
    const Finding& f = *amortized.finding;
    EXPECT_EQ(f.kind.text(), want.kind) << Describe(amortized.finding);
    EXPECT_EQ(f.oracle, want.oracle) << Describe(amortized.finding);
    EXPECT_GE(f.op_index, want.op_index)
        << "kAmortized saw it before it happened: " << Describe(amortized.finding);
    EXPECT_LE(f.op_index, program.ops.size()) << Describe(amortized.finding);
  }
  return every;
}

// The same, and in kAmortized at the very same operation (a violation the cheap checks see).
void ExpectCaughtAtOnce(const RigMaker& make, const std::string& text, const Expected& want) {
  Program program = Parse(text);
  ExpectCaught(make, text, want);
  std::unique_ptr<Rig> rig = make(program.header.placement);
  if (!rig) return;
  Outcome amortized = rig->run(program, CheckMode::kAmortized);
  ASSERT_TRUE(amortized.finding.has_value());
  EXPECT_EQ(amortized.finding->op_index, want.op_index) << Describe(amortized.finding);
  if (!want.message.empty()) {
    EXPECT_EQ(amortized.finding->message, want.message);
  }
}

TEST(WrongHeap, ControlTheWrapperItselfIsCorrect) {
  // Every wrong heap below is this wrapper with one call changed.
  const std::string text = R"(# allocfuzz ops v1
malloc s0 24
malloc s1 24
malloc s2 64
realloc s0 100
calloc s3 8 8
free s1
free s2
calloc s4 8 8
foreign-grow 4096
malloc s5 5000
free s5
free s4
check
)";
  Program program = Parse(text);
  auto rig = MakeRig<WrappedHeap>(Placement::kHigh);
  ASSERT_TRUE(rig);
  EXPECT_EQ(Describe(rig->run(program, CheckMode::kEveryOp).finding), "ok");
  EXPECT_EQ(Describe(rig->run(program, CheckMode::kAmortized).finding), "ok");
}

TEST(WrongHeap, SameBlockTwiceIsOverlap) {
  ExpectCaughtAtOnce(Maker<SameBlockTwiceHeap>(), R"(# allocfuzz ops v1
malloc s0 24    # +0x000008
malloc s1 24    # the heap returns +0x000008 again
)",
                     {"overlap", 1,
                      "block at +0x000008 of 24 bytes overlaps live block s0 at +0x000008 of 24 "
                      "bytes"});
}

TEST(WrongHeap, BlockStartingInsideTheOneBelowIsOverlap) {
  ExpectCaughtAtOnce(Maker<ShiftedBlockHeap>(), R"(# allocfuzz ops v1
malloc s0 24    # +0x000008 .. +0x000020
malloc s1 24    # really +0x000028; the heap says +0x000018
)",
                     {"overlap", 1,
                      "block at +0x000018 of 24 bytes overlaps live block s0 at +0x000008 of 24 "
                      "bytes"});
}

TEST(WrongHeap, BlockInAForeignSpanIsOverlap) {
  ExpectCaughtAtOnce(Maker<ForeignBlockHeap>(), R"(# allocfuzz ops v1
malloc s0 24          # the break goes to +0x001028
foreign-grow 4096     # the other party owns +0x001028 .. +0x002028
malloc s1 24          # the heap hands out +0x001028
)",
                     {"overlap", 2,
                      "block at +0x001028 of 24 bytes overlaps the foreign span at +0x001028 of "
                      "4096 bytes"});
}

TEST(WrongHeap, ReallocThatCopiesNothingLosesData) {
  // Fresh memory reads 0; the first word of allocation #1's pattern is 0x8000000100000000,
  // whose low four bytes are 0 as well: byte 4 is the first one lost.
  ExpectCaughtAtOnce(Maker<NoCopyReallocHeap>(), R"(# allocfuzz ops v1
malloc s0 24      # +0x000008
malloc s1 24      # +0x000028, so s0 cannot grow in place
realloc s0 100    # moved to +0x000048, nothing copied
)",
                     {"realloc-lost-data", 2,
                      "realloc from +0x000008 to +0x000048 (24 -> 100 bytes) lost byte 4; the "
                      "word there reads 0x0000000000000000"});
}

TEST(WrongHeap, PointerOneByteOffIsMisaligned) {
  ExpectCaughtAtOnce(Maker<MisalignedHeap>(), R"(# allocfuzz ops v1
malloc s0 24
malloc s1 24      # really +0x000028; the heap says +0x000029
malloc s2 24
)",
                     {"misaligned", 1, "block at +0x000029 is not 8-aligned"});
}

TEST(WrongHeap, PointerIntoAStaticBufferIsOutOfRegion) {
  Outcome every = ExpectCaught(Maker<OutOfRegionHeap>(Elsewhere::kStaticBuffer),
                               R"(# allocfuzz ops v1
malloc s0 24
malloc s1 24
)",
                               {"out-of-region", 1,
                                "block at outside the region of 24 bytes is not below the break "
                                "+0x001028"});
  ASSERT_TRUE(every.finding);
  EXPECT_EQ(every.finding->offset, SIZE_MAX) << "an address outside the region has no offset";
}

TEST(WrongHeap, PointerAboveTheBreakIsOutOfRegion) {
  ExpectCaughtAtOnce(
      Maker<OutOfRegionHeap>(Elsewhere::kAboveBreak), R"(# allocfuzz ops v1
malloc s0 24
malloc s1 24      # the heap says +0x001030, above the break at +0x001028
)",
      {"out-of-region", 1, "block at +0x001030 of 24 bytes is not below the break +0x001028"});
}

TEST(WrongHeap, BlockAcrossTheBreakIsOutOfRegion) {
  ExpectCaughtAtOnce(
      Maker<OutOfRegionHeap>(Elsewhere::kAcrossBreak), R"(# allocfuzz ops v1
malloc s0 24
malloc s1 24      # +0x001018 .. +0x001030 runs 8 bytes past the break
)",
      {"out-of-region", 1, "block at +0x001018 of 24 bytes is not below the break +0x001028"});
}

TEST(WrongHeap, CallocOfReusedMemoryNotZeroed) {
  // s2 reuses s0's block; its first word still holds allocation #1's pattern
  // (0x8000000100000000: byte 4 is 0x01).
  ExpectCaughtAtOnce(
      Maker<DirtyCallocHeap>(), R"(# allocfuzz ops v1
malloc s0 64      # +0x000008, a 72-byte block
malloc s1 24      # keeps s0's block off the top
free s0
calloc s2 8 8     # the same 72-byte block, not zeroed
)",
      {"calloc-not-zero", 3, "calloc block at +0x000008 (64 bytes): byte 4 is 0x01, not 0"});
}

TEST(WrongHeap, UsableSizeBelowTheRequest) {
  ExpectCaughtAtOnce(Maker<ShortUsableSizeHeap>(), R"(# allocfuzz ops v1
malloc s0 0       # usable 8 reported as 0: still covers the request
malloc s1 20      # +0x000018, usable 24 reported as 16
)",
                     {"usable-too-small", 1,
                      "usable size 16 of the block at +0x000018 is below the requested 20"});
}

TEST(WrongHeap, NullWithoutAFailedGrowthIsSpurious) {
  ExpectCaughtAtOnce(Maker<SpuriousNullHeap>(), R"(# allocfuzz ops v1
malloc s0 24
malloc s1 24
malloc s2 4096    # NULL, and the region refused nothing
)",
                     {"spurious-null", 2,
                      "malloc of 4096 bytes returned NULL although no break growth failed "
                      "during the call"});
  ExpectCaughtAtOnce(Maker<SpuriousNullHeap>(), R"(# allocfuzz ops v1
malloc s0 24
realloc s0 100    # NULL, and the region refused nothing
)",
                     {"spurious-null", 1,
                      "realloc of 100 bytes returned NULL although no break growth failed "
                      "during the call"});
}

TEST(WrongHeap, FairNullsAreNotViolations) {
  // NULL after refused growths, above the region, on calloc overflow, beyond a limit; and a
  // heap that returns NULL for malloc(0), which C allows. A failed realloc keeps the block.
  const std::string text = R"(# allocfuzz ops v1
malloc s0 24
fail-grow 2
malloc s1 8192                        # both growth attempts refused
malloc s2 1099511627776               # 1 TiB: more than the region
malloc s3 18446744073709551615        # SIZE_MAX: no block size represents it
calloc s4 4294967296 4294967296       # overflows: refused
fail-grow 4
realloc s0 100000                     # in place and the fallback both refused: s0 stays
realloc s0 18446744073709551615
fill s0
malloc s5 24
check
)";
  for (Placement placement : {Placement::kHigh, Placement::kLow}) {
    SCOPED_TRACE(placement_name(placement));
    auto rig = MakeSeedRig(placement);
    ASSERT_TRUE(rig);
    Program program = Parse(text);
    for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
      ResultRecorder recorder;
      Outcome out = rig->run(program, mode, &recorder);
      EXPECT_EQ(Describe(out.finding), "ok");
      ASSERT_EQ(recorder.results.size(), program.ops.size());
      for (size_t i : {2, 3, 4, 5, 7, 8}) {
        EXPECT_TRUE(recorder.results[i].returned && recorder.results[i].null) << "op " << i;
      }
      EXPECT_FALSE(recorder.results[10].null);
      EXPECT_EQ(rig->executor->shadow().slot(0).requested, 24u);
    }
  }

  auto limited = MakeSeedRig(Placement::kHigh);
  ASSERT_TRUE(limited);
  Program program = Parse(R"(# allocfuzz ops v1
# limit: 65536
malloc s0 30000
malloc s1 30000       # the preallocation is cut short by the limit
malloc s2 30000       # refused by the limit
foreign-grow 10000    # refused by the limit too
free s0
malloc s2 30000       # s0's block
)");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    ResultRecorder recorder;
    EXPECT_EQ(Describe(limited->run(program, mode, &recorder).finding), "ok");
    ASSERT_EQ(recorder.results.size(), 6u);
    EXPECT_TRUE(recorder.results[2].null);
    EXPECT_FALSE(recorder.results[3].applied);
    EXPECT_FALSE(recorder.results[5].null);
    EXPECT_EQ(recorder.results[5].offset, recorder.results[0].offset);
    EXPECT_LE(limited->region.stats().peak_break_offset, 65536u);
  }

  auto zero = MakeRig<NullForZeroHeap>(Placement::kHigh);
  ASSERT_TRUE(zero);
  Program zeros = Parse(R"(# allocfuzz ops v1
malloc s0 0
malloc s1 8
malloc s0 0
free s0
)");
  EXPECT_EQ(Describe(zero->run(zeros, CheckMode::kEveryOp).finding), "ok");
  EXPECT_EQ(Describe(zero->run(zeros, CheckMode::kAmortized).finding), "ok");
}

TEST(WrongHeap, WriteIntoAForeignSpanIsForeignClobbered) {
  // The span is +0x001028 .. +0x002028; the heap writes 0 at byte 2000 of it (+0x0017f8), in
  // the middle, where the amortized per-operation check (edges only) does not look.
  Outcome every = ExpectCaught(Maker<ForeignScribbleHeap>(size_t{2000}), R"(# allocfuzz ops v1
malloc s0 24
foreign-grow 4096
malloc s1 24
free s1           # also writes into the foreign span
malloc s2 24
malloc s3 24
)",
                               {"foreign-clobbered", 3, ""});
  ASSERT_TRUE(every.finding);
  EXPECT_THAT(every.finding->message, HasSubstr("the foreign byte at +0x0017f8 was overwritten"));
  EXPECT_EQ(every.finding->offset, 0x17f8u);

  // At an edge the amortized check sees it at once.
  ExpectCaughtAtOnce(Maker<ForeignScribbleHeap>(size_t{0}), R"(# allocfuzz ops v1
malloc s0 24
foreign-grow 4096
malloc s1 24
free s1
)",
                     {"foreign-clobbered", 3, ""});
}

TEST(WrongHeap, ForeignClobberMessageDoesNotInventAnOwner) {
  // The other party's bytes (0xa1 for the first span) have the top bit set, so a word of them
  // with one byte changed looks like a pattern word. The message must not name an allocation
  // that never existed (this program made two).
  Outcome every = ExpectCaught(Maker<ForeignScribbleHeap>(size_t{2000}), R"(# allocfuzz ops v1
malloc s0 24
foreign-grow 4096
malloc s1 24
free s1
)",
                               {"foreign-clobbered", 3, ""});
  ASSERT_TRUE(every.finding);
  EXPECT_THAT(every.finding->message, Not(HasSubstr("allocation #"))) << every.finding->message;
}

TEST(WrongHeap, WriteIntoALiveNeighbourIsContentCorrupted) {
  // Freeing s0 (allocation #1) copies its first word into s1 (allocation #2) at byte 8: the
  // message says whose word it is.
  ExpectCaughtAtOnce(Maker<NeighbourScribbleHeap>(size_t{8}), R"(# allocfuzz ops v1
malloc s0 24      # +0x000008, allocation #1
malloc s1 24      # +0x000028, allocation #2
malloc s2 24
free s0           # also writes into s1
)",
                     {"content-corrupted", 3,
                      "byte 8 of live block s1 at +0x000028 (24 bytes) changed behind the "
                      "user's back; the word there is byte 0 of allocation #1's pattern"});
}

TEST(WrongHeap, WriteIntoTheMiddleOfALiveBlockIsFoundByTheNextFullCheck) {
  // Byte 2000 of a 4096-byte block is not an edge: kAmortized finds it at `check`.
  const std::string text = R"(# allocfuzz ops v1
malloc s0 24
malloc s1 4096    # +0x000028
malloc s2 24
free s0           # also writes into the middle of s1
malloc s3 24
fill s2
check
free s3
)";
  ExpectCaught(Maker<NeighbourScribbleHeap>(size_t{2000}), text,
               {"content-corrupted", 3,
                "byte 2000 of live block s1 at +0x000028 (4096 bytes) changed behind the user's "
                "back; the word there is byte 0 of allocation #1's pattern"});
  auto rig = MakeRig<NeighbourScribbleHeap>(Placement::kHigh, size_t{2000});
  ASSERT_TRUE(rig);
  Outcome amortized = rig->run(Parse(text), CheckMode::kAmortized);
  ASSERT_TRUE(amortized.finding);
  EXPECT_EQ(amortized.finding->op_index, 6u) << Describe(amortized.finding);
}

TEST(WrongHeap, CorruptionOfABlockFreedBeforeAFullCheckIsStillFound) {
  // executor.h: "a program that passes in one [mode] passes in the other". Here the corrupted
  // block is freed before any full check; in kAmortized, release() verifies only its edges and
  // then forgets it, so the corruption must be seen there or not at all.
  ExpectCaught(Maker<NeighbourScribbleHeap>(size_t{2000}), R"(# allocfuzz ops v1
malloc s0 24
malloc s1 4096
malloc s2 24
free s0           # also writes into the middle of s1
free s1
)",
               {"content-corrupted", 3, ""});
}

TEST(WrongHeap, ClobberOfAForeignSpanReleasedBeforeAFullCheckIsStillFound) {
  // The same for a foreign span: clobbered in the middle, then given back by its owner before
  // any full check. In kAmortized only the span's edges were looked at.
  ExpectCaught(Maker<ForeignScribbleHeap>(size_t{2000}), R"(# allocfuzz ops v1
malloc s0 4096    # the break goes to +0x002010
foreign-grow 4096
malloc s1 24
free s1           # also writes into the middle of the foreign span
foreign-release   # the span is at the top: given back
)",
               {"foreign-clobbered", 3, ""});
}

TEST(WrongHeap, CallocOverflowNotRefusedIsApiContract) {
  ExpectCaughtAtOnce(Maker<CallocOverflowHeap>(), R"(# allocfuzz ops v1
malloc s0 24
calloc s1 9223372036854775809 2    # 2^64 + 2 bytes wraps to 2
)",
                     {"api-contract", 1,
                      "calloc(9223372036854775809, 2) overflows size_t but returned a block at "
                      "+0x000028"});
}

TEST(WrongHeap, BrokenTagIsHeapInvariant) {
  // Freeing s1 makes the free block +0x000020 .. +0x000040, entry 0; its tag (the word at
  // +0x000038) is left at 7. In kAmortized the near check of s0 (whose successor it is) sees it.
  ExpectCaughtAtOnce(Maker<TagBreakingHeap>(), R"(# allocfuzz ops v1
malloc s0 24
malloc s1 24
malloc s2 24
free s1
)",
                     {"heap-invariant:free-tag", 3,
                      "heap-invariant:free-tag at +0x000038 entry 0: expected 0x0, actual 0x7 (a "
                      "free block's last word (its tag) equals its index)",
                      Oracle::kHeapChecker});
}

TEST(WrongHeap, MiscountedFreeBytesIsHeapInvariantAtTheNextFullCheck) {
  // Counters are left to the full walk: kAmortized sees this only at the end, after the next
  // operation has run on the miscounted heap (the harness turns the heap's own per-call check
  // off, so nothing stops the process before).
  const std::string text = R"(# allocfuzz ops v1
malloc s0 24
malloc s1 24
malloc s2 4096
free s1
malloc s3 8
)";
  ExpectCaught(Maker<MiscountingHeap>(), text,
               {"heap-invariant:free-bytes", 3,
                "heap-invariant:free-bytes at +0x000000: expected 0x20, actual 0x28 (the "
                "free-bytes counter equals the sum of entry sizes)",
                Oracle::kHeapChecker});
  auto rig = MakeRig<MiscountingHeap>(Placement::kHigh);
  ASSERT_TRUE(rig);
  Outcome amortized = rig->run(Parse(text), CheckMode::kAmortized);
  ASSERT_TRUE(amortized.finding);
  EXPECT_EQ(amortized.finding->op_index, 5u) << "at the end: " << Describe(amortized.finding);
}

// ---- the correct heap ----------------------------------------------------------------------

// Every operation, every realloc path of FreeArrayHeap, foreign moves, fence, fail-grow,
// break release. Block offsets are headers ([start, end)); payloads are 8 bytes higher.
constexpr std::string_view kEveryPath = R"(# allocfuzz ops v1
malloc s0 24          # 0  [0,32) from a fresh break
malloc s1 100         # 1  [32,144)
malloc s2 24          # 2  [144,176)
realloc s1 40         # 3  shrink in place: the 64-byte tail becomes a free block
realloc s1 48         # 4  grow into the free successor, splitting it
realloc s1 140        # 5  no room around: malloc + copy + free, moves to [176,328)
realloc s2 100        # 6  grow into the free predecessor: moves down to [32,144)
realloc s1 200        # 7  grow in place at the top, inside the preallocation
realloc s1 5000       # 8  grow in place at the top, growing the break
realloc s1 5000       # 9  same size
realloc s1 4990       # 10 shrink at the top: the 8-byte tail goes back to the top
realloc s0 8          # 11 shrink by 16 next to a used block: kept as slack
realloc s2 96         # 12 shrink: an 8-byte tail joins the free successor
realloc s2 130        # 13 grow into the free successor, taking all of it
malloc s3 24          # 14 [5176,5208)
malloc s4 24          # 15 [5208,5240)
malloc s5 24          # 16 [5240,5272)
malloc s6 24          # 17 [5272,5304)
free s3               # 18
free s5               # 19
realloc s4 80         # 20 grow into predecessor and successor together: moves to [5176,5272)
realloc s6 0          # 21 realloc(p, 0) frees
realloc s7 64         # 22 realloc of an empty slot is malloc
calloc s8 10 10       # 23 [5344,5456)
free s0               # 24
calloc s9 2 4         # 25 calloc of reused memory (s0's old block)
fill s9               # 26
fill s2               # 27
foreign-grow 1000     # 28 another party moves the break
realloc s8 20000      # 29 at the top, but the break moved: fence, moves to [14384,34392)
foreign-release       # 30 its span is no longer at the top: nothing happens
check                 # 31
free s8               # 32
foreign-grow 2048     # 33
foreign-release       # 34 at the top: given back
malloc s10 100000     # 35
fail-grow 2           # 36
malloc s11 1000000    # 37 both growth attempts refused: a fair NULL
fail-grow 4           # 38
realloc s10 300000    # 39 in place and the fallback both refused: NULL, s10 stays
realloc s10 200000    # 40 grows in place
malloc s12 1000000    # 41
foreign-grow 4096     # 42
free s12              # 43 a free top, but the break is not the heap's: no release
foreign-release       # 44
malloc s13 2000000    # 45
free s13              # 46 the break is lowered
malloc s1 24          # 47 into a live slot: s1 is freed first
free s1               # 48
free s1               # 49 empty slot
fill s14              # 50 empty slot
realloc s15 0         # 51 realloc(NULL, 0)
malloc s16 0          # 52
calloc s17 0 8        # 53
calloc s18 4294967296 4294967296   # 54 overflow: refused
malloc s19 1099511627776           # 55 larger than the region: refused
malloc s20 24         # 56
malloc s21 24         # 57
free s17              # 58
free s21              # 59
free s20              # 60 coalesces with both neighbours
)";

TEST(CorrectHeap, EveryPathHasNoFindingInBothModesAndPlacements) {
  Program program = Parse(kEveryPath);
  ASSERT_EQ(program.ops.size(), 61u);
  std::vector<OpResult> first;
  for (Placement placement : {Placement::kHigh, Placement::kLow}) {
    auto rig = MakeSeedRig(placement);
    ASSERT_TRUE(rig);
    for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
      SCOPED_TRACE(std::string(placement_name(placement)) +
                   (mode == CheckMode::kEveryOp ? " every-op" : " amortized"));
      ResultRecorder recorder;
      Outcome out = rig->run(program, mode, &recorder);
      EXPECT_EQ(Describe(out.finding), "ok");
      ASSERT_EQ(recorder.results.size(), program.ops.size());
      const std::vector<OpResult>& r = recorder.results;
      // The realloc paths, seen from outside: moved or not, and where to.
      for (size_t i : {3, 4, 7, 8, 9, 10, 11, 12, 13, 40}) {
        EXPECT_FALSE(r[i].moved) << "op " << i;
        EXPECT_FALSE(r[i].null) << "op " << i;
      }
      for (size_t i : {5, 6, 20, 29}) EXPECT_TRUE(r[i].moved) << "op " << i;
      EXPECT_EQ(r[5].offset, 184u);
      EXPECT_EQ(r[6].offset, 40u);
      EXPECT_EQ(r[20].offset, 5184u);
      EXPECT_EQ(r[29].offset, 14392u);
      EXPECT_EQ(r[25].offset, 8u) << "calloc reuses s0's block";
      EXPECT_EQ(r[47].offset, 5352u);
      for (size_t i : {37, 39, 54, 55}) EXPECT_TRUE(r[i].null) << "op " << i;
      EXPECT_FALSE(r[30].applied);
      EXPECT_TRUE(r[34].applied);
      EXPECT_TRUE(r[44].applied);
      EXPECT_LT(rig->region.stats().break_offset, rig->region.stats().peak_break_offset)
          << "op 46 gives memory back";
      EXPECT_EQ(rig->executor->shadow().slot(10).requested, 200000u);

      EXPECT_EQ(out.stats.ops, program.ops.size());
      if (mode == CheckMode::kEveryOp) {
        EXPECT_EQ(out.stats.near_checks, 0u);
        // One full check per operation that did something, two for a realloc that moved or a
        // malloc into a live slot, none for fail-grow and no-ops; one at the end.
        // Here 7 operations check nothing (fail-grow 36 and 38, the NULLs of 37, 54 and 55,
        // which change nothing, and the no-ops 49 and 50), and 5 check twice (the moving
        // reallocs 5, 6, 20 and 29 check the old place too; 47 frees s1 first).
        EXPECT_EQ(out.stats.full_checks, out.stats.ops + 1 - 7 + 5);
      } else {
        EXPECT_GE(out.stats.near_checks, out.stats.ops - 7);
        EXPECT_GE(out.stats.full_checks, 2u) << "check and the end";
        EXPECT_LT(out.stats.full_checks, out.stats.ops);
      }
      if (first.empty()) {
        first = r;
      } else {
        for (size_t i = 0; i < r.size(); ++i) {
          EXPECT_EQ(r[i].offset, first[i].offset) << "op " << i;
          EXPECT_EQ(r[i].null, first[i].null) << "op " << i;
        }
      }
    }
  }
}

TEST(CorrectHeap, EveryOpRunsOneFullCheckPerOperationAndOneAtTheEnd) {
  // Each operation here does one thing (no no-ops, no fail-grow, no moving realloc).
  Program program = Parse(R"(# allocfuzz ops v1
malloc s0 24
malloc s1 100
calloc s2 4 4
fill s1
realloc s1 40
realloc s0 16
foreign-grow 100
free s2
malloc s3 5000
free s0
foreign-release
)");
  auto rig = MakeSeedRig(Placement::kHigh);
  ASSERT_TRUE(rig);
  ResultRecorder recorder;
  Outcome every = rig->run(program, CheckMode::kEveryOp, &recorder);
  EXPECT_EQ(Describe(every.finding), "ok");
  for (const OpResult& r : recorder.results) EXPECT_FALSE(r.moved || r.null);
  EXPECT_EQ(every.stats.ops, 11u);
  EXPECT_EQ(every.stats.full_checks, every.stats.ops + 1);
  EXPECT_EQ(every.stats.near_checks, 0u);

  Outcome amortized = rig->run(program, CheckMode::kAmortized);
  EXPECT_EQ(Describe(amortized.finding), "ok");
  EXPECT_EQ(amortized.stats.ops, 11u);
  EXPECT_GE(amortized.stats.near_checks, amortized.stats.ops);
  EXPECT_GE(amortized.stats.full_checks, 1u);
  EXPECT_LT(amortized.stats.full_checks, every.stats.full_checks);
}

// 600 live 64-byte blocks, then 3000 operations on them.
Program ManyLiveBlocks() {
  Program program;
  auto op = [&program](OpKind kind, uint32_t slot, uint64_t size) {
    Op o;
    o.kind = kind;
    o.slot = slot;
    o.args[0] = size;
    program.ops.push_back(o);
  };
  constexpr uint32_t kLive = 600;
  for (uint32_t s = 0; s < kLive; ++s) op(OpKind::kMalloc, s, 64);
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    uint32_t s = rng() % kLive;
    switch (i % 4) {
      case 0:
        op(OpKind::kFill, s, 0);
        break;
      case 1:
        op(OpKind::kRealloc, s, 56 + 8 * (rng() % 2));
        break;
      case 2:
        op(OpKind::kFree, s, 0);
        break;
      default:
        op(OpKind::kMalloc, s, 64);
        break;
    }
  }
  return program;
}

TEST(CorrectHeap, AmortizedRunsFarFewerFullChecks) {
  Program program = ManyLiveBlocks();
  auto rig = MakeSeedRig(Placement::kHigh);
  ASSERT_TRUE(rig);
  Outcome amortized = rig->run(program, CheckMode::kAmortized);
  EXPECT_EQ(Describe(amortized.finding), "ok");
  EXPECT_EQ(amortized.stats.ops, program.ops.size());
  EXPECT_GE(amortized.stats.full_checks, 1u);
  EXPECT_LT(amortized.stats.full_checks * 100, amortized.stats.ops)
      << amortized.stats.full_checks << " full checks";
  EXPECT_GE(amortized.stats.near_checks, amortized.stats.ops);

  Outcome every = rig->run(program, CheckMode::kEveryOp);
  EXPECT_EQ(Describe(every.finding), "ok");
  EXPECT_GE(every.stats.full_checks, every.stats.ops);
}

// A random program over `slots` slots with sizes at allocator edges (none huge).
Program RandomProgram(uint32_t seed, size_t count, uint32_t slots, Placement placement) {
  static constexpr uint64_t kSizes[] = {0,   1,   7,   8,   9,   15,   16,   17,   23,   24,
                                        25,  31,  32,  33,  40,  48,   56,   64,   100,  127,
                                        128, 129, 255, 256, 500, 1000, 4088, 4096, 4104, 10000};
  static constexpr uint64_t kForeign[] = {1, 7, 8, 100, 4096, 10000};
  std::mt19937 rng(seed);
  Program program;
  program.header.placement = placement;
  for (size_t i = 0; i < count; ++i) {
    Op op;
    op.slot = rng() % slots;
    uint32_t r = rng() % 100;
    uint64_t size = kSizes[rng() % (sizeof kSizes / sizeof kSizes[0])];
    if (r < 30) {
      op.kind = OpKind::kMalloc;
      op.args[0] = size;
    } else if (r < 35) {
      op.kind = OpKind::kCalloc;
      op.args[0] = 1 + rng() % 8;
      op.args[1] = size;
    } else if (r < 60) {
      op.kind = OpKind::kRealloc;
      op.args[0] = size;
    } else if (r < 85) {
      op.kind = OpKind::kFree;
    } else if (r < 92) {
      op.kind = OpKind::kFill;
    } else if (r < 93) {
      op.kind = OpKind::kCheck;
      op.slot = 0;
    } else if (r < 96) {
      op.kind = OpKind::kForeignGrow;
      op.slot = 0;
      op.args[0] = kForeign[rng() % (sizeof kForeign / sizeof kForeign[0])];
    } else if (r < 98) {
      op.kind = OpKind::kForeignRelease;
      op.slot = 0;
    } else {
      op.kind = OpKind::kFailGrow;
      op.slot = 0;
      op.args[0] = 1 + rng() % 3;
    }
    program.ops.push_back(op);
  }
  return program;
}

TEST(CorrectHeap, RandomProgramsHaveNoFinding) {
  for (Placement placement : {Placement::kHigh, Placement::kLow}) {
    auto rig = MakeSeedRig(placement);
    ASSERT_TRUE(rig);
    for (uint32_t seed = 1; seed <= 6; ++seed) {
      Program program = RandomProgram(seed, 1500, 48, placement);
      for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
        Outcome out = rig->run(program, mode);
        EXPECT_EQ(Describe(out.finding), "ok")
            << placement_name(placement) << " seed " << seed
            << (mode == CheckMode::kEveryOp ? " every-op" : " amortized") << "\n"
            << (out.finding && out.finding->op_index < program.ops.size()
                    ? format_op(program.ops[out.finding->op_index])
                    : std::string());
      }
    }
  }
}

// ---- slot semantics (FORMAT.md) ----------------------------------------------------------

TEST(Slots, MallocIntoALiveSlotFreesTheOldBlockFirst) {
  auto rig = MakeRig<RecordingHeap>(Placement::kHigh);
  ASSERT_TRUE(rig);
  auto& heap = static_cast<RecordingHeap&>(*rig->heap);
  Program program = Parse(R"(# allocfuzz ops v1
malloc s0 24
malloc s1 24
malloc s0 24      # s0's old block is freed first, so the new one is the same block
calloc s1 3 8     # the same for calloc
)");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    ResultRecorder recorder;
    EXPECT_EQ(Describe(rig->run(program, mode, &recorder).finding), "ok");
    EXPECT_EQ(heap.calls, (std::vector<Call>{{"malloc", SIZE_MAX, 24},
                                             {"malloc", SIZE_MAX, 24},
                                             {"free", 8, 0},
                                             {"malloc", SIZE_MAX, 24},
                                             {"free", 40, 0},
                                             {"calloc", SIZE_MAX, 24}}));
    ASSERT_EQ(recorder.results.size(), 4u);
    EXPECT_EQ(recorder.results[2].offset, 8u);
    EXPECT_EQ(recorder.results[3].offset, 40u);
    EXPECT_EQ(rig->executor->shadow().live_count(), 2u);
  }
}

TEST(Slots, FreeOfAnEmptySlotDoesNothing) {
  auto rig = MakeRig<RecordingHeap>(Placement::kHigh);
  ASSERT_TRUE(rig);
  auto& heap = static_cast<RecordingHeap&>(*rig->heap);
  Program program = Parse(R"(# allocfuzz ops v1
free s3
malloc s0 8
free s0
free s0
fill s0
)");
  Outcome out = rig->run(program, CheckMode::kEveryOp);
  EXPECT_EQ(Describe(out.finding), "ok");
  EXPECT_EQ(heap.calls, (std::vector<Call>{{"malloc", SIZE_MAX, 8}, {"free", 8, 0}}));
  EXPECT_EQ(out.stats.ops, 5u);
  EXPECT_EQ(out.stats.full_checks, 3u) << "malloc, free and the end; the no-ops check nothing";
  EXPECT_EQ(rig->executor->shadow().live_count(), 0u);
}

TEST(Slots, ReallocOfAnEmptySlotIsMalloc) {
  auto rig = MakeRig<RecordingHeap>(Placement::kHigh);
  ASSERT_TRUE(rig);
  auto& heap = static_cast<RecordingHeap&>(*rig->heap);
  Program program = Parse(R"(# allocfuzz ops v1
realloc s2 40
)");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    EXPECT_EQ(Describe(rig->run(program, mode).finding), "ok");
    EXPECT_EQ(heap.calls, (std::vector<Call>{{"realloc", SIZE_MAX, 40}}));
    const SlotState& s2 = rig->executor->shadow().slot(2);
    ASSERT_NE(s2.p, nullptr);
    EXPECT_EQ(rig->region.offset_of(s2.p), 8u);
    EXPECT_EQ(s2.requested, 40u);
    EXPECT_EQ(first_pattern_mismatch(s2.p, 40, s2.id), SIZE_MAX) << "the user's pattern is there";
  }
}

TEST(Slots, ReallocToZeroFrees) {
  auto rig = MakeRig<RecordingHeap>(Placement::kHigh);
  ASSERT_TRUE(rig);
  auto& heap = static_cast<RecordingHeap&>(*rig->heap);
  Program program = Parse(R"(# allocfuzz ops v1
malloc s0 40
malloc s1 24
realloc s0 0
malloc s2 40      # s0's block again
)");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    ResultRecorder recorder;
    EXPECT_EQ(Describe(rig->run(program, mode, &recorder).finding), "ok");
    EXPECT_EQ(heap.calls[2], (Call{"realloc", 8, 0}));
    EXPECT_EQ(rig->executor->shadow().slot(0).p, nullptr);
    EXPECT_EQ(rig->executor->shadow().live_count(), 2u);
    ASSERT_EQ(recorder.results.size(), 4u);
    EXPECT_TRUE(recorder.results[2].null);
    EXPECT_EQ(recorder.results[3].offset, 8u);
  }
}

TEST(Slots, FillRewritesAndLaterChecksUseTheNewPattern) {
  auto rig = MakeSeedRig(Placement::kHigh);
  ASSERT_TRUE(rig);
  Program program = Parse(R"(# allocfuzz ops v1
malloc s0 40      # allocation #1
malloc s1 24      # allocation #2
fill s0           # allocation #3
check
realloc s0 20     # verifies s0 against #3 first; the block is allocation #4
fill s0           # allocation #5
)");
  for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
    EXPECT_EQ(Describe(rig->run(program, mode).finding), "ok");
    const Shadow& shadow = rig->executor->shadow();
    const SlotState& s0 = shadow.slot(0);
    EXPECT_EQ(s0.id, 5u);
    EXPECT_EQ(first_pattern_mismatch(s0.p, 20, 5), SIZE_MAX);
    EXPECT_NE(first_pattern_mismatch(s0.p, 20, 4), SIZE_MAX);
    EXPECT_EQ(shadow.verify_slot(0), std::nullopt);
  }
  // The old pattern written back now counts as corruption, and says whose it was (words 0 of
  // #4 and #5 differ first in byte 4, where the id begins).
  const SlotState& s0 = rig->executor->shadow().slot(0);
  fill_pattern(s0.p, 20, 4);
  std::optional<Finding> f = rig->executor->shadow().verify_slot(0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind.text(), "content-corrupted");
  EXPECT_EQ(f->message,
            "byte 4 of live block s0 at +0x000008 (20 bytes) changed behind the user's back; the "
            "word there is byte 0 of allocation #4's pattern");
}

TEST(Slots, CheckRunsAFullCheck) {
  auto rig = MakeSeedRig(Placement::kHigh);
  ASSERT_TRUE(rig);
  Program without = Parse(R"(# allocfuzz ops v1
malloc s0 4096
malloc s1 24
)");
  Program with = Parse(R"(# allocfuzz ops v1
malloc s0 4096
check
malloc s1 24
)");
  Outcome a = rig->run(without, CheckMode::kAmortized);
  Outcome b = rig->run(with, CheckMode::kAmortized);
  EXPECT_EQ(Describe(a.finding), "ok");
  EXPECT_EQ(Describe(b.finding), "ok");
  EXPECT_EQ(b.stats.full_checks, a.stats.full_checks + 1);
  EXPECT_EQ(b.stats.near_checks, a.stats.near_checks) << "check is no cheap check";
  // (The middle-of-block corruption found exactly at `check` is in
  // WriteIntoTheMiddleOfALiveBlockIsFoundByTheNextFullCheck.)
}

// ---- determinism -------------------------------------------------------------------------

struct Case {
  const char* name;
  RigMaker make;
  std::string text;
};

std::vector<Case> FindingCases() {
  return {
      {"overlap", Maker<SameBlockTwiceHeap>(), "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\n"},
      {"overlap-foreign", Maker<ForeignBlockHeap>(),
       "# allocfuzz ops v1\nmalloc s0 24\nforeign-grow 4096\nmalloc s1 24\n"},
      {"realloc-lost-data", Maker<NoCopyReallocHeap>(),
       "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\nrealloc s0 100\n"},
      {"misaligned", Maker<MisalignedHeap>(), "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\n"},
      {"out-of-region-static", Maker<OutOfRegionHeap>(Elsewhere::kStaticBuffer),
       "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\n"},
      {"out-of-region-above", Maker<OutOfRegionHeap>(Elsewhere::kAboveBreak),
       "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\n"},
      {"calloc-not-zero", Maker<DirtyCallocHeap>(),
       "# allocfuzz ops v1\nmalloc s0 64\nmalloc s1 24\nfree s0\ncalloc s2 8 8\n"},
      {"usable-too-small", Maker<ShortUsableSizeHeap>(), "# allocfuzz ops v1\nmalloc s0 20\n"},
      {"spurious-null", Maker<SpuriousNullHeap>(),
       "# allocfuzz ops v1\nmalloc s0 1\nmalloc s1 2\nmalloc s2 3\n"},
      {"foreign-clobbered", Maker<ForeignScribbleHeap>(size_t{100}),
       "# allocfuzz ops v1\nmalloc s0 24\nforeign-grow 4096\nfree s0\n"},
      {"content-corrupted", Maker<NeighbourScribbleHeap>(size_t{2000}),
       "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 4096\nmalloc s2 8\nfree s0\ncheck\n"},
      {"api-contract", Maker<CallocOverflowHeap>(),
       "# allocfuzz ops v1\ncalloc s0 9223372036854775809 2\n"},
      {"heap-invariant", Maker<TagBreakingHeap>(),
       "# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\nmalloc s2 24\nfree s1\n"},
  };
}

TEST(Determinism, SameFindingTwiceAndOnHighAndLowRegions) {
  for (const Case& c : FindingCases()) {
    SCOPED_TRACE(c.name);
    Program program = Parse(c.text);
    auto high = c.make(Placement::kHigh);
    auto low = c.make(Placement::kLow);
    ASSERT_TRUE(high && low);
    for (CheckMode mode : {CheckMode::kEveryOp, CheckMode::kAmortized}) {
      Outcome first = high->run(program, mode);
      Outcome second = high->run(program, mode);
      Outcome other = low->run(program, mode);
      ASSERT_TRUE(first.finding);
      EXPECT_EQ(Describe(first.finding), Describe(second.finding));
      EXPECT_EQ(Describe(first.finding), Describe(other.finding));
      EXPECT_EQ(first.stats.full_checks, other.stats.full_checks);
      EXPECT_EQ(first.stats.near_checks, other.stats.near_checks);
    }
  }
}

TEST(Determinism, CorrectHeapRunsAreIdentical) {
  Program program = RandomProgram(11, 2000, 64, Placement::kHigh);
  auto high = MakeSeedRig(Placement::kHigh);
  auto low = MakeSeedRig(Placement::kLow);
  ASSERT_TRUE(high && low);
  ResultRecorder a, b, c;
  Outcome first = high->run(program, CheckMode::kAmortized, &a);
  Outcome second = high->run(program, CheckMode::kAmortized, &b);
  Outcome other = low->run(program, CheckMode::kAmortized, &c);
  EXPECT_EQ(Describe(first.finding), "ok");
  EXPECT_EQ(Describe(second.finding), "ok");
  EXPECT_EQ(Describe(other.finding), "ok");
  EXPECT_EQ(first.stats.full_checks, second.stats.full_checks);
  EXPECT_EQ(first.stats.full_checks, other.stats.full_checks);
  EXPECT_EQ(first.stats.near_checks, other.stats.near_checks);
  ASSERT_EQ(a.results.size(), c.results.size());
  for (size_t i = 0; i < a.results.size(); ++i) {
    EXPECT_EQ(a.results[i].offset, b.results[i].offset) << "op " << i;
    EXPECT_EQ(a.results[i].offset, c.results[i].offset) << "op " << i;
  }
}

TEST(Determinism, MisalignedPointerOutsideTheRegionPrintsNoAddress) {
  // A pointer outside the region has no offset; printing `p - start` would print an address
  // that depends on where the region (and the pointer) lie.
  Program program = Parse("# allocfuzz ops v1\nmalloc s0 24\nmalloc s1 24\n");
  auto high = MakeRig<MisalignedOutsideHeap>(Placement::kHigh);
  auto low = MakeRig<MisalignedOutsideHeap>(Placement::kLow);
  ASSERT_TRUE(high && low);
  Outcome a = high->run(program, CheckMode::kEveryOp);
  Outcome b = low->run(program, CheckMode::kEveryOp);
  ASSERT_TRUE(a.finding && b.finding);
  EXPECT_EQ(a.finding->op_index, 1u);
  EXPECT_EQ(Describe(a.finding), Describe(b.finding));
  EXPECT_EQ(a.finding->offset, SIZE_MAX) << Describe(a.finding);
}

// ---- the hot path allocates nothing --------------------------------------------------------

uint64_t AllocationsDuring(const std::function<void()>& body) {
  g_allocations = 0;
  g_count_allocations = true;
  body();
  g_count_allocations = false;
  return g_allocations;
}

TEST(HotPath, SecondRunAllocatesNothing) {
  // The counter itself: a std::string of 100 characters allocates.
  EXPECT_GE(AllocationsDuring([] {
              std::string s(100, 'x');
              (void)s;
            }),
            1u);

  Program program = RandomProgram(5, 3000, 64, Placement::kHigh);
  Program many = ManyLiveBlocks();
  Program every_path = Parse(kEveryPath);
  auto rig = MakeSeedRig(Placement::kHigh);
  ASSERT_TRUE(rig);
  for (const Program* p : {&program, &many, &every_path}) {
    for (CheckMode mode : {CheckMode::kAmortized, CheckMode::kEveryOp}) {
      Outcome warm = rig->run(*p, mode);
      ASSERT_EQ(Describe(warm.finding), "ok");
      Outcome out;
      uint64_t n = AllocationsDuring([&] { out = rig->run(*p, mode); });
      EXPECT_EQ(Describe(out.finding), "ok");
      EXPECT_EQ(n, 0u) << (mode == CheckMode::kAmortized ? "amortized" : "every-op") << ", "
                       << p->ops.size() << " ops";
    }
  }
}

}  // namespace
}  // namespace allocfuzz
