// The spelling of left-out families; see families.h.
#include "fuzz/program/families.h"

namespace allocfuzz {

std::optional<Family> family_by_name(std::string_view name) {
  for (const FamilyInfo& info : kFamilies) {
    if (name == info.name) return info.family;
  }
  return std::nullopt;
}

std::string family_names() {
  std::string names;
  for (const FamilyInfo& info : kFamilies) {
    if (!names.empty()) names += ", ";
    names += info.name;
  }
  return names;
}

bool parse_family_list(std::string_view text, FamilySet* out, std::string* error) {
  if (text == kNoFamilyLeftOut) {
    *out = 0;
    return true;
  }
  if (text.empty()) {
    *error =
        "no operation family to leave out (write all, or -FAMILY,...; families: " + family_names() +
        ")";
    return false;
  }
  FamilySet set = 0;
  for (;;) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    if (!item.starts_with('-')) {
      *error = "'" + std::string(item) +
               "' must be written -FAMILY: the list names the families to leave out (or is all)";
      return false;
    }
    const std::string_view name = item.substr(1);
    const std::optional<Family> family = family_by_name(name);
    if (!family) {
      *error =
          "unknown operation family '" + std::string(name) + "' (families: " + family_names() + ")";
      return false;
    }
    if ((set & family_bit(*family)) != 0) {
      *error = "operation family '" + std::string(name) + "' is named twice";
      return false;
    }
    set |= family_bit(*family);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  *out = set;
  return true;
}

std::string format_family_list(FamilySet set) {
  if (set == 0) return std::string(kNoFamilyLeftOut);
  std::string text;
  for (const FamilyInfo& info : kFamilies) {
    if ((set & family_bit(info.family)) == 0) continue;
    if (!text.empty()) text += ',';
    text += '-';
    text += info.name;
  }
  return text;
}

}  // namespace allocfuzz
