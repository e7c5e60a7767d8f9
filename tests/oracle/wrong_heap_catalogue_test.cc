// The catalogue of wrong heaps (fuzz/heaps/wrong/catalogue.h) judged by the oracles: every row's
// program, run on the row's heap, is caught with the row's exact kind
//   - kEveryOp: at the row's operation, with the row's message;
//   - kAmortized (the fuzzer's mode): the same, exactly: each row's program keeps the wrong
//     within what the per-operation check reads (the neighbours' edges, the foreign spans'
//     edges) at a point where no full check runs, so an amortized check that misses an edge
//     fails the row instead of being rescued by a later full check;
// and by the shadow model or the heap checker, never by a sanitizer or a signal. Region rows run
// in both placements on the fuzzer's region (kProgramRegionBytes), and every row under both
// protections (mprotect, and the fuzzer's ASan poisoning).
// The same program on the correct heap underneath (free-array or glibc) has no finding, so each
// finding is the wrong heap's, not the program's. The tables' first lines are what ci/ reads.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/heaps/wrong/catalogue.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/oracle/finding_kind.h"
#include "fuzz/program/ops.h"
#include "fuzz/targets/fuzzer_support.h"
#include "tests/harness/executor_rig.h"

namespace allocfuzz {
namespace {

using testing::Describe;
using testing::Parse;

struct Case {
  const WrongHeapRow* row;
  Placement placement;
  Protection protection;
};
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.row->name << " (" << placement_name(c.placement)
      << (c.protection == Protection::kPoison ? ", poison" : ", strict") << ")";
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  // Protection: mprotect, as replay has it, and the fuzzer's (ASan poisoning under ASan), which
  // guards the bytes above the break at byte, not page, granularity.
  std::vector<Protection> protections = {Protection::kStrict};
  if (kFuzzerProtection != Protection::kStrict) protections.push_back(kFuzzerProtection);
  for (const WrongHeapRow& row : wrong_heap_catalogue()) {
    for (Protection protection : protections) {
      cases.push_back({&row, Placement::kHigh, protection});
      if (row.on_region) cases.push_back({&row, Placement::kLow, protection});
    }
  }
  return cases;
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name(info.param.row->name);
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  if (info.param.row->on_region) name += std::string("_") + placement_name(info.param.placement);
  return name + (info.param.protection == Protection::kPoison ? "_poison" : "_strict");
}

// The correct heap a row's wrong heap is built on.
std::unique_ptr<TestedHeap> MakeCorrect(const WrongHeapRow& row, PseudoBrk& region) {
  const HeapKind* kind = find_heap_kind(row.on_region ? "free-array" : "glibc");
  return kind == nullptr ? nullptr : kind->make(region);
}

enum class Which { kWrong, kCorrect };

// The row's program on a fresh region of the fuzzer's size, on the row's heap or on the correct
// heap underneath it.
struct RowRun {
  PseudoBrk region;
  std::unique_ptr<TestedHeap> heap;
  std::unique_ptr<Executor> executor;
  Program program;

