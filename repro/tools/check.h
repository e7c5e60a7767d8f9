// `allocfuzz check FILE...`: runs each program under its own headers (`# region:`, `# limit:`,
// `# heap:`, `# defect:`) with the heap checked after every operation, in a child, and compares
// the outcome with its `# expect:` line. This is what every regression case in repro/cases/
// runs as under ctest.
//
//   PASS FILE (ok)
//   PASS FILE (violation overlap at operation 3)
//   FAIL FILE: expected ok, got violation crash:SIGSEGV at operation 7   (then the report)
#ifndef ALLOCFUZZ_REPRO_CHECK_H_
#define ALLOCFUZZ_REPRO_CHECK_H_

#include <string>
#include <vector>

#include "fuzz/oracle/finding_kind.h"
#include "repro/tools/program_setup.h"

namespace allocfuzz {

// Exit status: 2 if any file is bad (or has no `# expect:`), else 1 if any FAIL, else 0.
int check_files(const std::vector<std::string>& paths, const RunSettings& settings);

// "violation overlap at operation 3", "violation timeout at the end of the program", "ok":
// an outcome in the words check and minimize print.
std::string describe_outcome(const FindingKind& kind, size_t op_index, size_t op_count);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CHECK_H_
