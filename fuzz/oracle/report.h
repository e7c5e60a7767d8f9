// The report of a finding, the same from the fuzzer and from `allocfuzz replay`: the kind,
// the operation and its text, the operations before it, the message, and a map of the heap
// around the offset. Offsets only, so the same input prints the same report everywhere.
#ifndef ALLOCFUZZ_FUZZ_REPORT_H_
#define ALLOCFUZZ_FUZZ_REPORT_H_

#include <string>

#include "allocator/base/fixed_text.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

// How many operations before the finding the report lists.
inline constexpr size_t kReportContextOps = 8;

// "operation 12: free s3", or "the end of the program (after operation 11)".
std::string describe_operation(const Program& program, size_t op_index);

// The line every fuzz target prints on stderr for each finding, the one that ci/gate.sh reads:
//   allocfuzz-finding: kind=heap-invariant:prev-free op=17 oracle="heap checker"
//   allocfuzz-finding: kind=crash:SIGSEGV op=2 oracle="signal" frame="kr_malloc.c:88 in kr_free"
// key=value fields; the oracle is its "seen by:" name, quoted (it has spaces). op is the
// operation's index (the program's length: the final check), or "none" when the finding came
// before the first operation. frame, for signals and sanitizer reports only, is the innermost
// frame inside the heap under test (Finding::frame; "?" when it could not be symbolized),
// quoted. Ends with a newline.
inline constexpr std::string_view kFindingLinePrefix = "allocfuzz-finding: ";
inline constexpr size_t kFindingLineCapacity = 512;  // kinds are short, a frame <= 200
// append_finding_line writes it without allocating (the fuzz targets print it from signal
// handlers and death hooks, where the process's malloc may be the broken or locked one).
void append_finding_line(TextBuffer& out, const FindingKind& kind, Oracle oracle, size_t op_index,
                         std::string_view frame = {});
std::string finding_line(const FindingKind& kind, Oracle oracle, size_t op_index,
                         std::string_view frame = {});

std::string format_report(const Program& program, const Finding& finding, const TestedHeap& heap);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_REPORT_H_
