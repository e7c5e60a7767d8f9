// The bytes a user writes into a block: a pattern derived from (allocation id, offset), so
// that a byte out of place also says whose byte it is.
//
// Word k of allocation `id` (bytes 8k .. 8k+7 from the payload start, little-endian) is
//   (1 << 63) | (id << 32) | k        with id < 2^31 and k < 2^32.
// The top bit keeps every word far from the small values a heap writes (sizes, flags, free
// array indices), so heap metadata written over user data never matches by chance. A word
// that does not match can be decoded back (`decode_pattern_word`) to the owner and offset it
// came from. A requested size that is not a multiple of 8 ends with the low bytes of the last
// word.
#ifndef ALLOCFUZZ_FUZZ_CONTENT_PATTERN_H_
#define ALLOCFUZZ_FUZZ_CONTENT_PATTERN_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

// The loops below write and compare every byte the user asked for; they are most of the
// fuzzer's time. Under libFuzzer each compare would also be traced for coverage (two thirds of
// the time, measured) although it says nothing about the heap's behaviour, and under ASan
// every word would be checked although the executor only calls these on blocks it has already
// judged to lie in the region below the break (out-of-region comes first). So they are left
// uninstrumented, which also lets them vectorize, and not inlined (inlined into an
// instrumented caller they would be instrumented again).
#if defined(__clang__)
#define ALLOCFUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage", "address"), noinline))
#else
#define ALLOCFUZZ_NO_COVERAGE __attribute__((no_sanitize("address"), noinline))
#endif

namespace allocfuzz {

__attribute__((always_inline)) inline uint64_t pattern_word(uint32_t id, uint64_t k) {
  return (uint64_t{1} << 63) | (uint64_t{id & 0x7fffffffu} << 32) | (k & 0xffffffffu);
}

ALLOCFUZZ_NO_COVERAGE inline void fill_pattern(void* p, size_t n, uint32_t id) {
  auto* bytes = static_cast<unsigned char*>(p);
  size_t k = 0;
  for (; (k + 1) * 8 <= n; ++k) {
    uint64_t w = pattern_word(id, k);
    std::memcpy(bytes + k * 8, &w, 8);
  }
  if (k * 8 < n) {
    uint64_t w = pattern_word(id, k);
    std::memcpy(bytes + k * 8, &w, n - k * 8);
  }
}

// The offset of the first byte in [0, n) that differs from the pattern of `id`, or SIZE_MAX.
// The offset of the first byte in [from, n) that differs from the pattern of `id`, or
// SIZE_MAX. `from` is a multiple of 8. Words are compared in chunks without a branch per word
// (so the loop vectorizes); only a chunk that differs is searched word by word.
ALLOCFUZZ_NO_COVERAGE inline size_t first_pattern_mismatch_from(const void* p, size_t from,
                                                                size_t n, uint32_t id) {
  constexpr size_t kChunkWords = 32;
  const auto* bytes = static_cast<const unsigned char*>(p);
  size_t words = n / 8;
  size_t k = from / 8;
  while (k < words) {
    size_t end = words - k < kChunkWords ? words : k + kChunkWords;
    uint64_t diff = 0;
    for (size_t j = k; j < end; ++j) {
      uint64_t w;
      std::memcpy(&w, bytes + j * 8, 8);
      diff |= w ^ pattern_word(id, j);
    }
    if (diff != 0) {
      for (; k < end; ++k) {
        uint64_t w;
        std::memcpy(&w, bytes + k * 8, 8);
        uint64_t x = w ^ pattern_word(id, k);
        if (x != 0) return k * 8 + static_cast<size_t>(__builtin_ctzll(x) / 8);
      }
    }
    k = end;
  }
  if (k * 8 < n) {
    uint64_t want = pattern_word(id, k);
    for (size_t i = 0; k * 8 + i < n; ++i) {
      if (bytes[k * 8 + i] != static_cast<unsigned char>(want >> (8 * i))) return k * 8 + i;
    }
  }
  return SIZE_MAX;
}

inline size_t first_pattern_mismatch(const void* p, size_t n, uint32_t id) {
  return first_pattern_mismatch_from(p, 0, n, id);
}

// The first byte in [0, n) that is not zero, or SIZE_MAX. Chunks of words, as above.
ALLOCFUZZ_NO_COVERAGE inline size_t first_nonzero(const void* p, size_t n) {
  constexpr size_t kChunk = 256;
  const auto* bytes = static_cast<const unsigned char*>(p);
  size_t i = 0;
  for (; i + kChunk <= n; i += kChunk) {
    uint64_t any = 0;
    for (size_t j = 0; j < kChunk; j += 8) {
      uint64_t w;
      std::memcpy(&w, bytes + i + j, 8);
      any |= w;
    }
    if (any != 0) break;
  }
  for (; i < n; ++i) {
    if (bytes[i] != 0) return i;
  }
  return SIZE_MAX;
}

// If `word` looks like a pattern word, its owner's allocation id and word index.
inline bool decode_pattern_word(uint64_t word, uint32_t* id, uint64_t* k) {
  if ((word >> 63) == 0) return false;
  *id = static_cast<uint32_t>((word >> 32) & 0x7fffffffu);
  *k = word & 0xffffffffu;
  return true;
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_CONTENT_PATTERN_H_
