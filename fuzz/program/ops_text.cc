// The .ops parser and printer (FORMAT.md, "Text encoding"). Both read the operation table
// (kOps) for names, slots and operand kinds, so nothing here is written per operation: a new
// row in ops.h is parsed and printed without touching this file.
//
// The parser sees untrusted bytes (it is itself a fuzz target): it makes one pass over the
// text, every line is looked at a bounded number of times, and every message quotes at most a
// few dozen bytes with anything unprintable escaped, so no input can crash it, slow it down
// beyond linear time, or put binary junk into an error message.
#include "fuzz/program/ops_text.h"

#include <charconv>
#include <cstdint>
#include <limits>

#include "fuzz/program/families.h"

namespace allocfuzz {
namespace {

constexpr size_t kMaxQuoted = 40;

// `text` in single quotes for a message: printable ASCII as is, other bytes as \xNN, cut after
// kMaxQuoted bytes.
std::string quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  const size_t shown = text.size() < kMaxQuoted ? text.size() : kMaxQuoted;
  for (size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (shown < text.size()) out += "...";
  out += '\'';
  return out;
}

std::string hex_byte(unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string{"0x"} + kHex[c >> 4] + kHex[c & 15];
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_left(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && is_blank(text[i])) ++i;
  return text.substr(i);
}

// Everything before the first '#': the part of a line that is not a comment.
std::string_view strip_comment(std::string_view text) {
  const size_t hash = text.find('#');
  return hash == std::string_view::npos ? text : text.substr(0, hash);
}

// Splits one line (comment already removed) into tokens separated by spaces and tabs.
class Tokens {
 public:
  explicit Tokens(std::string_view text) : rest_(text) {}

  // The next token, or an empty view at the end of the line.
  std::string_view next() {
    rest_ = trim_left(rest_);
    size_t end = 0;
    while (end < rest_.size() && !is_blank(rest_[end])) ++end;
    const std::string_view token = rest_.substr(0, end);
    rest_ = rest_.substr(end);
    return token;
  }

