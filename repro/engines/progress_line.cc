// The live progress line; see progress_line.h.
#include "repro/engines/progress_line.h"

#include <absl/strings/str_format.h>
#include <unistd.h>

namespace allocfuzz {
namespace {

constexpr double kTerminalInterval = 0.25;  // seconds between redraws on a terminal
constexpr double kLogInterval = 10.0;       // seconds between lines in a log

}  // namespace

ProgressLine::ProgressLine(std::FILE* out, std::string target, unsigned total_seconds)
    : out_(out),
      target_(std::move(target)),
      total_seconds_(total_seconds),
      terminal_(isatty(fileno(out)) != 0) {}

std::string ProgressLine::render(const std::string& target, unsigned total_seconds,
                                 const FuzzProgress& progress, double elapsed_seconds) {
  const auto seconds = static_cast<uint64_t>(elapsed_seconds);
  if (!progress.seen) {
    return absl::StrFormat("%s  %d/%d s  starting", target, seconds, total_seconds);
  }
  const uint64_t rate =
      elapsed_seconds >= 1.0
          ? static_cast<uint64_t>(static_cast<double>(progress.executions) / elapsed_seconds)
          : progress.exec_per_sec;
  return absl::StrFormat("%s  %d/%d s  %d execs (%d/s)  cov %d  ft %d  corpus %d  crashes %d",
                         target, seconds, total_seconds, progress.executions, rate, progress.cov,
                         progress.ft, progress.corpus, progress.crashes);
}

void ProgressLine::update(const FuzzProgress& progress, double elapsed_seconds) {
  const double interval = terminal_ ? kTerminalInterval : kLogInterval;
  if (elapsed_seconds - last_drawn_ < interval) return;
  // The first line in a log waits a full interval: short runs print only the summary.
  if (!terminal_ && last_drawn_ < 0 && elapsed_seconds < kLogInterval) return;
  last_drawn_ = elapsed_seconds;
  const std::string line = render(target_, total_seconds_, progress, elapsed_seconds);
  if (terminal_) {
    absl::FPrintF(out_, "\r%s\x1b[K", line.c_str());
  } else {
    absl::FPrintF(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

void ProgressLine::finish(const FuzzProgress& progress, double elapsed_seconds) {
  if (!terminal_) return;
  const std::string line = render(target_, total_seconds_, progress, elapsed_seconds);
  absl::FPrintF(out_, "\r%s\x1b[K\n", line.c_str());
  std::fflush(out_);
}

}  // namespace allocfuzz
