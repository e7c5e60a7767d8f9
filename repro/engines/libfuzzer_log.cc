// Parsing libFuzzer's status lines; see libfuzzer_log.h.
#include "repro/engines/libfuzzer_log.h"

namespace allocfuzz {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The leading decimal digits of `text` ("40/1200b" -> 40, "12s" -> 12); false if none.
bool leading_number(std::string_view text, uint64_t* out) {
  if (text.empty() || !is_digit(text[0])) return false;
  uint64_t value = 0;
  for (size_t i = 0; i < text.size() && is_digit(text[i]); ++i) {
    value = value * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  *out = value;
  return true;
}

class Words {
 public:
  explicit Words(std::string_view text) : rest_(text) {}
  std::string_view next() {
    size_t i = 0;
    while (i < rest_.size() && is_blank(rest_[i])) ++i;
    size_t end = i;
    while (end < rest_.size() && !is_blank(rest_[end])) ++end;
    const std::string_view word = rest_.substr(i, end - i);
    rest_ = rest_.substr(end);
    return word;
  }

 private:
  std::string_view rest_;
};

// "0/1/2" -> three numbers.
void parse_triple(std::string_view text, FuzzProgress* progress) {
  uint64_t* fields[] = {&progress->ooms, &progress->timeouts, &progress->crashes};
  for (uint64_t* field : fields) {
    if (!leading_number(text, field)) return;
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) return;
    text.remove_prefix(slash + 1);
  }
}

}  // namespace

bool parse_libfuzzer_line(std::string_view line, FuzzProgress* progress) {
  if (line.size() < 2 || line[0] != '#' || !is_digit(line[1])) return false;
  FuzzProgress next = *progress;
  leading_number(line.substr(1), &next.executions);
  Words words(line.substr(1));
  words.next();  // "123:" or "123"
  bool has_cov = false;
  for (std::string_view word = words.next(); !word.empty(); word = words.next()) {
    uint64_t* field = nullptr;
    if (word == "cov:") {
      field = &next.cov;
      has_cov = true;
    } else if (word == "ft:") {
      field = &next.ft;
    } else if (word == "corp:") {
      field = &next.corpus;
    } else if (word == "exec/s:" || word == "exec/s") {
      field = &next.exec_per_sec;
    } else if (word == "time:") {
      field = &next.seconds;
    } else if (word == "oom/timeout/crash:") {
      parse_triple(words.next(), &next);
      continue;
    }
    if (field != nullptr) leading_number(words.next(), field);
  }
  if (!has_cov) return false;
  next.seen = true;
  *progress = next;
  return true;
}

}  // namespace allocfuzz
