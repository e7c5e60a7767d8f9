// Helpers for the region tests: death tests for stray memory accesses, and byte fills/checks. A
// stray access is a SIGSEGV, or under AddressSanitizer its report; EXPECT_PAGE_FAULT proves the
// kernel itself refused the access (PROT_NONE): under ASan the byte is unpoisoned first, in the
// child only, so that only a real page fault can end it.
#ifndef ALLOCFUZZ_TESTS_MEMORY_ACCESS_H_
#define ALLOCFUZZ_TESTS_MEMORY_ACCESS_H_

#include <gtest/gtest.h>

#include <csignal>
#include <cstdint>
#include <cstring>

#include "allocator/base/build_config.h"

#if ALLOCFUZZ_HAS_ASAN
#include <sanitizer/asan_interface.h>
#define EXPECT_BAD_ACCESS(statement) EXPECT_DEATH(statement, "SEGV|AddressSanitizer")
#define EXPECT_PAGE_FAULT(pointer)                \
  EXPECT_DEATH(                                   \
      {                                           \
        char* target = (pointer);                 \
        __asan_unpoison_memory_region(target, 1); \
        ::allocfuzz::testing::poke(target);       \
      },                                          \
      "SEGV on unknown address")
#else
#define EXPECT_BAD_ACCESS(statement) EXPECT_EXIT(statement, ::testing::KilledBySignal(SIGSEGV), "")
#define EXPECT_PAGE_FAULT(pointer) \
  EXPECT_EXIT(::allocfuzz::testing::poke(pointer), ::testing::KilledBySignal(SIGSEGV), "")
#endif

namespace allocfuzz::testing {

inline constexpr bool kHasAsan = kAddressSanitizer;

// One byte written so that the compiler cannot drop it.
inline void poke(char* p) { *static_cast<volatile char*>(p) = 0x5a; }

inline void fill(char* base, size_t from, size_t to, uint8_t value) {
  std::memset(base + from, value, to - from);
}

// Every byte of [from, to) equals value; the failure names the first byte that does not.
inline ::testing::AssertionResult BytesAre(const char* base, size_t from, size_t to,
                                           uint8_t value) {
  for (size_t i = from; i < to; ++i) {
    auto b = static_cast<uint8_t>(base[i]);
    if (b != value) {
      return ::testing::AssertionFailure()
             << "byte at offset " << i << " is " << int{b} << ", expected " << int{value} << " in ["
             << from << ", " << to << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace allocfuzz::testing

#endif  // ALLOCFUZZ_TESTS_MEMORY_ACCESS_H_
