// ReservedRange: one private, contiguous range of address space, reserved up front and made
// accessible from its start upwards. It is the only place in allocator/ that talks to the
// kernel's memory calls (mmap, mprotect, madvise, munmap), so the rules live here once:
//
// - The range is reserved with no swap reserve (MAP_NORESERVE); nothing is committed until a
//   byte is touched.
// - `set_accessible_end(n)` makes exactly [0, n) usable and everything above unusable.
//   Offsets are bytes from `base()`; n <= size(). Bytes that become usable again after having
//   been unusable read as zero ("given back and taken again reads as zero").
// - Two ways to make bytes unusable:
//     kStrict  mprotect(PROT_NONE) at page granularity, plus AddressSanitizer poisoning of the
//              partial page when ASan is present. A stray access faults (SIGSEGV) or is
//              reported by ASan. Costs a system call per page-boundary crossing.
//     kPoison  AddressSanitizer poisoning only; the pages stay read/write. No system calls
//              after construction, which is what a per-input fuzzing reset needs. Without ASan
//              this mode detects nothing above the end; it still zeroes.
// - `reset()` makes the whole range unusable and zero again, at a cost proportional to the
//   bytes touched since construction or the last reset, not to size().
//
// Placement: kHigh puts the range above 4 GiB (like 64-bit glibc heaps), kLow entirely below
// 2 GiB (like minilib's static binaries); allocators that keep only 32 bits of an address
// work in the second and break in the first.
#ifndef ALLOCFUZZ_ALLOCATOR_RESERVED_RANGE_H_
#define ALLOCFUZZ_ALLOCATOR_RESERVED_RANGE_H_

#include <cstddef>
#include <cstdint>

namespace allocfuzz {

enum class Placement : uint8_t { kHigh, kLow };
enum class Protection : uint8_t { kStrict, kPoison };

const char* placement_name(Placement placement);
// Parses "high" / "low"; returns false on anything else.
bool parse_placement(const char* text, size_t length, Placement* out);

inline constexpr size_t kPageSize = 4096;

class ReservedRange {
 public:
  ReservedRange() = default;
  ReservedRange(const ReservedRange&) = delete;
  ReservedRange& operator=(const ReservedRange&) = delete;
  ~ReservedRange();

  // Reserves `size` bytes (rounded up to pages). Returns 0, or an errno value when the
  // address space could not be had (e.g. no free range below 2 GiB for kLow).
  int reserve(size_t size, Placement placement, Protection protection);
  bool reserved() const { return base_ != nullptr; }

  char* base() const { return base_; }
  size_t size() const { return size_; }
  Placement placement() const { return placement_; }
  Protection protection() const { return protection_; }
  size_t accessible_end() const { return accessible_end_; }

  // Makes [0, end) usable and [end, size) unusable; end <= size(). See the rules above.
  void set_accessible_end(size_t end);

  // Unusable and zero everywhere again; cost follows what was touched.
  void reset();

  bool is_accessible(size_t offset) const { return offset < accessible_end_; }

 private:
  void make_usable(size_t from, size_t to);
  void make_unusable(size_t from, size_t to);

  char* base_ = nullptr;
  size_t size_ = 0;
  Placement placement_ = Placement::kHigh;
  Protection protection_ = Protection::kStrict;
  size_t accessible_end_ = 0;
  // Bytes at offsets >= dirty_end_ are known to be zero. Invariant: dirty_end_ <= size_, and
  // in kStrict dirty_end_ <= page_up(accessible_end_) (lowering discards whole pages).
  size_t dirty_end_ = 0;
  // kPoison only: [0, rw_end_) is mapped read/write at the kernel level (page-rounded). It
  // only grows, so after warm-up a fuzzing loop makes no system calls at all.
  size_t rw_end_ = 0;
  // Highest page-rounded end ever made usable: the part of ASan's shadow this range wrote.
  size_t shadow_end_ = 0;
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_ALLOCATOR_RESERVED_RANGE_H_
