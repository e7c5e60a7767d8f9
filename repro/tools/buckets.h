// Buckets of findings, for `allocfuzz run` and `allocfuzz gate`: the inputs a fuzz run found,
// grouped by signature (fuzz/oracle/signature.h), and the signatures a user has chosen to
// ignore (--ignore=SIGNATURE, --ignore-file=FILE).
//
// Invariants:
//   - A bucket's signature comes from allocfuzz's own replay of an input, never from a fuzzer's
//     log; the same inputs give the same buckets.
//   - The table's rows are sorted by first seen, then by signature text, and print nothing that
//     depends on addresses or on hash order. First seen is wall-clock (not deterministic), and
//     the table's header says so and where the time came from.
//   - An ignored bucket is still a row (marked `ignored`) and is counted, but is not new.
//   - Inputs that pass under replay, or could not be replayed (no region, no fork), are one row
//     of their own, "(no finding under replay)": the fuzzer saw a failure allocfuzz cannot
//     reproduce (a timeout or oom under load, a nondeterministic heap, a broken environment).
//     It has no signature, so it cannot be ignored, and it is new.
#ifndef ALLOCFUZZ_REPRO_TOOLS_BUCKETS_H_
#define ALLOCFUZZ_REPRO_TOOLS_BUCKETS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/oracle/signature.h"

namespace allocfuzz {

// The signatures to ignore.
class IgnoreList {
 public:
  // Adds the signatures of one --ignore value: one signature, or several separated by commas;
  // a frame is the rest of its signature (it may hold commas), so one with a frame comes last.
  // False with "--ignore: REASON" in *error.
  bool add_flag(std::string_view value, std::string* error);
  // Adds every line of FILE: one signature a line, blank lines and `#` comments (a whole line,
  // or from a ` #` to the end) skipped. False with "FILE:LINE: REASON" (or "FILE: cannot read:
  // ...") in *error.
  bool add_file(const std::string& path, std::string* error);

  bool contains(const Signature& signature) const;
  bool empty() const { return signatures_.empty(); }

 private:
  std::vector<Signature> signatures_;
};

struct Bucket {
  std::optional<Signature> signature;  // nullopt: inputs that do not fail under replay
  size_t inputs = 0;
  double first_seen = 0;     // seconds after the run's start
  std::string first_input;   // the input seen first (the one minimized)
  std::string repro;         // its minimized program, or the input itself when not minimized
  std::string replay;        // the command that replays `repro`
  std::string first_broken;  // for a heap without our checker: find_first_broken's line
  bool ignored = false;
};

class BucketTable {
 public:
  // One input, by its replayed signature (nullopt: it gives no finding under replay).
  void add(const std::optional<Signature>& signature, const std::string& input, double first_seen);
  // The rows, in the table's order; each may be completed (repro, replay) by the caller.
  std::vector<Bucket>& rows();
  // Marks the rows `ignore` contains.
  void apply(const IgnoreList& ignore);
  // Rows not ignored.
  size_t new_buckets() const;
  // The table, after a line saying how first-seen was measured (`clock_source`):
  //   bucket                        inputs  first seen  status   repro
  //   content-corrupted op=malloc       31       0.6 s  new      artifacts/T/crash-1.min.ops
  //     replay: build/fuzz/bin/allocfuzz replay artifacts/T/crash-1.min.ops
  std::string text(std::string_view clock_source) const;

 private:
  void sort();
  std::vector<Bucket> rows_;
  bool sorted_ = true;
};

// The label of a row's signature: its text, or "(no finding under replay)".
std::string bucket_label(const Bucket& bucket);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_TOOLS_BUCKETS_H_
