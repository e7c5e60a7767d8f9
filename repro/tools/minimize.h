// `allocfuzz minimize FILE [-o OUT]`: operation-level delta debugging. The program is cut to
// a smaller one that still fails with the same signature (fuzz/oracle/signature.h: the
// violation KIND, the name of the operation it fails at and the frame; not necessarily the same
// operation index): first the operations after the failing one, then chunks of operations (ddmin,
// removing complements), then single operations, then smaller operands (sizes and counts
// toward 0, 1, 8, 16, or halved) and slots renumbered densely from s0; rounds repeat while
// anything changes. Every candidate runs in its own child (child_run.h), so a crash is just
// another outcome. The result is written as canonical text with the original header fields
// (placement, limit, heap, defect) and `# expect: violation KIND`, so `allocfuzz check OUT`
// passes and the file can go straight into repro/cases/.
#ifndef ALLOCFUZZ_REPRO_MINIMIZE_H_
#define ALLOCFUZZ_REPRO_MINIMIZE_H_

#include <cstddef>
#include <string>

#include "fuzz/oracle/finding_kind.h"
#include "fuzz/oracle/signature.h"
#include "repro/tools/program_setup.h"

namespace allocfuzz {

struct MinimizeSummary {
  std::string out_path;  // where the minimized program went
  std::string text;      // its canonical text
  FindingKind kind;      // the violation kept
  Signature signature;   // and its whole signature
  size_t ops_before = 0;
  size_t ops_after = 0;
};

// `out` empty: default_min_path(path). Prints progress and the counts to stdout. Exit status:
// 0 minimized and written, 1 the program does not fail (nothing to minimize), 2 bad input.
int minimize_file(const std::string& path, const std::string& out, const RunSettings& settings,
                  MinimizeSummary* summary = nullptr);

// FILE with its extension replaced by ".min.ops": "a/crash-12ab" -> "a/crash-12ab.min.ops",
// "x.ops" -> "x.min.ops".
std::string default_min_path(const std::string& path);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_MINIMIZE_H_
