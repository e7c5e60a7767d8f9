// diff_fuzzer: libFuzzer runs each input's program (FORMAT.md) on several heaps at once and
// stops at the first divergence between them ("divergence:WHAT", fuzz/harness/diff_runner.h) or the
// first violation of any one of them, which is reported with the heap's name.
//
// The heaps: ALLOCFUZZ_DIFF_HEAPS, a comma-separated list of registered heaps (`allocfuzz
// list`), or by default every heap this binary links: free-array, glibc and the plugin
// allocators (kr). Defects are never switched on here: a divergence is the finding.
// `allocfuzz diff FILE` replays a finding.
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

namespace allocfuzz {
namespace {

struct FuzzerState {
  std::unique_ptr<DiffRunner> runner;
  Program program;  // reused: decoding makes no allocation once warm
};

FuzzerState* g_state = nullptr;

// The hooks take no argument: this one names the current input's operation.
void on_death_in_operation() {
  allocfuzz::say_operation_in_flight(g_state != nullptr ? &g_state->program : nullptr);
}

// The heaps named by ALLOCFUZZ_DIFF_HEAPS, or every registered heap.
std::vector<const HeapKind*> chosen_heaps() {
  std::vector<const HeapKind*> kinds;
  const char* list = getenv("ALLOCFUZZ_DIFF_HEAPS");
  if (list == nullptr) {
    for (const HeapKind& kind : heap_kinds()) kinds.push_back(&kind);
    return kinds;
  }
  std::string_view rest(list);
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view name = rest.substr(0, comma);
    const HeapKind* kind = find_heap_kind(name);
    if (kind == nullptr) {
      fprintf(stderr, "diff_fuzzer: unknown heap '%.*s' in ALLOCFUZZ_DIFF_HEAPS\n",
              static_cast<int>(name.size()), name.data());
      exit(2);
    }
    kinds.push_back(kind);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  if (kinds.size() < 2) {
    fprintf(stderr, "diff_fuzzer: ALLOCFUZZ_DIFF_HEAPS must name at least two heaps\n");
    exit(2);
  }
  return kinds;
}

void init() {
  g_state = new FuzzerState;
  std::string error;
  g_state->runner = DiffRunner::create(chosen_heaps(), kFuzzerProtection, &error);
  if (g_state->runner == nullptr) {
    fprintf(stderr, "diff_fuzzer: %s\n", error.c_str());
    exit(2);
  }
  install_death_hooks(on_death_in_operation);
}

}  // namespace
}  // namespace allocfuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace allocfuzz;
  if (g_state == nullptr) init();
  decode_binary(data, size, &g_state->program);
  std::optional<DiffFinding> finding =
      g_state->runner->run(g_state->program, CheckMode::kAmortized);
  if (finding) {
    std::string report = g_state->runner->format(g_state->program, *finding);
    fputs(report.c_str(), stderr);
    print_finding_line(finding->finding.kind, finding->finding.oracle, finding->finding.op_index);
    fputs("allocfuzz: replay with: allocfuzz diff <this input>\n", stderr);
    abort();
  }
  return 0;
}
