// Lookups over the operation table.
#include "fuzz/program/ops.h"

namespace allocfuzz {

std::optional<OpKind> op_by_name(std::string_view name) {
  for (const OpInfo& info : kOps) {
    if (name == info.name) return info.kind;
  }
  return std::nullopt;
}

}  // namespace allocfuzz
