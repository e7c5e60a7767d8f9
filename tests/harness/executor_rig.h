// The rigs of the executor's tests (tests/harness/executor*_test.cc): a region of one
// placement, a heap on it and an executor; the programs they share (.ops text, a program of
// many live blocks, random programs) and one string per finding to compare and to print.
//
// Offsets in the comments and messages are region offsets: on a fresh region the heap starts at
// offset 0, so the first block's payload is at +0x000008, and the first growth sets the break to
// +0x001028 (block + end marker + 4096 preallocation).
#ifndef ALLOCFUZZ_TESTS_HARNESS_EXECUTOR_RIG_H_
#define ALLOCFUZZ_TESTS_HARNESS_EXECUTOR_RIG_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/program/ops.h"

namespace allocfuzz::testing {

// Each rig's region reserves this much.
inline constexpr size_t kReserve = size_t{64} << 20;

// `text` parsed as .ops (a parse error fails the test).
Program Parse(std::string_view text);

// "kind @op [oracle] +offset: message", or "ok": one string to compare and to print.
std::string Describe(const std::optional<Finding>& f);

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

bool InitRegion(PseudoBrk& region, Placement placement);

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
std::unique_ptr<Rig> MakeSeedRig(Placement placement);

// Every operation, every realloc path of FreeArrayHeap, foreign moves, fence, fail-grow,
// break release. Block offsets are headers ([start, end)); payloads are 8 bytes higher.
extern const std::string_view kEveryPath;

// 600 live 64-byte blocks, then 3000 operations on them.
Program ManyLiveBlocks();

// A random program over `slots` slots with sizes at allocator edges (none huge).
Program RandomProgram(uint32_t seed, size_t count, uint32_t slots, Placement placement);

}  // namespace allocfuzz::testing

#endif  // ALLOCFUZZ_TESTS_HARNESS_EXECUTOR_RIG_H_
