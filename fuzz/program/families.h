// Operation families left out (ops.h, ALLOCFUZZ_FAMILIES) in their one spelling, shared by the
// `# ops:` header, the command line's --ops and the fuzz targets' ALLOCFUZZ_OPS:
//   all                        nothing left out
//   -FAMILY[,-FAMILY...]       those families left out, each named once
// The printed form names the families in table order, so that it is deterministic.
#ifndef ALLOCFUZZ_FUZZ_FAMILIES_H_
#define ALLOCFUZZ_FUZZ_FAMILIES_H_

#include <optional>
#include <string>
#include <string_view>

#include "fuzz/program/ops.h"

namespace allocfuzz {

inline constexpr std::string_view kNoFamilyLeftOut = "all";

constexpr Family family_of(OpKind kind) { return op_info(kind).family; }
constexpr bool left_out(FamilySet set, OpKind kind) {
  return (set & family_bit(family_of(kind))) != 0;
}

// The family named `name`, or nullopt.
std::optional<Family> family_by_name(std::string_view name);

// "api, fill, check, foreign, fail-grow": the families, for messages.
std::string family_names();

// Parses `text` into `*out`; false with the message in `*error`, e.g.
//   "unknown operation family 'x' (families: api, fill, check, foreign, fail-grow)".
bool parse_family_list(std::string_view text, FamilySet* out, std::string* error);

// "-foreign,-fail-grow", or "all" for the empty set.
std::string format_family_list(FamilySet set);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_FAMILIES_H_
