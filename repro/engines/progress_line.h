// The one live line `allocfuzz run` shows while libFuzzer works:
//   heap_fuzzer  12/60 s  1234567 execs (98765/s)  cov 512  ft 1800  corpus 140  crashes 0
// On a terminal it is redrawn in place (\r, at most a few times a second); otherwise (CI
// logs) it is printed as a line of its own about every 10 seconds.
#ifndef ALLOCFUZZ_REPRO_PROGRESS_LINE_H_
#define ALLOCFUZZ_REPRO_PROGRESS_LINE_H_

#include <cstdio>
#include <string>

#include "repro/engines/libfuzzer_log.h"

namespace allocfuzz {

class ProgressLine {
 public:
  ProgressLine(std::FILE* out, std::string target, unsigned total_seconds);

  // Called whenever something may have changed, and about once a second regardless.
  void update(const FuzzProgress& progress, double elapsed_seconds);
  // Ends the line (on a terminal) so that what follows starts on its own.
  void finish(const FuzzProgress& progress, double elapsed_seconds);

  static std::string render(const std::string& target, unsigned total_seconds,
                            const FuzzProgress& progress, double elapsed_seconds);

 private:
  std::FILE* out_;
  std::string target_;
  unsigned total_seconds_;
  bool terminal_;
  double last_drawn_ = -1e9;
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_PROGRESS_LINE_H_