  // What next() has not taken yet.
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

enum class NumberStatus { kOk, kNotNumber, kTooBig };

int digit_value(char c, unsigned base) {
  int value = -1;
  if (c >= '0' && c <= '9') {
    value = c - '0';
  } else if (base == 16 && c >= 'a' && c <= 'f') {
    value = c - 'a' + 10;
  } else if (base == 16 && c >= 'A' && c <= 'F') {
    value = c - 'A' + 10;
  }
  return value;
}

// Decimal, or hex after "0x"; no sign; the value must fit in 64 bits (leading zeros are fine).
NumberStatus parse_number(std::string_view token, uint64_t* out) {
  unsigned base = 10;
  if (token.size() >= 2 && token[0] == '0' && token[1] == 'x') {
    base = 16;
    token.remove_prefix(2);
  }
  if (token.empty()) return NumberStatus::kNotNumber;
  for (char c : token) {
    if (digit_value(c, base) < 0) return NumberStatus::kNotNumber;
  }
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t value = 0;
  for (char c : token) {
    const auto digit = static_cast<uint64_t>(digit_value(c, base));
    if (value > (kMax - digit) / base) return NumberStatus::kTooBig;
    value = value * base + digit;
  }
  *out = value;
  return NumberStatus::kOk;
}

// Parses `token` as the number called `what` in messages ("size", "count", "limit").
std::optional<std::string> parse_number_or_error(std::string_view token, const char* what,
                                                 uint64_t* out) {
  switch (parse_number(token, out)) {
    case NumberStatus::kOk:
      return std::nullopt;
    case NumberStatus::kNotNumber:
      return std::string{what} + " " + quote(token) + " is not a number";
    case NumberStatus::kTooBig:
      return std::string{what} + " " + quote(token) + " does not fit in 64 bits";
  }
  return std::string{"internal error"};
}

// "sN" with N decimal and below kMaxSlots.
std::optional<std::string> parse_slot(std::string_view token, uint32_t* out) {
  bool ok = token.size() >= 2 && token[0] == 's';
  uint64_t value = 0;
  for (size_t i = 1; ok && i < token.size(); ++i) {
    const int digit = digit_value(token[i], 10);
    ok = digit >= 0;
    // Saturate instead of overflowing: any value past the limit is as bad as any other.
    if (ok && value < kMaxSlots) value = value * 10 + static_cast<uint64_t>(digit);
  }
  if (!ok || value >= kMaxSlots) {
    return "bad slot " + quote(token) + " (slots are s0..s" + std::to_string(kMaxSlots - 1) + ")";
  }
  *out = static_cast<uint32_t>(value);
  return std::nullopt;
}

// "malloc needs 2 operands (slot, size)": the operands an operation takes, from the table.
std::string missing_operands(const OpInfo& info) {
  std::string list;
  size_t count = 0;
  if (info.has_slot) {
    list = "slot";
    ++count;
  }
  for (size_t i = 0; i < 2; ++i) {
    if (info.args[i] == Arg::kNone) continue;
    if (count > 0) list += ", ";
    list += info.arg_names[i];
    ++count;
  }
  return std::string{info.name} + " needs " + std::to_string(count) +
         (count == 1 ? " operand (" : " operands (") + list + ")";
}

// One operation line (comment removed, not blank).
std::optional<std::string> parse_op(std::string_view code, Op* op) {
  Tokens tokens(code);
  const std::string_view name = tokens.next();
  const std::optional<OpKind> kind = op_by_name(name);
  if (!kind) return "unknown operation " + quote(name);
  const OpInfo& info = op_info(*kind);
  *op = Op{};
  op->kind = *kind;
  if (info.has_slot) {
    const std::string_view token = tokens.next();
    if (token.empty()) return missing_operands(info);
    if (auto error = parse_slot(token, &op->slot)) return error;
  }
  for (size_t i = 0; i < 2; ++i) {
    const Arg arg = info.args[i];
    if (arg == Arg::kNone) continue;
    const std::string_view token = tokens.next();
    if (token.empty()) return missing_operands(info);
    if (auto error = parse_number_or_error(token, info.arg_names[i], &op->args[i])) return error;
    if (arg == Arg::kCount && op->args[i] > kMaxFailGrow) {
      return std::string{info.name} + " count " + std::to_string(op->args[i]) + " is above " +
             std::to_string(kMaxFailGrow);
    }
  }
  const std::string_view extra = tokens.next();
  if (!extra.empty()) return "extra operand " + quote(extra);
  return std::nullopt;
}

// `repeat COUNT STEP` in front of an operation (FORMAT.md, "Repeat"): the operation COUNT
// times, its slot advancing by STEP. Removes the prefix from *code; without one, {1, 0}.
struct Repeat {
  uint64_t count = 1;
  uint32_t step = 0;
};

std::optional<std::string> parse_repeat(std::string_view* code, Repeat* repeat) {
  constexpr std::string_view kRepeat = "repeat";
  Tokens tokens(*code);
  if (tokens.next() != kRepeat) return std::nullopt;
  const std::string_view count_token = tokens.next();
  const std::string_view step_token = tokens.next();
  if (step_token.empty()) return std::string{"repeat needs a count, a step and an operation"};
  uint64_t count = 0;
  uint64_t step = 0;
  if (auto error = parse_number_or_error(count_token, "repeat count", &count)) return error;
  if (auto error = parse_number_or_error(step_token, "repeat step", &step)) return error;
  if (count == 0 || count > kMaxSlots) {
    return "repeat count " + std::to_string(count) + " is not in 1.." + std::to_string(kMaxSlots);
  }
  if (step >= kMaxSlots) {
    return "repeat step " + std::to_string(step) + " is not in 0.." + std::to_string(kMaxSlots - 1);
  }
  repeat->count = count;
  repeat->step = static_cast<uint32_t>(step);
  *code = tokens.rest();
  if (Tokens(*code).next().empty()) return std::string{"repeat needs an operation after its step"};
  if (Tokens(*code).next() == kRepeat) return std::string{"a repeat cannot repeat a repeat"};
  return std::nullopt;
}

// Heap, defect and violation names are one token of printable ASCII, so that they print back
// as they were read (blanks, '#' and control bytes cannot reach here; bytes >= 0x80 can).
std::optional<std::string> check_name(std::string_view token, const char* what) {
  for (char c : token) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte > 0x7e) {
      return std::string{"bad "} + what + " " + quote(token) + " (printable ASCII only)";
    }
  }
  return std::nullopt;
}

enum class HeaderKey : uint8_t {
  kExpect,
  kHeap,
  kDefect,
  kRegion,
  kLimit,
  kDiff,
  kOps,
  kRegionSize
};

struct HeaderInfo {
  HeaderKey key;
  std::string_view name;
  const char* values;  // what the value may be, for "needs a value" messages
};

constexpr HeaderInfo kHeaders[] = {
    {HeaderKey::kExpect, "expect", "ok or violation KIND"},
    {HeaderKey::kHeap, "heap", "NAME"},
    {HeaderKey::kDefect, "defect", "NAME"},
    {HeaderKey::kRegion, "region", "high or low"},
    {HeaderKey::kLimit, "limit", "BYTES"},
    {HeaderKey::kDiff, "diff", "all, or two or more heap NAMEs"},
    {HeaderKey::kOps, "ops", "all, or -FAMILY,... to leave out"},
    {HeaderKey::kRegionSize, "region-size", "BYTES"},
};

// The header `value` (comment removed) into `header`. `first` is the first token, non-empty.
std::optional<std::string> parse_header_value(const HeaderInfo& info, Tokens* tokens,
                                              std::string_view first, ProgramHeader* header) {
  switch (info.key) {
    case HeaderKey::kExpect: {
      Expectation expect;
      if (first == "violation") {
        const std::string_view kind = tokens->next();
        if (kind.empty()) return "'# expect: violation' needs a kind, e.g. 'violation overlap'";
        if (auto error = check_name(kind, "violation kind")) return error;
        expect.violation = true;
        expect.kind = std::string{kind};
      } else if (first != "ok") {
        return "bad expectation " + quote(first) + " (ok or violation KIND)";
      }
      header->expect = std::move(expect);
      return std::nullopt;
    }
    case HeaderKey::kHeap:
      if (auto error = check_name(first, "heap name")) return error;
      header->heap = std::string{first};
      return std::nullopt;
    case HeaderKey::kDefect:
      if (auto error = check_name(first, "defect name")) return error;
      header->defect = std::string{first};
      return std::nullopt;
    case HeaderKey::kRegion:
      if (!parse_placement(first.data(), first.size(), &header->placement)) {
        return "unknown region " + quote(first) + " (high or low)";
      }
      return std::nullopt;
    case HeaderKey::kLimit: {
      uint64_t limit = 0;
      if (auto error = parse_number_or_error(first, "limit", &limit)) return error;
      header->limit = limit;
      return std::nullopt;
    }
    case HeaderKey::kRegionSize: {
      uint64_t size = 0;
      if (auto error = parse_number_or_error(first, "region size", &size)) return error;
      if (auto error = check_region_size(size)) return error;
      header->region_size = size;
      return std::nullopt;
    }
    case HeaderKey::kDiff: {
      // The names are checked against the registry when the program runs, as `# heap:` is.
      std::vector<std::string> names;
      for (std::string_view name = first; !name.empty(); name = tokens->next()) {
        if (auto error = check_name(name, "heap name")) return error;
        for (const std::string& seen : names) {
          if (seen == name) return "heap " + quote(name) + " named twice in '# diff:'";
        }
        names.emplace_back(name);
      }
      if (names.size() == 1 && names[0] != "all") {
        return "'# diff:' needs all, or two or more heap names";
      }
      for (const std::string& name : names) {
        if (name == "all" && names.size() > 1) return "'# diff: all' takes no other names";
      }
      header->diff = std::move(names);
      return std::nullopt;
    }
    case HeaderKey::kOps: {
      std::string error;
      if (!parse_family_list(first, &header->left_out, &error)) return error;
      return std::nullopt;
    }
  }
  return std::string{"internal error"};
}

// A line that starts with '#' before the first operation: a header if a known key and ':'
// follow the '#' (blanks allowed between), otherwise a comment (returns nullopt, no change).
// `seen` has one bit per HeaderKey.
std::optional<std::string> parse_header(std::string_view line, unsigned* seen,
                                        ProgramHeader* header) {
  const std::string_view rest = trim_left(line.substr(1));
  for (const HeaderInfo& info : kHeaders) {
    if (rest.size() <= info.name.size() || rest.substr(0, info.name.size()) != info.name ||
        rest[info.name.size()] != ':') {
      continue;
    }
    const unsigned bit = 1u << static_cast<unsigned>(info.key);
    if (*seen & bit) return "header " + quote(info.name) + " repeated";
    *seen |= bit;
    Tokens tokens(strip_comment(rest.substr(info.name.size() + 1)));
    const std::string_view first = tokens.next();
    if (first.empty()) {
      return "header " + quote(info.name) + " needs a value (" + info.values + ")";
    }
    if (auto error = parse_header_value(info, &tokens, first, header)) return error;
    const std::string_view extra = tokens.next();
    if (!extra.empty()) return "extra value " + quote(extra) + " in header " + quote(info.name);
    return std::nullopt;
  }
  return std::nullopt;
}

// Control bytes other than tab are not text; they are refused anywhere, comments included.
std::optional<std::string> check_bytes(std::string_view line) {
  for (char c : line) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f) {
      return "bad byte " + hex_byte(byte) + " (not text)";
    }
  }
  return std::nullopt;
}

