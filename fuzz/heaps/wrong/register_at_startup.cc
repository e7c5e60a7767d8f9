// Registers the catalogue's heaps at start-up: an object library (never dropped by the linker),
// linked into wrong_heap_fuzzer only, so that ALLOCFUZZ_HEAP=wrong-... selects a row's heap.
#include "fuzz/heaps/wrong/catalogue.h"

namespace allocfuzz {
namespace {

[[maybe_unused]] const bool kRegistered = [] {
  register_wrong_heaps();
  return true;
}();

}  // namespace
}  // namespace allocfuzz
