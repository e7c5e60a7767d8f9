// A finding's signature: its one print and one parse; see signature.h.
#include "fuzz/oracle/signature.h"

#include <cstddef>

namespace allocfuzz {
namespace {

constexpr std::string_view kOpField = " op=";
constexpr std::string_view kFrameField = " frame=";

bool is_signature_op_name(std::string_view name) {
  return name == kSignatureOpEnd || name == kSignatureOpNone || op_by_name(name).has_value();
}

// A frame is one line of printable text (it ends the signature, so it may hold spaces).
bool is_frame_text(std::string_view frame) {
  if (frame.empty()) return false;
  for (char c : frame) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"') return false;
  }
  return frame.front() != ' ' && frame.back() != ' ';
}

}  // namespace

std::string Signature::text() const {
  std::string out = kind.text();
  out += kOpField;
  out += op_name;
  if (!frame.empty()) {
    out += kFrameField;
    out += frame;
  }
  return out;
}

std::optional<Signature> parse_signature(std::string_view text, std::string* error) {
  auto refuse = [&](std::string why) -> std::optional<Signature> {
    *error = "signature '" + std::string(text) + "' " + why;
    return std::nullopt;
  };
  const size_t op_at = text.find(kOpField);
  if (op_at == std::string_view::npos) return refuse("has no ' op=OPNAME' after its kind");
  std::string kind_error;
  std::optional<FindingKind> kind = parse_finding_kind(text.substr(0, op_at), &kind_error);
  if (!kind) return refuse("has " + kind_error);
  std::string_view rest = text.substr(op_at + kOpField.size());
  std::string_view frame;
  const size_t frame_at = rest.find(kFrameField);
  if (frame_at != std::string_view::npos) {
    frame = rest.substr(frame_at + kFrameField.size());
    rest = rest.substr(0, frame_at);
    if (!is_frame_text(frame)) {
      return refuse("has an empty or unprintable frame (FILE:LINE in FUNCTION, or ?)");
    }
  }
  if (!is_signature_op_name(rest)) {
    return refuse("has no operation '" + std::string(rest) +
                  "' (an operation's name, 'end' or 'none')");
  }
  return Signature{*kind, std::string(rest), std::string(frame)};
}

std::string signature_op_name(const Program& program, size_t op_index) {
  if (op_index == SIZE_MAX) return std::string(kSignatureOpNone);
  if (op_index >= program.ops.size()) return std::string(kSignatureOpEnd);
  return op_info(program.ops[op_index].kind).name;
}

Signature signature_of(const Program& program, const Finding& finding) {
  return Signature{finding.kind, signature_op_name(program, finding.op_index), finding.frame};
}

std::ostream& operator<<(std::ostream& out, const Signature& signature) {
  return out << signature.text();
}

}  // namespace allocfuzz