void append_number(std::string* out, uint64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out->append(buffer, result.ptr);
}

void append_op(std::string* out, const Op& op) {
  const OpInfo& info = op_info(op.kind);
  *out += info.name;
  if (info.has_slot) {
    *out += " s";
    append_number(out, op.slot);
  }
  for (size_t i = 0; i < 2; ++i) {
    if (info.args[i] == Arg::kNone) continue;
    *out += ' ';
    append_number(out, op.args[i]);
  }
}

}  // namespace

ParseResult parse_ops_text(std::string_view text, const ParseOptions& options) {
  ParseResult result;
  auto fail = [&result](size_t line, std::string message) {
    result.error = ParseError{line, std::move(message)};
    return std::move(result);
  };
  if (text.empty()) return fail(0, "empty file");

  unsigned seen_headers = 0;
  bool in_header = true;  // no operation yet
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (line_number == 1) {
      if (line == kOpsFirstLine) continue;
      constexpr std::string_view kFirstLinePrefix = "# allocfuzz ops ";
      if (line.substr(0, kFirstLinePrefix.size()) == kFirstLinePrefix) {
        return fail(1,
                    "wrong first line " + quote(line) + " (expected " + quote(kOpsFirstLine) + ")");
      }
      return fail(1, "missing first line " + quote(kOpsFirstLine));
    }
    if (auto error = check_bytes(line)) return fail(line_number, std::move(*error));

    line = trim_left(line);
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (in_header) {
        const bool had_expect = result.program.header.expect.has_value();
        if (auto error = parse_header(line, &seen_headers, &result.program.header)) {
          return fail(line_number, std::move(*error));
        }
        const std::optional<Expectation>& expect = result.program.header.expect;
        if (!had_expect && expect && expect->violation && options.check_violation_kind) {
          if (auto error = options.check_violation_kind(expect->kind)) {
            return fail(line_number, std::move(*error));
          }
        }
      }
      continue;
    }
    if (in_header && options.left_out) result.program.header.left_out = *options.left_out;
    std::string_view code = strip_comment(line);
    Repeat repeat;
    if (auto error = parse_repeat(&code, &repeat)) return fail(line_number, std::move(*error));
    Op op;
    if (auto error = parse_op(code, &op)) return fail(line_number, std::move(*error));
    const FamilySet left = result.program.header.left_out;
    if (left_out(left, op.kind)) {
      return fail(line_number,
                  quote(op_info(op.kind).name) + " is of family " +
                      quote(kFamilies[static_cast<size_t>(family_of(op.kind))].name) + ", which " +
                      (options.left_out ? std::string(options.left_out_by) : "'# ops:'") +
                      " leaves out (" + format_family_list(left) + ")");
    }
    if (result.program.ops.size() + repeat.count > kMaxOps) {
      return fail(line_number, "more than " + std::to_string(kMaxOps) + " operations");
    }
    for (uint64_t i = 0; i < repeat.count; ++i) {
      result.program.ops.push_back(op);
      if (op_info(op.kind).has_slot) op.slot = (op.slot + repeat.step) % kMaxSlots;
    }
    in_header = false;
  }
  if (options.left_out) result.program.header.left_out = *options.left_out;
  return result;
}

