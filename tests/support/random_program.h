// Random programs for the harness's tests: one builder, parametrized by the mix each test wants.
// Fixed seeds give the same programs on every run and build.
#ifndef ALLOCFUZZ_TESTS_RANDOM_PROGRAM_H_
#define ALLOCFUZZ_TESTS_RANDOM_PROGRAM_H_

#include <cstddef>
#include <cstdint>

#include "fuzz/program/ops.h"
#include "tests/support/xorshift.h"

namespace allocfuzz::testing {

// A calloc count whose product with any size of 4 or more overflows size_t.
inline constexpr uint64_t kOverflowCount = uint64_t{1} << 62;

// What random_program() draws: first the header, then each operation's slot in [0, slots) and
// its kind, one draw over the sum of the weights below (taken in the order they are declared),
// then its arguments. Operations without a slot (foreign-grow, foreign-release, fail-grow,
// check) get slot 0.
struct ProgramMix {
  void (*header)(XorShift& rng, ProgramHeader& header) = nullptr;  // nullptr: the default header
  uint32_t slots = 0;
  uint32_t foreign_grows = 1;
  uint32_t foreign_releases = 1;
  uint32_t fail_grows = 1;
  uint32_t checks = 1;
  uint32_t fills = 1;
  uint32_t callocs = 2;
  uint32_t reallocs = 4;
  uint32_t frees = 3;
  uint32_t mallocs = 0;
  uint64_t foreign_grow_below = 0;  // foreign-grow 1 + [0, foreign_grow_below)
  uint64_t fail_grow_below = 3;     // fail-grow 1 + [0, fail_grow_below)
  // calloc's count: one time in calloc_overflow_one_in kOverflowCount, else [0, 40). Its size:
  // one time in calloc_any_size_one_in size(), else size() % 200. (A 0 here means never.)
  uint64_t calloc_overflow_one_in = 0;
  uint64_t calloc_any_size_one_in = 0;
  // realloc's size: one time in realloc_zero_one_in 0, else size(). (0 means never.)
  uint64_t realloc_zero_one_in = 0;
  uint64_t (*size)(XorShift& rng) = nullptr;  // the sizes of malloc, calloc and realloc
};

// A program of `count` operations, drawn from XorShift(seed) as `mix` says.
Program random_program(uint64_t seed, size_t count, const ProgramMix& mix);

}  // namespace allocfuzz::testing

#endif  // ALLOCFUZZ_TESTS_RANDOM_PROGRAM_H_
