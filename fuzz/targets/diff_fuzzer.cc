// diff_fuzzer: libFuzzer runs each input's program (FORMAT.md) on several heaps at once and
// stops at the first divergence between them ("divergence:WHAT", fuzz/harness/diff_runner.h) or the
// first violation of any one of them, which is reported with the heap's name.
//
// The heaps: ALLOCFUZZ_DIFF_HEAPS, a heap list (fuzz/targets/target_contract.h: all, or two or
// more registered heaps of `allocfuzz list`, comma-separated), or by default every heap this
// binary links: free-array, glibc and the plugin allocators (kr). Defects are never switched on
// here: a divergence is the finding. `allocfuzz replay --diff=HEAPS FILE` replays a finding.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/free_array/free_array_heap.h"
#include "fuzz/harness/diff_runner.h"
#include "fuzz/harness/executor.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/report.h"
#include "fuzz/program/binary_codec.h"
#include "fuzz/program/ops_text.h"
#include "fuzz/targets/fuzzer_support.h"
#include "fuzz/targets/target_contract.h"

namespace allocfuzz {
namespace {

struct FuzzerState {
  std::unique_ptr<DiffRunner> runner;
  Program program;          // reused: decoding makes no allocation once warm
  DecodeOptions decode;     // ALLOCFUZZ_OPS: the families skipped in decoding
  std::string replay_line;  // how `allocfuzz` replays a finding of this run, made at start-up
};

FuzzerState* g_state = nullptr;

// The hooks take no argument: this one names the current input's operation.
void on_death_in_operation() {
  allocfuzz::say_operation_in_flight(g_state != nullptr ? &g_state->program : nullptr);
}

// The heap list of ALLOCFUZZ_DIFF_HEAPS (target_contract.h), or "all" without it.
std::vector<std::string> heap_list_names() {
  const char* list = getenv(kDiffHeapsVariable);
  return list == nullptr ? std::vector<std::string>{std::string(kAllHeaps)} : split_heap_list(list);
}

// The heaps `names` chooses (checked; a bad list stops the fuzzer with exit status 2).
std::vector<const HeapKind*> chosen_heaps(const std::vector<std::string>& names) {
  std::vector<const HeapKind*> kinds;
  const HeapListCheck check = check_heap_list(names);
  switch (check.problem) {
    case HeapListProblem::kNone:
      break;
    case HeapListProblem::kTooFew:
      fprintf(stderr, "diff_fuzzer: %s must name all, or at least two heaps\n", kDiffHeapsVariable);
      exit(2);
    case HeapListProblem::kUnknown:
      fprintf(stderr, "diff_fuzzer: unknown heap '%s' in %s\n", check.heap.c_str(),
              kDiffHeapsVariable);
      exit(2);
    case HeapListProblem::kTwice:
      fprintf(stderr, "diff_fuzzer: heap '%s' twice in %s\n", check.heap.c_str(),
              kDiffHeapsVariable);
      exit(2);
  }
  if (is_all_heaps(names)) {
    for (const HeapKind& kind : heap_kinds()) kinds.push_back(&kind);
  } else {
    for (const std::string& name : names) kinds.push_back(find_heap_kind(name));
  }
  return kinds;
}

void init() {
  g_state = new FuzzerState;
  std::string error;
  const std::vector<std::string> names = heap_list_names();
  g_state->runner = DiffRunner::create(chosen_heaps(names), kFuzzerProtection, &error);
  if (g_state->runner == nullptr) {
    fprintf(stderr, "diff_fuzzer: %s\n", error.c_str());
    exit(2);
  }
  g_state->decode.left_out = left_out_families("diff_fuzzer");
  g_state->replay_line =
      "allocfuzz: replay with: allocfuzz replay --diff=" + join_heap_list(names) +
      ops_flag(g_state->decode.left_out) + " <this input>\n";
  install_death_hooks(on_death_in_operation);
}

}  // namespace
}  // namespace allocfuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace allocfuzz;
  if (g_state == nullptr) init();
  decode_binary(data, size, &g_state->program, g_state->decode);
  std::optional<DiffFinding> finding =
      g_state->runner->run(g_state->program, CheckMode::kAmortized);
  if (finding) {
    std::string report = g_state->runner->format(g_state->program, *finding);
    fputs(report.c_str(), stderr);
    print_finding_line(finding->finding.kind, finding->finding.oracle, finding->finding.op_index);
    fputs(g_state->replay_line.c_str(), stderr);
    abort();
  }
  return 0;
}
