// LiveBudget; see live_budget.h.
#include "fuzz/heaps/live_budget.h"

#include <cerrno>
#include <cstdint>

namespace allocfuzz {

bool LiveBudget::refuse(size_t released, size_t wanted) {
  if (wanted > PTRDIFF_MAX) return false;
  const size_t base = live_bytes_ - released;
  if (wanted <= budget_ && base <= budget_ - wanted) return false;
  ++refusals_;
  errno = ENOMEM;
  return true;
}

void LiveBudget::add(void* p, size_t n) {
  auto [it, inserted] = live_.emplace(p, n);
  if (!inserted) {  // an allocator that hands out a held block: keep the sum true
    live_bytes_ -= it->second;
    it->second = n;
  }
  live_bytes_ += n;
}

size_t LiveBudget::requested(const void* p) const {
  auto it = live_.find(p);
  return it != live_.end() ? it->second : SIZE_MAX;
}

void LiveBudget::remove(void* p) {
  auto it = live_.find(p);
  if (it == live_.end()) return;
  live_bytes_ -= it->second;
  live_.erase(it);
}

std::vector<void*> LiveBudget::take_all() {
  std::vector<void*> blocks;
  blocks.reserve(live_.size());
  for (const auto& [p, n] : live_) blocks.push_back(const_cast<void*>(p));
  live_.clear();
  live_bytes_ = 0;
  return blocks;
}

}  // namespace allocfuzz
