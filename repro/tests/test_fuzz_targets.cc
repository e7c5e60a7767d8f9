// allocfuzz_testheaps only: the fuzz target wrong_heap_fuzzer, known to `run` and `gate` so that
// ci/run_buckets.sh can fuzz and bucket the catalogue's wrong-two-bugs. Apart from
// test_heaps.cc, which testheaps_fuzzer links too and which must not need the command line.
#include "repro/engines/plugin_targets.h"

namespace allocfuzz {
namespace {

[[maybe_unused]] const bool kRegistered = [] {
  register_test_fuzz_target(FuzzTarget{
      "wrong_heap_fuzzer", "heap_fuzzer", true, false,
      "TEST ONLY: heap_fuzzer with the wrong-heap catalogue's heaps (--heap=wrong-...)"});
  return true;
}();

}  // namespace
}  // namespace allocfuzz
