// Allocation-free formatting for reports; see fixed_text.h.
#include "allocator/base/fixed_text.h"

#include <cstring>

namespace allocfuzz {

TextBuffer& TextBuffer::add(std::string_view s) {
  if (truncated_) return *this;
  size_t room = capacity_ - size_;
  if (s.size() <= room) {
    std::memcpy(buf_ + size_, s.data(), s.size());
    size_ += s.size();
    return *this;
  }
  std::memcpy(buf_ + size_, s.data(), room);
  size_ = capacity_;
  truncated_ = true;
  if (capacity_ >= 3) std::memcpy(buf_ + capacity_ - 3, "...", 3);
  return *this;
}

TextBuffer& TextBuffer::add_dec(uint64_t v) {
  char tmp[20];
  size_t n = 0;
  do {
    tmp[sizeof tmp - 1 - n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  return add(std::string_view(tmp + sizeof tmp - n, n));
}

TextBuffer& TextBuffer::add_hex(uint64_t v, int min_digits) {
  char tmp[16];
  size_t n = 0;
  while ((v != 0 || static_cast<int>(n) < min_digits) && n < sizeof tmp) {
    tmp[sizeof tmp - 1 - n++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  }
  add("0x");
  return add(std::string_view(tmp + sizeof tmp - n, n));
}

TextBuffer& TextBuffer::pad_to(size_t column) {
  size_t line_start = size_;
  while (line_start > 0 && buf_[line_start - 1] != '\n') --line_start;
  while (size_ - line_start < column && !truncated_) add_char(' ');
  return *this;
}

}  // namespace allocfuzz
