// Reading libFuzzer's status lines, for `allocfuzz run`'s progress line and summary.
//
// Fork mode (-fork=N), one line per finished job:
//   #123: cov: 500 ft: 900 corp: 40 exec/s 9000 oom/timeout/crash: 0/0/0 time: 12s job: 3 ...
// Plain mode, one line per event:
//   #4096	pulse  cov: 500 ft: 900 corp: 40/1200b lim: 64 exec/s: 9000 rss: 40Mb
//   #5000	NEW    cov: 501 ft: 903 corp: 41/1210b ...      (also INITED, REDUCE, DONE)
#ifndef ALLOCFUZZ_REPRO_LIBFUZZER_LOG_H_
#define ALLOCFUZZ_REPRO_LIBFUZZER_LOG_H_

#include <cstdint>
#include <string_view>

namespace allocfuzz {

struct FuzzProgress {
  bool seen = false;                             // at least one status line was read
  uint64_t executions = 0;                       // the number after '#'
  uint64_t cov = 0;                              // coverage points
  uint64_t ft = 0;                               // features
  uint64_t corpus = 0;                           // corpus inputs
  uint64_t exec_per_sec = 0;                     // libFuzzer's own figure
  uint64_t ooms = 0, timeouts = 0, crashes = 0;  // fork mode only
  uint64_t seconds = 0;                          // fork mode's "time:"
};

// Updates `*progress` from one line (without its newline) and returns true when it was a
// status line; other lines (INFO:, crash reports, ...) change nothing.
bool parse_libfuzzer_line(std::string_view line, FuzzProgress* progress);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_LIBFUZZER_LOG_H_
