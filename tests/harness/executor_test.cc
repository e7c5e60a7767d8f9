// Tests of the executor and the shadow model (fuzz/harness/executor.h, fuzz/oracle/shadow.h;
// docs/DESIGN.md sections 5 and 6): the wrong heaps.
//
// The wrong heaps (executor_heaps.h) each wrap a real FreeArrayHeap on the test's region and
// break exactly one promise. Each is caught with the exact violation kind, at the first bad
// operation and with the right offsets in kEveryOp, and with the same kind (at that operation or
// later, never earlier) in kAmortized. The correct heap, slot semantics, determinism and the hot
// path are in the other executor_*_test.cc files; the rigs are in executor_rig.h.
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
#include "tests/harness/executor_heaps.h"
#include "tests/harness/executor_rig.h"
#include "tests/support/harness_support.h"

namespace allocfuzz {
namespace {

using testing::CallocOverflowHeap;
using testing::Describe;
using testing::DirtyCallocHeap;
using testing::Elsewhere;
using testing::ForeignBlockHeap;
using testing::ForeignScribbleHeap;
using ::testing::HasSubstr;
using testing::Maker;
using testing::MakeRig;
using testing::MakeSeedRig;
using testing::MisalignedHeap;
using testing::MiscountingHeap;
using testing::NeighbourScribbleHeap;
using testing::NoCopyReallocHeap;
using ::testing::Not;
using testing::NullForZeroHeap;
using testing::OutOfRegionHeap;
using testing::Parse;
using testing::ResultRecorder;
using testing::Rig;
using testing::RigMaker;
using testing::SameBlockTwiceHeap;
using testing::ShiftedBlockHeap;
using testing::ShortUsableSizeHeap;
using testing::SpuriousNullHeap;
using testing::TagBreakingHeap;
using testing::WrappedHeap;

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
  // Fresh memory reads 0, and no byte of a pattern is 0: byte 0 is the first one lost.
  ExpectCaughtAtOnce(Maker<NoCopyReallocHeap>(), R"(# allocfuzz ops v1
malloc s0 24      # +0x000008
malloc s1 24      # +0x000028, so s0 cannot grow in place
realloc s0 100    # moved to +0x000048, nothing copied
)",
                     {"realloc-lost-data", 2,
                      "realloc from +0x000008 to +0x000048 (24 -> 100 bytes) lost byte 0; the "
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
  // (0x8080809080808080: byte 0 is 0x80).
  ExpectCaughtAtOnce(
      Maker<DirtyCallocHeap>(), R"(# allocfuzz ops v1
malloc s0 64      # +0x000008, a 72-byte block
malloc s1 24      # keeps s0's block off the top
free s0
calloc s2 8 8     # the same 72-byte block, not zeroed
)",
      {"calloc-not-zero", 3, "calloc block at +0x000008 (64 bytes): byte 0 is 0x80, not 0"});
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
}  // namespace
}  // namespace allocfuzz
