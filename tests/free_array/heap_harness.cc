// The test shadow; see heap_harness.h.
#include "tests/free_array/heap_harness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "allocator/base/fixed_text.h"
#include "allocator/base/random.h"
#include "allocator/free_array/heap_map.h"

namespace allocfuzz::testing {

HeapHarness::HeapHarness(const RegionOptions& region_options, const HeapConfig& heap_config)
    : region_(std::make_unique<PseudoBrk>()) {
  int rc = region_->init(region_options);
  if (rc != 0) {
    ADD_FAILURE() << "PseudoBrk::init failed: " << std::strerror(rc);
    std::abort();
  }
  heap_ = std::make_unique<FreeArrayHeap>(*region_, heap_config);
}

namespace {

// The pattern of block `id` is a slice of one periodic table, starting at a place that depends
// on id, so that fill and verify are memcpy/memcmp (fast under ASan) and a byte out of place
// still differs from its neighbours' patterns.
constexpr size_t kPeriod = 4096;
struct PatternTable {
  uint8_t bytes[2 * kPeriod];
  PatternTable() {
    XorShift64 rng(kGoldenGamma);
    for (size_t i = 0; i < kPeriod; ++i) {
      bytes[i] = bytes[i + kPeriod] = static_cast<uint8_t>(rng.next() >> 56);
    }
  }
};
const PatternTable kTable;

size_t phase(uint32_t id) { return (uint64_t{id} * 2654435761u) % kPeriod; }

}  // namespace

uint8_t HeapHarness::pattern(uint32_t id, size_t offset) {
  return kTable.bytes[(phase(id) + offset) % kPeriod];
}

void HeapHarness::fill(void* p) {
  LiveBlock& b = live_.at(p);
  b.id = next_id_++;
  auto* bytes = static_cast<uint8_t*>(p);
  for (size_t done = 0; done < b.requested;) {
    size_t start = (phase(b.id) + done) % kPeriod;
    size_t n = std::min(kPeriod, b.requested - done);
    std::memcpy(bytes + done, kTable.bytes + start, n);
    done += n;
  }
}

void HeapHarness::record(void* p, size_t n) {
  live_[p] = LiveBlock{n, 0};
  fill(p);
}

bool HeapHarness::verify_block(const void* p, const LiveBlock& b, size_t upto) const {
  const auto* bytes = static_cast<const uint8_t*>(p);
  size_t limit = std::min(upto, b.requested);
  for (size_t done = 0; done < limit;) {
    size_t start = (phase(b.id) + done) % kPeriod;
    size_t n = std::min(kPeriod, limit - done);
    if (std::memcmp(bytes + done, kTable.bytes + start, n) != 0) {
      size_t i = done;
      while (bytes[i] == kTable.bytes[(start + i - done)]) ++i;
      ADD_FAILURE() << "step " << step_ << ": block at +0x" << std::hex << offset(p) << " byte "
                    << std::dec << i << " changed";
      return false;
    }
    done += n;
  }
  return true;
}

std::optional<HeapViolation> HeapHarness::check() const {
  CheckOptions options;
  options.context = &live_;
  options.requested_size = [](const void* context, const void* payload) -> size_t {
    const auto& live = *static_cast<const std::map<const void*, LiveBlock>*>(context);
    auto it = live.find(payload);
    return it == live.end() ? SIZE_MAX : it->second.requested;
  };
  return check_heap(*heap_, options);
}

bool HeapHarness::verify_all() {
  ++step_;
  if (std::optional<HeapViolation> v = check()) {
    FixedText<8192> map;
    append_heap_map(*heap_, v->offset, 4, map);
    ADD_FAILURE() << "step " << step_ << ": " << describe(v) << "\n" << map.view();
    return false;
  }
  for (const auto& [p, b] : live_) {
    if (!verify_block(p, b, b.requested)) return false;
    if (heap_->usable_size(p) < b.requested) {
      ADD_FAILURE() << "step " << step_ << ": usable_size below the request";
      return false;
    }
  }
  if (!all_live_in_bounds()) {
    ADD_FAILURE() << "step " << step_ << ": a live block lies outside the heap";
    return false;
  }
  intptr_t clobbered = region_->first_clobbered_foreign_byte();
  if (clobbered >= 0) {
    ADD_FAILURE() << "step " << step_ << ": foreign byte at +0x" << std::hex << clobbered
                  << " clobbered";
    return false;
  }
  return true;
}

void* HeapHarness::malloc(size_t n) {
  void* p = heap_->malloc(n);
  if (p != nullptr) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % FreeArrayHeap::kAlignment, 0u);
    EXPECT_EQ(live_.count(p), 0u) << "malloc returned a live block";
    record(p, n);
  }
  verify_all();
  return p;
}

void* HeapHarness::calloc(size_t count, size_t size) {
  void* p = heap_->calloc(count, size);
  if (p != nullptr) {
    const auto* bytes = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < count * size; ++i) {
      if (bytes[i] != 0) {
        ADD_FAILURE() << "calloc byte " << i << " is not zero";
        break;
      }
    }
    record(p, count * size);
  }
  verify_all();
  return p;
}

void* HeapHarness::realloc(void* p, size_t n) {
  if (p == nullptr) return malloc(n);
  LiveBlock old = live_.at(p);
  void* q = heap_->realloc(p, n);
  if (n == 0) {
    EXPECT_EQ(q, nullptr);
    live_.erase(p);
  } else if (q != nullptr) {
    live_.erase(p);
    // The kept prefix must have moved intact; then the user writes the new size.
    verify_block(q, old, n < old.requested ? n : old.requested);
    record(q, n);
  }
  verify_all();
  return q;
}

void HeapHarness::free(void* p) {
  heap_->free(p);
  live_.erase(p);
  verify_all();
}

void* HeapHarness::memalign(size_t align, size_t n) {
  void* p = heap_->memalign(align, n);
  if (p != nullptr) {
    size_t promised =
        align <= FreeArrayHeap::kAlignment ? FreeArrayHeap::kAlignment : std::bit_ceil(align);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % promised, 0u)
        << "memalign(" << align << ", " << n << ") at +0x" << std::hex << offset(p);
    EXPECT_EQ(live_.count(p), 0u) << "memalign returned a live block";
    record(p, n);
  }
  verify_all();
  return p;
}

void HeapHarness::free_sized(void* p, size_t align) {
  const size_t n = live_.at(p).requested;
  if (align == 0) {
    heap_->free_sized(p, n);
  } else {
    heap_->free_aligned_sized(p, align, n);
  }
  live_.erase(p);
  verify_all();
}

size_t HeapHarness::live_requested_bytes() const {
  size_t sum = 0;
  for (const auto& [p, b] : live_) sum += b.requested;
  return sum;
}

bool HeapHarness::all_live_in_bounds() const {
  const FreeArrayState& s = heap_->state();
  for (const auto& [p, b] : live_) {
    auto a = reinterpret_cast<uintptr_t>(p);
    if (!region_->contains(p) || a < reinterpret_cast<uintptr_t>(s.heap_start) ||
        a + b.requested > reinterpret_cast<uintptr_t>(s.top) ||
        a + b.requested > reinterpret_cast<uintptr_t>(region_->current_break())) {
      return false;
    }
  }
  return true;
}

std::string describe(const std::optional<HeapViolation>& v) {
  if (!v) return "ok";
  FixedText<1024> text;
  append_violation(*v, text);
  return std::string(text.view());
}

}  // namespace allocfuzz::testing
