// heap_fuzzer: libFuzzer drives FreeArrayHeap (or the heap named by ALLOCFUZZ_HEAP) with the
// program its input decodes to (FORMAT.md), judged by the shadow model and the heap checker.
// The same file is each plugin allocator's NAME_fuzzer, built with ALLOCFUZZ_FUZZER_HEAP="NAME"
// as its default heap (cmake/AllocfuzzPlugins.cmake).
// ALLOCFUZZ_OPS=-FAMILY,... leaves operation families out: their operations are skipped in
// decoding (the same decoder as `allocfuzz replay --ops=...`, which the printed command names).
// ALLOCFUZZ_DEFECT=NAME turns on one of the heap's historical defects
// (allocator/free_array/defects.h), which is how the detection gate (ci/gate.sh) proves that each
// is found.
//
// Per input: the region of the program's placement is reset (no system call in the fuzz
// build, where regions use ASan poisoning), the heap forgets everything, and the executor runs
// in CheckMode::kAmortized. A finding prints the report and aborts, so libFuzzer keeps the
// input; `allocfuzz replay` then names the exact operation (it checks after every one).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "allocator/free_array/free_array_heap.h"
#include "fuzz/harness/executor.h"
#include "fuzz/harness/heap_lane.h"
#include "fuzz/harness/program_region.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/report.h"
#include "fuzz/program/binary_codec.h"
#include "fuzz/program/ops_text.h"
#include "fuzz/targets/fuzzer_support.h"
#include "fuzz/targets/target_contract.h"

namespace allocfuzz {
namespace {

struct FuzzerState {
  HeapLane lanes[2];        // indexed by Placement, made once per process
  Program program;          // reused: decoding makes no allocation once warm
  DecodeOptions decode;     // ALLOCFUZZ_OPS: the families skipped in decoding
  std::string replay_line;  // how `allocfuzz` replays a finding of this run, made at start-up
};

FuzzerState* g_state = nullptr;

// The heap when ALLOCFUZZ_HEAP is unset: a NAME_fuzzer's own plugin, else the seed allocator.
#ifdef ALLOCFUZZ_FUZZER_HEAP
constexpr const char* kFuzzerHeap = ALLOCFUZZ_FUZZER_HEAP;
#else
constexpr const char* kFuzzerHeap = kDefaultHeap.data();
#endif

// The hooks take no argument: this one names the current input's operation.
void on_death_in_operation() {
  allocfuzz::say_operation_in_flight(g_state != nullptr ? &g_state->program : nullptr);
}

void init() {
  const char* heap_name = getenv(kHeapVariable);
  if (heap_name == nullptr) heap_name = kFuzzerHeap;
  const char* defect = getenv(kDefectVariable);
  const HeapKind* kind = find_heap_kind(heap_name);
  if (kind == nullptr) {
    fprintf(stderr, "heap_fuzzer: unknown heap '%s' in %s\n", heap_name, kHeapVariable);
    exit(2);
  }
  g_state = new FuzzerState;
  g_state->decode.left_out = left_out_families("heap_fuzzer");
  g_state->replay_line = "allocfuzz: replay with: allocfuzz replay" +
                         ops_flag(g_state->decode.left_out) + " <this input>\n";
  for (Placement placement : {Placement::kHigh, Placement::kLow}) {
    HeapLane& lane = g_state->lanes[static_cast<size_t>(placement)];
    if (int rc = lane.init(*kind, program_region_options(placement, kFuzzerProtection)); rc != 0) {
      fprintf(stderr, "heap_fuzzer: cannot reserve the %s region (errno %d)\n",
              placement_name(placement), rc);
      exit(2);
    }
    if (defect != nullptr && !lane.heap->set_defect(defect)) {
      fprintf(stderr, "heap_fuzzer: heap '%s' has no defect '%s' in this build (%s)\n",
              std::string(kind->name).c_str(), defect, kDefectVariable);
      exit(2);
    }
  }
  install_death_hooks(on_death_in_operation);
}

}  // namespace
}  // namespace allocfuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace allocfuzz;
  if (g_state == nullptr) init();
  decode_binary(data, size, &g_state->program, g_state->decode);
  HeapLane& lane = g_state->lanes[static_cast<size_t>(g_state->program.header.placement)];
  Outcome outcome = lane.executor->run(g_state->program, CheckMode::kAmortized);
  if (outcome.finding) {
    std::string report = format_report(g_state->program, *outcome.finding, *lane.heap);
    fputs(report.c_str(), stderr);
    print_finding_line(outcome.finding->kind, outcome.finding->oracle, outcome.finding->op_index);
    fputs(g_state->replay_line.c_str(), stderr);
    abort();
  }
  return 0;
}
