// The bytes a user writes into a block: a pattern derived from (allocation id, offset), so
// that a byte out of place also says whose byte it is.
//
// Word k of allocation `id` (bytes 8k .. 8k+7 from the payload start, little-endian) holds the
// 56 bits (id << 32) | k, seven to a byte, low bits first, with the top bit of EVERY byte set:
//   byte b = 0x80 | bits [7b, 7b + 7) of (id << 32 | k)      id < 2^24, k < 2^32.
// Why every byte, not only the word's top one: a heap that writes a zero, a small size or a
// flag into ONE byte of a block must change that byte, whichever it is. With a pattern whose
// bytes can be 0x00 (an earlier form had zeros in bytes 0-3 of word 0 and 1-3 of words 1-255)
// such a write leaves the byte as it was and is not seen. No pattern byte is below 0x80, so
// no byte of a size, an index, a flag or a zero word matches by chance, and a zeroed calloc
// block never passes for a pattern. A word whose eight top bits are all set decodes back
// (`decode_pattern_word`) to the owner and offset it came from. A requested size that is not a
// multiple of 8 ends with the low bytes of the last word.
//
// Ids are 24 bits: a program that makes more than 2^24 allocations gives two blocks 2^24
// allocations apart the same pattern (harmless: only one of them can be live at the same
// offset); word indices are 32 bits, so blocks up to 32 GiB have distinct words.
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

inline constexpr uint64_t kPatternTopBits = 0x8080808080808080u;
inline constexpr uint32_t kPatternIdMask = (uint32_t{1} << 24) - 1;

// The id's part of every word of its pattern: id bits 0-2 in byte 4 (above k's four bits
// there), then seven bits in each of bytes 5, 6 and 7.
constexpr uint64_t pattern_id_bits(uint32_t id) {
  uint64_t v = id & kPatternIdMask;
  return kPatternTopBits | ((v & 0x7) << 36) | ((v & (uint64_t{0x7f} << 3)) << 37) |
         ((v & (uint64_t{0x7f} << 10)) << 38) | ((v & (uint64_t{0x7f} << 17)) << 39);
}

// k's part: seven bits in each of bytes 0-3, its top four bits in byte 4. Shifts and masks
// only, so the compare loop below still vectorizes.
__attribute__((always_inline)) constexpr uint64_t pattern_index_bits(uint64_t k) {
  return (k & 0x7f) | ((k & (uint64_t{0x7f} << 7)) << 1) | ((k & (uint64_t{0x7f} << 14)) << 2) |
         ((k & (uint64_t{0x7f} << 21)) << 3) | ((k & (uint64_t{0xf} << 28)) << 4);
}

__attribute__((always_inline)) constexpr uint64_t pattern_word(uint32_t id, uint64_t k) {
  return pattern_id_bits(id) | pattern_index_bits(k);
}

// Words 128c .. 128c + 127 of a pattern differ only in byte 0, which is 0x80 | (k & 127): the
// loops below compute the other seven bytes once per run of words and OR the low bits in, so
// they cost what a fill with a constant costs (and still vectorize).
ALLOCFUZZ_NO_COVERAGE inline void fill_pattern(void* p, size_t n, uint32_t id) {
  auto* bytes = static_cast<unsigned char*>(p);
  const uint64_t id_bits = pattern_id_bits(id);
  const size_t words = n / 8;
  size_t k = 0;
  while (k < words) {
    const uint64_t base = id_bits | pattern_index_bits(k & ~size_t{127});
    const size_t end = words - k < 128 - (k & 127) ? words : (k | 127) + 1;
    for (; k < end; ++k) {
      uint64_t w = base | (k & 127);
      std::memcpy(bytes + k * 8, &w, 8);
    }
  }
  if (k * 8 < n) {
    uint64_t w = pattern_word(id, k);
    std::memcpy(bytes + k * 8, &w, n - k * 8);
  }
}

// The offset of the first byte in [from, n) that differs from the pattern of `id`, or
// SIZE_MAX. `from` is a multiple of 8. Words are compared in chunks without a branch per word
// (so the loop vectorizes); only a chunk that differs is searched word by word.
ALLOCFUZZ_NO_COVERAGE inline size_t first_pattern_mismatch_from(const void* p, size_t from,
                                                                size_t n, uint32_t id) {
  constexpr size_t kChunkWords = 32;
  const auto* bytes = static_cast<const unsigned char*>(p);
  const uint64_t id_bits = pattern_id_bits(id);
  size_t words = n / 8;
  size_t k = from / 8;
  while (k < words) {
    // A chunk ends at a multiple of kChunkWords (which divides 128), so `base` holds for it.
    static_assert(128 % kChunkWords == 0);
    const size_t end =
        words - k < kChunkWords - (k % kChunkWords) ? words : (k | (kChunkWords - 1)) + 1;
    const uint64_t base = id_bits | pattern_index_bits(k & ~size_t{127});
    uint64_t diff = 0;
    for (size_t j = k; j < end; ++j) {
      uint64_t w;
      std::memcpy(&w, bytes + j * 8, 8);
      diff |= w ^ (base | (j & 127));
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

// If `word` looks like a pattern word (the top bit of every byte set), its owner's allocation
// id (24 bits) and word index.
constexpr bool decode_pattern_word(uint64_t word, uint32_t* id, uint64_t* k) {
  if ((word & kPatternTopBits) != kPatternTopBits) return false;
  uint64_t v = 0;
  for (int b = 0; b < 8; ++b) v |= ((word >> (8 * b)) & 0x7f) << (7 * b);
  *id = static_cast<uint32_t>(v >> 32);
  *k = v & 0xffffffffu;
  return true;
}

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_CONTENT_PATTERN_H_
