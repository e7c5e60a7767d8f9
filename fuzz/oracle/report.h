// The report of a finding, the same from the fuzzer and from `allocfuzz replay`: the kind,
// the operation and its text, the operations before it, the message, and a map of the heap
// around the offset. Offsets only, so the same input prints the same report everywhere.
#ifndef ALLOCFUZZ_FUZZ_REPORT_H_
#define ALLOCFUZZ_FUZZ_REPORT_H_

#include <string>

#include "fuzz/heaps/tested_heap.h"
#include "fuzz/oracle/finding.h"
#include "fuzz/program/ops.h"

namespace allocfuzz {

// How many operations before the finding the report lists.
inline constexpr size_t kReportContextOps = 8;

// "operation 12: free s3", or "the end of the program (after operation 11)".
std::string describe_operation(const Program& program, size_t op_index);

std::string format_report(const Program& program, const Finding& finding, const TestedHeap& heap);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_REPORT_H_
