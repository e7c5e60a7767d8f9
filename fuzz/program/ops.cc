// Lookups over the operation table.
#include "fuzz/program/ops.h"

namespace allocfuzz {

std::optional<OpKind> op_by_name(std::string_view name) {
  for (const OpInfo& info : kOps) {
    if (name == info.name) return info.kind;
  }
  return std::nullopt;
}

std::optional<std::string> check_region_size(uint64_t bytes) {
  if (bytes >= kMinRegionSize && bytes <= kMaxRegionSize) return std::nullopt;
  return "region size " + std::to_string(bytes) + " is outside " + std::to_string(kMinRegionSize) +
         " .. " + std::to_string(kMaxRegionSize) + " (one page to the reservation)";
}

}  // namespace allocfuzz