  bool init(const Case& c, Which which) {
    RegionOptions options;
    options.reserve_bytes = kProgramRegionBytes;
    options.placement = c.placement;
    options.protection = c.protection;
    if (region.init(options) != 0) return false;
    heap = which == Which::kWrong ? c.row->make(region) : MakeCorrect(*c.row, region);
    if (heap == nullptr) return false;
    executor = std::make_unique<Executor>(region, *heap);
    program = Parse("# allocfuzz ops v1\n" + std::string(c.row->program));
    return true;
  }
  std::optional<Finding> run(CheckMode mode) { return executor->run(program, mode).finding; }
};

class WrongHeapRowTest : public ::testing::TestWithParam<Case> {};

// The shadow model or the heap checker, whichever the kind belongs to: a finding first seen by a
// sanitizer or a signal would mean the oracle under test missed it.
void ExpectOracleOfTheKind(const Finding& f) {
  EXPECT_TRUE(f.oracle == Oracle::kShadow || f.oracle == Oracle::kHeapChecker) << Describe(f);
  EXPECT_EQ(f.oracle, f.kind.oracle()) << Describe(f);
}

TEST_P(WrongHeapRowTest, EveryOpReportsTheRowExactly) {
  const WrongHeapRow& row = *GetParam().row;
  RowRun run;
  ASSERT_TRUE(run.init(GetParam(), Which::kWrong));
  EXPECT_EQ(run.heap->uses_region(), row.on_region);
  std::optional<Finding> f = run.run(CheckMode::kEveryOp);
  ASSERT_TRUE(f.has_value()) << row.name << " missed: " << row.boundary;
  EXPECT_EQ(f->kind.text(), row.kind) << Describe(f);
  EXPECT_EQ(f->op_index, row.op_index) << Describe(f);
  EXPECT_EQ(f->message, row.message) << Describe(f);
  ExpectOracleOfTheKind(*f);
  // Deterministic: a second run on the same rig reports the same finding.
  EXPECT_EQ(Describe(run.run(CheckMode::kEveryOp)), Describe(f));
}

TEST_P(WrongHeapRowTest, AmortizedReportsTheRowExactly) {
  const WrongHeapRow& row = *GetParam().row;
  RowRun run;
  ASSERT_TRUE(run.init(GetParam(), Which::kWrong));
  std::optional<Finding> f = run.run(CheckMode::kAmortized);
  ASSERT_TRUE(f.has_value()) << row.name << " missed in the fuzzer's mode: " << row.boundary;
  EXPECT_EQ(f->kind.text(), row.kind) << Describe(f);
  EXPECT_EQ(f->op_index, row.op_index) << Describe(f);
  EXPECT_EQ(f->message, row.message) << Describe(f);
  ExpectOracleOfTheKind(*f);
}

TEST_P(WrongHeapRowTest, TheCorrectHeapPassesTheSameProgram) {
  const WrongHeapRow& row = *GetParam().row;
  RowRun run;
  ASSERT_TRUE(run.init(GetParam(), Which::kCorrect)) << row.name;
  EXPECT_EQ(Describe(run.run(CheckMode::kEveryOp)), "ok");
  EXPECT_EQ(Describe(run.run(CheckMode::kAmortized)), "ok");
}

INSTANTIATE_TEST_SUITE_P(Catalogue, WrongHeapRowTest, ::testing::ValuesIn(Cases()), CaseName);

// The misaligned row's boundary from the other side: the free-array heap hands out the same
// 8-aligned pointer, and since it declares 8, not 16, it is right.
TEST(WrongHeapCatalogue, TheFreeArrayHeapDeclaresEightAndPassesTheMisalignedProgram) {
  const WrongHeapRow* row = nullptr;
  for (const WrongHeapRow& r : wrong_heap_catalogue()) {
    if (r.name == "wrong-misaligned-8-of-16") row = &r;
  }
  ASSERT_NE(row, nullptr);
  RowRun run;
  ASSERT_TRUE(run.init({row, Placement::kHigh, Protection::kStrict}, Which::kCorrect));
  EXPECT_EQ(run.heap->alignment(), 8u);
  EXPECT_EQ(Describe(run.run(CheckMode::kEveryOp)), "ok");
  EXPECT_EQ(Describe(run.run(CheckMode::kAmortized)), "ok");
}

TEST(WrongHeapCatalogue, RowsAreWellFormed) {
  std::set<std::string_view> names;
  ASSERT_FALSE(wrong_heap_catalogue().empty());
  for (const WrongHeapRow& row : wrong_heap_catalogue()) {
    EXPECT_TRUE(names.insert(row.name).second) << "two rows named " << row.name;
    EXPECT_TRUE(std::regex_match(std::string(row.name), std::regex("wrong(-[a-z0-9]+)+")))
        << row.name;
    std::string error;
    std::optional<FindingKind> kind = parse_finding_kind(row.kind, &error);
    ASSERT_TRUE(kind.has_value()) << row.name << ": " << error;
    EXPECT_EQ(kind->text(), row.kind) << row.name;
    EXPECT_TRUE(row.gate.empty() || row.gate.back() == '.')
        << row.name << ": a gate reason is one sentence";
    EXPECT_FALSE(row.message.empty()) << row.name;
    EXPECT_FALSE(row.boundary.empty()) << row.name;
  }
}

TEST(WrongHeapCatalogue, EveryRowIsARegisteredHeap) {
  register_wrong_heaps();
  register_wrong_heaps();  // idempotent
  for (const WrongHeapRow& row : wrong_heap_catalogue()) {
    const HeapKind* kind = find_heap_kind(row.name);
    ASSERT_NE(kind, nullptr) << row.name;
    EXPECT_EQ(kind->make, row.make) << row.name;
    EXPECT_EQ(kind->description, row.boundary) << row.name;
  }
}

// ci/ reads each row's name, kind and gate from its first line with sed; the same pattern here
// must see exactly the catalogue's rows, in order.
TEST(WrongHeapCatalogue, TheTablesFirstLinesAreWhatCiReads) {
  std::regex first_line(R"re(^ *X\("([^"]+)", "([^"]+)", "([^"]*)",.*)re");
  std::vector<std::string> seen;
  for (const char* file : {"region_rows.h", "regionless_rows.h"}) {
    std::ifstream in(std::string(ALLOCFUZZ_SOURCE_DIR) + "/fuzz/heaps/wrong/" + file);
    ASSERT_TRUE(in.good()) << file;
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_match(line, m, first_line))
        seen.push_back(m[1].str() + " " + m[2].str() + " " + m[3].str());
    }
  }
  std::vector<std::string> rows;
  for (const WrongHeapRow& row : wrong_heap_catalogue()) {
    rows.push_back(std::string(row.name) + " " + std::string(row.kind) + " " +
                   std::string(row.gate));
  }
  EXPECT_EQ(seen, rows);
}

}  // namespace
}  // namespace allocfuzz
