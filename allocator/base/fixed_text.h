// TextBuffer / FixedText: text written into caller-owned, fixed storage. Reporting must not
// allocate (the heap under test may be the broken one), so violations, fatal errors and heap
// maps are formatted here. Text past the capacity is cut, and the cut is marked "...".
#ifndef ALLOCFUZZ_ALLOCATOR_FIXED_TEXT_H_
#define ALLOCFUZZ_ALLOCATOR_FIXED_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "allocator/base/offset_text.h"

namespace allocfuzz {

class TextBuffer {
 public:
  TextBuffer(char* storage, size_t capacity) : buf_(storage), capacity_(capacity) {}
  TextBuffer(const TextBuffer&) = delete;
  TextBuffer& operator=(const TextBuffer&) = delete;

  TextBuffer& add(std::string_view s);
  TextBuffer& add_char(char c) { return add(std::string_view(&c, 1)); }
  TextBuffer& add_dec(uint64_t v);
  // "0x" and at least `min_digits` lowercase hex digits.
  TextBuffer& add_hex(uint64_t v, int min_digits = 1);
  // A region offset, "+0x" and at least 6 digits: how every address is printed (offset_text.h).
  TextBuffer& add_offset(uint64_t offset) { return add(OffsetText(offset).view()); }
  // Spaces up to `column` characters since the last newline.
  TextBuffer& pad_to(size_t column);

  std::string_view view() const { return std::string_view(buf_, size_); }
  size_t size() const { return size_; }
  bool truncated() const { return truncated_; }
  void clear() {
    size_ = 0;
    truncated_ = false;
  }

 private:
  char* buf_;
  size_t capacity_;
  size_t size_ = 0;
  bool truncated_ = false;
};

template <size_t kCapacity>
class FixedText : public TextBuffer {
 public:
  FixedText() : TextBuffer(storage_, kCapacity) {}

 private:
  char storage_[kCapacity];
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_ALLOCATOR_FIXED_TEXT_H_
