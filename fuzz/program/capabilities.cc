// The printed form of a capability set; see capabilities.h.
#include "fuzz/program/capabilities.h"

namespace allocfuzz {

std::string capability_names(CapabilitySet set) {
  std::string names;
  for (const CapabilityInfo& info : kCapabilities) {
    if (!has_capability(set, info.capability)) continue;
    if (!names.empty()) names += ", ";
    names += info.name;
  }
  return names;
}

}  // namespace allocfuzz