std::string format_op(const Op& op) {
  std::string out;
  append_op(&out, op);
  return out;
}

std::string print_ops_text(const Program& program) {
  const ProgramHeader& header = program.header;
  std::string out;
  out.reserve(64 + program.ops.size() * 24);
  out += kOpsFirstLine;
  out += '\n';
  if (header.placement != Placement::kHigh) {
    out += "# region: ";
    out += placement_name(header.placement);
    out += '\n';
  }
  if (header.limit) {
    out += "# limit: ";
    append_number(&out, *header.limit);
    out += '\n';
  }
  if (header.left_out != 0) {
    out += "# ops: " + format_family_list(header.left_out) + '\n';
  }
  if (header.region_size) {
    out += "# region-size: ";
    append_number(&out, *header.region_size);
    out += '\n';
  }
  if (header.heap != kDefaultHeap) {
    out += "# heap: " + header.heap + '\n';
  }
  if (!header.defect.empty()) {
    out += "# defect: " + header.defect + '\n';
  }
  if (!header.diff.empty()) {
    out += "# diff:";
    for (const std::string& name : header.diff) out += ' ' + name;
    out += '\n';
  }
  if (header.expect) {
    out += header.expect->violation ? "# expect: violation " + header.expect->kind : "# expect: ok";
    out += '\n';
  }
  for (const Op& op : program.ops) {
    append_op(&out, op);
    out += '\n';
  }
  return out;
}

}  // namespace allocfuzz
