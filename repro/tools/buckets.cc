// Buckets and the ignore list; see buckets.h.
#include "repro/tools/buckets.h"

#include <absl/strings/str_format.h>

#include <algorithm>

#include "repro/tools/input_file.h"

namespace allocfuzz {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

constexpr std::string_view kPassesLabel = "(no finding under replay)";

}  // namespace

// The table's order: first seen, then the label (a fixed tie-break).
static bool row_before(const Bucket& a, const Bucket& b) {
  if (a.first_seen != b.first_seen) return a.first_seen < b.first_seen;
  return bucket_label(a) < bucket_label(b);
}

bool IgnoreList::add_flag(std::string_view value, std::string* error) {
  for (;;) {
    // A frame is the rest of its signature and may hold commas ("f(int, char*)"): a comma
    // after " frame=" belongs to the frame, so a signature with a frame ends the list.
    const size_t frame = value.find(" frame=");
    size_t comma = value.find(',');
    if (frame != std::string_view::npos && comma > frame) comma = std::string_view::npos;
    const std::string_view one = trimmed(value.substr(0, comma));
    std::string reason;
    const std::optional<Signature> signature = parse_signature(one, &reason);
    if (!signature) {
      *error = "--ignore: " + reason;
      return false;
    }
    signatures_.push_back(*signature);
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

bool IgnoreList::add_file(const std::string& path, std::string* error) {
  std::string bytes;
  if (!read_file_bytes(path, &bytes, error)) return false;
  std::string_view rest = bytes;
  for (size_t line = 1; !rest.empty(); ++line) {
    const size_t newline = rest.find('\n');
    std::string_view text = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    if (const size_t hash = text.find('#');
        hash != std::string_view::npos && (hash == 0 || text[hash - 1] == ' ')) {
      text = text.substr(0, hash);
    }
    text = trimmed(text);
    if (text.empty()) continue;
    std::string reason;
    const std::optional<Signature> signature = parse_signature(text, &reason);
    if (!signature) {
      *error = absl::StrFormat("%s:%d: %s", path, line, reason);
      return false;
    }
    signatures_.push_back(*signature);
  }
  return true;
}

bool IgnoreList::contains(const Signature& signature) const {
  return std::find(signatures_.begin(), signatures_.end(), signature) != signatures_.end();
}

std::string bucket_label(const Bucket& bucket) {
  return bucket.signature ? bucket.signature->text() : std::string(kPassesLabel);
}

void BucketTable::add(const std::optional<Signature>& signature, const std::string& input,
                      double first_seen) {
  for (Bucket& row : rows_) {
    if (row.signature != signature) continue;
    ++row.inputs;
    // Ties go to the input whose name sorts first, so the choice does not depend on the order
    // of a directory listing.
    if (first_seen < row.first_seen || (first_seen == row.first_seen && input < row.first_input)) {
      row.first_seen = first_seen;
      row.first_input = input;
    }
    sorted_ = false;
    return;
  }
  Bucket row;
  row.signature = signature;
  row.inputs = 1;
  row.first_seen = first_seen;
  row.first_input = input;
  rows_.push_back(std::move(row));
  sorted_ = false;
}

void BucketTable::sort() {
  std::sort(rows_.begin(), rows_.end(), row_before);
  sorted_ = true;
}

std::vector<Bucket>& BucketTable::rows() {
  if (!sorted_) sort();
  return rows_;
}

void BucketTable::apply(const IgnoreList& ignore) {
  for (Bucket& row : rows_) row.ignored = row.signature && ignore.contains(*row.signature);
}

size_t BucketTable::new_buckets() const {
  size_t count = 0;
  for (const Bucket& row : rows_) count += row.ignored ? 0 : 1;
  return count;
}

std::string BucketTable::text(std::string_view clock_source) const {
  std::vector<Bucket> rows = rows_;
  std::sort(rows.begin(), rows.end(), row_before);
  size_t width = std::string_view("bucket").size();
  for (const Bucket& row : rows) width = std::max(width, bucket_label(row).size());
  std::string out = absl::StrFormat(
      "buckets: %d (%d new); first seen: %s, wall-clock seconds after the run's start (not "
      "deterministic)\n",
      rows.size(), new_buckets(), clock_source);
  if (rows.empty()) return out;
  out += absl::StrFormat("  %-*s  %6s  %10s  %-7s  %s\n", width, "bucket", "inputs", "first seen",
                         "status", "repro");
  for (const Bucket& row : rows) {
    const char* status = row.ignored ? "ignored" : "new";
    out += absl::StrFormat("  %-*s  %6d  %8.1f s  %-7s  %s\n", width, bucket_label(row), row.inputs,
                           row.first_seen, status, row.repro);
    if (!row.first_broken.empty()) out += "    " + row.first_broken + "\n";
    if (!row.replay.empty()) out += "    replay: " + row.replay + "\n";
  }
  return out;
}

}  // namespace allocfuzz
