// A region offset as every report, trace and heap map prints it: "+0x" and at least six
// lowercase hex digits, printf's "+0x%06x" (+0x000000, +0x000120, +0xffffff, +0x1000000). Offsets
// are printed instead of addresses so that output is the same on every run.
//
// OffsetText formats into its own storage and allocates nothing, so it is safe while the heap
// under test may be broken (fixed_text.h's add_offset uses it); offset_string() is the same text
// as a std::string, for code that builds strings anyway.
#ifndef ALLOCFUZZ_ALLOCATOR_BASE_OFFSET_TEXT_H_
#define ALLOCFUZZ_ALLOCATOR_BASE_OFFSET_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace allocfuzz {

inline constexpr int kOffsetMinDigits = 6;

class OffsetText {
 public:
  explicit constexpr OffsetText(uint64_t offset) {
    // Digits from the right; at most 16 for 64 bits.
    size_t n = 0;
    while (offset != 0 || n < kOffsetMinDigits) {
      chars_[kCapacity - 1 - n++] = "0123456789abcdef"[offset & 15];
      offset >>= 4;
    }
    chars_[kCapacity - 1 - n++] = 'x';
    chars_[kCapacity - 1 - n++] = '0';
    chars_[kCapacity - 1 - n++] = '+';
    size_ = n;
  }
  constexpr std::string_view view() const {
    return std::string_view(chars_ + kCapacity - size_, size_);
  }

 private:
  static constexpr size_t kCapacity = 3 + 16;  // "+0x" and 64 bits of hex
  char chars_[kCapacity] = {};
  size_t size_ = 0;
};

inline std::string offset_string(uint64_t offset) { return std::string(OffsetText(offset).view()); }

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_ALLOCATOR_BASE_OFFSET_TEXT_H_
