// The text form of a finding's signature; see signature.h.
#include "fuzz/oracle/signature.h"

#include <vector>

namespace allocfuzz {
namespace {

// A name after op= or frame=: printable ASCII without spaces, not empty.
bool is_name(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c <= 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    if (space != 0) out.push_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return out;
}

}  // namespace

std::string Signature::text() const {
  std::string out = kind.text() + " op=" + op_name;
  if (!frame.empty()) out += " frame=" + frame;
  return out;
}

bool signature_less(const Signature& a, const Signature& b) { return a.text() < b.text(); }

std::optional<Signature> parse_signature(std::string_view text, std::string* error) {
  const std::string quoted = "signature '" + std::string(text) + "'";
  const std::vector<std::string_view> parts = words(text);
  if (parts.empty()) {
    *error = "empty signature (KIND op=OPNAME [frame=FRAME])";
    return std::nullopt;
  }
  std::string kind_error;
  const std::optional<FindingKind> kind = parse_finding_kind(parts[0], &kind_error);
  if (!kind) {
    *error = quoted + ": " + kind_error;
    return std::nullopt;
  }
  if (parts.size() < 2 || !parts[1].starts_with("op=")) {
    *error = quoted + " has no op=OPNAME after the kind";
    return std::nullopt;
  }
  Signature signature{*kind, std::string(parts[1].substr(3)), ""};
  if (!is_name(signature.op_name)) {
    *error = quoted + ": op= needs a name";
    return std::nullopt;
  }
  if (parts.size() >= 3) {
    if (!parts[2].starts_with("frame=") || !is_name(parts[2].substr(6))) {
      *error = quoted + ": after op=" + signature.op_name + " only frame=FRAME may follow";
      return std::nullopt;
    }
    signature.frame = std::string(parts[2].substr(6));
  }
  if (parts.size() > 3) {
    *error = quoted + ": unexpected '" + std::string(parts[3]) + "' after the frame";
    return std::nullopt;
  }
  return signature;
}

}  // namespace allocfuzz
