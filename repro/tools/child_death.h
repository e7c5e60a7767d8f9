// How a child that died (rather than returned) ended, as a finding of the violation vocabulary
// (fuzz/oracle/finding_kind.h) and its report in format_report's shape. The kind does not
// depend on whether a sanitizer was there: a signal first is crash:SIGNAME (seen by the
// heap's own check when heap_fatal raised it), a sanitizer report first is asan:WHAT or ubsan:CHECK
// (or, for ASan's own reports of deadly signals, the crash they stand for), the alarm is timeout.
#ifndef ALLOCFUZZ_REPRO_CHILD_DEATH_H_
#define ALLOCFUZZ_REPRO_CHILD_DEATH_H_

#include <cstddef>
#include <string>

#include "fuzz/oracle/finding_kind.h"
#include "fuzz/program/ops.h"
#include "repro/tools/child_record.h"

namespace allocfuzz {

struct ChildDeath {
  FindingKind kind;
  size_t op_index = SIZE_MAX;  // SIZE_MAX: before the first operation
  std::string text;            // the report
  std::string message;         // its one-line message
  std::string frame;           // for a signal or a sanitizer report: Finding::frame
};

// `wait_status` from waitpid; `killed_for_time`: the parent's backstop deadline killed it.
ChildDeath describe_death(const Program& program, const ChildRecord& record, int wait_status,
                          bool killed_for_time, unsigned timeout_seconds);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CHILD_DEATH_H_
